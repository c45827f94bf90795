// `skiff logs`: container defaulting, rc/NAME picking a pod, options passed to the log subresource, follow — against a real API server.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject, Pod } from "../../src/api/types.ts";
import { createApiClient } from "../../src/client/client.ts";
import { createInProcessTransport } from "../../src/client/in-process-transport.ts";
import { compareForLogging } from "../../src/commands/logs.ts";
import { createApiServer, type ApiServer, type LogRequest } from "../../src/controlplane/apiserver/api-server.ts";
import { openSqliteStore } from "../../src/controlplane/storage/sqlite-store.ts";
import type { Store } from "../../src/controlplane/storage/store.ts";
import { main } from "../../src/main.ts";
import { splitArgs, testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

let dir: string;
let store: Store;
let server: ApiServer;
let requests: LogRequest[];
/** What the fake minion streams for follow requests, chunk by chunk. */
let followChunks: string[];
/** Keep followed streams open until the client goes away. */
let holdOpen = false;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "skiff-logs-"));
  store = openSqliteStore(join(dir, "skiff.db"));
  requests = [];
  followChunks = [];
  holdOpen = false;
  server = createApiServer({
    store, clock: { now: () => new Date("2024-05-01T12:00:00Z") }, random: () => 0.5,
    logSource: async (req) => {
      requests.push(req);
      if (req.follow) {
        return (async function* () {
          for (const c of followChunks) yield c;
          if (holdOpen) await new Promise((r) => req.signal?.addEventListener("abort", r, { once: true }));
        })();
      }
      return `${req.pod.metadata.name}/${req.container} line 1\n${req.pod.metadata.name}/${req.container} line 2\n`;
    },
  });
  await server.ready;
});
afterEach(async () => {
  server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const client = () => createApiClient(createInProcessTransport(server), { namespace: "default", server: "https://127.0.0.1:6443" });

async function run(line: string, signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  const t = testDeps({ client: async () => client(), signal });
  const code = await main(splitArgs(line), t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

const running = (name: string) => ({ name, image: "nginx", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: "2024-05-01T11:00:00Z" } } });

async function seedPod(name: string, containers: string[], extra: { labels?: Record<string, string>; annotations?: Record<string, string>; init?: string[]; node?: string; created?: string } = {}): Promise<Pod> {
  const c = client();
  const pod = await c.create("pods", "default", {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, labels: extra.labels, annotations: extra.annotations },
    spec: {
      containers: containers.map((n) => ({ name: n, image: "nginx" })),
      ...(extra.init ? { initContainers: extra.init.map((n) => ({ name: n, image: "busybox" })) } : {}),
      ...(extra.node ? { nodeName: extra.node } : {}),
    },
  } as ApiObject);
  return await c.updateStatus("pods", "default", { ...pod, status: { phase: "Running", containerStatuses: containers.map(running) } });
}

test("one container: its log; several: the first, with kubectl's Defaulted container note on stderr", async () => {
  await seedPod("solo", ["app"]);
  await seedPod("web-1", ["app", "sidecar"], { init: ["setup"] });
  expect(await run("logs solo")).toEqual({ code: 0, stdout: "solo/app line 1\nsolo/app line 2\n", stderr: "" });
  expect(await run("logs web-1")).toEqual({
    code: 0, stdout: "web-1/app line 1\nweb-1/app line 2\n", stderr: "Defaulted container \"app\" out of: app, sidecar, setup (init)\n" });
  expect(await run("logs pod/web-1 -c sidecar")).toEqual({ code: 0, stdout: "web-1/sidecar line 1\nweb-1/sidecar line 2\n", stderr: "" });
  expect(await run("logs web-1 sidecar")).toMatchObject({ code: 0, stdout: "web-1/sidecar line 1\nweb-1/sidecar line 2\n" });
  expect(await run("logs web-1 -c nope")).toEqual({ code: 1, stdout: "", stderr: "Error from server (BadRequest): container nope is not valid for pod web-1\n" });
});

test("the default-container annotation picks the container silently; --all-containers reads every one, init first", async () => {
  await seedPod("web-1", ["app", "sidecar"], { annotations: { "kubectl.kubernetes.io/default-container": "sidecar" } });
  expect(await run("logs web-1")).toEqual({ code: 0, stdout: "web-1/sidecar line 1\nweb-1/sidecar line 2\n", stderr: "" });
  expect(await run("logs web-1 --all-containers --prefix")).toEqual({ code: 0, stderr: "", stdout:
    "[pod/web-1/app] web-1/app line 1\n[pod/web-1/app] web-1/app line 2\n[pod/web-1/sidecar] web-1/sidecar line 1\n[pod/web-1/sidecar] web-1/sidecar line 2\n" });
  expect(await run("logs web-1 --all-containers -c app")).toEqual({ code: 1, stdout: "",
    stderr: "error: --all-containers=true should not be specified with container name app\n" });
});

test("options reach the log subresource", async () => {
  await seedPod("solo", ["app"]);
  expect((await run("logs solo --tail=5 --timestamps --since=90s --limit-bytes=100")).code).toBe(0);
  expect(requests.at(-1)).toMatchObject({ container: "app", tailLines: 5, timestamps: true, sinceSeconds: 90, limitBytes: 100, follow: false, previous: false });
  expect(await run("logs solo -p")).toEqual({ code: 1, stdout: "",
    stderr: "Error from server (BadRequest): previous terminated container \"app\" in pod \"solo\" not found\n" });
  expect(await run("logs")).toEqual({ code: 1, stdout: "",
    stderr: "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'skiff logs -h' for help and examples\n" });
  expect(await run("logs nope")).toEqual({ code: 1, stdout: "", stderr: "Error from server (NotFound): pods \"nope\" not found\n" });
});

test("rc/NAME uses the first pod by kubectl's logging order and says so on stderr", async () => {
  const c = client();
  await c.create("replicationcontrollers", "default", {
    apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" },
    spec: { replicas: 3, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }] } } },
  });
  await seedPod("web-aaaaa", ["app"], { labels: { app: "web" } });
  await seedPod("web-bbbbb", ["app"], { labels: { app: "web" }, node: "minion-1" });
  await seedPod("web-ccccc", ["app"], { labels: { app: "web" } });
  expect(await run("logs rc/web")).toEqual({ code: 0, stdout: "web-bbbbb/app line 1\nweb-bbbbb/app line 2\n", stderr: "Found 3 pods, using pod/web-bbbbb\n" });
});

