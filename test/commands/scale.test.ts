// `skiff scale`: parsing, the /scale merge patch, preconditions and their errors, against an in-process cluster.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import scaleCommand, { type ScaleOptions } from "../../src/commands/scale.ts";
import { testDeps } from "../helpers/test-deps.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

const rc = (name: string, replicas: number, labels: Record<string, string> = { app: name }): ApiObject => ({
  apiVersion: "v1", kind: "ReplicationController", metadata: { name, labels },
  spec: { replicas, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
});

test.each<[string[], Record<string, unknown>, Partial<ScaleOptions> | string]>([
  [["rc/web"], { replicas: "3", currentReplicas: "-1", timeout: "0s", filename: [] }, { replicas: 3, currentReplicas: -1, timeout: 0 }],
  [["rc", "web"], { replicas: "0", currentReplicas: "2", timeout: "1m", filename: [] }, { replicas: 0, currentReplicas: 2, timeout: 60_000 }],
  [["rc/web"], { currentReplicas: "-1", timeout: "0s", filename: [] }, "required flag(s) \"replicas\" not set"],
  [["rc/web"], { replicas: "x", currentReplicas: "-1", timeout: "0s", filename: [] }, "invalid argument \"x\" for \"--replicas\" flag"],
  [["rc"], { replicas: "1", currentReplicas: "-1", timeout: "0s", filename: [] }, "resource(s) were provided, but no name was specified"],
  [[], { replicas: "1", currentReplicas: "-1", timeout: "0s", filename: [] }, "You must provide one or more resources by argument or filename."],
])("complete %j %j", (args, flags, want) => {
  const deps = testDeps().deps;
  if (typeof want === "string") {
    expect(() => scaleCommand.complete(args, flags as never, deps)).toThrow(want);
    return;
  }
  expect(scaleCommand.complete(args, flags as never, deps)).toMatchObject(want);
});

test("scale patches spec.replicas through /scale and prints kubectl's line", async () => {
  await c.seed(rc("web", 1), rc("api", 1));
  expect(await c.run("scale --replicas=3 rc/web")).toEqual({ code: 0, stdout: "replicationcontroller/web scaled\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "web")).spec.replicas).toBe(3);
  expect(await c.run("scale replicationcontrollers web api --replicas=2 -o name")).toEqual({
    code: 0, stdout: "replicationcontroller/web\nreplicationcontroller/api\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "api")).spec.replicas).toBe(2);
  expect(await c.run("scale rc --all --replicas=5 --dry-run=client")).toEqual({
    code: 0, stdout: "replicationcontroller/api scaled (dry run)\nreplicationcontroller/web scaled (dry run)\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "api")).spec.replicas).toBe(2);
  expect(await c.run("scale rc -l app=api --replicas=4 --dry-run=server")).toEqual({
    code: 0, stdout: "replicationcontroller/api scaled (server dry run)\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "api")).spec.replicas).toBe(2);
});

test("preconditions: --current-replicas and --resource-version are checked before the PUT", async () => {
  const [web] = await c.seed(rc("web", 2));
  expect(await c.run("scale --current-replicas=3 --replicas=5 rc/web")).toEqual({ code: 1, stdout: "", stderr: "error: Expected replicas to be 3, was 2\n" });
  expect(await c.run("scale --resource-version=1 --replicas=5 rc/web")).toEqual({
    code: 1, stdout: "", stderr: `error: Expected resource version to be 1, was ${web.metadata.resourceVersion}\n` });
  expect((await c.client.get("replicationcontrollers", "default", "web")).spec.replicas).toBe(2);
  expect(await c.run("scale --current-replicas=2 --replicas=5 rc/web")).toEqual({ code: 0, stdout: "replicationcontroller/web scaled\n", stderr: "" });
  expect((await c.client.get("replicationcontrollers", "default", "web")).spec.replicas).toBe(5);
  expect(await c.run(`scale --resource-version=${(await c.client.get("replicationcontrollers", "default", "web")).metadata.resourceVersion} --replicas=1 rc/web`))
    .toEqual({ code: 0, stdout: "replicationcontroller/web scaled\n", stderr: "" });
});

test("scale errors: no scale subresource, missing objects, several objects with a precondition", async () => {
  await c.seed(rc("web", 1), rc("api", 1),
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx" }] } });
  expect(await c.run("scale pod/p --replicas=2")).toEqual({ code: 1, stdout: "",
    stderr: "error: could not find scale subresource for /v1, Resource=pods in discovery information\n" });
  expect(await c.run("scale rc/nope --replicas=2")).toEqual({ code: 1, stdout: "",
    stderr: "Error from server (NotFound): replicationcontrollers \"nope\" not found\n" });
  expect(await c.run("scale rc -l app=none --replicas=2")).toEqual({ code: 1, stdout: "", stderr: "error: no objects passed to scale\n" });
  expect(await c.run("scale rc/web rc/api --current-replicas=1 --replicas=2")).toEqual({ code: 1, stdout: "",
    stderr: "error: cannot use --current-replicas with multiple resources\n" });
  expect(await c.run("scale rc/web --replicas=-1")).toEqual({ code: 1, stdout: "",
    stderr: "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n" });
});

test("--timeout waits for status.replicas and gives up in kubectl's words", async () => {
  await c.seed(rc("web", 1));
  expect(await c.run("scale rc/web --replicas=2 --timeout=1ms")).toEqual({ code: 1, stdout: "",
    stderr: "error: timed out waiting for \"web\" to be synced\n" });
  expect((await c.client.get("replicationcontrollers", "default", "web")).spec.replicas).toBe(2);
});
