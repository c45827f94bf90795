// A minion: the kubelet's role as an API client. Registers (or adopts) its Node, posts status
// heartbeats, watches the pods bound to it and runs them through a Runtime, writing their
// status back only when it changed; confirms graceful deletions.
import { jsonCopy } from "../../api/copy.ts";
import { badRequest, isApiError } from "../../api/errors.ts";
import { jsonEqual } from "../../api/patch.ts";
import type { Node, Pod, PodStatus } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { Clock } from "../../deps.ts";
import type { LogRequest } from "../apiserver/api-server.ts";
import { EventRecorder } from "../controllers/events.ts";
import { keyOf } from "../controllers/informer.ts";
import { Backoff, KeyQueue } from "../controllers/key-queue.ts";
import { pickPodCidr } from "./ip-pool.ts";
import { startLogServer, type LogServer } from "./log-server.ts";
import { newNode, nodeConditions, nodeLabels, nodeStatus, randomUuid, type NodeShape } from "./node-object.ts";
import { ownPodSource, type NodePods, type PodSource } from "./pod-source.ts";
import type { PodRuntimeStatus, Runtime } from "./runtime.ts";
import { createSimulatedRuntime } from "./simulated-runtime.ts";

export interface MinionOptions {
  client: ApiClient;
  /** The Node's name (a DNS-1123 subdomain). */
  name: string;
  /** Capacity (default cpu "4", memory "8Gi", pods 110). */
  cpu?: string;
  memory?: string;
  pods?: number;
  /** Extra Node labels, on top of kubernetes.io/hostname, os and arch. */
  labels?: Record<string, string>;
  /** Pod CIDR; default: the node's existing one, else a free /24 of 10.128.0.0/14. */
  podCIDR?: string;
  /** The node's InternalIP (default 127.0.0.1); the log server listens there. */
  address?: string;
  clock: Clock;
  random: () => number;
  /** Status heartbeat period (default 10 s, the kubelet's nodeStatusUpdateFrequency). */
  heartbeatMs?: number;
  /** Default: the simulated runtime. */
  runtime?: Runtime;
  /**
   * Serve container logs over HTTPS (for a control plane in another process): port 0 picks a
   * free one; requests need `Authorization: Bearer <token>`. Without it the Node reports port 0.
   */
  logServer?: { port: number; token: string; certPem: string; keyPem: string; listen?: string };
  /**
   * Where the pods bound to this node come from; default: its own `spec.nodeName=<name>` watch.
   * Minions sharing a process pass one shared source, so they cost one watch between them.
   */
  podSource?: PodSource;
  /** Background failures (heartbeats, syncs, events); each is retried regardless. */
  onError?: (err: unknown) => void;
}

export interface Minion {
  readonly name: string;
  readonly runtime: Runtime;
  readonly podCIDR: string;
  /** The log server's port (the Node's kubeletEndpoint), 0 when there is none. */
  readonly logPort: number;
  /** The Node as last written by this minion. */
  node(): Node;
  /** The pod bound to this minion under namespace/name, as last seen. */
  pod(namespace: string, name: string): Pod | undefined;
  /** A container's log (LogRequest as the API server passes it); ApiError 400 as the kubelet answers. */
  logs(req: LogRequest): Promise<string | AsyncIterable<string>>;
  /** Resolves once the pods present at start are synced and nothing is queued. */
  idle(): Promise<void>;
  /** Stops heartbeats, watches and timers. The Node and its pods stay: a restarted minion adopts them. */
  stop(): Promise<void>;
}

/** Pod CIDRs claimed by minions of this process whose Node may not be listed yet. */
const claimedCidrs = new Map<string, string>();

const wire = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, "Z");

/** Retries of a node status write after a conflict (the kubelet's nodeStatusUpdateRetry). */
const NODE_STATUS_RETRIES = 5;

/**
 * Registers the node and starts the minion. Resolves once the Node is written (pods are then
 * picked up in the background); rejects when the Node cannot be registered.
 */
export async function startMinion(opts: MinionOptions): Promise<Minion> {
  const m = new MinionImpl(opts);
  await m.start();
  return m;
}

class MinionImpl implements Minion {
  readonly name: string;
  readonly runtime: Runtime;
  podCIDR = "";
  logPort = 0;
  private readonly opts: MinionOptions;
  private readonly client: ApiClient;
  private readonly clock: Clock;
  private readonly ac = new AbortController();
  private readonly recorder: EventRecorder;
  private readonly informer: NodePods;
  private readonly queue: KeyQueue;
  private shape!: NodeShape;
  private current!: Node;
  private logServer?: LogServer;
  private loops: Promise<void>[] = [];
  private readonly uidOfKey = new Map<string, string>();
  private readonly keyOfUid = new Map<string, string>();
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly stoppedUids = new Set<string>();
  /** Our last write of each pod, newer than the informer's copy until the watch catches up. */
  private readonly written = new Map<string, Pod>();
  private podsReady: Promise<void> = Promise.resolve();

