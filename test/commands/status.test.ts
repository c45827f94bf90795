// `skiff status`: the oc status layout from fixed objects (pure), and end to end against an
// in-process cluster (empty project, plain kinds, OpenShift kinds).
import { afterEach, describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { formatProjectStatus, relativeTime, type ProjectStatusInput } from "../../src/formatters/project-status.ts";
import { testCluster, TEST_SERVER, type TestCluster } from "../helpers/test-cluster.ts";

const NOW = new Date("2024-05-01T12:00:00Z");
const ago = (minutes: number): string => new Date(NOW.getTime() - minutes * 60_000).toISOString();

function input(objs: Partial<ProjectStatusInput>): ProjectStatusInput {
  return {
    project: { name: "demo" }, server: "https://api.example.com:6443", now: NOW, command: "skiff", suggest: false,
    services: [], routes: [], deploymentConfigs: [], buildConfigs: [], builds: [], imageStreams: [],
    replicationControllers: [], deployments: [], replicaSets: [], pods: [], ...objs,
  };
}

const meta = (name: string, extra: Record<string, unknown> = {}): ApiObject["metadata"] => ({ name, namespace: "demo", ...extra });

const frontend: ApiObject[] = [
  { kind: "Service", apiVersion: "v1", metadata: meta("frontend"), spec: { clusterIP: "172.30.0.5", selector: { name: "frontend" }, ports: [{ port: 8080, targetPort: 8080 }] } },
  { kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1", metadata: meta("frontend"),
    spec: { replicas: 1, triggers: [{ type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["web"], from: { kind: "ImageStreamTag", name: "frontend:latest" } } }, { type: "ConfigChange" }],
      template: { metadata: { labels: { name: "frontend" } }, spec: { containers: [{ name: "web", image: " " }] } } },
    status: { latestVersion: 2 } },
  { kind: "BuildConfig", apiVersion: "build.openshift.io/v1", metadata: meta("frontend"),
    spec: { source: { git: { uri: "https://github.com/sclorg/nodejs-ex.git" } }, strategy: { type: "Source", sourceStrategy: { from: { kind: "ImageStreamTag", namespace: "openshift", name: "nodejs:latest" } } },
      output: { to: { kind: "ImageStreamTag", name: "frontend:latest" } } } },
  { kind: "Build", apiVersion: "build.openshift.io/v1", metadata: meta("frontend-1", { labels: { "openshift.io/build-config.name": "frontend" } }),
    spec: { output: { to: { kind: "ImageStreamTag", name: "frontend:latest" } } }, status: { phase: "Complete", completionTimestamp: ago(20) } },
  { kind: "ImageStream", apiVersion: "image.openshift.io/v1", metadata: meta("frontend"), status: { dockerImageRepository: "registry/demo/frontend" } },
  ...[1, 2].map((v): ApiObject => ({ kind: "ReplicationController", apiVersion: "v1",
    metadata: meta(`frontend-${v}`, { creationTimestamp: ago(v === 1 ? 10 : 3), annotations: {
      "openshift.io/deployment-config.name": "frontend", "openshift.io/deployment-config.latest-version": String(v), "openshift.io/deployment.phase": "Complete" } }),
    spec: { replicas: v === 2 ? 2 : 0, template: { metadata: { labels: { name: "frontend" } }, spec: { containers: [{ name: "web", image: "x" }] } } },
    status: { replicas: v === 2 ? 2 : 0, readyReplicas: v === 2 ? 2 : 0 } })),
  { kind: "Route", apiVersion: "route.openshift.io/v1", metadata: meta("frontend"), spec: { host: "www.example.com", to: { kind: "Service", name: "frontend" } } },
];

