// The generic registry: get/list/create/update/patch/delete and subresources for every row of the resource table, over a Store.
import { randomUUID } from "node:crypto";
import {
  ApiError, alreadyExists, badRequest, conflict, failure, fieldForbidden, fieldInvalid, fieldNotSupported,
  fieldRequired, forbidden, gone, internalError, invalid, notFound, type FieldError,
} from "../../api/errors.ts";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "../../api/patch.ts";
import { apiVersionOf, infoOf, RESOURCE_NAMES, RESOURCES, type Resource, type ResourceInfo } from "../../api/resources.ts";
import {
  labelSelectorString, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, selectorFromSet,
  SelectorError, type LabelSelector,
} from "../../api/selectors.ts";
import type { ApiObject, Labels, Pod, Scale, Status } from "../../api/types.ts";
import { StoreError, type Store } from "../storage/store.ts";
import type { Admission, Strategy, StrategyContext } from "./strategy.ts";
import type { PatchType } from "./content.ts";
import { collectionKey, objectKey } from "./routes.ts";
import { deepCopy } from "../../api/copy.ts";

export interface RegistryDeps {
  store: Store;
  clock: { now(): Date };
  random: () => number;
  /** Per-resource strategies; a resource without one gets no defaulting and no validation beyond names. */
  strategies: Partial<Record<string, Strategy>>;
  /** Told when a namespace enters Terminating, so its content can be purged. */
  onNamespaceTerminating?: (name: string) => void;
}

export interface WriteOptions {
  dryRun: boolean;
}

export interface PatchOptions extends WriteOptions {
  fieldManager?: string;
  force?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  filter: ObjectFilter;
  limit?: number;
  continueToken?: string;
}

export interface ListPage {
  items: ApiObject[];
  rev: number;
  continueToken?: string;
  remainingItemCount?: number;
}

/** An object filter built from label and field selectors; `trivial` when it selects everything. */
export interface ObjectFilter {
  (obj: ApiObject): boolean;
  trivial: boolean;
}

/** Result of a write: the object to return, and whether it was created (201). */
export interface WriteResult {
  object: ApiObject;
  created: boolean;
}

/** Result of a delete: the object's last state, and whether it is gone (false: it lingers). */
export interface DeleteResult {
  object: ApiObject;
  gone: boolean;
}

/** Built-in namespaces kube-apiserver refuses to delete. */
export const IMMORTAL_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

/** Kinds whose DELETE answers with the object rather than a Status (as their upstream registries do). */
const RETURNS_DELETED_OBJECT = new Set(["pods", "services", "namespaces"]);

const GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
const MAX_GENERATED_NAME_BASE = 58;
const UPDATE_RETRIES = 8;

/** `pods` for the core group, `deployments.apps` otherwise: the resource word in messages. */
export function qualifiedResource(info: ResourceInfo): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}

/** `Pod` for the core group, `Deployment.apps` otherwise: the kind word in Invalid messages. */
export function qualifiedKind(info: ResourceInfo): string {
  return info.group ? `${info.kind}.${info.group}` : info.kind;
}

/** A shallow copy of obj with kind and apiVersion first, as every response carries them. */
export function withTypeMeta(info: ResourceInfo, obj: ApiObject): ApiObject {
  const { kind: _k, apiVersion: _a, ...rest } = obj;
  return { kind: info.kind, apiVersion: apiVersionOf(info), ...rest } as ApiObject;
}

/** RFC 3339 UTC with whole seconds, as metav1.Time marshals. */
export function wholeSeconds(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Whether DELETE on this resource answers with the object (true) or a Status Success (false). */
export function returnsDeletedObject(info: ResourceInfo): boolean {
  return RETURNS_DELETED_OBJECT.has(info.resource) && info.group === "";
}

/** Status Success for a delete that does not return the object. */
export function deleteSuccess(info: ResourceInfo, obj: ApiObject): Status {
  const details: Status["details"] = { name: obj.metadata.name, kind: info.resource };
  if (info.group) details.group = info.group;
  if (obj.metadata.uid) details.uid = obj.metadata.uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details, code: 200 } as Status;
}

/**
 * Builds the filter for labelSelector and fieldSelector strings. Field labels are checked
 * against metadata.name, metadata.namespace (namespaced kinds) and the row's `fields`;
 * anything else is a 400 with kube-apiserver's message. Bad selector syntax → 400.
 */
