// The embedded API server's resource handler: ApiRequest in, ApiResponse out, for every row of the resource table (no HTTP, no auth, no discovery).
import { dump } from "js-yaml";
import {
  ApiError, badRequest, fieldForbidden, fieldNotSupported, internalError, invalid, methodNotAllowed,
  pathNotFound, type FieldError,
} from "../../api/errors.ts";
import { apiVersionOf, RESOURCE_NAMES, RESOURCES, type ResourceInfo } from "../../api/resources.ts";
import type { ApiObject, Pod, Service, WatchEventType } from "../../api/types.ts";
import type { ApiRequest, ApiResponse } from "../../client/transport.ts";
import type { Store, StoreEvent } from "../storage/store.ts";
import { KUBERNETES_SERVICE_NAME, kubernetesService, ServiceAllocator } from "./allocators.ts";
import { decodeObjectBody, decodePatchBody, negotiate, patchTypeOf, type Negotiated } from "./content.ts";
import {
  buildFilter, deleteSuccess, Registry, returnsDeletedObject, withTypeMeta,
  type DeleteOptions, type ObjectFilter,
} from "./registry.ts";
import { collectionKey, parseResourcePath, type Route } from "./routes.ts";
import { bootstrapOpenShift } from "./bootstrap-openshift.ts";
import { STRATEGIES } from "./strategies/index.ts";
import type { Strategy } from "./strategy.ts";
import { buildTable, parseIncludeObject, partialMetadata } from "./table.ts";
import { ACTIONS } from "./actions/index.ts";
import { VIRTUAL, serveVirtual } from "./virtual/index.ts";
import { WatchHub } from "./watch.ts";

/** What a pod log request asks for, handed to the log source once the pod and container check out. */
export interface LogRequest {
  namespace: string;
  pod: Pod;
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
  /** Aborted when the client goes away (ends a followed stream). */
  signal?: AbortSignal;
}

/**
 * Where pod logs come from (the minions). Returns the whole text, or a stream for follow.
 * May throw ApiError (e.g. 400 when the minion has nothing for that container).
 */
export type LogSource = (req: LogRequest) => Promise<string | AsyncIterable<string>>;

export interface ApiServerOptions {
  store: Store;
  clock: { now(): Date };
  random: () => number;
  /** Pod logs; without it a running container's log is empty. */
  logSource?: LogSource;
  /** Unexpected failures inside a watch stream (which then ends with an ERROR event). */
  onWatchError?: (err: unknown) => void;
  /** Unexpected failures answered with 500, and failures of background namespace purging. */
  onInternalError?: (err: unknown) => void;
  /** Interval of BOOKMARK events on watches that allow them (default 5000 ms). */
  bookmarkIntervalMs?: number;
  /** Delay before retrying a namespace purge that failed (default 1000 ms). */
  purgeRetryMs?: number;
  /** Per-resource strategies (default: STRATEGIES). */
  strategies?: Partial<Record<string, Strategy>>;
  /** Also bootstrap what an OpenShift cluster starts with (the `openshift` namespace and its image streams). */
  openshift?: boolean;
}

export interface ApiServer {
  /**
   * Serves one request. Always resolves (errors are Status responses with their HTTP code);
   * waits for `ready` first. Watches and followed logs come back as `stream`.
   */
  handle(req: ApiRequest): Promise<ApiResponse>;
  /**
   * Settles once the built-in namespaces (default, kube-system, kube-public, kube-node-lease)
   * exist and namespaces left terminating by an earlier run are being purged again.
   */
  readonly ready: Promise<void>;
  /** Ends open watches and background work. Does not close the store. Idempotent. */
  close(): void;
}

/** Namespaces created at startup when missing. */
export const BUILTIN_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

const JSON_HEADERS = { "content-type": "application/json" };

/** A Status error as an HTTP-shaped response. Non-ApiErrors become 500 InternalError. */
export function errorResponse(e: unknown): ApiResponse {
  const err = e instanceof ApiError ? e : internalError(e);
  return { status: err.status.code, headers: { ...JSON_HEADERS }, body: JSON.stringify(err.status) };
}

function respond(status: number, obj: unknown, neg?: Negotiated): ApiResponse {
  if (neg?.output === "yaml") return { status, headers: { "content-type": "application/yaml" }, body: dump(obj) };
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(obj) };
}

