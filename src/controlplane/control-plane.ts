// The embedded control plane as a process: data dir, TLS, token auth, and the HTTPS front that routes to discovery, OpenAPI and the API server.
import { timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP, isIPv6 } from "node:net";
import type { Socket } from "node:net";
import { join, resolve } from "node:path";
import { ApiError, internalError, unauthorized } from "../api/errors.ts";
import type { Endpoints, Pod, Service } from "../api/types.ts";
import type { ApiRequest, ApiResponse } from "../client/transport.ts";
import { realClock, type Clock } from "../deps.ts";
import type { LogSource } from "./apiserver/api-server.ts";
import type { Informer } from "./controllers/informer.ts";
import { serveDiscovery } from "./apiserver/discovery.ts";
import { serveOpenApi } from "./apiserver/openapi.ts";
import { openSqliteStore } from "./storage/sqlite-store.ts";
import type { Store } from "./storage/store.ts";
import { ensureTls, ensureToken, servingHosts, writePrivateFile } from "./tls.ts";

/** What the HTTPS front needs from the request handler. */
export interface RequestHandler {
  handle(req: ApiRequest): Promise<ApiResponse>;
  /** Settles once the handler can serve (built-in namespaces exist); the port opens only then. */
  readonly ready?: Promise<void>;
  close(): Promise<void> | void;
}

export interface ControlPlaneOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Address to listen on; default 127.0.0.1. */
  listen?: string;
  clock?: Clock;
  random?: () => number;
  log?: (line: string) => void;
  /** Builds the handler of every non-discovery request; default: the full API server over the store. */
  handler?: (deps: { store: Store; clock: Clock; random: () => number }) => RequestHandler;
  /**
   * In-process minions named minion-1…N (default 3; 0 for none), with the full API server only.
   * The controller manager (scheduler, replication, endpoints, node lifecycle, garbage
   * collection) runs with the full API server unless `controllers` is false.
   */
  minions?: number;
  controllers?: boolean;
  /** Without a minion heartbeat for this long its node goes NotReady (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Pods of a node NotReady for this long are deleted (default 5 min). */
  podEvictionTimeoutMs?: number;
}

export interface ControlPlane {
  /** https://host:port, the URL clients should use. */
  url: string;
  port: number;
  caPem: string;
  token: string;
  /** Stops accepting, ends open streams, closes the handler and the store. Idempotent. */
  close(): Promise<void>;
}

/** The file `cluster status` reads: where the running control plane of a data dir answers. */
export { ENDPOINT_FILE, readEndpoint, type EndpointRecord } from "./endpoint.ts";
import { ENDPOINT_FILE, type EndpointRecord } from "./endpoint.ts";

/** Paths kube-apiserver serves to anonymous clients too. */
const ANONYMOUS = new Set(["/healthz", "/readyz", "/livez", "/version"]);
/** Build webhooks carry their own credential (the secret in the path), as on OpenShift, where they take no token. */
const WEBHOOK_PATH = /^\/(?:apis\/build\.openshift\.io\/v1|oapi\/v1)\/namespaces\/[^/]+\/buildconfigs\/[^/]+\/webhooks\//;
const HEALTH = new Set(["/healthz", "/readyz", "/livez"]);

/** host:port as a URL authority; wildcard listens are reached over loopback. */
function clientHost(listen: string): string {
  if (listen === "0.0.0.0" || listen === "") return "127.0.0.1";
  if (listen === "::") return "[::1]";
  return isIPv6(listen) ? `[${listen}]` : listen;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) return false;
  const given = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const describe = (e: unknown): string => (e instanceof Error ? e.stack ?? e.message : String(e));

function statusResponse(e: ApiError): ApiResponse {
  return { status: e.status.code, headers: { "content-type": "application/json" }, body: JSON.stringify(e.status) };
}

