// `skiff config get-contexts [NAME]`: kubectl's table of contexts, the current one starred.
import { defineCommand } from "../command.ts";
import { CliError, UsageError } from "../../errors.ts";
import { formatColumns } from "../../formatters/tabwriter.ts";
import type { NamedContext } from "../../client/kubeconfig.ts";

interface GetContextsFlags { output?: string; headers?: boolean }

export interface GetContextsOptions { names: string[]; output: "" | "name"; headers: boolean }

/** The table (or names) for `contexts`, sorted by name; `current` gets the star. */
export function formatContexts(contexts: NamedContext[], current: string, o: GetContextsOptions): string {
  const sorted = [...contexts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (o.output === "name") return sorted.map((c) => `${c.name}\n`).join("");
  const rows = sorted.map((c) => [c.name === current ? "*" : "", c.name, c.context.cluster ?? "", c.context.user ?? "", c.context.namespace ?? ""]);
  return formatColumns(o.headers ? [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"], ...rows] : rows);
}

export default defineCommand<GetContextsFlags, GetContextsOptions>({
  name: "config get-contexts",
  summary: "Describe one or many contexts",
  group: "Settings Commands",
  args: "[names...]",
  examples: ["skiff config get-contexts", "skiff config get-contexts skiff", "skiff config get-contexts -o name"],
  flags: (c) => c
    .option("-o, --output <format>", "Output format. One of: (name).")
    .option("--no-headers", "When using the default or custom-column output format, don't print headers (default print headers)."),
  complete(args, flags) {
    const output = flags.output ?? "";
    if (output !== "" && output !== "name") throw new UsageError(`output must be one of '' or 'name': ${output}`);
    return { names: args, output, headers: flags.headers !== false };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const all = cfg.merged.contexts;
    const missing = o.names.filter((n) => !all.some((c) => c.name === n));
    const shown = o.names.length ? all.filter((c) => o.names.includes(c.name)) : all;
    if (shown.length > 0 || missing.length === 0) deps.io.out.write(formatContexts(shown, cfg.merged["current-context"] ?? "", o));
    // matches kubectl: prints what it found, then fails for the rest
    if (missing.length === 1) throw new CliError(`context ${missing[0]} not found`);
    if (missing.length > 1) throw new CliError(`[${missing.map((n) => `context ${n} not found`).join(", ")}]`);
  },
});
