// The replication manager: keeps spec.replicas pods per replication controller — adopting
// matching orphans, releasing pods that stop matching, creating from the template and deleting
// the least valuable first — and reports replicas/ready/available in its status.
import { isApiError } from "../../api/errors.ts";
import type { Resource } from "../../api/resources.ts";
import type { Condition, Labels, OwnerReference, Pod, ReplicationController } from "../../api/types.ts";
import { keyOf, type Informer } from "./informer.ts";
import { KeyQueue } from "./key-queue.ts";
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable, podsToDelete } from "./pod-ordering.ts";
import {
  BY_NAMESPACE, controllerRef, removeOwnerRefs, sameJson, selects, splitKey, wireTime, type Controller, type ControllerContext,
} from "./shared.ts";
import { deepCopy } from "../../api/copy.ts";

export const REPLICATION_COMPONENT = "replication-controller";
/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** How long unobserved creates/deletes hold a controller back before it acts anyway. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

/**
 * What the manager keeps replicas of: ReplicationControllers (map selectors) by default, or
 * apps/v1 ReplicaSets (LabelSelectors) — the same loop, as upstream shares one controller.
 */
export interface ReplicaKind {
  resource: "replicationcontrollers" | "replicasets";
  kind: string;
  apiVersion: string;
  component: string;
  /** Whether the owner's spec.selector selects these labels (an empty selector selects nothing). */
  selects(selector: unknown, labels: Labels | undefined): boolean;
}

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  resource: "replicationcontrollers", kind: "ReplicationController", apiVersion: "v1", component: REPLICATION_COMPONENT,
  selects: (sel, labels) => selects(sel as Labels | undefined, labels),
};

export const REPLICA_SET_KIND: ReplicaKind = {
  resource: "replicasets", kind: "ReplicaSet", apiVersion: "apps/v1", component: "replicaset-controller",
  selects(sel, labels) {
    const s = sel as { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined;
    if (!s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0)) return false;
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) if (labels?.[k] !== v) return false;
    for (const e of s.matchExpressions ?? []) {
      const has = labels !== undefined && Object.hasOwn(labels, e.key);
      const v = labels?.[e.key];
      const ok = e.operator === "In" ? has && (e.values ?? []).includes(v!) : e.operator === "NotIn" ? !has || !(e.values ?? []).includes(v!)
        : e.operator === "Exists" ? has : e.operator === "DoesNotExist" ? !has : false;
      if (!ok) return false;
    }
    return true;
  },
};

export interface ReplicationOptions {
  /** What to manage (default ReplicationControllers). */
  kind?: ReplicaKind;
  /** Controllers synced at once (kube-controller-manager's --concurrent-replicationcontroller-syncs, 5). */
  workers?: number;
  burstReplicas?: number;
  expectationsTimeoutMs?: number;
}

interface Expectation {
  add: number;
  /** Keys of pods we asked to delete and have not yet seen go (or start terminating). */
  del: Set<string>;
  at: number;
}

/**
 * What a controller is waiting to see after its own writes (ControllerExpectations): until its
 * creates and deletes show up in the cache it does not act again, so a slow watch never makes
 * it create twice. Lost on restart, which is fine: a fresh cache is already up to date.
 */
export class Expectations {
  private readonly m = new Map<string, Expectation>();
  private readonly timeoutMs: number;

  constructor(timeoutMs = EXPECTATIONS_TIMEOUT_MS) {
    this.timeoutMs = timeoutMs;
  }

  satisfied(key: string, now: number): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del.size === 0) || now - e.at > this.timeoutMs;
  }

  expectCreations(key: string, n: number, now: number): void {
    this.m.set(key, { add: n, del: new Set(), at: now });
  }

  expectDeletions(key: string, pods: string[], now: number): void {
    this.m.set(key, { add: 0, del: new Set(pods), at: now });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, pod: string): void {
    this.m.get(key)?.del.delete(pod);
  }

  forget(key: string): void {
    this.m.delete(key);
  }
}

