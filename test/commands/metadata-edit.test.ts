// label, annotate, edit and describe against an in-process cluster.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { afterEach, beforeEach, expect, test } from "vitest";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;

beforeEach(async () => {
  c = await testCluster({ now: "2024-05-01T12:00:00Z" });
  await c.seed({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web", labels: { app: "web" }, annotations: { description: "my frontend" } },
    spec: { containers: [{ name: "c", image: "nginx:1" }] },
  });
});
afterEach(async () => { await c.close(); });

test("label: add, overwrite refused, overwrite, remove, unchanged", async () => {
  expect(await c.run("label pod web tier=fe")).toEqual({ code: 0, stdout: "pod/web labeled\n", stderr: "" });
  expect(await c.run("label pods web app=db")).toEqual({
    code: 1, stdout: "", stderr: "error: 'app' already has a value (web), and --overwrite is false\n" });
  expect(await c.run("label pod/web app=db --overwrite")).toEqual({ code: 0, stdout: "pod/web labeled\n", stderr: "" });
  expect(await c.run("label pod web tier-")).toEqual({ code: 0, stdout: "pod/web unlabeled\n", stderr: "" });
  expect(await c.run("label pod web app=db")).toEqual({ code: 0, stdout: "pod/web not labeled\n", stderr: "" });
  expect((await c.client.get("pods", "default", "web")).metadata.labels).toEqual({ app: "db" });
  expect(await c.run("label pod web --list")).toEqual({ code: 0, stdout: "app=db\n", stderr: "" });
});

test("label --resource-version: a stale version is a Conflict", async () => {
  const r = await c.run("label pod web x=y --resource-version=1");
  expect(r).toEqual({
    code: 1, stdout: "",
    stderr: 'Error from server (Conflict): Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again\n',
  });
  const rv = (await c.client.get("pods", "default", "web")).metadata.resourceVersion;
  expect(await c.run(`label pod web x=y --resource-version=${rv}`)).toEqual({ code: 0, stdout: "pod/web labeled\n", stderr: "" });
});

test("label -l / --all, bad specs", async () => {
  await c.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "db" }, spec: { containers: [{ name: "c", image: "pg" }] } });
  expect(await c.run("label pods --all team=a")).toEqual({ code: 0, stdout: "pod/db labeled\npod/web labeled\n", stderr: "" });
  expect(await c.run("label pods -l app=web team=b --overwrite")).toEqual({ code: 0, stdout: "pod/web labeled\n", stderr: "" });
  expect(await c.run("label pod web a=b=c")).toEqual({ code: 1, stdout: "", stderr: "error: invalid label spec: a=b=c\n" });
  expect(await c.run("label pod web a=b a-")).toEqual({ code: 1, stdout: "", stderr: "error: can not both modify and remove a label in the same command\n" });
  expect(await c.run("label pod web x=y extra")).toEqual({ code: 1, stdout: "", stderr: "error: all resources must be specified before label changes: extra\n" });
});

test("annotate: add, overwrite refused, remove", async () => {
  expect(await c.run(["annotate", "pod", "web", "note=hello world"])).toEqual({ code: 0, stdout: "pod/web annotated\n", stderr: "" });
  expect(await c.run(["annotate", "pod", "web", "description=other"])).toEqual({
    code: 1, stdout: "",
    stderr: "error: --overwrite is false but found the following declared annotation(s): 'description' already has a value (my frontend)\n",
  });
  expect(await c.run("annotate pod web description-")).toEqual({ code: 0, stdout: "pod/web annotated\n", stderr: "" });
  expect((await c.client.get("pods", "default", "web")).metadata.annotations).toEqual({ note: "hello world" });
});

test("edit: the editor's change is patched; no change cancels; bad YAML keeps the file", async () => {
  expect(await c.run("edit pod web", { env: { KUBE_EDITOR: "sed -i s/nginx:1/nginx:2/" } }))
    .toEqual({ code: 0, stdout: "pod/web edited\n", stderr: "" });
  expect((await c.client.get("pods", "default", "web")).spec.containers[0].image).toBe("nginx:2");
  expect(await c.run("edit pod/web", { env: { EDITOR: "true" } }))
    .toEqual({ code: 0, stdout: "", stderr: "Edit cancelled, no changes made.\n" });
  const bad = await c.run("edit pod web", { env: { KUBE_EDITOR: "sed -i 's/^kind: Pod/kind: [Pod/'" } });
  expect(bad.code).toBe(1);
  const m = /^error: error parsing (\/\S+\.yaml): error converting YAML to JSON: yaml: line \d+: .*\nA copy of your changes has been stored to "\1"\nerror: Edit cancelled, no valid changes were saved\.\n$/.exec(bad.stderr);
  expect(m).not.toBeNull();
  expect(readFileSync(m![1], "utf8")).toContain("kind: [Pod");
  rmSync(m![1]);
  const invalid = await c.run("edit pod web", { env: { KUBE_EDITOR: "sed -i 's/image: nginx:2/image: \"\"/'" } });
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toMatch(/^A copy of your changes has been stored to "(\/\S+)"\nThe Pod "web" is invalid: spec\.containers\[0\]\.image: Required value\n$/);
  const kept = /"(\/\S+)"/.exec(invalid.stderr)![1];
  expect(existsSync(kept)).toBe(true);
  rmSync(kept);
});

test("describe: the pod and its events", async () => {
  const web = await c.client.get("pods", "default", "web");
  await c.seed({
    apiVersion: "v1", kind: "Event", metadata: { name: "web.1" },
    involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: web.metadata.uid },
    reason: "Scheduled", message: "Successfully assigned default/web to minion-1", type: "Normal",
    source: { component: "default-scheduler" }, count: 1,
    firstTimestamp: "2024-05-01T11:59:00Z", lastTimestamp: "2024-05-01T11:59:00Z",
  });
  const r = await c.run("describe pod web");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Name: {13}web\nNamespace: {8}default\n/);
  expect(r.stdout).toContain("Labels:           app=web\n");
  expect(r.stdout).toMatch(/Events:\n {2}Type {4}Reason {5}Age {3}From {15}Message\n {2}---- {4}------ {5}---- {2}---- {15}-------\n {2}Normal {2}Scheduled {2}60s {3}default-scheduler {2}Successfully assigned default\/web to minion-1\n$/);
  expect(await c.run("describe pod nope")).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
  const byPrefix = await c.run("describe pods we");
  expect(byPrefix.stdout).toBe(r.stdout);
});
