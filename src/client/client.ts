// The typed REST client: URLs from the resource table or discovery, content negotiation,
// pagination, watch decoding, Status → ApiError, warnings. Works over any Transport.
import { ApiError, failure } from "../api/errors.ts";
import { infoForKind, infoOf, resolveResource, type Subresource } from "../api/resources.ts";
import type { ApiList, ApiObject, Status, Table, WatchEvent } from "../api/types.ts";
import { CliError } from "../errors.ts";
import type {
  ApiClient, DeleteOptions, ListOptions, LogOptions, ObjOf, PatchType, ResourceRef, Target, WatchOptions, WriteOptions,
} from "./api-client.ts";
import type { ApiRequest, ApiResponse, Transport } from "./transport.ts";

export interface ApiClientOptions {
  /** Default namespace for namespaced single-object calls (from flags/context). */
  namespace: string;
  /** The server URL, for messages and `client.server`. */
  server: string;
  userAgent?: string;
  /** Called with the text of each `Warning` response header (kubectl prints `Warning: <text>`). */
  onWarning?: (text: string) => void;
}

/** kubectl's chunk size: lists are fetched 500 at a time. */
export const DEFAULT_CHUNK_SIZE = 500;
export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
export const DISCOVERY_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
  + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
const JSON_TYPE = "application/json";

const PATCH_TYPES: Record<PatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
  apply: "application/apply-patch+yaml",
};

const KNOWN_SUBRESOURCES = new Set<string>(["status", "scale", "binding", "eviction", "log", "finalize"]);

/** What a request was about, for inventing a Status when the server sent none. */
interface Ctx { ref?: ResourceRef; name?: string }

