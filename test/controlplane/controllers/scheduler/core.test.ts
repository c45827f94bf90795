// The scheduling core: every filter and its reason text, FitError messages, scores, search, cache.
import { describe, expect, test } from "vitest";
import type { Labels, Node, Pod, Taint, Toleration } from "../../../../src/api/types.ts";
import {
  FitError, SchedulerCache, assume, balancedAllocationScore, filterNode, leastAllocatedScore, newNodeInfo,
  numFeasibleNodesToFind, podResources, preparePod, schedule, scoreNodes, type NodeInfo, type ScheduleResult,
} from "../../../../src/controlplane/controllers/scheduler/core.ts";

interface NodeOpts {
  cpu?: string; memory?: string; pods?: string; labels?: Labels; taints?: Taint[];
  unschedulable?: boolean; ready?: "True" | "False" | "Unknown" | null; extra?: Record<string, string>;
}
function node(name: string, o: NodeOpts = {}): Node {
  const alloc = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110", ...(o.extra ?? {}) };
  const ready = o.ready === undefined ? "True" : o.ready;
  return {
    apiVersion: "v1", kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: { capacity: alloc, allocatable: alloc, conditions: ready === null ? [] : [{ type: "Ready", status: ready }] },
  };
}

interface PodOpts {
  cpu?: string; memory?: string; limits?: Record<string, string>; extra?: Record<string, string>;
  labels?: Labels; ns?: string; nodeName?: string; nodeSelector?: Labels; affinity?: unknown;
  tolerations?: Toleration[]; hostPort?: number; hostIP?: string; protocol?: string; phase?: string;
  preemptionPolicy?: string; init?: { cpu?: string; memory?: string; sidecar?: boolean }[];
}
function pod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = { ...(o.extra ?? {}) };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const hasRes = Object.keys(requests).length > 0 || o.limits;
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: o.ns ?? "default", labels: o.labels ?? {} },
    spec: {
      containers: [{
        name: "app", image: "nginx",
        ...(hasRes ? { resources: { requests, ...(o.limits ? { limits: o.limits } : {}) } } : {}),
        ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort, hostIP: o.hostIP, protocol: o.protocol }] } : {}),
      }],
      ...(o.init ? {
        initContainers: o.init.map((c, i) => ({
          name: `init-${i}`, image: "busybox",
          resources: { requests: { ...(c.cpu ? { cpu: c.cpu } : {}), ...(c.memory ? { memory: c.memory } : {}) } },
          ...(c.sidecar ? { restartPolicy: "Always" } : {}),
        })),
      } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.affinity ? { affinity: { nodeAffinity: o.affinity } as Record<string, unknown> } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
    },
    ...(o.phase ? { status: { phase: o.phase } } : {}),
  };
}

const required = (...terms: { key: string; operator: string; values?: string[] }[][]) => ({
  requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) },
});
const seq = (...vals: number[]) => { let i = 0; return () => vals[Math.min(i++, vals.length - 1)]!; };
const ok = (r: ScheduleResult | FitError): ScheduleResult => {
  if (r instanceof FitError) throw new Error(`unexpected FitError: ${r.message}`);
  return r;
};

describe("podResources", () => {
  test.each<[string, PodOpts, Partial<ReturnType<typeof podResources>>]>([
    ["plain requests", { cpu: "500m", memory: "128Mi" }, { milliCpu: 500, memory: 134217728, nonZeroMilliCpu: 500, nonZeroMemory: 134217728 }],
    ["no requests: zero, but 100m/200Mi for scoring", {}, { milliCpu: 0, memory: 0, nonZeroMilliCpu: 100, nonZeroMemory: 209715200 }],
    ["only a limit: the limit is the request", { limits: { cpu: "2" } }, { milliCpu: 2000, nonZeroMilliCpu: 2000, nonZeroMemory: 209715200 }],
    ["an explicit zero stays zero for scoring", { cpu: "0" }, { milliCpu: 0, nonZeroMilliCpu: 0 }],
    ["a big init container wins", { cpu: "100m", init: [{ cpu: "1" }] }, { milliCpu: 1000 }],
    ["sidecars add to the containers", { cpu: "100m", init: [{ cpu: "200m", sidecar: true }, { cpu: "250m" }] }, { milliCpu: 450 }],
    ["fractions of a millicore round up", { cpu: "0.0001" }, { milliCpu: 1 }],
  ])("%s", (_d, o, want) => {
    expect(podResources(pod("p", o))).toMatchObject(want);
  });

  test("extended resources", () => {
    expect(podResources(pod("p", { extra: { "nvidia.com/gpu": "2" } })).scalar).toEqual(new Map([["nvidia.com/gpu", 2]]));
  });
});

