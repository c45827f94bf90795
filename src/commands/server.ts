// `skiff server`: runs the control plane in the foreground (what `cluster up` starts in the background).
import { defineCommand } from "./command.ts";
import { UsageError } from "../errors.ts";
import { parseCount, parsePeriod } from "./cluster/up.ts";
import { loadEngine } from "../controlplane/load-engine.ts";

interface ServerFlags { dataDir?: string; port?: string; listen?: string; minions?: string; nodeMonitorGracePeriod?: string; podEvictionTimeout?: string }

export interface ServerOptions {
  dataDir: string;
  port: number;
  listen?: string;
  /** In-process minions (default 3). */
  minions?: number;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
}

export default defineCommand<ServerFlags, ServerOptions>({
  name: "server",
  summary: "Run the control plane in the foreground",
  group: "Advanced Commands",
  examples: ["skiff server --data-dir /var/lib/skiff --port 6443", "skiff server --data-dir ./data --port 0 --listen 0.0.0.0"],
  flags: (c) => c
    .requiredOption("--data-dir <dir>", "Directory for the database, certificates and token")
    .option("--port <port>", "HTTPS port; 0 picks a free one", "6443")
    .option("--listen <address>", "Address to listen on", "127.0.0.1")
    .option("--minions <n>", "Number of simulated minions to run in the server's process (default 3)")
    .option("--node-monitor-grace-period <duration>", "How long a minion may go without a heartbeat before its node is NotReady (default 40s)")
    .option("--pod-eviction-timeout <duration>", "How long a node may be NotReady before its pods are deleted (default 5m0s)"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    if (!flags.dataDir) throw new UsageError("--data-dir is required");
    return {
      dataDir: flags.dataDir, port: parseCount("port", flags.port ?? "6443", 65535)!, listen: flags.listen,
      minions: parseCount("minions", flags.minions, 1000),
      nodeMonitorGracePeriodMs: parsePeriod("--node-monitor-grace-period", flags.nodeMonitorGracePeriod),
      podEvictionTimeoutMs: parsePeriod("--pod-eviction-timeout", flags.podEvictionTimeout),
    };
  },
  async run(o, deps) {
    const { runServer } = await loadEngine();
    await runServer({
      dataDir: o.dataDir, port: o.port, listen: o.listen, minions: o.minions,
      nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs,
      log: (line: string) => deps.io.err.write(`${line}\n`),
    });
  },
});
