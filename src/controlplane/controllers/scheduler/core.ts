// The pure scheduling core: per-node summaries (NodeInfo), kube-scheduler's default filters and
// scores, the sampled feasible-node search, tie-breaking and FitError's exact message text.
import { tryParseQuantity } from "../../../api/quantity.ts";
import type { Container, Labels, Node, Pod, Taint, Toleration } from "../../../api/types.ts";

// ---------------------------------------------------------------------------------------------
// Constants that appear in messages or decide behaviour, spelled as upstream spells them.

/** framework.MaxNodeScore. */
export const MAX_NODE_SCORE = 100;
/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest: for scoring pods that request nothing. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;
/** numFeasibleNodesToFind's floor and minimum percentage. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_ZONE = "topology.kubernetes.io/zone";

export const REASON_UNSCHEDULABLE = "node(s) were unschedulable";
export const REASON_NODE_NAME = "node(s) didn't match the requested node name";
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = "Too many pods";
export const REASON_NO_VICTIMS = "No preemption victims found for incoming pod";
export const REASON_PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const NO_NODES_AVAILABLE = "no nodes available to schedule pods";
/** Matches upstream: the message itself ends in a period, and FitError adds another. */
export const NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never.";

/** `node(s) had untolerated taint {key: value}` (value empty for key-only taints). */
export const untoleratedTaintReason = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
/** `Insufficient cpu`, `Insufficient memory`, `Insufficient nvidia.com/gpu`. */
export const insufficientReason = (resource: string): string => `Insufficient ${resource}`;

/** Default-profile score weights (pkg/scheduler/apis/config/v1/default_plugins.go). */
export const SCORE_WEIGHTS = {
  NodeResourcesFit: 1,
  NodeResourcesBalancedAllocation: 1,
  TaintToleration: 3,
  NodeAffinity: 2,
  PodTopologySpread: 2,
} as const;
export type ScorePlugin = keyof typeof SCORE_WEIGHTS;

// ---------------------------------------------------------------------------------------------
// Resource requests.

/** What a pod asks for: real requests (filters, balanced score) and non-zero ones (least-allocated score). */
export interface PodResources {
  milliCpu: number;
  memory: number;
  /** ephemeral-storage and extended resources (nvidia.com/gpu, hugepages-2Mi…), only those > 0. */
  scalar: Map<string, number> | undefined;
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
}

type ResList = Map<string, number>;

function amount(resource: string, q: string | undefined): number | undefined {
  const v = tryParseQuantity(q);
  if (v === undefined) return undefined;
  // cpu counts in millicores (MilliValue), everything else in whole units (Value), both rounded up.
  return resource === "cpu" ? Math.ceil(Math.round(v * 1e6) / 1e3) : Math.ceil(Math.round(v * 1e3) / 1e3);
}

/** A container's requests; a resource with only a limit requests the limit, as API defaulting does. */
function containerRequests(c: Container, nonMissing: boolean): ResList {
  const out: ResList = new Map();
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const [k, q] of Object.entries(lim)) if (!(k in req)) { const v = amount(k, q); if (v !== undefined) out.set(k, v); }
  for (const [k, q] of Object.entries(req)) { const v = amount(k, q); if (v !== undefined) out.set(k, v); }
  // resourcehelper's NonMissingContainerRequests: only a *missing* request takes the default.
  if (nonMissing) {
    if (!out.has("cpu")) out.set("cpu", DEFAULT_MILLI_CPU_REQUEST);
    if (!out.has("memory")) out.set("memory", DEFAULT_MEMORY_REQUEST);
  }
  return out;
}

const addInto = (acc: ResList, r: ResList): void => { for (const [k, v] of r) acc.set(k, (acc.get(k) ?? 0) + v); };
const maxInto = (acc: ResList, r: ResList): void => { for (const [k, v] of r) if (v > (acc.get(k) ?? 0)) acc.set(k, v); };

/**
 * resourcehelper.PodRequests: containers summed; sidecars (init containers with restartPolicy
 * Always) run alongside them; each other init container runs alone with the sidecars before it;
 * the pod needs the larger of the two, plus spec.overhead.
 */
function podRequestList(pod: Pod, nonMissing: boolean): ResList {
  const reqs: ResList = new Map();
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, nonMissing));
  const sidecars: ResList = new Map();
  const initMax: ResList = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonMissing);
    if (c["restartPolicy"] === "Always") {
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      addInto(r, sidecars);
      maxInto(initMax, r);
    }
  }
  maxInto(reqs, initMax);
  const overhead = pod.spec?.["overhead"] as Record<string, string> | undefined;
  if (overhead) {
    const o: ResList = new Map();
    for (const [k, q] of Object.entries(overhead)) { const v = amount(k, q); if (v !== undefined) o.set(k, v); }
    addInto(reqs, o);
  }
  return reqs;
}

