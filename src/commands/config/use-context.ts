// `skiff config use-context NAME`: makes NAME the current-context.
import { homedir } from "node:os";
import { defineCommand } from "../command.ts";
import { CliError, UsageError } from "../../errors.ts";
import { updateKubeConfig, writableConfigPath } from "../../client/kubeconfig.ts";

export interface UseContextOptions { name: string }

export default defineCommand<Record<string, never>, UseContextOptions>({
  name: "config use-context",
  aliases: ["use"],
  summary: "Set the current-context in a kubeconfig file",
  group: "Settings Commands",
  args: "[name]",
  examples: ["skiff config use-context skiff"],
  complete(args) {
    if (args.length !== 1 || !args[0]) throw new UsageError("Unexpected args: " + (args.length ? JSON.stringify(args) : "[]"));
    return { name: args[0] };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    if (!cfg.merged.contexts.some((c) => c.name === o.name)) throw new CliError(`no context exists with the name: "${o.name}"`);
    const path = await writableConfigPath(deps.env, deps.flags, deps.env.HOME || homedir(), { section: "current-context" });
    await updateKubeConfig(path, (file) => { file["current-context"] = o.name; });
    deps.io.out.write(`Switched to context "${o.name}".\n`);
  },
});