describe("filters", () => {
  const cases: [string, Pod, Node, Pod[], string | undefined][] = [
    ["fits", pod("p", { cpu: "1" }), node("n"), [], undefined],
    ["unschedulable node", pod("p"), node("n", { unschedulable: true }), [], "node(s) were unschedulable"],
    ["unschedulable node, tolerated", pod("p", { tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" }] }),
      node("n", { unschedulable: true }), [], undefined],
    ["requested another node", pod("p", { nodeName: "other" }), node("n"), [], "node(s) didn't match the requested node name"],
    ["insufficient cpu", pod("p", { cpu: "3" }), node("n"), [pod("q", { cpu: "2" })], "Insufficient cpu"],
    ["cpu exactly full fits", pod("p", { cpu: "2" }), node("n"), [pod("q", { cpu: "2" })], undefined],
    ["insufficient memory", pod("p", { memory: "5Gi" }), node("n"), [pod("q", { memory: "4Gi" })], "Insufficient memory"],
    ["both", pod("p", { cpu: "5", memory: "9Gi" }), node("n"), [], "Insufficient cpu|Insufficient memory"],
    ["too many pods, even without requests", pod("p"), node("n", { pods: "1" }), [pod("q")], "Too many pods"],
    ["too many pods and cpu", pod("p", { cpu: "5" }), node("n", { pods: "1" }), [pod("q")], "Too many pods|Insufficient cpu"],
    ["terminated pods free their resources", pod("p", { cpu: "3" }), node("n"), [pod("q", { cpu: "2", phase: "Succeeded" })], undefined],
    ["extended resource", pod("p", { extra: { "nvidia.com/gpu": "1" } }), node("n"), [], "Insufficient nvidia.com/gpu"],
    ["extended resource available", pod("p", { extra: { "nvidia.com/gpu": "1" } }), node("n", { extra: { "nvidia.com/gpu": "1" } }), [], undefined],
    ["nodeSelector matches", pod("p", { nodeSelector: { disk: "ssd" } }), node("n", { labels: { disk: "ssd" } }), [], undefined],
    ["nodeSelector differs", pod("p", { nodeSelector: { disk: "ssd" } }), node("n", { labels: { disk: "hdd" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["nodeSelector key missing", pod("p", { nodeSelector: { disk: "ssd" } }), node("n"), [], "node(s) didn't match Pod's node affinity/selector"],
    ["affinity In", pod("p", { affinity: required([{ key: "zone", operator: "In", values: ["a", "b"] }]) }), node("n", { labels: { zone: "b" } }), [], undefined],
    ["affinity In, absent", pod("p", { affinity: required([{ key: "zone", operator: "In", values: ["a"] }]) }), node("n"), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity NotIn, absent key matches", pod("p", { affinity: required([{ key: "zone", operator: "NotIn", values: ["a"] }]) }), node("n"), [], undefined],
    ["affinity NotIn", pod("p", { affinity: required([{ key: "zone", operator: "NotIn", values: ["a"] }]) }), node("n", { labels: { zone: "a" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity Exists", pod("p", { affinity: required([{ key: "gpu", operator: "Exists" }]) }), node("n", { labels: { gpu: "" } }), [], undefined],
    ["affinity DoesNotExist", pod("p", { affinity: required([{ key: "gpu", operator: "DoesNotExist" }]) }), node("n", { labels: { gpu: "" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity Gt", pod("p", { affinity: required([{ key: "cores", operator: "Gt", values: ["8"] }]) }), node("n", { labels: { cores: "16" } }), [], undefined],
    ["affinity Gt, equal", pod("p", { affinity: required([{ key: "cores", operator: "Gt", values: ["16"] }]) }), node("n", { labels: { cores: "16" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity Lt", pod("p", { affinity: required([{ key: "cores", operator: "Lt", values: ["8"] }]) }), node("n", { labels: { cores: "4" } }), [], undefined],
    ["affinity Lt, not a number", pod("p", { affinity: required([{ key: "cores", operator: "Lt", values: ["8"] }]) }), node("n", { labels: { cores: "four" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity terms are ORed", pod("p", { affinity: required([{ key: "zone", operator: "In", values: ["a"] }], [{ key: "disk", operator: "Exists" }]) }),
      node("n", { labels: { disk: "ssd" } }), [], undefined],
    ["affinity expressions are ANDed", pod("p", { affinity: required([{ key: "zone", operator: "In", values: ["a"] }, { key: "disk", operator: "Exists" }]) }),
      node("n", { labels: { disk: "ssd" } }), [], "node(s) didn't match Pod's node affinity/selector"],
    ["affinity matchFields on the name", pod("p", { affinity: { requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n"] }] }] } } }), node("n"), [], undefined],
    ["affinity bad operator matches nothing", pod("p", { affinity: required([{ key: "zone", operator: "Near", values: ["a"] }]) }), node("n", { labels: { zone: "a" } }), [],
      "node(s) didn't match Pod's node affinity/selector"],
    ["affinity and nodeSelector both apply", pod("p", { nodeSelector: { disk: "ssd" }, affinity: required([{ key: "zone", operator: "Exists" }]) }),
      node("n", { labels: { zone: "a" } }), [], "node(s) didn't match Pod's node affinity/selector"],
    ["host port taken", pod("p", { hostPort: 8080 }), node("n"), [pod("q", { hostPort: 8080 })], "node(s) didn't have free ports for the requested pod ports"],
    ["host port, other protocol", pod("p", { hostPort: 8080, protocol: "UDP" }), node("n"), [pod("q", { hostPort: 8080 })], undefined],
    ["host port, other specific IPs", pod("p", { hostPort: 8080, hostIP: "10.0.0.1" }), node("n"), [pod("q", { hostPort: 8080, hostIP: "10.0.0.2" })], undefined],
    ["host port, wildcard taken", pod("p", { hostPort: 8080, hostIP: "10.0.0.1" }), node("n"), [pod("q", { hostPort: 8080 })],
      "node(s) didn't have free ports for the requested pod ports"],
    ["host port, wildcard wanted", pod("p", { hostPort: 8080 }), node("n"), [pod("q", { hostPort: 8080, hostIP: "10.0.0.2" })],
      "node(s) didn't have free ports for the requested pod ports"],
    ["taint NoSchedule", pod("p"), node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), [],
      "node(s) had untolerated taint {dedicated: gpu}"],
    ["taint NoExecute", pod("p"), node("n", { taints: [{ key: "k", effect: "NoExecute" }] }), [], "node(s) had untolerated taint {k: }"],
    ["taint PreferNoSchedule is not a filter", pod("p"), node("n", { taints: [{ key: "k", effect: "PreferNoSchedule" }] }), [], undefined],
    ["toleration Equal", pod("p", { tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }] }),
      node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), [], undefined],
    ["toleration Equal, other value", pod("p", { tolerations: [{ key: "dedicated", operator: "Equal", value: "db" }] }),
      node("n", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), [], "node(s) had untolerated taint {dedicated: gpu}"],
    ["toleration Exists with no key tolerates all", pod("p", { tolerations: [{ operator: "Exists" }] }),
      node("n", { taints: [{ key: "a", value: "b", effect: "NoSchedule" }, { key: "c", effect: "NoExecute" }] }), [], undefined],
    ["toleration for another effect", pod("p", { tolerations: [{ key: "a", operator: "Exists", effect: "NoExecute" }] }),
      node("n", { taints: [{ key: "a", value: "b", effect: "NoSchedule" }] }), [], "node(s) had untolerated taint {a: b}"],
    ["first untolerated taint is reported", pod("p", { tolerations: [{ key: "a", operator: "Exists" }] }),
      node("n", { taints: [{ key: "a", effect: "NoSchedule" }, { key: "b", value: "1", effect: "NoSchedule" }, { key: "c", effect: "NoSchedule" }] }), [],
      "node(s) had untolerated taint {b: 1}"],
    ["NotReady node", pod("p"), node("n", { ready: "False" }), [], "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"],
    ["node that never reported", pod("p"), node("n", { ready: null }), [], "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"],
    ["unreachable node", pod("p"), node("n", { ready: "Unknown" }), [], "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"],
    ["NotReady tolerated", pod("p", { tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists" }] }), node("n", { ready: "False" }), [], undefined],
    ["admission's NoExecute toleration does not cover NoSchedule", pod("p", {
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] }),
    node("n", { ready: "False" }), [], "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"],
    ["unschedulable wins over other failures", pod("p", { cpu: "9" }), node("n", { unschedulable: true, ready: "False" }), [], "node(s) were unschedulable"],
    ["taints come before affinity", pod("p", { nodeSelector: { a: "b" } }), node("n", { taints: [{ key: "x", effect: "NoSchedule" }] }), [],
      "node(s) had untolerated taint {x: }"],
  ];
  test.each(cases)("%s", (_d, p, n, existing, want) => {
    const s = filterNode(preparePod(p), newNodeInfo(n, existing));
    expect(s?.reasons.join("|")).toBe(want);
  });

  test.each<[string, Pod, Node, boolean]>([
    ["resolvable shortage", pod("p", { cpu: "3" }), node("n"), false],
    ["request above allocatable: preemption cannot help", pod("p", { cpu: "5" }), node("n"), true],
    ["affinity", pod("p", { nodeSelector: { a: "b" } }), node("n"), true],
    ["taint", pod("p"), node("n", { ready: "False" }), true],
    ["ports", pod("p", { hostPort: 1 }), node("n"), false],
  ])("preemption class: %s", (_d, p, n, unresolvable) => {
    const existing = [pod("q", { cpu: "2", hostPort: 1 })];
    expect(filterNode(preparePod(p), newNodeInfo(n, existing))?.unresolvable).toBe(unresolvable);
  });
});

describe("FitError messages", () => {
  const infos = (...ns: [Node, Pod[]?][]): NodeInfo[] => ns.map(([n, ps]) => newNodeInfo(n, ps ?? []));
  test.each<[string, Pod, NodeInfo[], string]>([
    ["every node short of cpu", pod("p", { cpu: "3" }), infos([node("a"), [pod("x", { cpu: "2" })]], [node("b"), [pod("y", { cpu: "2" })]], [node("c"), [pod("z", { cpu: "2" })]]),
      "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.."],
    ["mixed reasons, sorted", pod("p", { memory: "5Gi", nodeSelector: { disk: "ssd" } }),
      infos([node("a", { labels: { disk: "ssd" } }), [pod("x", { memory: "4Gi" })]], [node("b")], [node("c")]),
      "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector. "
      + "preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.."],
    ["one node, two resources", pod("p", { cpu: "3", memory: "7Gi" }), infos([node("a"), [pod("x", { cpu: "2", memory: "2Gi" })]]),
      "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."],
    ["sorted as strings: 10 before 2", pod("p", { cpu: "5" }),
      infos(...Array.from({ length: 10 }, (_, i): [Node] => [node(`n${i}`)]), [node("u1", { unschedulable: true })], [node("u2", { unschedulable: true })]),
      "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. preemption: 0/12 nodes are available: 12 Preemption is not helpful for scheduling.."],
    ["not ready and tainted", pod("p"), infos([node("a", { ready: "False" })], [node("b", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] })]),
      "0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. "
      + "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.."],
    ["too many pods", pod("p"), infos([node("a", { pods: "1" }), [pod("x")]]),
      "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.."],
    ["preemptionPolicy Never", pod("p", { cpu: "3", preemptionPolicy: "Never" }), infos([node("a"), [pod("x", { cpu: "2" })]]),
      "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.."],
    ["no nodes at all", pod("p"), [], "no nodes available to schedule pods"],
  ])("%s", (_d, p, nodes, message) => {
    const r = schedule(p, nodes, { random: () => 0 });
    expect(r).toBeInstanceOf(FitError);
    expect((r as FitError).message).toBe(message);
  });

  test("keeps per-node statuses and the filter part on its own", () => {
    const r = schedule(pod("p", { cpu: "5" }), [newNodeInfo(node("a")), newNodeInfo(node("b", { unschedulable: true }))], { random: () => 0 }) as FitError;
    expect(r.filterMessage).toBe("0/2 nodes are available: 1 Insufficient cpu, 1 node(s) were unschedulable.");
    expect(r.nodeStatuses.get("b")?.plugin).toBe("NodeUnschedulable");
    expect(r.reasons.get("Insufficient cpu")).toBe(1);
  });
});

describe("scores", () => {
  test.each<[string, Pod, Node, Pod[], number]>([
    ["least allocated: 1 of 4 cpu, 2 of 8Gi", pod("p", { cpu: "1", memory: "2Gi" }), node("n"), [], 75],
    ["least allocated counts existing pods", pod("p", { cpu: "1", memory: "2Gi" }), node("n"), [pod("q", { cpu: "1", memory: "2Gi" })], 50],
    ["least allocated: requests nothing → 100m/200Mi", pod("p"), node("n", { cpu: "1", memory: "1000Mi" }), [], 85],
    ["least allocated: over capacity scores 0", pod("p", { cpu: "1" }), node("n", { cpu: "1", memory: "1000Mi" }), [pod("q", { cpu: "1" })], 30],
  ])("%s", (_d, p, n, existing, want) => {
    expect(leastAllocatedScore(preparePod(p), newNodeInfo(n, existing))).toBe(want);
  });

  test.each<[string, Pod, Node, Pod[], number]>([
    ["balanced: 25% cpu vs 50% memory", pod("p", { cpu: "1", memory: "4Gi" }), node("n"), [], 87],
    ["balanced: equal fractions", pod("p", { cpu: "2", memory: "4Gi" }), node("n"), [], 100],
    ["balanced: fractions capped at 1", pod("p", { cpu: "8" }), node("n"), [], 50],
    ["balanced: real requests only (best-effort pods look idle)", pod("p"), node("n"), [pod("q")], 100],
  ])("%s", (_d, p, n, existing, want) => {
    expect(balancedAllocationScore(preparePod(p), newNodeInfo(n, existing))).toBe(want);
  });

  test("taint toleration: fewer untolerated PreferNoSchedule taints score higher", () => {
    const soft = (k: string): Taint => ({ key: k, effect: "PreferNoSchedule" });
    const nodes = [node("a", { taints: [soft("x"), soft("y")] }), node("b", { taints: [soft("x"), soft("z")] }), node("c")].map((n) => newNodeInfo(n));
    const p = preparePod(pod("p", { tolerations: [{ key: "z", operator: "Exists" }] }));
    expect(scoreNodes(p, nodes).map((s) => s.scores.TaintToleration)).toEqual([0, 50, 100]);
  });

  test("node affinity: preferred term weights, normalised to the best", () => {
    const affinity = { preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 30, preference: { matchExpressions: [{ key: "disk", operator: "In", values: ["ssd"] }] } },
      { weight: 10, preference: { matchExpressions: [{ key: "zone", operator: "Exists" }] } },
    ] };
    const nodes = [node("a", { labels: { disk: "ssd", zone: "1" } }), node("b", { labels: { disk: "ssd" } }), node("c", { labels: { zone: "1" } }), node("d")]
      .map((n) => newNodeInfo(n));
    const scores = scoreNodes(preparePod(pod("p", { affinity })), nodes);
    expect(scores.map((s) => s.scores.NodeAffinity)).toEqual([100, 75, 25, 0]);
  });

  test("spreading: pods of the same service or controller count against a node", () => {
    const web = (name: string): Pod => pod(name, { labels: { app: "web" } });
    const nodes = [newNodeInfo(node("a"), [web("w1"), web("w2"), pod("other", { labels: { app: "db" } })]),
      newNodeInfo(node("b"), [web("w3"), pod("elsewhere", { labels: { app: "web" }, ns: "team" })]), newNodeInfo(node("c"))];
    const p = preparePod(web("new"), { app: "web" });
    expect(scoreNodes(p, nodes).map((s) => s.scores.PodTopologySpread)).toEqual([40, 60, 100]);
    expect(scoreNodes(preparePod(web("new")), nodes).map((s) => s.scores.PodTopologySpread)).toEqual([0, 0, 0]);
  });

  test("spreading across zones when nodes carry the zone label", () => {
    const web = (name: string): Pod => pod(name, { labels: { app: "web" } });
    const z = (name: string, zone: string): Node => node(name, { labels: { "topology.kubernetes.io/zone": zone } });
    const nodes = [newNodeInfo(z("a1", "a"), [web("w1")]), newNodeInfo(z("a2", "a")), newNodeInfo(z("b1", "b"))];
    const scores = scoreNodes(preparePod(web("new"), { app: "web" }), nodes).map((s) => s.scores.PodTopologySpread);
    expect(scores[2]).toBe(100);                 // empty zone, empty node
    expect(scores[1]).toBeGreaterThan(scores[0]!);
    expect(scores[1]).toBeLessThan(100);         // its zone already has one
  });

  test("the total is weighted as the default profile", () => {
    const [s] = scoreNodes(preparePod(pod("p", { cpu: "1", memory: "4Gi" })), [newNodeInfo(node("n"))]);
    expect(s!.scores).toEqual({ NodeResourcesFit: 62, NodeResourcesBalancedAllocation: 87, TaintToleration: 100, NodeAffinity: 0, PodTopologySpread: 0 });
    expect(s!.total).toBe(62 + 87 + 3 * 100);
  });
});

describe("schedule", () => {
  test("picks the least loaded node", () => {
    const nodes = [newNodeInfo(node("a"), [pod("x", { cpu: "3" })]), newNodeInfo(node("b"), [pod("y", { cpu: "1" })]), newNodeInfo(node("c"), [pod("z", { cpu: "2" })])];
    expect(ok(schedule(pod("p", { cpu: "500m" }), nodes, { random: () => 0 })).node).toBe("b");
  });

  test("skips infeasible nodes", () => {
    const nodes = [newNodeInfo(node("a", { unschedulable: true })), newNodeInfo(node("b"), [pod("q", { cpu: "3500m" })])];
    expect(ok(schedule(pod("p"), nodes, { random: () => 0 }))).toMatchObject({ node: "b", evaluatedNodes: 2, feasibleNodes: 1 });
  });

  test("ties are broken by the injected random source, uniformly", () => {
    const nodes = ["a", "b", "c"].map((n) => newNodeInfo(node(n)));
    // Reservoir sampling: the k-th tied node replaces the pick when floor(random × k) = 0.
    expect(ok(schedule(pod("p"), nodes, { random: () => 0.99 })).node).toBe("a");
    expect(ok(schedule(pod("p"), nodes, { random: () => 0 })).node).toBe("c");
    expect(ok(schedule(pod("p"), nodes, { random: seq(0, 0.9) })).node).toBe("b");
    const seen = new Map<string, number>();
    let s = 42;
    const rnd = (): number => { s = (s * 16807) % 2147483647; return s / 2147483647; };
    for (let i = 0; i < 3000; i++) { const n = ok(schedule(pod("p"), nodes, { random: rnd })).node; seen.set(n, (seen.get(n) ?? 0) + 1); }
    for (const n of ["a", "b", "c"]) expect(seen.get(n)).toBeGreaterThan(850);
  });

  test("pods of one controller spread evenly as they are assumed", () => {
    const nodes = ["a", "b", "c"].map((n) => newNodeInfo(node(n, { cpu: "64", memory: "256Gi" })));
    for (let i = 0; i < 9; i++) {
      const p = pod(`web-${i}`, { labels: { app: "web" } });
      const r = ok(schedule(p, nodes, { random: () => 0.5, spreadSelector: { app: "web" } }));
      assume(p, nodes.find((n) => n.name === r.node)!);
    }
    expect(nodes.map((n) => n.podCount)).toEqual([3, 3, 3]);
  });

  test.each<[number, number, number]>([
    [50, 0, 50], [100, 0, 100], [200, 0, 100], [1000, 0, 420], [5000, 0, 500], [10000, 0, 500], [1000, 30, 300], [1000, 5, 100],
  ])("with %i nodes (percentage %i) the search stops after %i feasible nodes", (total, pct, want) => {
    expect(numFeasibleNodesToFind(total, pct)).toBe(want);
  });

  test("samples nodes from a rotating start", () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => newNodeInfo(node(`n${String(i).padStart(4, "0")}`)));
    const first = ok(schedule(pod("p"), nodes, { random: () => 0 }));
    expect(first).toMatchObject({ evaluatedNodes: 420, feasibleNodes: 420, nextStartIndex: 420 });
    const second = ok(schedule(pod("p"), nodes, { random: () => 0, startIndex: 900 }));
    expect(second.nextStartIndex).toBe(320);
    // 0 → the last tied node in search order.
    expect(second.node).toBe("n0319");
  });

  test("does not mutate its inputs", () => {
    const ni = newNodeInfo(node("a"));
    ok(schedule(pod("p", { cpu: "1" }), [ni], { random: () => 0 }));
    expect(ni.podCount).toBe(0);
    expect(ni.requestedMilliCpu).toBe(0);
  });
});

describe("NodeInfo and SchedulerCache", () => {
  test("addPod/removePod keep sums and ports in step", () => {
    const ni = newNodeInfo(node("a"));
    const p = pod("p", { cpu: "1", memory: "1Gi", hostPort: 80 });
    ni.addPod(p);
    ni.addPod(p);                                        // same key: replaced, not doubled
    expect([ni.podCount, ni.requestedMilliCpu, ni.requestedMemory, ni.usedPorts.size]).toEqual([1, 1000, 1073741824, 1]);
    expect(ni.removePod(p)).toBe(true);
    expect([ni.podCount, ni.requestedMilliCpu, ni.nonZeroMilliCpu, ni.usedPorts.size]).toEqual([0, 0, 0, 0]);
    expect(ni.removePod(p)).toBe(false);
  });

  test("assumed pods count until the bound pod arrives, then are not counted twice", () => {
    const c = new SchedulerCache();
    c.upsertNode(node("a"));
    c.upsertNode(node("b"));
    const p = pod("p", { cpu: "3" });
    const r = ok(c.schedule(p, { random: () => 0 }));
    c.assume(p, r.node);
    expect(c.isAssumed(p)).toBe(true);
    expect(c.get(r.node)!.requestedMilliCpu).toBe(3000);
    c.upsertPod({ ...p, spec: { ...p.spec, nodeName: r.node } });
    expect(c.isAssumed(p)).toBe(false);
    expect(c.get(r.node)!.requestedMilliCpu).toBe(3000);
    const other = r.node === "a" ? "b" : "a";
    expect(ok(c.schedule(pod("q", { cpu: "3" }), { random: () => 0 })).node).toBe(other);
  });

  test("forget undoes an assume; terminal and deleted pods free their node", () => {
    const c = new SchedulerCache();
    c.upsertNode(node("a"));
    const p = pod("p", { cpu: "4" });
    c.assume(p, "a");
    expect(c.schedule(pod("q", { cpu: "1" }), { random: () => 0 })).toBeInstanceOf(FitError);
    c.forget(p);
    expect(c.get("a")!.podCount).toBe(0);
    const bound = pod("b", { cpu: "4", nodeName: "a" });
    c.upsertPod(bound);
    expect(c.get("a")!.podCount).toBe(1);
    c.upsertPod({ ...bound, status: { phase: "Succeeded" } });
    expect(c.get("a")!.podCount).toBe(0);
    c.upsertPod(bound);
    c.removePod(bound);
    expect(c.get("a")!.podCount).toBe(0);
  });

  test("node updates and removals", () => {
    const c = new SchedulerCache();
    c.upsertNode(node("a"));
    c.upsertPod(pod("p", { cpu: "1", nodeName: "a" }));
    c.upsertPod(pod("early", { cpu: "1", nodeName: "later" }));  // pod seen before its node
    expect(c.nodes().map((n) => n.name)).toEqual(["a"]);
    c.upsertNode(node("later"));
    expect(c.get("later")!.requestedMilliCpu).toBe(1000);
    c.upsertNode(node("a", { unschedulable: true }));
    expect(ok(c.schedule(pod("q"), { random: () => 0 })).node).toBe("later");
    c.removeNode("later");
    expect(c.nodes().map((n) => n.name)).toEqual(["a"]);
    expect((c.schedule(pod("q"), { random: () => 0 }) as FitError).message).toMatch(/^0\/1 nodes are available: 1 node\(s\) were unschedulable\./);
  });
});