const refOf = (t: Target): ResourceRef => (typeof t === "string" ? infoOf(t) : t);
const qualifiedResource = (ref: ResourceRef): string => (ref.group ? `${ref.resource}.${ref.group}` : ref.resource);
const gvPath = (ref: { group: string; version: string }): string =>
  (ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`);

/**
 * The path of a collection (no name) or one object. A namespaced resource with `ns`
 * undefined is addressed across all namespaces; a cluster-scoped one ignores `ns`.
 */
export function resourcePath(ref: ResourceRef, ns: string | undefined, name?: string, sub?: string): string {
  let p = gvPath(ref);
  if (ref.namespaced && ns !== undefined) p += `/namespaces/${encodeURIComponent(ns)}`;
  p += `/${ref.resource}`;
  if (name !== undefined) {
    // Matches client-go, which refuses to build a URL for an empty name.
    if (name === "") throw new CliError("resource name may not be empty");
    p += `/${encodeURIComponent(name)}`;
  }
  if (sub) p += `/${sub}`;
  return p;
}

function query(entries: Record<string, string | number | boolean | undefined>): Record<string, string> {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined && v !== "" && v !== false) q[k] = String(v);
  return q;
}

const writeQuery = (o: WriteOptions = {}): Record<string, string> =>
  query({ dryRun: o.dryRun ? "All" : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation });

/** Splits `Warning` header values (`299 - "text"`, several joined by commas) into their texts. */
export function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  const out: string[] = [];
  const re = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;
  for (let m = re.exec(header); m; m = re.exec(header)) out.push(m[2].replace(/\\(.)/g, "$1"));
  return out;
}

/**
 * The error for a non-2xx response: the Status the server sent, or one invented from the
 * code as client-go does (`the server could not find the requested resource (get pods web)`).
 */
/**
 * Makes an error without capturing a stack trace: an answer from the server has no useful
 * stack on this side, and controllers meet conflicts and not-founds by the thousand.
 */
function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export function errorFromResponse(res: ApiResponse, method: string, ctx: Ctx = {}): ApiError {
  const body = res.body ?? "";
  try {
    const parsed = JSON.parse(body) as Partial<Status>;
    if (parsed && parsed.kind === "Status" && typeof parsed.code === "number") {
      return withoutStack(() => new ApiError({ apiVersion: "v1", metadata: {}, status: "Failure", ...parsed } as Status));
    }
  } catch {
    // not JSON: fall through to an invented Status
  }
  const isText = (res.headers["content-type"] ?? "").startsWith("text/plain");
  const serverMessage = isText ? body.slice(0, 2048).trim() : "unknown";
  const code = res.status;
  let reason: string | undefined = "Unknown";
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 409: reason = method === "POST" ? "AlreadyExists" : "Conflict"; message = "the server reported a conflict"; break;
    case 404: reason = "NotFound"; message = "the server could not find the requested resource"; break;
    case 400: reason = "BadRequest"; message = "the server rejected our request for an unknown reason"; break;
    case 401: reason = "Unauthorized"; message = "the server has asked for the client to provide credentials"; break;
    case 403: reason = "Forbidden"; message = serverMessage; break;
    case 406: reason = "NotAcceptable";
      message = serverMessage === "" || serverMessage === "unknown"
        ? "the server was unable to respond with a content type that the client supports" : serverMessage;
      break;
    case 415: reason = "UnsupportedMediaType"; message = serverMessage; break;
    case 405: reason = "MethodNotAllowed"; message = "the server does not allow this method on the requested resource"; break;
    case 422: reason = "Invalid"; message = "the server rejected our request due to an error in our request"; break;
    case 503: reason = "ServiceUnavailable"; message = "the server is currently unable to handle the request"; break;
    case 504: reason = "Timeout";
      message = "the server was unable to return a response in the time allotted, but may still be processing the request"; break;
    case 429: reason = "TooManyRequests"; message = "the server has received too many requests and has asked us to try again later"; break;
    default:
      if (code >= 500) {
        reason = "InternalError";
        message = `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`;
      }
  }
  const verb = method.toLowerCase();
  if (ctx.ref) message += ctx.name ? ` (${verb} ${qualifiedResource(ctx.ref)} ${ctx.name})` : ` (${verb} ${qualifiedResource(ctx.ref)})`;
  const details = {
    ...(ctx.name ? { name: ctx.name } : {}),
    ...(ctx.ref ? { ...(ctx.ref.group ? { group: ctx.ref.group } : {}), kind: ctx.ref.resource } : {}),
    causes: [{ reason: "UnexpectedServerResponse", message: serverMessage }],
  };
  return withoutStack(() => new ApiError(failure(code, reason, message, details)));
}

function parseJson<T>(res: ApiResponse): T {
  try {
    return JSON.parse(res.body ?? "") as T;
  } catch (e) {
    throw new CliError(`couldn't get version/kind; json parse error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const isAbort = (e: unknown): boolean => e instanceof Error && (e.name === "AbortError" || (e as { code?: string }).code === "ABORT_ERR");

/**
 * The source's next result, or "aborted" once `signal` aborts. The abort listener lives for this
 * one step: racing every step against one promise that stays pending for the whole watch would
 * leave a reaction on it per step, each holding that step's chunk, for as long as the watch runs.
 */
function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T> | "aborted"> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve("aborted");
    signal.addEventListener("abort", onAbort, { once: true });
    it.next().then(
      (r) => { signal.removeEventListener("abort", onAbort); resolve(r); },
      (e: unknown) => { signal.removeEventListener("abort", onAbort); reject(e); },
    );
  });
}

