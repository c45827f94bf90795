// The HTTPS front of the control plane: TLS, token auth, routing, streams, endpoint file — with a stand-in request handler.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { badRequest } from "../../src/api/errors.ts";
import type { ApiRequest, ApiResponse } from "../../src/client/transport.ts";
import { advertisedIp, startControlPlane, type ControlPlane, type RequestHandler } from "../../src/controlplane/control-plane.ts";

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

function call(cp: ControlPlane, path: string, opts: { token?: string | null; method?: string; body?: Buffer | string; headers?: Record<string, string>; ca?: string | null } = {}): Promise<Reply> {
  return new Promise((done, fail) => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? cp.token : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const req = request(`${cp.url}${path}`, { method: opts.method ?? "GET", headers, agent: false, ...(opts.ca === null ? {} : { ca: opts.ca ?? cp.caPem }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", fail);
    req.end(opts.body);
  });
}

let dir: string;
let cp: ControlPlane | undefined;
const seen: ApiRequest[] = [];
let streamState = { started: 0, finished: 0, aborted: 0 };

/** Echoes the request; `/stream` ticks until aborted; `/bad` and `/boom` fail. */
const echoHandler = (): RequestHandler => ({
  async handle(req: ApiRequest): Promise<ApiResponse> {
    seen.push(req);
    if (req.path === "/bad") throw badRequest("no good");
    if (req.path === "/boom") throw new Error("kaput");
    if (req.path === "/stream") {
      const signal = req.signal!;
      async function* ticks(): AsyncGenerator<string> {
        streamState.started++;
        signal.addEventListener("abort", () => { streamState.aborted++; });
        try {
          for (let i = 0; !signal.aborted; i++) {
            yield `{"n":${i}}\n`;
            await new Promise((ok) => setTimeout(ok, 20));
          }
        } finally {
          streamState.finished++;
        }
      }
      return { status: 200, headers: { "content-type": "application/json" }, stream: ticks() };
    }
    return { status: 200, headers: { "content-type": "application/json" },
      body: JSON.stringify({ method: req.method, path: req.path, query: req.query, auth: req.headers?.authorization, body: req.body }) };
  },
  close() {},
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-cp-"));
  seen.length = 0;
  streamState = { started: 0, finished: 0, aborted: 0 };
  cp = await startControlPlane({ dataDir: join(dir, "data"), port: 0, handler: echoHandler });
});
afterEach(async () => {
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("startControlPlane", () => {
  test("creates the data dir 0700 with credentials and an endpoint record", () => {
    const data = join(dir, "data");
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const f of ["ca.crt", "server.crt", "server.key", "token", "skiff.db"]) expect(existsSync(join(data, f)), f).toBe(true);
    expect(cp!.url).toBe(`https://127.0.0.1:${cp!.port}`);
    expect(readFileSync(join(data, "token"), "utf8").trim()).toBe(cp!.token);
    const ep = JSON.parse(readFileSync(join(data, "endpoint.json"), "utf8"));
    expect(ep).toMatchObject({ url: cp!.url, port: cp!.port, pid: process.pid });
    expect(Number.isNaN(Date.parse(ep.startedAt))).toBe(false);
  });

  test("an HTTPS round trip verifies against the CA, and fails without it", async () => {
    const r = await call(cp!, "/api/v1/namespaces/default/pods?labelSelector=app%3Dweb&limit=5", { method: "POST", body: '{"kind":"Pod"}', headers: { "content-type": "application/json" } });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({
      method: "POST", path: "/api/v1/namespaces/default/pods", query: { labelSelector: "app=web", limit: "5" },
      auth: `Bearer ${cp!.token}`, body: '{"kind":"Pod"}',
    });
    await expect(call(cp!, "/api/v1", { ca: null })).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  test.each([
    ["no token", null],
    ["a wrong token", "0".repeat(64)],
    ["a token of another length", "short"],
  ])("%s gets 401 with an Unauthorized Status", async (_name, token) => {
    const r = await call(cp!, "/api/v1/namespaces/default/pods", { token });
    expect(r.status).toBe(401);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(r.body)).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    expect(seen).toHaveLength(0);
  });

  test.each(["/healthz", "/readyz", "/livez"])("%s answers ok without a token", async (path) => {
    const r = await call(cp!, path, { token: null });
    expect(r).toMatchObject({ status: 200, body: "ok" });
  });

  test("/version needs no token; discovery and OpenAPI do", async () => {
    expect(JSON.parse((await call(cp!, "/version", { token: null })).body).minor).toBe("32");
    expect((await call(cp!, "/api", { token: null })).status).toBe(401);
    expect((await call(cp!, "/openapi/v3", { token: null })).status).toBe(401);
    const api = JSON.parse((await call(cp!, "/api")).body);
    expect(api.serverAddressByClientCIDRs[0].serverAddress).toBe(`127.0.0.1:${cp!.port}`);
    expect(JSON.parse((await call(cp!, "/openapi/v3")).body).paths).toHaveProperty("api/v1");
    expect(seen).toHaveLength(0);
  });

  test("errors from the handler become Status responses", async () => {
    const bad = await call(cp!, "/bad");
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ kind: "Status", reason: "BadRequest", message: "no good" });
    const boom = await call(cp!, "/boom");
    expect(boom.status).toBe(500);
    expect(JSON.parse(boom.body)).toMatchObject({ reason: "InternalError", message: "Internal error occurred: kaput" });
  });

  test("a protobuf body reaches the handler byte for byte (latin1)", async () => {
    const bytes = Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0x80, 0xc3]);
    const r = await call(cp!, "/api/v1/namespaces", { method: "POST", body: bytes, headers: { "content-type": "application/vnd.kubernetes.protobuf" } });
    expect(Buffer.from(JSON.parse(r.body).body, "latin1")).toEqual(bytes);
  });

  test("a stream is written chunk by chunk and aborted when the client goes away", async () => {
    const chunks = await new Promise<string[]>((done, fail) => {
      const got: string[] = [];
      const req = request(`${cp!.url}/stream`, { ca: cp!.caPem, headers: { authorization: `Bearer ${cp!.token}` } }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          got.push(c);
          if (got.length === 3) { req.destroy(); done(got); }
        });
      });
      req.on("error", (e) => { if (got.length < 3) fail(e); });
      req.end();
    });
    expect(chunks.slice(0, 3)).toEqual(['{"n":0}\n', '{"n":1}\n', '{"n":2}\n']);
    for (let i = 0; i < 100 && streamState.finished === 0; i++) await new Promise((ok) => setTimeout(ok, 10));
    expect(streamState).toEqual({ started: 1, finished: 1, aborted: 1 });
  });

  test("close ends open streams, removes endpoint.json and stops listening", async () => {
    const ended = new Promise<number>((done, fail) => {
      let n = 0;
      const req = request(`${cp!.url}/stream`, { ca: cp!.caPem, headers: { authorization: `Bearer ${cp!.token}` } }, (res) => {
        res.on("data", () => { n++; });
        res.on("end", () => done(n));
        res.on("error", () => done(n));
      });
      req.on("error", fail);
      req.end();
    });
    while (streamState.started === 0) await new Promise((ok) => setTimeout(ok, 10));
    const port = cp!.port;
    await cp!.close();
    expect(await ended).toBeGreaterThan(0);
    expect(streamState.finished).toBe(1);
    expect(existsSync(join(dir, "data", "endpoint.json"))).toBe(false);
    await expect(call({ ...cp!, url: `https://127.0.0.1:${port}` }, "/healthz")).rejects.toThrow(/ECONNREFUSED/);
    await cp!.close();
    cp = undefined;
  });

  test("a second start on the same data dir reuses CA and token", async () => {
    const { caPem, token } = cp!;
    await cp!.close();
    cp = await startControlPlane({ dataDir: join(dir, "data"), port: 0, handler: echoHandler });
    expect(cp.caPem).toBe(caPem);
    expect(cp.token).toBe(token);
  });

  test("a taken port rejects without leaving the store open", async () => {
    await expect(startControlPlane({ dataDir: join(dir, "other"), port: cp!.port, handler: echoHandler })).rejects.toThrow(/EADDRINUSE/);
  });
});

