import { describe, expect, it } from "vitest";
import type { FieldError } from "../../../src/api/errors.ts";
import type { Pod } from "../../../src/api/types.ts";
import { imageTag, podQOSClass, podStrategy } from "../../../src/controlplane/apiserver/strategies/pod.ts";

const ctx = { now: new Date("2024-05-01T12:00:00Z"), random: () => 0.5 };
const flat = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function newPod(spec: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "default", ...meta }, spec: { containers: [{ name: "app", image: "nginx:1.25" }], ...spec } };
}

function created(p: Pod): Pod {
  podStrategy.prepareForCreate!(p, ctx);
  return p;
}

describe("pod defaults on create", () => {
  it("fills spec, container and admission defaults, status Pending + QoS", () => {
    const p = created(newPod({ containers: [{ name: "app", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] }));
    expect(p.spec).toMatchObject({
      restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30, schedulerName: "default-scheduler",
      securityContext: {}, enableServiceLinks: true, serviceAccountName: "default", serviceAccount: "default", priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
    });
    expect(p.spec.containers[0]).toMatchObject({
      imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File",
      resources: {}, ports: [{ containerPort: 80, protocol: "TCP" }],
    });
    expect(p.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
    expect(p.metadata.generation).toBe(1);
    expect(podStrategy.validate(p)).toEqual([]);
  });

  it("a client-sent status is replaced", () => {
    const p = newPod();
    p.status = { phase: "Running", podIP: "1.2.3.4" };
    expect(created(p).status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it.each([
    ["nginx", "Always"], ["nginx:latest", "Always"], ["nginx:1.25", "IfNotPresent"],
    ["registry:5000/team/app", "Always"], ["registry:5000/team/app:v2", "IfNotPresent"],
    ["nginx@sha256:abcd", "IfNotPresent"], ["nginx:latest@sha256:abcd", "Always"],
  ])("image %s → imagePullPolicy %s", (image, policy) => {
    expect(created(newPod({ containers: [{ name: "app", image }] })).spec.containers[0]!.imagePullPolicy).toBe(policy);
  });

  it("keeps an explicit pull policy and an existing toleration", () => {
    const p = created(newPod({
      containers: [{ name: "app", image: "nginx", imagePullPolicy: "Never" }],
      tolerations: [{ operator: "Exists" }],
      serviceAccountName: "builder",
    }));
    expect(p.spec.containers[0]!.imagePullPolicy).toBe("Never");
    expect(p.spec.tolerations).toEqual([{ operator: "Exists" }]);
    expect(p.spec.serviceAccountName).toBe("builder");
  });

  it("adds only the toleration not already present", () => {
    const p = created(newPod({ tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 10 }] }));
    expect(p.spec.tolerations!.map((t) => `${t.key}:${t.tolerationSeconds}`)).toEqual(["node.kubernetes.io/not-ready:10", "node.kubernetes.io/unreachable:300"]);
  });

  it("requests default to limits; hostNetwork ports; probe defaults", () => {
    const p = created(newPod({
      hostNetwork: true,
      containers: [{ name: "app", image: "x:1", ports: [{ containerPort: 8080 }], resources: { limits: { cpu: "1", memory: "1Gi" } }, livenessProbe: { httpGet: { port: 80 } } }],
    }));
    const c = p.spec.containers[0]!;
    expect(c.resources).toEqual({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "1", memory: "1Gi" } });
    expect(c.ports![0]!.hostPort).toBe(8080);
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80 }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(p.status!.qosClass).toBe("Guaranteed");
  });
});

describe("imageTag and QoS", () => {
  it("imageTag", () => {
    expect(imageTag("a/b:c")).toBe("c");
    expect(imageTag("a@sha256:x")).toBe("");
  });
  it.each<[string, Pod["spec"]["containers"], string]>([
    ["no resources", [{ name: "a" }], "BestEffort"],
    ["requests only", [{ name: "a", resources: { requests: { cpu: "100m" } } }], "Burstable"],
    ["equal limits", [{ name: "a", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }], "Guaranteed"],
    ["limits differ", [{ name: "a", resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }], "Burstable"],
    ["one container lacks limits", [
      { name: "a", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } }, { name: "b" }], "Burstable"],
    ["only non-QoS resources", [{ name: "a", resources: { limits: { "nvidia.com/gpu": "1" } } }], "BestEffort"],
  ])("%s", (_, containers, want) => {
    expect(podQOSClass({ containers })).toBe(want);
  });
});

