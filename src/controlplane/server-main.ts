// `skiff server`: the control plane in the foreground until SIGTERM or SIGINT.
import { startControlPlane, type ControlPlaneOptions } from "./control-plane.ts";
import { startMemoryReducer } from "./memory-reducer.ts";

export interface RunServerOptions {
  dataDir: string;
  port: number;
  listen?: string;
  /** Where progress lines go; default stderr. */
  log?: (line: string) => void;
  /** Passed through to startControlPlane (tests swap in their own request handler). */
  handler?: ControlPlaneOptions["handler"];
  /** In-process minions (default 3), node monitor grace period and pod eviction timeout: see ControlPlaneOptions. */
  minions?: number;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
}

/**
 * Runs the control plane until the process gets SIGTERM or SIGINT, then closes it
 * gracefully and resolves. A second signal during shutdown gets the default action
 * (the process ends at once). Rejects when start-up fails (port taken, bad data dir).
 */
export async function runServer(opts: RunServerOptions): Promise<void> {
  const log = opts.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  const cp = await startControlPlane({
    dataDir: opts.dataDir, port: opts.port, listen: opts.listen, log, handler: opts.handler, minions: opts.minions,
    nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: opts.podEvictionTimeoutMs,
  });
  log(`skiff control plane listening on ${cp.url}`);
  const mib = (n: number): string => `${Math.round(n / 1048576)} MiB`;
  const stopReducer = startMemoryReducer({
    onCompact: (before, after, ms) => log(`compacted the heap after a burst: old generation ${mib(before.size)} → ${mib(after.size)} (${mib(after.used)} live), ${Math.round(ms)} ms`),
  });
  await new Promise<void>((done) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      log(`${signal} received, shutting down`);
      stopReducer();
      cp.close().then(done, (e: unknown) => {
        log(`error while shutting down: ${e instanceof Error ? e.message : String(e)}`);
        done();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  log("skiff control plane stopped");
}
