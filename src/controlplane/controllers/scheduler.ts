// The scheduler controller: watches unscheduled pods and nodes, places pods with the pure core
// (scheduler/core.ts) over a SchedulerCache, and binds them through pods/binding — several
// binds in flight, each pod assumed on its node before the watch confirms it.
import { isApiError } from "../../api/errors.ts";
import type { Resource } from "../../api/resources.ts";
import type { Condition, Labels, Node, Pod } from "../../api/types.ts";
import { keyOf } from "./informer.ts";
import { FitError, SchedulerCache } from "./scheduler/core.ts";
import { BY_NAMESPACE, sameJson, selects, wireTime, type Controller, type ControllerContext } from "./shared.ts";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface SchedulerOptions {
  /** Pods with this spec.schedulerName are ours (default "default-scheduler"). */
  schedulerName?: string;
  /** Binds in flight at once (default 256). */
  maxInFlightBinds?: number;
  /** First retry delay of an unschedulable pod, doubling per attempt (default 1 s). */
  initialBackoffMs?: number;
  /** Largest retry delay (default 10 s). */
  maxBackoffMs?: number;
  /** An unschedulable pod is retried after this long even if nothing changed (default 5 min). */
  unschedulableTimeoutMs?: number;
  /** How often waiting pods are checked against their back-off (default 1 s). */
  flushIntervalMs?: number;
  /** percentageOfNodesToScore (0 = adaptive, as upstream). */
  percentageOfNodesToScore?: number;
}

/** A pod that did not fit: when it may be tried again. */
interface Waiting {
  attempts: number;
  backoffUntil: number;
  since: number;
  /** Something changed in the cluster since it failed: retry once the back-off is over. */
  moveRequested: boolean;
}

/** How many pods one turn of the loop schedules before yielding to I/O. */
const BATCH = 64;

/** Whether a node change can make a pod fit that did not (heartbeats alone cannot). */
function nodeChangedForScheduling(a: Node, b: Node): boolean {
  const ready = (n: Node): string | undefined => n.status?.conditions?.find((c) => c.type === "Ready")?.status;
  return !sameJson(a.metadata.labels, b.metadata.labels) || !sameJson(a.spec, b.spec)
    || !sameJson(a.status?.allocatable ?? a.status?.capacity, b.status?.allocatable ?? b.status?.capacity)
    || ready(a) !== ready(b);
}

/**
 * kube-scheduler's job as a controller. Pods are scheduled one at a time (the cache must see
 * each decision before the next) and bound concurrently. A pod that fits nowhere gets
 * PodScheduled=False/Unschedulable and a FailedScheduling event with the FitError message,
 * and waits until a node is added or changes or an assigned pod goes (with per-pod back-off).
 */
export class SchedulerController implements Controller {
  readonly name = "scheduler";
  readonly resources: readonly Resource[] = ["pods", "nodes", "services", "replicationcontrollers"];
  readonly cache = new SchedulerCache();
  private readonly ctx: ControllerContext;
  private readonly schedulerName: string;
  private readonly maxInFlight: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;
  private readonly flushIntervalMs: number;
  private readonly percentage: number | undefined;
  private readonly active = new Set<string>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly binds = new Set<Promise<void>>();
  private readonly ac = new AbortController();
  private running = false;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  constructor(ctx: ControllerContext, opts: SchedulerOptions = {}) {
    this.ctx = ctx;
    this.schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.maxInFlight = Math.max(1, opts.maxInFlightBinds ?? 256);
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = opts.unschedulableTimeoutMs ?? 300_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.percentage = opts.percentageOfNodesToScore;
  }

  private get pods() { return this.ctx.informers.get("pods"); }