/** A pod's requests, computed once per pod. Pure. */
export function podResources(pod: Pod): PodResources {
  const real = podRequestList(pod, false);
  const nonZero = podRequestList(pod, true);
  let scalar: Map<string, number> | undefined;
  for (const [k, v] of real) {
    if (k === "cpu" || k === "memory" || k === "pods" || v <= 0) continue;
    (scalar ??= new Map()).set(k, v);
  }
  return {
    milliCpu: real.get("cpu") ?? 0,
    memory: real.get("memory") ?? 0,
    scalar,
    nonZeroMilliCpu: nonZero.get("cpu") ?? 0,
    nonZeroMemory: nonZero.get("memory") ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// NodeInfo: everything the filters and scores need about a node, kept up to date incrementally.

interface HostPort { key: string; ip: string }

/** What a node keeps of each pod on it. */
interface PodEntry {
  namespace: string;
  labels: Labels;
  terminating: boolean;
  res: PodResources;
  ports: HostPort[];
}

/** The key under which a node remembers a pod: `namespace/name`. */
export const podKey = (pod: Pod): string => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ key: `${p.protocol || "TCP"}/${p.hostPort}`, ip: p.hostIP || "0.0.0.0" });
    }
  }
  return out;
}

/** Terminated pods (Succeeded/Failed) hold no resources. */
export const isTerminal = (pod: Pod): boolean => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";

function readinessTaint(node: Node): Taint | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  if (ready?.status === "True") return undefined;
  // The node lifecycle controller (and the kubelet at registration) taint such nodes NoSchedule;
  // applying the same rule here means a NotReady node is refused even before that taint lands.
  return { key: ready?.status === "Unknown" ? TAINT_UNREACHABLE : TAINT_NOT_READY, effect: "NoSchedule" };
}

/**
 * One node and the pods assigned to it, summed: requested resources (real and non-zero),
 * host ports in use, pod count. addPod/removePod are O(pod size); filters and scores read
 * plain numbers. Mutated only through its methods.
 */
export class NodeInfo {
  readonly name: string;
  node: Node | undefined;
  labels: Labels = {};
  unschedulable = false;
  /** NoSchedule/NoExecute taints the pod must tolerate, including the implicit readiness taint. */
  hardTaints: Taint[] = [];
  /** PreferNoSchedule taints (scored, not filtered). */
  softTaints: Taint[] = [];
  allocatableMilliCpu = 0;
  allocatableMemory = 0;
  allowedPodNumber = 0;
  allocatableScalar = new Map<string, number>();

  requestedMilliCpu = 0;
  requestedMemory = 0;
  nonZeroMilliCpu = 0;
  nonZeroMemory = 0;
  requestedScalar = new Map<string, number>();
  /** "TCP/8080" → host IP → how many pods use it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  readonly pods = new Map<string, PodEntry>();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  get podCount(): number {
    return this.pods.size;
  }

  /** Replaces the node object (labels, taints, allocatable, readiness); pods stay. */
  setNode(node: Node): void {
    this.node = node;
    this.labels = node.metadata.labels ?? {};
    this.unschedulable = node.spec?.unschedulable === true;
    const taints = node.spec?.taints ?? [];
    this.hardTaints = taints.filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
    this.softTaints = taints.filter((t) => t.effect === "PreferNoSchedule");
    const rt = readinessTaint(node);
    if (rt && !this.hardTaints.some((t) => t.key === rt.key && t.effect === rt.effect)) this.hardTaints.push(rt);
    const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
    this.allocatableMilliCpu = amount("cpu", alloc["cpu"]) ?? 0;
    this.allocatableMemory = amount("memory", alloc["memory"]) ?? 0;
    this.allowedPodNumber = amount("pods", alloc["pods"]) ?? 0;
    this.allocatableScalar = new Map();
    for (const [k, q] of Object.entries(alloc)) {
      if (k === "cpu" || k === "memory" || k === "pods") continue;
      this.allocatableScalar.set(k, amount(k, q) ?? 0);
    }
  }

  /** Counts the pod on this node (replacing an earlier entry under the same key). Terminal pods are not counted. */
  addPod(pod: Pod, res: PodResources = podResources(pod)): void {
    const key = podKey(pod);
    if (this.pods.has(key)) this.removeKey(key);
    if (isTerminal(pod)) return;
    const entry: PodEntry = {
      namespace: pod.metadata.namespace ?? "",
      labels: pod.metadata.labels ?? {},
      terminating: Boolean(pod.metadata.deletionTimestamp),
      res,
      ports: hostPortsOf(pod),
    };
    this.pods.set(key, entry);
    this.account(entry, 1);
  }

