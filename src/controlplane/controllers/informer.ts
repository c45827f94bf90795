// Informers: LIST then WATCH one resource through an ApiClient into a local cache with indexes,
// telling handlers about adds, updates and deletes; re-lists on 410 Expired or a broken watch.
import { isApiError } from "../../api/errors.ts";
import type { Kinds, Resource } from "../../api/resources.ts";
import type { ApiObject, WatchEvent } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { realClock, type Clock } from "../../deps.ts";
import { Backoff } from "./key-queue.ts";

/** Handlers run synchronously, in registration order; they should only enqueue keys. */
export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** Gets the last state seen (on a re-list, the cached one: the delete itself was missed). */
  onDelete?(obj: T): void;
}

/** Values an object is filed under in an index ([] = not indexed). */
export type IndexFunc<T> = (obj: T) => string[];

export interface InformerOptions {
  /** One namespace; default all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Timers for back-off between failed list/watch attempts (default: the real clock). */
  clock?: Clock;
  /** Back-off between failed attempts; default 800 ms doubling to 30 s, as client-go's reflector. */
  backoff?: Backoff;
  /** Told about each failed list or watch (the informer retries regardless). */
  onError?: (err: unknown) => void;
}

export interface Informer<T extends ApiObject> {
  readonly resource: Resource;
  /** Registers handlers; objects already cached are replayed to onAdd. Chainable. */
  addEventHandler(h: InformerHandlers<T>): this;
  /** Registers an index (e.g. pods by spec.nodeName); existing objects are indexed at once. Chainable. */
  addIndex(name: string, fn: IndexFunc<T>): this;
  /** Starts listing and watching (idempotent). */
  start(): this;
  /** True once the first LIST has been applied to the cache. */
  hasSynced(): boolean;
  /** Resolves when the first LIST has been applied; rejects if stopped before that. */
  readonly synced: Promise<void>;
  /** The cached object under `namespace/name` (or `name` when cluster-scoped). */
  get(key: string): T | undefined;
  /** Every cached object (a fresh array; the objects are the cache's own: do not mutate). */
  list(): T[];
  /** Cached objects in one namespace. */
  listNamespace(ns: string): T[];
  /** Objects whose index function returned `value`. Throws for an unknown index name. */
  byIndex(name: string, value: string): T[];
  /** resourceVersion of the last LIST or event applied. */
  lastSyncResourceVersion(): string;
  /** Stops watching; resolves when the loop has ended. Handlers are not called afterwards. */
  stop(): Promise<void>;
}