  register(): void {
    this.ctx.informers.get("services");
    this.ctx.informers.get("replicationcontrollers");
    this.ctx.informers.get("nodes").addEventHandler({
      onAdd: (n) => { this.cache.upsertNode(n); this.clusterChanged(); },
      onUpdate: (o, n) => {
        this.cache.upsertNode(n);
        if (nodeChangedForScheduling(o, n)) this.clusterChanged();
      },
      onDelete: (n) => { this.cache.removeNode(n.metadata.name ?? ""); },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podSeen(p, undefined),
      onUpdate: (o, p) => this.podSeen(p, o),
      onDelete: (p) => {
        const key = keyOf(p);
        this.active.delete(key);
        this.waiting.delete(key);
        if (p.spec?.nodeName || this.cache.isAssumed(p)) {
          this.cache.removePod(p);
          this.clusterChanged();
        }
      },
    });
  }

  run(): void {
    this.running = true;
    void this.flushLoop();
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.ac.abort();
    while (this.binds.size > 0) await Promise.allSettled([...this.binds]);
  }

  /** Resolves when nothing is queued to schedule and no bind is in flight (waiting pods aside). */
  idle(): Promise<void> {
    if (this.active.size === 0 && this.binds.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Pods that fit nowhere and wait for a change, by key. */
  unschedulableKeys(): string[] {
    return [...this.waiting.keys()];
  }

  private responsible(p: Pod): boolean {
    return !p.spec?.nodeName && (p.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.schedulerName
      && !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed";
  }

  private podSeen(p: Pod, old: Pod | undefined): void {
    const key = keyOf(p);
    if (p.spec?.nodeName) {
      this.cache.upsertPod(p);
      this.active.delete(key);
      this.waiting.delete(key);
      return;
    }
    if (!this.responsible(p)) {
      this.active.delete(key);
      this.waiting.delete(key);
      if (this.cache.isAssumed(p) && p.metadata.deletionTimestamp) this.cache.forget(p);
      return;
    }
    const w = this.waiting.get(key);
    if (w) {
      // Our own status write comes back as an update: only a change to the pod itself retries it.
      if (old && (!sameJson(old.spec, p.spec) || !sameJson(old.metadata.labels, p.metadata.labels))) {
        w.moveRequested = true;
        this.flush();
      }
      return;
    }
    // Being bound: the watch will show the binding.
    if (this.cache.isAssumed(p)) return;
    this.active.add(key);
    this.pump();
  }

  /** A node appeared or changed, or an assigned pod went: pods that did not fit may now. */
  private clusterChanged(): void {
    if (this.waiting.size === 0) return;
    for (const w of this.waiting.values()) w.moveRequested = true;
    this.flush();
  }

  private flush(): void {
    const now = this.ctx.clock.now().getTime();
    let moved = false;
    for (const [key, w] of this.waiting) {
      if ((w.moveRequested && now >= w.backoffUntil) || now - w.since >= this.unschedulableTimeoutMs) {
        this.waiting.delete(key);
        this.active.add(key);
        moved = true;
      }
    }
    if (moved) this.pump();
  }

  private async flushLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.ctx.clock.sleep(this.flushIntervalMs, this.ac.signal);
      } catch {
        return;
      }
      this.flush();
    }
  }