/**
 * Protobuf bodies are binary: carried in ApiRequest.body / ApiResponse.body as latin1, one
 * char per byte (Buffer.from(body, "latin1") gives the bytes back); all else is UTF-8 text.
 */
function bodyEncoding(contentType: string | undefined): BufferEncoding {
  return /^application\/vnd\.kubernetes\.protobuf/i.test(contentType ?? "") ? "latin1" : "utf8";
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolveBody(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toApiRequest(req: IncomingMessage, raw: Buffer, signal: AbortSignal): ApiRequest {
  const url = new URL(req.url ?? "/", "https://localhost");
  let path = url.pathname;
  try { path = decodeURIComponent(path); } catch { /* malformed escapes: route the raw path, which then 404s */ }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  const method = (req.method ?? "GET").toUpperCase() as ApiRequest["method"];
  const out: ApiRequest = { method, path, query, headers, signal };
  if (raw.length > 0) out.body = raw.toString(bodyEncoding(headers["content-type"]));
  return out;
}

/**
 * Starts the control plane for dataDir: creates the dir (0700), TLS material and token on
 * first start (reused later), opens skiff.db, and serves HTTPS. Every request needs
 * `Authorization: Bearer <token>` except /healthz, /readyz, /livez, /version and build webhooks; others get
 * 401 with an Unauthorized Status. Writes endpoint.json once listening (removed on close).
 * Rejects when the port is taken or the data dir is unusable.
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const dataDir = resolve(opts.dataDir);
  const listen = opts.listen ?? "127.0.0.1";
  const clock = opts.clock ?? realClock;
  const random = opts.random ?? Math.random;
  const log = opts.log ?? (() => {});
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tls = await ensureTls(dataDir, servingHosts(listen), clock.now());
  const token = ensureToken(dataDir);
  const store = openSqliteStore(join(dataDir, "skiff.db"));
  let handler: RequestHandler | undefined;
  /** skiff's own API server (not a caller's stand-in): it gets the `kubernetes` Endpoints. */
  let ownServer: RequestHandler | undefined;
  let cluster: InProcessCluster | undefined;
  try {
    // Loaded on demand so a front with its own handler does not pull in the whole API server.
    if (opts.handler) handler = opts.handler({ store, clock, random });
    else {
      const { createApiServer } = await import("./apiserver/api-server.ts");
      const { createLogSource } = await import("./minion/log-server.ts");
      const minions = new Map<string, { logs: LogSource }>();
      const server = createApiServer({
        store, clock, random, openshift: true,
        logSource: createLogSource({ minionFor: (node) => minions.get(node) }),
        onWatchError: (e) => log(`watch failed: ${describe(e)}`),
        onInternalError: (e) => log(`internal error: ${describe(e)}`),
      });
      handler = server;
      ownServer = server;
      await server.ready;
      cluster = await startInProcessCluster(server, { ...opts, clock, random, log }, minions);
    }
    await handler.ready;
  } catch (e) {
    await cluster?.stop();
    await Promise.resolve(handler?.close());
    await store.close();
    throw e;
  }
  const api = handler;
  const host = clientHost(listen);
  let serverAddress = "";
  /** Open streamed responses (watches, log follows): close() ends them at once. */
  const streams = new Set<AbortController>();
  const sockets = new Set<Socket>();

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    // The client went away (or the response ended): stop whatever still works for it.
    res.on("close", () => { abort.abort(); streams.delete(abort); });
    let apiRes: ApiResponse;
    try {
      const raw = await readBody(req);
      const apiReq = toApiRequest(req, raw, abort.signal);
      apiRes = await route(apiReq);
    } catch (e) {
      apiRes = statusResponse(e instanceof ApiError ? e : internalError(e));
      if (!(e instanceof ApiError)) log(`error serving ${req.method} ${req.url}: ${describe(e)}`);
    }
    await write(res, apiRes, abort);
  }

  async function route(req: ApiRequest): Promise<ApiResponse> {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, "") : req.path;
    if (HEALTH.has(path) || [...HEALTH].some((h) => path.startsWith(`${h}/`))) {
      return { status: 200, headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" }, body: "ok" };
    }
    if (!ANONYMOUS.has(path) && !WEBHOOK_PATH.test(path) && !tokenMatches(req.headers?.authorization, token)) return statusResponse(unauthorized());
    return serveDiscovery(req, { serverAddress }) ?? serveOpenApi(req) ?? api.handle(req);
  }

  async function write(res: ServerResponse, r: ApiResponse, abort: AbortController): Promise<void> {
    const signal = abort.signal;
    if (res.destroyed) return;
    const headers: Record<string, string> = { ...r.headers };
    if (r.stream === undefined) {
      const body = Buffer.from(r.body ?? "", bodyEncoding(headers["content-type"]));
      headers["content-length"] = String(body.length);
      res.writeHead(r.status, headers);
      res.end(body);
      return;
    }
    if (signal.aborted) { void r.stream[Symbol.asyncIterator]().return?.(); return; }
    streams.add(abort);
    res.writeHead(r.status, headers);
    // Headers now, so a watcher knows the watch started before the first event.
    res.flushHeaders();
    const it = r.stream[Symbol.asyncIterator]();
    const stop = (): void => { void it.return?.(); };
    signal.addEventListener("abort", stop, { once: true });
    try {
      for (;;) {
        const next = await it.next();
        if (next.done || signal.aborted || res.destroyed) break;
        // Each write goes out as its own chunk at once: no compression, no buffering here.
        if (!res.write(next.value)) await new Promise<void>((ok) => { res.once("drain", ok); res.once("close", ok); });
      }
    } catch (e) {
      log(`stream ended with error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      signal.removeEventListener("abort", stop);
      if (!signal.aborted) void it.return?.();
      if (!res.destroyed) res.end();
    }
  }

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem }, (req, res) => { void respond(req, res); });
  server.on("connection", (s: Socket) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
  server.on("clientError", (_err, socket) => { socket.destroy(); });
  try {
    await new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(opts.port, listen, () => { server.off("error", fail); ok(); });
    });
  } catch (e) {
    await cluster?.stop();
    await Promise.resolve(api.close());
    await store.close();
    throw e;
  }
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  serverAddress = `${host}:${port}`;
  const url = `https://${host}:${port}`;
  const endpointPath = join(dataDir, ENDPOINT_FILE);
  const record: EndpointRecord = { url, port, pid: process.pid, startedAt: clock.now().toISOString() };
  writePrivateFile(endpointPath, `${JSON.stringify(record, null, 2)}\n`);
  if (ownServer) {
    const ip = advertisedIp(listen);
    if (ip === undefined) log(`not publishing endpoints/${KUBERNETES_ENDPOINTS}: listen address ${listen} is not an IP`);
    else {
      try {
        await ensureKubernetesEndpoints(ownServer, ip, port);
      } catch (e) {
        log(`publishing endpoints/${KUBERNETES_ENDPOINTS} failed: ${describe(e)}`);
      }
    }
  }

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      const closed = new Promise<void>((ok) => server.close(() => ok()));
      for (const a of streams) a.abort();
      // Keep-alive connections go as soon as they are idle; requests still running get
      // a moment to finish, then whatever is left is cut.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => { for (const s of sockets) s.destroy(); }, 2000);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      await cluster?.stop();
      await Promise.resolve(api.close());
      await store.close();
      removeEndpointIfOurs(endpointPath, record);
    })();
    return closing;
  }
  return { url, port, caPem: tls.caPem, token, close };
}

