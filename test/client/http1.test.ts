// The HTTP/1.1 transport against raw TCP servers that answer with exact bytes: framing,
// keep-alive reuse and retry, interim answers, header rules and broken connections.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { requestHead } from "../../src/client/http1.ts";
import { createHttpTransport } from "../../src/client/http-transport.ts";
import type { Connection } from "../../src/client/kubeconfig.ts";
import { ConnectionError, type Transport } from "../../src/client/transport.ts";

interface Raw {
  url: string;
  /** Requests seen (head and body text), in order. */
  requests: string[];
  /** Connections accepted. */
  connections: number;
  close(): Promise<void>;
}

/**
 * A server that answers each complete request (head + Content-Length body) with
 * `answer(n, socket)` (n counts requests from 0).
 */
async function rawServer(answer: (n: number, socket: Socket) => void): Promise<Raw> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buf = "";
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      for (;;) {
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) return;
        const len = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        requests.push(buf.slice(0, end + 4 + len));
        buf = buf.slice(end + 4 + len);
        answer(requests.length - 1, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get connections() { return state.connections; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

const conn = (server: string, extra: Partial<Connection> = {}): Connection => ({ server, insecureSkipTlsVerify: false, requestTimeoutMs: 0, ...extra });

let cleanups: (() => Promise<void> | undefined)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});
async function setup(answer: (n: number, socket: Socket) => void, extra: Partial<Connection> = {}): Promise<{ srv: Raw; t: Transport }> {
  const srv = await rawServer(answer);
  const t = createHttpTransport(conn(srv.url, extra));
  cleanups.push(() => srv.close(), () => t.close?.());
  return { srv, t };
}

