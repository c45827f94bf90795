// EventRecorder: upstream's names and fields, de-duplication by PATCH, re-create, retries, spam filter.
import { afterEach, describe, expect, test } from "vitest";
import { badRequest } from "../../../src/api/errors.ts";
import type { Event, Node, Pod } from "../../../src/api/types.ts";
import { ConnectionError } from "../../../src/client/transport.ts";
import { EventRecorder, referenceTo } from "../../../src/controlplane/controllers/events.ts";
import { testCluster, type TestCluster } from "../../helpers/test-cluster.ts";
import { fakeApi } from "./fake-api.ts";
import { manualClock } from "./manual-clock.ts";

const pod: Pod = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "web-1", namespace: "team", uid: "u-1", resourceVersion: "7" },
  spec: { containers: [{ name: "app", image: "nginx" }] },
};
const nodeObj: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", uid: "n-1" } };
const sleeping = async (clock: ReturnType<typeof manualClock>): Promise<void> => {
  for (let i = 0; i < 500 && clock.pending === 0; i++) await new Promise((r) => setTimeout(r, 1));
  expect(clock.pending).toBe(1);
};
const hex = (iso: string): string => (BigInt(new Date(iso).getTime()) * 1_000_000n).toString(16);

describe("EventRecorder", () => {
  test("creates an Event with upstream's name and every field clients read", async () => {
    const api = fakeApi();
    const clock = manualClock("2024-05-01T12:00:00.250Z");
    const rec = new EventRecorder(api.client, { source: { component: "default-scheduler" }, clock });
    await rec.event(pod, "Normal", "Scheduled", "Successfully assigned team/web-1 to node-1");
    const [ev] = api.objects("events") as Event[];
    expect(ev).toMatchObject({
      apiVersion: "v1", kind: "Event",
      metadata: { name: `web-1.${hex("2024-05-01T12:00:00.250Z")}`, namespace: "team" },
      involvedObject: { kind: "Pod", namespace: "team", name: "web-1", uid: "u-1", apiVersion: "v1", resourceVersion: "7" },
      reason: "Scheduled", message: "Successfully assigned team/web-1 to node-1", type: "Normal",
      source: { component: "default-scheduler" }, count: 1,
      firstTimestamp: "2024-05-01T12:00:00Z", lastTimestamp: "2024-05-01T12:00:00Z", eventTime: null,
      reportingComponent: "default-scheduler", reportingInstance: "",
    });
    expect(ev!.metadata.name).toMatch(/^web-1\.[0-9a-f]{16}$/);
  });

  test("an identical event bumps count and lastTimestamp on the same Event", async () => {
    const api = fakeApi();
    const clock = manualClock();
    const rec = new EventRecorder(api.client, { source: { component: "default-scheduler" }, clock });
    const msg = "0/3 nodes are available: 3 Insufficient cpu.";
    await rec.event(pod, "Warning", "FailedScheduling", msg);
    await clock.advance(30_000);
    await rec.event(pod, "Warning", "FailedScheduling", msg);
    await clock.advance(30_000);
    await rec.event(pod, "Warning", "FailedScheduling", msg);
    const evs = api.objects("events") as Event[];
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ count: 3, firstTimestamp: "2024-05-01T12:00:00Z", lastTimestamp: "2024-05-01T12:01:00Z" });
    expect(api.calls.filter((c) => c.resource === "events").map((c) => c.verb)).toEqual(["create", "patch", "patch"]);
    expect(api.calls.at(-1)!.body).toEqual({ type: "merge", patch: { count: 3, lastTimestamp: "2024-05-01T12:01:00Z", message: msg } });
  });

  test.each<[string, Parameters<EventRecorder["event"]>]>([
    ["another message", [pod, "Warning", "FailedScheduling", "other"]],
    ["another reason", [pod, "Warning", "Other", "m"]],
    ["another type", [pod, "Normal", "FailedScheduling", "m"]],
    ["another object", [{ ...pod, metadata: { ...pod.metadata, name: "web-2", uid: "u-2" } }, "Warning", "FailedScheduling", "m"]],
    ["another field path", [pod, "Warning", "FailedScheduling", "m", "spec.containers{app}"]],
  ])("%s makes a new Event", async (_d, args) => {
    const api = fakeApi();
    const rec = new EventRecorder(api.client, { source: { component: "c" }, clock: manualClock() });
    await rec.event(pod, "Warning", "FailedScheduling", "m");
    await rec.event(...args);
    expect(api.objects("events")).toHaveLength(2);
  });

  test("events in the same millisecond get distinct names", async () => {
    const api = fakeApi();
    const rec = new EventRecorder(api.client, { source: { component: "c" }, clock: manualClock() });
    await Promise.all([rec.event(pod, "Normal", "A", "1"), rec.event(pod, "Normal", "B", "2")]);
    const names = (api.objects("events") as Event[]).map((e) => e.metadata.name);
    expect(new Set(names).size).toBe(2);
  });

  test("cluster-scoped objects' events go to default; a source host is the reporting instance", async () => {
    const api = fakeApi();
    const rec = new EventRecorder(api.client, { source: { component: "kubelet", host: "node-1" }, clock: manualClock() });
    await rec.event(nodeObj, "Normal", "NodeReady", "Node node-1 status is now: NodeReady");
    const [ev] = api.objects("events") as Event[];
    expect(ev!.metadata.namespace).toBe("default");
    expect(ev!.involvedObject).toEqual({ kind: "Node", name: "node-1", uid: "n-1", apiVersion: "v1" });
    expect(ev).toMatchObject({ source: { component: "kubelet", host: "node-1" }, reportingInstance: "node-1" });
  });

  test("a deleted Event is created again under its name with the running count", async () => {
    const api = fakeApi();
    const rec = new EventRecorder(api.client, { source: { component: "c" }, clock: manualClock() });
    await rec.event(pod, "Normal", "Pulled", "done");
    const name = api.objects("events")[0]!.metadata.name!;
    api.remove("events", "team", name);
    await rec.event(pod, "Normal", "Pulled", "done");
    const evs = api.objects("events") as Event[];
    expect(evs.map((e) => [e.metadata.name, e.count])).toEqual([[name, 2]]);
  });

  test("connection failures are retried after the delay; a Status is final", async () => {
    const api = fakeApi();
    const clock = manualClock();
    const errors: string[] = [];
    const rec = new EventRecorder(api.client, { source: { component: "c" }, clock, retries: 2, retryDelayMs: 10_000,
      onError: (e) => errors.push((e as Error).message) });
    api.failNext("create", new ConnectionError("fake", true, "refused"), 2);
    const p = rec.event(pod, "Normal", "A", "retried");
    await sleeping(clock);
    await clock.advance(10_000);
    await sleeping(clock);
    await clock.advance(10_000);
    await p;
    expect(api.objects("events")).toHaveLength(1);
    expect(errors).toEqual([]);

    api.failNext("create", badRequest("nope"));
    await rec.event(pod, "Normal", "B", "refused");
    expect(errors).toEqual(["nope"]);
    expect(clock.sleeps).toEqual([10_000, 10_000]);

    api.failNext("create", new ConnectionError("fake", true, "down"), 5);
    const q = rec.event(pod, "Normal", "C", "given up");
    for (let i = 0; i < 2; i++) { await sleeping(clock); await clock.advance(10_000); }
    await q;
    expect(errors).toEqual(["nope", "down"]);
  });

  test("the spam filter allows a burst per object, then one per refill interval", async () => {
    const api = fakeApi();
    const clock = manualClock();
    const rec = new EventRecorder(api.client, { source: { component: "c" }, clock, burst: 3, refillMs: 300_000 });
    for (let i = 0; i < 5; i++) await rec.event(pod, "Normal", "R", `m${i}`);
    expect(api.objects("events")).toHaveLength(3);
    await rec.event(nodeObj, "Normal", "R", "other object");
    expect(api.objects("events")).toHaveLength(4);
    await clock.advance(300_000);
    await rec.event(pod, "Normal", "R", "after refill");
    await rec.event(pod, "Normal", "R", "dropped again");
    expect((api.objects("events") as Event[]).map((e) => e.message)).toContain("after refill");
    expect(api.objects("events")).toHaveLength(5);
  });

  test("referenceTo passes references through and adds a field path", () => {
    expect(referenceTo({ kind: "Pod", name: "p", namespace: "n" }, "spec.containers{app}"))
      .toEqual({ kind: "Pod", name: "p", namespace: "n", fieldPath: "spec.containers{app}" });
  });
});

describe("EventRecorder against the in-process API server", () => {
  let c: TestCluster | undefined;
  afterEach(async () => { await c?.close(); c = undefined; });

  test("creates, then patches the count of, a real Event", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const created = await c.client.create("pods", "default", { ...pod, metadata: { name: "web-1", namespace: "default" } }) as Pod;
    const clock = manualClock("2024-05-01T12:00:00Z");
    const errors: unknown[] = [];
    const rec = new EventRecorder(c.client, { source: { component: "default-scheduler" }, clock, onError: (e) => errors.push(e) });
    await rec.event(created, "Warning", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.");
    await clock.advance(60_000);
    await rec.event(created, "Warning", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.");
    expect(errors).toEqual([]);
    const list = await c.client.list("events", "default");
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      count: 2, firstTimestamp: "2024-05-01T12:00:00Z", lastTimestamp: "2024-05-01T12:01:00Z",
      involvedObject: { kind: "Pod", name: "web-1", namespace: "default", uid: created.metadata.uid },
      source: { component: "default-scheduler" }, type: "Warning", reason: "FailedScheduling",
    });
  });
});
