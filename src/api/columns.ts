// Server-side printer columns per kind (what `get` shows), as kube-apiserver's printers build them
// (pkg/printers/internalversion/printers.go). Cells are computed as with GenerateOptions{Wide: true},
// which is how the API server calls the printers: every cell, wide ones included.
import { ageOf } from "./duration.ts";
import type {
  ApiObject, ConfigMap, Container, ContainerState, Endpoints, Event, Namespace, Node,
  PersistentVolumeClaim, Pod, ReplicationController, Secret, Service, ServiceAccount,
} from "./types.ts";

/** One Table column: the definition sent to clients and how to compute its cell. */
export interface Column<T extends ApiObject = ApiObject> {
  name: string;                 // "Name", "Ready", "Cluster-IP"… (kubectl upper-cases it)
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;              // "name" for the name column
  description?: string;
  priority: 0 | 1;              // 1 = only with -o wide
  cell: (obj: T, now: Date) => string | number | boolean | null;
}

const NAME_DESC = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/** The Name column every kind's table starts with (format "name"). */
export function nameColumn<T extends ApiObject>(priority: 0 | 1 = 0): Column<T> {
  return { name: "Name", type: "string", format: "name", priority, description: NAME_DESC, cell: (o) => o.metadata.name ?? "" };
}
/** The Age column: the object's age at `now`. */
export function ageColumn<T extends ApiObject>(): Column<T> {
  return { name: "Age", type: "string", priority: 0, description: AGE_DESC, cell: (o, now) => ageOf(o.metadata.creationTimestamp, now) };
}
/** A plain column; `wide` makes it priority 1 (only with -o wide). */
export function col<T extends ApiObject>(name: string, description: string, cell: Column<T>["cell"],
  opts: { type?: Column<T>["type"]; wide?: boolean } = {}): Column<T> {
  return { name, type: opts.type ?? "string", priority: opts.wide ? 1 : 0, description, cell };
}

/** labels.FormatLabels: `k=v` pairs sorted by key, comma-joined; `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels![k]}`).join(",");
}

// ---------------------------------------------------------------------------------------------
// Pods

const time = (t: string | undefined | null): number => (t ? Date.parse(t) || 0 : 0);

interface PodSummary { ready: number; total: number; reason: string; restarts: number; lastRestart: number }

const isRestartableInit = (c: Container | undefined): boolean => c?.restartPolicy === "Always";

/** printPod's READY, STATUS and RESTARTS computation. */
export function podSummary(pod: Pod): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;
  const phase = status.phase ?? "";
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }
  const inits = new Map<string, Container>();
  for (const c of spec.initContainers ?? []) {
    inits.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }
  const terminatedAt = (s: ContainerState | undefined): number => time(s?.terminated?.finishedAt);

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i]!;
    restarts += cs.restartCount ?? 0;
    if (cs.lastState?.terminated) lastRestart = Math.max(lastRestart, terminatedAt(cs.lastState));
    const restartable = isRestartableInit(inits.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastRestartableInitRestart = Math.max(lastRestartableInitRestart, terminatedAt(cs.lastState));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (restartable && cs.started) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      else reason = `Init:${term.reason}`;
    } else if (waiting?.reason && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = (status.conditions ?? []).some((c) => c.type === "Initialized" && c.status === "True");
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i]!;
      restarts += cs.restartCount ?? 0;
      if (cs.lastState?.terminated) lastRestart = Math.max(lastRestart, terminatedAt(cs.lastState));
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (term?.reason) reason = term.reason;
      else if (term) reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const podReady = (status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
      reason = podReady ? "Running" : "NotReady";
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === "NodeLost") reason = "Unknown";
  else if (pod.metadata.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") reason = "Terminating";
  return { ready, total, reason, restarts, lastRestart };
}

function podRestarts(pod: Pod, now: Date): string {
  const s = podSummary(pod);
  if (s.restarts !== 0 && s.lastRestart > 0) {
    return `${s.restarts} (${ageOf(new Date(s.lastRestart).toISOString(), now)} ago)`;
  }
  return String(s.restarts);
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  let trueCount = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === "True") trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