const ok = (body: string, extra = ""): string => `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

describe("bodies", () => {
  test.each([
    ["content-length", ok("hello wörld"), "hello wörld"],
    ["chunked, with extensions and trailers", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n1\r\n \r\n6\r\nwörld\r\n0\r\nx-trailer: 1\r\n\r\n", "hello wörld"],
    ["204 has none", "HTTP/1.1 204 No Content\r\n\r\n", ""],
    ["an interim 100 is skipped", `HTTP/1.1 100 Continue\r\n\r\n${ok("after")}`, "after"],
  ])("%s", async (_name, raw, want) => {
    const { t } = await setup((_n, s) => { s.write(raw); });
    const res = await t.request({ method: "GET", path: "/x" });
    expect(res.body).toBe(want);
  });

  test("a body without length ends when the server closes", async () => {
    const { t } = await setup((_n, s) => { s.end("HTTP/1.0 200 OK\r\n\r\nuntil close"); });
    expect((await t.request({ method: "GET", path: "/x" })).body).toBe("until close");
  });

  test("bytes arriving one at a time", async () => {
    const { t } = await setup((_n, s) => {
      const bytes = Buffer.from("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
      let i = 0;
      const next = (): void => { if (i < bytes.length) { s.write(bytes.subarray(i, ++i)); setImmediate(next); } };
      next();
    });
    expect((await t.request({ method: "GET", path: "/x" })).body).toBe("abc");
  });

  test("repeated headers are joined, single-valued ones keep the first", async () => {
    const { t } = await setup((_n, s) => { s.write(ok("", "Warning: 299 - \"a\"\r\nwarning: 299 - \"b\"\r\nContent-Type: text/html\r\n")); });
    const res = await t.request({ method: "GET", path: "/x" });
    expect(res.headers.warning).toBe('299 - "a", 299 - "b"');
    expect(res.headers["content-type"]).toBe("text/plain");
  });

  test("a connection closed in the middle of a body is a reset", async () => {
    const { t } = await setup((_n, s) => { s.end("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"); });
    const err = await t.request({ method: "GET", path: "/x" }).catch((e: unknown) => e) as ConnectionError;
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.message).toMatch(/^read tcp 127\.0\.0\.1:\d+: connection reset by peer$/);
  });

  test("garbage instead of a status line", async () => {
    const { t } = await setup((_n, s) => { s.write("SSH-2.0-OpenSSH\r\n\r\n"); });
    const err = await t.request({ method: "GET", path: "/x" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
  });
});

describe("keep-alive", () => {
  test("one connection serves requests one after another; Connection: close ends it", async () => {
    const { srv, t } = await setup((n, s) => { s.write(ok(`r${n}`, n === 1 ? "connection: close\r\n" : "")); });
    const bodies: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) bodies.push((await t.request({ method: "GET", path: `/${i}` })).body);
    expect(bodies).toEqual(["r0", "r1", "r2"]);
    expect(srv.connections).toBe(2);
  });

  test("requests at the same time get their own connections, then reuse them", async () => {
    const { srv, t } = await setup((n, s) => { setTimeout(() => s.write(ok(`r${n}`)), 5); });
    const first = await Promise.all([1, 2, 3].map((i) => t.request({ method: "GET", path: `/${i}` })));
    expect(first.map((r) => r.body).sort()).toEqual(["r0", "r1", "r2"]);
    await t.request({ method: "GET", path: "/again" });
    expect(srv.connections).toBe(3);
  });

  test("a kept connection the server closed is replaced without an error", async () => {
    const { srv, t } = await setup((n, s) => {
      if (n === 0) s.write(ok("first"));
      else s.write(ok("second"));
      if (n === 0) setTimeout(() => s.destroy(), 5);
    });
    expect((await t.request({ method: "GET", path: "/1" })).body).toBe("first");
    await new Promise((r) => setTimeout(r, 30));
    expect((await t.request({ method: "POST", path: "/2", body: "{}" })).body).toBe("second");
    expect(srv.connections).toBe(2);
  });

  test("an unfinished stream does not go back to the pool", async () => {
    const { srv, t } = await setup((n, s) => {
      if (n === 0) s.write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n");
      else s.write(ok("next"));
    });
    const res = await t.request({ method: "GET", path: "/w", query: { watch: "true" } });
    for await (const chunk of res.stream!) { expect(chunk).toBe("ab"); break; }
    expect((await t.request({ method: "GET", path: "/n" })).body).toBe("next");
    expect(srv.connections).toBe(2);
  });
});

describe("requests", () => {
  test("the request head: host, auth, repeated headers, Content-Length of UTF-8", async () => {
    const { srv, t } = await setup((_n, s) => { s.write(ok("")); }, { token: "tok", impersonate: { groups: ["a", "b"] } });
    await t.request({ method: "PUT", path: "/api/v1/x", query: { a: "1 2" }, headers: { "content-type": "application/json" }, body: "{\"n\":\"ü\"}" });
    const [req] = srv.requests;
    const port = new URL(srv.url).port;
    expect(req.split("\r\n").slice(0, 1)).toEqual(["PUT /api/v1/x?a=1+2 HTTP/1.1"]);
    expect(req).toContain(`host: 127.0.0.1:${port}\r\n`);
    expect(req).toContain("authorization: Bearer tok\r\n");
    expect(req).toContain("impersonate-group: a\r\nimpersonate-group: b\r\n");
    expect(req).toContain("content-length: 10\r\n");
    expect(Buffer.from(req, "latin1").toString("utf8").endsWith("\r\n\r\n{\"n\":\"ü\"}")).toBe(true);
  });

  test.each([
    ["a header value with a newline", () => requestHead("GET", "/", "h", { authorization: "Bearer a\r\nx: y" }, undefined), "ERR_INVALID_CHAR"],
    ["a bad header name", () => requestHead("GET", "/", "h", { "a b": "1" }, undefined), "ERR_INVALID_HTTP_TOKEN"],
    ["a path with a space", () => requestHead("GET", "/a b", "h", {}, undefined), "ERR_UNESCAPED_CHARACTERS"],
  ])("%s is refused before anything is sent", (_name, make, code) => {
    expect(make).toThrow(TypeError);
    try { make(); } catch (e) { expect((e as { code?: string }).code).toBe(code); }
  });

  test("an abort while waiting for the answer rejects with the signal's reason", async () => {
    const { t } = await setup(() => undefined);
    const ac = new AbortController();
    const p = t.request({ method: "GET", path: "/slow", signal: ac.signal });
    setTimeout(() => ac.abort(new Error("stop")), 10);
    await expect(p).rejects.toThrow("stop");
  });
});
