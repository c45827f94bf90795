// Test harnesses for the controllers: a real API server over SQLite in a temp dir behind the
// in-process transport, a client that records every write, and (liveCluster) the controller
// manager plus real in-process minions.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { infoForKind } from "../../../src/api/resources.ts";
import type { ApiObject } from "../../../src/api/types.ts";
import type { ApiClient } from "../../../src/client/api-client.ts";
import { createApiClient } from "../../../src/client/client.ts";
import { createInProcessTransport } from "../../../src/client/in-process-transport.ts";
import { createApiServer, type ApiServer, type LogSource } from "../../../src/controlplane/apiserver/api-server.ts";
import { startControllers, type ControllerManager, type ControllerManagerOptions } from "../../../src/controlplane/controllers/controller-manager.ts";
import { controllerContext, type ControllerContext } from "../../../src/controlplane/controllers/shared.ts";
import { startMinion, type Minion, type MinionOptions } from "../../../src/controlplane/minion/minion.ts";
import { createLogSource } from "../../../src/controlplane/minion/log-server.ts";
import { createSimulatedRuntime, type SimulatedRuntimeOptions } from "../../../src/controlplane/minion/simulated-runtime.ts";
import { openSqliteStore } from "../../../src/controlplane/storage/sqlite-store.ts";
import type { Store } from "../../../src/controlplane/storage/store.ts";
import { realClock, type Clock } from "../../../src/deps.ts";
import { fastClock } from "../../helpers/fast-clock.ts";

export { fastClock };

export interface Write { verb: string; resource: string; ns?: string; name?: string; body?: unknown; opts?: unknown }

const WRITE_VERBS = new Set(["create", "update", "updateStatus", "patch", "delete", "postSubresource", "putSubresource"]);