export function buildFilter(info: ResourceInfo, labelSelector?: string, fieldSelector?: string, name?: string): ObjectFilter {
  let labels: LabelSelector | undefined;
  let fields = parseFields(fieldSelector);
  try {
    if (labelSelector) labels = parseLabelSelector(labelSelector);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
  for (const r of fields) {
    const supported = r.field === "metadata.name" || (r.field === "metadata.namespace" && info.namespaced) || Object.hasOwn(info.fields, r.field);
    if (!supported) {
      throw badRequest(Object.keys(info.fields).length > 0
        ? `field label not supported: ${r.field}`
        : `"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
  }
  // A single-object watch (GET …/pods/web?watch=1) is a watch with metadata.name=web.
  if (name !== undefined) fields = [...fields, { field: "metadata.name", op: "=", value: name }];
  const get = (o: ApiObject) => (field: string): string | undefined => {
    if (field === "metadata.name") return o.metadata.name ?? "";
    if (field === "metadata.namespace") return o.metadata.namespace ?? "";
    const f = info.fields[field];
    return f ? f(o) : undefined;
  };
  const filter = ((o: ApiObject) =>
    (!labels || matchesLabels(labels, o.metadata.labels)) && (fields.length === 0 || matchesFields(fields, get(o)))) as ObjectFilter;
  filter.trivial = (!labels || labels.requirements.length === 0) && fields.length === 0;
  return filter;
}

function parseFields(s: string | undefined): ReturnType<typeof parseFieldSelector> {
  if (!s) return [];
  try {
    return parseFieldSelector(s);
  } catch (e) {
    if (e instanceof SelectorError) throw badRequest(e.message);
    throw e;
  }
}

/** The continue token: base64 of {rv, start}, where start is the last key served. */
interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: "skiff/1", rv: t.rv, start: t.start })).toString("base64url");
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, "base64url").toString("utf8")) as { v?: string; rv?: unknown; start?: unknown };
    if (t.v === "skiff/1" && typeof t.rv === "number" && typeof t.start === "string") return { rv: t.rv, start: t.start };
  } catch {
    // falls through to the 400 below
  }
  throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

function withoutRv(o: ApiObject): ApiObject {
  const { resourceVersion: _rv, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

const clone = deepCopy;

function rvOf(o: ApiObject): number {
  return Number(o.metadata.resourceVersion ?? 0);
}

/** The label-selector string of a scale target: a map (RC) or a LabelSelector (apps/v1). */
function selectorString(sel: unknown): string {
  if (!isObject(sel)) return "";
  if (!("matchLabels" in sel) && !("matchExpressions" in sel)) return labelSelectorString(selectorFromSet(sel as Labels));
  const parts: string[] = [];
  const ml = isObject(sel.matchLabels) ? (sel.matchLabels as Labels) : {};
  const reqs = selectorFromSet(ml).requirements.map((r) => ({ key: r.key, text: `${r.key}=${r.values[0]}` }));
  for (const e of Array.isArray(sel.matchExpressions) ? sel.matchExpressions as { key: string; operator: string; values?: string[] }[] : []) {
    const values = [...(e.values ?? [])].sort().join(",");
    const text = e.operator === "In" ? `${e.key} in (${values})` : e.operator === "NotIn" ? `${e.key} notin (${values})`
      : e.operator === "Exists" ? e.key : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of reqs) parts.push(r.text);
  return parts.join(",");
}

type UpdateMode = "main" | "status" | "raw";

/**
 * The generic registry. Every method throws ApiError (404, 409, 422, …) with kube-apiserver's
 * wording; none retains the objects handed in. `dryRun` runs the whole pipeline and writes nothing.
 */
export class Registry {
  private readonly store: Store;
  private readonly deps: RegistryDeps;

  constructor(deps: RegistryDeps) {
    this.deps = deps;
    this.store = deps.store;
  }

  private strategy(r: string): Strategy {
    return this.deps.strategies[r] ?? { validate: () => [] };
  }

  private ctx(): StrategyContext {
    return { now: this.deps.clock.now(), random: this.deps.random };
  }

  /** The strategy's admission hook (services: IP and node port allocation), if it has one. */
  private async admit(r: Resource, obj: ApiObject, prev: ApiObject | undefined, dryRun: boolean): Promise<Admission | undefined> {
    const hook = this.strategy(r).admit;
    if (!hook) return undefined;
    return (await hook(obj, prev, { ...this.ctx(), dryRun })) ?? undefined;
  }

  /** Maps storage errors to Status errors about this object. */
  private storeError(e: unknown, info: ResourceInfo, name: string): unknown {
    if (!(e instanceof StoreError)) return e instanceof ApiError ? e : internalError(e);
    switch (e.code) {
      case "exists": return alreadyExists(qualifiedResource(info), name);
      case "notfound": return notFound(qualifiedResource(info), name);
      case "conflict": return conflict(qualifiedResource(info), name);
      case "compacted": return gone(e.message);
    }
  }

  /** GET one object. */
  get(r: Resource, ns: string | undefined, name: string): ApiObject {
    const info = infoOf(r);
    const obj = this.store.get(objectKey(r, ns, name));
    if (!obj) throw notFound(qualifiedResource(info), name);
    return withTypeMeta(info, obj);
  }

  /**
   * LIST a collection (ns undefined: all namespaces or cluster-scoped), filtered, paginated.
   * Continue tokens carry the first page's revision and the last key served; later pages are
   * read from current data (not a true snapshot) and keep reporting that revision. A token
   * whose revision the store no longer retains history for → 410 Expired.
   */
  list(r: Resource, ns: string | undefined, opts: ListOptions): ListPage {
    const info = infoOf(r);
    const prefix = collectionKey(r, info.namespaced ? ns : undefined);
    let start = "";
    let rev: number | undefined;
    if (opts.continueToken) {
      const t = decodeContinue(opts.continueToken);
      if (t.rv < this.store.oldestRev() - 1) {
        throw gone("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
      }
      start = t.start;
      rev = t.rv;
    }
    const listed = this.store.list(prefix);
    rev ??= listed.rev;
    const items: ApiObject[] = [];
    let lastKey = "";
    let remaining = 0;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    for (const o of listed.items) {
      const key = objectKey(r, info.namespaced ? o.metadata.namespace : undefined, o.metadata.name ?? "");
      if (start && key <= start) continue;
      if (!opts.filter(o)) continue;
      if (items.length >= limit) {
        remaining++;
        continue;
      }
      items.push(withTypeMeta(info, o));
      lastKey = key;
    }
    const page: ListPage = { items, rev };
    if (remaining > 0) {
      page.continueToken = encodeContinue({ rv: rev, start: lastKey });
      // Upstream only knows the count when no selector filters the list.
      if (opts.filter.trivial) page.remainingItemCount = remaining;
    }
    return page;
  }

  /** Checks kind/apiVersion of a request body against the row. */
  private checkTypeMeta(info: ResourceInfo, body: unknown): asserts body is ApiObject {
    if (!isObject(body)) throw badRequest(`the body of the request could not be decoded as a ${info.kind}`);
    const kind = body.kind;
    const apiVersion = body.apiVersion;
    const gv = apiVersionOf(info);
    if (kind !== undefined && kind !== "" && kind !== info.kind) {
      const v = typeof apiVersion === "string" ? apiVersion : gv;
      throw badRequest(`${String(kind)} in version "${v.split("/").pop()}" cannot be handled as a ${info.kind}: no kind "${String(kind)}" is registered for version "${v}"`);
    }
    if (apiVersion !== undefined && apiVersion !== "" && apiVersion !== gv) {
      throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${gv})`);
    }
    if (body.metadata === undefined || body.metadata === null) body.metadata = {};
    if (!isObject(body.metadata)) throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: metadata must be an object`);
  }

  /** 404 when the namespace is missing, 403 when it is terminating (NamespaceLifecycle admission). */
  private checkNamespaceOpen(info: ResourceInfo, ns: string, name: string | undefined): void {
    const nsObj = this.store.get(objectKey("namespaces", undefined, ns));
    if (!nsObj) throw notFound("namespaces", ns);
    const phase = (nsObj as { status?: { phase?: string } }).status?.phase;
    if (phase === "Terminating" || nsObj.metadata.deletionTimestamp) {
      throw forbidden(qualifiedResource(info), name || undefined,
        `unable to create new content in namespace ${ns} because it is being terminated`);
    }
  }

  private generateName(base: string): string {
    let suffix = "";
    for (let i = 0; i < 5; i++) suffix += GENERATE_ALPHABET[Math.floor(this.deps.random() * GENERATE_ALPHABET.length) % GENERATE_ALPHABET.length];
    return base.slice(0, MAX_GENERATED_NAME_BASE) + suffix;
  }

  /**
   * POST: kind/namespace checks, namespace lifecycle, server-owned metadata, generateName,
   * prepareForCreate → validate (422 listing every field) → store (409 if taken).
   */
  async create(r: Resource, ns: string | undefined, body: unknown, opts: WriteOptions): Promise<ApiObject> {
    const info = infoOf(r);
    this.checkTypeMeta(info, body);
    const obj = clone(body) as ApiObject;
    const meta = obj.metadata;
    if (info.namespaced) {
      if (!ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      if (meta.namespace && meta.namespace !== ns) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      meta.namespace = ns;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    if (info.namespaced) this.checkNamespaceOpen(info, ns!, meta.name);
    const generated = !meta.name && !!meta.generateName;
    for (let attempt = 0; ; attempt++) {
      const candidate = clone(obj);
      const m = candidate.metadata;
      if (generated) m.name = this.generateName(meta.generateName!);
      const prepared = this.prepareNew(r, info, candidate);
      const key = objectKey(r, info.namespaced ? ns : undefined, prepared.metadata.name!);
      if (this.store.get(key)) {
        if (generated && attempt < UPDATE_RETRIES) continue;
        throw this.takenError(info, prepared.metadata.name!, generated);
      }
      const admission = await this.admit(r, prepared, undefined, opts.dryRun);
      if (opts.dryRun) {
        admission?.revert();
        return withTypeMeta(info, prepared);
      }
      try {
        return withTypeMeta(info, await this.store.create(key, prepared));
      } catch (e) {
        admission?.revert();
        if (e instanceof StoreError && e.code === "exists") {
          // kube-apiserver retries generated names a few times before giving up
          if (generated && attempt < UPDATE_RETRIES) continue;
          throw this.takenError(info, prepared.metadata.name!, generated);
        }
        throw this.storeError(e, info, prepared.metadata.name!);
      }
    }
  }

  private takenError(info: ResourceInfo, name: string, generated: boolean): ApiError {
    const err = alreadyExists(qualifiedResource(info), name);
    if (generated) err.status.message += ", the server was not able to generate a unique name for the object";
    return new ApiError({ ...err.status });
  }

  /** Server-owned metadata, strategy defaulting and validation of a new object. Mutates and returns obj. */
  private prepareNew(r: Resource, info: ResourceInfo, obj: ApiObject): ApiObject {
    const m = obj.metadata;
    const now = this.deps.clock.now();
    m.uid = randomUUID();
    m.creationTimestamp = wholeSeconds(now);
    m.generation = 1;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    delete m.resourceVersion;
    delete m.selfLink;
    const typed = withTypeMeta(info, obj);
    Object.assign(obj, { kind: typed.kind, apiVersion: typed.apiVersion });
    const strategy = this.strategy(r);
    strategy.prepareForCreate?.(obj, this.ctx());
    const errs = strategy.validate(obj);
    if (!m.name && !errs.some((e) => e.field === "metadata.name")) {
      errs.unshift(fieldRequired("metadata.name", "name or generateName is required"));
    }
    if (errs.length > 0) throw invalid(qualifiedKind(info), m.name ?? "", errs, info.group);
    return withTypeMeta(info, obj);
  }

  /**
   * The read-modify-write loop (GuaranteedUpdate upstream): reads the current object, asks
   * tryUpdate for the next state, applies the mode's strategy hooks and validation, writes
   * with the read revision as precondition, and retries when another writer got in between.
   * A result equal to the current object is not written (same resourceVersion, no event).
   * Objects whose deletion only waited for finalizers are removed once those are gone.
   */
  private async guaranteedUpdate(
    r: Resource, ns: string | undefined, name: string, mode: UpdateMode, opts: WriteOptions,
    tryUpdate: (cur: ApiObject) => ApiObject,
  ): Promise<ApiObject> {
    const info = infoOf(r);
    const key = objectKey(r, ns, name);
    for (let attempt = 0; ; attempt++) {
      const stored = this.store.get(key);
      if (!stored) throw notFound(qualifiedResource(info), name);
      const cur = withTypeMeta(info, stored);
      const next = withTypeMeta(info, clone(tryUpdate(clone(cur))));
      if (!isObject(next.metadata)) next.metadata = {};
      this.prepareUpdate(info, r, next, cur, mode);
      const admission = mode === "main" ? await this.admit(r, next, cur, opts.dryRun) : undefined;
      if (jsonEqual(withoutRv(next), withoutRv(cur)) || opts.dryRun) {
        admission?.revert();
        return jsonEqual(withoutRv(next), withoutRv(cur)) ? cur : next;
      }
      let written: ApiObject;
      try {
        written = await this.store.update(key, next, rvOf(cur));
      } catch (e) {
        admission?.revert();
        if (e instanceof StoreError && e.code === "conflict" && attempt < UPDATE_RETRIES) {
          await nextTurn();
          continue;
        }
        throw this.storeError(e, info, name);
      }
      if (shouldDeleteAfterUpdate(r, written)) {
        try {
          written = await this.store.delete(key, rvOf(written));
        } catch (e) {
          if (!(e instanceof StoreError)) throw this.storeError(e, info, name);
          // someone else changed or removed it meanwhile: their write decides
        }
      }
      return withTypeMeta(info, written);
    }
  }

  /** Carries immutable metadata over and runs the strategy's update hooks and validation for a mode. */
  private prepareUpdate(info: ResourceInfo, r: Resource, next: ApiObject, cur: ApiObject, mode: UpdateMode): void {
    const m = next.metadata;
    const c = cur.metadata;
    m.name = c.name;
    if (info.namespaced) m.namespace = c.namespace;
    else delete m.namespace;
    m.resourceVersion = c.resourceVersion;
    m.uid ||= c.uid;
    for (const f of ["creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] as const) {
      if (c[f] === undefined) delete m[f];
      else (m as Record<string, unknown>)[f] = c[f];
    }
    if (mode === "raw") return;
    const strategy = this.strategy(r);
    if (mode === "status") {
      if (strategy.prepareForStatusUpdate) strategy.prepareForStatusUpdate(next, cur);
      else {
        // only status is taken from the request
        for (const k of Object.keys(next)) if (k !== "status" && k !== "kind" && k !== "apiVersion") delete next[k];
        for (const [k, v] of Object.entries(clone(cur))) if (k !== "status") next[k] = v;
      }
    } else {
      strategy.prepareForUpdate?.(next, cur, this.ctx());
    }
    // Every strategy checks metadata immutability (uid, finalizers while deleting) in validateUpdate.
    const errs = strategy.validateUpdate ? strategy.validateUpdate(next, cur) : strategy.validate(next);
    if (errs.length > 0) throw invalid(qualifiedKind(info), c.name ?? "", errs, info.group);
  }

  /** Checks a body's name and namespace against the URL (400 on mismatch, as upstream's checkName). */
  private checkName(info: ResourceInfo, body: ApiObject, ns: string | undefined, name: string): void {
    const objName = body.metadata.name ?? "";
    if (objName !== name) throw badRequest(`the name of the object (${objName}) does not match the name on the URL (${name})`);
    if (info.namespaced && ns && body.metadata.namespace && body.metadata.namespace !== ns) {
      throw badRequest(`the namespace of the object (${body.metadata.namespace}) does not match the namespace on the URL (${ns})`);
    }
  }

  private checkRv(info: ResourceInfo, body: ApiObject, cur: ApiObject): void {
    const want = body.metadata.resourceVersion;
    if (want && want !== cur.metadata.resourceVersion) throw conflict(qualifiedResource(info), cur.metadata.name ?? "");
  }

  /**
   * PUT. Stale resourceVersion → 409; empty → unconditional. A missing object is created
   * (201) for createOnUpdate kinds when the body has no resourceVersion, else 404.
   */
  async update(r: Resource, ns: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    const info = infoOf(r);
    this.checkTypeMeta(info, body);
    this.checkName(info, body, ns, name);
    if (!this.store.get(objectKey(r, ns, name)) && info.createOnUpdate && !body.metadata.resourceVersion) {
      try {
        return { object: await this.create(r, ns, body, opts), created: true };
      } catch (e) {
        // lost a race with another creator: update what they made
        if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
      }
    }
    const object = await this.guaranteedUpdate(r, ns, name, "main", opts, (cur) => {
      this.checkRv(info, body, cur);
      return body;
    });
    return { object, created: false };
  }

  /** PUT …/status: only status is taken from the body. */
  async updateStatus(r: Resource, ns: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<ApiObject> {
    const info = infoOf(r);
    this.checkTypeMeta(info, body);
    this.checkName(info, body, ns, name);
    return this.guaranteedUpdate(r, ns, name, "status", opts, (cur) => {
      this.checkRv(info, body, cur);
      return body;
    });
  }

  /**
   * PATCH (also of /status). json/merge/strategic patches apply to the current object; apply
   * patches (server-side apply, approximated as a merge of the intent) need a fieldManager and
   * create the object when it is missing (201). A resulting resourceVersion that differs from
   * the current one → 409.
   */
  async patch(r: Resource, ns: string | undefined, name: string, type: PatchType, patch: unknown, opts: PatchOptions, status = false): Promise<WriteResult> {
    const info = infoOf(r);
    if (type === "apply") {
      if (!opts.fieldManager) throw badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
      if (!isObject(patch)) throw badRequest("error decoding YAML: the apply patch must be an object");
      if (!patch.apiVersion) throw badRequest("apiVersion must be set in apply patch");
      if (!patch.kind) throw badRequest("kind must be set in apply patch");
      this.checkTypeMeta(info, patch);
      if (patch.metadata.name && patch.metadata.name !== name) {
        throw badRequest(`the name of the object (${patch.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (!status && !this.store.get(objectKey(r, ns, name))) {
        const intent = clone(patch);
        intent.metadata.name = name;
        try {
          return { object: await this.create(r, ns, intent, opts), created: true };
        } catch (e) {
          if (!(e instanceof ApiError && e.reason === "AlreadyExists")) throw e;
        }
      }
    } else if (type === "json" ? !Array.isArray(patch) : !isObject(patch)) {
      throw badRequest(type === "json"
        ? "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        : "json: cannot unmarshal array into Go value of type map[string]interface {}");
    }
    const object = await this.guaranteedUpdate(r, ns, name, status ? "status" : "main", opts, (cur) => {
      const patched = this.applyPatch(info, cur, type, patch);
      if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
        throw badRequest(`the name of the object (${String(patched.metadata.name)}) does not match the name on the URL (${name})`);
      }
      this.checkRv(info, patched, cur);
      return patched;
    });
    return { object, created: false };
  }

  private applyPatch(info: ResourceInfo, cur: ApiObject, type: PatchType, patch: unknown): ApiObject {
    let out: unknown;
    try {
      if (type === "json") out = applyJsonPatch(cur, patch);
      else if (type === "strategic") out = applyStrategicMergePatch(cur, patch);
      else out = applyMergePatch(cur, patch);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(failure(422, "Invalid", e.message));
      if (e instanceof ApiError) throw e;
      throw badRequest(e instanceof Error ? e.message : String(e));
    }
    if (!isObject(out) || !isObject(out.metadata)) throw new ApiError(failure(422, "Invalid", `${qualifiedKind(info)} "${cur.metadata.name}" is invalid: metadata: Required value`));
    return out as ApiObject;
  }

  /**
   * DELETE one object. Preconditions (uid, resourceVersion) → 409. Bound pods are deleted
   * gracefully (deletionTimestamp = now + grace; a later delete with grace 0 removes them);
   * objects with finalizers linger with deletionTimestamp until an update empties them;
   * namespaces go Terminating and are purged asynchronously. Returns the last state.
   * propagationPolicy (garbage collection): Background deletes at once and leaves dependents
   * to the garbage collector; Foreground and Orphan add the `foregroundDeletion` / `orphan`
   * finalizer (and deletionTimestamp), which the garbage collector removes once dependents are
   * deleted / released. No policy keeps whichever of the two is already there.
   */
  async delete(r: Resource, ns: string | undefined, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    const info = infoOf(r);
    const key = objectKey(r, ns, name);
    validateDeleteOptions(opts);
    for (let attempt = 0; ; attempt++) {
      const stored = this.store.get(key);
      if (!stored) throw notFound(qualifiedResource(info), name);
      const cur = withTypeMeta(info, stored);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw conflict(qualifiedResource(info), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid ?? ""}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw conflict(qualifiedResource(info), name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion ?? ""}`);
      }
      try {
        return r === "namespaces" ? await this.deleteNamespace(cur, opts) : await this.deleteObject(r, info, key, cur, opts);
      } catch (e) {
        if (e instanceof StoreError && e.code === "conflict" && attempt < UPDATE_RETRIES) {
          await nextTurn();
          continue;
        }
        throw this.storeError(e, info, name);
      }
    }
  }

  private async deleteObject(r: Resource, info: ResourceInfo, key: string, cur: ApiObject, opts: DeleteOptions): Promise<DeleteResult> {
    const now = this.deps.clock.now();
    const before = cur.metadata.finalizers ?? [];
    const finalizers = gcFinalizers(before, opts.propagationPolicy ?? defaultPropagation(r, info));
    const changed = finalizers.length !== before.length || finalizers.some((f, i) => f !== before[i]);
    const grace = r === "pods" && info.group === "" ? podGracePeriod(cur as Pod, opts.gracePeriodSeconds) : 0;
    const m = cur.metadata;
    let next: ApiObject | undefined;
    if (grace > 0) {
      const pending = m.deletionGracePeriodSeconds;
      const shorter = !(m.deletionTimestamp && pending !== undefined && pending <= grace);
      if (!shorter && !changed) return { object: cur, gone: false };
      next = clone(cur);
      if (shorter) {
        next.metadata.deletionTimestamp = wholeSeconds(new Date(now.getTime() + grace * 1000));
        next.metadata.deletionGracePeriodSeconds = grace;
      }
    } else if (finalizers.length > 0) {
      if (!changed && m.deletionTimestamp && m.deletionGracePeriodSeconds === 0) return { object: cur, gone: false };
      next = clone(cur);
      next.metadata.deletionTimestamp ??= wholeSeconds(now);
      next.metadata.deletionGracePeriodSeconds = 0;
    }
    if (next) {
      if (finalizers.length > 0) next.metadata.finalizers = finalizers;
      else delete next.metadata.finalizers;
      if (opts.dryRun) return { object: next, gone: false };
      return { object: withTypeMeta(info, await this.store.update(key, next, rvOf(cur))), gone: false };
    }
    if (opts.dryRun) return { object: cur, gone: true };
    return { object: withTypeMeta(info, await this.store.delete(key, rvOf(cur))), gone: true };
  }

  private async deleteNamespace(cur: ApiObject, opts: DeleteOptions): Promise<DeleteResult> {
    const info = infoOf("namespaces");
    const name = cur.metadata.name!;
    if (IMMORTAL_NAMESPACES.has(name)) throw forbidden("namespaces", name, "this namespace may not be deleted");
    if (cur.metadata.deletionTimestamp) {
      throw conflict("namespaces", name,
        "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.");
    }
    const next = clone(cur) as ApiObject & { spec?: { finalizers?: string[] }; status?: { phase?: string } };
    next.metadata.deletionTimestamp = wholeSeconds(this.deps.clock.now());
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(next.status ?? {}), phase: "Terminating" };
    if (opts.dryRun) return { object: next, gone: false };
    const key = objectKey("namespaces", undefined, name);
    if ((next.spec?.finalizers ?? []).length === 0 && (next.metadata.finalizers ?? []).length === 0) {
      return { object: withTypeMeta(info, await this.store.delete(key, rvOf(cur))), gone: true };
    }
    const written = withTypeMeta(info, await this.store.update(key, next, rvOf(cur)));
    this.deps.onNamespaceTerminating?.(name);
    return { object: written, gone: false };
  }

  /** DELETE on a collection: deletes every matching object with the same options; returns their last states. */
  async deleteCollection(r: Resource, ns: string | undefined, filter: ObjectFilter, opts: DeleteOptions): Promise<ApiObject[]> {
    validateDeleteOptions(opts);
    const { items } = this.list(r, ns, { filter });
    const out: ApiObject[] = [];
    for (const o of items) {
      try {
        out.push((await this.delete(r, o.metadata.namespace, o.metadata.name!, opts)).object);
      } catch (e) {
        // already gone, or an immortal namespace: deletecollection skips what it cannot delete
        if (e instanceof ApiError && (e.reason === "NotFound" || e.reason === "Forbidden" || e.reason === "Conflict")) continue;
        throw e;
      }
    }
    return out;
  }

  /** GET …/scale: an autoscaling/v1 Scale built from the object. */
  getScale(r: Resource, ns: string | undefined, name: string): Scale {
    return scaleOf(this.get(r, ns, name));
  }

  /** PUT …/scale: only spec.replicas changes; the Scale's resourceVersion is a precondition on the object. */
  async updateScale(r: Resource, ns: string | undefined, name: string, body: unknown, opts: WriteOptions): Promise<Scale> {
    const info = infoOf(r);
    if (!isObject(body)) throw badRequest("the body of the request could not be decoded as a Scale");
    if (body.kind !== undefined && body.kind !== "Scale") {
      throw badRequest(`${String(body.kind)} in version "v1" cannot be handled as a Scale: no kind "${String(body.kind)}" is registered for version "autoscaling/v1"`);
    }
    const scale = body as unknown as Scale;
    const bodyName = scale.metadata?.name;
    if (bodyName !== undefined && bodyName !== name) {
      throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    }
    const replicas = scale.spec?.replicas;
    const errs: FieldError[] = [];
    if (replicas !== undefined && (typeof replicas !== "number" || !Number.isInteger(replicas))) {
      errs.push(fieldInvalid("spec.replicas", replicas, "must be an integer"));
    } else if (typeof replicas === "number" && replicas < 0) {
      errs.push(fieldInvalid("spec.replicas", replicas, "must be greater than or equal to 0"));
    }
    if (errs.length > 0) throw invalid("Scale.autoscaling", name, errs, "autoscaling");
    const object = await this.guaranteedUpdate(r, ns, name, "main", opts, (cur) => {
      const want = scale.metadata?.resourceVersion;
      if (want && want !== cur.metadata.resourceVersion) throw conflict(qualifiedResource(info), name);
      const next = cur as ApiObject & { spec?: Record<string, unknown> };
      next.spec = { ...(next.spec ?? {}), replicas: replicas ?? 0 };
      return next;
    });
    return scaleOf(object);
  }

  /** PATCH …/scale: the patch applies to the current Scale, then as PUT. */
  async patchScale(r: Resource, ns: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions): Promise<Scale> {
    if (type === "apply") throw new ApiError(failure(415, "UnsupportedMediaType", "apply patches are not supported on the scale subresource"));
    const info = infoOf(r);
    const current = this.getScale(r, ns, name);
    const patched = this.applyPatch(info, current, type, patch);
    return this.updateScale(r, ns, name, patched, opts);
  }

  /**
   * POST pods/{name}/binding: sets spec.nodeName and condition PodScheduled=True.
   * 409 when already bound or being deleted. Returns Status Success (201).
   */
  async bind(ns: string, name: string, body: unknown, opts: WriteOptions): Promise<Status> {
    const info = infoOf("pods");
    if (!isObject(body)) throw badRequest("the body of the request could not be decoded as a Binding");
    if (body.kind !== undefined && body.kind !== "Binding") {
      throw badRequest(`${String(body.kind)} in version "v1" cannot be handled as a Binding: no kind "${String(body.kind)}" is registered for version "v1"`);
    }
    const meta = isObject(body.metadata) ? body.metadata : {};
    if (meta.name !== undefined && meta.name !== name) throw badRequest("name in URL does not match name in Binding object");
    const target = isObject(body.target) ? body.target : {};
    const errs: FieldError[] = [];
    if (target.kind !== undefined && target.kind !== "" && target.kind !== "Node") errs.push(fieldNotSupported("target.kind", target.kind, ["Node", "<empty>"]));
    if (typeof target.name !== "string" || target.name === "") errs.push(fieldRequired("target.name"));
    if (errs.length > 0) throw invalid("Binding", name, errs);
    const node = target.name as string;
    const annotations = isObject(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
    await this.guaranteedUpdate("pods", ns, name, "raw", opts, (cur) => {
      const pod = cur as Pod;
      if (pod.metadata.deletionTimestamp) throw conflict("pods/binding", name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (pod.spec?.nodeName) throw conflict("pods/binding", name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec = { ...pod.spec, nodeName: node };
      if (Object.keys(annotations).length > 0) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...annotations };
      const conditions = [...(pod.status?.conditions ?? [])].filter((c) => c.type !== "PodScheduled");
      conditions.push({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: wholeSeconds(this.deps.clock.now()) });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    }).catch((e: unknown) => {
      throw e instanceof ApiError ? e : this.storeError(e, info, name);
    });
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };
  }

  /**
   * PUT namespaces/{name}/finalize: replaces spec.finalizers; a terminating namespace with no
   * finalizers left is removed.
   */
  async finalizeNamespace(name: string, body: unknown, opts: WriteOptions): Promise<ApiObject> {
    const info = infoOf("namespaces");
    this.checkTypeMeta(info, body);
    this.checkName(info, body, undefined, name);
    const wanted = (body as { spec?: { finalizers?: unknown } }).spec?.finalizers;
    const finalizers = Array.isArray(wanted) ? wanted.filter((f): f is string => typeof f === "string") : [];
    return this.guaranteedUpdate("namespaces", undefined, name, "raw", opts, (cur) => {
      this.checkRv(info, body, cur);
      const next = cur as ApiObject & { spec?: { finalizers?: string[] } };
      next.spec = { ...(next.spec ?? {}), finalizers };
      return next;
    });
  }

  /**
   * One pass of namespace deletion (the namespace controller's job, level-triggered):
   * deletes every namespaced object in a terminating namespace (objects with finalizers get a
   * deletionTimestamp and are waited for), then drops the `kubernetes` finalizer and removes
   * the namespace when no finalizer is left. Returns true when nothing is left to wait for.
   */
  async purgeNamespace(name: string): Promise<boolean> {
    const nsKey = objectKey("namespaces", undefined, name);
    const nsObj = this.store.get(nsKey);
    if (!nsObj || !nsObj.metadata.deletionTimestamp) return true;
    let waiting = 0;
    for (const r of RESOURCE_NAMES) {
      if (!RESOURCES[r].namespaced) continue;
      for (const o of this.store.list(collectionKey(r, name)).items) {
        const key = objectKey(r, name, o.metadata.name ?? "");
        try {
          if ((o.metadata.finalizers ?? []).length > 0) {
            waiting++;
            if (!o.metadata.deletionTimestamp) {
              const next = clone(o);
              next.metadata.deletionTimestamp = wholeSeconds(this.deps.clock.now());
              next.metadata.deletionGracePeriodSeconds = 0;
              await this.store.update(key, next, rvOf(o));
            }
          } else {
            // Pods go at once: a minion that still runs them sees the DELETED event and stops them.
            await this.store.delete(key, rvOf(o));
          }
        } catch (e) {
          if (!(e instanceof StoreError && (e.code === "notfound" || e.code === "conflict"))) throw e;
          waiting++;
        }
      }
    }
    if (waiting > 0) return false;
    const cur = this.store.get(nsKey) as (ApiObject & { spec?: { finalizers?: string[] } }) | undefined;
    if (!cur) return true;
    const specFinalizers = (cur.spec?.finalizers ?? []).filter((f) => f !== "kubernetes");
    try {
      if (specFinalizers.length === 0 && (cur.metadata.finalizers ?? []).length === 0) {
        await this.store.delete(nsKey, rvOf(cur));
        return true;
      }
      if (specFinalizers.length !== (cur.spec?.finalizers ?? []).length) {
        await this.store.update(nsKey, { ...cur, spec: { ...(cur.spec ?? {}), finalizers: specFinalizers } }, rvOf(cur));
      }
    } catch (e) {
      if (!(e instanceof StoreError && (e.code === "notfound" || e.code === "conflict"))) throw e;
      return false;
    }
    return false;
  }
}

/**
 * Waits for the store's pending commits: reads show committed state while conflicts are
 * decided against accepted writes, so a retry in the same turn would only conflict again.
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The deletion that finalizers or a graceful pod delete deferred can happen now. */
function shouldDeleteAfterUpdate(r: Resource, o: ApiObject): boolean {
  const m = o.metadata;
  if (!m.deletionTimestamp || (m.finalizers ?? []).length > 0) return false;
  if (r === "namespaces") return ((o as { spec?: { finalizers?: string[] } }).spec?.finalizers ?? []).length === 0;
  return m.deletionGracePeriodSeconds === 0;
}

/** Finalizers the garbage collector acts on (metav1.FinalizerOrphanDependents, FinalizerDeleteDependents). */
export const FINALIZER_ORPHAN = "orphan";
export const FINALIZER_FOREGROUND = "foregroundDeletion";

/**
 * Replication controllers in core v1 orphan their pods when a DELETE names no policy, as
 * kube-apiserver keeps for backwards compatibility (kubectl always sends one).
 */
function defaultPropagation(r: Resource, info: ResourceInfo): string | undefined {
  return r === "replicationcontrollers" && info.group === "" ? "Orphan" : undefined;
}

/** The finalizers after a delete with this policy (deletionFinalizersForGarbageCollection upstream). */
function gcFinalizers(finalizers: string[], policy: string | undefined): string[] {
  if (policy === undefined) return finalizers;
  const want = policy === "Orphan" ? FINALIZER_ORPHAN : policy === "Foreground" ? FINALIZER_FOREGROUND : undefined;
  const other = policy === "Orphan" ? FINALIZER_FOREGROUND : FINALIZER_ORPHAN;
  if (want && finalizers.includes(want) && !finalizers.includes(other)) return finalizers;
  const rest = finalizers.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === "Orphan") return [...rest, FINALIZER_ORPHAN];
  if (policy === "Foreground") return [...rest, FINALIZER_FOREGROUND];
  return rest;
}

/** Grace period of a pod delete: 0 for unbound or finished pods (deleted at once), else requested or spec default. */
function podGracePeriod(pod: Pod, requested: number | undefined): number {
  if (!pod.spec?.nodeName) return 0;
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return 0;
  if (requested !== undefined && requested >= 0) return requested;
  return pod.spec.terminationGracePeriodSeconds ?? 30;
}

function validateDeleteOptions(opts: DeleteOptions): void {
  const errs: FieldError[] = [];
  const p = opts.propagationPolicy;
  if (p !== undefined && p !== "Orphan" && p !== "Background" && p !== "Foreground") {
    errs.push(fieldNotSupported("propagationPolicy", p, ["Foreground", "Background", "Orphan", "nil"]));
  }
  if (errs.length > 0) throw invalid("DeleteOptions.meta.k8s.io", "", errs, "meta.k8s.io");
}

/** The autoscaling/v1 Scale view of a scalable object (spec.replicas, status.replicas, selector string). */
export function scaleOf(obj: ApiObject): Scale {
  const o = obj as ApiObject & { spec?: { replicas?: number; selector?: unknown }; status?: { replicas?: number } };
  const meta: Scale["metadata"] = {
    name: o.metadata.name,
    namespace: o.metadata.namespace,
    uid: o.metadata.uid,
    resourceVersion: o.metadata.resourceVersion,
    creationTimestamp: o.metadata.creationTimestamp,
  };
  for (const k of Object.keys(meta) as (keyof typeof meta)[]) if (meta[k] === undefined) delete meta[k];
  const status: Scale["status"] = { replicas: o.status?.replicas ?? 0 };
  const selector = selectorString(o.spec?.selector);
  if (selector) status.selector = selector;
  return { kind: "Scale", apiVersion: "autoscaling/v1", metadata: meta, spec: { replicas: o.spec?.replicas ?? 0 }, status };
}

