// Tests for the SQLite Store: revisions, conflicts, group commit, watch history, durability.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { ApiObject } from "../../../src/api/types.ts";
import { openSqliteStore } from "../../../src/controlplane/storage/sqlite-store.ts";
import { StoreError } from "../../../src/controlplane/storage/store.ts";
import type { Store, StoreEvent } from "../../../src/controlplane/storage/store.ts";

const pod = (name: string, extra: Record<string, unknown> = {}): ApiObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "default" }, spec: { nodeName: "" }, ...extra,
});

const nodeName = (o: ApiObject | undefined): unknown => (o?.spec as { nodeName?: string } | undefined)?.nodeName;

async function storeError(p: Promise<unknown> | (() => unknown)): Promise<StoreError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError);
    return e as StoreError;
  }
  throw new Error("expected a StoreError");
}

let dir: string;
const open: Store[] = [];
function openAt(path: string, opts?: { historySize?: number }): Store {
  const s = openSqliteStore(path, opts);
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "skiff-store-"));
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("writes and reads", () => {
  test("create, get, update, delete with revisions as resourceVersion", async () => {
    const s = openAt(":memory:");
    expect(s.rev()).toBe(0);
    const created = await s.create("/pods/default/a", pod("a"));
    expect(created.metadata.resourceVersion).toBe("1");
    expect(s.rev()).toBe(1);
    expect(s.get("/pods/default/a")).toEqual(created);

    const updated = await s.update("/pods/default/a", { ...created, spec: { nodeName: "m1" } });
    expect(updated.metadata.resourceVersion).toBe("2");
    expect(nodeName(s.get("/pods/default/a"))).toBe("m1");

    const deleted = await s.delete("/pods/default/a");
    expect(deleted.metadata.resourceVersion).toBe("3");
    expect(nodeName(deleted)).toBe("m1");
    expect(s.get("/pods/default/a")).toBeUndefined();
    expect(s.rev()).toBe(3);
  });

  test("does not retain the caller's object and hands out copies from get", async () => {
    const s = openAt(":memory:");
    const mine = pod("a");
    await s.create("/pods/default/a", mine);
    mine.metadata.name = "changed";
    const got = s.get("/pods/default/a")!;
    expect(got.metadata.name).toBe("a");
    got.metadata.name = "mutated";
    expect(s.get("/pods/default/a")!.metadata.name).toBe("a");
  });

  test.each([
    { name: "create of a taken key", code: "exists", act: async (s: Store) => { await s.create("/k", pod("a")); return s.create("/k", pod("a")); } },
    { name: "update of a missing key", code: "notfound", act: async (s: Store) => s.update("/k", pod("a")) },
    { name: "delete of a missing key", code: "notfound", act: async (s: Store) => s.delete("/k") },
    { name: "update with a stale expectedRev", code: "conflict", act: async (s: Store) => { await s.create("/k", pod("a")); return s.update("/k", pod("a", { x: 1 }), 0); } },
    { name: "delete with a stale expectedRev", code: "conflict", act: async (s: Store) => { await s.create("/k", pod("a")); return s.delete("/k", 7); } },
  ])("$name fails with $code", async ({ act, code }) => {
    const s = openAt(":memory:");
    expect((await storeError(act(s))).code).toBe(code);
  });

  test("expectedRev equal to the current revision succeeds", async () => {
    const s = openAt(":memory:");
    const a = await s.create("/k", pod("a"));
    const b = await s.update("/k", pod("a", { x: 1 }), Number(a.metadata.resourceVersion));
    await s.delete("/k", Number(b.metadata.resourceVersion));
    expect(s.get("/k")).toBeUndefined();
  });

  test("concurrent writers see each other's accepted writes before commit", async () => {
    const s = openAt(":memory:");
    const first = s.create("/k", pod("a"));
    expect((await storeError(s.create("/k", pod("b")))).code).toBe("exists");
    const up = s.update("/k", pod("a", { x: 1 }), 1);
    expect((await storeError(s.update("/k", pod("a", { x: 2 }), 1))).code).toBe("conflict");
    const del = s.delete("/k", 2);
    expect((await storeError(s.update("/k", pod("a")))).code).toBe("notfound");
    expect((await first).metadata.resourceVersion).toBe("1");
    expect((await up).metadata.resourceVersion).toBe("2");
    expect((await del).metadata.resourceVersion).toBe("3");
  });

  test("an update that changes nothing keeps the revision and emits no event", async () => {
    const s = openAt(":memory:");
    const a = await s.create("/k", pod("a"));
    const events: StoreEvent[] = [];
    s.watch("/", s.rev(), (e) => events.push(e));
    const again = await s.update("/k", { ...a, metadata: { ...a.metadata, resourceVersion: "999" } });
    expect(again.metadata.resourceVersion).toBe("1");
    const noRv = await s.update("/k", pod("a"));
    expect(noRv.metadata.resourceVersion).toBe("1");
    expect(s.rev()).toBe(1);
    await s.update("/k", pod("a", { x: 1 }));
    expect(events.map((e) => [e.type, e.rev])).toEqual([["MODIFIED", 2]]);
  });

  test("list returns items under the prefix sorted by key, frozen", async () => {
    const s = openAt(":memory:");
    await Promise.all(["/pods/ns2/b", "/pods/ns1/z", "/pods/ns1/a", "/services/ns1/a", "/pods/ns10/c"].map((k) => s.create(k, pod(k))));
    const all = s.list("/pods/");
    expect(all.items.map((o) => o.metadata.name)).toEqual(["/pods/ns1/a", "/pods/ns1/z", "/pods/ns10/c", "/pods/ns2/b"]);
    expect(all.rev).toBe(5);
    expect(s.list("/pods/ns1/").items.map((o) => o.metadata.name)).toEqual(["/pods/ns1/a", "/pods/ns1/z"]);
    expect(s.list("/nodes/").items).toEqual([]);
    const item = all.items[0]!;
    expect(() => { item.metadata.name = "x"; }).toThrow(TypeError);
    expect(s.list("/pods/ns1/").items[0]!.metadata.name).toBe("/pods/ns1/a");
  });

  test("list items are shared while held, and come back equal once released", async () => {
    const s = openAt(":memory:");
    await s.create("/pods/ns1/a", pod("a", { x: 1 }));
    const held = s.list("/pods/").items[0]!;
    // Held by a caller: the next list hands out the same frozen object rather than parsing again.
    expect(s.list("/pods/").items[0]).toBe(held);
    const copy = JSON.parse(JSON.stringify(held)) as ApiObject;
    // Whether or not the parse has been collected meanwhile, a later list shows the same content.
    expect(s.list("/pods/").items[0]).toEqual(copy);
    expect(Object.isFrozen(s.list("/pods/").items[0]!.metadata)).toBe(true);
  });

  test("list of 10,000 objects takes a few milliseconds once loaded", async () => {
    const s = openAt(":memory:");
    const writes: Promise<ApiObject>[] = [];
    for (let i = 0; i < 10_000; i++) writes.push(s.create(`/pods/default/web-${String(i).padStart(5, "0")}`, pod(`web-${i}`)));
    await Promise.all(writes);
    s.list("/pods/");
    const t = performance.now();
    const r = s.list("/pods/default/");
    const ms = performance.now() - t;
    expect(r.items).toHaveLength(10_000);
    expect(ms).toBeLessThan(20);
  });
});

