// `skiff wait`: --for parsing, and conditions, JSONPath, delete and create met through a watch on an in-process cluster.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject, Pod } from "../../src/api/types.ts";
import { conditionMet, parseWaitFor } from "../../src/commands/wait.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster(); });
afterEach(async () => { await c.close(); });

const pod = (name: string, labels: Record<string, string> = { app: "web" }): ApiObject => ({
  apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "app", image: "nginx" }] },
});

async function setStatus(name: string, status: Pod["status"]): Promise<void> {
  const p = await c.client.get("pods", "default", name);
  await c.client.updateStatus("pods", "default", { ...p, status });
}

test.each<[string, unknown]>([
  ["delete", { kind: "delete" }],
  ["DELETE", { kind: "delete" }],
  ["create", { kind: "create" }],
  ["condition=Ready", { kind: "condition", name: "Ready", value: "true" }],
  ["condition=Ready=false", { kind: "condition", name: "Ready", value: "false" }],
  ["jsonpath={.status.phase}=Running", { kind: "jsonpath", expr: "{.status.phase}", value: "Running" }],
  ["jsonpath=.status.phase='Running'", { kind: "jsonpath", expr: "{.status.phase}", value: "Running" }],
  ["jsonpath={.status.loadBalancer.ingress}", { kind: "jsonpath", expr: "{.status.loadBalancer.ingress}", value: undefined }],
])("parseWaitFor(%j)", (input, want) => {
  expect(parseWaitFor(input)).toMatchObject(want as object);
});

test.each([
  ["ready", 'unrecognized condition: "ready"'],
  ["", 'unrecognized condition: ""'],
  ["jsonpath={.a}=b=c", "jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3"],
  ["jsonpath={.a}=", "jsonpath wait value cannot be empty"],
])("parseWaitFor(%j) fails", (input, msg) => {
  expect(() => parseWaitFor(input)).toThrow(msg);
});

test("conditionMet compares type and status case-insensitively and ignores stale generations", () => {
  const o = (status: string, extra: object = {}): ApiObject => ({ metadata: { generation: 2 }, status: { conditions: [{ type: "Ready", status, ...extra }] } });
  expect(conditionMet(o("True"), "ready", "true")).toBe(true);
  expect(conditionMet(o("False"), "Ready", "true")).toBe(false);
  expect(conditionMet(o("True", { observedGeneration: 1 }), "Ready", "true")).toBe(false);
  expect(conditionMet(o("True"), "Available", "true")).toBe(false);
});

test("--for=condition=Ready: met at once, or once a watch event brings it", async () => {
  await c.seed(pod("web-1"), pod("web-2"));
  await setStatus("web-1", { phase: "Running", conditions: [{ type: "Ready", status: "True" }] });
  expect(await c.run("wait --for=condition=Ready pod/web-1")).toEqual({ code: 0, stdout: "pod/web-1 condition met\n", stderr: "" });
  const waiting = c.run("wait --for=condition=Ready pods web-2 --timeout=10s");
  await new Promise((r) => setTimeout(r, 50));
  await setStatus("web-2", { phase: "Pending" });
  await setStatus("web-2", { phase: "Running", conditions: [{ type: "Ready", status: "True" }] });
  expect(await waiting).toEqual({ code: 0, stdout: "pod/web-2 condition met\n", stderr: "" });
  expect(await c.run("wait --for=condition=Ready=false pod/web-1 --timeout=0")).toEqual({ code: 1, stdout: "",
    stderr: "error: timed out waiting for the condition on pods/web-1\n" });
});

test("timeouts, missing objects and empty selections are kubectl's errors", async () => {
  await c.seed(pod("web-1"));
  expect(await c.run("wait --for=condition=Ready pod/web-1 --timeout=50ms")).toEqual({ code: 1, stdout: "",
    stderr: "error: timed out waiting for the condition on pods/web-1\n" });
  expect(await c.run("wait --for=condition=Ready pod/nope")).toEqual({ code: 1, stdout: "",
    stderr: "Error from server (NotFound): pods \"nope\" not found\n" });
  expect(await c.run("wait --for=condition=Ready pods -l app=none")).toEqual({ code: 1, stdout: "",
    stderr: "error: no matching resources found\n" });
  expect(await c.run("wait --for=ready pod/web-1")).toEqual({ code: 1, stdout: "", stderr: "error: unrecognized condition: \"ready\"\n" });
});

test("--for=jsonpath with -l waits for each selected object", async () => {
  await c.seed(pod("web-1"), pod("web-2"), pod("other", { app: "other" }));
  const waiting = c.run("wait --for=jsonpath={.status.phase}=Running pods -l app=web --timeout=10s");
  await new Promise((r) => setTimeout(r, 50));
  await setStatus("web-2", { phase: "Running" });
  await setStatus("web-1", { phase: "Running" });
  expect(await waiting).toEqual({ code: 0, stdout: "pod/web-1 condition met\npod/web-2 condition met\n", stderr: "" });
});

test("--for=delete: an absent object succeeds silently; a present one when its DELETED event arrives", async () => {
  await c.seed(pod("web-1"));
  expect(await c.run("wait --for=delete pod/gone")).toEqual({ code: 0, stdout: "", stderr: "" });
  const waiting = c.run("wait --for=delete pod/web-1 pod/gone --timeout=10s");
  await new Promise((r) => setTimeout(r, 50));
  await c.client.delete("pods", "default", "web-1");
  expect(await waiting).toEqual({ code: 0, stdout: "pod/web-1 condition met\n", stderr: "" });
});

test("--for=create waits for the object to appear", async () => {
  const waiting = c.run("wait --for=create pod/later --timeout=10s");
  await new Promise((r) => setTimeout(r, 50));
  await c.seed(pod("later"));
  expect(await waiting).toEqual({ code: 0, stdout: "pod/later condition met\n", stderr: "" });
  expect(await c.run("wait --for=create pod/never --timeout=20ms")).toEqual({ code: 1, stdout: "", stderr: "error: timed out waiting for the condition\n" });
});
