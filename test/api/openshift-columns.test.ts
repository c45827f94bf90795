// Printer cells of the OpenShift kinds and apps/v1 workloads, as `oc get` / `kubectl get` print them.
import { describe, expect, test } from "vitest";
import {
  buildFrom, buildStatus, dcTriggeredBy, formatLabelSelector, goDuration, routeHost, routeServices, routeTermination,
  tagsUpToWidth, templateDescription, templateParameters, OPENSHIFT_COLUMNS,
} from "../../src/api/openshift-columns.ts";
import type { Build, DeploymentConfig, Route, StoredTemplate } from "../../src/api/openshift-types.ts";
import { RESOURCES } from "../../src/api/resources.ts";

const now = new Date("2024-05-01T12:00:00Z");
const cells = (cols: { cell: (o: never, now: Date) => unknown }[], o: unknown) => cols.map((c) => c.cell(o as never, now));

describe("headers", () => {
  test.each([
    ["buildconfigs", "NAME TYPE FROM LATEST"],
    ["builds", "NAME TYPE FROM STATUS STARTED DURATION"],
    ["deploymentconfigs", "NAME REVISION DESIRED CURRENT TRIGGERED BY"],
    ["imagestreams", "NAME IMAGE REPOSITORY TAGS UPDATED"],
    ["imagestreamtags", "NAME IMAGE REFERENCE UPDATED IMAGE NAME"],
    ["templates", "NAME DESCRIPTION PARAMETERS OBJECTS"],
    ["projects", "NAME DISPLAY NAME STATUS"],
    ["routes", "NAME HOST/PORT PATH SERVICES PORT TERMINATION WILDCARD"],
    ["rolebindings", "NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS"],
    ["deployments", "NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR"],
    ["replicasets", "NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR"],
    ["statefulsets", "NAME READY AGE CONTAINERS IMAGES"],
  ] as const)("%s: %s", (r, want) => {
    expect(RESOURCES[r].columns.map((c) => c.name.toUpperCase()).join(" ")).toBe(want);
  });
});

