// `skiff config view`: the merged kubeconfig, secrets redacted unless --raw.
import { defineCommand } from "../command.ts";
import { UsageError } from "../../errors.ts";
import { dumpKubeConfig, minifyConfig, redactConfig, type KubeConfig } from "../../client/kubeconfig.ts";

interface ViewFlags { raw?: boolean; minify?: boolean; output?: string }

export interface ViewOptions { raw: boolean; minify: boolean; output: "yaml" | "json" }

/** kubectl prints empty lists as null in both formats. */
function jsonShape(cfg: KubeConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: cfg.kind, apiVersion: cfg.apiVersion, preferences: cfg.preferences };
  for (const s of ["clusters", "users", "contexts"] as const) out[s] = cfg[s].length ? cfg[s] : null;
  out["current-context"] = cfg["current-context"] ?? "";
  if (cfg.extensions?.length) out.extensions = cfg.extensions;
  return out;
}

export default defineCommand<ViewFlags, ViewOptions>({
  name: "config view",
  summary: "Display merged kubeconfig settings or a specified kubeconfig file",
  group: "Settings Commands",
  examples: ["skiff config view", "skiff config view --minify --raw", "skiff config view -o json"],
  flags: (c) => c
    .option("--raw", "Display raw byte data and sensitive data")
    .option("--minify", "Remove all information not used by current-context from the output")
    .option("-o, --output <format>", "Output format. One of: (json, yaml).", "yaml"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    const output = flags.output ?? "yaml";
    if (output !== "yaml" && output !== "json") throw new UsageError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`);
    return { raw: flags.raw ?? false, minify: flags.minify ?? false, output };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const picked = o.minify ? minifyConfig(cfg.merged, cfg.currentContext) : cfg.merged;
    const shown = redactConfig(picked, o.raw);
    deps.io.out.write(o.output === "json" ? `${JSON.stringify(jsonShape(shown), null, 4)}\n` : dumpKubeConfig(shown));
  },
});