/** The ownerReference a replication controller puts on its pods. */
export function rcOwnerReference(rc: ReplicationController, kind: ReplicaKind = REPLICATION_CONTROLLER_KIND): OwnerReference {
  return { apiVersion: kind.apiVersion, kind: kind.kind, name: rc.metadata.name ?? "", uid: rc.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** controller.GetPodFromTemplate: a new pod (generateName `<rc>-`) from the RC's template. */
export function podFromTemplate(rc: ReplicationController, kind: ReplicaKind = REPLICATION_CONTROLLER_KIND): Pod {
  const t = rc.spec.template;
  const meta = t?.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1", kind: "Pod",
    metadata: { generateName: `${rc.metadata.name}-`, namespace: rc.metadata.namespace, ownerReferences: [rcOwnerReference(rc, kind)] },
    spec: deepCopy(t?.spec ?? { containers: [] }),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration (zeros omitted, as on the wire). */
export function calculateStatus(rc: ReplicationController, active: Pod[], now: Date, failure?: { reason: string; message: string }): NonNullable<ReplicationController["status"]> {
  const templateLabels = rc.spec.template?.metadata?.labels ?? {};
  let fully = 0;
  let ready = 0;
  let available = 0;
  const minReady = rc.spec.minReadySeconds ?? 0;
  for (const p of active) {
    if (Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  const status: NonNullable<ReplicationController["status"]> = { replicas: active.length };
  if (fully) status.fullyLabeledReplicas = fully;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rc.metadata.generation) status.observedGeneration = rc.metadata.generation;
  const prev = rc.status?.conditions?.find((c) => c.type === "ReplicaFailure");
  const others = (rc.status?.conditions ?? []).filter((c) => c.type !== "ReplicaFailure");
  let conditions: Condition[] = others;
  if (failure) {
    const same = prev && prev.status === "True" && prev.reason === failure.reason && prev.message === failure.message;
    conditions = [...others, same ? prev : { type: "ReplicaFailure", status: "True", reason: failure.reason, message: failure.message, lastTransitionTime: wireTime(now) }];
  }
  if (conditions.length > 0) status.conditions = conditions;
  return status;
}

/** Creates count things in batches of 1, 2, 4, … stopping after the first batch with a failure. */
async function slowStartBatch(count: number, fn: () => Promise<void>): Promise<{ done: number; error?: unknown }> {
  let remaining = count;
  let done = 0;
  for (let batch = Math.min(remaining, 1); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === "fulfilled") done++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { done, error };
    remaining -= batch;
  }
  return { done };
}

/**
 * The replication manager. Level-triggered: each sync compares the cache with spec.replicas;
 * expectations only stop it from acting on a cache that has not caught up with its own writes.
 */
export class ReplicationManager implements Controller {
  readonly name: string;
  readonly resources: readonly Resource[];
  readonly kind: ReplicaKind;
  readonly expectations: Expectations;
  private readonly ctx: ControllerContext;
  private readonly burst: number;
  private readonly queue: KeyQueue;
  /** Keys seen before the informers synced: queued by run(). */
  private readonly early = new Set<string>();
  private started = false;

  constructor(ctx: ControllerContext, opts: ReplicationOptions = {}) {
    this.ctx = ctx;
    this.kind = opts.kind ?? REPLICATION_CONTROLLER_KIND;
    this.name = this.kind.resource === "replicasets" ? "replicaset" : "replication";
    this.resources = [this.kind.resource, "pods"];
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.expectations = new Expectations(opts.expectationsTimeoutMs);
    this.queue = new KeyQueue((key) => this.sync(key), {
      workers: opts.workers ?? 5, clock: ctx.clock,
      onError: (key, err) => ctx.onError(`${this.name}: syncing ${key}`, err),
    });
  }

  private get rcs() { return this.ctx.informers.get(this.kind.resource) as unknown as Informer<ReplicationController>; }
  private get pods() { return this.ctx.informers.get("pods"); }

  register(): void {
    this.rcs.addEventHandler({
      onAdd: (rc) => this.enqueue(keyOf(rc)),
      onUpdate: (_o, rc) => this.enqueue(keyOf(rc)),
      onDelete: (rc) => { this.expectations.forget(keyOf(rc)); },
    });
    this.pods.addEventHandler({
      onAdd: (p) => {
        if (p.metadata.deletionTimestamp) { this.podGone(p); return; }
        const rc = this.owner(p);
        if (rc) {
          this.expectations.creationObserved(keyOf(rc));
          this.enqueue(keyOf(rc));
        } else if (!controllerRef(p)) this.enqueueSelecting(p);
      },
      onUpdate: (o, p) => {
        if (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp) { this.podGone(p); return; }
        const oldRc = this.owner(o);
        const rc = this.owner(p);
        if (oldRc && (!rc || keyOf(oldRc) !== keyOf(rc))) this.enqueue(keyOf(oldRc));
        if (rc) this.enqueue(keyOf(rc));
        const labelsChanged = !sameJson(o.metadata.labels, p.metadata.labels);
        if (!controllerRef(p) && (labelsChanged || controllerRef(o))) this.enqueueSelecting(p);
        if (labelsChanged) this.enqueueSelecting(o);
      },
      onDelete: (p) => this.podGone(p),
    });
  }

  run(): void {
    this.started = true;
    for (const k of this.early) this.queue.add(k);
    this.early.clear();
    for (const rc of this.rcs.list()) this.queue.add(keyOf(rc));
  }

  async stop(): Promise<void> {
    await this.queue.shutDown();
  }

  /** Resolves when nothing is queued or syncing. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(key: string): void {
    if (this.started) this.queue.add(key);
    else this.early.add(key);
  }

  private podGone(p: Pod): void {
    const rc = this.owner(p);
    if (!rc) return;
    this.expectations.deletionObserved(keyOf(rc), keyOf(p));
    this.enqueue(keyOf(rc));
  }

  /** The cached RC the pod's controller reference points at (same uid), if any. */
  private owner(p: Pod): ReplicationController | undefined {
    const ref = controllerRef(p);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const rc = this.rcs.get(`${p.metadata.namespace}/${ref.name}`);
    return rc && rc.metadata.uid === ref.uid ? rc : undefined;
  }

  private enqueueSelecting(p: Pod): void {
    for (const rc of this.rcs.byIndex(BY_NAMESPACE, p.metadata.namespace ?? "")) {
      if (this.kind.selects(rc.spec?.selector, p.metadata.labels)) this.enqueue(keyOf(rc));
    }
  }

  /** One reconcile of the RC under key (`namespace/name`). Idempotent. */
  async sync(key: string): Promise<void> {
    const rc = this.rcs.get(key);
    if (!rc) {
      this.expectations.forget(key);
      return;
    }
    const now = this.ctx.clock.now();
    const needsSync = this.expectations.satisfied(key, now.getTime());
    const claimed = await this.claimPods(rc);
    const active = claimed.filter(isPodActive);
    const failed = needsSync && !rc.metadata.deletionTimestamp ? await this.manageReplicas(rc, active) : undefined;
    const failure = failed && { reason: failed.reason, message: failed.error instanceof Error ? failed.error.message : String(failed.error) };
    await this.writeStatus(rc, calculateStatus(rc, active, now, failure));
    const minReady = rc.spec.minReadySeconds ?? 0;
    if (minReady > 0) {
      let next = Infinity;
      for (const p of active) { const ms = msUntilAvailable(p, minReady, now); if (ms > 0 && ms < next) next = ms; }
      if (next !== Infinity) this.queue.addAfter(key, next + 1000);
    }
    if (failed) throw failed.error;
  }

  /** ClaimPods: ours that match, plus adopted orphans; ours that stopped matching are released. */
  private async claimPods(rc: ReplicationController): Promise<Pod[]> {
    const uid = rc.metadata.uid;
    const selector = rc.spec.selector;
    const out: Pod[] = [];
    let canAdopt: boolean | undefined;
    for (const p of this.pods.byIndex(BY_NAMESPACE, rc.metadata.namespace ?? "")) {
      const ref = controllerRef(p);
      const match = this.kind.selects(selector, p.metadata.labels);
      if (ref) {
        if (ref.uid !== uid) continue;
        if (match) { out.push(p); continue; }
        if (rc.metadata.deletionTimestamp) continue;
        await removeOwnerRefs(this.ctx.client, "pods", p, [uid!]);
        continue;
      }
      if (!match || rc.metadata.deletionTimestamp || p.metadata.deletionTimestamp) continue;
      // As upstream, check once against the server that the RC is still the same, live one.
      canAdopt ??= await this.stillCurrent(rc);
      if (!canAdopt) continue;
      if (await this.patchOwner(p, rcOwnerReference(rc, this.kind))) out.push(p);
    }
    return out;
  }

  private async stillCurrent(rc: ReplicationController): Promise<boolean> {
    try {
      const fresh = await this.ctx.client.get(this.kind.resource, rc.metadata.namespace, rc.metadata.name ?? "");
      return fresh.metadata.uid === rc.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch (e) {
      if (isApiError(e, "NotFound")) return false;
      throw e;
    }
  }

  /** Adds our controller reference (adoption); false when the pod is gone. */
  private async patchOwner(p: Pod, ref: OwnerReference): Promise<boolean> {
    try {
      await this.ctx.client.patch("pods", p.metadata.namespace, p.metadata.name ?? "", "strategic",
        { metadata: { ownerReferences: [ref], uid: p.metadata.uid } });
      return true;
    } catch (e) {
      if (isApiError(e, "NotFound")) return false;
      throw e;
    }
  }

  /** Creates or deletes the difference; what failed (FailedCreate/FailedDelete) and why, if anything. */
  private async manageReplicas(rc: ReplicationController, active: Pod[]): Promise<{ reason: string; error: unknown } | undefined> {
    const key = keyOf(rc);
    const ns = rc.metadata.namespace ?? "default";
    const diff = active.length - (rc.spec.replicas ?? 1);
    const recorder = this.ctx.recorder(this.kind.component);
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, n, this.ctx.clock.now().getTime());
      const res = await slowStartBatch(n, async () => {
        try {
          const created = await this.ctx.client.create("pods", ns, podFromTemplate(rc, this.kind));
          void recorder.event(rc, "Normal", "SuccessfulCreate", `Created pod: ${created.metadata.name}`);
        } catch (e) {
          this.expectations.creationObserved(key);
          void recorder.event(rc, "Warning", "FailedCreate", `Error creating: ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        }
      });
      // Creates never attempted will never be observed.
      if (res.error !== undefined) {
        for (let i = res.done + 1; i < n; i++) this.expectations.creationObserved(key);
        return { reason: "FailedCreate", error: res.error };
      }
      return undefined;
    }
    if (diff > 0) {
      const victims = podsToDelete(active, active, Math.min(diff, this.burst));
      this.expectations.expectDeletions(key, victims.map(keyOf), this.ctx.clock.now().getTime());
      const results = await Promise.allSettled(victims.map(async (p) => {
        try {
          await this.ctx.client.delete("pods", ns, p.metadata.name ?? "", { preconditions: p.metadata.uid ? { uid: p.metadata.uid } : undefined });
          void recorder.event(rc, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
        } catch (e) {
          this.expectations.deletionObserved(key, keyOf(p));
          if (isApiError(e, "NotFound")) return;
          void recorder.event(rc, "Warning", "FailedDelete", `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) return { reason: "FailedDelete", error: failed.reason };
    }
    return undefined;
  }

  private async writeStatus(rc: ReplicationController, status: NonNullable<ReplicationController["status"]>): Promise<void> {
    let cur = rc;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (sameJson(cur.status ?? {}, status)) return;
      try {
        await this.ctx.client.updateStatus(this.kind.resource, cur.metadata.namespace, { ...cur, status });
        return;
      } catch (e) {
        if (isApiError(e, "NotFound")) return;
        if (!isApiError(e, "Conflict") || attempt > 0) throw e;
        const { namespace, name } = splitKey(keyOf(rc));
        cur = (await this.ctx.client.get(this.kind.resource, namespace, name)) as ReplicationController;
        if (cur.metadata.uid !== rc.metadata.uid) return;
      }
    }
  }
}