  /** Stops counting the pod; false when it was not here. */
  removePod(pod: Pod): boolean {
    return this.removeKey(podKey(pod));
  }

  /** Stops counting the pod with this `namespace/name` key. */
  removeKey(key: string): boolean {
    const entry = this.pods.get(key);
    if (!entry) return false;
    this.pods.delete(key);
    this.account(entry, -1);
    return true;
  }

  /** Pods here in `namespace`, not terminating, whose labels include every pair of `selector`. */
  countMatching(namespace: string, selector: [string, string][]): number {
    let n = 0;
    for (const p of this.pods.values()) {
      if (p.terminating || p.namespace !== namespace) continue;
      let ok = true;
      for (const [k, v] of selector) if (p.labels[k] !== v) { ok = false; break; }
      if (ok) n++;
    }
    return n;
  }

  private account(e: PodEntry, sign: 1 | -1): void {
    this.requestedMilliCpu += sign * e.res.milliCpu;
    this.requestedMemory += sign * e.res.memory;
    this.nonZeroMilliCpu += sign * e.res.nonZeroMilliCpu;
    this.nonZeroMemory += sign * e.res.nonZeroMemory;
    if (e.res.scalar) {
      for (const [k, v] of e.res.scalar) {
        const next = (this.requestedScalar.get(k) ?? 0) + sign * v;
        if (next === 0) this.requestedScalar.delete(k); else this.requestedScalar.set(k, next);
      }
    }
    for (const hp of e.ports) {
      let ips = this.usedPorts.get(hp.key);
      if (!ips) { ips = new Map(); this.usedPorts.set(hp.key, ips); }
      const next = (ips.get(hp.ip) ?? 0) + sign;
      if (next <= 0) ips.delete(hp.ip); else ips.set(hp.ip, next);
      if (ips.size === 0) this.usedPorts.delete(hp.key);
    }
  }
}

/** A NodeInfo for the node with these pods already on it. */
export function newNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const ni = new NodeInfo(node.metadata.name ?? "", node);
  for (const p of pods) ni.addPod(p);
  return ni;
}

// ---------------------------------------------------------------------------------------------
// Tolerations and node selectors.

/** v1helper ToleratesTaint: same effect (or any), same key (or any), Exists or an equal value. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? "";
  if (op === "Exists") return true;
  if (op === "" || op === "Equal") return (t.value ?? "") === (taint.value ?? "");
  return false;
}

const toleratesAny = (ts: Toleration[], taint: Taint): boolean => {
  for (const t of ts) if (toleratesTaint(t, taint)) return true;
  return false;
};

interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }
interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
interface PreferredTerm { weight: number; preference: NodeSelectorTerm }
interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredTerm[];
}

type NodeMatcher = (labels: Labels, name: string) => boolean;

const INT64 = /^[+-]?\d+$/;

function compileRequirement(r: NodeSelectorRequirement, field: boolean): NodeMatcher | undefined {
  const values = r.values ?? [];
  const get = field
    ? (r.key === "metadata.name" ? (_l: Labels, name: string): string | undefined => name : undefined)
    : (l: Labels): string | undefined => (Object.hasOwn(l, r.key) ? l[r.key] : undefined);
  if (!get) return undefined;
  switch (r.operator) {
    case "In":
      if (values.length === 0) return undefined;
      return (l, n) => { const v = get(l, n); return v !== undefined && values.includes(v); };
    case "NotIn":
      if (values.length === 0) return undefined;
      return (l, n) => { const v = get(l, n); return v === undefined || !values.includes(v); };
    case "Exists":
      return field || values.length > 0 ? undefined : (l, n) => get(l, n) !== undefined;
    case "DoesNotExist":
      return field || values.length > 0 ? undefined : (l, n) => get(l, n) === undefined;
    case "Gt":
    case "Lt": {
      if (field || values.length !== 1 || !INT64.test(values[0]!)) return undefined;
      const want = BigInt(values[0]!);
      const gt = r.operator === "Gt";
      return (l, n) => {
        const v = get(l, n);
        if (v === undefined || !INT64.test(v)) return false;
        const got = BigInt(v);
        return gt ? got > want : got < want;
      };
    }
    default:
      return undefined;
  }
}

/** A term's requirements ANDed; an empty or unparsable term matches nothing, as upstream. */
function compileTerm(term: NodeSelectorTerm | undefined): NodeMatcher {
  const exprs = term?.matchExpressions ?? [];
  const fields = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return () => false;
  const ms: NodeMatcher[] = [];
  for (const r of exprs) { const m = compileRequirement(r, false); if (!m) return () => false; ms.push(m); }
  for (const r of fields) { const m = compileRequirement(r, true); if (!m) return () => false; ms.push(m); }
  return (l, n) => { for (const m of ms) if (!m(l, n)) return false; return true; };
}

