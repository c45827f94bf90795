// kubectl describe layouts, byte for byte (cli-conventions §7.7).
import { expect, test } from "vitest";
import { describeObject, formatRfc1123z, smartLabelFor } from "../../src/formatters/describe.ts";

const now = new Date("2024-05-01T12:10:00Z");
const pod: any = {
  apiVersion: "v1", kind: "Pod",
  metadata: { name: "web-1", namespace: "default", uid: "u1", creationTimestamp: "2024-05-01T12:00:00Z",
    labels: { app: "web", tier: "frontend" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", "note": "hello" },
    ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: "rc1", controller: true }] },
  spec: { nodeName: "node-1", priority: 0, serviceAccountName: "default",
    containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80, protocol: "TCP" }],
      resources: { limits: { memory: "128Mi", cpu: "500m" }, requests: { cpu: "0.25", memory: "64Mi" } },
      env: [{ name: "MODE", value: "prod" }, { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } }],
      volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "cfg", mountPath: "/etc/cfg", readOnly: true }] }],
    volumes: [{ name: "data", emptyDir: {} }, { name: "cfg", configMap: { name: "web-cfg" } }],
    tolerations: [
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }] },
  status: { phase: "Running", hostIP: "192.168.49.2", podIP: "10.244.0.7", podIPs: [{ ip: "10.244.0.7" }],
    startTime: "2024-05-01T12:00:07Z", qosClass: "Burstable",
    conditions: [{ type: "Initialized", status: "True" }, { type: "Ready", status: "True" }, { type: "ContainersReady", status: "True" }, { type: "PodScheduled", status: "True" }],
    containerStatuses: [{ name: "app", image: "nginx:1.25", imageID: "docker.io/library/nginx@sha256:abc", containerID: "containerd://3f2a", ready: true, restartCount: 1,
      state: { running: { startedAt: "2024-05-01T12:00:09Z" } },
      lastState: { terminated: { exitCode: 137, reason: "OOMKilled", startedAt: "2024-05-01T12:00:08Z", finishedAt: "2024-05-01T12:00:08Z" } } }] },
};
const events: any[] = [
  { involvedObject: { kind: "Pod", name: "web-1" }, metadata: { name: "e2" }, type: "Normal", reason: "Pulled", message: "Container image \"nginx:1.25\" already present on machine", count: 5, firstTimestamp: "2024-05-01T12:00:00Z", lastTimestamp: "2024-05-01T12:07:00Z", source: { component: "kubelet", host: "node-1" } },
  { involvedObject: { kind: "Pod", name: "web-1" }, metadata: { name: "e1" }, type: "Normal", reason: "Scheduled", message: "Successfully assigned default/web-1 to node-1", count: 1, firstTimestamp: "2024-05-01T12:00:00Z", lastTimestamp: "2024-05-01T12:00:00Z", source: { component: "default-scheduler" } },
];

const svc: any = { kind: "Service", apiVersion: "v1", metadata: { name: "web", namespace: "default", labels: { app: "web" } },
  spec: { type: "NodePort", selector: { app: "web" }, clusterIP: "10.96.0.12", clusterIPs: ["10.96.0.12"], ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack",
    ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: "TCP" }], sessionAffinity: "None", externalTrafficPolicy: "Cluster", internalTrafficPolicy: "Cluster" } };
const ep: any = { kind: "Endpoints", metadata: { name: "web" }, subsets: [{ addresses: [{ ip: "10.244.0.7" }, { ip: "10.244.0.8" }, { ip: "10.244.0.9" }, { ip: "10.244.0.10" }], ports: [{ port: 8080, protocol: "TCP" }] }] };
const rc: any = { kind: "ReplicationController", apiVersion: "v1", metadata: { name: "web", namespace: "default", uid: "rc1", labels: { app: "web" } },
  spec: { replicas: 3, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80, protocol: "TCP" }] }] } } },
  status: { replicas: 2, readyReplicas: 1 } };
