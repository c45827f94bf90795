// create / apply / replace / delete against an in-process cluster: verb lines, errors per object, exit codes.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { LAST_APPLIED } from "../../src/commands/apply.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
let dir: string;

const pod = (name: string, image = "nginx", extra = "") =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}${extra}\nspec:\n  containers:\n  - name: c\n    image: ${image}\n`;

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

beforeEach(async () => {
  c = await testCluster({ now: "2024-05-01T12:00:00Z" });
  dir = await mkdtemp(join(tmpdir(), "skiff-write-"));
});
afterEach(async () => {
  await c.close();
  await rm(dir, { recursive: true, force: true });
});

test("create -f: one line per object; AlreadyExists per object with the file; exit 1 at the end", async () => {
  const f = await file("pods.yaml", `${pod("a")}---\n${pod("b")}`);
  expect(await c.run(["create", "-f", f])).toEqual({ code: 0, stdout: "pod/a created\npod/b created\n", stderr: "" });
  await c.client.delete("pods", "default", "b");
  expect(await c.run(["create", "-f", f])).toEqual({
    code: 1,
    stdout: "pod/b created\n",
    stderr: `Error from server (AlreadyExists): error when creating "${f}": pods "a" already exists\n`,
  });
});

test("create -f: an invalid object is rendered from the Status details", async () => {
  const f = await file("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\nspec:\n  containers:\n  - name: c\n");
  const r = await c.run(["create", "-f", f]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/^The Pod "web-1" is invalid: spec\.containers\[0\]\.image: Required value\n$/);
});

test("create from stdin, dry runs, -o name", async () => {
  expect(await c.run("create -f - --dry-run=client", { stdin: pod("x") })).toEqual({ code: 0, stdout: "pod/x created (dry run)\n", stderr: "" });
  expect(await c.run("create -f - --dry-run=server", { stdin: pod("x") })).toEqual({ code: 0, stdout: "pod/x created (server dry run)\n", stderr: "" });
  expect((await c.run("get pods")).stderr).toBe("No resources found in default namespace.\n");
  expect(await c.run("create -f - -o name", { stdin: pod("x") })).toEqual({ code: 0, stdout: "pod/x\n", stderr: "" });
});

test("create -f with malformed YAML names the file and line and sends nothing", async () => {
  const f = await file("broken.yaml", `${pod("ok")}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: 1\n`);
  expect(await c.run(["create", "-f", f])).toEqual({
    code: 1, stdout: "",
    stderr: `error: error parsing ${f}: error converting YAML to JSON: yaml: line 14: bad indentation of a mapping entry\n`,
  });
  expect((await c.run("get pods")).stderr).toBe("No resources found in default namespace.\n");
  expect(await c.run(["create", "-f", join(dir, "nope.yaml")])).toEqual({
    code: 1, stdout: "", stderr: `error: the path "${join(dir, "nope.yaml")}" does not exist\n` });
});

test("-n must agree with the manifest's namespace", async () => {
  const f = await file("ns.yaml", pod("a", "nginx", "\n  namespace: kube-system"));
  expect(await c.run(["create", "-f", f, "-n", "default"])).toEqual({
    code: 1, stdout: "",
    stderr: "error: the namespace from the provided object \"kube-system\" does not match the namespace \"default\". You must pass '--namespace=kube-system' to perform this operation.\n",
  });
  expect((await c.run(["create", "-f", f])).stdout).toBe("pod/a created\n");
});

test("apply: created, unchanged, configured; the last-applied annotation is kubectl's", async () => {
  const f = await file("web.yaml", pod("web", "nginx:1", "\n  labels:\n    app: web"));
  expect(await c.run(["apply", "-f", f])).toEqual({ code: 0, stdout: "pod/web created\n", stderr: "" });
  const live = await c.client.get("pods", "default", "web");
  expect(live.metadata.annotations?.[LAST_APPLIED]).toBe(
    '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"containers":[{"image":"nginx:1","name":"c"}]}}\n');
  expect(await c.run(["apply", "-f", f])).toEqual({ code: 0, stdout: "pod/web unchanged\n", stderr: "" });
  await writeFile(f, pod("web", "nginx:2"));
  expect(await c.run(["apply", "-f", f])).toEqual({ code: 0, stdout: "pod/web configured\n", stderr: "" });
  const after = await c.client.get("pods", "default", "web");
  expect(after.spec.containers[0].image).toBe("nginx:2");
  expect(after.metadata.labels).toBeUndefined();                 // removed from the file → removed live
  expect(after.spec.containers[0].terminationMessagePath).toBe("/dev/termination-log");  // server defaults stay
});

test("replace -f: PUT; a missing object is NotFound with the file", async () => {
  const f = await file("r.yaml", pod("r", "nginx:1"));
  const r = await c.run(["replace", "-f", f]);
  expect(r).toEqual({ code: 1, stdout: "", stderr: `Error from server (NotFound): error when replacing "${f}": pods "r" not found\n` });
  await c.run(["create", "-f", f]);
  const live = await c.client.get("pods", "default", "r");
  await writeFile(f, pod("r", "nginx:1", `\n  labels:\n    v: "2"\n  resourceVersion: "${live.metadata.resourceVersion}"`));
  expect(await c.run(["replace", "-f", f])).toEqual({ code: 0, stdout: "pod/r replaced\n", stderr: "" });
  const stale = await c.run(["replace", "-f", f]);
  expect(stale.code).toBe(1);
  expect(stale.stderr).toBe(`Error from server (Conflict): error when replacing "${f}": Operation cannot be fulfilled on pods "r": the object has been modified; please apply your changes to the latest version and try again\n`);
});

test("delete by name, type/name, -f, -l, --all; not found; -o name", async () => {
  await c.run("create -f -", { stdin: [pod("a"), pod("b", "nginx", "\n  labels:\n    app: b"), pod("c"), pod("d")].join("---\n") });
  expect(await c.run("delete pod a")).toEqual({ code: 0, stdout: 'pod "a" deleted from default namespace\n', stderr: "" });
  expect(await c.run("delete pod a")).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "a" not found\n' });
  expect(await c.run("delete pod a --ignore-not-found")).toEqual({ code: 0, stdout: "", stderr: "" });
  expect(await c.run("delete pods -l app=b")).toEqual({ code: 0, stdout: 'pod "b" deleted from default namespace\n', stderr: "" });
  expect(await c.run("delete pods -l app=b")).toEqual({ code: 0, stdout: "No resources found\n", stderr: "" });
  expect(await c.run("delete po/c -o name --wait=false")).toEqual({ code: 0, stdout: "pod/c\n", stderr: "" });
  expect(await c.run("delete pods --all --dry-run=server")).toEqual({ code: 0, stdout: 'pod "d" deleted (server dry run) from default namespace\n', stderr: "" });
  const f = await file("d.yaml", pod("d"));
  expect(await c.run(["delete", "-f", f])).toEqual({ code: 0, stdout: 'pod "d" deleted from default namespace\n', stderr: "" });
  expect(await c.run(["delete", "-f", f])).toEqual({ code: 1, stdout: "", stderr: `Error from server (NotFound): error when deleting "${f}": pods "d" not found\n` });
  await c.seed({ apiVersion: "v1", kind: "Namespace", metadata: { name: "tmp" } });
  expect(await c.run("delete ns tmp")).toEqual({ code: 0, stdout: 'namespace "tmp" deleted\n', stderr: "" });
  expect((await c.run("get ns tmp")).stderr).toBe('Error from server (NotFound): namespaces "tmp" not found\n');
});
