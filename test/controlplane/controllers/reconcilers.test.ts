// Each reconciler alone over the real API server: seed objects, let the informers list them,
// run one sync, and assert on exactly the writes it made.
import { afterEach, describe, expect, test } from "vitest";
import type { Endpoints, Node, Pod, ReplicationController, Service } from "../../../src/api/types.ts";
import { EndpointsController } from "../../../src/controlplane/controllers/endpoints.ts";
import { GarbageCollector } from "../../../src/controlplane/controllers/garbage-collector.ts";
import { NodeLifecycleController } from "../../../src/controlplane/controllers/node-lifecycle.ts";
import { ReplicationManager } from "../../../src/controlplane/controllers/replication.ts";
import { manualClock } from "./manual-clock.ts";
import { eventually, reconcilerHarness, type ReconcilerHarness } from "./harness.ts";

let h: ReconcilerHarness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const rc = (replicas: number): ReplicationController => ({
  apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" },
  spec: { replicas, selector: { app: "web" }, template: { metadata: { labels: { app: "web" }, annotations: { a: "b" } },
    spec: { containers: [{ name: "web", image: "nginx:1.25" }] } } },
});

function pod(name: string, o: { labels?: Record<string, string>; owner?: ReplicationController; node?: string; phase?: string; ready?: boolean; ip?: string; created?: string; port?: number } = {}): Pod {
  const p: Pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, labels: o.labels ?? { app: "web" },
      ...(o.owner ? { ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: o.owner.metadata.name!, uid: o.owner.metadata.uid!, controller: true, blockOwnerDeletion: true }] } : {}) },
    spec: { containers: [{ name: "web", image: "nginx", ...(o.port ? { ports: [{ name: "http", containerPort: o.port }] } : {}) }], ...(o.node ? { nodeName: o.node } : {}) },
  };
  if (o.phase) {
    p.status = { phase: o.phase, ...(o.ip ? { podIP: o.ip } : {}),
      conditions: [{ type: "Ready", status: o.ready ? "True" : "False", lastProbeTime: null, lastTransitionTime: o.created ?? "2024-05-01T12:00:00Z" }] };
  }
  return p;
}

describe("replication manager", () => {
  test("creates the missing pods from the template and reports status", async () => {
    h = await reconcilerHarness();
    const [saved] = await h.seed(rc(3)) as ReplicationController[];
    const rm = new ReplicationManager(h.ctx);
    rm.register();
    await h.syncInformers();
    await rm.sync("default/web");
    const creates = h.writes.filter((w) => w.verb === "create");
    expect(creates).toHaveLength(3);
    for (const w of creates) {
      expect(w.body).toEqual({
        apiVersion: "v1", kind: "Pod",
        metadata: { generateName: "web-", namespace: "default", labels: { app: "web" }, annotations: { a: "b" },
          ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: saved!.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        spec: saved!.spec.template!.spec,
      });
    }
    expect(h.writes.filter((w) => w.verb === "updateStatus").map((w) => (w.body as ReplicationController).status))
      .toEqual([{ replicas: 0, observedGeneration: 1 }]);
    // Until the creates are observed the expectations hold it back; after, a sync changes nothing but status.
    await eventually(() => rm.expectations.satisfied("default/web", Date.now()));
    h.writes.length = 0;
    await rm.sync("default/web");
    expect(h.writes.map((w) => w.verb)).toEqual(["updateStatus"]);
    expect((h.writes[0]!.body as ReplicationController).status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, observedGeneration: 1 });
  });

  test("scaling down deletes unassigned, then not-ready, then newer pods first", async () => {
    h = await reconcilerHarness();
    const [owner] = await h.seed(rc(2)) as ReplicationController[];
    await h.seed(
      pod("old-ready", { owner, node: "n1", phase: "Running", ready: true, created: "2024-05-01T10:00:00Z" }),
      pod("new-ready", { owner, node: "n2", phase: "Running", ready: true, created: "2024-05-01T10:00:00Z" }),
      pod("not-ready", { owner, node: "n3", phase: "Running", ready: false }),
      pod("unassigned", { owner }),
      pod("pending", { owner, node: "n1", phase: "Pending" }),
    );
    const rm = new ReplicationManager(h.ctx);
    rm.register();
    await h.syncInformers();
    await rm.sync("default/web");
    expect(h.writes.filter((w) => w.verb === "delete").map((w) => w.name)).toEqual(["unassigned", "pending", "not-ready"]);
  });

  test("adopts matching orphans and releases pods that stopped matching", async () => {
    h = await reconcilerHarness();
    const [owner] = await h.seed(rc(2)) as ReplicationController[];
    await h.seed(pod("orphan"), pod("strayed", { owner, labels: { app: "other" } }), pod("kept", { owner }));
    const rm = new ReplicationManager(h.ctx);
    rm.register();
    await h.syncInformers();
    await rm.sync("default/web");
    const patches = h.writes.filter((w) => w.verb === "patch").map((w) => [w.name, w.body]);
    expect(patches).toContainEqual(["orphan", { metadata: { ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web",
      uid: owner!.metadata.uid, controller: true, blockOwnerDeletion: true }], uid: expect.any(String) } }]);
    expect(patches).toContainEqual(["strayed", { metadata: { ownerReferences: null, resourceVersion: expect.any(String) } }]);
    expect(h.writes.filter((w) => w.verb === "create" || w.verb === "delete")).toEqual([]);
    expect((await h.client.get("pods", "default", "strayed")).metadata.ownerReferences).toBeUndefined();
  });
});

