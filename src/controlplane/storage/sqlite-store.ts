// The embedded Store: every current object in memory, durably written to SQLite (WAL) with group commit.
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import type { ApiObject } from "../../api/types.ts";
import { SortedKeys } from "./sorted-keys.ts";
import { StoreError } from "./store.ts";
import type { ListResult, Store, StoreEvent } from "./store.ts";

export interface SqliteStoreOptions {
  /** How many recent events watch can replay (default 10,000). */
  historySize?: number;
}

/**
 * One stored key: its JSON as written, and a deep-frozen parse of it made on first read. The
 * parse is held weakly: it lives while a lister, a watch event or the history still holds it,
 * and is made again after that. Held strongly, it stayed for every key ever read or written
 * and cost about 150 MiB with 30,000 pods and their events.
 */
interface Entry {
  rev: number;
  json: string;
  frozen?: WeakRef<ApiObject>;
}

/** A write accepted (conflict-checked, revision assigned) but not yet committed. */
interface PendingOp {
  kind: "put" | "delete" | "noop";
  key: string;
  rev: number;
  json: string;            // the new value (put), the deleted one with the deletion's rev (delete)
  created: boolean;        // put of a key that did not exist: ADDED rather than MODIFIED
  resolve: (o: ApiObject) => void;
  reject: (e: unknown) => void;
}

interface Watcher {
  prefix: string;
  last: number;            // highest rev delivered, so no event reaches a watcher twice
  onEvent: (e: StoreEvent) => void;
  stopped: boolean;
}

