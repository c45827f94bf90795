// The controllers together over the real in-process API server with real minions: spreading,
// scale-down order, unschedulable pods, node loss and eviction, endpoints, cascading deletion,
// and a controller-manager restart that must not duplicate pods.
import { afterEach, describe, expect, test } from "vitest";
import type { Event, Pod, ReplicationController } from "../../../src/api/types.ts";
import { eventually, liveCluster, type LiveCluster } from "./harness.ts";

let c: LiveCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });


function rc(name: string, replicas: number, extra: { annotations?: Record<string, string>; cpu?: string; ports?: boolean } = {}): ReplicationController {
  return {
    apiVersion: "v1", kind: "ReplicationController", metadata: { name },
    spec: {
      replicas, selector: { app: name },
      template: {
        metadata: { labels: { app: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
        spec: { containers: [{ name: "web", image: "nginx:1.25",
          ...(extra.ports ? { ports: [{ name: "http", containerPort: 8080 }] } : {}),
          ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu } } } : {}) }] },
      },
    },
  };
}

async function podsOf(cl: LiveCluster, app: string): Promise<Pod[]> {
  return (await cl.client.list("pods", "default", { labelSelector: `app=${app}` })).items;
}

async function events(cl: LiveCluster, reason: string): Promise<Event[]> {
  return (await cl.client.list("events", "default")).items.filter((e) => e.reason === reason);
}

const running = (p: Pod): boolean => p.status?.phase === "Running" && !p.metadata.deletionTimestamp;

describe("scheduling and replication", () => {
  test("an RC of 6 replicas over 3 minions spreads 2/2/2, with events and status", async () => {
    c = await liveCluster();
    await c.seed(rc("web", 6));
    const pods = await eventually(async () => {
      const ps = await podsOf(c!, "web");
      return ps.length === 6 && ps.every(running) ? ps : undefined;
    }, 15_000, "6 running pods");
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    expect([...perNode.entries()].sort()).toEqual([["minion-1", 2], ["minion-2", 2], ["minion-3", 2]]);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "ReplicationController", name: "web",
        uid: expect.any(String), controller: true, blockOwnerDeletion: true }]);
    }
    const created = await eventually(async () => { const e = await events(c!, "SuccessfulCreate"); return e.length === 6 ? e : undefined; });
    expect(created.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(created[0]!.source).toEqual({ component: "replication-controller" });
    const scheduled = await eventually(async () => { const e = await events(c!, "Scheduled"); return e.length === 6 ? e : undefined; });
    expect(scheduled.map((e) => e.message).sort()).toEqual(pods.map((p) => `Successfully assigned default/${p.metadata.name} to ${p.spec.nodeName}`).sort());
    expect(scheduled[0]!.source).toEqual({ component: "default-scheduler" });
    const status = await eventually(async () => {
      const r = await c!.client.get("replicationcontrollers", "default", "web");
      return r.status?.readyReplicas === 6 ? r.status : undefined;
    });
    expect(status).toEqual({ replicas: 6, fullyLabeledReplicas: 6, readyReplicas: 6, availableReplicas: 6, observedGeneration: 1 });
  });

  test("an orphan is adopted, and scaling down deletes the unassigned pod first", async () => {
    c = await liveCluster();
    await c.seed(rc("web", 3));
    await eventually(async () => (await podsOf(c!, "web")).filter(running).length === 3, 15_000, "3 running");
    // Matches the selector but fits nowhere: adopted (4 > 3), and the cheapest to delete.
    await c.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "stray", labels: { app: "web" } },
      spec: { nodeSelector: { disk: "none" }, containers: [{ name: "web", image: "nginx" }] } });
    await eventually(async () => {
      try { await c!.client.get("pods", "default", "stray"); return false; } catch { return true; }
    }, 10_000, "stray deleted");
    const deleted = await events(c, "SuccessfulDelete");
    expect(deleted.map((e) => e.message)).toEqual(["Deleted pod: stray"]);
    expect((await podsOf(c, "web")).filter(running)).toHaveLength(3);
    // Scale to 1: the two survivors must not share a node with… each node keeps at most one.
    await c.client.patch("replicationcontrollers", "default", "web", "merge", { spec: { replicas: 1 } });
    await eventually(async () => (await podsOf(c!, "web")).length === 1, 15_000, "1 pod left");
  });

  test("a pod too big for every node stays Pending with kube-scheduler's message, and is placed once a node fits", async () => {
    c = await liveCluster();
    await c.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "big" },
      spec: { containers: [{ name: "c", image: "nginx", resources: { requests: { cpu: "64" } } }] } });
    const message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..";
    const pod = await eventually(async () => {
      const p = await c!.client.get("pods", "default", "big");
      return p.status?.conditions?.some((x) => x.type === "PodScheduled") ? p : undefined;
    });
    expect(pod.status?.phase).toBe("Pending");
    expect(pod.spec.nodeName).toBeUndefined();
    expect(pod.status?.conditions).toEqual([{ type: "PodScheduled", status: "False", reason: "Unschedulable", message,
      lastProbeTime: null, lastTransitionTime: expect.any(String) }]);
    const ev = await eventually(async () => (await events(c!, "FailedScheduling"))[0]);
    expect(ev).toMatchObject({ type: "Warning", message, source: { component: "default-scheduler" },
      involvedObject: { kind: "Pod", name: "big", namespace: "default" } });
    // A node that fits joins: the pod is retried and bound there.
    await c.startMinion("minion-big", { cpu: "100" });
    const bound = await eventually(async () => {
      const p = await c!.client.get("pods", "default", "big");
      return p.spec.nodeName ? p : undefined;
    }, 15_000, "big bound");
    expect(bound.spec.nodeName).toBe("minion-big");
  });
});