  private pump(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.scheduleSome();
    });
  }

  private scheduleSome(): void {
    let n = 0;
    for (const key of this.active) {
      if (!this.running || this.binds.size >= this.maxInFlight) break;
      if (n++ >= BATCH) { this.pump(); break; }
      this.active.delete(key);
      const pod = this.pods.get(key);
      if (!pod || !this.responsible(pod) || this.cache.isAssumed(pod)) continue;
      this.scheduleOne(pod);
    }
    this.wakeIdle();
  }

  /** Labels every service and replication controller selecting the pod agree on (default spreading). */
  private spreadSelector(pod: Pod): Labels | undefined {
    const ns = pod.metadata.namespace ?? "";
    const labels = pod.metadata.labels;
    if (!labels) return undefined;
    let out: Labels | undefined;
    for (const rc of this.ctx.informers.get("replicationcontrollers").byIndex(BY_NAMESPACE, ns)) {
      if (selects(rc.spec?.selector, labels)) out = { ...out, ...rc.spec.selector };
    }
    for (const svc of this.ctx.informers.get("services").byIndex(BY_NAMESPACE, ns)) {
      if (selects(svc.spec?.selector, labels)) out = { ...out, ...svc.spec.selector };
    }
    return out;
  }

  private scheduleOne(pod: Pod): void {
    const r = this.cache.schedule(pod, {
      random: this.ctx.random, spreadSelector: this.spreadSelector(pod), percentageOfNodesToScore: this.percentage,
    });
    if (r instanceof FitError) {
      this.unschedulable(pod, r);
      return;
    }
    this.cache.assume(pod, r.node);
    const bind = this.bind(pod, r.node).finally(() => {
      this.binds.delete(bind);
      this.pump();
      this.wakeIdle();
    });
    this.binds.add(bind);
  }

  private async bind(pod: Pod, node: string): Promise<void> {
    const ns = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name ?? "";
    try {
      await this.ctx.client.postSubresource("pods", ns, name, "binding", {
        apiVersion: "v1", kind: "Binding",
        metadata: { name, namespace: ns, ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: "v1", kind: "Node", name: node },
      });
    } catch (e) {
      this.cache.forget(pod);
      // Already bound or being deleted (409), or gone (404): the watch tells the rest.
      if (isApiError(e, "Conflict") || isApiError(e, "NotFound") || isApiError(e, "AlreadyExists")) return;
      this.ctx.onError(`scheduler: binding ${ns}/${name} to ${node}`, e);
      this.retryLater(keyOf(pod));
      return;
    }
    void this.ctx.recorder(this.schedulerName).event(pod, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${node}`);
  }

  private retryLater(key: string): void {
    const prev = this.waiting.get(key);
    const attempts = (prev?.attempts ?? 0) + 1;
    const now = this.ctx.clock.now().getTime();
    const delay = Math.min(this.initialBackoffMs * 2 ** (attempts - 1), this.maxBackoffMs);
    this.waiting.set(key, { attempts, backoffUntil: now + delay, since: prev?.since ?? now, moveRequested: true });
  }

  private unschedulable(pod: Pod, err: FitError): void {
    const key = keyOf(pod);
    const prev = this.waiting.get(key);
    const attempts = (prev?.attempts ?? 0) + 1;
    const now = this.ctx.clock.now().getTime();
    const delay = Math.min(this.initialBackoffMs * 2 ** (attempts - 1), this.maxBackoffMs);
    this.waiting.set(key, { attempts, backoffUntil: now + delay, since: now, moveRequested: false });
    void this.ctx.recorder(this.schedulerName).event(pod, "Warning", "FailedScheduling", err.message);
    void this.markUnschedulable(pod, err.message);
  }

  /** PodScheduled=False, reason Unschedulable, written only when it says something new. */
  private async markUnschedulable(pod: Pod, message: string): Promise<void> {
    const old = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (old && old.status === "False" && old.reason === "Unschedulable" && old.message === message) return;
    const cond: Condition = {
      type: "PodScheduled", status: "False", reason: "Unschedulable", message, lastProbeTime: null,
      lastTransitionTime: old?.status === "False" && old.lastTransitionTime ? old.lastTransitionTime : wireTime(this.ctx.clock.now()),
    };
    // A whole-status write rather than a patch: a patch's null would drop lastProbeTime.
    let cur = pod;
    for (let attempt = 0; attempt < 2; attempt++) {
      const conditions = [...(cur.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled"), cond];
      try {
        await this.ctx.client.updateStatus("pods", cur.metadata.namespace, { ...cur, status: { ...(cur.status ?? {}), conditions } });
        return;
      } catch (e) {
        if (isApiError(e, "NotFound")) return;
        if (!isApiError(e, "Conflict") || attempt > 0) {
          this.ctx.onError(`scheduler: updating status of ${keyOf(pod)}`, e);
          return;
        }
        try {
          cur = await this.ctx.client.get("pods", pod.metadata.namespace, pod.metadata.name ?? "");
        } catch {
          return;
        }
        if (cur.metadata.uid !== pod.metadata.uid || cur.spec?.nodeName) return;
      }
    }
  }

  private wakeIdle(): void {
    if (this.active.size > 0 || this.binds.size > 0 || this.idleWaiters.length === 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
