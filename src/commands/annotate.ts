// `skiff annotate`: the label command's machinery, applied to annotations.
import { metadataCommand } from "./label.ts";

export default metadataCommand("annotations");
