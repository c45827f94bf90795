// The typed client over the real HTTP transport against a small local server: URLs, headers,
// pagination, watch decoding, error mapping, discovery, TLS and unreachable servers.
import type { ServerResponse } from "node:http";
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ApiError } from "../../src/api/errors.ts";
import type { ApiObject, Pod } from "../../src/api/types.ts";
import type { ApiClient, PatchType, ResourceRef } from "../../src/client/api-client.ts";
import { createApiClient, decodeWatchEvents, TABLE_ACCEPT } from "../../src/client/client.ts";
import { createHttpTransport } from "../../src/client/http-transport.ts";
import { createInProcessTransport } from "../../src/client/in-process-transport.ts";
import type { Connection } from "../../src/client/kubeconfig.ts";
import { ConnectionError, type Transport } from "../../src/client/transport.ts";
import { CliError } from "../../src/errors.ts";
import { json, selfSignedCert, startServer, type FakeServer } from "./fake-server.ts";

const conn = (server: string, extra: Partial<Connection> = {}): Connection =>
  ({ server, insecureSkipTlsVerify: false, requestTimeoutMs: 0, ...extra });

const DEPLOYMENTS: ResourceRef = { resource: "deployments", kind: "Deployment", group: "apps", version: "v1", namespaced: true };

let srv: FakeServer;
let transport: Transport;
let client: ApiClient;
let warnings: string[];

beforeAll(async () => {
  srv = await startServer((_req, res) => json(res, 200, {}));
  transport = createHttpTransport(conn(srv.url, { token: "tok-123" }));
  warnings = [];
  client = createApiClient(transport, { namespace: "team-a", server: srv.url, userAgent: "skiff-test/1", onWarning: (w) => warnings.push(w) });
});
afterAll(async () => {
  await transport.close?.();
  await srv.close();
});
afterEach(() => {
  srv.requests.length = 0;
  warnings.length = 0;
});

const pod = (name: string, ns = "team-a"): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns } } as Pod);

