// `skiff uncordon`: the cordon command's machinery, clearing spec.unschedulable.
import { cordonCommand } from "./cordon.ts";

export default cordonCommand(false);