describe("endpoints controller", () => {
  test("writes ready and not-ready addresses with resolved ports, then nothing when nothing changed", async () => {
    h = await reconcilerHarness();
    const svc: Service = { apiVersion: "v1", kind: "Service", metadata: { name: "web", labels: { team: "a" } },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }, { name: "raw", port: 81, targetPort: 9000 }] } };
    const [, a, b] = await h.seed(svc,
      pod("a", { node: "n1", phase: "Running", ready: true, ip: "10.128.0.7", port: 8080 }),
      pod("b", { node: "n2", phase: "Running", ready: false, ip: "10.128.1.3", port: 8080 }),
      pod("no-ip", { node: "n2", phase: "Pending" }),
      pod("other", { labels: { app: "db" }, node: "n2", phase: "Running", ready: true, ip: "10.128.1.9" }));
    const ec = new EndpointsController(h.ctx);
    ec.register();
    await h.syncInformers();
    await ec.sync("default/web");
    expect(h.writes.map((w) => [w.verb, w.resource])).toEqual([["create", "endpoints"]]);
    const ep = h.writes[0]!.body as Endpoints;
    expect(ep.metadata.labels).toEqual({ team: "a" });
    expect(ep.subsets).toEqual([{
      addresses: [{ ip: "10.128.0.7", nodeName: "n1", targetRef: { kind: "Pod", namespace: "default", name: "a", uid: a!.metadata.uid } }],
      notReadyAddresses: [{ ip: "10.128.1.3", nodeName: "n2", targetRef: { kind: "Pod", namespace: "default", name: "b", uid: b!.metadata.uid } }],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "raw", port: 9000, protocol: "TCP" }],
    }]);
    await eventually(() => ec["endpoints"].get("default/web"));
    h.writes.length = 0;
    await ec.sync("default/web");
    expect(h.writes).toEqual([]);
  });
});

describe("garbage collector", () => {
  test("deletes a dependent whose owner is gone, and keeps one whose owner exists", async () => {
    h = await reconcilerHarness();
    const [owner] = await h.seed(rc(0)) as ReplicationController[];
    await h.seed(pod("owned", { owner }),
      pod("dangling", { owner: { ...owner!, metadata: { ...owner!.metadata, uid: "0b5e2b9e-0000-4000-8000-000000000000" } } }));
    const gc = new GarbageCollector(h.ctx, { resources: ["pods", "replicationcontrollers"] });
    gc.register();
    await h.syncInformers();
    await gc.sync("pods|default/owned");
    await gc.sync("pods|default/dangling");
    expect(h.writes.map((w) => [w.verb, w.resource, w.name, w.opts])).toEqual([
      ["delete", "pods", "dangling", { propagationPolicy: "Background", preconditions: { uid: expect.any(String) } }]]);
  });
});

describe("node lifecycle controller", () => {
  test("no heartbeat for the grace period: Unknown, tainted, pods not ready; evicted after the timeout", async () => {
    const clock = manualClock("2024-05-01T12:00:00Z");
    h = await reconcilerHarness({ clock });
    const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1" },
      status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status",
        lastHeartbeatTime: "2024-05-01T12:00:00Z", lastTransitionTime: "2024-05-01T11:00:00Z" }] } };
    await h.seed(node, pod("p1", { node: "n1", phase: "Running", ready: true, ip: "10.128.0.2" }));
    const nl = new NodeLifecycleController(h.ctx, { gracePeriodMs: 40_000, evictionTimeoutMs: 300_000 });
    nl.register();
    await h.syncInformers();
    await nl.sync("n1");
    expect(h.writes).toEqual([]);
    await clock.advance(41_000);
    await nl.sync("n1");
    const status = h.writes.find((w) => w.verb === "updateStatus")!.body as Node;
    expect(status.status!.conditions).toEqual([{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.",
      lastHeartbeatTime: "2024-05-01T12:00:00Z", lastTransitionTime: "2024-05-01T12:00:41Z" },
    ...["MemoryPressure", "DiskPressure", "PIDPressure"].map((type) => ({ type, status: "Unknown", reason: "NodeStatusUnknown",
      message: "Kubelet stopped posting node status.", lastHeartbeatTime: "2024-05-01T12:00:00Z", lastTransitionTime: "2024-05-01T12:00:41Z" }))]
      .map((c) => (c.type === "Ready" ? c : { ...c, reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status." })));
    expect(h.writes.filter((w) => w.verb === "patch").map((w) => [w.resource, w.name])).toEqual([["pods", "p1"]]);
    const taints = (h.writes.find((w) => w.verb === "update")!.body as Node).spec!.taints;
    expect(taints).toEqual([{ key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: "2024-05-01T12:00:41Z" },
      { key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: "2024-05-01T12:00:41Z" }]);
    expect(h.writes.filter((w) => w.verb === "delete")).toEqual([]);
    // The sync asked to be run again when the timeout is up.
    await clock.advance(300_000);
    await eventually(() => h!.writes.some((w) => w.verb === "delete"));
    await nl.idle();
    expect(h.writes.filter((w) => w.verb === "delete").map((w) => [w.name, w.opts])).toEqual([["p1", { gracePeriodSeconds: 0, preconditions: { uid: expect.any(String) } }]]);
  });
});
