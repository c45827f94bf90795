// The node lifecycle controller: a minion that stops heartbeating goes NotReady (conditions
// Unknown) after a grace period, is tainted unreachable, and after the eviction timeout its pods
// are deleted so their controllers recreate them elsewhere; heartbeats resuming undo the taints.
import { isApiError } from "../../api/errors.ts";
import type { Resource } from "../../api/resources.ts";
import type { Condition, Node, Pod, Taint } from "../../api/types.ts";
import { KeyQueue } from "./key-queue.ts";
import { TAINT_NOT_READY, TAINT_UNREACHABLE, toleratesTaint } from "./scheduler/core.ts";
import { BY_NODE_NAME, sameJson, wireTime, type Controller, type ControllerContext } from "./shared.ts";

export const NODE_CONTROLLER_COMPONENT = "node-controller";
/** kube-controller-manager's defaults (--node-monitor-period, --node-monitor-grace-period, --pod-eviction-timeout). */
export const DEFAULT_MONITOR_PERIOD_MS = 5_000;
export const DEFAULT_GRACE_PERIOD_MS = 40_000;
export const DEFAULT_STARTUP_GRACE_PERIOD_MS = 60_000;
export const DEFAULT_EVICTION_TIMEOUT_MS = 5 * 60_000;

/** The kubelet conditions that go Unknown together. */
const KUBELET_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

export interface NodeLifecycleOptions {
  monitorPeriodMs?: number;
  /** Without a heartbeat for this long a node is NotReady (Unknown). */
  gracePeriodMs?: number;
  /** A node that never posted status gets this long. */
  startupGracePeriodMs?: number;
  /** Pods of a node not ready for this long are deleted. */
  evictionTimeoutMs?: number;
}

interface Health {
  /** When (our clock) the heartbeat last changed, or we first saw the node. */
  probeMs: number;
  heartbeat: string;
  /** The Ready status last seen, for the NodeNotReady event on a change from True. */
  ready: string | undefined;
}

const readyOf = (n: Node): Condition | undefined => n.status?.conditions?.find((c) => c.type === "Ready");

/** The newest lastHeartbeatTime over the node's conditions. */
function heartbeatOf(n: Node): string {
  let hb = "";
  for (const c of n.status?.conditions ?? []) if (c.lastHeartbeatTime && c.lastHeartbeatTime > hb) hb = c.lastHeartbeatTime;
  return hb;
}

/** The NoExecute + NoSchedule taints a node with this Ready status should carry. */
export function readinessTaints(ready: string | undefined): { key: string; effect: string }[] {
  if (ready === "True") return [];
  const key = ready === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
  return [{ key, effect: "NoExecute" }, { key, effect: "NoSchedule" }];
}

const isReadinessTaint = (t: Taint): boolean => t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE;

/** Whether the pod tolerates the taint for ever (no tolerationSeconds): never evicted for it. */
function toleratesForever(pod: Pod, taint: Taint): boolean {
  return (pod.spec?.tolerations ?? []).some((t) => toleratesTaint(t, taint) && t.tolerationSeconds === undefined);
}

/**
 * The node lifecycle controller. Heartbeats are judged on this controller's own clock (when it
 * saw lastHeartbeatTime change), as upstream, so clock skew between minions does not matter; a
 * restart gives every node a fresh grace period. The eviction timeout counts from the Ready
 * condition's lastTransitionTime, which is stored, so a restart does not postpone evictions.
 */
export class NodeLifecycleController implements Controller {
  readonly name = "node-lifecycle";
  readonly resources: readonly Resource[] = ["nodes", "pods"];
  private readonly ctx: ControllerContext;
  private readonly monitorPeriodMs: number;
  private readonly graceMs: number;
  private readonly startupGraceMs: number;
  private readonly evictionMs: number;
  private readonly health = new Map<string, Health>();
  private readonly queue: KeyQueue;
  private readonly ac = new AbortController();
  private started = false;