// Objects are 1–4 KiB of JSON: a rowid table on 16 KiB pages writes them about twice as fast as
// a WITHOUT ROWID table on 4 KiB pages, which spills such rows into overflow pages. (page_size
// only applies to a new database; stores made before keep their layout, which works the same.)
const SCHEMA = `
PRAGMA page_size=16384;
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, rev INTEGER NOT NULL, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * Opens (creating if needed) the store at path; ":memory:" gives a throwaway one.
 *
 * Contract beyond Store:
 * - a write's promise resolves after its SQLite transaction has committed with
 *   `synchronous=FULL` in WAL mode, so an acknowledged write survives kill -9 and power loss;
 * - writes made in the same event-loop turn share one transaction (group commit);
 * - conflicts (exists / notfound / expectedRev) are decided when the call is made, against
 *   the state including writes not yet committed, so concurrent writers see each other;
 *   get/list/rev show committed state only;
 * - `get` and the results of create/update/delete are fresh, mutable copies;
 * - `list` items and watch events' `object`/`prev` are deep-frozen and shared (mutating
 *   one throws a TypeError): copying 10,000 objects per list would cost tens of ms;
 * - the revision counter is persisted and never goes backwards, even when the newest key
 *   is deleted; watch history lives in memory and starts empty after a reopen.
 */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): Store {
  return new SqliteStore(path, opts.historySize ?? 10_000);
}

class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly putStmt: StatementSync;
  private readonly delStmt: StatementSync;
  private readonly revStmt: StatementSync;
  private readonly historySize: number;

  private readonly items = new Map<string, Entry>();
  private keys = new SortedKeys();            // for prefix listing
  private committedRev: number;
  private nextRev: number;

  /** Latest accepted state per key while a write to it waits for commit (null: deleted). */
  private readonly pending = new Map<string, { rev: number; json: string } | null>();
  private queue: PendingOp[] = [];
  private flushScheduled = false;

  private readonly history: StoreEvent[] = [];
  private historyStart = 0;                   // ring: index of the oldest event in history
  private readonly watchers = new Set<Watcher>();
  private closed = false;

  constructor(path: string, historySize: number) {
    this.historySize = Math.max(1, historySize);
    this.db = new DatabaseSync(path);
    this.db.exec(SCHEMA);
    this.db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    this.putStmt = this.db.prepare("INSERT INTO kv (key, rev, value) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET rev = excluded.rev, value = excluded.value");
    this.delStmt = this.db.prepare("DELETE FROM kv WHERE key = ?");
    this.revStmt = this.db.prepare("INSERT INTO meta (name, value) VALUES ('rev', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value");

    let maxRev = 0;
    for (const row of this.db.prepare("SELECT key, rev, value FROM kv").iterate()) {
      const r = row as { key: string; rev: number; value: string };
      this.items.set(r.key, { rev: Number(r.rev), json: r.value });
      if (Number(r.rev) > maxRev) maxRev = Number(r.rev);
    }
    this.keys = new SortedKeys(this.items.keys());
    const meta = this.db.prepare("SELECT value FROM meta WHERE name = 'rev'").get() as { value: number } | undefined;
    this.committedRev = Math.max(maxRev, meta ? Number(meta.value) : 0);
    this.nextRev = this.committedRev + 1;
  }

  rev(): number {
    return this.committedRev;
  }

  get(key: string): ApiObject | undefined {
    const e = this.items.get(key);
    return e ? (JSON.parse(e.json) as ApiObject) : undefined;
  }

  list(prefix: string): ListResult {
    const items: ApiObject[] = [];
    for (const k of this.keys.from(prefix)) {
      if (!k.startsWith(prefix)) break;
      items.push(frozenOf(this.items.get(k)!));
    }
    return { items, rev: this.committedRev };
  }

  create(key: string, obj: ApiObject): Promise<ApiObject> {
    this.assertOpen();
    if (this.current(key)) return Promise.reject(new StoreError("exists", `key ${key} already exists`));
    const rev = this.nextRev++;
    return this.enqueue("put", key, rev, serialize(obj, rev), true);
  }

  update(key: string, obj: ApiObject, expectedRev?: number): Promise<ApiObject> {
    this.assertOpen();
    const cur = this.current(key);
    if (!cur) return Promise.reject(new StoreError("notfound", `key ${key} not found`));
    if (expectedRev !== undefined && expectedRev !== cur.rev) {
      return Promise.reject(new StoreError("conflict", `key ${key} is at revision ${cur.rev}, not ${expectedRev}`));
    }
    if (serialize(obj, cur.rev) === cur.json) {
      // Nothing changed: same revision, no event. If that state is still being committed,
      // answer only once it is durable.
      if (!this.pending.has(key)) return Promise.resolve(JSON.parse(cur.json) as ApiObject);
      return this.enqueue("noop", key, cur.rev, cur.json, false);
    }
    const rev = this.nextRev++;
    return this.enqueue("put", key, rev, serialize(obj, rev), false);
  }

  delete(key: string, expectedRev?: number): Promise<ApiObject> {
    this.assertOpen();
    const cur = this.current(key);
    if (!cur) return Promise.reject(new StoreError("notfound", `key ${key} not found`));
    if (expectedRev !== undefined && expectedRev !== cur.rev) {
      return Promise.reject(new StoreError("conflict", `key ${key} is at revision ${cur.rev}, not ${expectedRev}`));
    }
    const rev = this.nextRev++;
    return this.enqueue("delete", key, rev, serialize(JSON.parse(cur.json) as ApiObject, rev), false);
  }

  watch(prefix: string, fromRev: number, onEvent: (e: StoreEvent) => void): () => void {
    const oldest = this.oldestRev();
    if (fromRev < oldest - 1) {
      throw new StoreError("compacted", `too old resource version: ${fromRev} (${oldest})`, oldest);
    }
    const w: Watcher = { prefix, last: fromRev, onEvent, stopped: false };
    // Replay and registration happen in one synchronous step, so no commit can slip between.
    for (let i = 0; i < this.history.length; i++) {
      const e = this.history[(this.historyStart + i) % this.history.length]!;
      if (e.rev > fromRev) this.deliver(w, e);
    }
    this.watchers.add(w);
    return () => {
      w.stopped = true;
      this.watchers.delete(w);
    };
  }

  oldestRev(): number {
    return this.history.length > 0 ? this.history[this.historyStart]!.rev : this.committedRev + 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.queue.length > 0) this.flush();
    this.watchers.clear();
    this.db.close();
  }

  /** The latest accepted state of key, committed or not. */
  private current(key: string): { rev: number; json: string } | undefined {
    if (this.pending.has(key)) return this.pending.get(key) ?? undefined;
    return this.items.get(key);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("store is closed");
  }

  private enqueue(kind: PendingOp["kind"], key: string, rev: number, json: string, created: boolean): Promise<ApiObject> {
    return new Promise<ApiObject>((resolve, reject) => {
      this.queue.push({ kind, key, rev, json, created, resolve, reject });
      if (kind !== "noop") this.pending.set(key, kind === "delete" ? null : { rev, json });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after the current turn's microtasks: every write issued by
        // writers resuming from the previous commit lands in the same transaction.
        setImmediate(() => {
          if (!this.closed) this.flush();
        });
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let lastRev = this.committedRev;
    try {
      this.db.exec("BEGIN IMMEDIATE");
      for (const op of batch) {
        if (op.kind === "put") this.putStmt.run(op.key, op.rev, op.json);
        else if (op.kind === "delete") this.delStmt.run(op.key);
        if (op.kind !== "noop" && op.rev > lastRev) lastRev = op.rev;
      }
      this.revStmt.run(lastRev);
      this.db.exec("COMMIT");
    } catch (err) {
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // no transaction left to roll back: BEGIN itself failed
      }
      // The queue was empty during the transaction, so every pending entry belongs to it.
      this.pending.clear();
      for (const op of batch) op.reject(err);
      return;
    }

    this.committedRev = lastRev;
    const events: StoreEvent[] = [];
    for (const op of batch) {
      if (op.kind === "noop") continue;
      const before = this.items.get(op.key);
      const prev = before ? frozenOf(before) : undefined;
      if (op.kind === "put") {
        const entry: Entry = { rev: op.rev, json: op.json };
        if (!before) this.keys.add(op.key);
        this.items.set(op.key, entry);
        events.push({ type: before ? "MODIFIED" : "ADDED", key: op.key, rev: op.rev, object: frozenOf(entry), ...(prev ? { prev } : {}) });
      } else {
        this.items.delete(op.key);
        this.keys.delete(op.key);
        events.push({ type: "DELETED", key: op.key, rev: op.rev, object: frozenOf({ rev: op.rev, json: op.json }), ...(prev ? { prev } : {}) });
      }
    }
    // Cleared before anything below can run caller code that writes again.
    this.pending.clear();
    for (const op of batch) op.resolve(JSON.parse(op.json) as ApiObject);
    for (const e of events) {
      this.remember(e);
      for (const w of this.watchers) this.deliver(w, e);
    }
  }

  private remember(e: StoreEvent): void {
    if (this.history.length < this.historySize) {
      this.history.push(e);
      return;
    }
    this.history[this.historyStart] = e;
    this.historyStart = (this.historyStart + 1) % this.historySize;
  }

  private deliver(w: Watcher, e: StoreEvent): void {
    if (w.stopped || e.rev <= w.last || !e.key.startsWith(w.prefix)) return;
    w.last = e.rev;
    try {
      w.onEvent(e);
    } catch {
      // One failing watcher must not stop the others, nor undo a committed write.
    }
  }
}

/** The JSON stored for obj at rev: resourceVersion always last in metadata, so equal objects give equal text. */
function serialize(obj: ApiObject, rev: number): string {
  const { resourceVersion: _ignored, ...meta } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata: { ...meta, resourceVersion: String(rev) } });
}

function frozenOf(e: Entry): ApiObject {
  let obj = e.frozen?.deref();
  if (!obj) {
    obj = deepFreeze(JSON.parse(e.json) as ApiObject);
    e.frozen = new WeakRef(obj);
  }
  return obj;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === "object") {
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}
