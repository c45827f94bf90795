// The HTTP(S) Transport: TLS from the kubeconfig, bearer/basic auth, timeouts, keep-alive,
// streamed bodies for watch and followed logs, network errors as ConnectionError.
// Requests go through node:http(s): undici compiles its WASM HTTP parser on import (~45 ms,
// more than kubectl's whole `get pods`), which a one-shot CLI can't afford. undici serves the
// one case node:https lacks, a cluster's `proxy-url`, and is loaded only then.
import type { ClientRequest, IncomingMessage } from "node:http";
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
 * (`watch=true|1`) and `follow=true` requests with a 2xx answer get `stream`.
 */
export function createHttpTransport(conn: Connection): Transport {
  if (conn.proxyUrl) return createProxyTransport(conn);
  const target = targetOf(conn.server);
  const base = new URL(conn.server.replace(/\/+$/, ""));
  const secure = base.protocol === "https:";
  const prefix = base.pathname === "/" ? "" : base.pathname;
  let agent: import("node:http").Agent | undefined;
  let mod: typeof import("node:https") | typeof import("node:http") | undefined;

  const getAgent = async (): Promise<void> => {
    if (agent) return;
    // getBuiltinModule, not import(): in the CommonJS bundle import() starts the ESM loader (~5 ms).
    mod = secure ? process.getBuiltinModule("node:https") : process.getBuiltinModule("node:http");
    agent = secure
      ? new (mod as typeof import("node:https")).Agent({
        keepAlive: true, ca: conn.caPem, cert: conn.clientCertPem, key: conn.clientKeyPem,
        rejectUnauthorized: !conn.insecureSkipTlsVerify, servername: conn.tlsServerName,
      })
      : new mod.Agent({ keepAlive: true });
  };

  return {
    target,
    async request(req: ApiRequest): Promise<ApiResponse> {
      await getAgent();
      const streaming = isStreamingRequest(req);
      const qs = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query).toString()}` : "";
      const headers: Record<string, string | string[]> = { ...authHeaders(conn), ...(req.headers ?? {}) };
      if (req.body !== undefined) headers["content-length"] = String(Buffer.byteLength(req.body));
      // A stream's timeout covers only the wait for its headers: a quiet watch is healthy.
      const timeoutMs = conn.requestTimeoutMs > 0 ? conn.requestTimeoutMs : 0;
      let timedOut = false;
      let cr: ClientRequest | undefined;
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        if (req.signal?.aborted) return reject(req.signal.reason);
        cr = mod!.request({
          protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ""), port: base.port || (secure ? 443 : 80),
          path: `${prefix}${req.path}${qs}`, method: req.method, headers, agent,
        }, resolve);
        const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; cr!.destroy(new Error("timeout")); }, timeoutMs) : undefined;
        const onAbort = (): void => { cr!.destroy(); reject(req.signal!.reason); };
        req.signal?.addEventListener("abort", onAbort, { once: true });
        cr.on("response", () => { if (timer) clearTimeout(timer); req.signal?.removeEventListener("abort", onAbort); });
        cr.on("error", (e) => {
          if (timer) clearTimeout(timer);
          req.signal?.removeEventListener("abort", onAbort);
          if (req.signal?.aborted && !timedOut) reject(req.signal.reason);
          else reject(toConnectionError(e, target, timedOut));
        });
        cr.end(req.body);
      });
      const out: ApiResponse = { status: res.statusCode ?? 0, headers: flattenHeaders(res.headers) };
      if (streaming && out.status >= 200 && out.status < 300) {
        out.stream = streamBody(res, req.signal);
        return out;
      }
      const chunks: Buffer[] = [];
      try {
        for await (const c of res) chunks.push(c as Buffer);
      } catch (e) {
        if (req.signal?.aborted) throw req.signal.reason;
        throw toConnectionError(e, target, timedOut);
      }
      out.body = Buffer.concat(chunks).toString("utf8");
      return out;
    },
    async close(): Promise<void> {
      agent?.destroy();
      agent = undefined;
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

/** Decoded chunks of a response body; ends quietly when the caller aborts. */
async function* streamBody(body: AsyncIterable<unknown> & { destroyed?: boolean; destroy(): void },
  signal: AbortSignal | undefined): AsyncIterable<string> {
  const decoder = new TextDecoder();
  const onAbort = (): void => body.destroy();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of body) {
      const text = decoder.decode(chunk as Uint8Array, { stream: true });
      if (text) yield text;
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (e) {
    if (signal?.aborted) return;
    throw e;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!body.destroyed) body.destroy();
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
