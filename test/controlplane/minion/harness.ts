// A fast clock and an in-process API server whose pod logs come from in-process minions,
// for the minion tests; plus small helpers to create, bind and wait for pods.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "../../../src/api/types.ts";
import type { ApiClient } from "../../../src/client/api-client.ts";
import { createApiClient } from "../../../src/client/client.ts";
import { createInProcessTransport } from "../../../src/client/in-process-transport.ts";
import { createApiServer } from "../../../src/controlplane/apiserver/api-server.ts";
import { createLogSource } from "../../../src/controlplane/minion/log-server.ts";
import { startMinion, type Minion, type MinionOptions } from "../../../src/controlplane/minion/minion.ts";
import { podSourceOver, sharedPodSource, type SharedPodSource } from "../../../src/controlplane/minion/pod-source.ts";
import { BY_NODE_NAME, SharedInformers } from "../../../src/controlplane/controllers/shared.ts";
import { createSimulatedRuntime, type SimulatedRuntimeOptions } from "../../../src/controlplane/minion/simulated-runtime.ts";
import { openSqliteStore } from "../../../src/controlplane/storage/sqlite-store.ts";
import type { Clock } from "../../../src/deps.ts";
import { fastClock } from "../../helpers/fast-clock.ts";

export { fastClock };


/** A deterministic random source. */
export function seededRandom(seed = 1): () => number {
  let n = seed;
  return () => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; };
}

export interface MinionCluster {
  client: ApiClient;
  clock: Clock;
  dir: string;
  minions: Map<string, Minion>;
  /** The pod source every minion shares, when the cluster was made with `sharedPods`. */
  podSource?: SharedPodSource;
  /** Pod watches opened through `client` so far, by field selector. */
  podWatches: string[];
  /** Starts a minion with the simulated runtime (options merged over fast defaults). */
  minion(name: string, extra?: Partial<MinionOptions>, sim?: SimulatedRuntimeOptions): Promise<Minion>;
  close(): Promise<void>;
}

/**
 * `sharedPods`: the minions share one pod watch, as in-process minions of a control plane do;
 * "informer": views over a controllers' SharedInformers pod informer (as with the controller manager).
 */
export async function minionCluster(factor = 50, opts: { sharedPods?: boolean | "informer" } = {}): Promise<MinionCluster> {
  const dir = await mkdtemp(join(tmpdir(), "skiff-minion-"));
  const store = openSqliteStore(join(dir, "skiff.db"));
  const clock = fastClock(factor);
  const minions = new Map<string, Minion>();
  const server = createApiServer({
    store, clock, random: seededRandom(7), bookmarkIntervalMs: 1000,
    logSource: createLogSource({ minionFor: (n) => minions.get(n) }),
  });
  await server.ready;
  const podWatches: string[] = [];
  const counting = {
    handle: (req: Parameters<typeof server.handle>[0]) => {
      if (req.query?.watch === "true" && /\/pods$/.test(req.path)) podWatches.push(req.query.fieldSelector ?? "");
      return server.handle(req);
    },
  };
  const client = createApiClient(createInProcessTransport(counting), { namespace: "default", server: "https://127.0.0.1:6443" });
  const errors: unknown[] = [];
  const informers = opts.sharedPods === "informer" ? new SharedInformers(client, { clock, onError: (e) => errors.push(e) }) : undefined;
  if (informers) informers.start();
  const podSource = informers ? podSourceOver(informers.get("pods"), BY_NODE_NAME)
    : opts.sharedPods ? sharedPodSource(client, { clock, onError: (e) => errors.push(e) }) : undefined;
  return {
    client, clock, dir, minions, podSource, podWatches,
    async minion(name, extra = {}, sim = {}) {
      const m = await startMinion({
        client, name, clock, random: seededRandom(name.length + 3), heartbeatMs: 10_000,
        runtime: createSimulatedRuntime(sim), onError: (e) => errors.push(e), podSource, ...extra,
      });
      minions.set(name, m);
      return m;
    },
    async close() {
      for (const m of minions.values()) await m.stop();
      await podSource?.stop();
      await informers?.stop();
      server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` (real time) until it returns a truthy value; throws with `what` after timeoutMs. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface PodSpecInput {
  containers?: { name: string; image: string; command?: string[] }[];
  restartPolicy?: string;
  annotations?: Record<string, string>;
  terminationGracePeriodSeconds?: number;
}

/** Creates a pod and binds it to `node` (as the scheduler would). */
export async function runPod(client: ApiClient, name: string, node: string, p: PodSpecInput = {}): Promise<Pod> {
  const pod = await client.create("pods", "default", {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, annotations: p.annotations },
    spec: {
      containers: p.containers ?? [{ name: "app", image: "nginx:1.25" }],
      ...(p.restartPolicy ? { restartPolicy: p.restartPolicy } : {}),
      ...(p.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: p.terminationGracePeriodSeconds } : {}),
    },
  });
  await client.postSubresource("pods", "default", name, "binding", {
    apiVersion: "v1", kind: "Binding", metadata: { name }, target: { kind: "Node", name: node },
  });
  return pod;
}

/** Waits until the pod satisfies `pred`, returning it. */
export function waitPod(client: ApiClient, name: string, what: string, pred: (p: Pod) => boolean, timeoutMs = 5000): Promise<Pod> {
  return waitFor(`pod ${name} ${what}`, async () => {
    const p = await client.get("pods", "default", name);
    return pred(p) ? p : undefined;
  }, timeoutMs);
}

/**
 * Watches one pod and records each distinct state of its first container as it is written
 * (`waiting:ContainerCreating`, `running`, `terminated:Error`…), so short-lived states are not
 * missed the way polling could miss them. stop() ends the watch and returns the states.
 */
export function recordStates(client: ApiClient, name: string): { states: string[]; stop(): Promise<string[]> } {
  const ac = new AbortController();
  const states: string[] = [];
  const done = (async () => {
    try {
      for await (const ev of client.watch("pods", "default", { fieldSelector: `metadata.name=${name}`, signal: ac.signal })) {
        const st = (ev.object as Pod).status?.containerStatuses?.[0]?.state;
        if (!st) continue;
        const s = st.waiting ? `waiting:${st.waiting.reason}` : st.terminated ? `terminated:${st.terminated.reason}` : "running";
        if (states.at(-1) !== s) states.push(s);
      }
    } catch { /* aborted */ }
  })();
  return { states, async stop() { ac.abort(); await done; return states; } };
}
