import { describe, expect, it } from "vitest";
import { COLUMNS, DEFAULT_COLUMNS, formatEndpoints, podRowConditions, type Column } from "../../src/api/columns.ts";
import { RESOURCES } from "../../src/api/resources.ts";
import type {
  ApiObject, ConfigMap, ContainerStatus, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod,
  ReplicationController, Secret, Service, ServiceAccount,
} from "../../src/api/types.ts";

const NOW = new Date("2024-05-01T12:00:00Z");
const CREATED = "2024-05-01T11:55:00Z";

function cells<T extends ApiObject>(cols: Column<T>[], obj: T): Record<string, unknown> {
  return Object.fromEntries(cols.map((c) => [c.name, c.cell(obj, NOW)]));
}
const names = (cols: Column<any>[], priority: 0 | 1): string[] => cols.filter((c) => c.priority === priority).map((c) => c.name);

describe("column definitions", () => {
  it.each([
    ["pods", ["Name", "Ready", "Status", "Restarts", "Age"], ["IP", "Node", "Nominated Node", "Readiness Gates"]],
    ["services", ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"], ["Selector"]],
    ["replicationcontrollers", ["Name", "Desired", "Current", "Ready", "Age"], ["Containers", "Images", "Selector"]],
    ["nodes", ["Name", "Status", "Roles", "Age", "Version"], ["Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"]],
    ["endpoints", ["Name", "Endpoints", "Age"], []],
    ["events", ["Last Seen", "Type", "Reason", "Object", "Message"], ["Subobject", "Source", "First Seen", "Count", "Name"]],
    ["namespaces", ["Name", "Status", "Age"], []],
    ["secrets", ["Name", "Type", "Data", "Age"], []],
    ["configmaps", ["Name", "Data", "Age"], []],
    ["serviceaccounts", ["Name", "Secrets", "Age"], []],
    ["persistentvolumeclaims", ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "VolumeAttributesClass", "Age"], ["VolumeMode"]],
  ] as const)("%s", (resource, normal, wide) => {
    const cols = COLUMNS[resource] as Column<any>[];
    expect(names(cols, 0)).toEqual(normal);
    expect(names(cols, 1)).toEqual(wide);
    expect(RESOURCES[resource].columns).toBe(cols);
    for (const c of cols) expect(c.description).toBeTruthy();
  });

  it("events put wide columns in place: Subobject and Source before Message", () => {
    expect(COLUMNS.events.map((c) => c.name)).toEqual(["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"]);
  });

  it("name columns carry format name; RC counts are integers", () => {
    expect(COLUMNS.pods[0]).toMatchObject({ name: "Name", format: "name", type: "string" });
    expect(COLUMNS.replicationcontrollers.slice(1, 4).map((c) => c.type)).toEqual(["integer", "integer", "integer"]);
  });

  it("default columns: Name and Created At (RFC 3339)", () => {
    const obj = { metadata: { name: "x", creationTimestamp: CREATED } };
    expect(DEFAULT_COLUMNS.map((c) => [c.name, c.type, c.cell(obj, NOW)])).toEqual([["Name", "string", "x"], ["Created At", "date", CREATED]]);
  });
});

const running = (name: string, extra: Partial<ContainerStatus> = {}): ContainerStatus =>
  ({ name, image: "nginx", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: CREATED } }, ...extra });

function pod(status: Pod["status"], spec: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    metadata: { name: "web-1", namespace: "default", creationTimestamp: CREATED, ...meta },
    spec: { containers: [{ name: "app", image: "nginx" }], ...spec },
    status,
  };
}