/** The Service and Endpoints in `default` through which pods reach the API server. */
export const KUBERNETES_ENDPOINTS = "kubernetes";

/** The IP the API server advertises for a listen address: wildcards and `localhost` are reached over loopback. */
export function advertisedIp(listen: string): string | undefined {
  if (listen === "" || listen === "0.0.0.0" || listen === "localhost") return "127.0.0.1";
  if (listen === "::") return "::1";
  return isIP(listen) ? listen : undefined;
}

/** The `kubernetes` Endpoints as kube-apiserver's endpoint reconciler keeps them. */
export function kubernetesEndpoints(ip: string, port: number): Endpoints {
  return {
    apiVersion: "v1", kind: "Endpoints",
    metadata: { name: KUBERNETES_ENDPOINTS, namespace: "default", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: "https", port, protocol: "TCP" }] }],
  };
}

/**
 * Makes `endpoints/kubernetes` in `default` point at ip:port (port name https), as
 * kube-apiserver does for itself: created when missing, rewritten when the address or port
 * differ (other labels kept), left alone (no new resourceVersion) when they already match.
 * Retries on write conflicts; throws ApiError for anything else the server refuses.
 */
export async function ensureKubernetesEndpoints(server: Pick<RequestHandler, "handle">, ip: string, port: number): Promise<void> {
  const path = `/api/v1/namespaces/default/endpoints/${KUBERNETES_ENDPOINTS}`;
  const headers = { accept: "application/json", "content-type": "application/json" };
  const want = kubernetesEndpoints(ip, port);
  const fail = (res: ApiResponse): ApiError => {
    try {
      return new ApiError(JSON.parse(res.body ?? ""));
    } catch {
      return internalError(new Error(`${res.status} from ${path}`));
    }
  };
  for (let attempt = 0; ; attempt++) {
    const got = await server.handle({ method: "GET", path, headers });
    let current: Endpoints | undefined;
    if (got.status === 200) current = JSON.parse(got.body ?? "{}") as Endpoints;
    else if (got.status !== 404) throw fail(got);
    const labels = { ...(current?.metadata.labels ?? {}), ...want.metadata.labels };
    if (current && JSON.stringify(current.subsets) === JSON.stringify(want.subsets)
      && JSON.stringify(current.metadata.labels) === JSON.stringify(labels)) return;
    const body: Endpoints = { ...want, metadata: { ...want.metadata, labels, ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}) } };
    const put = await server.handle({ method: "PUT", path, headers, body: JSON.stringify(body) });
    if (put.status === 200 || put.status === 201) break;
    if (put.status !== 409 || attempt >= 4) throw fail(put);
  }
  // The service's target port is the port this server really listens on, as kube-apiserver's is its secure port.
  const svcPath = `/api/v1/namespaces/default/services/${KUBERNETES_ENDPOINTS}`;
  const svc = await server.handle({ method: "GET", path: svcPath, headers });
  if (svc.status !== 200) return;
  const ports = (JSON.parse(svc.body ?? "{}") as Service).spec?.ports ?? [];
  if (ports.length === 1 && ports[0]!.targetPort !== port) {
    const patch = { spec: { ports: [{ ...ports[0], targetPort: port }] } };
    const res = await server.handle({ method: "PATCH", path: svcPath, body: JSON.stringify(patch),
      headers: { accept: "application/json", "content-type": "application/merge-patch+json" } });
    if (res.status !== 200) throw fail(res);
  }
}