const ns: any = { kind: "Namespace", apiVersion: "v1", metadata: { name: "default", labels: { "kubernetes.io/metadata.name": "default" } }, status: { phase: "Active" } };
const node: any = { kind: "Node", apiVersion: "v1", metadata: { name: "node-1", creationTimestamp: "2024-05-01T11:00:00Z", labels: { "kubernetes.io/hostname": "node-1", "node-role.kubernetes.io/control-plane": "" } },
  spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"], taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] },
  status: { capacity: { cpu: "4", memory: "8Gi", pods: "110", "ephemeral-storage": "100Gi" }, allocatable: { cpu: "4", memory: "8Gi", pods: "110", "ephemeral-storage": "100Gi" },
    conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2024-05-01T12:09:50Z", lastTransitionTime: "2024-05-01T11:00:10Z", reason: "KubeletReady", message: "kubelet is posting ready status" }],
    addresses: [{ type: "InternalIP", address: "192.168.49.2" }, { type: "Hostname", address: "node-1" }],
    nodeInfo: { machineID: "m1", systemUUID: "s1", bootID: "b1", kernelVersion: "6.1.0", osImage: "Ubuntu 22.04", operatingSystem: "linux", architecture: "amd64", containerRuntimeVersion: "containerd://1.7.0", kubeletVersion: "v1.30.0", kubeProxyVersion: "v1.30.0" } } };
const cm: any = { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "cfg", namespace: "default", uid: "x", resourceVersion: "5", creationTimestamp: "2024-05-01T12:00:00Z" }, data: { "app.conf": "a=1", key: "v" } };

test("a pod with a restart, env, volumes, tolerations and repeated events", () => {
  expect(describeObject(pod, { events, now })).toBe(`Name:             web-1
Namespace:        default
Priority:         0
Service Account:  default
Node:             node-1/192.168.49.2
Start Time:       Wed, 01 May 2024 12:00:07 +0000
Labels:           app=web
                  tier=frontend
Annotations:      note: hello
Status:           Running
IP:               10.244.0.7
IPs:
  IP:           10.244.0.7
Controlled By:  ReplicationController/web
Containers:
  app:
    Container ID:   containerd://3f2a
    Image:          nginx:1.25
    Image ID:       docker.io/library/nginx@sha256:abc
    Port:           80/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Wed, 01 May 2024 12:00:09 +0000
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Wed, 01 May 2024 12:00:08 +0000
      Finished:     Wed, 01 May 2024 12:00:08 +0000
    Ready:          True
    Restart Count:  1
    Limits:
      cpu:     500m
      memory:  128Mi
    Requests:
      cpu:     250m
      memory:  64Mi
    Environment:
      MODE:      prod
      POD_NAME:  web-1 (v1:metadata.name)
    Mounts:
      /data from data (rw)
      /etc/cfg from cfg (ro)
Conditions:
  Type              Status
  Initialized       True 
  Ready             True 
  ContainersReady   True 
  PodScheduled      True 
Volumes:
  data:
    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:     
    SizeLimit:  <unset>
  cfg:
    Type:        ConfigMap (a volume populated by a ConfigMap)
    Name:        web-cfg
    Optional:    false
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                 node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type    Reason     Age               From               Message
  ----    ------     ----              ----               -------
  Normal  Scheduled  10m               default-scheduler  Successfully assigned default/web-1 to node-1
  Normal  Pulled     3m (x5 over 10m)  kubelet            Container image "nginx:1.25" already present on machine
`);
});

test("a NodePort service with endpoints", () => {
  expect(describeObject(svc, { events: [], now, endpoints: ep })).toBe(`Name:                     web
Namespace:                default
Labels:                   app=web
Annotations:              <none>
Selector:                 app=web
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.0.12
IPs:                      10.96.0.12
Port:                     <unset>  80/TCP
TargetPort:               8080/TCP
NodePort:                 <unset>  30080/TCP
Endpoints:                10.244.0.7:8080,10.244.0.8:8080,10.244.0.9:8080 + 1 more...
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
`);
});