/** A client that appends every write call to `writes` (before sending it). */
export function recording(client: ApiClient, writes: Write[], filter: (w: Write) => boolean = (w) => w.resource !== "events"): ApiClient {
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== "string" || !WRITE_VERBS.has(prop) || typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const [r, ns, third, ...rest] = args;
        const resource = typeof r === "string" ? r : (r as { resource: string }).resource;
        const w: Write = { verb: prop, resource, ns: ns as string | undefined };
        if (prop === "delete") { w.name = third as string; w.opts = rest[0]; }
        else if (typeof third === "string") { w.name = third; w.body = rest[prop === "patch" ? 1 : 0]; w.opts = rest[prop === "patch" ? 2 : 1]; }
        else { w.body = third; w.name = (third as ApiObject | undefined)?.metadata?.name; w.opts = rest[0]; }
        if (filter(w)) writes.push(structuredClone(w));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface ServerHarness {
  dir: string;
  store: Store;
  server: ApiServer;
  /** Straight to the server, not recorded. */
  client: ApiClient;
  /** Creates objects (namespace default unless given); a given status is written through /status. */
  seed(...objs: ApiObject[]): Promise<ApiObject[]>;
  close(): Promise<void>;
}

/** A real API server over a fresh SQLite store in a temp dir. */
export async function serverHarness(opts: { clock?: Clock; random?: () => number; dir?: string; logSource?: LogSource } = {}): Promise<ServerHarness> {
  const dir = opts.dir ?? await mkdtemp(join(tmpdir(), "skiff-ctrl-"));
  const store = openSqliteStore(join(dir, "skiff.db"));
  let n = 0;
  const random = opts.random ?? ((): number => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; });
  const server = createApiServer({ store, clock: opts.clock ?? realClock, random, logSource: opts.logSource });
  await server.ready;
  const client = createApiClient(createInProcessTransport(server), { namespace: "default", server: "in-process" });
  return {
    dir, store, server, client,
    async seed(...objs) {
      const out: ApiObject[] = [];
      for (const obj of objs) {
        const info = infoForKind(obj.apiVersion, obj.kind);
        if (!info) throw new Error(`seed: unknown kind ${obj.kind}`);
        const ns = info.namespaced ? (obj.metadata.namespace ?? "default") : undefined;
        const { status, ...rest } = structuredClone(obj);
        let created = await client.create(info, ns, rest as ApiObject);
        if (status !== undefined) created = await client.updateStatus(info, ns, { ...created, status });
        out.push(created);
      }
      return out;
    },
    async close() {
      server.close();
      await store.close();
      if (!opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ReconcilerHarness extends ServerHarness {
  /** Writes the controllers made, events left out. */
  writes: Write[];
  ctx: ControllerContext;
  /** Starts the shared informers and waits for their first list. */
  syncInformers(): Promise<void>;
}

/** A server plus a controller context whose client records writes; nothing runs until a test calls sync. */
export async function reconcilerHarness(opts: { clock?: Clock } = {}): Promise<ReconcilerHarness> {
  const h = await serverHarness(opts);
  const writes: Write[] = [];
  const ctx = controllerContext({ client: recording(h.client, writes), clock: opts.clock ?? realClock, random: () => 0.5 });
  return {
    ...h, writes, ctx,
    async syncInformers() {
      ctx.informers.start();
      await ctx.informers.synced();
    },
    async close() {
      await ctx.informers.stop();
      await h.close();
    },
  };
}

/** Polls until fn returns a truthy value (or throws once time is up with the last error). */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface LiveCluster extends ServerHarness {
  cm: ControllerManager;
  minions: Map<string, Minion>;
  /** Stops the controller manager and starts a fresh one (empty caches, no memory). */
  restartControllers(): Promise<void>;
  startMinion(name: string, extra?: Partial<MinionOptions>): Promise<Minion>;
  close(): Promise<void>;
}


/**
 * The API server, the controller manager and `minions` real in-process minions (minion-1…N),
 * all on one clock (default: 20 times faster than real time, so image pulls and start delays pass quickly).
 */
export async function liveCluster(opts: {
  minions?: number; manager?: ControllerManagerOptions; log?: string[]; clock?: Clock;
  /**
   * Options of every minion. A runtime attaches to one minion only, so each minion gets its own
   * simulated runtime made from `sim` (default start delay 100–300 ms); a `runtime` given here is not used.
   */
  minion?: Partial<MinionOptions>; sim?: SimulatedRuntimeOptions;
} = {}): Promise<LiveCluster> {
  const clock = opts.clock ?? fastClock(20);
  const minions = new Map<string, Minion>();
  // pod logs come from the minion running the pod, as in the real control plane
  const h = await serverHarness({ clock, logSource: createLogSource({ minionFor: (n) => minions.get(n) }) });
  const log = (line: string): void => { opts.log?.push(line); };
  const managerOpts: ControllerManagerOptions = { log, ...opts.manager };
  let cm = startControllers({ client: h.client, clock, options: managerOpts });
  const start = async (name: string, extra: Partial<MinionOptions> = {}): Promise<Minion> => {
    const m = await startMinion({
      client: h.client, name, clock, random: Math.random, onError: (e) => log(`${name}: ${String(e)}`),
      heartbeatMs: 2000, ...opts.minion, ...extra,
      runtime: extra.runtime ?? createSimulatedRuntime(opts.sim ?? { startDelayMs: [100, 300] }),
    });
    minions.set(name, m);
    return m;
  };
  await Promise.all(Array.from({ length: opts.minions ?? 3 }, (_, i) => start(`minion-${i + 1}`)));
  await cm.started;
  return {
    ...h,
    get cm() { return cm; },
    minions,
    startMinion: start,
    async restartControllers() {
      await cm.stop();
      cm = startControllers({ client: h.client, clock, options: managerOpts });
      await cm.started;
    },
    async close() {
      await Promise.all([...minions.values()].map((m) => m.stop()));
      await cm.stop();
      await h.close();
    },
  };
}