/** The controller manager and the minions running inside the control plane's process. */
interface InProcessCluster {
  stop(): Promise<void>;
}

/**
 * Starts the controller manager and minion-1…N over an in-process transport to the API
 * server; each minion is entered in `minions` so the API server's log source finds it.
 */
async function startInProcessCluster(
  server: RequestHandler,
  opts: ControlPlaneOptions & { clock: Clock; random: () => number; log: (line: string) => void },
  minions: Map<string, { logs: LogSource }>,
): Promise<InProcessCluster> {
  const [{ createApiClient }, { createInProcessTransport }] = await Promise.all([
    import("../client/client.ts"), import("../client/in-process-transport.ts"),
  ]);
  const client = (agent: string) => createApiClient(createInProcessTransport(server, "in-process"), { namespace: "default", server: "in-process", userAgent: agent });
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => { for (const s of stops.splice(0).reverse()) await s(); };
  try {
    let podInformer: Informer<Pod> | undefined;
    let podIndex = "";
    if (opts.controllers !== false) {
      const [{ startControllers }, { BY_NODE_NAME }] = await Promise.all([
        import("./controllers/controller-manager.ts"), import("./controllers/shared.ts"),
      ]);
      const cm = startControllers({
        client: client("skiff-controller-manager"), clock: opts.clock, random: opts.random,
        options: {
          log: (line) => opts.log(`controller-manager: ${line}`),
          nodeLifecycle: {
            gracePeriodMs: opts.nodeMonitorGracePeriodMs, evictionTimeoutMs: opts.podEvictionTimeoutMs,
            monitorPeriodMs: scaledPeriod(DEFAULT_MONITOR_PERIOD_MS, opts.nodeMonitorGracePeriodMs, MONITOR_RATIO),
          },
        },
      });
      stops.push(() => cm.stop());
      podInformer = cm.informers.get("pods");
      podIndex = BY_NODE_NAME;
    }
    const n = opts.minions ?? DEFAULT_MINIONS;
    if (n > 0) {
      const [{ startMinion }, { podSourceOver, sharedPodSource }] = await Promise.all([import("./minion/minion.ts"), import("./minion/pod-source.ts")]);
      // One pod watch for every minion here rather than one each, so each pod event is delivered
      // once; with controllers, their pod informer, so each pod is also cached once.
      const podSource = podInformer
        ? podSourceOver(podInformer, podIndex)
        : sharedPodSource(client("skiff-minion"), { clock: opts.clock, onError: (e) => opts.log(`minions: ${describe(e)}`) });
      stops.push(() => podSource.stop());
      const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startMinion({
        client: client(`skiff-minion/minion-${i + 1}`), name: `minion-${i + 1}`, clock: opts.clock, random: opts.random, podSource,
        heartbeatMs: scaledPeriod(DEFAULT_HEARTBEAT_MS, opts.nodeMonitorGracePeriodMs, HEARTBEAT_RATIO),
        onError: (e) => opts.log(`minion-${i + 1}: ${describe(e)}`),
      })));
      for (const r of started) {
        if (r.status === "rejected") continue;
        const m = r.value;
        minions.set(m.name, { logs: (req) => m.logs(req) });
        stops.push(async () => { minions.delete(m.name); await m.stop(); });
      }
      const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { stop };
}