describe("group commit", () => {
  test("2,000 concurrent creates all land with distinct increasing revisions", async () => {
    const path = join(dir, "db.sqlite");
    const s = openAt(path);
    const results = await Promise.all(Array.from({ length: 2000 }, (_, i) => s.create(`/pods/default/p${i}`, pod(`p${i}`))));
    const revs = results.map((o) => Number(o.metadata.resourceVersion));
    for (let i = 1; i < revs.length; i++) expect(revs[i]).toBeGreaterThan(revs[i - 1]!);
    expect(new Set(revs).size).toBe(2000);
    expect(s.rev()).toBe(revs[revs.length - 1]);
    expect(s.list("/pods/default/").items).toHaveLength(2000);
  });

  test("64 writers in a loop keep well above 1,500 creates/s", async () => {
    const s = openAt(join(dir, "db.sqlite"));
    const perWriter = 40;
    const t = performance.now();
    await Promise.all(Array.from({ length: 64 }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) await s.create(`/pods/default/w${w}-${i}`, pod(`w${w}-${i}`));
    }));
    const perSecond = (64 * perWriter) / ((performance.now() - t) / 1000);
    expect(s.list("/pods/").items).toHaveLength(64 * perWriter);
    expect(perSecond).toBeGreaterThan(1500);
  });
});