describe("formatProjectStatus", () => {
  test("relative times as oc words them", () => {
    expect([0.005, 1, 2, 59, 61].map((m) => relativeTime(ago(m), NOW))).toEqual(["less than a second", "about a minute", "2 minutes", "59 minutes", "about an hour"]);
  });

  test("an empty project", () => {
    expect(formatProjectStatus(input({}))).toBe(`In project demo on server https://api.example.com:6443

You have no services, deployment configs, or build configs.
Run 'skiff new-app' to create an application.
`);
  });

  test("route → service → dc ← bc, deployments, and the info markers", () => {
    const out = formatProjectStatus(input({
      project: { name: "demo", displayName: "Demo" },
      services: frontend.filter((o) => o.kind === "Service"), deploymentConfigs: frontend.filter((o) => o.kind === "DeploymentConfig"),
      buildConfigs: frontend.filter((o) => o.kind === "BuildConfig"), builds: frontend.filter((o) => o.kind === "Build"),
      imageStreams: frontend.filter((o) => o.kind === "ImageStream"), replicationControllers: frontend.filter((o) => o.kind === "ReplicationController"),
      routes: frontend.filter((o) => o.kind === "Route"),
      pods: [{ kind: "Pod", apiVersion: "v1", metadata: meta("frontend-1-build", { annotations: { "openshift.io/build.name": "frontend-1" } }), spec: { containers: [{ name: "sti-build", image: "builder" }] }, status: { phase: "Succeeded" } }],
    }));
    expect(out).toBe(`In project Demo (demo) on server https://api.example.com:6443

http://www.example.com (svc/frontend)
  dc/frontend deploys istag/frontend:latest <-
    bc/frontend source builds https://github.com/sclorg/nodejs-ex.git on openshift/nodejs:latest 
    deployment #2 deployed 3 minutes ago - 2 pods
    deployment #1 deployed 10 minutes ago


3 infos identified, use 'skiff status --suggest' to see details.
`);
  });

  test("--suggest lists the markers and ends with the generic hint", () => {
    const svc = { kind: "Service", apiVersion: "v1", metadata: meta("db"), spec: { clusterIP: "172.30.0.9", selector: { name: "db" }, ports: [{ port: 5432, targetPort: 5433 }] } };
    const dc = { kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1", metadata: meta("db"),
      spec: { triggers: [], template: { metadata: { labels: { name: "db" } }, spec: { containers: [{ name: "pg", image: "postgres:16" }] } } }, status: { latestVersion: 0 } };
    const out = formatProjectStatus(input({ services: [svc as ApiObject], deploymentConfigs: [dc as ApiObject], suggest: true }));
    expect(out).toBe(`In project demo on server https://api.example.com:6443

svc/db - 172.30.0.9:5432 -> 5433
  dc/db deploys postgres:16 (manual)
    deployment #1 waiting for manual

Info:
  * dc/db has no readiness probe to verify pods are ready to accept traffic or ensure deployment is successful.
    try: skiff set probe dc/db --readiness ...
  * dc/db has no liveness probe to verify pods are still running.
    try: skiff set probe dc/db --liveness ...

View details with 'skiff describe <resource>/<name>' or list resources with 'skiff get all'.
`);
  });

  test("standalone build config, replication controller and pod", () => {
    const out = formatProjectStatus(input({
      buildConfigs: [{ kind: "BuildConfig", apiVersion: "build.openshift.io/v1", metadata: meta("lib"),
        spec: { source: { dockerfile: "FROM x" }, strategy: { dockerStrategy: {} }, output: { to: { kind: "ImageStreamTag", name: "lib:latest" } } } }],
      replicationControllers: [{ kind: "ReplicationController", apiVersion: "v1", metadata: meta("web", { creationTimestamp: ago(5) }),
        spec: { replicas: 2, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "w", image: "nginx", livenessProbe: { tcpSocket: { port: 80 } } }] } } },
        status: { replicas: 1, readyReplicas: 1 } }],
      pods: [{ kind: "Pod", apiVersion: "v1", metadata: meta("solo"), spec: { containers: [{ name: "c", image: "busybox", livenessProbe: { exec: { command: ["true"] } } }] }, status: { phase: "Running" } }],
    }));
    expect(out).toBe(`In project demo on server https://api.example.com:6443

bc/lib docker builds Dockerfile
  -> istag/lib:latest
  not built yet

rc/web runs nginx
  rc/web created 5 minutes ago - 1/2 pods growing to 2

pod/solo runs busybox

View details with 'skiff describe <resource>/<name>' or list resources with 'skiff get all'.
`);
  });
});

describe("skiff status against a cluster", () => {
  let c: TestCluster;
  afterEach(async () => { await c?.close(); });

  test("an empty project", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    await c.client.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } });
    expect(await c.run("status -n empty")).toEqual({ code: 0, stderr: "",
      stdout: `In project empty on server ${TEST_SERVER}\n\nYou have no services, deployment configs, or build configs.\nRun 'skiff new-app' to create an application.\n` });
  });

  test("after new-app of the bundled example", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const created = await c.run(["new-app", "-f", `${import.meta.dirname}/../../examples/hello-template.json`]);
    expect(created.code).toBe(0);
    const r = await c.run("status");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const svc = await c.client.get("services", "default", "hello-node");
    expect(r.stdout).toBe(`In project default on server ${TEST_SERVER}

http://hello-node-default.apps.skiff.local (svc/hello-node)
  dc/hello-node deploys istag/hello-node:latest <-
    bc/hello-node source builds https://github.com/sclorg/nodejs-ex.git on openshift/nodejs:latest 
      not built yet
    deployment #1 waiting on image or update

svc/kubernetes - 172.30.0.1:443 -> 6443

View details with 'skiff describe <resource>/<name>' or list resources with 'skiff get all'.
`);
    expect((svc.spec as { clusterIP?: string }).clusterIP).toBeTruthy();
  });
});