describe("pod cells", () => {
  it.each<[string, Pod, Record<string, unknown>]>([
    ["running", pod({ phase: "Running", containerStatuses: [running("app")], podIP: "10.244.0.7", podIPs: [{ ip: "10.244.0.7" }] }, { nodeName: "node-1" }),
      { Name: "web-1", Ready: "1/1", Status: "Running", Restarts: "0", Age: "5m", IP: "10.244.0.7", Node: "node-1", "Nominated Node": "<none>", "Readiness Gates": "<none>" }],
    ["pending, nothing known", pod({ phase: "Pending" }),
      { Ready: "0/1", Status: "Pending", Restarts: "0", IP: "<none>", Node: "<none>" }],
    ["container creating", pod({ phase: "Pending", containerStatuses: [{ ...running("app"), ready: false, state: { waiting: { reason: "ContainerCreating" } } }] }),
      { Ready: "0/1", Status: "ContainerCreating" }],
    ["crash loop with restarts", pod({
      phase: "Running",
      containerStatuses: [{ ...running("app"), ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2024-05-01T11:54:48Z" } } }],
    }), { Ready: "0/1", Status: "CrashLoopBackOff", Restarts: "3 (5m12s ago)" }],
    ["restarts without a known time", pod({ phase: "Running", containerStatuses: [running("app", { restartCount: 2 })] }),
      { Restarts: "2" }],
    ["evicted", pod({ phase: "Failed", reason: "Evicted" }), { Status: "Evicted" }],
    ["completed", pod({ phase: "Succeeded", containerStatuses: [{ ...running("app"), ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } }] }),
      { Ready: "0/1", Status: "Completed" }],
    ["exit code without reason", pod({ phase: "Failed", containerStatuses: [{ ...running("app"), ready: false, state: { terminated: { exitCode: 2 } } }] }),
      { Status: "ExitCode:2" }],
    ["signal without reason", pod({ phase: "Failed", containerStatuses: [{ ...running("app"), ready: false, state: { terminated: { exitCode: 137, signal: 9 } } }] }),
      { Status: "Signal:9" }],
    ["completed with one still running, pod ready", pod({
      phase: "Running", conditions: [{ type: "Ready", status: "True" }],
      containerStatuses: [running("a"), { ...running("b"), ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } }],
    }, { containers: [{ name: "a" }, { name: "b" }] }), { Ready: "1/2", Status: "Running" }],
    ["completed with one still running, pod not ready", pod({
      phase: "Running",
      containerStatuses: [running("a"), { ...running("b"), ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } }],
    }, { containers: [{ name: "a" }, { name: "b" }] }), { Status: "NotReady" }],
    ["terminating", pod({ phase: "Running", containerStatuses: [running("app")] }, {}, { deletionTimestamp: "2024-05-01T12:00:30Z" }),
      { Status: "Terminating" }],
    ["node lost", pod({ phase: "Running", reason: "NodeLost" }, {}, { deletionTimestamp: "2024-05-01T12:00:30Z" }), { Status: "Unknown" }],
    ["scheduling gated", pod({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }),
      { Status: "SchedulingGated" }],
    ["init waiting", pod({ phase: "Pending", initContainerStatuses: [{ ...running("init"), ready: false, state: { waiting: { reason: "ImagePullBackOff" } } }] },
      { initContainers: [{ name: "init", image: "busybox" }] }), { Status: "Init:ImagePullBackOff" }],
    ["init running", pod({ phase: "Pending", initContainerStatuses: [{ ...running("i1"), state: { terminated: { exitCode: 0 } } }, { ...running("i2"), ready: false }] },
      { initContainers: [{ name: "i1" }, { name: "i2" }] }), { Status: "Init:1/2" }],
    ["init failed", pod({ phase: "Pending", initContainerStatuses: [{ ...running("i1"), ready: false, state: { terminated: { exitCode: 3 } } }] },
      { initContainers: [{ name: "i1" }] }), { Status: "Init:ExitCode:3" }],
    ["init failed with reason", pod({ phase: "Pending", initContainerStatuses: [{ ...running("i1"), ready: false, state: { terminated: { exitCode: 1, reason: "Error" } } }] },
      { initContainers: [{ name: "i1" }] }), { Status: "Init:Error" }],
    ["readiness gates", pod({ phase: "Running", conditions: [{ type: "example.com/ready", status: "True" }] },
      { readinessGates: [{ conditionType: "example.com/ready" }, { conditionType: "example.com/other" }] }), { "Readiness Gates": "1/2" }],
    ["nominated node", pod({ phase: "Pending", nominatedNodeName: "node-2" }), { "Nominated Node": "node-2" }],
    ["sidecar counts as a container", pod({
      phase: "Running",
      initContainerStatuses: [{ ...running("side"), started: true }],
      containerStatuses: [running("app")],
      conditions: [{ type: "Initialized", status: "True" }],
    }, { initContainers: [{ name: "side", restartPolicy: "Always" }] }), { Ready: "2/2", Status: "Running" }],
  ])("%s", (_, p, want) => {
    expect(cells(COLUMNS.pods, p)).toMatchObject(want);
  });

  it("row conditions mark finished pods", () => {
    expect(podRowConditions(pod({ phase: "Succeeded" }))?.[0]).toMatchObject({ type: "Completed", status: "True", reason: "Succeeded" });
    expect(podRowConditions(pod({ phase: "Failed" }))?.[0]?.reason).toBe("Failed");
    expect(podRowConditions(pod({ phase: "Running" }))).toBeUndefined();
  });
});

