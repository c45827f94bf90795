// `skiff expose`: the Service built from a pod, RC or service (kubectl's service/v2 rules), against an in-process cluster.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { buildService, type ExposeOptions } from "../../src/commands/expose.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

const opts: ExposeOptions = { filenames: [], recursive: false, dryRun: "none" };
const rc = (ports: { containerPort: number; protocol?: string }[]): ApiObject => ({
  apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web", labels: { app: "web", tier: "fe" } },
  spec: { replicas: 1, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx", ports }] } } },
});

test.each<[string, ApiObject, Partial<ExposeOptions>, unknown]>([
  ["one container port", rc([{ containerPort: 80 }]), {},
    { metadata: { name: "web", labels: { app: "web", tier: "fe" } }, spec: { ports: [{ port: 80, protocol: "TCP", targetPort: 80 }], selector: { app: "web" } } }],
  ["several ports are named port-N and keep their protocols", rc([{ containerPort: 53, protocol: "UDP" }, { containerPort: 8080 }]), { name: "dns", type: "NodePort" },
    { metadata: { name: "dns" }, spec: { type: "NodePort", ports: [{ name: "port-1", port: 53, protocol: "UDP", targetPort: 53 }, { name: "port-2", port: 8080, protocol: "TCP", targetPort: 8080 }] } }],
  ["--port and a named --target-port", rc([]), { port: "80", targetPort: "http" },
    { spec: { ports: [{ port: 80, protocol: "TCP", targetPort: "http" }] } }],
  ["--selector wins", rc([{ containerPort: 80 }]), { selector: "x=y", targetPort: "8000" },
    { spec: { selector: { x: "y" }, ports: [{ port: 80, protocol: "TCP", targetPort: 8000 }] } }],
])("buildService: %s", (_, obj, o, want) => {
  expect(buildService(obj, { ...opts, ...o })).toMatchObject(want as object);
});

test.each<[string, ApiObject, string]>([
  ["no ports", rc([]), "couldn't find port via --port flag or introspection"],
  ["unlabelled pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [] } }, "the pod has no labels and cannot be exposed"],
  ["a node", { apiVersion: "v1", kind: "Node", metadata: { name: "n" } }, "cannot expose a Node"],
])("buildService refuses %s", (_, obj, msg) => {
  expect(() => buildService(obj, opts)).toThrow(msg);
});

test("expose rc, pod and service against the API", async () => {
  await c.seed(rc([{ containerPort: 8080 }]),
    { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { app: "p" } }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 9000 }] }] } });
  expect(await c.run("expose rc web --port=80 --target-port=8080")).toEqual({ code: 0, stdout: "service/web exposed\n", stderr: "" });
  const svc = await c.client.get("services", "default", "web");
  expect(svc.spec).toMatchObject({ selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }], type: "ClusterIP" });
  expect(svc.metadata.labels).toEqual({ app: "web", tier: "fe" });
  expect(await c.run("expose pod/p")).toEqual({ code: 0, stdout: "service/p exposed\n", stderr: "" });
  expect((await c.client.get("services", "default", "p")).spec.ports).toMatchObject([{ port: 9000, targetPort: 9000 }]);
  expect(await c.run("expose svc web --name=web-2 --port=443 --target-port=8443 -o name")).toEqual({ code: 0, stdout: "service/web-2\n", stderr: "" });
  expect((await c.client.get("services", "default", "web-2")).spec.selector).toEqual({ app: "web" });
  expect(await c.run("expose rc web --port=81 --name=dry --dry-run=client")).toEqual({ code: 0, stdout: "service/dry exposed (dry run)\n", stderr: "" });
  expect(await c.run("expose rc web")).toEqual({ code: 1, stdout: "", stderr: "Error from server (AlreadyExists): services \"web\" already exists\n" });
  expect(await c.run("expose rc nope --port=80")).toEqual({ code: 1, stdout: "", stderr: "Error from server (NotFound): replicationcontrollers \"nope\" not found\n" });
  expect(await c.run("expose pod p --name=x --port=")).toMatchObject({ code: 0 });
});