describe("URLs and headers", () => {
  test.each([
    ["core namespaced, explicit ns", () => client.get("pods", "ns1", "web"), "/api/v1/namespaces/ns1/pods/web"],
    ["core namespaced, default ns", () => client.get("pods", undefined, "web"), "/api/v1/namespaces/team-a/pods/web"],
    ["cluster-scoped ignores ns", () => client.get("nodes", "ns1", "minion-1"), "/api/v1/nodes/minion-1"],
    ["named group", () => client.get(DEPLOYMENTS, "ns1", "api"), "/apis/apps/v1/namespaces/ns1/deployments/api"],
    ["subresource", () => client.getSubresource("replicationcontrollers", "ns1", "rc1", "scale"), "/api/v1/namespaces/ns1/replicationcontrollers/rc1/scale"],
    ["names are escaped", () => client.get("configmaps", "ns1", "a b"), "/api/v1/namespaces/ns1/configmaps/a%20b"],
  ] as [string, () => Promise<unknown>, string][])("%s", async (_name, call, path) => {
    srv.handler = (_r, res) => json(res, 200, pod("web"));
    await call();
    const [req] = srv.requests;
    expect(req.method).toBe("GET");
    expect(req.path).toBe(path);
    expect(req.headers.accept).toBe("application/json");
    expect(req.headers.authorization).toBe("Bearer tok-123");
    expect(req.headers["user-agent"]).toBe("skiff-test/1");
  });

  test("an empty name is refused before any request", async () => {
    await expect(client.get("pods", "ns1", "")).rejects.toThrow("resource name may not be empty");
    expect(srv.requests).toEqual([]);
  });

  test("writes: POST/PUT with JSON, dryRun=All, fieldManager, fieldValidation", async () => {
    srv.handler = (r, res) => json(res, r.method === "POST" ? 201 : 200, JSON.parse(r.body) as unknown);
    const created = await client.create("pods", undefined, pod("web", "other"), { dryRun: true, fieldManager: "kubectl-create", fieldValidation: "Strict" });
    expect(created.metadata.name).toBe("web");
    await client.update("pods", "ns1", pod("web"));
    await client.updateStatus("pods", "ns1", pod("web"));
    const [post, put, putStatus] = srv.requests;
    // The object's own namespace is used when none is given.
    expect([post.method, post.path, post.query]).toEqual(["POST", "/api/v1/namespaces/other/pods",
      { dryRun: "All", fieldManager: "kubectl-create", fieldValidation: "Strict" }]);
    expect(post.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(post.body)).toEqual(pod("web", "other"));
    expect([put.method, put.path, put.query]).toEqual(["PUT", "/api/v1/namespaces/ns1/pods/web", {}]);
    expect([putStatus.method, putStatus.path]).toEqual(["PUT", "/api/v1/namespaces/ns1/pods/web/status"]);
  });

  test.each([
    ["json", "application/json-patch+json"],
    ["merge", "application/merge-patch+json"],
    ["strategic", "application/strategic-merge-patch+json"],
    ["apply", "application/apply-patch+yaml"],
  ] as [PatchType, string][])("patch %s sends %s", async (type, contentType) => {
    srv.handler = (_r, res) => json(res, 200, pod("web"));
    await client.patch("pods", "ns1", "web", type, { metadata: { labels: { a: "b" } } },
      { fieldManager: "kubectl", force: type === "apply", subresource: type === "merge" ? "status" : undefined });
    const [req] = srv.requests;
    expect(req.method).toBe("PATCH");
    expect(req.headers["content-type"]).toBe(contentType);
    expect(req.path).toBe(type === "merge" ? "/api/v1/namespaces/ns1/pods/web/status" : "/api/v1/namespaces/ns1/pods/web");
    expect(req.query).toEqual(type === "apply" ? { fieldManager: "kubectl", force: "true" } : { fieldManager: "kubectl" });
    expect(JSON.parse(req.body)).toEqual({ metadata: { labels: { a: "b" } } });
  });

  test("a string patch is sent as is", async () => {
    srv.handler = (_r, res) => json(res, 200, pod("web"));
    await client.patch("pods", "ns1", "web", "apply", "metadata:\n  name: web\n", { fieldManager: "kubectl" });
    expect(srv.requests[0].body).toBe("metadata:\n  name: web\n");
  });

  test("delete sends DeleteOptions and returns the Status", async () => {
    const success = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name: "web", kind: "pods" } };
    srv.handler = (_r, res) => json(res, 200, success);
    const out = await client.delete("pods", "ns1", "web", { propagationPolicy: "Background", gracePeriodSeconds: 0, dryRun: true });
    expect(out).toEqual(success);
    const [req] = srv.requests;
    expect([req.method, req.path, req.query]).toEqual(["DELETE", "/api/v1/namespaces/ns1/pods/web", { dryRun: "All" }]);
    expect(JSON.parse(req.body)).toEqual({ kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", gracePeriodSeconds: 0 });
  });

  test("warnings reach onWarning", async () => {
    srv.handler = (_r, res) => json(res, 200, pod("web"), { warning: '299 - "unknown field \\"spec.foo\\"", 299 - "second one"' });
    await client.get("pods", "ns1", "web");
    expect(warnings).toEqual(['unknown field "spec.foo"', "second one"]);
  });

  test("version", async () => {
    srv.handler = (_r, res) => json(res, 200, { major: "1", minor: "30", gitVersion: "v1.30.0" });
    expect(await client.version()).toMatchObject({ gitVersion: "v1.30.0" });
    expect(srv.requests[0].path).toBe("/version");
  });
});