function svc(spec: Service["spec"], status?: Service["status"]): Service {
  return { metadata: { name: "web", namespace: "default", creationTimestamp: CREATED }, spec, ...(status ? { status } : {}) };
}

describe("service cells", () => {
  it.each<[string, Service, Record<string, unknown>]>([
    ["cluster IP", svc({ type: "ClusterIP", clusterIP: "10.0.0.12", clusterIPs: ["10.0.0.12"], ports: [{ port: 80, protocol: "TCP" }], selector: { tier: "fe", app: "web" } }),
      { Name: "web", Type: "ClusterIP", "Cluster-IP": "10.0.0.12", "External-IP": "<none>", "Port(s)": "80/TCP", Age: "5m", Selector: "app=web,tier=fe" }],
    ["headless, no ports, no selector", svc({ type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"] }),
      { "Cluster-IP": "None", "Port(s)": "<none>", Selector: "<none>" }],
    ["not yet allocated", svc({ type: "ClusterIP", ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] }),
      { "Cluster-IP": "<none>", "Port(s)": "53/UDP,53/TCP" }],
    ["node port with external IPs", svc({ type: "NodePort", clusterIPs: ["10.0.0.5"], externalIPs: ["1.2.3.4", "5.6.7.8"], ports: [{ port: 80, nodePort: 30080, protocol: "TCP" }] }),
      { "External-IP": "1.2.3.4,5.6.7.8", "Port(s)": "80:30080/TCP" }],
    ["load balancer pending", svc({ type: "LoadBalancer", clusterIPs: ["10.0.0.5"], ports: [{ port: 443, nodePort: 31443, protocol: "TCP" }] }),
      { "External-IP": "<pending>" }],
    ["load balancer ingress, never cut", svc({ type: "LoadBalancer", externalIPs: ["9.9.9.9"] },
      { loadBalancer: { ingress: [{ hostname: "a-very-long-load-balancer.example.com" }, { ip: "203.0.113.7" }] } }),
      { "External-IP": "203.0.113.7,a-very-long-load-balancer.example.com,9.9.9.9" }],
    ["external name", svc({ type: "ExternalName", externalName: "db.example.com" }), { "External-IP": "db.example.com", "Cluster-IP": "<none>" }],
  ])("%s", (_, s, want) => {
    expect(cells(COLUMNS.services, s)).toMatchObject(want);
  });
});

describe("endpoints cells", () => {
  const ep = (subsets: Endpoints["subsets"]): Endpoints => ({ metadata: { name: "web" }, ...(subsets ? { subsets } : {}) });
  it.each<[string, Endpoints, string]>([
    ["no subsets", ep(undefined), "<none>"],
    ["two addresses", ep([{ addresses: [{ ip: "10.244.0.7" }, { ip: "10.244.0.8" }], ports: [{ port: 80 }] }]), "10.244.0.7:80,10.244.0.8:80"],
    ["more than three", ep([{ addresses: ["1", "2", "3", "4", "5"].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }]),
      "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more..."],
    ["two ports count twice", ep([{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ name: "a", port: 80 }, { name: "b", port: 443 }] }]),
      "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more..."],
    ["no ports: bare IPs", ep([{ addresses: [{ ip: "10.0.0.1" }] }]), "10.0.0.1"],
    ["IPv6", ep([{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }]), "[fd00::1]:80"],
    ["only not-ready addresses", ep([{ notReadyAddresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }]), ""],
  ])("%s", (_, e, want) => {
    expect(formatEndpoints(e)).toBe(want);
    expect(COLUMNS.endpoints[1]!.cell(e, NOW)).toBe(want);
  });
});