test("dc/NAME reads the latest deployer pod's log through the DeploymentConfig's log subresource, as oc does", async () => {
  const c = client();
  const dc = await c.create("deploymentconfigs", "default", {
    apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { name: "web" },
    spec: { replicas: 1, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "nginx" }] } } },
  } as ApiObject);
  await c.updateStatus("deploymentconfigs", "default", { ...dc, status: { latestVersion: 2 } } as ApiObject);
  // The deployers of versions 1 and 2; no application pod at all (a failed rollout scaled it away).
  await seedPod("web-1-deploy", ["deployment"]);
  await seedPod("web-2-deploy", ["deployment"]);
  expect(await run("logs dc/web --tail=3")).toEqual({ code: 0, stdout: "web-2-deploy/deployment line 1\nweb-2-deploy/deployment line 2\n", stderr: "" });
  expect(requests.at(-1)).toMatchObject({ container: "deployment", tailLines: 3, follow: false });
  followChunks = ["--> Scaling web-2 to 1\n", "--> Success\n"];
  expect(await run("logs -f deploymentconfig/web")).toEqual({ code: 0, stdout: "--> Scaling web-2 to 1\n--> Success\n", stderr: "" });
  expect(requests.at(-1)?.pod.metadata.name).toBe("web-2-deploy");
  expect(await run("logs dc/nope")).toMatchObject({ code: 1, stderr: "Error from server (NotFound): deploymentconfigs.apps.openshift.io \"nope\" not found\n" });
});

test("compareForLogging: assigned, then Running, then ready, then more restarts, then older", () => {
  const p = (name: string, o: { node?: string; phase?: string; ready?: boolean; restarts?: number; created?: string }): Pod => ({
    metadata: { name, creationTimestamp: o.created ?? "2024-05-01T00:00:00Z" },
    spec: { containers: [], nodeName: o.node },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready ? [{ type: "Ready", status: "True" }] : [],
      containerStatuses: [{ name: "c", image: "", imageID: "", ready: false, restartCount: o.restarts ?? 0 }],
    },
  });
  const pods = [
    p("unassigned", { phase: "Running", ready: true }),
    p("pending", { node: "n", phase: "Pending" }),
    p("young", { node: "n", created: "2024-05-02T00:00:00Z" }),
    p("old", { node: "n" }),
    p("restarty", { node: "n", restarts: 3 }),
    p("ready", { node: "n", ready: true }),
  ];
  expect([...pods].sort(compareForLogging).map((x) => x.metadata.name)).toEqual(["ready", "restarty", "old", "young", "pending", "unassigned"]);
});

test("-f streams chunks until the server ends the stream", async () => {
  await seedPod("solo", ["app"]);
  followChunks = ["a\n", "b\n", "c\n"];
  expect(await run("logs -f solo")).toEqual({ code: 0, stdout: "a\nb\nc\n", stderr: "" });
  expect(requests.at(-1)).toMatchObject({ follow: true, container: "app" });
});

test("-f keeps streaming until Ctrl-C (deps.signal), then exits 0", async () => {
  await seedPod("solo", ["app"]);
  followChunks = ["first\n"];
  holdOpen = true;
  const ac = new AbortController();
  const following = run("logs -f solo", ac.signal);
  await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  expect(await following).toEqual({ code: 0, stdout: "first\n", stderr: "" });
});

let cluster: TestCluster | undefined;
afterEach(async () => { await cluster?.close(); cluster = undefined; });

test("without a log source the server's own answers come through: empty for running, 400 while waiting", async () => {
  cluster = await testCluster();
  const [pod] = await cluster.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-1" }, spec: { containers: [{ name: "app", image: "nginx" }] } });
  expect(await cluster.run("logs web-1")).toEqual({ code: 1, stdout: "",
    stderr: "Error from server (BadRequest): container \"app\" in pod \"web-1\" is waiting to start: ContainerCreating\n" });
  await cluster.client.updateStatus("pods", "default", { ...pod, status: { phase: "Running", containerStatuses: [running("app")] } });
  expect(await cluster.run("logs web-1")).toEqual({ code: 0, stdout: "", stderr: "" });
});