describe("pod validation", () => {
  it.each<[string, Partial<Pod["spec"]>, Partial<Pod["metadata"]>, string[]]>([
    ["no containers", { containers: [] }, {}, ["spec.containers: Required value"]],
    ["no image", { containers: [{ name: "app" }] }, {}, ["spec.containers[0].image: Required value"]],
    ["no container name", { containers: [{ name: "", image: "x" }] }, {}, ["spec.containers[0].name: Required value"]],
    ["duplicate names", { containers: [{ name: "app", image: "x" }, { name: "app", image: "y" }] }, {}, ['spec.containers[1].name: Duplicate value: "app"']],
    ["bad container name", { containers: [{ name: "App", image: "x" }] }, {},
      ["spec.containers[0].name: Invalid value: \"App\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]],
    ["bad restart policy", { restartPolicy: "Sometimes" }, {}, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"']],
    ["port out of range", { containers: [{ name: "a", image: "x", ports: [{ containerPort: 70000 }] }] }, {},
      ["spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]],
    ["port missing", { containers: [{ name: "a", image: "x", ports: [{ containerPort: 0 }] }] }, {}, ["spec.containers[0].ports[0].containerPort: Required value"]],
    ["bad port name and protocol", { containers: [{ name: "a", image: "x", ports: [{ name: "HTTP", containerPort: 80, protocol: "ICMP" }] }] }, {}, [
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.containers[0].ports[0].name: Invalid value: "HTTP": must contain at least one letter (a-z)',
      'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    ]],
    ["bad pull policy", { containers: [{ name: "a", image: "x", imagePullPolicy: "Sometimes" }] }, {},
      ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
    ["mount of an unknown volume", { containers: [{ name: "a", image: "x", volumeMounts: [{ name: "data", mountPath: "/d" }] }] }, {},
      ['spec.containers[0].volumeMounts[0].name: Not found: "data"']],
    ["requests above limits", { containers: [{ name: "a", image: "x", resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }] }, {},
      ['spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1']],
    ["bad quantity", { containers: [{ name: "a", image: "x", resources: { limits: { memory: "lots" } } }] }, {},
      // The request defaulted from the limit is just as bad.
      ["spec.containers[0].resources.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]],
    ["bad toleration", { tolerations: [{ key: "k", operator: "Exists", value: "v" }] }, {},
      ['spec.tolerations[0].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when `operator` is \'Exists\'']],
    ["missing name", {}, { name: "" }, ["metadata.name: Required value: name or generateName is required"]],
    ["missing namespace", {}, { namespace: "" }, ["metadata.namespace: Required value"]],
  ])("%s", (_, spec, meta, want) => {
    const p = created(newPod(spec, meta));
    expect(flat(podStrategy.validate(p))).toEqual(want);
  });

  it("volumes satisfy mounts", () => {
    const p = created(newPod({
      volumes: [{ name: "data", emptyDir: {} }],
      containers: [{ name: "a", image: "x", volumeMounts: [{ name: "data", mountPath: "/d" }] }],
    }));
    expect(podStrategy.validate(p)).toEqual([]);
    const q = created(newPod({ volumes: [{ name: "data" }] }));
    expect(flat(podStrategy.validate(q))).toEqual(["spec.volumes[0]: Required value: must specify a volume type"]);
  });
});

describe("pod updates", () => {
  function stored(): Pod {
    const p = created(newPod());
    p.metadata.uid = "uid-1";
    p.metadata.creationTimestamp = "2024-05-01T11:00:00Z";
    p.metadata.resourceVersion = "10";
    p.status = { phase: "Running", podIP: "10.244.0.7", qosClass: "BestEffort" };
    return p;
  }

  it("an image change is allowed, keeps status, bumps generation", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.containers[0]!.image = "nginx:1.26";
    next.status = { phase: "Failed" };
    delete next.metadata.uid;
    podStrategy.prepareForUpdate!(next, prev, ctx);
    expect(podStrategy.validateUpdate!(next, prev)).toEqual([]);
    expect(next.status).toEqual(prev.status);
    expect(next.metadata.generation).toBe(2);
    expect(next.metadata.uid).toBe("uid-1");
  });

  it("a label change keeps generation", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.metadata.labels = { app: "web" };
    next.metadata.generation = 7;
    podStrategy.prepareForUpdate!(next, prev, ctx);
    expect(next.metadata.generation).toBe(1);
    expect(podStrategy.validateUpdate!(next, prev)).toEqual([]);
  });

  it("other spec changes are forbidden with upstream's message", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.restartPolicy = "Never";
    podStrategy.prepareForUpdate!(next, prev, ctx);
    const errs = podStrategy.validateUpdate!(next, prev);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.field).toBe("spec");
    expect(errs[0]!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,`spec.initContainers\[\*\].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` \(only additions to existing tolerations\),`spec.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/);
    expect(errs[0]!.message).toContain('- restartPolicy: "Always"');
    expect(errs[0]!.message).toContain('+ restartPolicy: "Never"');
  });

  it("tolerations may be added, not removed; containers not added", () => {
    const prev = stored();
    const add = structuredClone(prev);
    add.spec.tolerations = [...add.spec.tolerations!, { key: "x", operator: "Exists", effect: "NoSchedule" }];
    podStrategy.prepareForUpdate!(add, prev, ctx);
    expect(podStrategy.validateUpdate!(add, prev)).toEqual([]);

    const more = structuredClone(prev);
    more.spec.containers.push({ name: "b", image: "x" });
    podStrategy.prepareForUpdate!(more, prev, ctx);
    expect(flat(podStrategy.validateUpdate!(more, prev))).toEqual(["spec.containers: Forbidden: pod updates may not add or remove containers"]);
  });

  it("metadata.name and namespace are immutable", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.metadata.name = "web-2";
    expect(flat(podStrategy.validateUpdate!(next, prev))).toEqual(['metadata.name: Invalid value: "web-2": field is immutable']);
  });

  it("status update takes only status", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.status = { phase: "Succeeded" };
    next.spec.containers[0]!.image = "evil";
    next.metadata.labels = { sneaky: "yes" };
    podStrategy.prepareForStatusUpdate!(next, prev);
    expect(next.status).toEqual({ phase: "Succeeded" });
    expect(next.spec).toEqual(prev.spec);
    expect(next.metadata).toEqual(prev.metadata);
  });
});