describe("node lifecycle", () => {
  test("a minion that stops heartbeating goes NotReady, its pods are recreated elsewhere, and it recovers", async () => {
    // Clock time, 20 times faster than real: heartbeats every 2 s, NotReady after 10 s, evicted 10 s later.
    c = await liveCluster({ manager: { nodeLifecycle: { monitorPeriodMs: 1000, gracePeriodMs: 10_000, evictionTimeoutMs: 10_000 } } });
    await c.seed(rc("web", 3));
    const before = await eventually(async () => {
      const ps = (await podsOf(c!, "web")).filter(running);
      return ps.length === 3 ? ps : undefined;
    }, 15_000, "3 running");
    const victim = before[0]!.spec.nodeName!;
    const onVictim = before.filter((p) => p.spec.nodeName === victim).map((p) => p.metadata.name);
    await c.minions.get(victim)!.stop();
    const node = await eventually(async () => {
      const n = await c!.client.get("nodes", undefined, victim);
      return n.status?.conditions?.find((x) => x.type === "Ready")?.status === "Unknown" ? n : undefined;
    }, 10_000, "node Unknown");
    expect(node.status!.conditions!.find((x) => x.type === "Ready")).toMatchObject({
      status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
    const tainted = await eventually(async () => {
      const n = await c!.client.get("nodes", undefined, victim);
      return (n.spec?.taints?.length ?? 0) >= 2 ? n : undefined;
    });
    expect(tainted.spec!.taints!.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      "node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"]);
    const nodeEvents = await eventually(async () => (await events(c!, "NodeNotReady"))[0]);
    expect(nodeEvents).toMatchObject({ message: `Node ${victim} status is now: NodeNotReady`, source: { component: "node-controller" } });
    const after = await eventually(async () => {
      const ps = (await podsOf(c!, "web")).filter(running);
      return ps.length === 3 && ps.every((p) => p.spec.nodeName !== victim) ? ps : undefined;
    }, 15_000, "pods recreated elsewhere");
    for (const name of onVictim) expect(after.map((p) => p.metadata.name)).not.toContain(name);
    // Heartbeats resume: Ready again, taints gone.
    await c.startMinion(victim);
    await eventually(async () => {
      const n = await c!.client.get("nodes", undefined, victim);
      return n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True" && !(n.spec?.taints?.length);
    }, 10_000, "node Ready without taints");
  });
});

describe("endpoints", () => {
  test("endpoints follow readiness, resolve named ports, and go with the service", async () => {
    c = await liveCluster();
    const web = rc("web", 2, { ports: true });
    web.spec.template!.metadata!.labels = { app: "web", tier: "fe" };
    await c.seed(web,
      { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { tier: "fe" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } });
    const ep = await eventually(async () => {
      const e = await c!.client.get("endpoints", "default", "web");
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    }, 15_000, "2 ready addresses");
    const pods = await podsOf(c, "web");
    expect(ep.subsets).toEqual([{
      addresses: pods.map((p) => ({ ip: p.status!.podIP!, nodeName: p.spec.nodeName!,
        targetRef: { kind: "Pod", namespace: "default", name: p.metadata.name!, uid: p.metadata.uid! } }))
        .sort((a, b) => (`${a.ip}\0${a.targetRef.uid}` < `${b.ip}\0${b.targetRef.uid}` ? -1 : 1)),
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    }]);
    // A pod that never gets ready is listed as not ready.
    await c.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "slow", labels: { tier: "fe" }, annotations: { "sim.skiff.io/ready-delay": "1h" } },
      spec: { containers: [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 9090 }] }] } });
    const withSlow = await eventually(async () => {
      const e = await c!.client.get("endpoints", "default", "web");
      return e.subsets?.some((s) => s.notReadyAddresses?.some((a) => a.targetRef?.name === "slow")) ? e : undefined;
    }, 15_000, "slow not ready");
    const slowSubset = withSlow.subsets!.find((s) => s.notReadyAddresses)!;
    expect(slowSubset.ports).toEqual([{ name: "http", port: 9090, protocol: "TCP" }]);
    await c.client.delete("services", "default", "web");
    await eventually(async () => {
      try { await c!.client.get("endpoints", "default", "web"); return false; } catch { return true; }
    }, 10_000, "endpoints deleted");
  });
});