  constructor(opts: MinionOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.client = opts.client;
    this.clock = opts.clock;
    this.runtime = opts.runtime ?? createSimulatedRuntime();
    this.recorder = new EventRecorder(opts.client, {
      source: { component: "kubelet", host: opts.name }, clock: opts.clock,
      onError: (e) => this.report(e),
    });
    this.informer = (opts.podSource ?? ownPodSource(opts.client, { clock: opts.clock, onError: (e) => this.report(e) })).forNode(opts.name);
    this.queue = new KeyQueue((key) => this.syncPod(key), {
      workers: 4, clock: opts.clock,
      backoff: new Backoff({ baseMs: 200, capMs: 30_000, clock: opts.clock }),
      onError: (_key, e) => this.report(e),
    });
  }

  private report(e: unknown): void {
    if (!this.ac.signal.aborted) this.opts.onError?.(e);
  }

  async start(): Promise<void> {
    if (this.opts.logServer) {
      this.logServer = await startLogServer({
        ...this.opts.logServer, listen: this.opts.logServer.listen ?? this.opts.address ?? "127.0.0.1",
        pod: (ns, name) => this.pod(ns, name), logs: (req) => this.logs(req),
      });
      this.logPort = this.logServer.port;
    }
    try {
      this.current = await this.register();
    } catch (e) {
      await this.logServer?.close();
      throw e;
    }
    this.runtime.attach({
      nodeName: this.name, hostIP: this.shape.address, podCIDR: this.podCIDR, clock: this.clock, random: this.opts.random,
      changed: (uid) => { const k = this.keyOfUid.get(uid); if (k) this.queue.add(k); },
      event: (pod, type, reason, message, fieldPath) => {
        void this.recorder.event({ kind: "Pod", apiVersion: "v1", namespace: pod.metadata.namespace, name: pod.metadata.name,
          uid: pod.metadata.uid }, type, reason, message, fieldPath);
      },
    });
    this.loops.push(this.heartbeats());
    this.informer.start();
    this.podsReady = this.adoptThenWatch();
  }

  // ---- the Node ----

