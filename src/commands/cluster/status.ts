// `skiff cluster status`: whether the embedded control plane runs, where, and if it is healthy.
import { homedir } from "node:os";
import { defineCommand } from "../command.ts";
import { ExitCodeError, UsageError } from "../../errors.ts";
import { skiffHome } from "../../cli/self.ts";

export interface StatusOptions { dataDir: string }

export default defineCommand<Record<string, never>, StatusOptions>({
  name: "cluster status",
  summary: "Show whether the embedded control plane is running (exit 1 when not)",
  group: "Advanced Commands",
  examples: ["skiff cluster status", "skiff cluster status >/dev/null || skiff cluster up --wait"],
  complete(args, _flags, deps) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    return { dataDir: skiffHome(deps.env, deps.env.HOME || homedir()) };
  },
  async run(o, deps) {
    const { clusterStatus } = await import("../../controlplane/cluster.ts");
    const s = await clusterStatus({ dataDir: o.dataDir });
    if (!s.running) {
      // stderr and exit 1, so `cluster status || cluster up` works in scripts
      throw new ExitCodeError(1, `skiff control plane is not running (data directory ${s.dataDir})`);
    }
    deps.io.out.write([
      "skiff control plane is running",
      `  URL:             ${s.url}`,
      `  PID:             ${s.pid}`,
      `  Data directory:  ${s.dataDir}`,
      `  Health:          ${s.healthy ? "ok" : "not responding"}`,
      "",
    ].join("\n"));
    if (!s.healthy) throw new ExitCodeError(1);
  },
});