describe("replication controller cells", () => {
  it("counts and wide cells", () => {
    const rc: ReplicationController = {
      metadata: { name: "web", creationTimestamp: CREATED },
      spec: { replicas: 3, selector: { app: "web", env: "prod" }, template: { spec: { containers: [{ name: "a", image: "nginx:1.25" }, { name: "b", image: "redis" }] } } },
      status: { replicas: 2, readyReplicas: 1 },
    };
    expect(cells(COLUMNS.replicationcontrollers, rc)).toEqual({
      Name: "web", Desired: 3, Current: 2, Ready: 1, Age: "5m", Containers: "a,b", Images: "nginx:1.25,redis", Selector: "app=web,env=prod",
    });
    expect(cells(COLUMNS.replicationcontrollers, { metadata: { name: "x" }, spec: {} })).toMatchObject({ Desired: 0, Current: 0, Ready: 0, Age: "<unknown>" });
  });
});

describe("node cells", () => {
  const node = (extra: Partial<Node> = {}, labels: Record<string, string> = {}): Node => ({
    metadata: { name: "node-1", creationTimestamp: CREATED, labels },
    status: {
      conditions: [{ type: "Ready", status: "True" }],
      addresses: [{ type: "Hostname", address: "node-1" }, { type: "InternalIP", address: "192.168.1.10" }],
      nodeInfo: { kubeletVersion: "v1.30.0", osImage: "Ubuntu 22.04", kernelVersion: "6.1.0", containerRuntimeVersion: "containerd://1.7.13" },
    },
    ...extra,
  });
  it.each<[string, Node, Record<string, unknown>]>([
    ["ready", node(), { Name: "node-1", Status: "Ready", Roles: "<none>", Age: "5m", Version: "v1.30.0", "Internal-IP": "192.168.1.10", "External-IP": "<none>", "OS-Image": "Ubuntu 22.04", "Kernel-Version": "6.1.0", "Container-Runtime": "containerd://1.7.13" }],
    ["not ready and cordoned", node({ spec: { unschedulable: true }, status: { conditions: [{ type: "Ready", status: "Unknown" }] } }),
      { Status: "NotReady,SchedulingDisabled", Version: "", "Internal-IP": "<none>", "OS-Image": "<unknown>", "Kernel-Version": "<unknown>", "Container-Runtime": "<unknown>" }],
    ["no ready condition", node({ status: {} }), { Status: "Unknown" }],
    ["roles", node({}, { "node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "infra", "node-role.kubernetes.io/": "x" }),
      { Roles: "control-plane,infra,worker" }],
  ])("%s", (_, n, want) => {
    expect(cells(COLUMNS.nodes, n)).toMatchObject(want);
  });
});

describe("event cells", () => {
  const base: Event = {
    metadata: { name: "web-1.17c9a5e2b4f0a1c3", namespace: "default" },
    involvedObject: { kind: "Pod", name: "web-1", namespace: "default", fieldPath: "spec.containers{app}" },
    reason: "Pulled", message: "  Successfully pulled image\n", type: "Normal",
    firstTimestamp: "2024-05-01T11:50:00Z", lastTimestamp: "2024-05-01T11:58:00Z", count: 4,
    source: { component: "kubelet", host: "node-1" },
  };
  it.each<[string, Event, Record<string, unknown>]>([
    ["classic", base, { "Last Seen": "2m", Type: "Normal", Reason: "Pulled", Object: "pod/web-1", Subobject: "spec.containers{app}", Source: "kubelet, node-1",
      Message: "Successfully pulled image", "First Seen": "10m", Count: 4, Name: "web-1.17c9a5e2b4f0a1c3" }],
    ["no last timestamp, no count", { ...base, lastTimestamp: null, count: undefined }, { "Last Seen": "10m", Count: 1 }],
    ["newer producer", { ...base, firstTimestamp: null, lastTimestamp: null, count: undefined, eventTime: "2024-05-01T11:59:00.123456Z",
      source: {}, reportingComponent: "default-scheduler", reportingInstance: "" }, { "Last Seen": "59s", "First Seen": "59s", Source: "default-scheduler" }],
    ["series", { ...base, series: { count: 7, lastObservedTime: "2024-05-01T11:59:30.000000Z" } }, { "Last Seen": "30s", Count: 7 }],
    ["cluster object without name", { ...base, involvedObject: { kind: "Node" } }, { Object: "node" }],
  ])("%s", (_, e, want) => {
    expect(cells(COLUMNS.events, e)).toMatchObject(want);
  });
});

describe("small kinds", () => {
  it("namespace", () => {
    const ns: Namespace = { metadata: { name: "dev", creationTimestamp: CREATED }, status: { phase: "Active" } };
    expect(cells(COLUMNS.namespaces, ns)).toEqual({ Name: "dev", Status: "Active", Age: "5m" });
  });
  it("secret", () => {
    const s: Secret = { metadata: { name: "creds", creationTimestamp: CREATED }, type: "Opaque", data: { a: "eA==", b: "eQ==" } };
    expect(cells(COLUMNS.secrets, s)).toEqual({ Name: "creds", Type: "Opaque", Data: 2, Age: "5m" });
  });
  it("configmap counts data and binaryData", () => {
    const c: ConfigMap = { metadata: { name: "cfg", creationTimestamp: CREATED }, data: { a: "1" }, binaryData: { b: "AA==" } };
    expect(cells(COLUMNS.configmaps, c)).toEqual({ Name: "cfg", Data: 2, Age: "5m" });
  });
  it("service account", () => {
    const sa: ServiceAccount = { metadata: { name: "default", creationTimestamp: CREATED } };
    expect(cells(COLUMNS.serviceaccounts, sa)).toEqual({ Name: "default", Secrets: 0, Age: "5m" });
  });
  it.each<[string, PersistentVolumeClaim, Record<string, unknown>]>([
    ["pending", { metadata: { name: "data", creationTimestamp: CREATED }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } }, status: { phase: "Pending" } },
      { Name: "data", Status: "Pending", Volume: "", Capacity: "", "Access Modes": "", StorageClass: "", VolumeAttributesClass: "<unset>", Age: "5m", VolumeMode: "<unset>" }],
    ["bound", { metadata: { name: "data", creationTimestamp: CREATED }, spec: { volumeName: "pv-1", storageClassName: "standard", volumeMode: "Filesystem" },
      status: { phase: "Bound", capacity: { storage: "10Gi" }, accessModes: ["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"] } },
      { Status: "Bound", Volume: "pv-1", Capacity: "10Gi", "Access Modes": "RWO,RWX", StorageClass: "standard", VolumeMode: "Filesystem" }],
    ["terminating, beta class annotation", { metadata: { name: "d", deletionTimestamp: CREATED, annotations: { "volume.beta.kubernetes.io/storage-class": "old" } },
      spec: { storageClassName: "new" }, status: { phase: "Bound" } }, { Status: "Terminating", StorageClass: "old" }],
  ])("pvc %s", (_, p, want) => {
    expect(cells(COLUMNS.persistentvolumeclaims, p)).toMatchObject(want);
  });
});
