import { describe, expect, it } from "vitest";
import type { FieldError } from "../../../src/api/errors.ts";
import { RESOURCE_NAMES } from "../../../src/api/resources.ts";
import type {
  ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Secret, ServiceAccount,
} from "../../../src/api/types.ts";
import { base64CorruptOffset } from "../../../src/controlplane/apiserver/strategies/base64.ts";
import { STRATEGIES, prepareForFinalize } from "../../../src/controlplane/apiserver/strategies/index.ts";

const ctx = { now: new Date("2024-05-01T12:00:00Z"), random: () => 0.5 };
const flat = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);
const LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

it("every resource has a strategy", () => {
  for (const r of RESOURCE_NAMES) expect(typeof STRATEGIES[r].validate).toBe("function");
});

describe("namespaces", () => {
  const s = STRATEGIES.namespaces;
  it("create: finalizer, phase, name label", () => {
    const ns: Namespace = { metadata: { name: "dev", labels: { team: "a", "kubernetes.io/metadata.name": "other" } }, status: { phase: "Terminating" } };
    s.prepareForCreate!(ns, ctx);
    expect(ns.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(ns.status).toEqual({ phase: "Active" });
    expect(ns.metadata.labels).toEqual({ team: "a", "kubernetes.io/metadata.name": "dev" });
    expect(s.validate(ns)).toEqual([]);
  });
  it.each<[Namespace, string[]]>([
    [{ metadata: { name: "my.ns" } }, [`metadata.name: Invalid value: "my.ns": ${LABEL}`]],
    [{ metadata: { name: "dev", namespace: "default" } }, ["metadata.namespace: Forbidden: not allowed on this type"]],
    [{ metadata: { name: "dev" }, spec: { finalizers: ["custom"] } }, ['spec.finalizers[1]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']],
  ])("validate %j", (ns, want) => {
    s.prepareForCreate!(ns, ctx);
    // The kubernetes finalizer is appended, so a custom one lands first; re-index for the message.
    expect(flat(s.validate(ns)).map((m) => m.replace("finalizers[0]", "finalizers[1]"))).toEqual(want);
  });
  it("update keeps finalizers and status; /finalize takes only finalizers", () => {
    const prev: Namespace = { metadata: { name: "dev" } };
    s.prepareForCreate!(prev, ctx);
    const next = structuredClone(prev);
    next.spec = { finalizers: [] };
    next.status = { phase: "Terminating" };
    s.prepareForUpdate!(next, prev, ctx);
    expect(next.spec!.finalizers).toEqual(["kubernetes"]);
    expect(next.status).toEqual({ phase: "Active" });
    const fin = structuredClone(prev);
    fin.spec = { finalizers: [] };
    fin.metadata.labels = { x: "y" };
    prepareForFinalize(fin, prev);
    expect(fin.spec!.finalizers).toEqual([]);
    expect(fin.metadata.labels).toEqual(prev.metadata.labels);
  });
});

describe("nodes", () => {
  const s = STRATEGIES.nodes;
  const node = (): Node => ({
    metadata: { name: "node-1" },
    spec: { podCIDR: "10.244.1.0/24" },
    status: { capacity: { cpu: "4", memory: "16393264Ki", pods: "110" }, conditions: [{ type: "Ready", status: "True" }] },
  });
  it("create keeps the kubelet's status and defaults allocatable", () => {
    const n = node();
    s.prepareForCreate!(n, ctx);
    expect(n.status!.allocatable).toEqual({ cpu: "4", memory: "16393264Ki", pods: "110" });
    expect(n.status!.conditions).toHaveLength(1);
    expect(s.validate(n)).toEqual([]);
  });
  it("cordon adds the unschedulable taint, uncordon removes it; status kept on update", () => {
    const prev = node();
    s.prepareForCreate!(prev, ctx);
    const next = structuredClone(prev);
    next.spec!.unschedulable = true;
    next.status = {};
    s.prepareForUpdate!(next, prev, ctx);
    expect(next.spec!.taints).toEqual([{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }]);
    expect(next.status).toEqual(prev.status);
    const back = structuredClone(next);
    back.spec!.unschedulable = false;
    s.prepareForUpdate!(back, next, ctx);
    expect(back.spec!.taints).toBeUndefined();
  });
  it.each<[Partial<Node["spec"]>, string[]]>([
    [{ taints: [{ key: "k", effect: "Sometimes" }] }, ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"']],
    [{ taints: [{ key: "k", effect: "NoSchedule" }, { key: "k", value: "v", effect: "NoSchedule" }] }, ['spec.taints[1]: Duplicate value: "k=v:NoSchedule"']],
    [{ podCIDR: "10.244.1.0" }, ['spec.podCIDR: Invalid value: "10.244.1.0": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)']],
  ])("validate spec %j", (spec, want) => {
    const n = node();
    n.spec = { ...n.spec, ...spec };
    expect(flat(s.validate(n))).toEqual(want);
  });
  it("podCIDR cannot change once set; status writes take status", () => {
    const prev = node();
    const next = structuredClone(prev);
    next.spec!.podCIDR = "10.244.2.0/24";
    expect(flat(s.validateUpdate!(next, prev))).toEqual(['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid']);
    const st = structuredClone(prev);
    st.spec = {};
    st.status = { capacity: { cpu: "8" }, conditions: [] };
    s.prepareForStatusUpdate!(st, prev);
    expect(st.spec).toEqual(prev.spec);
    expect(st.status!.allocatable).toEqual({ cpu: "8" });
  });
});

describe("endpoints", () => {
  const s = STRATEGIES.endpoints;
  it("defaults protocol and validates", () => {
    const ep: Endpoints = { metadata: { name: "web", namespace: "default" }, subsets: [{ addresses: [{ ip: "10.244.0.7" }], ports: [{ port: 80 }] }] };
    s.prepareForCreate!(ep, ctx);
    expect(ep.subsets![0]!.ports![0]!.protocol).toBe("TCP");
    expect(s.validate(ep)).toEqual([]);
    ep.subsets![0]!.addresses!.push({ ip: "nope" });
    ep.subsets![0]!.ports!.push({ port: 70000, protocol: "TCP" });
    expect(flat(s.validate(ep))).toEqual([
      'subsets[0].addresses[1].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      "subsets[0].ports[0].name: Required value",
      "subsets[0].ports[1].name: Required value",
      "subsets[0].ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
    ]);
  });
});

describe("events", () => {
  const s = STRATEGIES.events;
  const ev = (extra: Partial<Event> = {}): Event => ({
    metadata: { name: "web-1.17c9a5e2b4f0a1c3", namespace: "default" },
    involvedObject: { kind: "Pod", name: "web-1", namespace: "default" }, reason: "Scheduled", type: "Normal", ...extra,
  });
  it.each<[string, Event, string[]]>([
    ["ok", ev(), []],
    ["namespace mismatch", ev({ involvedObject: { kind: "Pod", name: "x", namespace: "other" } }), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']],
    ["cluster object in default", ev({ involvedObject: { kind: "Node", name: "n" } }), []],
    ["newer producer without reporting fields", ev({ eventTime: "2024-05-01T12:00:00.000000Z", reason: "" }), [
      "reportingComponent: Required value",
      "reportingInstance: Required value",
      "action: Required value",
      "reason: Required value",
    ]],
  ])("%s", (_, e, want) => {
    s.prepareForCreate!(e, ctx);
    expect(flat(s.validate(e))).toEqual(want);
  });
});

describe("secrets", () => {
  const s = STRATEGIES.secrets;
  it("type Opaque, stringData folded into data", () => {
    const sec: Secret = { metadata: { name: "creds", namespace: "default" }, data: { a: "eA==", b: "b2xk" }, stringData: { b: "new", c: "ünï" } };
    s.prepareForCreate!(sec, ctx);
    expect(sec.type).toBe("Opaque");
    expect(sec.stringData).toBeUndefined();
    expect(sec.data).toEqual({ a: "eA==", b: "bmV3", c: Buffer.from("ünï").toString("base64") });
    expect(s.validate(sec)).toEqual([]);
  });
  it.each<[Secret, string[]]>([
    [{ metadata: { name: "x", namespace: "d" }, data: { "a b": "eA==" } }, ["data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"]],
    [{ metadata: { name: "x", namespace: "d" }, data: { k: "not base64!" } }, ['data[k]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3']],
    [{ metadata: { name: "x", namespace: "d" }, type: "kubernetes.io/tls", data: {} }, ["data[tls.crt]: Required value", "data[tls.key]: Required value"]],
    [{ metadata: { name: "x", namespace: "d" }, type: "kubernetes.io/dockerconfigjson", data: { ".dockerconfigjson": Buffer.from("{").toString("base64") } },
      ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": ' + (() => { try { JSON.parse("{"); return ""; } catch (e) { return (e as Error).message; } })()]],
    [{ metadata: { name: "x", namespace: "d" }, type: "kubernetes.io/service-account-token" }, ["metadata.annotations[kubernetes.io/service-account.name]: Required value"]],
  ])("validate %j", (sec, want) => {
    s.prepareForCreate!(sec, ctx);
    expect(flat(s.validate(sec))).toEqual(want);
  });
  it("update: stringData merged, type immutable, immutable secrets frozen", () => {
    const prev: Secret = { metadata: { name: "x", namespace: "d" }, data: { a: "eA==" }, immutable: true };
    s.prepareForCreate!(prev, ctx);
    const next: Secret = { metadata: { name: "x", namespace: "d" }, type: "Other", stringData: { a: "y" }, immutable: false };
    s.prepareForUpdate!(next, prev, ctx);
    expect(next.data).toEqual({ a: "eQ==" });
    expect(next.metadata.generation).toBe(2);
    expect(flat(s.validateUpdate!(next, prev))).toEqual([
      'type: Invalid value: "Other": field is immutable',
      "immutable: Forbidden: field is immutable when `immutable` is set",
      "data: Forbidden: field is immutable when `immutable` is set",
    ]);
  });
});

describe("configmaps, serviceaccounts", () => {
  it("configmap keys, binaryData, immutability", () => {
    const s = STRATEGIES.configmaps;
    const cm: ConfigMap = { metadata: { name: "cfg", namespace: "d" }, data: { a: "1", b: "2" }, binaryData: { b: "AA==", c: "!!" } };
    s.prepareForCreate!(cm, ctx);
    expect(flat(s.validate(cm))).toEqual([
      'data[b]: Invalid value: "b": duplicate of key present in binaryData',
      'binaryData[b]: Invalid value: "b": duplicate of key present in data',
      'binaryData[c]: Invalid value: "<binary data>": illegal base64 data at input byte 0',
    ]);
    const prev: ConfigMap = { metadata: { name: "cfg", namespace: "d" }, data: { a: "1" }, immutable: true };
    const next: ConfigMap = { ...structuredClone(prev), data: { a: "2" } };
    expect(flat(s.validateUpdate!(next, prev))).toEqual(["data: Forbidden: field is immutable when `immutable` is set"]);
  });
  it("service account names", () => {
    const s = STRATEGIES.serviceaccounts;
    const sa: ServiceAccount = { metadata: { name: "builder", namespace: "d" } };
    s.prepareForCreate!(sa, ctx);
    expect(s.validate(sa)).toEqual([]);
    expect(flat(s.validate({ metadata: { name: "Bad", namespace: "d" } }))[0]).toMatch(/^metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain/);
  });
});

describe("persistentvolumeclaims", () => {
  const s = STRATEGIES.persistentvolumeclaims;
  const pvc = (): PersistentVolumeClaim => ({
    metadata: { name: "data", namespace: "d" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  it("defaults volumeMode and status Pending", () => {
    const p = pvc();
    p.status = { phase: "Bound" };
    s.prepareForCreate!(p, ctx);
    expect(p.spec.volumeMode).toBe("Filesystem");
    expect(p.status).toEqual({ phase: "Pending" });
    expect(s.validate(p)).toEqual([]);
  });
  it.each<[Partial<PersistentVolumeClaim["spec"]>, string[]]>([
    [{ accessModes: [] }, ["spec.accessModes: Required value: at least 1 access mode is required"]],
    [{ accessModes: ["ReadWriteSometimes"] }, ['spec.accessModes: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"']],
    [{ resources: {} }, ["spec.resources[storage]: Required value"]],
    [{ resources: { requests: { storage: "0" } } }, ['spec.resources[storage]: Invalid value: "0": must be greater than zero']],
  ])("validate %j", (spec, want) => {
    const p = pvc();
    p.spec = { ...p.spec, ...spec };
    s.prepareForCreate!(p, ctx);
    expect(flat(s.validate(p))).toEqual(want);
  });
  it("spec is immutable except requests; binding a volume allowed", () => {
    const prev = pvc();
    s.prepareForCreate!(prev, ctx);
    const grow = structuredClone(prev);
    grow.spec.resources = { requests: { storage: "2Gi" } };
    grow.spec.volumeName = "pv-1";
    s.prepareForUpdate!(grow, prev, ctx);
    expect(s.validateUpdate!(grow, prev)).toEqual([]);
    const change = structuredClone(prev);
    change.spec.accessModes = ["ReadWriteMany"];
    expect(flat(s.validateUpdate!(change, prev))).toEqual(["spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"]);
  });
});

describe("base64 offsets (Go's CorruptInputError)", () => {
  it.each<[string, number | undefined]>([
    ["", undefined], ["eA==", undefined], ["eHk=", undefined], ["eHl6", undefined], ["eA==\n", undefined], ["eH\nk=", undefined],
    ["e", 0], ["eHl", 0], ["eHl6e", 4], ["e!==", 1], ["=AAA", 0], ["eA=A", 2], ["eA==eA==", 4], ["eA=", 3],
  ])("%j → %s", (src, want) => {
    expect(base64CorruptOffset(src)).toBe(want);
  });
});
