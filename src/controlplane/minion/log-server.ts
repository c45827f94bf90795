// Container logs across processes: the minion's HTTPS endpoint (the kubelet's
// /containerLogs/{ns}/{pod}/{container}, bearer token required) and the API server's LogSource
// that asks an in-process minion directly or fetches from the node's InternalIP:port.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";
import { ApiError, badRequest, failure, internalError, notFound, unauthorized } from "../../api/errors.ts";
import type { Pod, Status } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { LogRequest, LogSource } from "../apiserver/api-server.ts";

export interface LogServerOptions {
  port: number;
  listen: string;
  token: string;
  certPem: string;
  keyPem: string;
  /** The pod bound to this minion, if any. */
  pod(namespace: string, name: string): Pod | undefined;
  logs(req: LogRequest): Promise<string | AsyncIterable<string>>;
}

export interface LogServer {
  port: number;
  /** Stops listening and ends open streams. */
  close(): Promise<void>;
}

function sendStatus(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : internalError(e);
  const body = JSON.stringify(err.status);
  res.writeHead(err.status.code, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m || !token) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const BOOL_TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: invalid value "${v}": strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

/** Serves GET /containerLogs/{namespace}/{pod}/{container} over HTTPS until close(). */
export async function startLogServer(opts: LogServerOptions): Promise<LogServer> {
  const streams = new Set<AbortController>();
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    res.on("close", () => { abort.abort(); streams.delete(abort); });
    try {
      if (!tokenMatches(req.headers.authorization, opts.token)) throw unauthorized();
      const url = new URL(req.url ?? "/", "https://localhost");
      const parts = url.pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
      if (req.method !== "GET" || parts.length !== 4 || parts[0] !== "containerLogs") {
        throw new ApiError(failure(404, "NotFound", "the server could not find the requested resource"));
      }
      const [, ns, name, container] = parts as [string, string, string, string];
      const pod = opts.pod(ns, name);
      if (!pod) throw notFound("pods", name);
      const q = url.searchParams;
      const out = await opts.logs({
        namespace: ns, pod, container,
        follow: BOOL_TRUE.has(q.get("follow") ?? ""), previous: BOOL_TRUE.has(q.get("previous") ?? ""),
        timestamps: BOOL_TRUE.has(q.get("timestamps") ?? ""),
        tailLines: intParam(q, "tailLines"), sinceSeconds: intParam(q, "sinceSeconds"),
        sinceTime: q.get("sinceTime") || undefined, limitBytes: intParam(q, "limitBytes"),
        signal: abort.signal,
      });
      if (typeof out === "string") {
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(Buffer.byteLength(out)) });
        res.end(out);
        return;
      }
      streams.add(abort);
      res.writeHead(200, { "content-type": "text/plain" });
      res.flushHeaders();
      for await (const chunk of out) {
        if (abort.signal.aborted || res.destroyed) break;
        res.write(chunk);
      }
      if (!res.destroyed) res.end();
    } catch (e) {
      if (res.headersSent) { res.destroy(); return; }
      sendStatus(res, e);
    }
  }

  const server = createServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => { void handle(req, res); });
  server.on("connection", (s: Socket) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  server.on("clientError", (_e, socket) => socket.destroy());
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(opts.port, opts.listen, () => { server.off("error", fail); ok(); });
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((done) => {
        for (const a of streams) a.abort();
        server.close(() => done());
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** Where a LogSource finds minions. */
export interface LogSourceOptions {
  /** A minion running in this process for the node, if any: asked directly. */
  minionFor(nodeName: string): { logs(req: LogRequest): Promise<string | AsyncIterable<string>> } | undefined;
  /** Reads Nodes (InternalIP, kubeletEndpoint port) for minions in other processes. */
  client?: ApiClient;
  /** The bearer token the minions require (the control plane's own). */
  token?: string;
  /** Gives up on an unanswered minion after this long (default 10 s). */
  timeoutMs?: number;
}

/**
 * The API server's LogSource over minions: in-process ones are asked directly; others are
 * fetched over HTTPS from the Node's InternalIP and kubeletEndpoint port with the token.
 * The minion's self-signed certificate is not verified (as kube-apiserver does not verify
 * kubelets by default); the token is what guards the endpoint.
 */
export function createLogSource(opts: LogSourceOptions): LogSource {
  return async (req) => {
    const podName = req.pod.metadata.name ?? "";
    const nodeName = req.pod.spec?.nodeName;
    if (!nodeName) throw badRequest(`pod ${podName} does not have a host assigned`);
    const local = opts.minionFor(nodeName);
    if (local) return local.logs(req);
    if (!opts.client) throw badRequest(`no minion for node "${nodeName}" is reachable from the control plane`);
    const node = await opts.client.get("nodes", undefined, nodeName);
    const ip = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
    if (!ip || !port) throw badRequest(`node "${nodeName}" does not serve container logs (no InternalIP or kubelet port)`);
    return fetchLogs(ip, port, req, opts.token ?? "", opts.timeoutMs ?? 10_000);
  };
}

function fetchLogs(ip: string, port: number, req: LogRequest, token: string, timeoutMs: number): Promise<string | AsyncIterable<string>> {
  const q = new URLSearchParams();
  if (req.follow) q.set("follow", "true");
  if (req.previous) q.set("previous", "true");
  if (req.timestamps) q.set("timestamps", "true");
  if (req.tailLines !== undefined) q.set("tailLines", String(req.tailLines));
  if (req.sinceSeconds !== undefined) q.set("sinceSeconds", String(req.sinceSeconds));
  if (req.sinceTime !== undefined) q.set("sinceTime", req.sinceTime);
  if (req.limitBytes !== undefined) q.set("limitBytes", String(req.limitBytes));
  const path = `/containerLogs/${[req.namespace, req.pod.metadata.name ?? "", req.container].map(encodeURIComponent).join("/")}${q.size ? `?${q}` : ""}`;
  const host = ip.includes(":") ? `[${ip}]` : ip;
  const where = `https://${host}:${port}${path}`;
  return new Promise((resolve, reject) => {
    const r = httpsRequest({
      host: ip, port, path, method: "GET", rejectUnauthorized: false, timeout: timeoutMs,
      headers: { authorization: `Bearer ${token}`, accept: "text/plain, application/json" },
    }, (res) => {
      res.setEncoding("utf8");
      if ((res.statusCode ?? 500) >= 300) {
        let body = "";
        res.on("data", (c: string) => { body += c; });
        res.on("end", () => reject(statusError(res.statusCode ?? 500, body, where)));
        res.on("error", (e) => reject(internalError(e)));
        return;
      }
      // Once the body flows the idle timeout no longer applies: a followed log may be quiet for long.
      r.setTimeout(0);
      if (!req.follow) {
        let body = "";
        res.on("data", (c: string) => { body += c; });
        res.on("end", () => resolve(body));
        res.on("error", (e) => reject(internalError(e)));
        return;
      }
      resolve((async function* () {
        try {
          for await (const chunk of res) yield chunk as string;
        } catch (e) {
          if (!req.signal?.aborted) throw e;
        } finally {
          r.destroy();
        }
      })());
    });
    r.on("timeout", () => r.destroy(new Error("timeout awaiting response headers")));
    r.on("error", (e) => reject(new ApiError(failure(500, "InternalError", `Get "${where}": ${e.message}`))));
    if (req.signal) {
      if (req.signal.aborted) r.destroy();
      else req.signal.addEventListener("abort", () => r.destroy(), { once: true });
    }
    r.end();
  });
}

function statusError(code: number, body: string, where: string): ApiError {
  try {
    const s = JSON.parse(body) as Status;
    if (s && s.kind === "Status") return new ApiError(s);
  } catch { /* not a Status */ }
  return new ApiError(failure(code, code === 401 ? "Unauthorized" : "InternalError", `${where}: ${body.trim() || `HTTP ${code}`}`));
}
