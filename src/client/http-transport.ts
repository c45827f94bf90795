// The HTTP(S) Transport: TLS from the kubeconfig, bearer/basic auth, timeouts, keep-alive,
// streamed bodies for watch and followed logs, network errors as ConnectionError.
// Requests are HTTP/1.1 written straight onto node:net / node:tls sockets (http1.ts): node:https
// would load the whole HTTP client and server machinery, and undici compiles a WASM parser on
// import (~45 ms, more than kubectl's whole `get pods`), neither of which a one-shot CLI can
// afford. A cluster's `proxy-url` (http or https) works as Go's transport does: a CONNECT
// tunnel to an https server, requests in absolute form to an http one.
import type { X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import type { SecureContext, TLSSocket } from "node:tls";
import { parseCaBundle, trustedDirectly } from "./direct-trust.ts";
import { readResponse, requestHead, type ResponseHead } from "./http1.ts";
import type { Connection } from "./kubeconfig.ts";
import { ConnectionError, type ApiRequest, type ApiResponse, type Transport } from "./transport.ts";

/** The host[:port] of a server URL as written (kubectl names it like this in errors). */
export function targetOf(server: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(server);
  return m ? m[1].replace(/^[^@]*@/, "") : server;
}

/** Whether a request's answer is a long-lived stream: a watch, or a followed log. */
export function isStreamingRequest(req: ApiRequest): boolean {
  const q = req.query ?? {};
  return q.watch === "true" || q.watch === "1" || q.follow === "true";
}

/**
 * A Transport to `conn.server`. Resolves for every HTTP status; rejects with ConnectionError
 * when no response arrived (refused → `refused: true`; DNS, TLS, reset and timeouts →
 * `refused: false` with a Go-style cause), or with the caller's AbortError. Watch
 * (`watch=true|1`) and `follow=true` requests with a 2xx answer get `stream`. Idle
 * connections are kept for the next request and never keep the process alive.
 */
export function createHttpTransport(conn: Connection): Transport {
  const target = targetOf(conn.server);
  const base = new URL(conn.server.replace(/\/+$/, ""));
  const secure = base.protocol === "https:";
  const prefix = base.pathname === "/" ? "" : base.pathname;
  const host = base.hostname.replace(/^\[|\]$/g, "");
  const port = Number(base.port || (secure ? 443 : 80));
  const proxy = conn.proxyUrl ? proxyOf(conn.proxyUrl) : undefined;
  const idle = new Set<Socket>();
  const open = new Set<Socket>();
  let context: SecureContext | undefined;        // the CA in OpenSSL's store
  let bareContext: SecureContext | undefined;    // no CA: the peer is checked by trustedDirectly
  let proxyContext: SecureContext | undefined;
  let cas: X509Certificate[] | undefined;
  // SNI names a host, never an address (as node:https and Go do): "" for none.
  let servername: string | undefined;
  // Checking the server's certificate directly (direct-trust.ts) is tried until it once fails
  // to vouch for it; from then on OpenSSL checks every connection.
  let direct = secure && !conn.insecureSkipTlsVerify && !!conn.caPem;

  const track = (socket: Socket): Socket => {
    socket.setNoDelay(true);
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    // Errors are handled by whoever uses the socket; between uses one must not crash the process.
    socket.on("error", () => undefined);
    return socket;
  };

  /**
   * The TLS session to the API server, over `over` (a proxy tunnel) or a new TCP connection;
   * `bare`: without the CA, for trustedDirectly to check once it is up.
   */
  const secureSocket = (bare: boolean, over?: Socket): Socket => {
    const tls = process.getBuiltinModule("node:tls");
    const options = { ca: conn.caPem, cert: conn.clientCertPem, key: conn.clientKeyPem };
    const secureContext = bare ? (bareContext ??= tls.createSecureContext({ ...options, ca: [] }))
      : (context ??= tls.createSecureContext(options));
    servername ??= conn.tlsServerName ?? (process.getBuiltinModule("node:net").isIP(host) ? "" : host);
    return track(tls.connect({ host, port, socket: over, secureContext, servername: servername || undefined, rejectUnauthorized: !bare && !conn.insecureSkipTlsVerify }));
  };

  /**
   * The TLS session once usable. A session opened bare is kept only when trustedDirectly
   * vouches for the server; otherwise it is closed and the server checked by OpenSSL on a new
   * one (`again` opens the way there: a new TCP connection or proxy tunnel), which fails with
   * OpenSSL's own error when the certificate is bad.
   */
  const secured = async (socket: Socket, bare: boolean, again: () => Promise<Socket | undefined>): Promise<Socket> => {
    await whenReady(socket, true);
    if (!bare) return socket;
    cas ??= parseCaBundle(conn.caPem!);
    if (trustedDirectly(socket as TLSSocket, conn.tlsServerName ?? host, cas)) return socket;
    direct = false;
    socket.destroy();
    const inner = secureSocket(false, await again());
    await whenReady(inner, true);
    return inner;
  };

  /** A TCP (or, for an https proxy, TLS) connection to the proxy. */
  const proxySocket = (p: ProxyTarget): Socket => {
    if (!p.secure) return track(process.getBuiltinModule("node:net").connect({ host: p.host, port: p.port }));
    const tls = process.getBuiltinModule("node:tls");
    proxyContext ??= tls.createSecureContext({});
    const servername = process.getBuiltinModule("node:net").isIP(p.host) ? undefined : p.host;
    return track(tls.connect({ host: p.host, port: p.port, secureContext: proxyContext, servername }));
  };

  /**
   * A new connection: `socket` at once (so a timeout or abort can destroy it), `ready` with
   * the socket to talk HTTP on once it is usable (through a proxy, the TLS session inside the
   * tunnel).
   */
  const connect = (): { socket: Socket; ready: Promise<Socket> } => {
    const bare = direct;
    if (!proxy) {
      if (!secure) {
        const socket = track(process.getBuiltinModule("node:net").connect({ host, port }));
        return { socket, ready: whenReady(socket, false).then(() => socket) };
      }
      const socket = secureSocket(bare);
      return { socket, ready: secured(socket, bare, async () => undefined) };
    }
    const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const openTunnel = async (raw: Socket): Promise<Socket> => {
      await whenReady(raw, proxy.secure);
      await tunnel(raw, authority, proxy.authorization);
      return raw;
    };
    const raw = proxySocket(proxy);
    const ready = (async (): Promise<Socket> => {
      if (!secure) {
        await whenReady(raw, proxy.secure);
        return raw;
      }
      return secured(secureSocket(bare, await openTunnel(raw)), bare, () => openTunnel(proxySocket(proxy)));
    })();
    return { socket: raw, ready };
  };

  /** Keeps a socket whose exchange ended cleanly for the next request; drops it when it closes. */
  const idleClose = new Map<Socket, () => void>();
  const release = (socket: Socket): void => {
    if (socket.destroyed) return;
    const onClose = (): void => { idle.delete(socket); idleClose.delete(socket); };
    idle.add(socket);
    idleClose.set(socket, onClose);
    socket.unref();
    socket.once("close", onClose);
  };
  // A connection opened ahead of the first request (preconnect), until the request claims it.
  let warming: { socket: Socket; ready: Promise<Socket> } | undefined;
  const take = (): Socket | undefined => {
    for (const s of idle) {
      idle.delete(s);
      const onClose = idleClose.get(s);
      idleClose.delete(s);
      if (onClose) s.off("close", onClose);
      if (!s.destroyed) { s.ref(); return s; }
    }
    return undefined;
  };

  /** The connection preconnect opened, now the request's: it may keep the process alive again. */
  const claimWarming = (): { socket: Socket; ready: Promise<Socket> } | undefined => {
    const w = warming;
    warming = undefined;
    if (!w) return undefined;
    w.socket.ref();
    return { socket: w.socket, ready: w.ready.then((s) => { s.ref(); return s; }) };
  };

  return {
    target,
    preconnect(): void {
      if (warming || idle.size > 0) return;
      const c = connect();
      // Never what keeps the process alive: the command may end without a request.
      c.socket.unref();
      const ready = c.ready.then((s) => { s.unref(); return s; });
      const w = { socket: c.socket, ready };
      warming = w;
      ready.then((s) => {
        if (warming !== w) return;
        warming = undefined;
        release(s);
      }, () => {
        if (warming === w) warming = undefined;
      });
    },
    async request(req: ApiRequest): Promise<ApiResponse> {
      const streaming = isStreamingRequest(req);
      const qs = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query).toString()}` : "";
      // Through a proxy, a plain-HTTP request names its whole URL (RFC 9112 §3.2.2).
      const origin = proxy && !secure ? base.origin : "";
      const headers = { ...authHeaders(conn), ...(origin && proxy?.authorization ? { "proxy-authorization": proxy.authorization } : {}), ...(req.headers ?? {}) };
      const head = requestHead(req.method, `${origin}${prefix}${req.path}${qs}`, base.host, headers, req.body);
      if (req.signal?.aborted) throw req.signal.reason;
      // A stream's timeout covers only the wait for its headers: a quiet watch is healthy.
      const timeoutMs = conn.requestTimeoutMs > 0 ? conn.requestTimeoutMs : 0;
      let timedOut = false;
      let current: Socket | undefined;
      const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; current?.destroy(new Error("timeout")); }, timeoutMs) : undefined;
      const onAbort = (): void => { current?.destroy(); };
      req.signal?.addEventListener("abort", onAbort, { once: true });
      let res: ResponseHead;
      try {
        for (let attempt = 0; ; attempt++) {
          const reused = attempt === 0 ? take() : undefined;
          if (reused) current = reused;
          else {
            const c = (attempt === 0 ? claimWarming() : undefined) ?? connect();
            current = c.socket;
            current = await c.ready;
          }
          if (timedOut) { current.destroy(); throw new Error("timeout"); }
          if (req.signal?.aborted) { current.destroy(); throw req.signal.reason; }
          try {
            res = await readResponse(current, head, req.body, req.method);
            break;
          } catch (e) {
            // The server closed a kept connection before answering: send again on a new one, as Go does.
            if (!(reused && (e as { beforeResponse?: boolean }).beforeResponse && !timedOut && !req.signal?.aborted)) throw e;
          }
        }
      } catch (e) {
        if (req.signal?.aborted && !timedOut) throw req.signal.reason;
        throw toConnectionError(e, target, timedOut);
      } finally {
        if (timer) clearTimeout(timer);
        req.signal?.removeEventListener("abort", onAbort);
      }
      const socket = current!;
      const out: ApiResponse = { status: res.status, headers: res.headers };
      const keep = (): void => { if (res.reusable) release(socket); else socket.destroy(); };
      if (streaming && out.status >= 200 && out.status < 300) {
        out.stream = streamBody(res.body, req.signal, keep);
        return out;
      }
      const chunks: Buffer[] = [];
      const stop = (): void => res.body.destroy();
      req.signal?.addEventListener("abort", stop, { once: true });
      try {
        for await (const c of res.body) chunks.push(c);
      } catch (e) {
        if (req.signal?.aborted) throw req.signal.reason;
        throw toConnectionError(e, target, false);
      } finally {
        req.signal?.removeEventListener("abort", stop);
      }
      if (req.signal?.aborted) { socket.destroy(); throw req.signal.reason; }
      keep();
      out.body = Buffer.concat(chunks).toString("utf8");
      return out;
    },
    /** Closes every connection, idle or in use (an open watch ends). */
    async close(): Promise<void> {
      warming = undefined;
      for (const s of open) s.destroy();
      idle.clear();
    },
  };
}

/** Resolves once the socket is connected (TLS: its handshake done); rejects on error or close. */
function whenReady(socket: Socket, secure: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => { done(); reject(e); };
    const onClose = (): void => { done(); reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })); };
    const onReady = (): void => { done(); resolve(); };
    const done = (): void => {
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.off(secure ? "secureConnect" : "connect", onReady);
    };
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once(secure ? "secureConnect" : "connect", onReady);
  });
}

interface ProxyTarget {
  host: string;
  port: number;
  secure: boolean;
  /** Proxy-Authorization, from the URL's user and password. */
  authorization?: string;
}

/** A kubeconfig `proxy-url`; http and https proxies only (kubectl's socks5 is not supported). */
function proxyOf(url: string): ProxyTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConnectionError(url, false, `proxyconnect: invalid proxy URL "${url}"`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new ConnectionError(url, false, `proxyconnect: proxy scheme "${u.protocol.replace(/:$/, "")}" is not supported (http and https are)`);
  }
  const secure = u.protocol === "https:";
  const user = decodeURIComponent(u.username);
  const authorization = u.username || u.password
    ? `Basic ${Buffer.from(`${user}:${decodeURIComponent(u.password)}`).toString("base64")}` : undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || (secure ? 443 : 80)), secure, authorization };
}

/** Asks the proxy on `socket` for a tunnel to `authority` (host:port); resolves once it answers 2xx. */
function tunnel(socket: Socket, authority: string, authorization: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (): void => {
      socket.off("data", onData);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
    const onError = (e: Error): void => { done(); reject(e); };
    const onClose = (): void => { done(); reject(Object.assign(new Error("proxyconnect: the proxy closed the connection"), { code: "ECONNRESET" })); };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) {
        if (buf.length > 64 * 1024) { done(); socket.destroy(); reject(new Error("proxyconnect: the proxy's answer is too long")); }
        return;
      }
      done();
      const status = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?/.exec(buf.subarray(0, end).toString("latin1"));
      if (!status || status[1]![0] !== "2") {
        socket.destroy();
        reject(new Error(`proxyconnect: ${status ? `${status[1]} ${status[2] ?? ""}`.trim() : "the proxy's answer is not HTTP"}`));
        return;
      }
      // The server speaks only after our TLS hello: nothing may follow the proxy's answer yet.
      if (buf.length > end + 4) {
        socket.destroy();
        reject(new Error("proxyconnect: the proxy sent data before the tunnel was used"));
        return;
      }
      socket.pause();
      resolve();
    };
    socket.on("data", onData);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nhost: ${authority}\r\n${authorization ? `proxy-authorization: ${authorization}\r\n` : ""}\r\n`, "latin1");
  });
}