describe("lists and tables", () => {
  const pages = (total: number, size: number) => (r: { query: Record<string, string> }, res: ServerResponse): void => {
    const start = r.query.continue ? Number(r.query.continue) : 0;
    const limit = Number(r.query.limit);
    const end = Math.min(start + Math.min(limit, size), total);
    const items = Array.from({ length: end - start }, (_, i) => pod(`p${start + i}`));
    json(res, 200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "77", ...(end < total ? { continue: String(end), remainingItemCount: total - end } : {}) }, items });
  };

  test("list follows continue until the end with limit=500", async () => {
    srv.handler = pages(7, 3);
    const list = await client.list("pods", undefined, { labelSelector: "app=web", resourceVersion: "0" });
    expect(list.items.map((p) => p.metadata.name)).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    expect(list.metadata).toEqual({ resourceVersion: "77" });
    expect(srv.requests.map((r) => [r.path, r.query])).toEqual([
      ["/api/v1/pods", { labelSelector: "app=web", limit: "500", resourceVersion: "0" }],
      ["/api/v1/pods", { labelSelector: "app=web", limit: "500", continue: "3" }],
      ["/api/v1/pods", { labelSelector: "app=web", limit: "500", continue: "6" }],
    ]);
  });

  test("onePage returns one page with its continue token", async () => {
    srv.handler = pages(7, 100);
    const list = await client.list("pods", "ns1", { limit: 2, onePage: true, fieldSelector: "spec.nodeName=n1" });
    expect(list.items).toHaveLength(2);
    expect(list.metadata.continue).toBe("2");
    expect(srv.requests.map((r) => [r.path, r.query])).toEqual([
      ["/api/v1/namespaces/ns1/pods", { fieldSelector: "spec.nodeName=n1", limit: "2" }]]);
  });

  test("table asks for server-side printing and merges pages", async () => {
    srv.handler = (r, res) => {
      const second = r.query.continue === "x";
      json(res, 200, {
        kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: "9", ...(second ? {} : { continue: "x" }) },
        columnDefinitions: second ? [] : [{ name: "Name", type: "string", format: "name", description: "", priority: 0 }],
        rows: [{ cells: [second ? "b" : "a"] }],
      });
    };
    const t = await client.table("pods", "ns1", { includeObject: "Object" });
    expect(t.rows.map((row) => row.cells[0])).toEqual(["a", "b"]);
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name"]);
    expect(srv.requests[0].headers.accept).toBe(TABLE_ACCEPT);
    expect(srv.requests[0].query).toEqual({ includeObject: "Object", limit: "500" });
  });

  test("table of one name, and a server without tables", async () => {
    srv.handler = (_r, res) => json(res, 200, { ...pod("web"), metadata: { name: "web", creationTimestamp: "2024-05-01T12:00:00Z" } });
    const t = await client.table("pods", "ns1", { name: "web" });
    expect(srv.requests[0].path).toBe("/api/v1/namespaces/ns1/pods/web");
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Created At"]);
    expect(t.rows[0].cells).toEqual(["web", "2024-05-01T12:00:00Z"]);
  });
});