describe("watch", () => {
  test("replays history after fromRev, then live events, in order and filtered by prefix", async () => {
    const s = openAt(":memory:");
    await s.create("/pods/a/1", pod("1"));
    await s.create("/services/a/1", pod("s"));
    const two = await s.create("/pods/a/2", pod("2"));
    const seen: [string, string, number][] = [];
    s.watch("/pods/", 1, (e) => seen.push([e.type, e.key, e.rev]));
    expect(seen).toEqual([["ADDED", "/pods/a/2", 3]]);
    await s.update("/pods/a/2", { ...two, spec: { nodeName: "m" } });
    await s.delete("/pods/a/1");
    await s.create("/services/a/2", pod("s2"));
    expect(seen).toEqual([["ADDED", "/pods/a/2", 3], ["MODIFIED", "/pods/a/2", 4], ["DELETED", "/pods/a/1", 5]]);
  });

  test("events carry frozen objects and prev, and the deletion's revision", async () => {
    const s = openAt(":memory:");
    const events: StoreEvent[] = [];
    s.watch("/", 0, (e) => events.push(e));
    const a = await s.create("/k", pod("a"));
    await s.update("/k", { ...a, spec: { nodeName: "m" } });
    await s.delete("/k");
    const [added, modified, deleted] = events;
    expect(added!.prev).toBeUndefined();
    expect(modified!.prev!.metadata.resourceVersion).toBe("1");
    expect(modified!.object.metadata.resourceVersion).toBe("2");
    expect(deleted!.object.metadata.resourceVersion).toBe("3");
    expect(deleted!.prev!.metadata.resourceVersion).toBe("2");
    expect(() => { (modified!.object.spec as { nodeName: string }).nodeName = "x"; }).toThrow(TypeError);
    expect((s.get("/k"))).toBeUndefined();
  });

  test("a batch's events arrive after its writes are visible, each once, even to watchers added mid-delivery", async () => {
    const s = openAt(":memory:");
    const late: number[] = [];
    const early: number[] = [];
    s.watch("/", 0, (e) => {
      early.push(e.rev);
      expect(s.rev()).toBeGreaterThanOrEqual(e.rev);
      if (e.rev === 1) s.watch("/", 0, (e2) => late.push(e2.rev));
    });
    await Promise.all([s.create("/a", pod("a")), s.create("/b", pod("b")), s.create("/c", pod("c"))]);
    expect(early).toEqual([1, 2, 3]);
    expect(late).toEqual([1, 2, 3]);
  });

  test("stop ends delivery; a throwing watcher does not affect others", async () => {
    const s = openAt(":memory:");
    const got: number[] = [];
    const stop = s.watch("/", 0, (e) => got.push(e.rev));
    s.watch("/", 0, () => { throw new Error("bad watcher"); });
    await s.create("/a", pod("a"));
    stop();
    await s.create("/b", pod("b"));
    expect(got).toEqual([1]);
    expect(s.rev()).toBe(2);
  });

  test("fromRev older than the retained history is compacted", async () => {
    const s = openAt(":memory:", { historySize: 3 });
    for (let i = 0; i < 5; i++) await s.create(`/k${i}`, pod(`p${i}`));
    expect(s.oldestRev()).toBe(3);
    const seen: number[] = [];
    s.watch("/", 2, (e) => seen.push(e.rev));
    expect(seen).toEqual([3, 4, 5]);
    const err = await storeError(() => s.watch("/", 1, () => {}));
    expect(err.code).toBe("compacted");
    expect(err.oldest).toBe(3);
    expect(err.message).toBe("too old resource version: 1 (3)");
  });
});

describe("durability", () => {
  test("close then reopen keeps every object and the revision, even after deleting the newest key", async () => {
    const path = join(dir, "db.sqlite");
    const s = openSqliteStore(path);
    await s.create("/a", pod("a"));
    const pending = [s.create("/b", pod("b")), s.create("/c", pod("c"))];
    await s.close();
    await Promise.all(pending);
    const s2 = openAt(path);
    expect(s2.list("/").items.map((o) => [o.metadata.name, o.metadata.resourceVersion])).toEqual([["a", "1"], ["b", "2"], ["c", "3"]]);
    await s2.delete("/c");
    expect(s2.rev()).toBe(4);
    await s2.close();
    open.pop();

    const s3 = openAt(path);
    expect(s3.rev()).toBe(4);
    expect(s3.oldestRev()).toBe(5);
    expect((await s3.create("/d", pod("d"))).metadata.resourceVersion).toBe("5");
    expect(() => s3.watch("/", 3, () => {})).toThrow(StoreError);
    expect(() => s3.watch("/", 4, () => {})).not.toThrow();
  });

  test("a write after close is refused", async () => {
    const s = openSqliteStore(":memory:");
    await s.close();
    expect(() => s.create("/a", pod("a"))).toThrow("store is closed");
  });

  test("every acknowledged write survives kill -9", async () => {
    const path = join(dir, "db.sqlite");
    const script = join(dir, "writer.ts");
    const storeModule = fileURLToPath(new URL("../../../src/controlplane/storage/sqlite-store.ts", import.meta.url));
    writeFileSync(script, `
      import { openSqliteStore } from ${JSON.stringify(storeModule)};
      const s = openSqliteStore(${JSON.stringify(path)});
      let i = 0;
      const writer = async (w) => {
        for (;;) {
          const k = "/pods/default/w" + w + "-" + (i++);
          await s.create(k, { apiVersion: "v1", kind: "Pod", metadata: { name: k } });
          process.stdout.write(k + "\\n");
        }
      };
      for (let w = 0; w < 8; w++) writer(w);
    `);
    const child = spawn(process.execPath, ["--no-warnings", script], { stdio: ["ignore", "pipe", "inherit"] });
    const acked: string[] = [];
    let buf = "";
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", () => resolve());
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split("\n");
        buf = lines.pop()!;
        acked.push(...lines);
        if (acked.length >= 300 && !child.killed) child.kill("SIGKILL");
      });
    });
    expect(acked.length).toBeGreaterThanOrEqual(300);
    const s = openAt(path);
    for (const k of acked) expect(s.get(k), k).toBeDefined();
    const revs = s.list("/").items.map((o) => Number(o.metadata.resourceVersion));
    expect(s.rev()).toBe(Math.max(...revs));
  });
});
