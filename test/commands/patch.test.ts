// `skiff patch`: flag checks, the three patch types on the server and locally, subresources and kubectl's wording, against an in-process cluster.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject, Pod } from "../../src/api/types.ts";
import { applyPatchLocally, goJsonSyntaxError, patchToJson } from "../../src/commands/patch.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
let dir: string;
beforeEach(async () => {
  c = await testCluster({ now: "2024-05-01T12:00:00Z" });
  dir = await mkdtemp(join(tmpdir(), "skiff-patch-"));
});
afterEach(async () => {
  await c.close();
  await rm(dir, { recursive: true, force: true });
});

const POD: ApiObject = {
  apiVersion: "v1", kind: "Pod", metadata: { name: "web", labels: { app: "web" } },
  spec: { containers: [{ name: "c", image: "nginx" }, { name: "side", image: "busybox" }] },
};
const RC: ApiObject = {
  apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" },
  spec: { replicas: 1, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
};
const POD_YAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: c\n    image: nginx\n";

const pod = async (): Promise<Pod> => c.client.get("pods", "default", "web");

test.each<[string, string]>([
  ["patch pod web", "error: must specify --patch or --patch-file containing the contents of the patch\n"],
  ["patch pod web -p {} --patch-file x", "error: cannot specify --patch and --patch-file together\n"],
  ["patch pod web -p {} --type x", "error: --type must be one of [json merge strategic], not \"x\"\n"],
  ["patch pod web -p {} --local", "error: cannot specify --local and server resources\n"],
  ["patch -f pod.yaml -p {} --local --dry-run=server", "error: cannot specify --local and --dry-run=server - did you mean --dry-run=client?\n"],
  ["patch pods -p {}", "error: resource(s) were provided, but no name was specified\n"],
  ["patch -p {}", "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n"],
  ["patch pod web --patch-file /nonexistent/p.json", "error: unable to read patch file: open /nonexistent/p.json: no such file or directory\n"],
  ["patch pod web -p 'a: b: c'", "error: unable to parse \"a: b: c\": yaml: line 1: bad indentation of a mapping entry\n"],
  ["patch pod nope -p {}", "Error from server (NotFound): pods \"nope\" not found\n"],
  ["patch pod web --dry-run=maybe -p {}", "error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\n"],
])("%s fails in kubectl's words", async (cmd, stderr) => {
  await c.seed(POD);
  expect(await c.run(cmd)).toEqual({ code: 1, stdout: "", stderr });
});

test("a strategic merge patch (the default) merges containers by name and says when nothing changed", async () => {
  await c.seed(POD);
  const before = await pod();
  expect(await c.run(`patch pod web -p '{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}'`))
    .toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  const after = await pod();
  expect(after.spec.containers.map((x) => `${x.name}=${x.image}`)).toEqual(["c=nginx:2", "side=busybox"]);
  expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
  expect(await c.run(`patch pod/web -p '{"spec":{"containers":[{"name":"c","image":"nginx:2"}]}}'`))
    .toEqual({ code: 0, stdout: "pod/web patched (no change)\n", stderr: "" });
  expect((await pod()).metadata.resourceVersion).toBe(after.metadata.resourceVersion);
});

test("a YAML patch is converted to JSON; --type is case-insensitive", async () => {
  await c.seed(POD);
  expect(await c.run(["patch", "pod", "web", "-p", "metadata:\n  labels:\n    tier: front\n"])).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect((await pod()).metadata.labels).toEqual({ app: "web", tier: "front" });
  expect(await c.run(`patch pod web --type=MERGE -p '{"metadata":{"labels":{"tier":null}}}'`)).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect((await pod()).metadata.labels).toEqual({ app: "web" });
});

test("a merge patch replaces lists whole; a JSON patch works on positions", async () => {
  await c.seed(POD);
  expect(await c.run(`patch pod web --type merge -p '{"spec":{"containers":[{"name":"c","image":"nginx:3"}]}}'`))
    .toEqual({ code: 1, stdout: "", stderr: "The Pod \"web\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers\n" });
  expect(await c.run(`patch pod web --type json -p '[{"op":"replace","path":"/spec/containers/1/image","value":"busybox:2"}]'`))
    .toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect((await pod()).spec.containers.map((x) => x.image)).toEqual(["nginx", "busybox:2"]);
  expect(await c.run(`patch pod web --type json -p '[{"op":"test","path":"/metadata/name","value":"x"}]'`))
    .toEqual({ code: 1, stdout: "", stderr: "The request is invalid: testing value /metadata/name failed: test failed\n" });
});

test("--patch-file reads the patch; -o prints the patched object", async () => {
  await c.seed(POD);
  await writeFile(join(dir, "p.yaml"), "metadata:\n  annotations:\n    note: hi\n");
  expect(await c.run(`patch pod web --patch-file ${join(dir, "p.yaml")} -o jsonpath={.metadata.annotations.note}`))
    .toEqual({ code: 0, stdout: "hi", stderr: "" });
  expect(await c.run(`patch pod web -p '{"metadata":{"labels":{"x":"1"}}}' -o name`)).toEqual({ code: 0, stdout: "pod/web\n", stderr: "" });
});

test("--dry-run=client patches locally and --dry-run=server sends dryRun=All; neither stores, and kubectl adds no suffix", async () => {
  await c.seed(POD);
  const rv = (await pod()).metadata.resourceVersion;
  expect(await c.run(`patch pod web --dry-run=client -p '{"metadata":{"labels":{"x":"1"}}}'`)).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect(await c.run(`patch pod web --dry-run=client -p '{"metadata":{"labels":{"app":"web"}}}'`)).toEqual({ code: 0, stdout: "pod/web patched (no change)\n", stderr: "" });
  expect(await c.run(`patch pod web --dry-run=client --type json -p '[{"op":"add","path":"/metadata/labels/x","value":"1"}]' -o jsonpath={.metadata.labels}`))
    .toEqual({ code: 0, stdout: "{\"app\":\"web\",\"x\":\"1\"}", stderr: "" });
  expect(await c.run(`patch pod web --dry-run=server -p '{"metadata":{"labels":{"x":"1"}}}' -o jsonpath={.metadata.labels.x}`))
    .toEqual({ code: 0, stdout: "1", stderr: "" });
  expect(await c.run(`patch pod web --dry-run=server -p '{"metadata":{"labels":{"x":"1"}}}'`)).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  const now = await pod();
  expect(now.metadata.resourceVersion).toBe(rv);
  expect(now.metadata.labels).toEqual({ app: "web" });
});

test("--subresource scale patches the Scale and prints its own kind; status patches only the status", async () => {
  await c.seed(RC, POD);
  expect(await c.run(`patch rc web --subresource=scale --type=merge -p '{"spec":{"replicas":3}}'`))
    .toEqual({ code: 0, stdout: "scale.autoscaling/web patched\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "web")).spec.replicas).toBe(3);
  expect(await c.run(`patch rc web --subresource=scale --type=merge -p '{"spec":{"replicas":3}}'`))
    .toEqual({ code: 0, stdout: "scale.autoscaling/web patched (no change)\n", stderr: "" });
  expect(await c.run(`patch rc web --subresource=scale -p '{"spec":{"replicas":5}}' --dry-run=client -o jsonpath={.spec.replicas}`))
    .toEqual({ code: 0, stdout: "5", stderr: "" });
  expect(await c.run(`patch pod web --subresource=status -p '{"status":{"phase":"Running"},"metadata":{"labels":{"ignored":"1"}}}'`))
    .toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  const p = await pod();
  expect(p.status?.phase).toBe("Running");
  expect(p.metadata.labels).toEqual({ app: "web" });
});

test("-f names the objects; errors of one object do not stop the others", async () => {
  await c.seed(POD);
  await writeFile(join(dir, "pod.yaml"), POD_YAML);
  expect(await c.run(`patch -f ${join(dir, "pod.yaml")} -p '{"metadata":{"labels":{"f":"1"}}}'`)).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect((await pod()).metadata.labels).toEqual({ app: "web", f: "1" });
  expect(await c.run(`patch pod/nope pod/web -p '{"metadata":{"labels":{"g":"1"}}}'`))
    .toEqual({ code: 1, stdout: "pod/web patched\n", stderr: "Error from server (NotFound): pods \"nope\" not found\n" });
  expect((await pod()).metadata.labels).toEqual({ app: "web", f: "1", g: "1" });
});

test("--local patches the file's objects and prints them without asking the server", async () => {
  await writeFile(join(dir, "pod.yaml"), POD_YAML);
  await writeFile(join(dir, "foo.yaml"), "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: f\n");
  const f = join(dir, "pod.yaml");
  expect(await c.run(`patch --local -f ${f} -p '{"metadata":{"labels":{"a":"b"}}}' -o yaml`)).toEqual({ code: 0, stdout:
    "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    a: b\n  name: web\nspec:\n  containers:\n  - image: nginx\n    name: c\n", stderr: "" });
  expect(await c.run(`patch --local -f ${f} -p '{}'`)).toEqual({ code: 0, stdout: "pod/web patched (no change)\n", stderr: "" });
  expect(await c.run(`patch --local -f ${f} -p '{"metadata":{"labels":{"a":"b"}}}' --dry-run=client`)).toEqual({ code: 0, stdout: "pod/web patched\n", stderr: "" });
  expect(await c.run(`patch --local -f ${join(dir, "foo.yaml")} -p '{}'`)).toEqual({ code: 1, stdout: "",
    stderr: "error: strategic merge patch is not supported for example.com/v1, Kind=Foo locally, try --type merge\n" });
  expect(await c.run(`patch --local -f ${join(dir, "foo.yaml")} --type merge -p '{}'`)).toEqual({ code: 0, stdout: "foo.example.com/f patched (no change)\n", stderr: "" });
  expect((await c.client.list("pods", "default")).items).toEqual([]);
});

const base: ApiObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { containers: [{ name: "c", image: "nginx" }] } };

test.each<[string, "json" | "merge" | "strategic", string, string]>([
  ["strategic, not JSON", "strategic", "{bad", "invalid JSON document"],
  ["strategic, a list", "strategic", "[1]", "invalid JSON document"],
  ["merge, not JSON", "merge", "{bad", "Invalid JSON Patch"],
  ["merge, a string", "merge", "\"x\"", "Invalid JSON Patch"],
  ["merge, a list", "merge", "[1]", "json: cannot unmarshal array into Go value of type unstructured.detector"],
  ["json, not JSON", "json", "{bad", "invalid character 'b' looking for beginning of object key string"],
  ["json, an object", "json", "{\"a\":1}", "json: cannot unmarshal object into Go value of type jsonpatch.Patch"],
  ["json, a number in the list", "json", "[1]", "json: cannot unmarshal number into Go value of type jsonpatch.Operation"],
  ["json, an unknown op", "json", "[{\"op\":\"bogus\",\"path\":\"/a\"}]", "Unexpected kind: bogus"],
  ["json, removing what is not there", "json", "[{\"op\":\"remove\",\"path\":\"/spec/x\"}]",
    "error in remove for path: '/spec/x': Unable to remove nonexistent key: x: missing value"],
  ["json, adding under what is not there", "json", "[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"b\"}]",
    "add operation does not apply: doc is missing path: \"/metadata/labels/a\": missing value"],
  ["json, a failed test", "json", "[{\"op\":\"test\",\"path\":\"/metadata/name\",\"value\":\"x\"}]", "testing value /metadata/name failed: test failed"],
])("local patch errors: %s", (_name, type, patch, message) => {
  expect(() => applyPatchLocally(base, type, patch)).toThrow(message);
});

test("local patches: null and an empty list change nothing", () => {
  expect(applyPatchLocally(base, "strategic", "null")).toEqual(base);
  expect(applyPatchLocally(base, "json", "[]")).toEqual(base);
  expect(applyPatchLocally(base, "json", "null")).toEqual(base);
});

test.each<[string, string]>([
  ["{\"a\":1}}", "invalid character '}' after top-level value"],
  ["{\"a\" 1}", "invalid character '1' after object key"],
  ["{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair"],
  ["{\"a\":[1 2]}", "invalid character '2' after array element"],
  ["{\"a\":", "unexpected end of JSON input"],
  ["{\"a\":x}", "invalid character 'x' looking for beginning of value"],
  ["{\"a\":\"\\q\"}", "invalid character 'q' in string escape code"],
])("Go's JSON syntax error for %s", (text, want) => {
  let err: unknown;
  try { JSON.parse(text); } catch (e) { err = e; }
  expect(goJsonSyntaxError(text, err)).toBe(want);
});

test("patchToJson passes `{` text through and converts YAML", async () => {
  expect(await patchToJson("  {not json")).toBe("  {not json");
  expect(await patchToJson("spec:\n  unschedulable: true\n")).toBe("{\"spec\":{\"unschedulable\":true}}");
  expect(await patchToJson("[{op: remove, path: /a}]")).toBe("[{\"op\":\"remove\",\"path\":\"/a\"}]");
  await expect(patchToJson("a: b: c")).rejects.toThrow("unable to parse \"a: b: c\": yaml: line 1:");
});