describe("errors", () => {
  test("a Status body becomes that ApiError", async () => {
    const status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'pods "web-9" not found', reason: "NotFound", details: { name: "web-9", kind: "pods" }, code: 404 };
    srv.handler = (_r, res) => json(res, 404, status);
    const err = await client.get("pods", "ns1", "web-9").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toEqual(status);
  });

  test.each([
    ["GET", 404, "text/plain", "404 page not found", "NotFound", "the server could not find the requested resource (get pods web)"],
    ["POST", 409, "text/html", "<html/>", "AlreadyExists", "the server reported a conflict (post pods web)"],
    ["PUT", 409, "text/html", "<html/>", "Conflict", "the server reported a conflict (put pods web)"],
    ["GET", 500, "text/plain", "boom\n", "InternalError", 'an error on the server ("boom") has prevented the request from succeeding (get pods web)'],
    ["GET", 403, "text/plain", "go away", "Forbidden", "go away (get pods web)"],
    ["GET", 503, "text/html", "<html/>", "ServiceUnavailable", "the server is currently unable to handle the request (get pods web)"],
    ["GET", 418, "text/html", "<html/>", "Unknown", "the server responded with the status code 418 but did not return more information (get pods web)"],
  ])("%s %d non-Status body → %s", async (method, code, type, body, reason, message) => {
    srv.handler = (_r, res) => { res.writeHead(code, { "content-type": type }); res.end(body); };
    const call = method === "GET" ? client.get("pods", "ns1", "web")
      : method === "POST" ? client.create("pods", "ns1", pod("web")) : client.update("pods", "ns1", pod("web"));
    const err = await call.catch((e: unknown) => e) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect([err.code, err.reason, err.message]).toEqual([code, reason, message]);
  });

  test("a 2xx body that is not JSON", async () => {
    srv.handler = (_r, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end("<html>"); };
    await expect(client.get("pods", "ns1", "web")).rejects.toThrow(/^couldn't get version\/kind; json parse error: /);
  });

  test("connection refused", async () => {
    const gone = await startServer(() => undefined);
    const url = gone.url;
    await gone.close();
    const t = createHttpTransport(conn(url));
    const c = createApiClient(t, { namespace: "default", server: url });
    const err = await c.get("pods", "default", "x").catch((e: unknown) => e) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.refused).toBe(true);
    expect(err.target).toBe(url.replace("http://", ""));
    await t.close?.();
  });

  test("request timeout", async () => {
    const slow = await startServer(() => undefined);
    const t = createHttpTransport(conn(slow.url, { requestTimeoutMs: 150 }));
    const err = await createApiClient(t, { namespace: "default", server: slow.url }).get("pods", "default", "x").catch((e: unknown) => e) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect([err.refused, err.message]).toEqual([false, "net/http: request canceled (Client.Timeout exceeded while awaiting headers)"]);
    await t.close?.();
    await slow.close();
  });
});

