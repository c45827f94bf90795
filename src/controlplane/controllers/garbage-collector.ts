// The garbage collector: deletes objects whose owners are gone (Background), deletes an owner's
// dependents before the owner (Foreground, finalizer foregroundDeletion) and releases them
// instead (Orphan, finalizer orphan), following metadata.ownerReferences across every kind.
import { isApiError } from "../../api/errors.ts";
import { infoForKind, RESOURCE_NAMES, RESOURCES, type Resource } from "../../api/resources.ts";
import type { ApiObject, OwnerReference } from "../../api/types.ts";
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from "../apiserver/registry.ts";
import { keyOf } from "./informer.ts";
import { KeyQueue } from "./key-queue.ts";
import { BY_OWNER_UID, removeOwnerRefs, sameJson, splitKey, type Controller, type ControllerContext } from "./shared.ts";

export { FINALIZER_FOREGROUND, FINALIZER_ORPHAN };

export interface GarbageCollectorOptions {
  /** Objects processed at once (--concurrent-gc-syncs, 20). */
  workers?: number;
  /** Kinds to follow (default: every listable, watchable kind of the table except events). */
  resources?: Resource[];
}

/** Every kind the collector follows by default. */
export function gcResources(): Resource[] {
  return RESOURCE_NAMES.filter((r) => {
    if (r === "events") return false;
    const verbs = (RESOURCES[r] as { verbs?: string[] }).verbs;
    return !verbs || (verbs.includes("watch") && verbs.includes("list") && verbs.includes("delete"));
  });
}

const has = (o: ApiObject, f: string): boolean => (o.metadata.finalizers ?? []).includes(f);
const itemKey = (r: Resource, o: ApiObject): string => `${r}|${keyOf(o)}`;

type OwnerState = "solid" | "dangling" | "waiting";

/**
 * The garbage collector. The dependency graph is the informers' owner-uid index; every
 * decision that an owner is gone is confirmed with a live GET first, so a cache that has not
 * caught up never deletes anything.
 */
export class GarbageCollector implements Controller {
  readonly name = "garbage-collector";
  readonly resources: Resource[];
  private readonly ctx: ControllerContext;
  private readonly queue: KeyQueue;
  private readonly early = new Set<string>();
  private started = false;

  constructor(ctx: ControllerContext, opts: GarbageCollectorOptions = {}) {
    this.ctx = ctx;
    this.resources = opts.resources ?? gcResources();
    this.queue = new KeyQueue((key) => this.sync(key), {
      workers: opts.workers ?? 20, clock: ctx.clock,
      onError: (key, err) => ctx.onError(`garbage-collector: processing ${key}`, err),
    });
  }

  register(): void {
    for (const r of this.resources) {
      this.ctx.informers.get(r).addEventHandler({
        onAdd: (o) => { if (this.interesting(o)) this.enqueue(itemKey(r, o)); },
        onUpdate: (old, o) => {
          const deleting = Boolean(o.metadata.deletionTimestamp) !== Boolean(old.metadata.deletionTimestamp)
            || !sameJson(old.metadata.finalizers, o.metadata.finalizers);
          if (deleting || !sameJson(old.metadata.ownerReferences, o.metadata.ownerReferences)) this.enqueue(itemKey(r, o));
          // An owner entering foreground deletion makes its dependents deletable.
          if (deleting && has(o, FINALIZER_FOREGROUND)) this.enqueueDependents(o);
        },
        onDelete: (o) => {
          this.enqueueDependents(o);
          // A dependent gone may unblock an owner waiting in foreground deletion.
          for (const ref of o.metadata.ownerReferences ?? []) {
            const owner = this.cachedOwner(o.metadata.namespace, ref);
            if (owner?.obj.metadata.deletionTimestamp) this.enqueue(itemKey(owner.resource, owner.obj));
          }
        },
      });
    }
  }

  run(): void {
    this.started = true;
    for (const k of this.early) this.queue.add(k);
    this.early.clear();
  }

