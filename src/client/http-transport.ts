// The HTTP(S) Transport on undici: TLS from the kubeconfig, bearer/basic auth, timeouts,
// keep-alive, streamed bodies for watch and followed logs, network errors as ConnectionError.
import type { Dispatcher } from "undici";
import type { Connection } from "./kubeconfig.ts";
import { ConnectionError, type ApiRequest, type ApiResponse, type Transport } from "./transport.ts";

type Undici = typeof import("undici");

// undici costs ~50 ms to import; load it on the first request so `skiff --help` and
// client-side commands never pay for it.
let undiciModule: Promise<Undici> | undefined;
const loadUndici = (): Promise<Undici> => (undiciModule ??= import("undici"));

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
 * A Transport to `conn.server` over undici. Resolves for every HTTP status; rejects with
 * ConnectionError when no response arrived (refused → `refused: true`; DNS, TLS, reset and
 * timeouts → `refused: false` with a Go-style cause), or with the caller's AbortError.
 * Watch (`watch=true|1`) and `follow=true` requests with a 2xx answer get `stream`.
 */
export function createHttpTransport(conn: Connection): Transport {
  const target = targetOf(conn.server);
  const base = conn.server.replace(/\/+$/, "");
  let dispatcher: Dispatcher | undefined;

  const getDispatcher = async (): Promise<Dispatcher> => {
    if (dispatcher) return dispatcher;
    const undici = await loadUndici();
    const tls = {
      ca: conn.caPem,
      cert: conn.clientCertPem,
      key: conn.clientKeyPem,
      rejectUnauthorized: !conn.insecureSkipTlsVerify,
      servername: conn.tlsServerName,
    };
    dispatcher = conn.proxyUrl
      ? new undici.ProxyAgent({ uri: conn.proxyUrl, requestTls: tls, allowH2: false })
      : new undici.Agent({ connect: tls, allowH2: false, keepAliveTimeout: 30_000 });
    return dispatcher;
  };

  const authHeaders = (): Record<string, string | string[]> => {
    const h: Record<string, string | string[]> = {};
    if (conn.token) h.authorization = `Bearer ${conn.token}`;
    else if (conn.username !== undefined || conn.password !== undefined)
      h.authorization = `Basic ${Buffer.from(`${conn.username ?? ""}:${conn.password ?? ""}`).toString("base64")}`;
    if (conn.impersonate?.user) h["impersonate-user"] = conn.impersonate.user;
    if (conn.impersonate?.uid) h["impersonate-uid"] = conn.impersonate.uid;
    if (conn.impersonate?.groups?.length) h["impersonate-group"] = conn.impersonate.groups;
    return h;
  };

  return {
    target,
    async request(req: ApiRequest): Promise<ApiResponse> {
      const d = await getDispatcher();
      const undici = await loadUndici();
      const streaming = isStreamingRequest(req);
      const qs = req.query && Object.keys(req.query).length > 0 ? `?${new URLSearchParams(req.query).toString()}` : "";
      const url = `${base}${req.path}${qs}`;
      const headers = { ...authHeaders(), ...(req.headers ?? {}) };
      // A stream's timeout covers only the wait for its headers: a quiet watch is healthy.
      const timeout = conn.requestTimeoutMs > 0 && !streaming ? AbortSignal.timeout(conn.requestTimeoutMs) : undefined;
      const signal = timeout && req.signal ? AbortSignal.any([timeout, req.signal]) : timeout ?? req.signal;
      let res: Dispatcher.ResponseData;
      try {
        res = await undici.request(url, {
          dispatcher: d,
          method: req.method,
          headers,
          body: req.body,
          signal,
          headersTimeout: conn.requestTimeoutMs > 0 ? conn.requestTimeoutMs : 0,
          bodyTimeout: 0,
        });
      } catch (e) {
        if (req.signal?.aborted && !timeout?.aborted) throw e;
        throw toConnectionError(e, target, timeout?.aborted === true);
      }
      const out: ApiResponse = { status: res.statusCode, headers: flattenHeaders(res.headers) };
      if (streaming && res.statusCode >= 200 && res.statusCode < 300) {
        out.stream = streamBody(res.body, req.signal);
        return out;
      }
      try {
        out.body = await res.body.text();
      } catch (e) {
        if (req.signal?.aborted && !timeout?.aborted) throw e;
        throw toConnectionError(e, target, timeout?.aborted === true);
      }
      return out;
    },
    async close(): Promise<void> {
      const d = dispatcher;
      dispatcher = undefined;
      if (d) await d.destroy();
    },
  };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

/** Decoded chunks of a response body; ends quietly when the caller aborts. */
async function* streamBody(body: Dispatcher.ResponseData["body"], signal: AbortSignal | undefined): AsyncIterable<string> {
  const decoder = new TextDecoder();
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