describe("watch", () => {
  const events = [
    { type: "ADDED", object: { kind: "Pod", apiVersion: "v1", metadata: { name: "ünïcødé-1", resourceVersion: "10" } } },
    { type: "MODIFIED", object: { kind: "Pod", apiVersion: "v1", metadata: { name: "web-1", resourceVersion: "11" } } },
    { type: "DELETED", object: { kind: "Pod", apiVersion: "v1", metadata: { name: "web-1", resourceVersion: "12" } } },
  ];
  const text = `${events.map((e) => JSON.stringify(e)).join("\n\n")}\n`;
  const bytes = Buffer.from(text);

  test.each([1, 2, 7, 13, 64, bytes.length])("events survive chunks of %d bytes", async (size) => {
    srv.handler = async (_r, res) => {
      res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
      for (let i = 0; i < bytes.length; i += size) {
        res.write(bytes.subarray(i, i + size));
        if (size > 6) await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    };
    const seen: unknown[] = [];
    for await (const ev of client.watch("pods", "ns1", { resourceVersion: "9", labelSelector: "app=web", allowWatchBookmarks: true, timeoutSeconds: 30 })) seen.push(ev);
    expect(seen).toEqual(events);
    const [req] = srv.requests;
    expect([req.path, req.query]).toEqual(["/api/v1/namespaces/ns1/pods",
      { watch: "true", resourceVersion: "9", labelSelector: "app=web", allowWatchBookmarks: "true", timeoutSeconds: "30" }]);
  });

  test("decodeWatchEvents handles a final line without newline", async () => {
    const out: unknown[] = [];
    for await (const ev of decodeWatchEvents(['{"type":"ADDED","obj', 'ect":{"metadata":{}}}'])) out.push(ev);
    expect(out).toEqual([{ type: "ADDED", object: { metadata: {} } }]);
  });

  test("an ERROR event throws its Status", async () => {
    const expired = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "too old resource version: 5 (9023)", reason: "Expired", code: 410 };
    srv.handler = (_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify(events[0])}\n${JSON.stringify({ type: "ERROR", object: expired })}\n`);
    };
    const seen: unknown[] = [];
    const err = await (async () => { for await (const ev of client.watch("pods", undefined, { resourceVersion: "5" })) seen.push(ev); })().catch((e: unknown) => e);
    expect(seen).toEqual([events[0]]);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toEqual(expired);
    expect(srv.requests[0].path).toBe("/api/v1/pods");
  });

  test("aborting ends an open watch quietly, and the table form sends the Table Accept", async () => {
    srv.handler = (_r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write(`${JSON.stringify(events[0])}\n`);
    };
    const ac = new AbortController();
    const seen: unknown[] = [];
    for await (const ev of client.watch("pods", "ns1", { signal: ac.signal, table: true })) {
      seen.push(ev);
      ac.abort();
    }
    expect(seen).toEqual([events[0]]);
    expect(srv.requests[0].headers.accept).toBe(TABLE_ACCEPT);
  });

  test("a watch refused with a Status throws it", async () => {
    srv.handler = (_r, res) => json(res, 403, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "pods is forbidden: no", reason: "Forbidden", code: 403 });
    await expect((async () => { for await (const _ of client.watch("pods", "ns1")) { /* none */ } })()).rejects.toThrow("pods is forbidden: no");
  });
});

describe("logs", () => {
  test("whole log as text", async () => {
    srv.handler = (_r, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end("line 1\nline 2\n"); };
    expect(await client.logs("ns1", "web", { container: "app", tailLines: 10, timestamps: true, previous: true })).toBe("line 1\nline 2\n");
    const [req] = srv.requests;
    expect([req.path, req.query]).toEqual(["/api/v1/namespaces/ns1/pods/web/log", { container: "app", tailLines: "10", timestamps: "true", previous: "true" }]);
  });

  test("follow streams chunks until the server ends", async () => {
    srv.handler = async (_r, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a\n");
      await new Promise((r) => setTimeout(r, 20));
      res.end("b\n");
    };
    const out = await client.logs("ns1", "web", { follow: true });
    expect(typeof out).not.toBe("string");
    let text = "";
    for await (const chunk of out as AsyncIterable<string>) text += chunk;
    expect(text).toBe("a\nb\n");
    expect(srv.requests[0].query).toEqual({ follow: "true" });
  });

  test("a log error is the server's Status", async () => {
    srv.handler = (_r, res) => json(res, 400, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "a container name must be specified for pod web-1, choose one of: [app sidecar]", reason: "BadRequest", code: 400 });
    await expect(client.logs("ns1", "web-1", { follow: true })).rejects.toThrow("a container name must be specified for pod web-1, choose one of: [app sidecar]");
  });
});

describe("discovery", () => {
  const legacy = (r: { path: string }, res: ServerResponse): void => {
    switch (r.path) {
      case "/api": return json(res, 200, { kind: "APIVersions", versions: ["v1"] });
      case "/api/v1": return json(res, 200, { kind: "APIResourceList", groupVersion: "v1", resources: [
        { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list"], shortNames: ["po"] },
        { name: "pods/log", singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] },
        { name: "widgets", singularName: "widget", namespaced: false, kind: "Widget", verbs: ["get"], shortNames: ["wd"] },
      ] });
      case "/apis": return json(res, 200, { kind: "APIGroupList", apiVersion: "v1", groups: [
        { name: "apps", versions: [{ groupVersion: "apps/v1beta1", version: "v1beta1" }, { groupVersion: "apps/v1", version: "v1" }], preferredVersion: { groupVersion: "apps/v1", version: "v1" } },
        { name: "broken.example.com", versions: [{ groupVersion: "broken.example.com/v1", version: "v1" }], preferredVersion: { groupVersion: "broken.example.com/v1", version: "v1" } },
      ] });
      case "/apis/apps/v1": return json(res, 200, { kind: "APIResourceList", groupVersion: "apps/v1", resources: [
        { name: "daemonsets", singularName: "daemonset", namespaced: true, kind: "DaemonSet", verbs: ["get", "list", "watch"], shortNames: ["ds"], categories: ["all"] },
        { name: "daemonsets/scale", singularName: "", namespaced: true, group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch"] },
      ] });
      case "/apis/apps/v1beta1": return json(res, 200, { kind: "APIResourceList", groupVersion: "apps/v1beta1", resources: [
        { name: "daemonsets", singularName: "daemonset", namespaced: true, kind: "DaemonSet", verbs: ["get"] },
      ] });
      default: return json(res, 503, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "unavailable", reason: "ServiceUnavailable", code: 503 });
    }
  };

  const aggregated = (r: { path: string; headers: Record<string, unknown> }, res: ServerResponse): void => {
    const type = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    const body = (items: unknown[]): void => { res.writeHead(200, { "content-type": type }); res.end(JSON.stringify({ kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items })); };
    if (r.path === "/api") return body([{ metadata: { name: "" }, versions: [{ version: "v1", resources: [
      { resource: "pods", responseKind: { group: "", version: "v1", kind: "Pod" }, scope: "Namespaced", singularResource: "pod", verbs: ["get"], shortNames: ["po"],
        subresources: [{ subresource: "log", verbs: ["get"] }, { subresource: "exec", verbs: ["create"] }] }] }] }]);
    if (r.path === "/apis") return body([{ metadata: { name: "oauth.openshift.io" }, versions: [{ version: "v1", resources: [
      { resource: "oauthclients", responseKind: { group: "oauth.openshift.io", version: "v1", kind: "OAuthClient" }, scope: "Namespaced", singularResource: "oauthclient", verbs: ["get", "list"],
        subresources: [{ subresource: "status" }] }] }] }]);
    json(res, 404, {});
  };

  test("skiff's own table needs no requests", async () => {
    expect((await client.resolve("po")).resource).toBe("pods");
    expect((await client.resolveKind("v1", "Service")).resource).toBe("services");
    expect(srv.requests).toEqual([]);
  });

  test("legacy discovery: names, short names, kinds, groups, preferred version, cached", async () => {
    srv.handler = legacy;
    const c = createApiClient(transport, { namespace: "default", server: srv.url });
    expect(await c.resolve("ds")).toMatchObject({ resource: "daemonsets", group: "apps", version: "v1", namespaced: true, subresources: ["scale"] });
    const first = srv.requests.length;
    expect(srv.requests.find((r) => r.path === "/apis")!.headers.accept).toContain("as=APIGroupDiscoveryList");
    expect((await c.resolve("DaemonSet")).version).toBe("v1");
    expect((await c.resolve("daemonsets.apps")).group).toBe("apps");
    expect((await c.resolve("daemonsets.v1beta1.apps")).version).toBe("v1beta1");
    expect(await c.resolve("wd")).toMatchObject({ resource: "widgets", group: "", namespaced: false });
    expect(await c.resolveKind("apps/v1beta1", "DaemonSet")).toMatchObject({ version: "v1beta1" });
    expect(srv.requests.length).toBe(first);
    await expect(c.resolve("foo")).rejects.toThrow(new CliError('the server doesn\'t have a resource type "foo"'));
    await expect(c.resolveKind("example.com/v1", "Foo")).rejects.toThrow('no matches for kind "Foo" in version "example.com/v1"');
    const all = await c.discover();
    expect(all.map((r) => `${r.resource}.${r.group}/${r.version}`)).toEqual(
      ["pods./v1", "widgets./v1", "daemonsets.apps/v1", "daemonsets.apps/v1beta1"]);
    expect(all[2].verbs).toEqual(["get", "list", "watch"]);
  });

  test("aggregated discovery", async () => {
    srv.handler = aggregated;
    const c = createApiClient(transport, { namespace: "default", server: srv.url });
    expect(await c.resolve("oauthclients")).toMatchObject({ resource: "oauthclients", kind: "OAuthClient", group: "oauth.openshift.io", version: "v1", namespaced: true, subresources: ["status"] });
    expect(await c.resolveKind("oauth.openshift.io/v1", "OAuthClient")).toMatchObject({ resource: "oauthclients" });
    expect(srv.requests.map((r) => r.path)).toEqual(["/api", "/apis"]);
    const pods = (await c.discover()).find((r) => r.resource === "pods")!;
    expect(pods.subresources).toEqual(["log"]);
  });

  test("URLs built from a discovered ref", async () => {
    srv.handler = aggregated;
    const c = createApiClient(transport, { namespace: "default", server: srv.url });
    const clients = await c.resolve("oauthclient");
    srv.handler = (_r, res) => json(res, 200, { kind: "OAuthClientList", apiVersion: "oauth.openshift.io/v1", metadata: {}, items: [] });
    await c.list(clients, "proj");
    expect(srv.requests.at(-1)!.path).toBe("/apis/oauth.openshift.io/v1/namespaces/proj/oauthclients");
  });
});

describe("TLS", () => {
  let tlsSrv: FakeServer;
  let ca: string;
  beforeAll(async () => {
    const { cert, key } = await selfSignedCert();
    ca = cert;
    tlsSrv = await startServer((r, res) => json(res, 200, { ...pod("web"), seenAuth: r.headers.authorization ?? null }), { cert, key });
  });
  afterAll(async () => { await tlsSrv.close(); });

  test.each([
    ["trusted CA", { caPem: "CA" }, "ok"],
    ["insecure", { insecureSkipTlsVerify: true }, "ok"],
    ["unknown authority", {}, "tls: failed to verify certificate: x509: certificate signed by unknown authority"],
  ] as [string, Partial<Connection>, string][])("%s", async (_name, extra, want) => {
    const t = createHttpTransport(conn(tlsSrv.url, { ...extra, ...(extra.caPem ? { caPem: ca } : {}), username: "u", password: "p" }));
    const c = createApiClient(t, { namespace: "default", server: tlsSrv.url });
    try {
      const got = await c.get("pods", "default", "web").then((o: ApiObject) => o, (e: unknown) => e);
      if (want === "ok") expect((got as ApiObject).seenAuth).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
      else {
        expect(got).toBeInstanceOf(ConnectionError);
        expect([(got as ConnectionError).refused, (got as Error).message]).toEqual([false, want]);
      }
    } finally {
      await t.close?.();
    }
  });
});

/** A real forward proxy on 127.0.0.1: CONNECT tunnels and absolute-form requests, recording each first line. */
async function startProxy(requireAuth?: string): Promise<{ url: string; seen: string[]; auths: (string | undefined)[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const auths: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server = createNetServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const [line, ...fields] = buf.subarray(0, end).toString("latin1").split("\r\n");
      seen.push(line!);
      const auth = fields.find((f) => /^proxy-authorization:/i.test(f))?.replace(/^[^:]+:\s*/, "");
      auths.push(auth);
      if (requireAuth !== undefined && auth !== requireAuth) {
        client.end("HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n");
        return;
      }
      const connectTo = /^CONNECT (\S+):(\d+) HTTP/.exec(line!);
      const origin = connectTo ? undefined : new URL(line!.split(" ")[1]!);
      const up = netConnect(Number(connectTo ? connectTo[2] : origin!.port), connectTo ? connectTo[1]! : origin!.hostname, () => {
        if (connectTo) client.write("HTTP/1.1 200 Connection established\r\n\r\n");
        else up.write(buf);
        up.pipe(client);
        client.pipe(up);
      });
      sockets.add(up);
      up.on("close", () => sockets.delete(up));
      up.on("error", () => client.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen, auths,
    close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}

describe("proxy-url", () => {
  let tlsSrv: FakeServer;
  let ca: string;
  beforeAll(async () => {
    const { cert, key } = await selfSignedCert();
    ca = cert;
    tlsSrv = await startServer((r, res) => json(res, 200, { ...pod("web"), seenAuth: r.headers.authorization ?? null, seenProxyAuth: r.headers["proxy-authorization"] ?? null }), { cert, key });
  });
  afterAll(async () => { await tlsSrv.close(); });
  const basic = (s: string): string => `Basic ${Buffer.from(s).toString("base64")}`;

  test("an https server is reached through a CONNECT tunnel, the proxy's credentials kept from the server", async () => {
    const proxy = await startProxy(basic("pu:p@ss"));
    const t = createHttpTransport(conn(tlsSrv.url, { caPem: ca, token: "tok", proxyUrl: proxy.url.replace("http://", "http://pu:p%40ss@") }));
    try {
      const c = createApiClient(t, { namespace: "default", server: tlsSrv.url });
      const got = await c.get("pods", "default", "web");
      expect([got.seenAuth, got.seenProxyAuth]).toEqual(["Bearer tok", null]);
      await c.get("pods", "default", "web");           // the tunnel is kept for the next request
      expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${tlsSrv.port} HTTP/1.1`]);
      expect(proxy.auths).toEqual([basic("pu:p@ss")]);
    } finally {
      await t.close?.();
      await proxy.close();
    }
  });

  test("an http server gets requests in absolute form, with the proxy's credentials", async () => {
    const proxy = await startProxy();
    const t = createHttpTransport(conn(srv.url, { token: "tok", proxyUrl: proxy.url.replace("http://", "http://u:v@") }));
    srv.handler = (r, res) => json(res, 200, { ...pod("web"), seenAuth: r.headers.authorization ?? null });
    try {
      const c = createApiClient(t, { namespace: "default", server: srv.url });
      expect((await c.get("pods", "default", "web")).seenAuth).toBe("Bearer tok");
      expect(proxy.seen).toEqual([`GET ${srv.url}/api/v1/namespaces/default/pods/web HTTP/1.1`]);
      expect(proxy.auths).toEqual([basic("u:v")]);
    } finally {
      await t.close?.();
      await proxy.close();
    }
  });

  test.each([
    ["a proxy that refuses the tunnel", "407", "proxyconnect: 407 Proxy Authentication Required"],
    ["a proxy scheme other than http(s)", "socks5", 'proxyconnect: proxy scheme "socks5" is not supported (http and https are)'],
  ])("%s is a connection error", async (_what, kind, message) => {
    const proxy = await startProxy(basic("right:one"));
    const proxyUrl = kind === "socks5" ? "socks5://127.0.0.1:1080" : proxy.url;
    try {
      const t = (): Transport => createHttpTransport(conn(tlsSrv.url, { caPem: ca, proxyUrl }));
      const got = await Promise.resolve().then(t).then((tr) => createApiClient(tr, { namespace: "default", server: tlsSrv.url }).get("pods", "default", "web"))
        .then(() => undefined, (e: unknown) => e);
      expect(got).toBeInstanceOf(ConnectionError);
      expect((got as Error).message).toBe(message);
    } finally {
      await proxy.close();
    }
  });
});

test("in-process transport hands requests to the handler", async () => {
  const seen: string[] = [];
  const t = createInProcessTransport({
    handle: async (req) => {
      seen.push(`${req.method} ${req.path} ${req.headers?.accept}`);
      return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(pod("web")) };
    },
  });
  expect(t.target).toBe("in-process");
  const c = createApiClient(t, { namespace: "default", server: "in-process" });
  expect((await c.get("pods", undefined, "web")).metadata.name).toBe("web");
  expect(seen).toEqual(["GET /api/v1/namespaces/default/pods/web application/json"]);
});

test("in-process watch stream ends when aborted even if the source stays silent", async () => {
  const ac = new AbortController();
  const t = createInProcessTransport({
    handle: async () => ({
      status: 200, headers: {},
      stream: (async function* () {
        yield '{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n';
        await new Promise(() => undefined);
      })(),
    }),
  });
  const c = createApiClient(t, { namespace: "default", server: "in-process" });
  const names: string[] = [];
  setTimeout(() => ac.abort(), 30);
  for await (const ev of c.watch("pods", "default", { signal: ac.signal })) names.push(ev.object.metadata.name!);
  expect(names).toEqual(["a"]);
});