describe("builds", () => {
  test.each([
    [{ source: { git: { uri: "u" } } }, "Git"],
    [{ source: { git: { uri: "u", ref: "main" } } }, "Git@main"],
    [{ source: { git: { uri: "u" } }, revision: { git: { commit: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d" } } }, "Git@1a2b3c4"],
    [{ source: { dockerfile: "FROM x" } }, "Dockerfile"],
    [{ source: { dockerfile: "FROM x", git: { uri: "u" } } }, "Dockerfile,Git"],
    [{ source: { binary: {} } }, "Binary"],
    [{ source: {}, strategy: { customStrategy: { from: { name: "builder:1" } } } }, "builder:1"],
  ])("FROM of %j is %s", (spec, want) => {
    expect(buildFrom(spec)).toBe(want);
  });

  test("STATUS carries the reason; DURATION is Go's; STARTED is an age ago", () => {
    expect(buildStatus({ metadata: {}, spec: {}, status: { phase: "Failed", reason: "GenericBuildFailed" } } as Build)).toBe("Failed (GenericBuildFailed)");
    expect([0, 5e8, 62e9, 3723e9, 1.5e9].map(goDuration)).toEqual(["0s", "500ms", "1m2s", "1h2m3s", "1.5s"]);
    const b = { metadata: { name: "app-1" }, spec: { strategy: { sourceStrategy: {} }, source: { git: { uri: "u" } } },
      status: { phase: "Complete", startTimestamp: "2024-05-01T11:58:00Z", duration: 62e9 } } as Build;
    expect(cells(OPENSHIFT_COLUMNS.builds, b)).toEqual(["app-1", "Source", "Git", "Complete", "2m ago", "1m2s"]);
  });
});

describe("deployment configs", () => {
  const dc = (triggers: unknown[], containers = ["a"]): DeploymentConfig => ({
    metadata: { name: "web" }, spec: { replicas: 2, triggers, template: { spec: { containers: containers.map((name) => ({ name })) } } },
  } as DeploymentConfig);

  test.each([
    [[{ type: "ConfigChange" }], "config"],
    [[{ type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["a"], from: { kind: "ImageStreamTag", name: "app:latest" } } }, { type: "ConfigChange" }], "config,image(app:latest)"],
    [[{ type: "ImageChange", imageChangeParams: { automatic: false, containerNames: ["a"], from: { kind: "ImageStreamTag", name: "app:latest" } } }], ""],
  ])("TRIGGERED BY of %j is %s", (triggers, want) => {
    expect(dcTriggeredBy(dc(triggers))).toBe(want);
  });

  test("a trigger on some of several containers names them", () => {
    const t = [{ type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["b"], from: { kind: "ImageStreamTag", name: "x:1" } } }];
    expect(dcTriggeredBy(dc(t, ["a", "b"]))).toBe("image(b:x:1)");
  });

  test("row: REVISION DESIRED CURRENT; test DCs say so", () => {
    const d = dc([{ type: "ConfigChange" }]);
    d.status = { latestVersion: 3, updatedReplicas: 2 };
    expect(cells(OPENSHIFT_COLUMNS.deploymentconfigs, d)).toEqual(["web", 3, "2", 2, "config"]);
    d.spec.test = true;
    expect(cells(OPENSHIFT_COLUMNS.deploymentconfigs, d)[2]).toBe("2 (during test)");
  });
});

describe("image streams, templates, routes, workloads", () => {
  test("image stream row: repository, tags newest first, updated", () => {
    const is = {
      metadata: { name: "nodejs" },
      status: {
        dockerImageRepository: "reg/ns/nodejs",
        tags: [
          { tag: "16", items: [{ created: "2024-05-01T10:00:00Z" }] },
          { tag: "latest", items: [{ created: "2024-05-01T11:00:00Z" }] },
          { tag: "20", items: [{ created: "2024-05-01T11:00:00Z" }] },
        ],
      },
    };
    expect(cells(OPENSHIFT_COLUMNS.imagestreams, is)).toEqual(["nodejs", "reg/ns/nodejs", "20,latest,16", "60m ago"]);
    expect(tagsUpToWidth(["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbb", "c"], 40)).toBe("aaaaaaaaaaaaaaaaaaaa + 2 more...");
  });

  test("template description and parameter summary", () => {
    const t = (parameters: unknown[], description = "line one\nline two"): StoredTemplate =>
      ({ metadata: { annotations: { description } }, parameters } as StoredTemplate);
    expect(templateDescription(t([]))).toBe("line one...");
    expect(templateDescription(t([], "x".repeat(90)))).toBe(`${"x".repeat(77)}...`);
    expect(templateParameters(t([{ name: "A", value: "1" }, { name: "B", generate: "expression" }]))).toBe("2 (1 generated)");
    expect(templateParameters(t([{ name: "A" }, { name: "B", generate: "expression" }]))).toBe("2 (1 blank)");
    expect(templateParameters(t([{ name: "A", value: "1" }]))).toBe("1 (all set)");
  });

  test("route cells", () => {
    const r = (spec: Record<string, unknown>, status?: unknown): Route => ({ metadata: { name: "r" }, spec, status } as Route);
    const admitted = { ingress: [{ host: "h.example", conditions: [{ type: "Admitted", status: "True" }] }] };
    expect(routeHost(r({ host: "h.example" }, admitted))).toBe("h.example");
    expect(routeHost(r({ host: "h.example" }, { ingress: [] }))).toBe("Pending");
    expect(routeHost(r({ host: "h.example" }))).toBe("h.example");
    expect(routeServices(r({ to: { name: "a", weight: 100 } }))).toBe("a");
    expect(routeServices(r({ to: { name: "a", weight: 60 }, alternateBackends: [{ name: "b", weight: 40 }] }))).toBe("a(60%),b(40%)");
    expect(routeTermination(r({ tls: { termination: "edge", insecureEdgeTerminationPolicy: "Redirect" } }))).toBe("edge/Redirect");
    expect(cells(OPENSHIFT_COLUMNS.routes, r({ host: "h", to: { name: "a", weight: 100 }, wildcardPolicy: "None" }))).toEqual(["r", "h", "", "a", "<all>", "", "None"]);
  });

  test("deployment and rolebinding rows", () => {
    const d = {
      metadata: { name: "web", creationTimestamp: "2024-05-01T11:00:00Z" },
      spec: { replicas: 3, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "c", image: "nginx" }] } } },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells(OPENSHIFT_COLUMNS.deployments, d)).toEqual(["web", "2/3", 3, 2, "60m", "c", "nginx", "app=web"]);
    expect(formatLabelSelector({ matchLabels: { b: "2" }, matchExpressions: [{ key: "a", operator: "In", values: ["y", "x"] }] })).toBe("a in (x,y),b=2");
    const rb = {
      metadata: { name: "edit", creationTimestamp: "2024-05-01T11:59:00Z" },
      roleRef: { kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "User", name: "alice" }, { kind: "ServiceAccount", name: "jenkins", namespace: "demo" }],
    };
    expect(cells(OPENSHIFT_COLUMNS.rolebindings, rb)).toEqual(["edit", "ClusterRole/edit", "60s", "alice", "", "demo:jenkins"]);
  });
});