/** The cache key of an object: `namespace/name`, or `name` when it has no namespace. */
export function keyOf(obj: ApiObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ""}` : (obj.metadata.name ?? "");
}

/** Index function: pods by spec.nodeName ("" for unscheduled pods is not indexed). */
export const byNodeName: IndexFunc<Kinds["pods"]> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

/** Index function: objects by the uid of each owner. */
export const byOwnerUid: IndexFunc<ApiObject> = (obj) => (obj.metadata.ownerReferences ?? []).map((o) => o.uid);

/** Index function: objects by namespace. */
export const byNamespace: IndexFunc<ApiObject> = (obj) => (obj.metadata.namespace ? [obj.metadata.namespace] : []);

class Aborted extends Error {}

class InformerImpl<T extends ApiObject> implements Informer<T> {
  readonly resource: Resource;
  readonly synced: Promise<void>;
  private readonly client: ApiClient;
  private readonly opts: InformerOptions;
  private readonly clock: Clock;
  private readonly backoff: Backoff;
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indexes = new Map<string, Map<string, Set<string>>>();
  private readonly ac = new AbortController();
  private resolveSynced!: () => void;
  private rejectSynced!: (e: unknown) => void;
  private hasSyncedFlag = false;
  private rv = "";
  private loop: Promise<void> | undefined;

  constructor(client: ApiClient, resource: Resource, opts: InformerOptions) {
    this.client = client;
    this.resource = resource;
    this.opts = opts;
    this.clock = opts.clock ?? realClock;
    this.backoff = opts.backoff ?? new Backoff({ baseMs: 800, capMs: 30_000, clock: this.clock });
    this.synced = new Promise<void>((res, rej) => { this.resolveSynced = res; this.rejectSynced = rej; });
    this.synced.catch(() => {});   // stop() before sync must not be an unhandled rejection
  }

  addEventHandler(h: InformerHandlers<T>): this {
    this.handlers.push(h);
    if (h.onAdd) for (const obj of this.cache.values()) h.onAdd(obj);
    return this;
  }

  addIndex(name: string, fn: IndexFunc<T>): this {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indexes.set(name, idx);
    for (const [key, obj] of this.cache) for (const v of fn(obj)) addTo(idx, v, key);
    return this;
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  hasSynced(): boolean {
    return this.hasSyncedFlag;
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  listNamespace(ns: string): T[] {
    const out: T[] = [];
    for (const obj of this.cache.values()) if (obj.metadata.namespace === ns) out.push(obj);
    return out;
  }

  byIndex(name: string, value: string): T[] {
    const idx = this.indexes.get(name);
    if (!idx) throw new Error(`informer for ${this.resource}: no index named "${name}"`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) { const o = this.cache.get(k); if (o) out.push(o); }
    return out;
  }

  lastSyncResourceVersion(): string {
    return this.rv;
  }

  async stop(): Promise<void> {
    this.ac.abort(new Aborted("informer stopped"));
    this.backoff.cancelAll();
    if (!this.hasSyncedFlag) this.rejectSynced(new Error(`informer for ${this.resource} stopped before it synced`));
    await this.loop;
  }

  private get stopped(): boolean {
    return this.ac.signal.aborted;
  }

  // client-go's Reflector.ListAndWatch: list, then watch from the list's resourceVersion; a watch
  // that ends cleanly is resumed from the last version seen, 410 Gone means the version is too
  // old (compacted) so the whole list is fetched again, and any other failure backs off first.
  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watchOnce();
        this.backoff.forget("watch");
      } catch (err) {
        if (this.stopped) break;
        if (isApiError(err) && (err.code === 410 || err.reason === "Expired" || err.reason === "Gone")) {
          needList = true;
          continue;
        }
        this.opts.onError?.(err);
        needList = true;
        try {
          await this.clock.sleep(this.backoff.when("watch"), this.ac.signal);
        } catch {
          break;
        }
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.list(this.resource, this.opts.namespace, {
      labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
    });
    if (this.stopped) return;
    this.replace(list.items as unknown as T[], list.metadata.resourceVersion ?? "");
    if (!this.hasSyncedFlag) {
      this.hasSyncedFlag = true;
      this.resolveSynced();
    }
  }

  private async watchOnce(): Promise<void> {
    const started = this.clock.now().getTime();
    let count = 0;
    const events = this.client.watch(this.resource, this.opts.namespace, {
      resourceVersion: this.rv, labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
      allowWatchBookmarks: true, signal: this.ac.signal,
    }) as AsyncIterable<WatchEvent<T>>;
    for await (const ev of events) {
      if (this.stopped) return;
      count++;
      this.apply(ev);
    }
    // As client-go: a watch that ends at once with nothing in it points at a server problem;
    // resuming straight away would spin, so it counts as a failure (back off, then re-list).
    if (!this.stopped && count === 0 && this.clock.now().getTime() - started < 1000) {
      throw new Error(`very short watch: ${this.resource}: unexpected watch close - watch lasted less than a second and no items received`);
    }
  }

  private apply(ev: WatchEvent<T>): void {
    const obj = ev.object;
    const rv = obj?.metadata?.resourceVersion;
    switch (ev.type) {
      case "ADDED":
      case "MODIFIED": {
        const key = keyOf(obj);
        const old = this.cache.get(key);
        this.put(key, obj, old);
        if (old) this.emitUpdate(old, obj); else this.emitAdd(obj);
        break;
      }
      case "DELETED": {
        const key = keyOf(obj);
        const old = this.cache.get(key);
        if (old) this.remove(key, old);
        this.emitDelete(obj);
        break;
      }
      case "BOOKMARK":
      default:
        break;
    }
    if (rv) this.rv = rv;
  }

  /** Swaps in a fresh list: new keys are adds, changed resourceVersions updates, vanished keys deletes. */
  private replace(items: T[], rv: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.cache.get(key);
      this.put(key, obj, old);
      if (!old) this.emitAdd(obj);
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.emitUpdate(old, obj);
    }
    for (const [key, old] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.remove(key, old);
      this.emitDelete(old);
    }
    this.rv = rv;
  }

  private put(key: string, obj: T, old: T | undefined): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!;
      if (old) for (const v of fn(old)) removeFrom(idx, v, key);
      for (const v of fn(obj)) addTo(idx, v, key);
    }
    this.cache.set(key, obj);
  }

  private remove(key: string, old: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indexes.get(name)!;
      for (const v of fn(old)) removeFrom(idx, v, key);
    }
    this.cache.delete(key);
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) h.onAdd?.(obj);
  }

  private emitUpdate(old: T, obj: T): void {
    for (const h of this.handlers) h.onUpdate?.(old, obj);
  }

  private emitDelete(obj: T): void {
    for (const h of this.handlers) h.onDelete?.(obj);
  }
}

function addTo(idx: Map<string, Set<string>>, value: string, key: string): void {
  let s = idx.get(value);
  if (!s) { s = new Set(); idx.set(value, s); }
  s.add(key);
}

function removeFrom(idx: Map<string, Set<string>>, value: string, key: string): void {
  const s = idx.get(value);
  if (!s) return;
  s.delete(key);
  if (s.size === 0) idx.delete(value);
}

/**
 * An informer over one resource of skiff's table. Nothing happens until `start()`; register
 * handlers and indexes first (later ones see the cache replayed). Errors never escape: a failed
 * list or watch goes to `onError` and is retried with back-off until `stop()`.
 */
export function createInformer<R extends Resource>(client: ApiClient, resource: R, opts: InformerOptions = {}): Informer<Kinds[R]> {
  return new InformerImpl<Kinds[R]>(client, resource, opts);
}