  private async register(): Promise<Node> {
    const o = this.opts;
    let existing: Node | undefined;
    try {
      existing = await this.client.get("nodes", undefined, this.name);
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
    this.podCIDR = existing?.spec?.podCIDR || o.podCIDR || await this.choosePodCidr();
    this.shape = {
      name: this.name, cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? 110, labels: o.labels ?? {},
      podCIDR: this.podCIDR, address: o.address ?? "127.0.0.1", logPort: this.logPort, bootID: randomUuid(o.random),
    };
    const now = wire(this.clock.now());
    const nodeRef = { kind: "Node", name: this.name, uid: this.name };
    void this.recorder.event(nodeRef, "Normal", "Starting", "Starting kubelet.");
    let node: Node;
    let changed: string[];
    if (!existing) {
      try {
        node = await this.client.create("nodes", undefined, newNode(this.shape, now));
        changed = ["MemoryPressure", "DiskPressure", "PIDPressure", "Ready"];
      } catch (e) {
        // Another start under the same name won the race: adopt what it wrote.
        if (!isApiError(e, "AlreadyExists")) throw e;
        existing = await this.client.get("nodes", undefined, this.name);
      }
    }
    if (existing) {
      let cur = existing;
      for (let attempt = 0; ; attempt++) {
        const labels = { ...(cur.metadata.labels ?? {}), ...nodeLabels(this.shape) };
        const needsSpec = !cur.spec?.podCIDR;
        if (!needsSpec && sameMap(labels, cur.metadata.labels)) break;
        try {
          const spec = needsSpec ? { ...(cur.spec ?? {}), podCIDR: this.podCIDR, podCIDRs: [this.podCIDR] } : cur.spec;
          cur = await this.client.update("nodes", undefined, { ...cur, metadata: { ...cur.metadata, labels }, spec });
          break;
        } catch (e) {
          if (!isApiError(e, "Conflict") || attempt >= NODE_STATUS_RETRIES) throw e;
          cur = await this.client.get("nodes", undefined, this.name);
        }
      }
      this.current = cur;
      const res = await this.writeNodeStatus();
      node = res.node;
      changed = res.changed;
    }
    for (const type of changed!) void this.recorder.event(nodeRef, "Normal", CONDITION_EVENTS[type]!, `Node ${this.name} status is now: ${CONDITION_EVENTS[type]}`);
    return node!;
  }

  private async choosePodCidr(): Promise<string> {
    const nodes = await this.client.list("nodes", undefined);
    const taken = new Set<string>(claimedCidrs.keys());
    for (const n of nodes.items) {
      if (n.spec?.podCIDR) taken.add(n.spec.podCIDR);
      for (const c of n.spec?.podCIDRs ?? []) taken.add(c);
    }
    const cidr = pickPodCidr(taken);
    claimedCidrs.set(cidr, this.name);
    return cidr;
  }

  /** Writes the node status (fresh heartbeat), re-reading the Node after a conflict. */
  private async writeNodeStatus(): Promise<{ node: Node; changed: string[] }> {
    for (let attempt = 0; ; attempt++) {
      const { conditions, changed } = nodeConditions(this.current.status?.conditions, wire(this.clock.now()));
      const body: Node = { ...this.current, status: { ...(this.current.status ?? {}), ...nodeStatus(this.shape, conditions) } };
      try {
        this.current = await this.client.updateStatus("nodes", undefined, body);
        return { node: this.current, changed };
      } catch (e) {
        if (!isApiError(e, "Conflict") || attempt >= NODE_STATUS_RETRIES) throw e;
        this.current = await this.client.get("nodes", undefined, this.name);
      }
    }
  }

  private async heartbeats(): Promise<void> {
    const period = this.opts.heartbeatMs ?? 10_000;
    for (;;) {
      try {
        await this.clock.sleep(period, this.ac.signal);
      } catch {
        return;
      }
      if (this.ac.signal.aborted) return;
      try {
        const { changed } = await this.writeNodeStatus();
        for (const type of changed) {
          void this.recorder.event({ kind: "Node", name: this.name, uid: this.name }, "Normal", CONDITION_EVENTS[type]!,
            `Node ${this.name} status is now: ${CONDITION_EVENTS[type]}`);
        }
      } catch (e) {
        // The Node was deleted under us: register it again, as a restarted kubelet would.
        if (isApiError(e, "NotFound")) {
          try { this.current = await this.register(); } catch (e2) { this.report(e2); }
        } else this.report(e);
      }
    }
  }

  node(): Node {
    return this.current;
  }

  // ---- pods ----

  private async adoptThenWatch(): Promise<void> {
    try {
      await this.informer.synced;
    } catch {
      return;
    }
    // Pods that already have an IP are adopted first, so a new pod cannot take their address.
    for (const pod of this.informer.list()) {
      if (pod.status?.podIP && !pod.metadata.deletionTimestamp) {
        this.track(keyOf(pod), pod.metadata.uid ?? "");
        this.runtime.sync(pod);
      }
    }
    const enqueue = (p: Pod): void => this.queue.add(keyOf(p));
    this.informer.addEventHandler({ onAdd: enqueue, onUpdate: (_o, n) => enqueue(n), onDelete: enqueue });
  }

  private track(key: string, uid: string): void {
    const old = this.uidOfKey.get(key);
    if (old && old !== uid) this.untrack(key, old);
    this.uidOfKey.set(key, uid);
    this.keyOfUid.set(uid, key);
  }

  private untrack(key: string, uid: string): void {
    this.runtime.remove(uid);
    if (this.uidOfKey.get(key) === uid) this.uidOfKey.delete(key);
    this.keyOfUid.delete(uid);
    this.stopping.delete(uid);
    this.stoppedUids.delete(uid);
    this.written.delete(uid);
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.informer.get(`${namespace}/${name}`);
  }

  private async syncPod(key: string): Promise<void> {
    const cached = this.informer.get(key);
    if (!cached) {
      const uid = this.uidOfKey.get(key);
      if (uid) this.untrack(key, uid);
      return;
    }
    const uid = cached.metadata.uid ?? "";
    const mine = this.written.get(uid);
    const pod = mine && rvNewer(mine, cached) ? { ...cached, status: mine.status, metadata: { ...cached.metadata, resourceVersion: mine.metadata.resourceVersion } } : cached;
    if (mine && !rvNewer(mine, cached)) this.written.delete(uid);
    this.track(key, uid);
    if (pod.metadata.deletionTimestamp) return this.confirmDeletion(key, pod);
    const terminal = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
    // A finished pod this runtime never ran (nothing to adopt) stays as it is: it never restarts.
    if (terminal && !this.runtime.status(uid) && !pod.status?.podIP) return;
    this.runtime.sync(pod);
    const rs = this.runtime.status(uid);
    if (rs) await this.writePodStatus(pod, rs);
  }

  private async confirmDeletion(key: string, pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? "";
    if (!this.stopping.has(uid)) {
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      this.stopping.set(uid, this.runtime.kill(pod, grace).then(() => {
        this.stoppedUids.add(uid);
        this.queue.add(key);
      }));
    }
    if (!this.stoppedUids.has(uid)) return;
    try {
      await this.client.delete("pods", pod.metadata.namespace, pod.metadata.name ?? "", { gracePeriodSeconds: 0, preconditions: { uid } });
    } catch (e) {
      // Already gone, or a new pod took the name: either way this one is finished.
      if (!isApiError(e, "NotFound") && !isApiError(e, "Conflict")) throw e;
    }
    this.untrack(key, uid);
  }

  private async writePodStatus(pod: Pod, rs: PodRuntimeStatus): Promise<void> {
    let base = pod;
    for (let attempt = 0; attempt < 3; attempt++) {
      const next = mergeStatus(base.status, rs);
      if (jsonEqual(next, base.status ?? {})) return;
      const body = {
        apiVersion: "v1", kind: "Pod",
        metadata: { name: base.metadata.name, namespace: base.metadata.namespace, uid: base.metadata.uid, resourceVersion: base.metadata.resourceVersion },
        spec: base.spec, status: next,
      } as Pod;
      try {
        const saved = await this.client.updateStatus("pods", base.metadata.namespace, body);
        this.written.set(pod.metadata.uid ?? "", saved);
        return;
      } catch (e) {
        if (isApiError(e, "NotFound")) return;
        if (!isApiError(e, "Conflict")) throw e;
        base = await this.client.get("pods", pod.metadata.namespace, pod.metadata.name ?? "");
        if (base.metadata.uid !== pod.metadata.uid || base.metadata.deletionTimestamp) return;
      }
    }
    throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name}: status kept conflicting`);
  }

  async logs(req: LogRequest): Promise<string | AsyncIterable<string>> {
    const uid = req.pod.metadata.uid ?? "";
    if (!this.runtime.status(uid)) {
      throw badRequest(`container "${req.container}" in pod "${req.pod.metadata.name ?? ""}" is waiting to start: ContainerCreating`);
    }
    return this.runtime.logs(uid, req.container, {
      follow: req.follow, previous: req.previous, timestamps: req.timestamps, tailLines: req.tailLines,
      sinceSeconds: req.sinceSeconds, sinceTime: req.sinceTime, limitBytes: req.limitBytes, signal: req.signal,
    });
  }

  async idle(): Promise<void> {
    await this.podsReady;
    await this.queue.idle();
  }

  async stop(): Promise<void> {
    if (this.ac.signal.aborted) return;
    this.ac.abort();
    await this.informer.stop();
    await this.queue.shutDown();
    await Promise.allSettled(this.loops);
    this.runtime.close();
    this.recorder.stop();
    await this.logServer?.close();
    if (claimedCidrs.get(this.podCIDR) === this.name) claimedCidrs.delete(this.podCIDR);
  }
}

const CONDITION_EVENTS: Record<string, string> = {
  MemoryPressure: "NodeHasSufficientMemory",
  DiskPressure: "NodeHasNoDiskPressure",
  PIDPressure: "NodeHasSufficientPID",
  Ready: "NodeReady",
};

/** The stored status with the runtime's part written over it; other conditions (PodScheduled…) kept. */
export function mergeStatus(prev: PodStatus | undefined, rs: PodRuntimeStatus): PodStatus {
  const ours = new Set(rs.conditions.map((c) => c.type));
  const next: PodStatus = {
    ...(prev ?? {}),
    phase: rs.phase,
    conditions: [...rs.conditions, ...(prev?.conditions ?? []).filter((c) => !ours.has(c.type))],
    hostIP: rs.hostIP,
    hostIPs: [{ ip: rs.hostIP }],
    startTime: rs.startTime,
    containerStatuses: rs.containerStatuses,
  };
  if (rs.podIP) { next.podIP = rs.podIP; next.podIPs = [{ ip: rs.podIP }]; }
  else { delete next.podIP; delete next.podIPs; }
  if (rs.initContainerStatuses) next.initContainerStatuses = rs.initContainerStatuses;
  return jsonCopy(next);
}

function sameMap(a: Record<string, string>, b: Record<string, string> | undefined): boolean {
  const bk = Object.keys(b ?? {});
  return bk.length === Object.keys(a).length && bk.every((k) => a[k] === b![k]);
}

/** Whether `a` was written after `b` (skiff's resourceVersions are increasing integers). */
function rvNewer(a: Pod, b: Pod): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b.metadata.resourceVersion);
  return Number.isFinite(x) && Number.isFinite(y) && x > y;
}
