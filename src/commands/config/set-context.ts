// `skiff config set-context [NAME | --current]`: creates or changes a context entry.
import { homedir } from "node:os";
import { defineCommand } from "../command.ts";
import { CliError, UsageError } from "../../errors.ts";
import { updateKubeConfig, upsertNamedEntry, writableConfigPath } from "../../client/kubeconfig.ts";

interface SetContextFlags { current?: boolean }

export interface SetContextOptions {
  /** undefined with `current`: the current-context, looked up in run. */
  name?: string;
  current: boolean;
}

export default defineCommand<SetContextFlags, SetContextOptions>({
  name: "config set-context",
  summary: "Set a context entry in kubeconfig",
  group: "Settings Commands",
  args: "[name]",
  examples: [
    "skiff config set-context --current --namespace=demo",
    "skiff config set-context dev --cluster=skiff --user=skiff --namespace=dev",
  ],
  // --cluster, --user and --namespace are the global connection flags; here they are the
  // values to store, as in kubectl, whose set-context flags share those names.
  flags: (c) => c.option("--current", "Modify the current context"),
  complete(args, flags) {
    if (args.length > 1) throw new UsageError(`unexpected arguments: ${args.slice(1).join(" ")}`);
    const current = flags.current ?? false;
    if (current && args.length === 1) throw new UsageError("you cannot specify both a context name and --current");
    if (!current && !args[0]) throw new UsageError("you must specify a non-empty context name or --current");
    return { name: args[0], current };
  },
  async run(o, deps) {
    const home = deps.env.HOME || homedir();
    let name = o.name;
    if (o.current) {
      name = (await deps.config()).merged["current-context"];
      if (!name) throw new CliError("no current context is set");
    }
    const ctxName = name!;
    const path = await writableConfigPath(deps.env, deps.flags, home, { section: "contexts", name: ctxName });
    const { cluster, user, namespace } = deps.flags;
    let created = false;
    await updateKubeConfig(path, (file) => {
      created = upsertNamedEntry(file, "contexts", ctxName, (ctx) => {
        // kubectl writes both names even when empty
        ctx.cluster ??= "";
        ctx.user ??= "";
        if (cluster !== undefined) ctx.cluster = cluster;
        if (user !== undefined) ctx.user = user;
        if (namespace !== undefined) ctx.namespace = namespace;
      });
    });
    deps.io.out.write(`Context "${ctxName}" ${created ? "created" : "modified"}.\n`);
  },
});