// ---------------------------------------------------------------------------------------------
// The pod, prepared once per scheduling attempt.

/** Everything filters and scores read from the pod, computed once. */
export interface PreparedPod {
  pod: Pod;
  namespace: string;
  res: PodResources;
  /** Whether the pod requests anything besides a pod slot (else only "Too many pods" can fail). */
  requestsAnything: boolean;
  tolerations: Toleration[];
  /** Tolerations that can apply to PreferNoSchedule taints (empty effect or PreferNoSchedule). */
  softTolerations: Toleration[];
  tolerateUnschedulable: boolean;
  nodeName: string | undefined;
  selector: [string, string][];
  requiredTerms: NodeMatcher[] | undefined;
  preferredTerms: { weight: number; match: NodeMatcher }[];
  ports: HostPort[];
  /** Default PodTopologySpread selector as key/value pairs; empty = no spreading. */
  spread: [string, string][];
}

/** Prepares a pod for filtering and scoring. `spreadSelector` is what services/RCs selecting it have in common. */
export function preparePod(pod: Pod, spreadSelector?: Labels): PreparedPod {
  const res = podResources(pod);
  const tolerations = pod.spec?.tolerations ?? [];
  const affinity = (pod.spec?.affinity as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
  const required = affinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const own = pod.spec?.["topologySpreadConstraints"] as unknown[] | undefined;
  return {
    pod,
    namespace: pod.metadata.namespace ?? "",
    res,
    requestsAnything: res.milliCpu > 0 || res.memory > 0 || res.scalar !== undefined,
    tolerations,
    softTolerations: tolerations.filter((t) => !t.effect || t.effect === "PreferNoSchedule"),
    tolerateUnschedulable: toleratesAny(tolerations, { key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" }),
    nodeName: pod.spec?.nodeName || undefined,
    selector: Object.entries(pod.spec?.nodeSelector ?? {}),
    requiredTerms: required ? (required.nodeSelectorTerms ?? []).map(compileTerm) : undefined,
    preferredTerms: (affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [])
      .filter((t) => t.weight)
      .map((t) => ({ weight: t.weight, match: compileTerm(t.preference) })),
    ports: hostPortsOf(pod),
    // System-default constraints apply only to pods without their own (which skiff does not evaluate).
    spread: own && own.length > 0 ? [] : Object.entries(spreadSelector ?? {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Filters, in the default profile's order; the first failing one decides the node's reasons.

/** Why one node was refused: the reasons (as in messages) and whether preemption could help. */
export interface FilterStatus {
  plugin: string;
  reasons: string[];
  /** UnschedulableAndUnresolvable: evicting pods would not help. */
  unresolvable: boolean;
}

export interface Filter {
  name: string;
  /** undefined when the node passes. Pure. */
  filter(p: PreparedPod, n: NodeInfo): FilterStatus | undefined;
}

const status = (plugin: string, unresolvable: boolean, ...reasons: string[]): FilterStatus => ({ plugin, reasons, unresolvable });
const UNSCHEDULABLE = status("NodeUnschedulable", true, REASON_UNSCHEDULABLE);
const WRONG_NAME = status("NodeName", true, REASON_NODE_NAME);
const NO_AFFINITY = status("NodeAffinity", true, REASON_NODE_AFFINITY);
const NO_PORTS = status("NodePorts", false, REASON_NODE_PORTS);

function matchesNodeAffinity(p: PreparedPod, n: NodeInfo): boolean {
  for (const [k, v] of p.selector) if (n.labels[k] !== v) return false;
  if (!p.requiredTerms) return true;
  for (const t of p.requiredTerms) if (t(n.labels, n.name)) return true;
  return false;
}

function portsConflict(p: PreparedPod, n: NodeInfo): boolean {
  for (const want of p.ports) {
    const ips = n.usedPorts.get(want.key);
    if (!ips) continue;
    // 0.0.0.0 on either side claims every address.
    if (want.ip === "0.0.0.0" || ips.has(want.ip) || ips.has("0.0.0.0")) return true;
  }
  return false;
}

function fitsResources(p: PreparedPod, n: NodeInfo): FilterStatus | undefined {
  let reasons: string[] | undefined;
  let unresolvable = false;
  if (n.podCount + 1 > n.allowedPodNumber) (reasons ??= []).push(REASON_TOO_MANY_PODS);
  if (!p.requestsAnything) return reasons ? { plugin: "NodeResourcesFit", reasons, unresolvable } : undefined;
  const r = p.res;
  if (r.milliCpu > 0 && r.milliCpu > n.allocatableMilliCpu - n.requestedMilliCpu) {
    (reasons ??= []).push("Insufficient cpu");
    if (r.milliCpu > n.allocatableMilliCpu) unresolvable = true;
  }
  if (r.memory > 0 && r.memory > n.allocatableMemory - n.requestedMemory) {
    (reasons ??= []).push("Insufficient memory");
    if (r.memory > n.allocatableMemory) unresolvable = true;
  }
  if (r.scalar) {
    for (const [k, v] of r.scalar) {
      const alloc = n.allocatableScalar.get(k) ?? 0;
      if (v > alloc - (n.requestedScalar.get(k) ?? 0)) {
        (reasons ??= []).push(insufficientReason(k));
        if (v > alloc) unresolvable = true;
      }
    }
  }
  return reasons ? { plugin: "NodeResourcesFit", reasons, unresolvable } : undefined;
}

/** The default profile's filters, in upstream's order. */
export const FILTERS: readonly Filter[] = [
  { name: "NodeUnschedulable", filter: (p, n) => (n.unschedulable && !p.tolerateUnschedulable ? UNSCHEDULABLE : undefined) },
  { name: "NodeName", filter: (p, n) => (p.nodeName !== undefined && p.nodeName !== n.name ? WRONG_NAME : undefined) },
  {
    name: "TaintToleration",
    filter(p, n) {
      for (const t of n.hardTaints) {
        if (!toleratesAny(p.tolerations, t)) return status("TaintToleration", true, untoleratedTaintReason(t));
      }
      return undefined;
    },
  },
  { name: "NodeAffinity", filter: (p, n) => (matchesNodeAffinity(p, n) ? undefined : NO_AFFINITY) },
  { name: "NodePorts", filter: (p, n) => (p.ports.length > 0 && portsConflict(p, n) ? NO_PORTS : undefined) },
  { name: "NodeResourcesFit", filter: fitsResources },
];

/** Runs the filters on one node; undefined when it is feasible. */
export function filterNode(p: PreparedPod, n: NodeInfo): FilterStatus | undefined {
  for (const f of FILTERS) {
    const s = f.filter(p, n);
    if (s) return s;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Scores.

/** Per-node scores after normalisation (0–100 each) and the weighted total. */
export interface NodeScore {
  node: string;
  total: number;
  scores: Record<ScorePlugin, number>;
}

const leastRequested = (requested: number, capacity: number): number =>
  capacity === 0 || requested > capacity ? 0 : Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);

/** NodeResourcesFit, LeastAllocated strategy: free share of cpu and memory after placing the pod (non-zero requests). */
export function leastAllocatedScore(p: PreparedPod, n: NodeInfo): number {
  const cpu = leastRequested(n.nonZeroMilliCpu + p.res.nonZeroMilliCpu, n.allocatableMilliCpu);
  const mem = leastRequested(n.nonZeroMemory + p.res.nonZeroMemory, n.allocatableMemory);
  return Math.floor((cpu + mem) / 2);
}

/** NodeResourcesBalancedAllocation: (1 − std-dev of the cpu and memory fractions) × 100, on real requests. */
export function balancedAllocationScore(p: PreparedPod, n: NodeInfo): number {
  let f0 = -1;
  let f1 = -1;
  if (n.allocatableMilliCpu > 0) f0 = Math.min(1, (n.requestedMilliCpu + p.res.milliCpu) / n.allocatableMilliCpu);
  if (n.allocatableMemory > 0) f1 = Math.min(1, (n.requestedMemory + p.res.memory) / n.allocatableMemory);
  const std = f0 >= 0 && f1 >= 0 ? Math.abs((f0 - f1) / 2) : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

function countSoftUntolerated(p: PreparedPod, n: NodeInfo): number {
  let c = 0;
  for (const t of n.softTaints) if (!toleratesAny(p.softTolerations, t)) c++;
  return c;
}

/** helper.DefaultNormalizeScore: scale to 0–100 by the maximum; reverse flips it (fewer is better). */
function defaultNormalize(raw: Float64Array | number[], reverse: boolean): void {
  let max = 0;
  for (const s of raw) if (s > max) max = s;
  if (max === 0) {
    if (reverse) raw.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < raw.length; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * raw[i]!) / max);
    raw[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

/**
 * PodTopologySpread with the system-default constraints (hostname maxSkew 3, zone maxSkew 5,
 * ScheduleAnyway) over the pods the spread selector matches; fewer matching pods nearby is better.
 * `all` is every node (zone counts include unsampled nodes, as upstream counts all nodes).
 */
function spreadScores(p: PreparedPod, feasible: NodeInfo[], all: readonly NodeInfo[]): Int32Array | undefined {
  if (p.spread.length === 0) return undefined;
  const raw = new Float64Array(feasible.length);
  const hostWeight = Math.log(feasible.length + 2);
  let zoneWeight = 0;
  let zoneCounts: Map<string, number> | undefined;
  const zones = new Set<string>();
  let anyZone = false;
  for (const n of feasible) {
    const z = n.labels[LABEL_ZONE];
    zones.add(z ?? "");
    if (z !== undefined) anyZone = true;
  }
  if (anyZone) {
    zoneWeight = Math.log(zones.size + 2);
    zoneCounts = new Map();
    for (const n of all) {
      const z = n.labels[LABEL_ZONE];
      if (z === undefined || !zones.has(z)) continue;
      zoneCounts.set(z, (zoneCounts.get(z) ?? 0) + n.countMatching(p.namespace, p.spread));
    }
  }
  let min = Infinity;
  let max = 0;
  const out = new Int32Array(feasible.length);
  for (let i = 0; i < feasible.length; i++) {
    const n = feasible[i]!;
    // Every node is its own hostname domain, label or not.
    let s = n.countMatching(p.namespace, p.spread) * hostWeight + (3 - 1);
    const z = n.labels[LABEL_ZONE];
    if (zoneCounts && z !== undefined) s += (zoneCounts.get(z) ?? 0) * zoneWeight + (5 - 1);
    raw[i] = Math.round(s);
    if (raw[i]! < min) min = raw[i]!;
    if (raw[i]! > max) max = raw[i]!;
  }
  for (let i = 0; i < feasible.length; i++) {
    out[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - raw[i]!)) / max);
  }
  return out;
}

/**
 * Scores feasible nodes with the default profile's score plugins (weights in SCORE_WEIGHTS).
 * Pure; `all` is every schedulable node (for zone spreading), default `feasible`.
 */
export function scoreNodes(p: PreparedPod, feasible: NodeInfo[], all: readonly NodeInfo[] = feasible): NodeScore[] {
  const n = feasible.length;
  const taint = new Float64Array(n);
  const affinity = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    taint[i] = countSoftUntolerated(p, feasible[i]!);
    if (p.preferredTerms.length > 0) {
      let s = 0;
      for (const t of p.preferredTerms) if (t.match(feasible[i]!.labels, feasible[i]!.name)) s += t.weight;
      affinity[i] = s;
    }
  }
  defaultNormalize(taint, true);
  // NodeAffinity's PreScore skips pods without preferred terms: the plugin then adds nothing.
  if (p.preferredTerms.length > 0) defaultNormalize(affinity, false);
  const spread = spreadScores(p, feasible, all);
  const out: NodeScore[] = [];
  for (let i = 0; i < n; i++) {
    const ni = feasible[i]!;
    const scores: Record<ScorePlugin, number> = {
      NodeResourcesFit: leastAllocatedScore(p, ni),
      NodeResourcesBalancedAllocation: balancedAllocationScore(p, ni),
      TaintToleration: taint[i]!,
      NodeAffinity: affinity[i]!,
      PodTopologySpread: spread ? spread[i]! : 0,
    };
    let total = 0;
    for (const k of Object.keys(SCORE_WEIGHTS) as ScorePlugin[]) total += scores[k] * SCORE_WEIGHTS[k];
    out.push({ node: ni.name, total, scores });
  }
  return out;
}

// The hot path: the same sums as scoreNodes without building records, for one pick.
function pickBest(p: PreparedPod, feasible: NodeInfo[], all: readonly NodeInfo[], random: () => number): NodeInfo {
  const n = feasible.length;
  const taint = new Float64Array(n);
  let anySoft = false;
  for (let i = 0; i < n; i++) {
    if (feasible[i]!.softTaints.length > 0) { taint[i] = countSoftUntolerated(p, feasible[i]!); anySoft = true; }
  }
  if (anySoft) defaultNormalize(taint, true); else taint.fill(MAX_NODE_SCORE);
  let affinity: Float64Array | undefined;
  if (p.preferredTerms.length > 0) {
    affinity = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const t of p.preferredTerms) if (t.match(feasible[i]!.labels, feasible[i]!.name)) s += t.weight;
      affinity[i] = s;
    }
    defaultNormalize(affinity, false);
  }
  const spread = spreadScores(p, feasible, all);
  let best = -1;
  let bestScore = -1;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const ni = feasible[i]!;
    const total = leastAllocatedScore(p, ni) * SCORE_WEIGHTS.NodeResourcesFit
      + balancedAllocationScore(p, ni) * SCORE_WEIGHTS.NodeResourcesBalancedAllocation
      + taint[i]! * SCORE_WEIGHTS.TaintToleration
      + (affinity ? affinity[i]! : 0) * SCORE_WEIGHTS.NodeAffinity
      + (spread ? spread[i]! : 0) * SCORE_WEIGHTS.PodTopologySpread;
    if (total > bestScore) {
      bestScore = total; best = i; ties = 1;
    } else if (total === bestScore) {
      // Reservoir sampling: each of the k tied nodes ends up chosen with probability 1/k.
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return feasible[best]!;
}

// ---------------------------------------------------------------------------------------------
// Search and result.

/**
 * numFeasibleNodesToFind: every node below 100; else `percentage` (0 = adaptive 50 − nodes/125,
 * at least 5) of the nodes, but never fewer than 100.
 */
export function numFeasibleNodesToFind(numAllNodes: number, percentage = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** "0/3 nodes are available: 1 Insufficient memory, 2 node(s) …." — counts and reasons sorted as strings. */
export function fitMessage(numAllNodes: number, histogram: Map<string, number>): string {
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `0/${numAllNodes} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}

/**
 * No node fits. `message` is exactly kube-scheduler's (framework.FitError plus the default
 * preemption plugin's note), e.g. `0/3 nodes are available: 3 Insufficient cpu. preemption:
 * 0/3 nodes are available: 3 No preemption victims found for incoming pod..` — the doubled
 * period is upstream's. skiff never preempts, so resolvable nodes report no victims.
 */
export class FitError extends Error {
  override readonly name = "FitError";
  readonly numAllNodes: number;
  /** reason → number of nodes reporting it. */
  readonly reasons: Map<string, number>;
  /** node name → why it was refused. */
  readonly nodeStatuses: Map<string, FilterStatus>;
  /** The first part alone ("0/3 nodes are available: …."). */
  readonly filterMessage: string;

  constructor(pod: Pod, numAllNodes: number, nodeStatuses: Map<string, FilterStatus>) {
    const reasons = new Map<string, number>();
    const preemption = new Map<string, number>();
    for (const s of nodeStatuses.values()) {
      for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      const p = s.unresolvable ? REASON_PREEMPTION_NOT_HELPFUL : REASON_NO_VICTIMS;
      preemption.set(p, (preemption.get(p) ?? 0) + 1);
    }
    const filterMessage = numAllNodes === 0 ? NO_NODES_AVAILABLE : fitMessage(numAllNodes, reasons);
    let message = filterMessage;
    if (numAllNodes > 0) {
      const never = pod.spec?.["preemptionPolicy"] === "Never";
      const post = never ? NOT_ELIGIBLE_NEVER : fitMessage(numAllNodes, preemption);
      message = `${filterMessage} preemption: ${post}.`;
    }
    super(message);
    this.numAllNodes = numAllNodes;
    this.reasons = reasons;
    this.nodeStatuses = nodeStatuses;
    this.filterMessage = filterMessage;
  }
}

export interface ScheduleOptions {
  /** Tie-break source in [0, 1). */
  random: () => number;
  /** Where the feasible-node search starts (upstream rotates it between pods). */
  startIndex?: number;
  /** percentageOfNodesToScore; 0 or absent = adaptive. */
  percentageOfNodesToScore?: number;
  /** Labels every service / replication controller selecting the pod agrees on (default spreading). */
  spreadSelector?: Labels;
}

export interface ScheduleResult {
  node: string;
  /** Nodes filtered before the search stopped. */
  evaluatedNodes: number;
  feasibleNodes: number;
  /** startIndex for the next pod. */
  nextStartIndex: number;
}

/**
 * Picks a node for the pod, as kube-scheduler's default profile would: filters nodes from
 * `startIndex` round until enough feasible ones are found (numFeasibleNodesToFind), scores
 * them, and takes the best (uniformly random among ties). Pure: nothing is mutated; call
 * `assume` (or NodeInfo.addPod) to count the pod on its node. Returns FitError when no node fits.
 */
export function schedule(pod: Pod, nodes: readonly NodeInfo[], opts: ScheduleOptions): ScheduleResult | FitError {
  const total = nodes.length;
  if (total === 0) return new FitError(pod, 0, new Map());
  const p = preparePod(pod, opts.spreadSelector);
  const want = numFeasibleNodesToFind(total, opts.percentageOfNodesToScore);
  const start = ((opts.startIndex ?? 0) % total + total) % total;
  const feasible: NodeInfo[] = [];
  let failed: Map<string, FilterStatus> | undefined;
  let processed = 0;
  for (; processed < total && feasible.length < want; processed++) {
    const ni = nodes[(start + processed) % total]!;
    const s = filterNode(p, ni);
    if (s) (failed ??= new Map()).set(ni.name, s);
    else feasible.push(ni);
  }
  const nextStartIndex = (start + processed) % total;
  if (feasible.length === 0) return new FitError(pod, total, failed ?? new Map());
  const chosen = feasible.length === 1 ? feasible[0]! : pickBest(p, feasible, nodes, opts.random);
  return { node: chosen.name, evaluatedNodes: processed, feasibleNodes: feasible.length, nextStartIndex };
}

/** Counts a just-scheduled pod on its node before the binding is observed (idempotent per pod key). */
export function assume(pod: Pod, node: NodeInfo): void {
  node.addPod(pod);
}

// ---------------------------------------------------------------------------------------------
// A cache of NodeInfos fed by node and pod events, for the scheduler controller.

/**
 * NodeInfos for every node, kept current from node and (assigned) pod events, with assumed
 * pods counted until their binding shows up. Keeps the rotating search start between pods.
 */
export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Set<string>();
  private list: NodeInfo[] | undefined;
  private next = 0;

  /** Adds or replaces a node. */
  upsertNode(node: Node): void {
    const name = node.metadata.name ?? "";
    const ni = this.infos.get(name);
    if (ni) { if (!ni.node) this.list = undefined; ni.setNode(node); }
    else { this.infos.set(name, new NodeInfo(name, node)); this.list = undefined; }
  }

  /** Removes a node from scheduling (its pods stay counted, in case it comes back). */
  removeNode(name: string): void {
    const ni = this.infos.get(name);
    if (!ni) return;
    if (ni.podCount === 0) this.infos.delete(name); else ni.node = undefined;
    this.list = undefined;
  }

  /** Adds or updates a pod: counted on spec.nodeName while it has one and is not terminal. */
  upsertPod(pod: Pod): void {
    const key = podKey(pod);
    const node = pod.spec?.nodeName;
    const prev = this.podNode.get(key);
    if (prev !== undefined && prev !== node) this.dropFrom(prev, key);
    this.assumed.delete(key);
    if (!node || isTerminal(pod)) {
      if (prev === node && node) this.dropFrom(node, key);
      this.podNode.delete(key);
      return;
    }
    this.infoFor(node).addPod(pod);
    this.podNode.set(key, node);
  }

  /** Forgets a pod (deleted). */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const node = this.podNode.get(key);
    if (node !== undefined) this.dropFrom(node, key);
    this.podNode.delete(key);
    this.assumed.delete(key);
  }

  /** Counts the pod on `nodeName` now, before the bind is observed. */
  assume(pod: Pod, nodeName: string): void {
    this.upsertPod({ ...pod, spec: { ...pod.spec, nodeName } });
    this.assumed.add(podKey(pod));
  }

  /** Undoes assume (the bind failed). */
  forget(pod: Pod): void {
    if (this.assumed.has(podKey(pod))) this.removePod(pod);
  }

  isAssumed(pod: Pod): boolean {
    return this.assumed.has(podKey(pod));
  }

  /** The NodeInfo of a node, if known. */
  get(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  /** Every schedulable node's NodeInfo, in a stable order (sorted by name). */
  nodes(): readonly NodeInfo[] {
    this.list ??= [...this.infos.values()].filter((n) => n.node).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.list;
  }

  /** schedule() over the cached nodes, continuing the search where the previous pod stopped. */
  schedule(pod: Pod, opts: Omit<ScheduleOptions, "startIndex">): ScheduleResult | FitError {
    const r = schedule(pod, this.nodes(), { ...opts, startIndex: this.next });
    if (!(r instanceof FitError)) this.next = r.nextStartIndex;
    return r;
  }

  private infoFor(name: string): NodeInfo {
    let ni = this.infos.get(name);
    if (!ni) { ni = new NodeInfo(name); this.infos.set(name, ni); }
    return ni;
  }

  private dropFrom(node: string, key: string): void {
    const ni = this.infos.get(node);
    if (!ni) return;
    ni.removeKey(key);
    if (!ni.node && ni.podCount === 0) this.infos.delete(node);
  }
}