function authHeaders(conn: Connection): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {};
  if (conn.token) h.authorization = `Bearer ${conn.token}`;
  else if (conn.username !== undefined || conn.password !== undefined)
    h.authorization = `Basic ${Buffer.from(`${conn.username ?? ""}:${conn.password ?? ""}`).toString("base64")}`;
  if (conn.impersonate?.user) h["impersonate-user"] = conn.impersonate.user;
  if (conn.impersonate?.uid) h["impersonate-uid"] = conn.impersonate.uid;
  if (conn.impersonate?.groups?.length) h["impersonate-group"] = conn.impersonate.groups;
  return h;
}

/**
 * Decoded chunks of a response body; ends quietly when the caller aborts. `onEnd` runs when
 * the body was read to its end (the connection may then serve another request).
 */
async function* streamBody(body: AsyncIterable<unknown> & { destroyed?: boolean; destroy(): void },
  signal: AbortSignal | undefined, onEnd?: () => void): AsyncIterable<string> {
  const decoder = new TextDecoder();
  const onAbort = (): void => body.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  let handedBack = false;
  try {
    for await (const chunk of body) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
    if (onEnd && !signal?.aborted) { handedBack = true; onEnd(); }
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!handedBack && !body.destroyed) body.destroy();
  }
}

const TLS_UNKNOWN_AUTHORITY = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/** Maps a Node network error to kubectl's wording of the Go error it would have seen. */
export function toConnectionError(e: unknown, target: string, timedOut = false): ConnectionError {
  const errs: Array<Error & { code?: string; cause?: unknown }> = [];
  const collect = (x: unknown): void => {
    if (!x || typeof x !== "object") return;
    errs.push(x as Error & { code?: string });
    if (x instanceof AggregateError) for (const inner of x.errors) collect(inner);
    collect((x as { cause?: unknown }).cause);
  };
  collect(e);
  const codes = errs.map((x) => x.code ?? "");
  const has = (c: string): boolean => codes.includes(c);
  if (has("ECONNREFUSED")) return new ConnectionError(target, true, `dial tcp ${target}: connect: connection refused`);
  if (timedOut || errs.some((x) => x.name === "TimeoutError"))
    return new ConnectionError(target, false, "net/http: request canceled (Client.Timeout exceeded while awaiting headers)");
  if (has("ETIMEDOUT")) return new ConnectionError(target, false, `dial tcp ${target}: i/o timeout`);
  if (has("ENOTFOUND") || has("EAI_AGAIN"))
    return new ConnectionError(target, false, `dial tcp: lookup ${target.replace(/:\d+$/, "").replace(/^\[|\]$/g, "")}: no such host`);
  if (has("ECONNRESET")) return new ConnectionError(target, false, `read tcp ${target}: connection reset by peer`);
  if (codes.some((c) => TLS_UNKNOWN_AUTHORITY.has(c)))
    return new ConnectionError(target, false, "tls: failed to verify certificate: x509: certificate signed by unknown authority");
  if (has("CERT_HAS_EXPIRED") || has("CERT_NOT_YET_VALID"))
    return new ConnectionError(target, false, "tls: failed to verify certificate: x509: certificate has expired or is not yet valid");
  if (has("ERR_TLS_CERT_ALTNAME_INVALID")) {
    const reason = errs.find((x) => x.code === "ERR_TLS_CERT_ALTNAME_INVALID")?.message ?? "certificate is not valid for this host";
    return new ConnectionError(target, false, `tls: failed to verify certificate: x509: ${reason}`);
  }
  const first = errs.find((x) => x.message) ?? (e instanceof Error ? e : new Error(String(e)));
  return new ConnectionError(target, false, first.message || String(e));
}