/** The kubelet's nodeStatusUpdateFrequency and kube-controller-manager's node-monitor-period. */
const DEFAULT_HEARTBEAT_MS = 10_000;
const DEFAULT_MONITOR_PERIOD_MS = 5_000;
/** Upstream's defaults keep the grace period 4 heartbeats and 8 monitor periods long (40 s, 10 s, 5 s). */
const HEARTBEAT_RATIO = 4;
const MONITOR_RATIO = 8;

/**
 * A period kept at upstream's proportion to a shorter grace period: without it, a grace period
 * under 10 s would mark the control plane's own minions NotReady between two heartbeats, and a
 * 5 s monitor period would delay noticing a silent node well past the grace period.
 */
function scaledPeriod(defaultMs: number, graceMs: number | undefined, ratio: number): number | undefined {
  if (graceMs === undefined) return undefined;
  return Math.max(50, Math.min(defaultMs, Math.floor(graceMs / ratio)));
}

/** Minions `cluster up` and `server` run by default. */
export const DEFAULT_MINIONS = 3;

/** A later server on the same data dir may have replaced the record: leave that one alone. */
function removeEndpointIfOurs(path: string, ours: EndpointRecord): void {
  try {
    const now = JSON.parse(readFileSync(path, "utf8")) as Partial<EndpointRecord>;
    if (now.pid === ours.pid && now.port === ours.port) rmSync(path, { force: true });
  } catch { /* already gone */ }
}