/** Row conditions kube-apiserver attaches to finished pods (kubectl hides them without -a). */
export function podRowConditions(pod: Pod): { type: string; status: "True"; reason: string; message: string }[] | undefined {
  if (pod.status?.phase === "Succeeded") return [{ type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." }];
  if (pod.status?.phase === "Failed") return [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];
  return undefined;
}

const POD_COLUMNS: Column<Pod>[] = [
  nameColumn(),
  col("Ready", "The aggregate readiness state of this pod for accepting traffic.", (p) => { const s = podSummary(p); return `${s.ready}/${s.total}`; }),
  col("Status", "The aggregate status of the containers in this pod.", (p) => podSummary(p).reason),
  col("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", podRestarts),
  ageColumn(),
  col("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    (p) => p.status?.podIPs?.[0]?.ip || p.status?.podIP || "<none>", { wide: true }),
  col("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.",
    (p) => p.spec?.nodeName || "<none>", { wide: true }),
  col("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
    (p) => p.status?.nominatedNodeName || "<none>", { wide: true }),
  col("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", readinessGates, { wide: true }),
];

// ---------------------------------------------------------------------------------------------
// Services

function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length > 0 ? external.join(",") : "<none>";
    case "LoadBalancer": {
      // The server prints with Wide set, so the ingress list is never cut to 16 characters.
      const ingress = [...new Set((svc.status?.loadBalancer?.ingress ?? [])
        .map((i) => i.ip || i.hostname || "").filter((s) => s !== ""))].sort();
      const all = [...ingress, ...external];
      return all.length > 0 ? all.join(",") : "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0) return "<none>";
  return ports.map((p) => (p.nodePort && p.nodePort > 0
    ? `${p.port}:${p.nodePort}/${p.protocol ?? ""}` : `${p.port}/${p.protocol ?? ""}`)).join(",");
}

const SERVICE_COLUMNS: Column<Service>[] = [
  nameColumn(),
  col("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.", (s) => s.spec?.type ?? ""),
  col("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly.", (s) => s.spec?.clusterIPs?.[0] || s.spec?.clusterIP || "<none>"),
  col("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.", serviceExternalIP),
  col("Port(s)", "The list of ports that are exposed by this service.", servicePorts),
  ageColumn(),
  col("Selector", "Route service traffic to pods with label keys and values matching this selector.", (s) => formatLabels(s.spec?.selector), { wide: true }),
];

// ---------------------------------------------------------------------------------------------
// Endpoints

const joinHostPort = (ip: string, port: number): string => (ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`);

/** formatEndpoints: the first three `ip:port`, then ` + N more...`; `<none>` without subsets. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

const ENDPOINTS_COLUMNS: Column<Endpoints>[] = [
  nameColumn(),
  col("Endpoints", "The set of all endpoints is the union of all subsets.", formatEndpoints),
  ageColumn(),
];

// ---------------------------------------------------------------------------------------------
// ReplicationControllers

const RC_COLUMNS: Column<ReplicationController>[] = [
  nameColumn(),
  col("Desired", "Replicas is the number of desired replicas.", (rc) => rc.spec?.replicas ?? 0, { type: "integer" }),
  col("Current", "Replicas is the most recently observed number of replicas.", (rc) => rc.status?.replicas ?? 0, { type: "integer" }),
  col("Ready", "The number of ready replicas for this replication controller.", (rc) => rc.status?.readyReplicas ?? 0, { type: "integer" }),
  ageColumn(),
  col("Containers", "Names of each container in the template.",
    (rc) => (rc.spec?.template?.spec?.containers ?? []).map((c) => c.name).join(","), { wide: true }),
  col("Images", "Images referenced by each container in the template.",
    (rc) => (rc.spec?.template?.spec?.containers ?? []).map((c) => c.image ?? "").join(","), { wide: true }),
  col("Selector", "Selector is a label query over pods that should match the Replicas count.", (rc) => formatLabels(rc.spec?.selector), { wide: true }),
];

// ---------------------------------------------------------------------------------------------
// Nodes

function nodeStatus(node: Node): string {
  const conditions = new Map<string, string>();
  for (const c of node.status?.conditions ?? []) conditions.set(c.type, c.status);
  const status: string[] = [];
  const ready = conditions.get("Ready");
  if (ready !== undefined) status.push(ready === "True" ? "Ready" : "NotReady");
  if (status.length === 0) status.push("Unknown");
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

/** findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>`, sorted. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

const nodeAddress = (node: Node, type: string): string =>
  (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? "<none>";

const NODE_COLUMNS: Column<Node>[] = [
  nameColumn(),
  col("Status", "The status of the node", nodeStatus),
  col("Roles", "The roles of the node", (n) => nodeRoles(n).join(",") || "<none>"),
  ageColumn(),
  col("Version", "Kubelet Version reported by the node.", (n) => n.status?.nodeInfo?.kubeletVersion ?? ""),
  col("Internal-IP", "List of addresses reachable to the node.", (n) => nodeAddress(n, "InternalIP"), { wide: true }),
  col("External-IP", "List of addresses reachable to the node.", (n) => nodeAddress(n, "ExternalIP"), { wide: true }),
  col("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    (n) => n.status?.nodeInfo?.osImage || "<unknown>", { wide: true }),
  col("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    (n) => n.status?.nodeInfo?.kernelVersion || "<unknown>", { wide: true }),
  col("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    (n) => n.status?.nodeInfo?.containerRuntimeVersion || "<unknown>", { wide: true }),
];

// ---------------------------------------------------------------------------------------------
// Events

interface EventTimes { first: string; last: string; count: number }

function eventTimes(e: Event, now: Date): EventTimes {
  const first = e.firstTimestamp ? ageOf(e.firstTimestamp, now) : ageOf(e.eventTime, now);
  let last = e.lastTimestamp ? ageOf(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = ageOf(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1;      // singleton events of the newer API carry no count
  }
  return { first, last, count };
}

function eventObject(e: Event): string {
  const kind = (e.involvedObject?.kind ?? "").toLowerCase();
  return e.involvedObject?.name ? `${kind}/${e.involvedObject.name}` : kind;
}

function eventSource(e: Event): string {
  const component = e.source?.component || (e as { reportingController?: string }).reportingController || e.reportingComponent || "";
  const host = e.source?.host || e.reportingInstance || "";
  return host ? `${component}, ${host}` : component;
}

const EVENT_COLUMNS: Column<Event>[] = [
  col("Last Seen", "The time at which the most recent occurrence of this event was recorded.", (e, now) => eventTimes(e, now).last),
  col("Type", "Type of this event (Normal, Warning), new types could be added in the future", (e) => e.type ?? ""),
  col("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", (e) => e.reason ?? ""),
  col("Object", "The object that this event is about.", eventObject),
  col("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
    (e) => e.involvedObject?.fieldPath ?? "", { wide: true }),
  col("Source", "The component reporting this event. Should be a short machine understandable string.", eventSource, { wide: true }),
  col("Message", "A human-readable description of the status of this operation.", (e) => (e.message ?? "").trim()),
  col("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
    (e, now) => eventTimes(e, now).first, { wide: true }),
  col("Count", "The number of times this event has occurred.", (e, now) => eventTimes(e, now).count, { wide: true }),
  nameColumn(1),
];

// ---------------------------------------------------------------------------------------------
// Namespaces, Secrets, ConfigMaps, ServiceAccounts, PersistentVolumeClaims

const NAMESPACE_COLUMNS: Column<Namespace>[] = [
  nameColumn(),
  col("Status", "The status of the namespace", (n) => n.status?.phase ?? ""),
  ageColumn(),
];

const SECRET_COLUMNS: Column<Secret>[] = [
  nameColumn(),
  col("Type", "Used to facilitate programmatic handling of secret data.", (s) => s.type ?? ""),
  col("Data", "Data contains the secret data.", (s) => Object.keys(s.data ?? {}).length),
  ageColumn(),
];

const CONFIGMAP_COLUMNS: Column<ConfigMap>[] = [
  nameColumn(),
  col("Data", "Data contains the configuration data.", (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length),
  ageColumn(),
];

const SERVICEACCOUNT_COLUMNS: Column<ServiceAccount>[] = [
  nameColumn(),
  col("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
    (s) => (s.secrets ?? []).length),
  ageColumn(),
];

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesString(modes: string[] | undefined): string {
  const m = new Set(modes ?? []);
  const out: string[] = [];
  if (m.has("ReadWriteOnce")) out.push("RWO");
  if (m.has("ReadOnlyMany")) out.push("ROX");
  if (m.has("ReadWriteMany")) out.push("RWX");
  if (m.has("ReadWriteOncePod")) out.push("RWOP");
  return out.join(",");
}

function pvcClass(pvc: PersistentVolumeClaim): string {
  const beta = pvc.metadata.annotations?.["volume.beta.kubernetes.io/storage-class"];
  return beta !== undefined ? beta : pvc.spec?.storageClassName ?? "";
}

const bound = (pvc: PersistentVolumeClaim): boolean => Boolean(pvc.spec?.volumeName);

const PVC_COLUMNS: Column<PersistentVolumeClaim>[] = [
  nameColumn(),
  col("Status", "phase represents the current phase of PersistentVolumeClaim.",
    (p) => (p.metadata.deletionTimestamp ? "Terminating" : p.status?.phase ?? "")),
  col("Volume", "volumeName is the binding reference to the PersistentVolume backing this claim.", (p) => p.spec?.volumeName ?? ""),
  col("Capacity", "capacity represents the actual resources of the underlying volume.",
    (p) => (bound(p) ? p.status?.capacity?.["storage"] ?? "0" : "")),
  col("Access Modes", "accessModes contains the actual access modes the volume backing the PVC has.",
    (p) => (bound(p) ? accessModesString(p.status?.accessModes) : "")),
  col("StorageClass", "StorageClass of the pvc", pvcClass),
  col("VolumeAttributesClass", "VolumeAttributesClass of the pvc",
    (p) => (typeof p.spec?.["volumeAttributesClassName"] === "string" && p.spec["volumeAttributesClassName"] !== ""
      ? p.spec["volumeAttributesClassName"] as string : "<unset>")),
  ageColumn(),
  col("VolumeMode", "volumeMode defines what type of volume is required by the claim.", (p) => p.spec?.volumeMode ?? "<unset>", { wide: true }),
];

/** Printer columns per resource; the shape RESOURCES in resources.ts reads. */
export interface ColumnsByResource {
  namespaces: Column<Namespace>[];
  pods: Column<Pod>[];
  services: Column<Service>[];
  endpoints: Column<Endpoints>[];
  replicationcontrollers: Column<ReplicationController>[];
  nodes: Column<Node>[];
  events: Column<Event>[];
  secrets: Column<Secret>[];
  configmaps: Column<ConfigMap>[];
  serviceaccounts: Column<ServiceAccount>[];
  persistentvolumeclaims: Column<PersistentVolumeClaim>[];
}

export const COLUMNS: ColumnsByResource = {
  namespaces: NAMESPACE_COLUMNS,
  pods: POD_COLUMNS,
  services: SERVICE_COLUMNS,
  endpoints: ENDPOINTS_COLUMNS,
  replicationcontrollers: RC_COLUMNS,
  nodes: NODE_COLUMNS,
  events: EVENT_COLUMNS,
  secrets: SECRET_COLUMNS,
  configmaps: CONFIGMAP_COLUMNS,
  serviceaccounts: SERVICEACCOUNT_COLUMNS,
  persistentvolumeclaims: PVC_COLUMNS,
};

/** Columns for kinds without printers: Name and Created At (type date, RFC 3339 cell). */
export const DEFAULT_COLUMNS: Column[] = [
  nameColumn(),
  {
    name: "Created At", type: "date", priority: 0, description: AGE_DESC,
    cell: (o) => o.metadata.creationTimestamp ?? null,
  },
];
