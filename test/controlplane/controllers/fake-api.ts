// An in-memory stand-in for the few ApiClient calls informers and the event recorder make
// (list, watch, get, create, patch, update), with a resourceVersion counter, an event log
// that can be compacted (→ 410 Expired) and watches the test can break.
import { ApiError, alreadyExists, failure, gone, notFound } from "../../../src/api/errors.ts";
import type { ApiList, ApiObject, WatchEvent } from "../../../src/api/types.ts";
import type { ApiClient, ListOptions, WatchOptions } from "../../../src/client/api-client.ts";

export interface Call { verb: string; resource: string; ns?: string; opts?: unknown; body?: unknown; name?: string }

interface Watcher {
  resource: string;
  ns?: string;
  push(ev: WatchEvent): void;
  fail(err: Error): void;
  end(): void;
}

export interface FakeApi {
  client: ApiClient;
  calls: Call[];
  /** Stores an object as the server would (resourceVersion bumped) and tells watchers. */
  put(resource: string, obj: ApiObject): ApiObject;
  remove(resource: string, ns: string | undefined, name: string): void;
  /** Forgets events up to now: watches from older versions get 410 Expired. */
  compact(): void;
  /** Ends every open watch with this error (an ERROR event's Status) or cleanly. */
  breakWatches(err?: Error): void;
  /** Makes the next `n` calls of `verb` fail with `err`. */
  failNext(verb: string, err: Error, n?: number): void;
  openWatches(): number;
  objects(resource: string): ApiObject[];
}

const keyOf = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);

export function fakeApi(): FakeApi {
  let rv = 100;
  let compactedAt = 0;
  const store = new Map<string, Map<string, ApiObject>>();
  const log: { rv: number; resource: string; ev: WatchEvent }[] = [];
  const watchers = new Set<Watcher>();
  const calls: Call[] = [];
  const failures: { verb: string; err: Error }[] = [];

  const table = (r: string): Map<string, ApiObject> => {
    let t = store.get(r);
    if (!t) { t = new Map(); store.set(r, t); }
    return t;
  };
  const maybeFail = (verb: string): void => {
    const i = failures.findIndex((f) => f.verb === verb);
    if (i >= 0) { const [f] = failures.splice(i, 1); throw f!.err; }
  };
  const emit = (resource: string, ev: WatchEvent): void => {
    log.push({ rv, resource, ev: structuredClone(ev) });
    for (const w of watchers) {
      if (w.resource === resource && (!w.ns || w.ns === ev.object.metadata.namespace)) w.push(structuredClone(ev));
    }
  };
  const put = (resource: string, obj: ApiObject): ApiObject => {
    const t = table(resource);
    const k = keyOf(obj.metadata.namespace, obj.metadata.name!);
    const existed = t.has(k);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++rv);
    t.set(k, stored);
    emit(resource, { type: existed ? "MODIFIED" : "ADDED", object: stored });
    return structuredClone(stored);
  };
  const remove = (resource: string, ns: string | undefined, name: string): void => {
    const t = table(resource);
    const k = keyOf(ns, name);
    const old = t.get(k);
    if (!old) return;
    t.delete(k);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++rv);
    emit(resource, { type: "DELETED", object: gone });
  };
  const inNs = (ns: string | undefined) => (o: ApiObject): boolean => !ns || o.metadata.namespace === ns;

  const client = {
    server: "https://fake",
    namespace: "default",
    async list(r: string, ns: string | undefined, opts?: ListOptions): Promise<ApiList> {
      calls.push({ verb: "list", resource: r, ns, opts });
      maybeFail("list");
      await Promise.resolve();
      return {
        apiVersion: "v1", kind: "List", metadata: { resourceVersion: String(rv) },
        items: [...table(r).values()].filter(inNs(ns)).map((o) => structuredClone(o)),
      };
    },
    watch(r: string, ns: string | undefined, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
      calls.push({ verb: "watch", resource: r, ns, opts: { ...opts, signal: undefined } });
      return (async function* () {
        maybeFail("watch");
        const from = Number(opts.resourceVersion ?? "0");
        if (from < compactedAt) {
          throw new ApiError(failure(410, "Expired", `too old resource version: ${from} (${compactedAt})`));
        }
        const queue: WatchEvent[] = log.filter((e) => e.rv > from && e.resource === r && inNs(ns)(e.ev.object))
          .map((e) => structuredClone(e.ev));
        let wake: (() => void) | undefined;
        let error: Error | undefined;
        let ended = false;
        const w: Watcher = {
          resource: r, ns,
          push(ev) { queue.push(ev); wake?.(); },
          fail(err) { error = err; wake?.(); },
          end() { ended = true; wake?.(); },
        };
        watchers.add(w);
        const onAbort = (): void => { ended = true; wake?.(); };
        opts.signal?.addEventListener("abort", onAbort, { once: true });
        try {
          for (;;) {
            while (queue.length > 0) yield queue.shift()!;
            if (error) throw error;
            if (ended || opts.signal?.aborted) return;
            await new Promise<void>((res) => { wake = res; });
            wake = undefined;
          }
        } finally {
          watchers.delete(w);
          opts.signal?.removeEventListener("abort", onAbort);
        }
      })();
    },
    async get(r: string, ns: string | undefined, name: string): Promise<ApiObject> {
      calls.push({ verb: "get", resource: r, ns, name });
      maybeFail("get");
      const o = table(r).get(keyOf(ns, name));
      if (!o) throw notFound(r, name);
      return structuredClone(o);
    },
    async create(r: string, ns: string | undefined, obj: ApiObject): Promise<ApiObject> {
      calls.push({ verb: "create", resource: r, ns, body: structuredClone(obj) });
      maybeFail("create");
      if (table(r).has(keyOf(ns ?? obj.metadata.namespace, obj.metadata.name!))) throw alreadyExists(r, obj.metadata.name!);
      return put(r, { ...obj, metadata: { ...obj.metadata, namespace: ns ?? obj.metadata.namespace } });
    },
    async update(r: string, ns: string | undefined, obj: ApiObject): Promise<ApiObject> {
      calls.push({ verb: "update", resource: r, ns, body: structuredClone(obj) });
      maybeFail("update");
      if (!table(r).has(keyOf(ns, obj.metadata.name!))) throw notFound(r, obj.metadata.name!);
      return put(r, obj);
    },
    async patch(r: string, ns: string | undefined, name: string, type: string, patch: unknown): Promise<ApiObject> {
      calls.push({ verb: "patch", resource: r, ns, name, body: { type, patch } });
      maybeFail("patch");
      const o = table(r).get(keyOf(ns, name));
      if (!o) throw notFound(r, name);
      return put(r, { ...structuredClone(o), ...(patch as Record<string, unknown>) } as ApiObject);
    },
  };

  return {
    client: client as unknown as ApiClient,
    calls,
    put,
    remove,
    compact() { compactedAt = rv; },
    breakWatches(err) { for (const w of [...watchers]) (err ? w.fail(err) : w.end()); },
    failNext(verb, err, n = 1) { for (let i = 0; i < n; i++) failures.push({ verb, err }); },
    openWatches: () => watchers.size,
    objects: (r) => [...table(r).values()].map((o) => structuredClone(o)),
  };
}

export const expired = (): ApiError => gone("too old resource version: 1 (200)");
