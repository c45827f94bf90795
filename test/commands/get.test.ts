// `skiff get` against an in-process cluster: tables byte for byte, -o formats, errors, watch.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
const NOW = "2024-05-01T12:00:00Z";

function pod(name: string, created: string, labels: Record<string, string> = {}, ns = "default"): ApiObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: ns, labels, creationTimestamp: created },
    spec: { containers: [{ name: "c", image: "nginx" }] },
  };
}

beforeEach(async () => {
  c = await testCluster({ now: NOW });
  await c.seed(
    pod("web-1", "2024-05-01T11:58:00Z", { app: "web", tier: "fe" }),
    pod("db-1", "2024-05-01T09:00:00Z", { app: "db" }),
    pod("other", "2024-04-29T12:00:00Z", {}, "kube-system"),
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", creationTimestamp: "2024-05-01T11:00:00Z" },
      spec: { selector: { app: "web" }, ports: [{ port: 80 }], clusterIP: "172.30.0.10" } },
  );
});
afterEach(async () => { await c.close(); });

test("get pods prints the server's table, the same on a terminal and in a pipe", async () => {
  const piped = await c.run("get pods");
  expect(piped).toEqual(await c.run("get pods", { tty: true }));
  expect(piped).toEqual({
    code: 0, stderr: "",
    stdout: "NAME    READY   STATUS    RESTARTS   AGE\n" +
      "db-1    0/1     Pending   0          3h\n" +
      "web-1   0/1     Pending   0          2m\n",
  });
});

test("-o wide adds the priority-1 columns", async () => {
  const r = await c.run("get pods web-1 -o wide");
  expect(r.stdout).toBe(
    "NAME    READY   STATUS    RESTARTS   AGE   IP       NODE     NOMINATED NODE   READINESS GATES\n" +
    "web-1   0/1     Pending   0          2m    <none>   <none>   <none>           <none>\n");
});

test("-A, --show-labels, -L, --no-headers, --sort-by", async () => {
  expect((await c.run("get pods -A --sort-by=.metadata.name")).stdout).toBe(
    "NAMESPACE     NAME    READY   STATUS    RESTARTS   AGE\n" +
    "default       db-1    0/1     Pending   0          3h\n" +
    "kube-system   other   0/1     Pending   0          2d\n" +
    "default       web-1   0/1     Pending   0          2m\n");
  expect((await c.run("get pods --show-labels -L tier --no-headers")).stdout).toBe(
    "db-1    0/1   Pending   0     3h          app=db\n" +
    "web-1   0/1   Pending   0     2m    fe    app=web,tier=fe\n");
  expect((await c.run("get pods -l app=web")).stdout).toBe(
    "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   0/1     Pending   0          2m\n");
});

test("several types: kind-prefixed names, one header per type, a blank line between", async () => {
  const r = await c.run("get pods,svc");
  expect(r.stdout).toBe(
    "NAME        READY   STATUS    RESTARTS   AGE\n" +
    "pod/db-1    0/1     Pending   0          3h\n" +
    "pod/web-1   0/1     Pending   0          2m\n" +
    "\n" +
    "NAME                 TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE\n" +
    "service/kubernetes   ClusterIP   172.30.0.1    <none>        443/TCP   0s\n" +
    "service/web          ClusterIP   172.30.0.10   <none>        80/TCP    60m\n");
  expect(await c.run("get all")).toEqual({ ...r, stdout: r.stdout });
  expect((await c.run("get pod/web-1 svc/web")).stdout).toBe(
    "NAME        READY   STATUS    RESTARTS   AGE\n" +
    "pod/web-1   0/1     Pending   0          2m\n" +
    "\n" +
    "NAME          TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE\n" +
    "service/web   ClusterIP   172.30.0.10   <none>        80/TCP    60m\n");
});

test("a missing name: the found ones print, the error follows, exit 1", async () => {
  expect(await c.run("get pods nope web-1")).toEqual({
    code: 1,
    stdout: "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   0/1     Pending   0          2m\n",
    stderr: 'Error from server (NotFound): pods "nope" not found\n',
  });
  expect(await c.run("get pod nope --ignore-not-found")).toEqual({ code: 0, stdout: "", stderr: "" });
});

test("nothing to list: stderr says so, in the namespace's words", async () => {
  expect(await c.run("get rc")).toEqual({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
  expect(await c.run("get rc -A")).toEqual({ code: 0, stdout: "", stderr: "No resources found\n" });
  expect(await c.run("get pods -o name -l app=none")).toEqual({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
});

test("unknown resource type", async () => {
  expect(await c.run("get frobs")).toEqual({ code: 1, stdout: "", stderr: 'error: the server doesn\'t have a resource type "frobs"\n' });
});

test("-o json: one name bare, a list as a List", async () => {
  const one = await c.run("get pod web-1 -o json");
  expect(one.code).toBe(0);
  const obj = JSON.parse(one.stdout);
  expect([obj.kind, obj.apiVersion, obj.metadata.name]).toEqual(["Pod", "v1", "web-1"]);
  expect(one.stdout.startsWith('{\n    "apiVersion": "v1",\n    "kind": "Pod",\n')).toBe(true);
  const list = JSON.parse((await c.run("get pods -o json")).stdout);
  expect(list.kind).toBe("List");
  expect(list.items.map((i: ApiObject) => `${i.kind}/${i.metadata.name}`)).toEqual(["Pod/db-1", "Pod/web-1"]);
});

test("-o name, jsonpath, custom-columns, yaml", async () => {
  expect((await c.run("get pods,svc -o name")).stdout).toBe("pod/db-1\npod/web-1\nservice/kubernetes\nservice/web\n");
  expect((await c.run(["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"])).stdout).toBe("db-1 web-1");
  expect((await c.run(["get", "pod", "web-1", "-o", "jsonpath={.metadata.labels.app}"])).stdout).toBe("web");
  expect((await c.run("get pods -o custom-columns=NAME:.metadata.name,APP:.metadata.labels.app")).stdout)
    .toBe("NAME    APP\ndb-1    db\nweb-1   web\n");
  const yaml = (await c.run("get pod web-1 -o yaml")).stdout;
  expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\nmetadata:\n {2}creationTimestamp: "2024-05-01T11:58:00Z"\n/);
});

test("a bad -o fails before any request", async () => {
  expect(await c.run("get pods -o foo")).toEqual({
    code: 1, stdout: "",
    stderr: 'error: unable to match a printer suitable for the output format "foo", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml\n',
  });
});

test("-w prints the table, then a row per change; --output-watch-events adds EVENT", async () => {
  const ac = new AbortController();
  const running = c.run("get pods -l app=web -w --output-watch-events", { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 100));
  await c.client.patch("pods", "default", "web-1", "merge", { metadata: { labels: { tier: "be" } } });
  await c.client.delete("pods", "default", "web-1");
  await new Promise((r) => setTimeout(r, 100));
  ac.abort();
  const r = await running;
  expect(r.stdout).toBe(
    "EVENT      NAME    READY   STATUS    RESTARTS   AGE\n" +
    "ADDED      web-1   0/1     Pending   0          2m\n" +
    "MODIFIED   web-1   0/1     Pending   0          2m\n" +
    "DELETED    web-1   0/1     Pending   0          2m\n");
});
