// `skiff config current-context`: the name of the context in effect.
import { defineCommand } from "../command.ts";
import { CliError, UsageError } from "../../errors.ts";

export default defineCommand<Record<string, never>, null>({
  name: "config current-context",
  summary: "Display the current-context",
  group: "Settings Commands",
  examples: ["skiff config current-context"],
  complete(args) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    return null;
  },
  async run(_o, deps) {
    const cfg = await deps.config();
    // matches kubectl, which reports the file's current-context (--context does not change it)
    const name = cfg.merged["current-context"];
    if (!name) throw new CliError("current-context is not set");
    deps.io.out.write(`${name}\n`);
  },
});