describe("the kubernetes Endpoints", () => {
  const ENDPOINTS = "/api/v1/namespaces/default/endpoints/kubernetes";
  const get = async (own: ControlPlane): Promise<any> => JSON.parse((await call(own, ENDPOINTS)).body);

  test("point at the API server's address and port, follow a port change, and are left alone when right", async () => {
    const data = join(dir, "full");
    let own: ControlPlane | undefined = await startControlPlane({ dataDir: data, port: 0, minions: 0, controllers: false });
    try {
      const first = await get(own);
      expect(first).toMatchObject({
        kind: "Endpoints", apiVersion: "v1",
        metadata: { name: "kubernetes", namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
        subsets: [{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "https", port: own.port, protocol: "TCP" }] }],
      });
      const svc = JSON.parse((await call(own, "/api/v1/namespaces/default/services/kubernetes")).body);
      expect(svc.spec.ports[0]).toMatchObject({ name: "https", port: 443, targetPort: own.port });
      const port = own.port;
      await own.close();
      // The same port again: nothing to write, so the resourceVersion stays.
      own = await startControlPlane({ dataDir: data, port, minions: 0, controllers: false });
      expect((await get(own)).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      await own.close();
      own = await startControlPlane({ dataDir: data, port: 0, minions: 0, controllers: false });
      const moved = await get(own);
      expect(own.port).not.toBe(port);
      expect(moved.subsets).toEqual([{ addresses: [{ ip: "127.0.0.1" }], ports: [{ name: "https", port: own.port, protocol: "TCP" }] }]);
      expect(moved.metadata.uid).toBe(first.metadata.uid);
      const movedSvc = JSON.parse((await call(own, "/api/v1/namespaces/default/services/kubernetes")).body);
      expect(movedSvc.spec.ports[0].targetPort).toBe(own.port);
    } finally {
      await own?.close();
      own = undefined;
    }
  });

  test("a stand-in handler is not written to", () => {
    expect(seen.filter((r) => r.path.includes("endpoints"))).toEqual([]);
  });

  test.each<[string, string | undefined]>([
    ["127.0.0.1", "127.0.0.1"], ["0.0.0.0", "127.0.0.1"], ["localhost", "127.0.0.1"], ["::", "::1"], ["::1", "::1"],
    ["10.1.2.3", "10.1.2.3"], ["example.com", undefined],
  ])("advertisedIp(%s) is %s", (listen, ip) => {
    expect(advertisedIp(listen)).toBe(ip);
  });
});
