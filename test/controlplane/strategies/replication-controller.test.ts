import { describe, expect, it } from "vitest";
import type { FieldError } from "../../../src/api/errors.ts";
import type { ReplicationController } from "../../../src/api/types.ts";
import { replicationControllerStrategy as rcs } from "../../../src/controlplane/apiserver/strategies/replication-controller.ts";

const ctx = { now: new Date("2024-05-01T12:00:00Z"), random: () => 0.5 };
const flat = (errs: FieldError[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function rc(spec: Partial<ReplicationController["spec"]> = {}, labels?: Record<string, string>): ReplicationController {
  return {
    apiVersion: "v1", kind: "ReplicationController",
    metadata: { name: "web", namespace: "default", ...(labels ? { labels } : {}) },
    spec: { template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } }, ...spec },
  };
}
function created(r: ReplicationController): ReplicationController {
  rcs.prepareForCreate!(r, ctx);
  return r;
}

describe("replication controller defaults", () => {
  it("selector, labels and replicas from the template; pod template defaults; status reset", () => {
    const r = rc();
    r.status = { replicas: 9 };
    created(r);
    expect(r.spec.selector).toEqual({ app: "web" });
    expect(r.metadata.labels).toEqual({ app: "web" });
    expect(r.spec.replicas).toBe(1);
    expect(r.spec.template!.spec.restartPolicy).toBe("Always");
    expect(r.spec.template!.spec.containers[0]!.imagePullPolicy).toBe("IfNotPresent");
    // Admission defaults belong to pods, not templates.
    expect(r.spec.template!.spec.tolerations).toBeUndefined();
    expect(r.status).toEqual({ replicas: 0 });
    expect(r.metadata.generation).toBe(1);
    expect(rcs.validate(r)).toEqual([]);
  });

  it("explicit selector, labels and zero replicas stay", () => {
    const r = created(rc({ selector: { app: "web" }, replicas: 0 }, { team: "a" }));
    expect(r.metadata.labels).toEqual({ team: "a" });
    expect(r.spec.replicas).toBe(0);
  });
});

describe("replication controller validation", () => {
  it.each<[string, ReplicationController, string[]]>([
    ["selector does not match", rc({ selector: { app: "db" } }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
    ["negative replicas", rc({ replicas: -1 }), ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]],
    ["restartPolicy must be Always", rc({ template: { metadata: { labels: { app: "web" } }, spec: { restartPolicy: "Never", containers: [{ name: "a", image: "x" }] } } }),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ["no template, no selector", { metadata: { name: "web", namespace: "default" }, spec: {} },
      ["spec.selector: Required value", "spec.template: Required value"]],
    ["template containers checked", rc({ template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "a" }] } } }),
      ["spec.template.spec.containers[0].image: Required value"]],
  ])("%s", (_, r, want) => {
    expect(flat(rcs.validate(created(r)))).toEqual(want);
  });
});

describe("replication controller updates", () => {
  function stored(): ReplicationController {
    const r = created(rc());
    r.metadata.uid = "u";
    r.metadata.creationTimestamp = "2024-05-01T11:00:00Z";
    r.status = { replicas: 1, readyReplicas: 1, observedGeneration: 1 };
    return r;
  }

  it("scaling bumps generation and keeps status", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.replicas = 3;
    next.status = { replicas: 0 };
    rcs.prepareForUpdate!(next, prev, ctx);
    expect(next.metadata.generation).toBe(2);
    expect(next.status).toEqual(prev.status);
    expect(rcs.validateUpdate!(next, prev)).toEqual([]);
  });

  it("a selector change is allowed when it still matches", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.template!.metadata!.labels = { app: "web", v: "2" };
    next.spec.selector = { app: "web", v: "2" };
    rcs.prepareForUpdate!(next, prev, ctx);
    expect(rcs.validateUpdate!(next, prev)).toEqual([]);
  });

  it("creationTimestamp cannot be changed by a client", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.metadata.creationTimestamp = "2020-01-01T00:00:00Z";
    rcs.prepareForUpdate!(next, prev, ctx);
    expect(next.metadata.creationTimestamp).toBe("2024-05-01T11:00:00Z");
    expect(rcs.validateUpdate!(next, prev)).toEqual([]);
  });

  it("status update takes only status and does not bump generation", () => {
    const prev = stored();
    const next = structuredClone(prev);
    next.spec.replicas = 10;
    next.status = { replicas: 1, readyReplicas: 0, observedGeneration: 1 };
    rcs.prepareForStatusUpdate!(next, prev);
    expect(next.spec).toEqual(prev.spec);
    expect(next.metadata.generation).toBe(1);
    expect(next.status.readyReplicas).toBe(0);
  });
});