  constructor(ctx: ControllerContext, opts: NodeLifecycleOptions = {}) {
    this.ctx = ctx;
    this.monitorPeriodMs = opts.monitorPeriodMs ?? DEFAULT_MONITOR_PERIOD_MS;
    this.graceMs = opts.gracePeriodMs ?? DEFAULT_GRACE_PERIOD_MS;
    this.startupGraceMs = opts.startupGracePeriodMs ?? Math.max(DEFAULT_STARTUP_GRACE_PERIOD_MS, this.graceMs);
    this.evictionMs = opts.evictionTimeoutMs ?? DEFAULT_EVICTION_TIMEOUT_MS;
    this.queue = new KeyQueue((key) => this.sync(key), {
      workers: 2, clock: ctx.clock,
      onError: (key, err) => ctx.onError(`node-lifecycle: syncing ${key}`, err),
    });
  }

  private get nodes() { return this.ctx.informers.get("nodes"); }
  private get pods() { return this.ctx.informers.get("pods"); }

  register(): void {
    this.ctx.informers.get("pods");
    this.nodes.addEventHandler({
      onAdd: (n) => this.observe(n),
      onUpdate: (_o, n) => this.observe(n),
      onDelete: (n) => { this.health.delete(n.metadata.name ?? ""); },
    });
  }