describe("garbage collection", () => {
  async function rcWithPods(cl: LiveCluster, name: string): Promise<Pod[]> {
    await cl.seed(rc(name, 2));
    return eventually(async () => {
      const ps = (await podsOf(cl, name)).filter(running);
      return ps.length === 2 ? ps : undefined;
    }, 15_000, `${name} running`);
  }
  const gone = async (cl: LiveCluster, r: "pods" | "replicationcontrollers", name: string): Promise<boolean> => {
    try { await cl.client.get(r, "default", name); return false; } catch { return true; }
  };

  test("background: the RC goes at once, its pods after", async () => {
    c = await liveCluster();
    const pods = await rcWithPods(c, "bg");
    await c.client.delete("replicationcontrollers", "default", "bg", { propagationPolicy: "Background" });
    expect(await gone(c, "replicationcontrollers", "bg")).toBe(true);
    for (const p of pods) await eventually(() => gone(c!, "pods", p.metadata.name!), 15_000, `${p.metadata.name} gone`);
  });

  test("orphan: the RC goes, its pods stay without the reference", async () => {
    c = await liveCluster();
    const pods = await rcWithPods(c, "or");
    const res = await c.client.delete("replicationcontrollers", "default", "or", { propagationPolicy: "Orphan" });
    expect(res.metadata.finalizers).toEqual(["orphan"]);
    expect(res.metadata.deletionTimestamp).toBeTruthy();
    await eventually(() => gone(c!, "replicationcontrollers", "or"), 10_000, "rc gone");
    for (const p of pods) {
      const now = await c.client.get("pods", "default", p.metadata.name!);
      expect(now.metadata.ownerReferences).toBeUndefined();
      expect(now.metadata.deletionTimestamp).toBeUndefined();
    }
  });

  test("foreground: the RC waits with foregroundDeletion until its pods are gone", async () => {
    c = await liveCluster();
    const pods = await rcWithPods(c, "fg");
    const res = await c.client.delete("replicationcontrollers", "default", "fg", { propagationPolicy: "Foreground" });
    expect(res.metadata.finalizers).toEqual(["foregroundDeletion"]);
    const waiting = await c.client.get("replicationcontrollers", "default", "fg");
    expect(waiting.metadata.deletionTimestamp).toBeTruthy();
    await eventually(() => gone(c!, "replicationcontrollers", "fg"), 15_000, "rc gone");
    for (const p of pods) expect(await gone(c, "pods", p.metadata.name!)).toBe(true);
  });
});

describe("restarts", () => {
  test("restarting the controller manager mid-way creates no duplicates", async () => {
    c = await liveCluster();
    await c.seed(rc("many", 20));
    await eventually(async () => (await podsOf(c!, "many")).length >= 3, 10_000, "some pods");
    await c.restartControllers();
    await eventually(async () => (await podsOf(c!, "many")).filter(running).length === 20, 20_000, "20 running");
    await new Promise((r) => setTimeout(r, 500));
    await c.restartControllers();
    await new Promise((r) => setTimeout(r, 500));
    const pods = await podsOf(c, "many");
    expect(pods).toHaveLength(20);
    const creates = await events(c, "SuccessfulCreate");
    expect(creates.filter((e) => e.involvedObject.name === "many")).toHaveLength(20);
  });
});