/** strconv.ParseBool, which kube-apiserver uses for query booleans (the Python client sends `True`). */
function parseBool(name: string, v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (["1", "t", "T", "true", "TRUE", "True"].includes(v)) return true;
  if (["0", "f", "F", "false", "FALSE", "False", ""].includes(v)) return false;
  throw badRequest(`${name}: invalid value "${v}": strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function parseInt64(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: invalid value "${v}": strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function parseDryRun(v: string | undefined): boolean {
  if (v === undefined || v === "") return false;
  if (v === "All") return true;
  throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
}

function checkFieldValidation(v: string | undefined): void {
  // Unknown-field detection is not implemented: every directive accepts what decodes.
  if (v === undefined || v === "" || v === "Strict" || v === "Warn" || v === "Ignore") return;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

/**
 * Creates the resource handler over a store. Routes come from the resource table; each
 * request runs through the generic registry with the row's strategy. Starts (in the
 * background, see `ready`) bootstrap of the built-in namespaces and the namespace purger.
 */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const server = new ResourceServer(opts);
  return server;
}

class ResourceServer implements ApiServer {
  readonly ready: Promise<void>;
  private readonly opts: ApiServerOptions;
  private readonly store: Store;
  private readonly registry: Registry;
  private readonly hub: WatchHub;
  private readonly purger: NamespacePurger;
  private readonly allocator: ServiceAllocator;
  private closed = false;

  constructor(opts: ApiServerOptions) {
    this.opts = opts;
    this.store = opts.store;
    this.purger = new NamespacePurger(this, opts.purgeRetryMs ?? 1000, opts.onInternalError);
    this.allocator = new ServiceAllocator({ store: opts.store, random: opts.random });
    this.registry = new Registry({
      store: opts.store, clock: opts.clock, random: opts.random,
      strategies: withServiceAllocation(opts.strategies ?? (STRATEGIES as unknown as Partial<Record<string, Strategy>>), this.allocator),
      onNamespaceTerminating: (name) => this.purger.schedule(name),
    });
    this.hub = new WatchHub({ store: opts.store, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 5000, onError: opts.onWatchError });
    this.ready = this.bootstrap();
    // handle() reports a failed bootstrap per request; this keeps it from being an unhandled rejection
    this.ready.catch(() => undefined);
  }

  /** The registry, for the namespace purger. */
  get reg(): Registry {
    return this.registry;
  }

  get storeRef(): Store {
    return this.store;
  }

  private async bootstrap(): Promise<void> {
    for (const name of BUILTIN_NAMESPACES) {
      if (this.store.get(`/namespaces/${name}`)) continue;
      try {
        await this.registry.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name } }, { dryRun: false });
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
      }
    }
    // kube-apiserver's bootstrap controller keeps the `kubernetes` service in `default`.
    if (!this.store.get(`/services/default/${KUBERNETES_SERVICE_NAME}`)) {
      try {
        await this.registry.create("services", "default", kubernetesService(), { dryRun: false });
      } catch (e) {
        if (!(e instanceof ApiError && (e.reason === "AlreadyExists" || e.reason === "Invalid"))) throw e;
      }
    }
    if (this.opts.openshift) await bootstrapOpenShift(this.registry, (key) => this.store.get(key) !== undefined);
    if (!this.closed) this.purger.start();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.allocator.close();
    this.hub.closeAll();
    this.purger.stop();
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    try {
      await this.ready;
      return await this.dispatch(req);
    } catch (e) {
      if (!(e instanceof ApiError)) this.opts.onInternalError?.(e);
      return errorResponse(e);
    }
  }

  private async dispatch(req: ApiRequest): Promise<ApiResponse> {
    const route = parseResourcePath(req.path);
    if (!route) throw pathNotFound();
    const q = req.query ?? {};
    const h = req.headers ?? {};
    const neg = negotiate(h.accept);
    const info = route.info;
    const r = route.resource;
    const ns = info.namespaced ? route.namespace : undefined;
    const write = req.method !== "GET";
    const dryRun = write ? parseDryRun(q.dryRun) : false;
    if (write) checkFieldValidation(q.fieldValidation);
    const virtual = VIRTUAL[r];
    if (virtual) return serveVirtual(virtual, route, req, { registry: this.registry, now: () => this.opts.clock.now() }, dryRun);
    const verbError = (verb: string) => methodNotAllowed(verb, qualifiedResourceOf(info));

    if (route.subresource) return this.subresource(req, route, ns, dryRun, neg);

    if (route.name !== undefined) {
      const name = route.name;
      switch (req.method) {
        case "GET":
          if (route.watchPrefix || parseBool("watch", q.watch)) return this.watch(req, route, ns, neg, name);
          return this.renderOne(info, this.registry.get(r, ns, name), neg, q.includeObject);
        case "PUT": {
          const body = decodeObjectBody(req.body, h["content-type"]);
          const res = await this.registry.update(r, ns, name, body, { dryRun });
          return respond(res.created ? 201 : 200, res.object);
        }
        case "PATCH": {
          const type = patchTypeOf(h["content-type"]);
          const patch = decodePatchBody(req.body, type);
          const res = await this.registry.patch(r, ns, name, type, patch, { dryRun, fieldManager: q.fieldManager, force: parseBool("force", q.force) });
          return respond(res.created ? 201 : 200, res.object);
        }
        case "DELETE": {
          const res = await this.registry.delete(r, ns, name, deleteOptions(req, dryRun));
          if (!res.gone || returnsDeletedObject(info)) return respond(200, res.object);
          return respond(200, deleteSuccess(info, res.object));
        }
        default:
          throw verbError("create");
      }
    }

    // Collections. A namespaced kind without a namespace is the all-namespaces view: list/watch only.
    const allNamespaces = info.namespaced && ns === undefined;
    switch (req.method) {
      case "GET": {
        const filter = buildFilter(info, q.labelSelector, q.fieldSelector);
        if (route.watchPrefix || parseBool("watch", q.watch)) return this.watch(req, route, ns, neg);
        return this.list(info, route, ns, filter, q, neg);
      }
      case "POST": {
        if (allNamespaces) throw verbError("create");
        const body = decodeObjectBody(req.body, h["content-type"]);
        return respond(201, await this.registry.create(r, ns, body, { dryRun }));
      }
      case "DELETE": {
        if (allNamespaces) throw verbError("deletecollection");
        const filter = buildFilter(info, q.labelSelector, q.fieldSelector);
        const items = await this.registry.deleteCollection(r, ns, filter, deleteOptions(req, dryRun));
        return respond(200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: String(this.store.rev()) }, items });
      }
      default:
        throw verbError(req.method === "PUT" ? "update" : "patch");
    }
  }

  private renderOne(info: ResourceInfo, obj: ApiObject, neg: Negotiated, includeObject: string | undefined): ApiResponse {
    if (neg.output === "table") {
      return respond(200, buildTable(info, [obj], {
        now: this.opts.clock.now(), includeObject: parseIncludeObject(includeObject),
        listMeta: { resourceVersion: obj.metadata.resourceVersion },
      }));
    }
    if (neg.output === "metadata") return respond(200, partialMetadata(obj));
    return respond(200, obj, neg);
  }

  private list(info: ResourceInfo, route: Route, ns: string | undefined, filter: ObjectFilter, q: Record<string, string>, neg: Negotiated): ApiResponse {
    const limit = parseInt64("limit", q.limit);
    if (limit !== undefined && limit < 0) throw badRequest(`limit: Invalid value: ${limit}: must be greater than or equal to 0`);
    const rvMatch = q.resourceVersionMatch;
    if (rvMatch) {
      const errs: FieldError[] = [];
      if (!q.resourceVersion) errs.push(fieldForbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
      else if (rvMatch !== "NotOlderThan" && rvMatch !== "Exact") errs.push(fieldNotSupported("resourceVersionMatch", rvMatch, ["Exact", "NotOlderThan", ""]));
      if (errs.length > 0) throw invalid("ListOptions.meta.k8s.io", "", errs, "meta.k8s.io");
    }
    // Every resourceVersion is served from current data: nothing older is kept to read from.
    const page = this.registry.list(route.resource, ns, { filter, limit, continueToken: q.continue || undefined });
    const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(page.rev) };
    if (page.continueToken) meta.continue = page.continueToken;
    if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
    if (neg.output === "table") {
      return respond(200, buildTable(info, page.items, { now: this.opts.clock.now(), includeObject: parseIncludeObject(q.includeObject), listMeta: meta }));
    }
    if (neg.output === "metadata") {
      return respond(200, { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: meta, items: page.items.map(partialMetadata) });
    }
    return respond(200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: meta, items: page.items }, neg);
  }

  private watch(req: ApiRequest, route: Route, ns: string | undefined, neg: Negotiated, name?: string): ApiResponse {
    const q = req.query ?? {};
    const info = route.info;
    const filter = buildFilter(info, q.labelSelector, q.fieldSelector, name);
    const sendInitialEvents = parseBool("sendInitialEvents", q.sendInitialEvents);
    const bookmarks = parseBool("allowWatchBookmarks", q.allowWatchBookmarks) ?? false;
    const timeoutSeconds = parseInt64("timeoutSeconds", q.timeoutSeconds);
    const rv = q.resourceVersion ?? "";
    const rvMatch = q.resourceVersionMatch ?? "";
    const errs: FieldError[] = [];
    if (sendInitialEvents !== undefined) {
      if (rvMatch !== "NotOlderThan") errs.push(fieldForbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
      if (!bookmarks) errs.push(fieldForbidden("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true"));
    } else if (rvMatch) {
      errs.push(fieldForbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
    }
    if (errs.length > 0) throw invalid("ListOptions.meta.k8s.io", "", errs, "meta.k8s.io");
    let fromRev: number | undefined;
    if (rv !== "" && rv !== "0") {
      if (!/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`);
      fromRev = Number(rv);
    }
    if (sendInitialEvents) fromRev = undefined;
    else if (sendInitialEvents === false && fromRev === undefined) fromRev = this.store.rev();

    const now = () => this.opts.clock.now();
    const includeObject = parseIncludeObject(q.includeObject);
    let first = true;
    const encode = (_type: WatchEventType, obj: ApiObject): unknown => {
      const typed = withTypeMeta(info, obj);
      if (neg.output === "table") {
        const t = buildTable(info, [typed], { now: now(), includeObject, withColumns: first, listMeta: { resourceVersion: typed.metadata.resourceVersion } });
        first = false;
        return t;
      }
      if (neg.output === "metadata") return partialMetadata(typed);
      return typed;
    };
    const stream = this.hub.stream({
      prefix: collectionKey(route.resource, ns),
      filter,
      fromRev,
      initialEvents: fromRev === undefined && sendInitialEvents !== false,
      initialEventsEnd: sendInitialEvents === true,
      bookmarks,
      timeoutMs: timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined,
      signal: req.signal,
      typeMeta: { kind: info.kind, apiVersion: apiVersionOf(info) },
      encode,
    });
    return { status: 200, headers: { ...JSON_HEADERS }, stream };
  }

  private async subresource(req: ApiRequest, route: Route, ns: string | undefined, dryRun: boolean, neg: Negotiated): Promise<ApiResponse> {
    const info = route.info;
    const r = route.resource;
    const name = route.name!;
    const q = req.query ?? {};
    const h = req.headers ?? {};
    const sub = route.subresource!;
    const action = ACTIONS[`${r}/${sub}`];
    if (action) {
      return action({ registry: this.registry, clock: this.opts.clock, random: this.opts.random, req,
        namespace: ns, name, rest: route.rest ?? [], dryRun });
    }
    if (route.rest) throw pathNotFound();
    const notAllowed = () => methodNotAllowed(req.method === "GET" ? "get" : req.method === "POST" ? "create" : req.method === "PUT" ? "update" : req.method === "PATCH" ? "patch" : "delete", `${qualifiedResourceOf(info)}/${sub}`);
    switch (sub) {
      case "status":
        if (req.method === "GET") return this.renderOne(info, this.registry.get(r, ns, name), neg, q.includeObject);
        if (req.method === "PUT") return respond(200, await this.registry.updateStatus(r, ns, name, decodeObjectBody(req.body, h["content-type"]), { dryRun }));
        if (req.method === "PATCH") {
          const type = patchTypeOf(h["content-type"]);
          const res = await this.registry.patch(r, ns, name, type, decodePatchBody(req.body, type), { dryRun, fieldManager: q.fieldManager }, true);
          return respond(200, res.object);
        }
        throw notAllowed();
      case "scale":
        if (req.method === "GET") return respond(200, this.registry.getScale(r, ns, name), neg.output === "yaml" ? neg : undefined);
        if (req.method === "PUT") return respond(200, await this.registry.updateScale(r, ns, name, decodeObjectBody(req.body, h["content-type"]), { dryRun }));
        if (req.method === "PATCH") {
          const type = patchTypeOf(h["content-type"]);
          return respond(200, await this.registry.patchScale(r, ns, name, type, decodePatchBody(req.body, type), { dryRun }));
        }
        throw notAllowed();
      case "binding":
        if (req.method !== "POST") throw notAllowed();
        return respond(201, await this.registry.bind(ns!, name, decodeObjectBody(req.body, h["content-type"]), { dryRun }));
      case "finalize":
        if (req.method !== "PUT") throw notAllowed();
        return respond(200, await this.registry.finalizeNamespace(name, decodeObjectBody(req.body, h["content-type"]), { dryRun }));
      case "log":
        if (req.method !== "GET") throw notAllowed();
        // A build's log is its build pod's; a DeploymentConfig's is its latest deployer pod's.
        if (r === "builds") return this.logs(req, ns!, `${this.registry.get(r, ns, name).metadata.name}-build`);
        if (r === "deploymentconfigs") {
          const dc = this.registry.get(r, ns, name) as ApiObject & { status?: { latestVersion?: number } };
          return this.logs(req, ns!, `${name}-${dc.status?.latestVersion ?? 0}-deploy`);
        }
        return this.logs(req, ns!, name);
      default:
        throw pathNotFound();
    }
  }

  private async logs(req: ApiRequest, ns: string, name: string): Promise<ApiResponse> {
    const q = req.query ?? {};
    const pod = this.registry.get("pods", ns, name) as Pod;
    const containers = (pod.spec?.containers ?? []).map((c) => c.name);
    const inits = (pod.spec?.initContainers ?? []).map((c) => c.name);
    let container = q.container ?? "";
    if (!container) {
      if (containers.length === 1) container = containers[0]!;
      else {
        const initText = inits.length > 0 ? ` or one of the init containers: [${inits.join(" ")}]` : "";
        throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]${initText}`);
      }
    }
    if (!containers.includes(container) && !inits.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const previous = parseBool("previous", q.previous) ?? false;
    const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
    const st = statuses.find((s) => s.name === container);
    if (previous) {
      if (!st?.lastState?.terminated) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    } else if (!st?.state?.running && !st?.state?.terminated && !st?.lastState?.terminated) {
      // (A container that ran before, e.g. in CrashLoopBackOff, still serves its last run's log, as the kubelet does.)
      throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${st?.state?.waiting?.reason ?? "ContainerCreating"}`);
    }
    const sinceSeconds = parseInt64("sinceSeconds", q.sinceSeconds);
    const sinceTime = q.sinceTime || undefined;
    const errs: FieldError[] = [];
    if (sinceSeconds !== undefined && sinceTime !== undefined) errs.push(fieldForbidden("sinceSeconds", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
    if (sinceSeconds !== undefined && sinceSeconds < 1) errs.push({ type: "FieldValueInvalid", field: "sinceSeconds", message: `Invalid value: ${sinceSeconds}: must be greater than 0` });
    if (errs.length > 0) throw invalid("PodLogOptions", name, errs);
    const source = this.opts.logSource;
    const text = source ? await source({
      namespace: ns, pod, container, previous,
      follow: parseBool("follow", q.follow) ?? false,
      timestamps: parseBool("timestamps", q.timestamps) ?? false,
      tailLines: parseInt64("tailLines", q.tailLines),
      sinceSeconds, sinceTime,
      limitBytes: parseInt64("limitBytes", q.limitBytes),
      signal: req.signal,
    }) : "";
    const headers = { "content-type": "text/plain" };
    return typeof text === "string" ? { status: 200, headers, body: text } : { status: 200, headers, stream: text };
  }
}

