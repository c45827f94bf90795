// The Node a minion registers and keeps fresh: labels, capacity, addresses, nodeInfo and the
// kubelet's four conditions with their upstream reasons and messages.
import { createHash } from "node:crypto";
import { memoryBytes } from "../../api/quantity.ts";
import type { Condition, Node } from "../../api/types.ts";

export const KUBELET_VERSION = "v1.32.4-skiff";
export const RUNTIME_VERSION = "skiff-sim://0.1.0";

export interface NodeShape {
  name: string;
  cpu: string;
  memory: string;
  pods: number;
  labels: Record<string, string>;
  podCIDR: string;
  address: string;
  logPort: number;
  /** Changes on every start of the minion, as a machine's boot ID does on reboot. */
  bootID: string;
}

const uuidOf = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
const hash = (s: string): string => createHash("sha256").update(s).digest("hex");

/** A random UUID (v4 layout) from an injected random source. */
export function randomUuid(random: () => number): string {
  let h = "";
  for (let i = 0; i < 32; i++) h += Math.floor(random() * 16).toString(16);
  return uuidOf(`${h.slice(0, 12)}4${h.slice(13, 16)}${"89ab"[Math.floor(random() * 4)]}${h.slice(17)}`);
}

/** Memory as the kubelet reports it: in Ki when it divides evenly, else as given. */
function kibi(q: string): string {
  const bytes = memoryBytes(q);
  return bytes % 1024 === 0 ? `${bytes / 1024}Ki` : q;
}

/** The labels the kubelet sets on its Node, then the user's. */
export function nodeLabels(s: Pick<NodeShape, "name" | "labels">): Record<string, string> {
  return {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/os": "linux",
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": s.name,
    "kubernetes.io/os": "linux",
    ...s.labels,
  };
}

const CONDITIONS: { type: string; status: "True" | "False"; reason: string; message: string }[] = [
  { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
  { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/**
 * The kubelet's conditions as of `now`: lastHeartbeatTime is now; lastTransitionTime is kept
 * from `previous` when the status did not change. Returns the types that changed status.
 */
export function nodeConditions(previous: Condition[] | undefined, now: string): { conditions: Condition[]; changed: string[] } {
  const changed: string[] = [];
  const conditions = CONDITIONS.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const same = prev !== undefined && prev.status === c.status;
    if (!same) changed.push(c.type);
    return { type: c.type, status: c.status, lastHeartbeatTime: now,
      lastTransitionTime: same && prev.lastTransitionTime ? prev.lastTransitionTime : now, reason: c.reason, message: c.message };
  });
  return { conditions, changed };
}

/** The status a minion reports (conditions from nodeConditions). */
export function nodeStatus(s: NodeShape, conditions: Condition[]): NonNullable<Node["status"]> {
  const capacity = { cpu: s.cpu, "ephemeral-storage": "104857600Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
    memory: kibi(s.memory), pods: String(s.pods) };
  const machine = hash(`machine/${s.name}`);
  return {
    capacity,
    allocatable: { ...capacity },
    conditions,
    addresses: [{ type: "InternalIP", address: s.address }, { type: "Hostname", address: s.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: s.logPort } },
    nodeInfo: {
      machineID: machine.slice(0, 32),
      systemUUID: uuidOf(hash(`system/${s.name}`)),
      bootID: s.bootID,
      kernelVersion: "6.8.0-skiff",
      osImage: "skiff simulated node",
      containerRuntimeVersion: RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: "linux",
      architecture: "amd64",
    },
    images: [],
  };
}

/** The whole Node a minion creates when none exists under its name. */
export function newNode(s: NodeShape, now: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: s.name,
      labels: nodeLabels(s),
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: { podCIDR: s.podCIDR, podCIDRs: [s.podCIDR] },
    status: nodeStatus(s, nodeConditions(undefined, now).conditions),
  };
}