test("a replication controller with its pods", () => {
  expect(describeObject(rc, { events: [], now, pods: [pod] })).toBe(`Name:         web
Namespace:    default
Selector:     app=web
Labels:       app=web
Annotations:  <none>
Replicas:     2 current / 3 desired
Pods Status:  1 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=web
  Containers:
   app:
    Image:         nginx:1.25
    Port:          80/TCP
    Host Port:     0/TCP
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:            <none>
`);
});

test("a namespace", () => {
  expect(describeObject(ns, { events: [], now })).toBe(`Name:         default
Labels:       kubernetes.io/metadata.name=default
Annotations:  <none>
Status:       Active

No resource quota.

No LimitRange resource.
`);
});

test("a node with a pod and resources", () => {
  expect(describeObject(node, { events: [], now, pods: [pod] })).toBe(`Name:               node-1
Roles:              control-plane
Labels:             kubernetes.io/hostname=node-1
                    node-role.kubernetes.io/control-plane=
Annotations:        <none>
CreationTimestamp:  Wed, 01 May 2024 11:00:00 +0000
Taints:             node-role.kubernetes.io/control-plane:NoSchedule
Unschedulable:      false
Lease:
  HolderIdentity:  <unset>
  AcquireTime:     <unset>
  RenewTime:       <unset>
Conditions:
  Type    Status  LastHeartbeatTime                 LastTransitionTime                Reason         Message
  ----    ------  -----------------                 ------------------                ------         -------
  Ready   True    Wed, 01 May 2024 12:09:50 +0000   Wed, 01 May 2024 11:00:10 +0000   KubeletReady   kubelet is posting ready status
Addresses:
  InternalIP:  192.168.49.2
  Hostname:    node-1
Capacity:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
Allocatable:
  cpu:                4
  ephemeral-storage:  100Gi
  memory:             8Gi
  pods:               110
System Info:
  Machine ID:                 m1
  System UUID:                s1
  Boot ID:                    b1
  Kernel Version:             6.1.0
  OS Image:                   Ubuntu 22.04
  Operating System:           linux
  Architecture:               amd64
  Container Runtime Version:  containerd://1.7.0
  Kubelet Version:            v1.30.0
  Kube-Proxy Version:         v1.30.0
PodCIDR:                      10.244.0.0/24
PodCIDRs:                     10.244.0.0/24
Non-terminated Pods:          (1 in total)
  Namespace                   Name     CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----     ------------  ----------  ---------------  -------------  ---
  default                     web-1    250m (6%)     500m (12%)  64Mi (0%)        128Mi (1%)     10m
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests   Limits
  --------           --------   ------
  cpu                250m (6%)  500m (12%)
  memory             64Mi (0%)  128Mi (1%)
  ephemeral-storage  0 (0%)     0 (0%)
Events:              <none>
`);
});

test("any other kind, generically", () => {
  expect(describeObject(cm, { events: [], now })).toBe(`Name:         cfg
Namespace:    default
Labels:       <none>
Annotations:  <none>
API Version:  v1
Data:
  app.conf:  a=1
  Key:       v
Kind:        ConfigMap
Metadata:
  Creation Timestamp:  2024-05-01T12:00:00Z
  Resource Version:    5
  UID:                 x
Events:                <none>
`);
});

test("events: <none> when empty; dates RFC 1123 with numeric zone", () => {
  expect(describeObject({ ...pod, status: { phase: "Pending" }, spec: { containers: [] } }, { events: [], now }))
    .toContain("Tolerations:     <none>\nEvents:          <none>\n");
  expect(formatRfc1123z("2024-05-01T12:00:07Z")).toBe("Wed, 01 May 2024 12:00:07 +0000");
  expect(formatRfc1123z(undefined)).toBe("Mon, 01 Jan 0001 00:00:00 +0000");
});

test.each([["apiVersion", "API Version"], ["creationTimestamp", "Creation Timestamp"], ["uid", "UID"],
  ["app.conf", "app.conf"], ["podIPs", "Pod I Ps"], ["URLPath", "URL Path"]])("smart label %s", (field, want) => {
  expect(smartLabelFor(field)).toBe(want);
});
