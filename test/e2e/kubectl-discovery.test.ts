// The real kubectl against the embedded control plane over HTTPS with a bearer token: discovery, version, OpenAPI-validated writes.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiRequest } from "../../src/client/transport.ts";
import { createApiServer } from "../../src/controlplane/apiserver/api-server.ts";
import { mergeSkiffContext } from "../../src/controlplane/cluster.ts";
import { startControlPlane, type ControlPlane } from "../../src/controlplane/control-plane.ts";

let dir: string;
let cp: ControlPlane;
let kubeconfig: string;
/** Every request that reached the API server (discovery and OpenAPI are answered before it). */
const seen: ApiRequest[] = [];

interface Run { code: number; stdout: string; stderr: string }

/** Runs kubectl asynchronously: the server answers from this same process. */
function kubectl(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile("kubectl", ["--kubeconfig", kubeconfig, ...args], {
      env: { PATH: process.env.PATH, HOME: dir, KUBECACHEDIR: join(dir, "cache") },
      encoding: "utf8", timeout: 30_000,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const POD = (labels: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {${labels}}\nspec:\n  containers:\n  - name: c\n    image: nginx\n`;
const LIST = [
  "apiVersion: v1", "kind: List", "items:",
  "- apiVersion: v1", "  kind: Pod", "  metadata: {name: a}", "  spec:", "    containers: [{name: c, image: nginx}]",
  "- apiVersion: v1", "  kind: Service", "  metadata: {name: s}", "  spec:", "    selector: {app: a}", "    ports: [{port: 80}]", "",
].join("\n");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-kubectl-"));
  cp = await startControlPlane({
    dataDir: join(dir, "data"), port: 0,
    handler: (deps) => {
      const api = createApiServer(deps);
      return { ready: api.ready, close: () => api.close(), handle: (req) => { seen.push(req); return api.handle(req); } };
    },
  });
  kubeconfig = join(dir, "kubeconfig");
  mergeSkiffContext(kubeconfig, { server: cp.url, caPem: cp.caPem, token: cp.token });
  writeFileSync(join(dir, "pod.yaml"), POD("app: web"));
  writeFileSync(join(dir, "pod2.yaml"), POD("app: web, tier: front"));
  writeFileSync(join(dir, "list.yaml"), LIST);
});
afterAll(async () => {
  await cp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("real kubectl", () => {
  test("version reports the 1.32 server without a skew warning", async () => {
    const r = await kubectl("version", "-o", "json");
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.serverVersion).toMatchObject({ major: "1", minor: "32" });
    expect(r.stderr).not.toContain("WARNING");
  });

  test("api-resources lists the core table from discovery", async () => {
    const r = await kubectl("api-resources", "--api-group=", "-o", "wide");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND\s+VERBS\s+CATEGORIES/);
    const row = (name: string): string[] => lines.find((l) => l.startsWith(`${name} `))?.split(/\s+/) ?? [];
    expect(row("pods")).toEqual(["pods", "po", "v1", "true", "Pod", "create,delete,deletecollection,get,list,patch,update,watch", "all"]);
    expect(row("nodes").slice(0, 5)).toEqual(["nodes", "no", "v1", "false", "Node"]);
    expect(row("replicationcontrollers").slice(0, 5)).toEqual(["replicationcontrollers", "rc", "v1", "true", "ReplicationController"]);
  });

  test("a wrong token is refused with kubectl's Unauthorized wording", async () => {
    const bad = join(dir, "bad-kubeconfig");
    mergeSkiffContext(bad, { server: cp.url, caPem: cp.caPem, token: "nope" });
    const r = await new Promise<Run>((done) => {
      execFile("kubectl", ["--kubeconfig", bad, "get", "pods"], { env: { PATH: process.env.PATH, HOME: dir, KUBECACHEDIR: join(dir, "cache-bad") }, encoding: "utf8" },
        (err, stdout, stderr) => done({ code: err ? 1 : 0, stdout, stderr }));
    });
    expect(r.code).toBe(1);
    // Discovery reads the raw 401, so kubectl words it as it does against kube-apiserver.
    expect(r.stderr).toContain("error: You must be logged in to the server (the server has asked for the client to provide credentials)");
  });

  test("get pods on an empty namespace", async () => {
    const r = await kubectl("get", "pods");
    expect(r).toEqual({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
  });

  test("create -f and apply -f validate against OpenAPI without --validate=false", async () => {
    const created = await kubectl("create", "-f", join(dir, "pod.yaml"));
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: "pod/web created\n" });
    const applied = await kubectl("apply", "-f", join(dir, "pod2.yaml"));
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toBe("pod/web configured\n");
    const labels = await kubectl("get", "pod", "web", "-o", "jsonpath={.metadata.labels}");
    expect(JSON.parse(labels.stdout)).toEqual({ app: "web", tier: "front" });
    const list = await kubectl("create", "-f", join(dir, "list.yaml"));
    expect(list, list.stderr).toMatchObject({ code: 0, stdout: "pod/a created\nservice/s created\n" });
    const names = await kubectl("get", "pods", "-o", "name");
    expect(names.stdout).toBe("pod/a\npod/web\n");
  });

  test("scale finds replicationcontrollers/scale and get all expands the category", async () => {
    writeFileSync(join(dir, "rc.yaml"), [
      "apiVersion: v1", "kind: ReplicationController", "metadata: {name: front}", "spec:", "  replicas: 1", "  selector: {app: front}",
      "  template:", "    metadata: {labels: {app: front}}", "    spec: {containers: [{name: c, image: nginx}]}", "",
    ].join("\n"));
    expect((await kubectl("create", "-f", join(dir, "rc.yaml"))).stdout).toBe("replicationcontroller/front created\n");
    const scaled = await kubectl("scale", "rc", "front", "--replicas=3");
    expect(scaled, scaled.stderr).toMatchObject({ code: 0, stdout: "replicationcontroller/front scaled\n" });
    const all = await kubectl("get", "all", "-o", "name");
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout.split("\n")).toEqual(expect.arrayContaining(["pod/web", "service/s", "replicationcontroller/front"]));
  });

  test("kubectl found fieldValidation in OpenAPI, so it leaves validation to the server", async () => {
    seen.length = 0;
    writeFileSync(join(dir, "list2.yaml"), LIST.replace("{name: a}", "{name: b}").replace("{name: s}", "{name: t}"));
    const r = await kubectl("create", "-f", join(dir, "list2.yaml"), "--dry-run=server");
    expect(r.code, r.stderr).toBe(0);
    const posts = seen.filter((q) => q.method === "POST");
    expect(posts.map((q) => q.path)).toEqual(["/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/services"]);
    for (const q of posts) expect(q.query).toMatchObject({ fieldValidation: "Strict", dryRun: "All" });
  });

  test("OpenShift groups: api-resources, create -f of a DeploymentConfig, get dc,bc,is", async () => {
    const res = await kubectl("api-resources", "--api-group=apps.openshift.io");
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.split("\n")[1]?.split(/\s+/)).toEqual(["deploymentconfigs", "dc", "apps.openshift.io/v1", "true", "DeploymentConfig"]);
    writeFileSync(join(dir, "dc.yaml"), [
      "apiVersion: apps.openshift.io/v1", "kind: DeploymentConfig", "metadata: {name: web}", "spec:", "  replicas: 2",
      "  template:", "    metadata: {labels: {app: web}}", "    spec: {containers: [{name: c, image: nginx}]}", "",
    ].join("\n"));
    const created = await kubectl("create", "-f", join(dir, "dc.yaml"));
    expect(created, created.stderr).toMatchObject({ code: 0, stdout: "deploymentconfig.apps.openshift.io/web created\n" });
    const got = await kubectl("get", "dc,bc,is");
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout.split("\n").slice(0, 2).map((l) => l.split(/\s{2,}/))).toEqual([
      ["NAME", "REVISION", "DESIRED", "CURRENT", "TRIGGERED BY"],
      ["deploymentconfig.apps.openshift.io/web", "0", "2", "0", "config"],
    ]);
    const sel = await kubectl("get", "dc", "web", "-o", "jsonpath={.spec.selector.app} {.spec.strategy.type}");
    expect(sel.stdout).toBe("web Rolling");
  });

  test("the typed generators' protobuf bodies are decoded: create namespace, configmap, secret", async () => {
    expect((await kubectl("create", "namespace", "team-a")).stdout).toBe("namespace/team-a created\n");
    expect((await kubectl("create", "configmap", "cfg", "-n", "team-a", "--from-literal=a=b")).stdout)
      .toBe("configmap/cfg created\n");
    const secret = await kubectl("create", "secret", "generic", "pw", "-n", "team-a", "--from-literal=password=hunter2");
    expect(secret.stdout, secret.stderr).toBe("secret/pw created\n");
    const got = await kubectl("get", "secret", "pw", "-n", "team-a", "-o", "jsonpath={.type} {.data.password}");
    expect(got.stdout).toBe(`Opaque ${Buffer.from("hunter2").toString("base64")}`);
  });

  test("drain finds pods/eviction in discovery and evicts a bound pod through it", async () => {
    writeFileSync(join(dir, "node.yaml"), "apiVersion: v1\nkind: Node\nmetadata: {name: drain-node}\n");
    writeFileSync(join(dir, "evictee.yaml"), POD("app: evictee").replace("name: web", "name: evictee"));
    writeFileSync(join(dir, "binding.json"), JSON.stringify({
      apiVersion: "v1", kind: "Binding", metadata: { name: "evictee" }, target: { apiVersion: "v1", kind: "Node", name: "drain-node" },
    }));
    expect((await kubectl("create", "-f", join(dir, "node.yaml"))).stdout).toBe("node/drain-node created\n");
    expect((await kubectl("create", "-f", join(dir, "evictee.yaml"))).stdout).toBe("pod/evictee created\n");
    const bound = await kubectl("create", "--raw", "/api/v1/namespaces/default/pods/evictee/binding", "-f", join(dir, "binding.json"));
    expect(bound, bound.stderr).toMatchObject({ code: 0 });
    seen.length = 0;
    // No minion runs here to finish a graceful deletion: --grace-period=0 deletes at once.
    const r = await kubectl("drain", "drain-node", "--force", "--ignore-daemonsets", "--grace-period=0", "--timeout=20s");
    expect(r).toEqual({
      code: 0,
      stdout: "node/drain-node cordoned\nevicting pod default/evictee\npod/evictee evicted\nnode/drain-node drained\n",
      stderr: "Warning: deleting Pods that declare no controller: default/evictee\n",
    });
    const eviction = seen.find((q) => q.method === "POST" && q.path === "/api/v1/namespaces/default/pods/evictee/eviction");
    expect(eviction).toBeDefined();
    expect(JSON.parse(eviction!.body ?? "{}")).toMatchObject({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name: "evictee", namespace: "default" },
      deleteOptions: { gracePeriodSeconds: 0 } });
    expect(seen.some((q) => q.method === "DELETE")).toBe(false);
    expect((await kubectl("get", "pod", "evictee")).stderr).toBe("Error from server (NotFound): pods \"evictee\" not found\n");
  });
});
