// The HTTP(S) Transport: TLS from the kubeconfig, bearer/basic auth, timeouts, keep-alive,
// streamed bodies for watch and followed logs, network errors as ConnectionError.
// Requests are HTTP/1.1 written straight onto node:net / node:tls sockets (http1.ts): node:https
// would load the whole HTTP client and server machinery, and undici compiles a WASM parser on
// import (~45 ms, more than kubectl's whole `get pods`), neither of which a one-shot CLI can
// afford. undici serves the one case left, a cluster's `proxy-url`, and is loaded only then.
import type { Socket } from "node:net";
import type { SecureContext } from "node:tls";
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
  if (conn.proxyUrl) return createProxyTransport(conn);
  const target = targetOf(conn.server);
  const base = new URL(conn.server.replace(/\/+$/, ""));
  const secure = base.protocol === "https:";
  const prefix = base.pathname === "/" ? "" : base.pathname;
  const host = base.hostname.replace(/^\[|\]$/g, "");
  const port = Number(base.port || (secure ? 443 : 80));
  const idle = new Set<Socket>();
  const open = new Set<Socket>();
  let context: SecureContext | undefined;

  /** A new connection: the socket at once (so a timeout or abort can destroy it), ready once it is usable. */
  const connect = (): { socket: Socket; ready: Promise<void> } => {
    let socket: Socket;
    if (secure) {
      const tls = process.getBuiltinModule("node:tls");
      context ??= tls.createSecureContext({ ca: conn.caPem, cert: conn.clientCertPem, key: conn.clientKeyPem });
      // SNI names a host, never an address (as node:https and Go do).
      const servername = conn.tlsServerName ?? (process.getBuiltinModule("node:net").isIP(host) ? undefined : host);
      socket = tls.connect({ host, port, secureContext: context, servername, rejectUnauthorized: !conn.insecureSkipTlsVerify });
    } else {
      socket = process.getBuiltinModule("node:net").connect({ host, port });
    }
    socket.setNoDelay(true);
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    // Errors are handled by whoever uses the socket; between uses one must not crash the process.
    socket.on("error", () => undefined);
    const ready = new Promise<void>((resolve, reject) => {
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
    return { socket, ready };
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

  return {
    target,
    async request(req: ApiRequest): Promise<ApiResponse> {
      const streaming = isStreamingRequest(req);
      const qs = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query).toString()}` : "";
      const head = requestHead(req.method, `${prefix}${req.path}${qs}`, base.host, { ...authHeaders(conn), ...(req.headers ?? {}) }, req.body);
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
            const c = connect();
            current = c.socket;
            await c.ready;
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
      for (const s of open) s.destroy();
      idle.clear();
    },
  };
}

/** The same Transport through an HTTP proxy (`proxy-url`), on undici's ProxyAgent. */
function createProxyTransport(conn: Connection): Transport {
  const target = targetOf(conn.server);
  const base = conn.server.replace(/\/+$/, "");
  let dispatcher: import("undici").Dispatcher | undefined;
  return {
    target,
    async request(req: ApiRequest): Promise<ApiResponse> {
      const undici = await import("undici");
      const tls = { ca: conn.caPem, cert: conn.clientCertPem, key: conn.clientKeyPem,
        rejectUnauthorized: !conn.insecureSkipTlsVerify, servername: conn.tlsServerName };
      dispatcher ??= new undici.ProxyAgent({ uri: conn.proxyUrl!, requestTls: tls, allowH2: false });
      const streaming = isStreamingRequest(req);
      const qs = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query).toString()}` : "";
      const timeout = conn.requestTimeoutMs > 0 && !streaming ? AbortSignal.timeout(conn.requestTimeoutMs) : undefined;
      const signal = timeout && req.signal ? AbortSignal.any([timeout, req.signal]) : timeout ?? req.signal;
      try {
        const res = await undici.request(`${base}${req.path}${qs}`, {
          dispatcher, method: req.method, headers: { ...authHeaders(conn), ...(req.headers ?? {}) }, body: req.body, signal,
        });
        const out: ApiResponse = { status: res.statusCode, headers: flattenHeaders(res.headers) };
        if (streaming && res.statusCode >= 200 && res.statusCode < 300) out.stream = streamBody(res.body, req.signal);
        else out.body = await res.body.text();
        return out;
      } catch (e) {
        if (req.signal?.aborted && !timeout?.aborted) throw e;
        throw toConnectionError(e, target, timeout?.aborted === true);
      }
    },
    async close(): Promise<void> {
      const d = dispatcher;
      dispatcher = undefined;
      if (d) await d.destroy();
    },
  };
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

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
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

/** Maps a Node/undici network error to kubectl's wording of the Go error it would have seen. */
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
  if (timedOut || has("UND_ERR_HEADERS_TIMEOUT") || errs.some((x) => x.name === "TimeoutError"))
    return new ConnectionError(target, false, "net/http: request canceled (Client.Timeout exceeded while awaiting headers)");
  if (has("UND_ERR_CONNECT_TIMEOUT") || has("ETIMEDOUT")) return new ConnectionError(target, false, `dial tcp ${target}: i/o timeout`);
  if (has("ENOTFOUND") || has("EAI_AGAIN"))
    return new ConnectionError(target, false, `dial tcp: lookup ${target.replace(/:\d+$/, "").replace(/^\[|\]$/g, "")}: no such host`);
  if (has("ECONNRESET") || has("UND_ERR_SOCKET")) return new ConnectionError(target, false, `read tcp ${target}: connection reset by peer`);
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
