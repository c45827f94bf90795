// What every controller shares: one informer per resource (a shared informer factory), event
// recorders per component, and the small object helpers the reconcilers have in common.
import { isApiError } from "../../api/errors.ts";
import type { Kinds, Resource } from "../../api/resources.ts";
import type { ApiObject, Labels, OwnerReference } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { realClock, type Clock } from "../../deps.ts";
import { EventRecorder } from "./events.ts";
import { byNamespace, byNodeName, byOwnerUid, createInformer, type Informer } from "./informer.ts";

/** Index names every shared informer has. */
export const BY_NAMESPACE = "namespace";
export const BY_OWNER_UID = "ownerUid";
/** Pods only: by spec.nodeName. */
export const BY_NODE_NAME = "nodeName";

/**
 * One informer per resource for every controller of a manager (client-go's
 * SharedInformerFactory): asking twice for "pods" gives the same informer. Each is indexed
 * by namespace and by owner uid. Nothing lists or watches before `start()`.
 */
export class SharedInformers {
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly informers = new Map<Resource, Informer<ApiObject>>();
  private started = false;

  constructor(client: ApiClient, opts: { clock?: Clock; onError?: (err: unknown) => void } = {}) {
    this.client = client;
    this.clock = opts.clock ?? realClock;
    this.onError = opts.onError;
  }

  /** The informer of a resource, created on first use (and started at once if the factory runs). */
  get<R extends Resource>(resource: R): Informer<Kinds[R]> {
    let inf = this.informers.get(resource);
    if (!inf) {
      inf = createInformer(this.client, resource, { clock: this.clock, onError: this.onError }) as unknown as Informer<ApiObject>;
      inf.addIndex(BY_NAMESPACE, byNamespace).addIndex(BY_OWNER_UID, byOwnerUid);
      if (resource === "pods") inf.addIndex(BY_NODE_NAME, byNodeName as (o: ApiObject) => string[]);
      this.informers.set(resource, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<Kinds[R]>;
  }

  /** Every informer created so far. */
  all(): Informer<ApiObject>[] {
    return [...this.informers.values()];
  }

  /** Starts every informer, and later ones as they are asked for. */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  /** Resolves once every informer named (default: every one created so far) has listed. */
  async synced(resources?: readonly Resource[]): Promise<void> {
    const infs = resources ? resources.map((r) => this.get(r)) : [...this.informers.values()];
    await Promise.all(infs.map((i) => i.synced));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Everything a controller is given. */
export interface ControllerContext {
  client: ApiClient;
  clock: Clock;
  random: () => number;
  informers: SharedInformers;
  /** The recorder of one event source component (one per component, shared). */
  recorder(component: string): EventRecorder;
  /** Told about failures a controller retries anyway (a log line). */
  onError(where: string, err: unknown): void;
}

/** A context over a client, with recorders created on demand. */
export function controllerContext(opts: {
  client: ApiClient; clock?: Clock; random?: () => number; informers?: SharedInformers;
  onError?: (where: string, err: unknown) => void;
}): ControllerContext {
  const clock = opts.clock ?? realClock;
  const onError = opts.onError ?? (() => {});
  const recorders = new Map<string, EventRecorder>();
  return {
    client: opts.client,
    clock,
    random: opts.random ?? Math.random,
    informers: opts.informers ?? new SharedInformers(opts.client, { clock, onError: (e) => onError("informer", e) }),
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder(opts.client, { source: { component }, clock, onError: (e) => onError(`events(${component})`, e) });
        recorders.set(component, r);
      }
      return r;
    },
    onError,
  };
}

/** A controller run by the manager. */
export interface Controller {
  readonly name: string;
  /** The shared informers it reads: it runs once these have listed. */
  readonly resources: readonly Resource[];
  /** Registers handlers and indexes on the shared informers (before they start). */
  register(): void;
  /** Starts processing (the informers have synced). */
  run(): void;
  /** Stops processing; resolves when syncs in flight are done. */
  stop(): Promise<void>;
}

/**
 * Drops the ownerReferences with these uids from obj (as cached). The last one going removes
 * the field (a merge patch guarded by resourceVersion, since it replaces the list); otherwise
 * a strategic patch deletes just those entries. NotFound is fine: nothing left to release.
 */
export async function removeOwnerRefs(client: ApiClient, resource: Resource, obj: ApiObject, uids: string[]): Promise<void> {
  const rest = (obj.metadata.ownerReferences ?? []).filter((o) => !uids.includes(o.uid));
  const patch = rest.length === 0
    ? { type: "merge" as const, body: { metadata: { ownerReferences: null, resourceVersion: obj.metadata.resourceVersion } } }
    : { type: "strategic" as const, body: { metadata: { ownerReferences: uids.map((uid) => ({ $patch: "delete", uid })), uid: obj.metadata.uid } } };
  try {
    await client.patch(resource, obj.metadata.namespace, obj.metadata.name ?? "", patch.type, patch.body);
  } catch (e) {
    if (!isApiError(e, "NotFound")) throw e;
  }
}

/** The `namespace/name` key parts. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The ownerReference with controller: true, if any. */
export function controllerRef(obj: ApiObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((o) => o.controller === true);
}

/** Map-selector match where an empty or missing selector matches nothing (services, RCs). */
export function selects(selector: Labels | undefined, labels: Labels | undefined): boolean {
  let any = false;
  for (const k in selector) {
    any = true;
    if (labels?.[k] !== selector[k]) return false;
  }
  return any;
}

/** metav1.Time's wire form: RFC 3339 in whole seconds. */
export function wireTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

/** Deep equality of JSON values, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && sameJson(ao[k], bo[k]));
}