/** Iterates `source` until it ends or `signal` aborts (then returns quietly and closes the source). */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncIterable<T> {
  const it = source[Symbol.asyncIterator]();
  if (!signal) {
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } finally {
      await it.return?.();
    }
    return;
  }
  let finished = false;
  try {
    for (;;) {
      if (signal.aborted) return;
      let r: IteratorResult<T> | "aborted";
      try {
        r = await nextOrAbort(it, signal);
      } catch (e) {
        if (signal.aborted) return;
        throw e;
      }
      if (r === "aborted") return;
      if (r.done) { finished = true; return; }
      yield r.value;
    }
  } finally {
    // A pending next() may never settle on an aborted source; don't wait for return() either.
    if (!finished) void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

/** Decodes newline-delimited watch events from text chunks split anywhere. */
export async function* decodeWatchEvents<T = ApiObject>(chunks: AsyncIterable<string> | Iterable<string>): AsyncIterable<WatchEvent<T>> {
  let buf = "";
  const decode = (line: string): WatchEvent<T> => {
    let ev: WatchEvent<T>;
    try {
      ev = JSON.parse(line) as WatchEvent<T>;
    } catch (e) {
      throw new CliError(`unable to decode an event from the watch stream: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (ev.type === "ERROR") {
      const obj = ev.object as unknown as Partial<Status> | undefined;
      if (obj?.kind === "Status" && typeof obj.code === "number")
        throw new ApiError({ apiVersion: "v1", metadata: {}, status: "Failure", ...obj } as Status);
      throw new ApiError(failure(500, "InternalError", `an error on the server has ended the watch: ${JSON.stringify(obj)}`));
    }
    return ev;
  };
  for await (const chunk of chunks) {
    buf += chunk;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield decode(line);
      nl = buf.indexOf("\n");
    }
  }
  const rest = buf.trim();
  if (rest) yield decode(rest);
}

/** A Table built from a plain object or list, for servers that do not print server-side. */
function tableFromPlain(body: ApiObject | ApiList): Table {
  const items = Array.isArray((body as ApiList).items) ? (body as ApiList).items : [body as ApiObject];
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: (body as ApiList).metadata?.resourceVersion },
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace.", priority: 0 },
      { name: "Created At", type: "date", format: "", description: "CreationTimestamp is a timestamp representing the server time when this object was created.", priority: 0 },
    ],
    rows: items.map((o) => ({
      cells: [o.metadata?.name ?? "", o.metadata?.creationTimestamp ?? ""],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata ?? {} },
    })),
  };
}

interface DiscoveryGroup { name: string; versions: string[] }

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const isAggregated = (res: ApiResponse): boolean => {
  const ct = (res.headers["content-type"] ?? "").toLowerCase().replace(/\s+/g, "");
  return ct.includes("as=apigroupdiscoverylist") && ct.includes("g=apidiscovery.k8s.io");
};

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  singularResource?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string }[];
}

function fromAggregated(body: { items?: { metadata?: { name?: string }; versions?: { version: string; resources?: AggregatedResource[] }[] }[] }): ResourceRef[] {
  const refs: ResourceRef[] = [];
  for (const g of body.items ?? []) {
    const group = g.metadata?.name ?? "";
    for (const v of g.versions ?? []) {
      for (const r of v.resources ?? []) {
        refs.push({
          resource: r.resource, kind: r.responseKind?.kind ?? "", group, version: v.version,
          namespaced: r.scope === "Namespaced", singular: r.singularResource ?? "",
          short: r.shortNames ?? [], categories: r.categories ?? [], verbs: r.verbs ?? [],
          subresources: (r.subresources ?? []).map((s) => s.subresource).filter((s) => KNOWN_SUBRESOURCES.has(s)) as Subresource[],
        });
      }
    }
  }
  return refs;
}

interface LegacyResource {
  name: string; singularName?: string; namespaced: boolean; kind: string;
  verbs?: string[]; shortNames?: string[]; categories?: string[];
}

function fromResourceList(group: string, version: string, body: { resources?: LegacyResource[] }): ResourceRef[] {
  const refs = new Map<string, ResourceRef>();
  const subs: [string, string][] = [];
  for (const r of body.resources ?? []) {
    const slash = r.name.indexOf("/");
    if (slash >= 0) { subs.push([r.name.slice(0, slash), r.name.slice(slash + 1)]); continue; }
    refs.set(r.name, {
      resource: r.name, kind: r.kind, group, version, namespaced: r.namespaced,
      singular: r.singularName || r.kind.toLowerCase(), short: r.shortNames ?? [],
      categories: r.categories ?? [], verbs: r.verbs ?? [], subresources: [],
    });
  }
  for (const [parent, sub] of subs) {
    const ref = refs.get(parent);
    if (ref && KNOWN_SUBRESOURCES.has(sub)) ref.subresources!.push(sub as Subresource);
  }
  return [...refs.values()];
}

/** The first ref `word` names: plural or singular first, then short names, then kinds. */
export function matchResource(refs: readonly ResourceRef[], word: string): ResourceRef | undefined {
  const w = word.toLowerCase();
  const dot = w.indexOf(".");
  const name = dot < 0 ? w : w.slice(0, dot);
  const qual = dot < 0 ? undefined : w.slice(dot + 1);
  const inGroup = (r: ResourceRef): boolean =>
    qual === undefined || qual === r.group.toLowerCase() || qual === `${r.version}.${r.group}`.toLowerCase();
  const tests: ((r: ResourceRef) => boolean)[] = [
    (r) => r.resource.toLowerCase() === name || (r.singular ?? "").toLowerCase() === name,
    (r) => (r.short ?? []).some((s) => s.toLowerCase() === name),
    (r) => r.kind.toLowerCase() === name,
  ];
  for (const t of tests) {
    const hit = refs.find((r) => inGroup(r) && t(r));
    if (hit) return hit;
  }
  return undefined;
}

/**
 * An ApiClient over `transport`. Every method throws ApiError for an error response (the
 * server's Status, or one invented from the code), ConnectionError when the server is
 * unreachable, CliError for an unusable answer. Discovery is fetched once per client.
 */
export function createApiClient(transport: Transport, opts: ApiClientOptions): ApiClient {
  const userAgent = opts.userAgent ?? "skiff";
  let discovery: Promise<ResourceRef[]> | undefined;

  async function send(req: ApiRequest, ctx: Ctx = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: JSON_TYPE, "user-agent": userAgent, ...(req.headers ?? {}) };
    const res = await transport.request({ ...req, headers });
    if (opts.onWarning) for (const w of parseWarnings(res.headers.warning)) opts.onWarning(w);
    if (res.status < 200 || res.status >= 300) {
      if (res.body === undefined && res.stream) {
        let text = "";
        for await (const chunk of res.stream) text += chunk;
        res.body = text;
      }
      throw errorFromResponse(res, req.method, ctx);
    }
    return res;
  }

  const call = async <T>(req: ApiRequest, ctx: Ctx = {}): Promise<T> => parseJson<T>(await send(req, ctx));

  const nsFor = (ref: ResourceRef, ns: string | undefined, obj?: ApiObject): string | undefined =>
    (ref.namespaced ? ns ?? obj?.metadata?.namespace ?? opts.namespace : undefined);

  const writeBody = (obj: ApiObject): { body: string; headers: Record<string, string> } =>
    ({ body: JSON.stringify(obj), headers: { "content-type": JSON_TYPE } });

  async function fetchDiscovery(): Promise<ResourceRef[]> {
    const get = (path: string, accept = JSON_TYPE): Promise<ApiResponse> =>
      send({ method: "GET", path, headers: { accept } });
    const refs: ResourceRef[] = [];
    // A 404 on /api is tolerated (group-only servers); /apis must answer.
    let core: ApiResponse | undefined;
    try {
      core = await get("/api", DISCOVERY_ACCEPT);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
    if (core && isAggregated(core)) refs.push(...fromAggregated(parseJson(core)));
    else if (core) {
      const versions = parseJson<{ versions?: string[] }>(core).versions ?? [];
      const lists = await Promise.all(versions.map((v) =>
        get(`/api/${v}`).then((r) => fromResourceList("", v, parseJson(r)), () => [] as ResourceRef[])));
      refs.push(...lists.flat());
    }
    const groups = await get("/apis", DISCOVERY_ACCEPT);
    if (isAggregated(groups)) refs.push(...fromAggregated(parseJson(groups)));
    else {
      const list = parseJson<{ groups?: { name: string; versions?: { version: string }[]; preferredVersion?: { version: string } }[] }>(groups);
      const wanted: DiscoveryGroup[] = (list.groups ?? []).map((g) => {
        const all = (g.versions ?? []).map((v) => v.version);
        const preferred = g.preferredVersion?.version;
        return { name: g.name, versions: preferred ? [preferred, ...all.filter((v) => v !== preferred)] : all };
      });
      // Matches kubectl: a group-version that fails (an unavailable aggregated API) is skipped.
      const lists = await Promise.all(wanted.flatMap((g) => g.versions.map((v) =>
        get(`/apis/${g.name}/${v}`).then((r) => fromResourceList(g.name, v, parseJson(r)), () => [] as ResourceRef[]))));
      refs.push(...lists.flat());
    }
    return refs;
  }

  const discovered = (): Promise<ResourceRef[]> => {
    discovery ??= fetchDiscovery().catch((e: unknown) => { discovery = undefined; throw e; });
    return discovery;
  };

  async function listPages<T>(ref: ResourceRef, ns: string | undefined, o: ListOptions, accept: string,
    extra: Record<string, string>, merge: (acc: T, page: T) => void, contOf: (page: T) => string | undefined): Promise<T> {
    let cont = o.continue;
    let acc: T | undefined;
    for (;;) {
      const q = query({
        labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit ?? DEFAULT_CHUNK_SIZE,
        continue: cont,
        // The server refuses resourceVersion together with continue.
        resourceVersion: cont ? undefined : o.resourceVersion,
        ...extra,
      });
      const page = await call<T>({ method: "GET", path: resourcePath(ref, ns), query: q, headers: { accept } }, { ref });
      if (acc === undefined) acc = page; else merge(acc, page);
      cont = contOf(page);
      if (o.onePage || !cont) return acc;
    }
  }

  const client: ApiClient = {
    server: opts.server,
    namespace: opts.namespace,

    async resolve(word) {
      const own = resolveResource(word);
      if (own) return own;
      const hit = matchResource(await discovered(), word);
      if (hit) return hit;
      throw new CliError(`the server doesn't have a resource type "${word}"`);
    },

    async resolveKind(apiVersion, kind) {
      const own = infoForKind(apiVersion, kind);
      if (own) return own;
      const { group, version } = splitApiVersion(apiVersion);
      const hit = (await discovered()).find((r) => r.kind === kind && r.group === group && r.version === version);
      if (hit) return hit;
      throw new CliError(`no matches for kind "${kind}" in version "${apiVersion}"`);
    },

    async discover() {
      return [...(await discovered())];
    },

    version() {
      return call<Record<string, string>>({ method: "GET", path: "/version" });
    },

    async get(r, ns, name) {
      const ref = refOf(r);
      return call({ method: "GET", path: resourcePath(ref, nsFor(ref, ns), name) }, { ref, name });
    },

    async list(r, ns, o = {}) {
      const ref = refOf(r);
      const list = await listPages<ApiList<ObjOf<typeof r>>>(ref, ref.namespaced ? ns : undefined, o, JSON_TYPE, {},
        (acc, page) => { acc.items.push(...(page.items ?? [])); acc.metadata = { ...page.metadata, resourceVersion: acc.metadata.resourceVersion }; },
        (page) => page.metadata?.continue || undefined);
      list.items ??= [];
      list.metadata ??= {};
      if (!o.onePage) { delete list.metadata.continue; delete list.metadata.remainingItemCount; }
      return list;
    },

    async table(r, ns, o = {}) {
      const ref = refOf(r);
      const extra = query({ includeObject: o.includeObject });
      if (o.name !== undefined) {
        const body = await call<Table | ApiObject>({
          method: "GET", path: resourcePath(ref, nsFor(ref, ns), o.name), query: extra, headers: { accept: TABLE_ACCEPT },
        }, { ref, name: o.name });
        return body.kind === "Table" ? body as Table : tableFromPlain(body as ApiObject);
      }
      const first = await listPages<Table | ApiList>(ref, ref.namespaced ? ns : undefined, o, TABLE_ACCEPT, extra,
        (acc, page) => {
          if (acc.kind === "Table" && page.kind === "Table") (acc as Table).rows.push(...((page as Table).rows ?? []));
          else if (acc.kind !== "Table" && page.kind !== "Table") (acc as ApiList).items.push(...((page as ApiList).items ?? []));
          acc.metadata = { ...page.metadata, resourceVersion: acc.metadata?.resourceVersion };
        },
        (page) => page.metadata?.continue || undefined);
      const table = first.kind === "Table" ? first as Table : tableFromPlain(first as ApiList);
      table.rows ??= [];
      table.metadata ??= {};
      if (!o.onePage) { delete table.metadata.continue; delete table.metadata.remainingItemCount; }
      return table;
    },

    async create(r, ns, obj, o) {
      const ref = refOf(r);
      return call({ method: "POST", path: resourcePath(ref, nsFor(ref, ns, obj)), query: writeQuery(o), ...writeBody(obj) },
        { ref, name: obj.metadata?.name });
    },

    async update(r, ns, obj, o) {
      const ref = refOf(r);
      const name = obj.metadata?.name ?? "";
      return call({ method: "PUT", path: resourcePath(ref, nsFor(ref, ns, obj), name), query: writeQuery(o), ...writeBody(obj) },
        { ref, name });
    },

    async updateStatus(r, ns, obj, o) {
      const ref = refOf(r);
      const name = obj.metadata?.name ?? "";
      return call({ method: "PUT", path: resourcePath(ref, nsFor(ref, ns, obj), name, "status"), query: writeQuery(o), ...writeBody(obj) },
        { ref, name });
    },

    async patch(r, ns, name, type, patch, o = {}) {
      const ref = refOf(r);
      const q = { ...writeQuery(o), ...query({ force: o.force ? "true" : undefined }) };
      return call({
        method: "PATCH", path: resourcePath(ref, nsFor(ref, ns), name, o.subresource), query: q,
        headers: { "content-type": PATCH_TYPES[type] },
        body: typeof patch === "string" ? patch : JSON.stringify(patch),
      }, { ref, name });
    },

    async delete(r, ns, name, o = {}) {
      const ref = refOf(r);
      const body: Record<string, unknown> = {};
      if (o.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
      if (o.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
      if (o.preconditions) body.preconditions = o.preconditions;
      const hasBody = Object.keys(body).length > 0;
      return call<ApiObject>({
        method: "DELETE", path: resourcePath(ref, nsFor(ref, ns), name), query: query({ dryRun: o.dryRun ? "All" : undefined }),
        ...(hasBody ? { body: JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", ...body }), headers: { "content-type": JSON_TYPE } } : {}),
      }, { ref, name });
    },

    watch(r, ns, o = {}) {
      const ref = refOf(r);
      const q = query({
        watch: "true", resourceVersion: o.resourceVersion, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector,
        allowWatchBookmarks: o.allowWatchBookmarks ? "true" : undefined, timeoutSeconds: o.timeoutSeconds,
      });
      return (async function* () {
        let res: ApiResponse;
        try {
          res = await send({
            method: "GET", path: resourcePath(ref, ref.namespaced ? ns : undefined), query: q,
            headers: { accept: o.table ? TABLE_ACCEPT : JSON_TYPE }, signal: o.signal,
          }, { ref });
        } catch (e) {
          if (o.signal?.aborted && isAbort(e)) return;
          throw e;
        }
        const chunks = res.stream ? untilAborted(res.stream, o.signal) : [res.body ?? ""];
        yield* decodeWatchEvents(chunks) as AsyncIterable<WatchEvent<ObjOf<typeof r>>>;
      })();
    },

    async getSubresource(r, ns, name, sub) {
      const ref = refOf(r);
      return call({ method: "GET", path: resourcePath(ref, nsFor(ref, ns), name, sub) }, { ref, name });
    },

    async putSubresource(r, ns, name, sub, body) {
      const ref = refOf(r);
      return call({ method: "PUT", path: resourcePath(ref, nsFor(ref, ns, body), name, sub), ...writeBody(body) }, { ref, name });
    },

    async postSubresource(r, ns, name, sub, body) {
      const ref = refOf(r);
      return call({ method: "POST", path: resourcePath(ref, nsFor(ref, ns, body), name, sub), ...writeBody(body) }, { ref, name });
    },

    async logs(ns, pod, o = {}) {
      const ref = infoOf("pods");
      const q = query({
        container: o.container, follow: o.follow ? "true" : undefined, previous: o.previous ? "true" : undefined,
        tailLines: o.tailLines, timestamps: o.timestamps ? "true" : undefined, sinceSeconds: o.sinceSeconds, limitBytes: o.limitBytes,
      });
      let res: ApiResponse;
      try {
        res = await send({
          method: "GET", path: resourcePath(ref, ns, pod, "log"), query: q,
          headers: { accept: "application/json, */*" }, signal: o.signal,
        }, { ref, name: pod });
      } catch (e) {
        if (o.follow && o.signal?.aborted && isAbort(e)) return (async function* () { /* aborted before it began */ })();
        throw e;
      }
      if (!o.follow) {
        if (res.body !== undefined || !res.stream) return res.body ?? "";
        let text = "";
        for await (const chunk of untilAborted(res.stream, o.signal)) text += chunk;
        return text;
      }
      if (res.stream) return untilAborted(res.stream, o.signal);
      const whole = res.body ?? "";
      return (async function* () { if (whole) yield whole; })();
    },

    raw(req) {
      return transport.request({ ...req, headers: { "user-agent": userAgent, ...(req.headers ?? {}) } });
    },
  };
  return client;
}
