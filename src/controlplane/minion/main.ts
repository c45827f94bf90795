// `skiff minion start` at run time: a minion in the foreground against the kubeconfig's
// control plane, serving container logs over HTTPS, until SIGTERM/SIGINT (or an abort).
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ApiClient } from "../../client/api-client.ts";
import { createApiClient } from "../../client/client.ts";
import { createHttpTransport } from "../../client/http-transport.ts";
import type { Connection } from "../../client/kubeconfig.ts";
import type { Clock } from "../../deps.ts";
import { ensureTls } from "../tls.ts";
import { startMinion } from "./minion.ts";

export interface RunMinionOptions {
  /** The kubeconfig's connection to the control plane (its token also guards the log server). */
  connection?: Connection;
  /**
   * A client for it; without one the minion makes its own from `connection` (as it must when
   * it runs from the executable's separate control-plane bundle, whose error classes are its own).
   */
  client?: ApiClient;
  name: string;
  cpu: string;
  memory: string;
  pods: number;
  labels: Record<string, string>;
  address: string;
  logPort: number;
  podCIDR?: string;
  /** How often the node status is posted (the kubelet's --node-status-update-frequency); default 10 s. */
  heartbeatMs?: number;
  /** Where the log server's self-signed certificate is kept. */
  stateDir: string;
  clock: Clock;
  random: () => number;
  log: (line: string) => void;
  /** Ends the minion like a signal does (tests). */
  signal?: AbortSignal;
}

/** Runs until SIGTERM or SIGINT (or `signal`), then stops the minion; the Node stays registered. */
export async function runMinion(o: RunMinionOptions): Promise<void> {
  if (!o.client && !o.connection) throw new Error("runMinion needs a client or a connection");
  const client = o.client ?? createApiClient(createHttpTransport(o.connection!), {
    namespace: "default", server: o.connection!.server, onWarning: (w) => o.log(`Warning: ${w}`),
  });
  const token = o.connection?.token;
  let logServer: { port: number; token: string; certPem: string; keyPem: string; listen: string } | undefined;
  if (token) {
    const dir = join(o.stateDir, "minions", o.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tls = await ensureTls(dir, [o.address, "127.0.0.1", "localhost"], o.clock.now());
    logServer = { port: o.logPort, token, certPem: tls.certPem, keyPem: tls.keyPem, listen: o.address };
  } else {
    o.log("warning: the kubeconfig has no bearer token; container logs will not be served");
  }
  let lastError = "";
  const minion = await startMinion({
    client, name: o.name, cpu: o.cpu, memory: o.memory, pods: o.pods, labels: o.labels, address: o.address,
    podCIDR: o.podCIDR, heartbeatMs: o.heartbeatMs, clock: o.clock, random: o.random, logServer,
    // While the control plane is away every retry fails the same way: say it once.
    onError: (e) => {
      const text = e instanceof Error ? e.message : String(e);
      if (text !== lastError) o.log(`minion ${o.name}: ${text}`);
      lastError = text;
    },
  });
  o.log(`minion ${o.name} registered with ${client.server} (pod CIDR ${minion.podCIDR}${minion.logPort ? `, logs on ${o.address}:${minion.logPort}` : ""})`);
  await new Promise<void>((done) => {
    const finish = (): void => {
      process.off("SIGTERM", finish);
      process.off("SIGINT", finish);
      o.signal?.removeEventListener("abort", finish);
      done();
    };
    process.on("SIGTERM", finish);
    process.on("SIGINT", finish);
    if (o.signal?.aborted) finish();
    else o.signal?.addEventListener("abort", finish, { once: true });
  });
  await minion.stop();
  o.log(`minion ${o.name} stopped`);
}
