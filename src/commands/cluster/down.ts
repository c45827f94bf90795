// `skiff cluster down`: stops the embedded control plane; its data stays for the next `up`.
import { homedir } from "node:os";
import { defineCommand } from "../command.ts";
import { UsageError } from "../../errors.ts";
import { skiffHome } from "../../cli/self.ts";

export interface DownOptions { dataDir: string }

export default defineCommand<Record<string, never>, DownOptions>({
  name: "cluster down",
  summary: "Stop the embedded control plane (its data is kept)",
  group: "Advanced Commands",
  examples: ["skiff cluster down"],
  complete(args, _flags, deps) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    return { dataDir: skiffHome(deps.env, deps.env.HOME || homedir()) };
  },
  async run(o, deps) {
    const { clusterDown } = await import("../../controlplane/cluster.ts");
    const { stopped } = await clusterDown({ dataDir: o.dataDir });
    // Idempotent, like `oc cluster down`: stopping a stopped cluster is not an error.
    deps.io.out.write(stopped ? "skiff control plane stopped\n" : "skiff control plane is not running\n");
  },
});