  async stop(): Promise<void> {
    await this.queue.shutDown();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private interesting(o: ApiObject): boolean {
    return (o.metadata.ownerReferences?.length ?? 0) > 0
      || (Boolean(o.metadata.deletionTimestamp) && (has(o, FINALIZER_ORPHAN) || has(o, FINALIZER_FOREGROUND)));
  }

  private enqueue(key: string): void {
    if (this.started) this.queue.add(key);
    else this.early.add(key);
  }

  /** Every cached object with an ownerReference to this uid, with its resource. */
  private dependents(uid: string | undefined): { resource: Resource; obj: ApiObject }[] {
    if (!uid) return [];
    const out: { resource: Resource; obj: ApiObject }[] = [];
    for (const r of this.resources) for (const obj of this.ctx.informers.get(r).byIndex(BY_OWNER_UID, uid)) out.push({ resource: r, obj });
    return out;
  }

  private enqueueDependents(o: ApiObject): void {
    for (const d of this.dependents(o.metadata.uid)) this.enqueue(itemKey(d.resource, d.obj));
  }

  /** The resource an ownerReference names, if the collector follows it. */
  private resourceOf(ref: OwnerReference): Resource | undefined {
    const info = infoForKind(ref.apiVersion, ref.kind);
    const r = info?.resource as Resource | undefined;
    return r && this.resources.includes(r) ? r : undefined;
  }

  private cachedOwner(ns: string | undefined, ref: OwnerReference): { resource: Resource; obj: ApiObject } | undefined {
    const r = this.resourceOf(ref);
    if (!r) return undefined;
    const key = RESOURCES[r].namespaced && ns ? `${ns}/${ref.name}` : ref.name;
    const obj = this.ctx.informers.get(r).get(key);
    return obj && obj.metadata.uid === ref.uid ? { resource: r, obj } : undefined;
  }

  /** solid (exists, not foreground-deleting), waiting (foreground-deleting) or dangling (gone: confirmed live). */
  private async ownerState(ns: string | undefined, ref: OwnerReference): Promise<OwnerState | undefined> {
    const r = this.resourceOf(ref);
    if (!r) return undefined;              // a kind we cannot look up: leave the reference alone
    let owner = this.cachedOwner(ns, ref)?.obj;
    if (!owner) {
      try {
        const live = await this.ctx.client.get(r, RESOURCES[r].namespaced ? ns : undefined, ref.name);
        owner = live.metadata.uid === ref.uid ? live : undefined;
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
    if (!owner) return "dangling";
    return owner.metadata.deletionTimestamp && has(owner, FINALIZER_FOREGROUND) ? "waiting" : "solid";
  }

  /** One pass over one object (`resource|namespace/name`): its own GC finalizers, then its owners. */
  async sync(item: string): Promise<void> {
    const bar = item.indexOf("|");
    const r = item.slice(0, bar) as Resource;
    const key = item.slice(bar + 1);
    const obj = this.ctx.informers.get(r).get(key);
    if (!obj) return;
    if (obj.metadata.deletionTimestamp) {
      if (has(obj, FINALIZER_ORPHAN)) await this.orphanDependents(r, obj);
      else if (has(obj, FINALIZER_FOREGROUND)) await this.deleteDependentsFirst(r, obj);
    }
    if ((obj.metadata.ownerReferences?.length ?? 0) > 0) await this.attemptToDelete(r, obj);
  }

  private async attemptToDelete(r: Resource, obj: ApiObject): Promise<void> {
    if (obj.metadata.deletionTimestamp && !has(obj, FINALIZER_FOREGROUND)) return;
    const ns = obj.metadata.namespace;
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    let waiting = false;
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const state = await this.ownerState(ns, ref);
      if (state === undefined || state === "solid") solid.push(ref);
      else { gone.push(ref); if (state === "waiting") waiting = true; }
    }
    if (gone.length === 0) return;
    if (solid.length > 0) {
      // Still owned by someone: only drop the references to owners that are gone or going.
      await removeOwnerRefs(this.ctx.client, r, obj, gone.map((g) => g.uid));
      return;
    }
    if (obj.metadata.deletionTimestamp) return;
    // An owner waiting for its dependents and a dependent that has dependents of its own: it
    // too goes in the foreground, so the chain is deleted bottom-up.
    const policy = has(obj, FINALIZER_ORPHAN) ? "Orphan"
      : waiting && this.dependents(obj.metadata.uid).length > 0 ? "Foreground" : "Background";
    try {
      await this.ctx.client.delete(r, ns, obj.metadata.name ?? "", { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
    } catch (e) {
      if (!isApiError(e, "NotFound") && !isApiError(e, "Conflict")) throw e;
    }
  }

  /** Orphan: every dependent loses its reference to obj, then the `orphan` finalizer goes. */
  private async orphanDependents(r: Resource, obj: ApiObject): Promise<void> {
    const uid = obj.metadata.uid;
    for (const d of this.dependents(uid)) await removeOwnerRefs(this.ctx.client, d.resource, d.obj, [uid!]);
    await this.removeFinalizer(r, obj, FINALIZER_ORPHAN);
  }

  /** Foreground: dependents are deleted (see attemptToDelete); once no blocking one is left, the finalizer goes. */
  private async deleteDependentsFirst(r: Resource, obj: ApiObject): Promise<void> {
    const uid = obj.metadata.uid;
    let blocking = 0;
    for (const d of this.dependents(uid)) {
      const ref = d.obj.metadata.ownerReferences?.find((o) => o.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (!d.obj.metadata.deletionTimestamp) this.enqueue(itemKey(d.resource, d.obj));
    }
    if (blocking === 0) await this.removeFinalizer(r, obj, FINALIZER_FOREGROUND);
  }

  private async removeFinalizer(r: Resource, obj: ApiObject, finalizer: string): Promise<void> {
    const { namespace, name } = splitKey(keyOf(obj));
    let fresh: ApiObject;
    try {
      fresh = await this.ctx.client.get(r, namespace, name);
    } catch (e) {
      if (isApiError(e, "NotFound")) return;
      throw e;
    }
    if (fresh.metadata.uid !== obj.metadata.uid || !has(fresh, finalizer)) return;
    const rest = (fresh.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.ctx.client.patch(r, namespace, name, "merge",
        { metadata: { finalizers: rest.length > 0 ? rest : null, resourceVersion: fresh.metadata.resourceVersion } });
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }

}