  run(): void {
    this.started = true;
    for (const n of this.nodes.list()) this.queue.add(n.metadata.name ?? "");
    void this.monitor();
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.queue.shutDown();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Records heartbeat changes as they arrive, so the grace period runs from the last one seen. */
  private observe(n: Node): void {
    const name = n.metadata.name ?? "";
    const hb = heartbeatOf(n);
    const h = this.health.get(name);
    const now = this.ctx.clock.now().getTime();
    if (!h) this.health.set(name, { probeMs: now, heartbeat: hb, ready: readyOf(n)?.status });
    else if (h.heartbeat !== hb) { h.heartbeat = hb; h.probeMs = now; }
    if (this.started) this.queue.add(name);
  }

  private async monitor(): Promise<void> {
    while (!this.ac.signal.aborted) {
      try {
        await this.ctx.clock.sleep(this.monitorPeriodMs, this.ac.signal);
      } catch {
        return;
      }
      for (const n of this.nodes.list()) this.queue.add(n.metadata.name ?? "");
    }
  }

  /** One look at a node: conditions, taints, evictions. Idempotent. */
  async sync(name: string): Promise<void> {
    let node = this.nodes.get(name);
    if (!node) { this.health.delete(name); return; }
    const now = this.ctx.clock.now();
    let h = this.health.get(name);
    if (!h) { this.observe(node); h = this.health.get(name)!; }
    const ready = readyOf(node);
    const silentFor = now.getTime() - h.probeMs;
    if (ready?.status !== "Unknown" && silentFor >= (ready ? this.graceMs : this.startupGraceMs)) {
      node = (await this.markUnknown(name, ready !== undefined)) ?? node;
    }
    const status = readyOf(node)?.status;
    if (h.ready === "True" && status !== undefined && status !== "True") {
      void this.ctx.recorder(NODE_CONTROLLER_COMPONENT).event(node, "Normal", "NodeNotReady", `Node ${name} status is now: NodeNotReady`);
      await this.markPodsNotReady(name);
    }
    h.ready = status ?? h.ready;
    await this.syncTaints(node, status);
    if (status === undefined || status === "True") return;
    const since = Date.parse(readyOf(node)?.lastTransitionTime ?? "") || h.probeMs;
    const evictAt = since + this.evictionMs;
    if (now.getTime() >= evictAt) await this.evictPods(node, status);
    else this.queue.addAfter(name, evictAt - now.getTime());
  }

  /** Every kubelet condition → Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated when missing). */
  private async markUnknown(name: string, everPosted: boolean): Promise<Node | undefined> {
    const fresh = await this.ctx.client.get("nodes", undefined, name);
    // A heartbeat that arrived meanwhile wins.
    if (heartbeatOf(fresh) !== this.health.get(name)?.heartbeat) return undefined;
    const now = wireTime(this.ctx.clock.now());
    const conditions = [...(fresh.status?.conditions ?? [])];
    for (const type of KUBELET_CONDITIONS) {
      const i = conditions.findIndex((c) => c.type === type);
      if (i < 0) {
        conditions.push({ type, status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.",
          lastHeartbeatTime: fresh.metadata.creationTimestamp, lastTransitionTime: now });
      } else if (conditions[i]!.status !== "Unknown") {
        conditions[i] = { ...conditions[i]!, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now };
      }
    }
    if (!everPosted) {
      for (const c of conditions) if (KUBELET_CONDITIONS.includes(c.type)) { c.reason = "NodeStatusNeverUpdated"; c.message = "Kubelet never posted node status."; }
    }
    return this.ctx.client.updateStatus("nodes", undefined, { ...fresh, status: { ...(fresh.status ?? {}), conditions } });
  }

  /** MarkPodsNotReady: the node's pods get Ready=False. */
  private async markPodsNotReady(name: string): Promise<void> {
    const now = wireTime(this.ctx.clock.now());
    for (const p of this.pods.byIndex(BY_NODE_NAME, name)) {
      if (p.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True") continue;
      try {
        await this.ctx.client.patch("pods", p.metadata.namespace, p.metadata.name ?? "", "strategic",
          { status: { conditions: [{ type: "Ready", status: "False", lastProbeTime: null, lastTransitionTime: now }] } }, { subresource: "status" });
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
  }

  /** Readiness taints as the Ready status says (unreachable for Unknown, not-ready for False). */
  private async syncTaints(node: Node, status: string | undefined): Promise<void> {
    if (status === undefined) return;
    const want = readinessTaints(status);
    const has = (node.spec?.taints ?? []).filter(isReadinessTaint);
    const same = want.length === has.length && want.every((w) => has.some((t) => t.key === w.key && t.effect === w.effect));
    if (same) return;
    const fresh = await this.ctx.client.get("nodes", undefined, node.metadata.name ?? "");
    if (readyOf(fresh)?.status !== status) return;          // changed meanwhile: the next sync decides
    const now = wireTime(this.ctx.clock.now());
    const kept = (fresh.spec?.taints ?? []).filter((t) => !isReadinessTaint(t) || want.some((w) => w.key === t.key && w.effect === t.effect));
    const taints: Taint[] = [...kept];
    for (const w of want) if (!kept.some((t) => t.key === w.key && t.effect === w.effect)) taints.push({ ...w, timeAdded: now });
    if (sameJson(taints, fresh.spec?.taints ?? [])) return;
    const spec = { ...(fresh.spec ?? {}) };
    if (taints.length > 0) spec.taints = taints; else delete spec.taints;
    await this.ctx.client.update("nodes", undefined, { ...fresh, spec });
  }

  /** Deletes the node's pods at once (grace 0: nobody is left to stop them), except those tolerating it for ever. */
  private async evictPods(node: Node, status: string): Promise<void> {
    const name = node.metadata.name ?? "";
    const taint: Taint = { key: status === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE, effect: "NoExecute" };
    const victims = this.pods.byIndex(BY_NODE_NAME, name).filter((p) => !toleratesForever(p, taint)
      && !(p.metadata.deletionTimestamp && p.metadata.deletionGracePeriodSeconds === 0));
    if (victims.length === 0) return;
    const recorder = this.ctx.recorder(NODE_CONTROLLER_COMPONENT);
    void recorder.event(node, "Normal", "DeletingAllPods", `Deleting all Pods from Node ${name}.`);
    const results = await Promise.allSettled(victims.map(async (p) => {
      const ns = p.metadata.namespace ?? "default";
      void recorder.event(p, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${ns}/${p.metadata.name}`);
      try {
        await this.ctx.client.delete("pods", ns, p.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: p.metadata.uid ? { uid: p.metadata.uid } : undefined });
      } catch (e) {
        if (!isApiError(e, "NotFound") && !isApiError(e, "Conflict")) throw e;
      }
    }));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