/** The services strategy with cluster IP / node port allocation as its admission hook. */
function withServiceAllocation(strategies: Partial<Record<string, Strategy>>, allocator: ServiceAllocator): Partial<Record<string, Strategy>> {
  const base = strategies.services;
  if (!base) return strategies;
  const services: Strategy = { ...base, admit: (obj, prev, ctx) => allocator.admit(obj as Service, prev as Service | undefined, ctx) };
  return { ...strategies, services };
}

function qualifiedResourceOf(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** DeleteOptions from the body (JSON) and the query; the query wins where both say something. */
function deleteOptions(req: ApiRequest, dryRun: boolean): DeleteOptions {
  const q = req.query ?? {};
  const out: DeleteOptions = { dryRun };
  if (req.body && req.body.trim() !== "") {
    const body = decodeObjectBody(req.body, req.headers?.["content-type"]);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest("the body of the request could not be decoded as DeleteOptions");
    const b = body as Record<string, unknown>;
    if (typeof b.gracePeriodSeconds === "number") out.gracePeriodSeconds = b.gracePeriodSeconds;
    if (typeof b.propagationPolicy === "string") out.propagationPolicy = b.propagationPolicy;
    if (typeof b.orphanDependents === "boolean" && out.propagationPolicy === undefined) out.propagationPolicy = b.orphanDependents ? "Orphan" : "Background";
    if (typeof b.preconditions === "object" && b.preconditions !== null) {
      const p = b.preconditions as Record<string, unknown>;
      out.preconditions = {};
      if (typeof p.uid === "string") out.preconditions.uid = p.uid;
      if (typeof p.resourceVersion === "string") out.preconditions.resourceVersion = p.resourceVersion;
    }
    if (Array.isArray(b.dryRun)) {
      for (const v of b.dryRun) if (parseDryRun(String(v))) out.dryRun = true;
    }
  }
  const grace = parseInt64("gracePeriodSeconds", q.gracePeriodSeconds);
  if (grace !== undefined) out.gracePeriodSeconds = grace;
  if (q.propagationPolicy) out.propagationPolicy = q.propagationPolicy;
  if (q.orphanDependents !== undefined && out.propagationPolicy === undefined) {
    out.propagationPolicy = parseBool("orphanDependents", q.orphanDependents) ? "Orphan" : "Background";
  }
  return out;
}

/**
 * Finishes namespace deletion in the background, level-triggered: at start it picks up every
 * namespace already terminating (e.g. left so by a crash), and afterwards any write in a
 * terminating namespace (a finalizer removed, an object gone) triggers another pass. At most
 * one pass per namespace runs at a time; a pass requested meanwhile runs once afterwards.
 */
class NamespacePurger {
  private readonly server: ResourceServer;
  private readonly retryMs: number;
  private readonly onError?: (err: unknown) => void;
  private readonly terminating = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopWatch?: () => void;
  private stopped = false;

  constructor(server: ResourceServer, retryMs: number, onError?: (err: unknown) => void) {
    this.server = server;
    this.retryMs = retryMs;
    this.onError = onError;
  }

  start(): void {
    const store = this.server.storeRef;
    const namespaced = new Set(RESOURCE_NAMES.filter((r) => RESOURCES[r].namespaced));
    this.stopWatch = store.watch("/", store.rev(), (e: StoreEvent) => this.onEvent(e, namespaced));
    for (const o of store.list("/namespaces/").items) {
      if (o.metadata.deletionTimestamp) this.schedule(o.metadata.name!);
    }
  }

  stop(): void {
    this.stopped = true;
    this.stopWatch?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private onEvent(e: StoreEvent, namespaced: Set<string>): void {
    const parts = e.key.split("/");
    if (parts[1] === "namespaces" && parts.length === 3) {
      const name = parts[2]!;
      if (e.type === "DELETED") this.terminating.delete(name);
      else if (e.object.metadata.deletionTimestamp) this.schedule(name);
      return;
    }
    if (parts.length === 4 && namespaced.has(parts[1]!) && this.terminating.has(parts[2]!)) this.schedule(parts[2]!);
  }

  /** Runs a purge pass for the namespace soon. Idempotent. */
  schedule(name: string): void {
    if (this.stopped) return;
    this.terminating.add(name);
    if (this.busy.has(name)) {
      this.dirty.add(name);
      return;
    }
    this.busy.add(name);
    void this.run(name);
  }

  private async run(name: string): Promise<void> {
    try {
      await Promise.resolve();
      if (this.stopped) return;
      const done = await this.server.reg.purgeNamespace(name);
      if (done) this.terminating.delete(name);
    } catch (e) {
      if (this.stopped) return;
      this.onError?.(e);
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.schedule(name);
      }, this.retryMs);
      t.unref?.();
      this.timers.add(t);
    } finally {
      this.busy.delete(name);
      if (this.dirty.delete(name) && !this.stopped) this.schedule(name);
    }
  }
}
