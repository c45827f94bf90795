// Informer: list-then-watch into a cache, handlers, indexes, 410 → re-list, broken watches, stop.
import { afterEach, describe, expect, test } from "vitest";
import { ConnectionError } from "../../../src/client/transport.ts";
import type { Pod } from "../../../src/api/types.ts";
import {
  byNodeName, byOwnerUid, createInformer, keyOf, type Informer,
} from "../../../src/controlplane/controllers/informer.ts";
import { expired, fakeApi, type FakeApi } from "./fake-api.ts";
import { manualClock } from "./manual-clock.ts";

const pod = (name: string, node?: string, ns = "default", owner?: string): Pod => ({
  apiVersion: "v1", kind: "Pod",
  metadata: { name, namespace: ns, ...(owner ? { ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "rc", uid: owner }] } : {}) },
  spec: { containers: [{ name: "app", image: "nginx" }], ...(node ? { nodeName: node } : {}) },
});

const until = async (cond: () => boolean, what = "condition"): Promise<void> => {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
};

interface Recorded { log: string[] }
function record(inf: Informer<Pod>): Recorded {
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (p) => log.push(`add ${keyOf(p)}`),
    onUpdate: (o, n) => log.push(`update ${keyOf(n)} ${o.metadata.resourceVersion}->${n.metadata.resourceVersion}`),
    onDelete: (p) => log.push(`delete ${keyOf(p)}`),
  });
  return { log };
}

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

function started(api: FakeApi, opts: Parameters<typeof createInformer>[2] = {}): Informer<Pod> {
  const inf = createInformer(api.client, "pods", opts).addIndex("node", byNodeName).addIndex("owner", byOwnerUid);
  stops.push(() => inf.stop());
  return inf;
}

