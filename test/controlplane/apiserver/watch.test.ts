// Watch through handle(): initial state, resume from a revision, 410, selector transitions, bookmarks, watch-list, Table events, ending.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { WatchHub } from "../../../src/controlplane/apiserver/watch.ts";
import { pod, readEvents, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness({}, { historySize: 50 });
});
afterEach(async () => {
  await h.close();
});

const PODS = "/api/v1/namespaces/default/pods";
const CMS = "/api/v1/namespaces/default/configmaps";
const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels }, data });
const merge = { "content-type": "application/merge-patch+json" };

async function open(path: string, query: Record<string, string>, headers?: Record<string, string>) {
  const ac = new AbortController();
  const r = await h.server.handle({ method: "GET", path, query, headers, signal: ac.signal });
  expect(r.status).toBe(200);
  expect(r.headers["content-type"]).toBe("application/json");
  expect(r.stream).toBeDefined();
  const it = r.stream![Symbol.asyncIterator]();
  return { it, ac };
}

describe("watch", () => {
  test("without resourceVersion: synthetic ADDED for current objects, then live events", async () => {
    await h.call("POST", CMS, { body: cm("a") });
    await h.call("POST", CMS, { body: cm("b") });
    const { it, ac } = await open(CMS, { watch: "true" });
    const initial = await readEvents(it, 2);
    expect(initial.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a", "ADDED b"]);
    expect(initial[0].object.kind).toBe("ConfigMap");
    expect(initial[0].object.apiVersion).toBe("v1");
    await h.call("PATCH", `${CMS}/a`, { body: { data: { x: "1" } }, headers: merge });
    await h.call("DELETE", `${CMS}/b`);
    const live = await readEvents(it, 2);
    expect(live.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["MODIFIED a", "DELETED b"]);
    expect(live[0].object.data).toEqual({ x: "1" });
    ac.abort();
    expect((await it.next()).done).toBe(true);
  });

  test("from a resourceVersion: only later changes, across the watch prefix and Python's watch=True", async () => {
    const a = (await h.call("POST", CMS, { body: cm("a") })).body;
    await h.call("POST", CMS, { body: cm("b") });
    const { it, ac } = await open(`/api/v1/watch/namespaces/default/configmaps`, { resourceVersion: a.metadata.resourceVersion });
    const evs = await readEvents(it, 1);
    expect(evs.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED b"]);
    ac.abort();
    const py = await open(CMS, { watch: "True", resourceVersion: a.metadata.resourceVersion });
    expect((await readEvents(py.it, 1))[0].object.metadata.name).toBe("b");
    py.ac.abort();
  });

  test("a too old resourceVersion gives one ERROR 410 event, then the stream ends", async () => {
    for (let i = 0; i < 60; i++) await h.call("POST", CMS, { body: cm(`c${i}`) });
    const { it } = await open(CMS, { watch: "1", resourceVersion: "2" });
    const evs = await readEvents(it, 2).catch(() => undefined);
    expect(evs).toHaveLength(1);
    expect(evs![0].type).toBe("ERROR");
    expect(evs![0].object).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410 });
    expect(evs![0].object.message).toMatch(/^too old resource version: 2 \(\d+\)$/);
    expect((await it.next()).done).toBe(true);
  });

  test("selectors apply to old and new state: starting to match is ADDED, stopping is DELETED", async () => {
    await h.call("POST", CMS, { body: cm("a", { app: "web" }) });
    await h.call("POST", CMS, { body: cm("b", { app: "db" }) });
    const { it, ac } = await open(CMS, { watch: "true", labelSelector: "app=web" });
    expect((await readEvents(it, 1)).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a"]);
    await h.call("PATCH", `${CMS}/b`, { body: { metadata: { labels: { app: "web" } } }, headers: merge });
    const left = await h.call("PATCH", `${CMS}/a`, { body: { metadata: { labels: { app: "other" } } }, headers: merge });
    await h.call("PATCH", `${CMS}/b`, { body: { data: { k: "v" } }, headers: merge });
    const evs = await readEvents(it, 3);
    expect(evs.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED b", "DELETED a", "MODIFIED b"]);
    // The DELETED for "stopped matching" carries the old content at the new revision.
    expect(evs[1].object.metadata.labels).toEqual({ app: "web" });
    expect(evs[1].object.metadata.resourceVersion).toBe(left.body.metadata.resourceVersion);
    ac.abort();
  });

  test("a single-object watch (by name, and fieldSelector metadata.name)", async () => {
    await h.call("POST", CMS, { body: cm("a") });
    await h.call("POST", CMS, { body: cm("b") });
    const byName = await open(`${CMS}/b`, { watch: "true" });
    expect((await readEvents(byName.it, 1))[0].object.metadata.name).toBe("b");
    byName.ac.abort();
    const byField = await open(CMS, { watch: "true", resourceVersion: "0", fieldSelector: "metadata.name=a" });
    await h.call("PATCH", `${CMS}/b`, { body: { data: { x: "1" } }, headers: merge });
    await h.call("PATCH", `${CMS}/a`, { body: { data: { x: "1" } }, headers: merge });
    expect((await readEvents(byField.it, 2)).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED a", "MODIFIED a"]);
    byField.ac.abort();
  });

  test("bookmarks when allowed carry only the resourceVersion", async () => {
    const a = (await h.call("POST", CMS, { body: cm("a") })).body;
    const { it, ac } = await open(CMS, { watch: "true", resourceVersion: a.metadata.resourceVersion, allowWatchBookmarks: "true" });
    const [bm] = await readEvents(it, 1);
    expect(bm).toEqual({ type: "BOOKMARK", object: { kind: "ConfigMap", apiVersion: "v1", metadata: { resourceVersion: a.metadata.resourceVersion } } });
    ac.abort();
  });

  test("watch-list: initial ADDED, then the initial-events-end BOOKMARK; 422 without its companions", async () => {
    await h.call("POST", CMS, { body: cm("a") });
    const { it, ac } = await open(CMS, { watch: "true", sendInitialEvents: "true", resourceVersionMatch: "NotOlderThan", allowWatchBookmarks: "true" });
    const evs = await readEvents(it, 2);
    expect(evs[0].type).toBe("ADDED");
    expect(evs[1].type).toBe("BOOKMARK");
    expect(evs[1].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
    expect(evs[1].object.metadata.resourceVersion).toBe(String(h.store.rev()));
    ac.abort();
    const bad = await h.call("GET", CMS, { query: { watch: "true", sendInitialEvents: "true" } });
    expect(bad.status).toBe(422);
    expect(bad.body.reason).toBe("Invalid");
    expect(bad.body.details.causes.map((c: any) => c.field)).toEqual(["resourceVersionMatch", "allowWatchBookmarks"]);
  });

  test("Table watch: one-row Tables, column definitions on the first event only", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    const { it, ac } = await open(PODS, { watch: "true" }, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" });
    const [first] = await readEvents(it, 1);
    expect(first.type).toBe("ADDED");
    expect(first.object.kind).toBe("Table");
    expect(first.object.columnDefinitions.length).toBeGreaterThan(0);
    expect(first.object.rows).toHaveLength(1);
    expect(first.object.rows[0].cells[0]).toBe("web");
    await h.call("PATCH", `${PODS}/web`, { body: { metadata: { labels: { a: "b" } } }, headers: merge });
    const [second] = await readEvents(it, 1);
    expect(second.type).toBe("MODIFIED");
    expect(second.object.columnDefinitions).toEqual([]);
    expect(second.object.rows[0].object.metadata.labels).toEqual({ a: "b" });
    ac.abort();
  });

  test("timeoutSeconds ends the stream; close() ends open watches", async () => {
    const t0 = Date.now();
    const { it } = await open(CMS, { watch: "true", timeoutSeconds: "1" });
    expect((await it.next()).done).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const other = await open(CMS, { watch: "true" });
    const pending = other.it.next();
    h.server.close();
    expect((await pending).done).toBe(true);
  });

  test("aborting unsubscribes from the store: later writes are not buffered", async () => {
    const { it, ac } = await open(CMS, { watch: "true" });
    const pending = it.next();
    ac.abort();
    expect((await pending).done).toBe(true);
    await h.call("POST", CMS, { body: cm("after") });
    expect((await it.next()).done).toBe(true);
  });

  test("the hub releases every subscription: abort, return(), timeout and closeAll", async () => {
    const hub = new WatchHub({ store: h.store, bookmarkIntervalMs: 10 });
    const spec = (signal?: AbortSignal, timeoutMs?: number) => ({
      prefix: "/configmaps/default/", filter: () => true, initialEvents: true, initialEventsEnd: false, bookmarks: true,
      signal, timeoutMs, typeMeta: { kind: "ConfigMap", apiVersion: "v1" }, encode: (_t: string, o: unknown) => o,
    });
    const ac = new AbortController();
    const a = hub.stream(spec(ac.signal))[Symbol.asyncIterator]();
    const b = hub.stream(spec())[Symbol.asyncIterator]();
    const c = hub.stream(spec(undefined, 50))[Symbol.asyncIterator]();
    const d = hub.stream(spec())[Symbol.asyncIterator]();
    const firsts = [a.next(), b.next(), c.next(), d.next()];
    await expect.poll(() => hub.size).toBe(4);
    ac.abort();
    await b.return!(undefined);
    await expect.poll(() => hub.size).toBe(1);
    hub.closeAll();
    expect(hub.size).toBe(0);
    await Promise.all(firsts);
  });
});