describe("informer", () => {
  test("lists, syncs, then follows the watch from the list's resourceVersion", async () => {
    const api = fakeApi();
    api.put("pods", pod("a", "n1"));
    api.put("pods", pod("b", "n2", "other"));
    const inf = started(api);
    const rec = record(inf);
    expect(inf.hasSynced()).toBe(false);
    inf.start();
    await inf.synced;
    expect(inf.hasSynced()).toBe(true);
    expect(rec.log.sort()).toEqual(["add default/a", "add other/b"]);
    expect(inf.get("default/a")?.spec.nodeName).toBe("n1");
    expect(inf.lastSyncResourceVersion()).toBe("102");
    await until(() => api.openWatches() === 1, "watch");
    expect(api.calls.map((c) => `${c.verb} ${(c.opts as { resourceVersion?: string } | undefined)?.resourceVersion ?? ""}`))
      .toEqual(["list ", "watch 102"]);

    api.put("pods", pod("c", undefined));
    api.put("pods", pod("a", "n3"));
    api.remove("pods", "other", "b");
    await until(() => rec.log.length === 5, "events");
    expect(rec.log.slice(2)).toEqual(["add default/c", "update default/a 101->104", "delete other/b"]);
    expect(inf.list().map(keyOf).sort()).toEqual(["default/a", "default/c"]);
    expect(inf.listNamespace("other")).toEqual([]);
    expect(inf.byIndex("node", "n1")).toEqual([]);          // moved from n1 to n3
    expect(inf.byIndex("node", "n3").map(keyOf)).toEqual(["default/a"]);
    expect(inf.lastSyncResourceVersion()).toBe("105");
  });

  test("410 Expired on the watch re-lists: gaps come out as adds, updates and deletes", async () => {
    const api = fakeApi();
    api.put("pods", pod("keep"));
    api.put("pods", pod("change", "n1"));
    api.put("pods", pod("vanish", "n1", "default", "uid-1"));
    const inf = started(api);
    const rec = record(inf);
    await inf.start().synced;
    await until(() => api.openWatches() === 1, "watch");
    expect(inf.byIndex("owner", "uid-1").map(keyOf)).toEqual(["default/vanish"]);

    // The informer misses these: its watch breaks and history is compacted meanwhile.
    api.breakWatches(expired());
    api.remove("pods", "default", "vanish");
    api.put("pods", pod("change", "n2"));
    api.put("pods", pod("new"));
    api.compact();
    await until(() => api.calls.filter((c) => c.verb === "list").length === 2 && api.openWatches() === 1, "re-list");
    expect(rec.log.slice(3).sort()).toEqual(["add default/new", "delete default/vanish", "update default/change 102->105"]);
    expect(inf.list().map(keyOf).sort()).toEqual(["default/change", "default/keep", "default/new"]);
    expect(inf.byIndex("owner", "uid-1")).toEqual([]);
    expect(inf.byIndex("node", "n2").map(keyOf)).toEqual(["default/change"]);
    expect(inf.lastSyncResourceVersion()).toBe("106");
  });

  test("a watch started from a compacted version gets 410 and re-lists", async () => {
    const api = fakeApi();
    api.put("pods", pod("a"));
    const inf = started(api);
    const rec = record(inf);
    api.failNext("watch", expired());
    await inf.start().synced;
    await until(() => api.calls.filter((c) => c.verb === "list").length === 2 && api.openWatches() === 1, "re-list");
    expect(rec.log).toEqual(["add default/a"]);            // unchanged object: no spurious update
  });

  test("a broken connection backs off (800 ms, doubling), reports the error and re-lists", async () => {
    const api = fakeApi();
    const clock = manualClock();
    const errors: string[] = [];
    api.put("pods", pod("a"));
    const inf = started(api, { clock, onError: (e) => errors.push((e as Error).message) });
    const rec = record(inf);
    api.failNext("list", new ConnectionError("fake", true, "connection refused"), 2);
    inf.start();
    await until(() => clock.pending === 1, "first back-off");
    expect(inf.hasSynced()).toBe(false);
    await clock.advance(800);
    await until(() => clock.pending === 1 && clock.sleeps.length === 2, "second back-off");
    expect(clock.sleeps).toEqual([800, 1600]);
    await clock.advance(1600);
    await inf.synced;
    expect(errors).toEqual(["connection refused", "connection refused"]);
    expect(rec.log).toEqual(["add default/a"]);

    await until(() => api.openWatches() === 1, "watch");
    api.breakWatches(new ConnectionError("fake", true, "reset"));
    await until(() => clock.pending === 1, "back-off after a broken watch");
    expect(clock.sleeps.at(-1)).toBe(3200);
    await clock.advance(3200);
    await until(() => api.calls.filter((c) => c.verb === "list").length === 4 && api.openWatches() === 1, "re-list");
  });

  test("a watch closed cleanly after events resumes from the last version without re-listing", async () => {
    const api = fakeApi();
    const inf = started(api);
    const rec = record(inf);
    await inf.start().synced;
    await until(() => api.openWatches() === 1, "watch");
    api.put("pods", pod("x"));
    await until(() => rec.log.length === 1, "add");
    api.breakWatches();
    await until(() => api.calls.filter((c) => c.verb === "watch").length === 2 && api.openWatches() === 1, "re-watch");
    expect(api.calls.filter((c) => c.verb === "list")).toHaveLength(1);
    expect((api.calls.at(-1)!.opts as { resourceVersion: string }).resourceVersion).toBe("101");
  });

  test("passes namespace and selectors to list and watch", async () => {
    const api = fakeApi();
    api.put("pods", pod("a", undefined, "team"));
    api.put("pods", pod("b", undefined, "default"));
    const inf = started(api, { namespace: "team", labelSelector: "app=web", fieldSelector: "spec.nodeName=" });
    await inf.start().synced;
    await until(() => api.openWatches() === 1, "watch");
    expect(inf.list().map(keyOf)).toEqual(["team/a"]);
    for (const c of api.calls) {
      expect(c.ns).toBe("team");
      expect(c.opts).toMatchObject({ labelSelector: "app=web", fieldSelector: "spec.nodeName=" });
    }
  });

  test("handlers and indexes added after the sync see the cache; unknown index throws", async () => {
    const api = fakeApi();
    api.put("pods", pod("a", "n1"));
    const inf = createInformer(api.client, "pods");
    stops.push(() => inf.stop());
    await inf.start().synced;
    const rec = record(inf);
    expect(rec.log).toEqual(["add default/a"]);
    inf.addIndex("node", byNodeName);
    expect(inf.byIndex("node", "n1").map(keyOf)).toEqual(["default/a"]);
    expect(() => inf.byIndex("nope", "x")).toThrow('no index named "nope"');
  });

  test("stop() ends the watch; stopping before the first list rejects synced", async () => {
    const api = fakeApi();
    const inf = started(api);
    await inf.start().synced;
    await until(() => api.openWatches() === 1, "watch");
    await inf.stop();
    expect(api.openWatches()).toBe(0);

    const clock = manualClock();
    api.failNext("list", new ConnectionError("fake", true, "down"));
    const early = createInformer(api.client, "pods", { clock }).start();
    await until(() => clock.pending === 1, "back-off");
    await early.stop();
    await expect(early.synced).rejects.toThrow("stopped before it synced");
    expect(clock.pending).toBe(0);
  });
});

describe("informer against the in-process API server", () => {
  test("sees creates, updates and deletes made through the API", async () => {
    const { testCluster } = await import("../../helpers/test-cluster.ts");
    const c = await testCluster();
    stops.push(() => c.close());
    await c.client.create("pods", "default", pod("web-1", undefined));
    const inf = createInformer(c.client, "pods", { namespace: "default" }).addIndex("node", byNodeName);
    stops.unshift(() => inf.stop());
    const rec = record(inf);
    await inf.start().synced;
    expect(rec.log).toEqual(["add default/web-1"]);
    await c.client.create("pods", "default", pod("web-2", undefined));
    await c.client.postSubresource("pods", "default", "web-2", "binding", {
      apiVersion: "v1", kind: "Binding", metadata: { name: "web-2" }, target: { kind: "Node", name: "n1" },
    } as never);
    await c.client.delete("pods", "default", "web-1", { gracePeriodSeconds: 0 });
    await until(() => rec.log.length >= 4, "events");
    expect(rec.log[1]).toBe("add default/web-2");
    expect(rec.log[2]).toMatch(/^update default\/web-2 /);
    expect(rec.log.at(-1)).toBe("delete default/web-1");
    expect(inf.byIndex("node", "n1").map(keyOf)).toEqual(["default/web-2"]);
  });
});
