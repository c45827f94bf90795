// The default Runtime: no containers run, but pods go through the kubelet's states on the
// injected clock — ContainerCreating, Running with a pod IP, ready (late on request), exits,
// crash-loop and image-pull back-off, restartPolicy — with events and plausible logs.
import { createHash } from "node:crypto";
import { setMaxListeners } from "node:events";
import { badRequest } from "../../api/errors.ts";
import type { Condition, Container, ContainerState, ContainerStatus, Pod } from "../../api/types.ts";
import { parseGoDuration, SIM_PREFIX, simBehaviour } from "./annotations.ts";
import { IpPool } from "./ip-pool.ts";
import { LogBuffer } from "./log-buffer.ts";
import type { ContainerLogQuery, PodRuntimeStatus, Runtime, RuntimeContext } from "./runtime.ts";
import { deepCopy } from "../../api/copy.ts";

// The reason every cancelled timer aborts with: abort() without one makes a DOMException (and
// its stack trace) each time, a measurable cost with thousands of containers starting at once.
const CANCELLED = new Error("timers cancelled");

export interface SimulatedRuntimeOptions {
  /** First crash-loop / image-pull back-off and its cap (the kubelet's: 10 s and 5 min). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Start delay when no annotation gives one: a random value in [min, max] ms (default 300–800). */
  startDelayMs?: [number, number];
  /** How long an exited container or a failed pull shows before the kubelet acts on it (default 1 s). */
  syncDelayMs?: number;
}

interface SimContainer {
  name: string;
  init: boolean;
  spec: Container;
  image: string;
  imageID: string;
  state: ContainerState;
  lastState: ContainerState;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  /** Log of each instance still referenced (current and last state), by container ID. */
  logs: Map<string, LogBuffer>;
  /** Timers of the current instance (ready, exit, log lines, back-off). */
  timers: AbortController;
  startedMs: number;
  /** Next crash back-off; 0 means the next restart is immediate (the kubelet's first restart). */
  backoffMs: number;
  pullBackoffMs: number;
  pullAnnounced: boolean;
}

interface SimPod {
  uid: string;
  pod: Pod;
  ip?: string;
  sandboxReady: boolean;
  startTime: string;
  inits: SimContainer[];
  containers: SimContainer[];
  conds: Map<string, Condition>;
  timers: AbortController;
  killing?: Promise<void>;
  stopped: boolean;
}

/** metav1.Time on the wire: whole seconds. */
const wire = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, "Z");
const hex = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Go's time.Duration.String for whole milliseconds: 500ms, 10s, 1m20s, 5m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalS = ms / 1000;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = Number((totalS % 60).toFixed(3));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** The fully qualified reference containerd reports: docker.io/library/nginx:latest. */
export function normalizeImage(image: string): { full: string; repo: string } {
  let name = image;
  let digest: string | undefined;
  const at = name.indexOf("@");
  if (at >= 0) { digest = name.slice(at + 1); name = name.slice(0, at); }
  let tag: string | undefined;
  const colon = name.lastIndexOf(":");
  if (colon > name.lastIndexOf("/")) { tag = name.slice(colon + 1); name = name.slice(0, colon); }
  const first = name.split("/")[0]!;
  const hasDomain = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const repo = hasDomain ? name : `docker.io/${name.includes("/") ? name : `library/${name}`}`;
  return { repo, full: digest ? `${repo}@${digest}` : `${repo}:${tag ?? "latest"}` };
}

const isNginx = (image: string): boolean => /(^|\/)nginx(-unprivileged)?$/.test(normalizeImage(image).repo);

/** Creates the simulated runtime; deterministic given the context's clock and random source. */
export function createSimulatedRuntime(opts: SimulatedRuntimeOptions = {}): Runtime {
  return new SimulatedRuntime(opts);
}

class SimulatedRuntime implements Runtime {
  private readonly base: number;
  private readonly cap: number;
  private readonly startRange: [number, number];
  private readonly syncDelay: number;
  private ctx?: RuntimeContext;
  private pool?: IpPool;
  private readonly byUid = new Map<string, SimPod>();
  private readonly images = new Set<string>();
  private readonly all = new AbortController();

  constructor(opts: SimulatedRuntimeOptions) {
    this.base = opts.backoffBaseMs ?? 10_000;
    this.cap = opts.backoffCapMs ?? 300_000;
    this.startRange = opts.startDelayMs ?? [300, 800];
    this.syncDelay = opts.syncDelayMs ?? 1000;
    // One listener per pod being stopped: thousands at once are expected, not a leak.
    setMaxListeners(0, this.all.signal);
  }

  attach(ctx: RuntimeContext): void {
    this.ctx = ctx;
    this.pool = new IpPool(ctx.podCIDR);
  }

  private get c(): RuntimeContext {
    if (!this.ctx) throw new Error("runtime used before attach()");
    return this.ctx;
  }

  private now(): Date {
    return this.c.clock.now();
  }

  pods(): string[] {
    return [...this.byUid.keys()];
  }

  sync(pod: Pod): void {
    const uid = pod.metadata.uid ?? "";
    const known = this.byUid.get(uid);
    if (known) {
      known.pod = pod;
      return;
    }
    const p = this.newPod(pod);
    this.byUid.set(uid, p);
    if (!this.adopt(p)) this.begin(p);
    this.c.changed(uid);
  }

  kill(pod: Pod, gracePeriodSeconds: number): Promise<void> {
    const p = this.byUid.get(pod.metadata.uid ?? "");
    if (!p) return Promise.resolve();
    p.pod = pod;
    p.killing ??= this.stopPod(p, gracePeriodSeconds);
    return p.killing;
  }

  remove(uid: string): void {
    const p = this.byUid.get(uid);
    if (!p) return;
    p.timers.abort(CANCELLED);
    for (const c of [...p.inits, ...p.containers]) {
      c.timers.abort(CANCELLED);
      for (const l of c.logs.values()) l.close();
    }
    if (p.ip) this.pool?.release(p.ip);
    this.byUid.delete(uid);
  }

  close(): void {
    this.all.abort(CANCELLED);
    for (const p of this.byUid.values()) {
      p.timers.abort(CANCELLED);
      for (const c of [...p.inits, ...p.containers]) {
        c.timers.abort(CANCELLED);
        for (const l of c.logs.values()) l.close();
      }
    }
    this.byUid.clear();
  }

  status(uid: string): PodRuntimeStatus | undefined {
    const p = this.byUid.get(uid);
    if (!p) return undefined;
    const phase = this.phaseOf(p);
    const containerStatuses = p.containers.map((c) => this.statusOf(c));
    const unready = p.containers.filter((c) => !c.ready).map((c) => c.name);
    const set = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
      const status = ok ? "True" : "False";
      const prev = p.conds.get(type);
      const cond: Condition = { type, status, lastProbeTime: null,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : wire(this.now()) };
      if (reason) cond.reason = reason;
      if (message) cond.message = message;
      p.conds.set(type, cond);
      return cond;
    };
    const terminal = phase === "Succeeded" || phase === "Failed";
    const readyReason = phase === "Succeeded" ? "PodCompleted" : unready.length > 0 ? "ContainersNotReady" : undefined;
    const readyMsg = phase !== "Succeeded" && unready.length > 0 ? `containers with unready status: [${unready.join(" ")}]` : undefined;
    const allReady = unready.length === 0 && phase !== "Succeeded";
    const conditions = [
      set("PodReadyToStartContainers", p.sandboxReady && !terminal && !p.stopped),
      p.inits.length === 0 || p.sandboxReady ? set("Initialized", true)
        : set("Initialized", false, "ContainersNotInitialized", `containers with incomplete status: [${p.inits.map((c) => c.name).join(" ")}]`),
      set("Ready", allReady, readyReason, readyMsg),
      set("ContainersReady", allReady, readyReason, readyMsg),
    ];
    const out: PodRuntimeStatus = { phase, conditions, containerStatuses, hostIP: this.c.hostIP, startTime: p.startTime };
    if (p.inits.length > 0) out.initContainerStatuses = p.inits.map((c) => this.statusOf(c));
    if (p.ip && p.sandboxReady) out.podIP = p.ip;
    return out;
  }

  logs(uid: string, container: string, q: ContainerLogQuery): string | AsyncIterable<string> {
    const p = this.byUid.get(uid);
    const podName = p?.pod.metadata.name ?? "";
    if (!p) throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
    const c = [...p.containers, ...p.inits].find((x) => x.name === container);
    if (!c) throw badRequest(`container ${container} is not valid for pod ${podName}`);
    let id: string | undefined;
    if (q.previous) {
      id = c.lastState.terminated?.containerID;
      if (!id || !c.logs.has(id)) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    } else if (c.state.running || c.state.terminated) {
      id = c.containerID;
    } else if (c.lastState.terminated) {
      // Waiting to restart (back-off): the kubelet serves the instance that last exited.
      id = c.lastState.terminated.containerID;
    } else {
      throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${c.state.waiting?.reason ?? "ContainerCreating"}`);
    }
    const buf = id ? c.logs.get(id) : undefined;
    if (!buf) return q.follow ? (async function* () { /* nothing kept */ })() : "";
    return buf.read(q, this.now());
  }

  // ---- lifecycle ----

  private newPod(pod: Pod): SimPod {
    const mk = (spec: Container, init: boolean): SimContainer => ({
      name: spec.name, init, spec, image: normalizeImage(spec.image ?? "").full, imageID: "",
      state: { waiting: { reason: init || !(pod.spec.initContainers ?? []).length ? "ContainerCreating" : "PodInitializing" } },
      lastState: {}, ready: false, started: false, restartCount: 0, logs: new Map(),
      timers: new AbortController(), startedMs: 0, backoffMs: 0, pullBackoffMs: this.base, pullAnnounced: false,
    });
    return {
      uid: pod.metadata.uid ?? "", pod, sandboxReady: false, startTime: wire(this.now()),
      inits: (pod.spec.initContainers ?? []).map((s) => mk(s, true)),
      containers: (pod.spec.containers ?? []).map((s) => mk(s, false)),
      conds: new Map(), timers: new AbortController(), stopped: false,
    };
  }

  /** Runs fn after ms unless the signal aborts first; tells the minion afterwards. */
  private after(p: SimPod, signal: AbortSignal, ms: number, fn: () => void): void {
    this.c.clock.sleep(Math.max(0, ms), signal).then(() => {
      if (signal.aborted || this.byUid.get(p.uid) !== p) return;
      fn();
      this.c.changed(p.uid);
    }, () => { /* cancelled */ });
  }

  private ann(p: SimPod, key: string): string | undefined {
    return p.pod.metadata.annotations?.[`${SIM_PREFIX}${key}`];
  }

  private begin(p: SimPod): void {
    for (const c of [...p.inits, ...p.containers]) {
      if (this.needsPull(c)) this.announcePull(p, c);
    }
    const [lo, hi] = this.startRange;
    const delay = parseGoDuration(this.ann(p, "start-delay")) ?? lo + Math.floor(this.c.random() * (hi - lo + 1));
    this.after(p, p.timers.signal, delay, () => this.sandbox(p));
  }

  private sandbox(p: SimPod): void {
    if (p.killing) return;
    const ip = this.pool!.allocate();
    if (!ip) {
      this.event(p, "Warning", "FailedCreatePodSandBox",
        `Failed to create pod sandbox: plugin type="bridge" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${this.pool!.range}`);
      this.after(p, p.timers.signal, this.base, () => this.sandbox(p));
      return;
    }
    p.ip = ip;
    p.sandboxReady = true;
    for (const c of p.inits) {
      this.startContainer(p, c);
      if (c.state.running) this.terminate(p, c, 0);
    }
    for (const c of p.containers) {
      if (c.state.waiting?.reason === "PodInitializing") c.state = { waiting: { reason: "ContainerCreating" } };
      const extra = parseGoDuration(p.pod.metadata.annotations?.[`${SIM_PREFIX}start-delay.${c.name}`]) ?? 0;
      if (extra > 0) this.after(p, c.timers.signal, extra, () => this.startContainer(p, c));
      else this.startContainer(p, c);
    }
  }

  private needsPull(c: SimContainer): boolean {
    const tagLatest = /:latest$/.test(c.image) && !(c.spec.image ?? "").includes("@");
    const policy = c.spec.imagePullPolicy ?? (tagLatest ? "Always" : "IfNotPresent");
    if (policy === "Never") return false;
    return policy === "Always" || !this.images.has(c.image);
  }

  private announcePull(p: SimPod, c: SimContainer): void {
    if (c.pullAnnounced) return;
    c.pullAnnounced = true;
    this.event(p, "Normal", "Pulling", `Pulling image "${c.spec.image ?? ""}"`, c);
  }

  private startContainer(p: SimPod, c: SimContainer): void {
    if (p.killing || p.stopped) return;
    const b = simBehaviour(p.pod.metadata.annotations, c.name);
    const now = this.now();
    const image = c.spec.image ?? "";
    if (b.failImagePull) {
      this.announcePull(p, c);
      c.pullAnnounced = false;
      this.pullFailed(p, c);
      return;
    }
    if (this.needsPull(c) || c.pullAnnounced) {
      this.announcePull(p, c);
      const took = 200 + Math.floor(this.c.random() * 2000);
      const size = parseInt(hex(c.image).slice(0, 7), 16) % 150_000_000 + 1_000_000;
      this.event(p, "Normal", "Pulled", `Successfully pulled image "${image}" in ${goDuration(took)} (${goDuration(took)} including waiting). Image size: ${size} bytes.`, c);
    } else {
      this.event(p, "Normal", "Pulled", `Container image "${image}" already present on machine`, c);
    }
    c.pullAnnounced = false;
    this.images.add(c.image);
    const { repo } = normalizeImage(c.spec.image ?? "");
    c.imageID = `${repo}@sha256:${hex(c.image)}`;
    c.containerID = `containerd://${hex(`${this.c.nodeName}/${p.uid}/${c.name}/${c.restartCount}/${now.getTime()}`)}`;
    c.logs.set(c.containerID, new LogBuffer());
    this.pruneLogs(c);
    this.event(p, "Normal", "Created", `Created container: ${c.name}`, c);
    this.event(p, "Normal", "Started", `Started container ${c.name}`, c);
    c.timers.abort(CANCELLED);
    c.timers = new AbortController();
    this.run(p, c, now, b.readyDelayMs, b.exitAfterMs, b.exitCode, b.logEveryMs);
    this.writeStartLines(p, c, now);
  }

  /** Puts the container in the running state at `startedAt` and arms its timers (also used to adopt). */
  private run(p: SimPod, c: SimContainer, startedAt: Date, readyDelay: number | undefined, exitAfter: number | undefined,
    exitCode: number | undefined, logEvery: number | undefined): void {
    const now = this.now().getTime();
    c.state = { running: { startedAt: wire(startedAt) } };
    c.started = true;
    c.startedMs = startedAt.getTime();
    const sig = c.timers.signal;
    if (!c.init) {
      const readyIn = readyDelay === undefined ? 0 : c.startedMs + readyDelay - now;
      if (readyIn <= 0) c.ready = true;
      else {
        c.ready = false;
        this.after(p, sig, readyIn, () => {
          c.ready = true;
          this.log(c, `[skiff-sim] container "${c.name}" is ready`);
        });
      }
    }
    if (exitAfter !== undefined) {
      this.after(p, sig, c.startedMs + exitAfter - now, () => this.terminate(p, c, exitCode ?? 0));
    }
    const script = simBehaviour(p.pod.metadata.annotations, c.name).logScript;
    for (const line of script ?? []) {
      const at = c.startedMs + line.atMs - now;
      if (at <= 0) this.log(c, line.text);
      else this.after(p, sig, at, () => this.log(c, line.text));
    }
    if (logEvery !== undefined && logEvery > 0) {
      let n = 0;
      const tick = (): void => {
        this.after(p, sig, logEvery, () => {
          this.log(c, `[skiff-sim] ${c.name} is alive (${++n})`);
          tick();
        });
      };
      tick();
    }
  }

  private pullFailed(p: SimPod, c: SimContainer): void {
    const image = c.spec.image ?? "";
    const detail = `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`;
    c.state = { waiting: { reason: "ErrImagePull", message: detail } };
    c.ready = false;
    c.started = false;
    this.event(p, "Warning", "Failed", `Failed to pull image "${image}": ${detail}`, c);
    this.event(p, "Warning", "Failed", "Error: ErrImagePull", c);
    c.timers.abort(CANCELLED);
    c.timers = new AbortController();
    const sig = c.timers.signal;
    const wait = c.pullBackoffMs;
    c.pullBackoffMs = Math.min(wait * 2, this.cap);
    this.after(p, sig, this.syncDelay, () => {
      c.state = { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${image}": ErrImagePull: ${detail}` } };
      this.event(p, "Normal", "BackOff", `Back-off pulling image "${image}"`, c);
      this.event(p, "Warning", "Failed", "Error: ImagePullBackOff", c);
      this.after(p, sig, wait, () => this.startContainer(p, c));
    });
  }

  /** The container's process ended with `exitCode`; then restartPolicy decides. */
  private terminate(p: SimPod, c: SimContainer, exitCode: number): void {
    const running = c.state.running;
    if (!running) return;
    if (!c.init && !simBehaviour(p.pod.metadata.annotations, c.name).logScript) this.log(c, `[skiff-sim] container "${c.name}" exiting with code ${exitCode}`);
    c.state = { terminated: { exitCode, reason: exitCode === 0 ? "Completed" : "Error", startedAt: running.startedAt,
      finishedAt: wire(this.now()), containerID: c.containerID } };
    c.ready = false;
    c.started = false;
    c.timers.abort(CANCELLED);
    c.timers = new AbortController();
    if (c.containerID) c.logs.get(c.containerID)?.close();
    if (!c.init) this.afterExit(p, c);
  }

  private restarts(p: SimPod, exitCode: number): boolean {
    const policy = p.pod.spec.restartPolicy ?? "Always";
    return policy === "Always" || (policy === "OnFailure" && exitCode !== 0);
  }

  private afterExit(p: SimPod, c: SimContainer): void {
    const t = c.state.terminated;
    if (!t || p.killing || !this.restarts(p, t.exitCode)) return;
    // As the kubelet: a container that ran for twice the cap starts its back-off afresh.
    if (this.now().getTime() - c.startedMs > 2 * this.cap) c.backoffMs = 0;
    const sig = c.timers.signal;
    if (c.backoffMs === 0) {
      c.backoffMs = this.base;
      this.after(p, sig, this.syncDelay, () => this.restart(p, c));
      return;
    }
    const delay = c.backoffMs;
    c.backoffMs = Math.min(delay * 2, this.cap);
    this.after(p, sig, Math.min(this.syncDelay, delay), () => this.crashLoop(p, c, delay, sig));
  }

  private crashLoop(p: SimPod, c: SimContainer, delay: number, sig: AbortSignal): void {
    const { name, namespace } = p.pod.metadata;
    if (c.state.terminated) c.lastState = c.state;
    c.state = { waiting: { reason: "CrashLoopBackOff",
      message: `back-off ${goDuration(delay)} restarting failed container=${c.name} pod=${name}_${namespace}(${p.uid})` } };
    this.event(p, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${name}_${namespace}(${p.uid})`, c);
    this.after(p, sig, Math.max(0, delay - this.syncDelay), () => this.restart(p, c));
  }

  private restart(p: SimPod, c: SimContainer): void {
    if (c.state.terminated) c.lastState = c.state;
    c.restartCount++;
    this.startContainer(p, c);
  }

  private async stopPod(p: SimPod, grace: number): Promise<void> {
    p.timers.abort(CANCELLED);
    for (const c of [...p.inits, ...p.containers]) c.timers.abort(CANCELLED);
    const stopDelays = p.containers.map((c) => simBehaviour(p.pod.metadata.annotations, c.name).stopDelayMs ?? 0);
    const wanted = Math.max(0, ...stopDelays);
    const delay = Math.min(wanted, grace * 1000);
    for (const c of p.containers) {
      if (!c.state.running) continue;
      this.event(p, "Normal", "Killing", `Stopping container ${c.name}`, c);
      if (isNginx(c.spec.image ?? "")) this.log(c, `${nginxTime(this.now())} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down`);
      else this.log(c, "[skiff-sim] received SIGTERM, shutting down");
    }
    this.c.changed(p.uid);
    try {
      await this.c.clock.sleep(delay, this.all.signal);
    } catch {
      return;
    }
    // A container still running when the grace period ran out is killed (SIGKILL: 137).
    const code = wanted > grace * 1000 ? 137 : 0;
    for (const c of p.containers) {
      const running = c.state.running;
      c.timers.abort(CANCELLED);
      if (!running) continue;
      c.state = { terminated: { exitCode: code, reason: code === 0 ? "Completed" : "Error", startedAt: running.startedAt,
        finishedAt: wire(this.now()), containerID: c.containerID } };
      c.ready = false;
      c.started = false;
      if (c.containerID) c.logs.get(c.containerID)?.close();
    }
    p.stopped = true;
    if (this.byUid.get(p.uid) === p) this.c.changed(p.uid);
  }

  /**
   * Takes over a pod whose stored status says it was started by an earlier run of this
   * minion: its IP, container IDs, restart counts and timers carry on. False when there is
   * nothing to adopt (or its IP is taken), so the pod starts afresh.
   */
  private adopt(p: SimPod): boolean {
    const st = p.pod.status;
    if (!st?.podIP || !(st.containerStatuses ?? []).some((s) => s.containerID)) return false;
    if (!this.pool!.reserve(st.podIP)) return false;
    p.ip = st.podIP;
    p.sandboxReady = true;
    if (st.startTime) p.startTime = st.startTime;
    for (const cond of st.conditions ?? []) p.conds.set(cond.type, cond);
    const restore = (c: SimContainer, s: ContainerStatus | undefined): void => {
      if (!s) { this.startContainer(p, c); return; }
      c.restartCount = s.restartCount ?? 0;
      c.lastState = s.lastState ?? {};
      c.containerID = s.containerID;
      c.imageID = s.imageID ?? "";
      c.backoffMs = c.restartCount > 0 ? Math.min(this.base * 2 ** (c.restartCount - 1), this.cap) : 0;
      for (const id of [s.containerID, s.lastState?.terminated?.containerID]) {
        if (id && !c.logs.has(id)) c.logs.set(id, new LogBuffer());
      }
      const state = s.state ?? {};
      if (state.running) {
        const startedAt = new Date(state.running.startedAt ?? this.now().toISOString());
        this.writeStartLines(p, c, startedAt);
        this.images.add(c.image);
        if (c.init) { c.state = state; return; }
        const b = simBehaviour(p.pod.metadata.annotations, c.name);
        this.run(p, c, startedAt, s.ready ? undefined : b.readyDelayMs, b.exitAfterMs, b.exitCode, b.logEveryMs);
        if (s.ready) c.ready = true;
      } else if (state.terminated) {
        c.state = state;
        if (c.containerID) c.logs.get(c.containerID)?.close();
        if (!c.init) {
          c.startedMs = Date.parse(state.terminated.startedAt ?? "") || this.now().getTime();
          this.afterExit(p, c);
        }
      } else if (c.lastState.terminated && !c.init) {
        c.state = state;
        this.after(p, c.timers.signal, c.backoffMs, () => this.restart(p, c));
        c.backoffMs = Math.min(c.backoffMs * 2, this.cap);
      } else {
        this.startContainer(p, c);
      }
      this.pruneLogs(c);
    };
    for (const c of p.inits) restore(c, (st.initContainerStatuses ?? []).find((s) => s.name === c.name));
    for (const c of p.containers) restore(c, (st.containerStatuses ?? []).find((s) => s.name === c.name));
    return true;
  }

  // ---- status and logs ----

  private statusOf(c: SimContainer): ContainerStatus {
    const s: ContainerStatus = {
      name: c.name, state: c.state, lastState: c.lastState, ready: c.ready, restartCount: c.restartCount,
      image: c.image, imageID: c.imageID, started: c.started,
    };
    const id = c.state.running || c.state.terminated ? c.containerID : c.lastState.terminated?.containerID;
    if (id) s.containerID = id;
    return deepCopy(s);
  }

  /** The kubelet's getPhase. */
  private phaseOf(p: SimPod): PodRuntimeStatus["phase"] {
    if (!p.sandboxReady) return "Pending";
    let running = 0, waiting = 0, stopped = 0, succeeded = 0;
    for (const c of p.containers) {
      if (c.state.running) running++;
      else if (c.state.terminated) { stopped++; if (c.state.terminated.exitCode === 0) succeeded++; }
      else if (c.lastState.terminated) stopped++;
      else waiting++;
    }
    if (waiting > 0) return "Pending";
    if (running > 0) return "Running";
    if (stopped === 0) return "Pending";
    if (p.stopped) return stopped === succeeded ? "Succeeded" : "Failed";
    const policy = p.pod.spec.restartPolicy ?? "Always";
    if (policy === "Always") return "Running";
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running";
  }

  private log(c: SimContainer, text: string): void {
    if (c.containerID) c.logs.get(c.containerID)?.append(this.now(), text);
  }

  private writeStartLines(p: SimPod, c: SimContainer, at: Date): void {
    const buf = c.containerID ? c.logs.get(c.containerID) : undefined;
    if (!buf || buf.length > 0) return;
    // A scripted log is the container's whole log.
    if (simBehaviour(p.pod.metadata.annotations, c.name).logScript) return;
    const image = c.spec.image ?? "";
    if (isNginx(image)) {
      const tag = /:(\d+(?:\.\d+){0,2})/.exec(image)?.[1];
      const version = tag ? (tag.split(".").length === 3 ? tag : `${tag}${".0".repeat(3 - tag.split(".").length)}`) : "1.27.3";
      const t = nginxTime(at);
      for (const line of [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        `${t} [notice] 1#1: using the "epoll" event method`,
        `${t} [notice] 1#1: nginx/${version}`,
        `${t} [notice] 1#1: start worker processes`,
      ]) buf.append(at, line);
      return;
    }
    buf.append(at, `[skiff-sim] starting container "${c.name}" from image ${image}`);
    const argv = [...(c.spec.command ?? []), ...(c.spec.args ?? [])];
    if (argv.length > 0) buf.append(at, `[skiff-sim] command: ${argv.map(shellQuote).join(" ")}`);
    buf.append(at, `[skiff-sim] container "${c.name}" is running`);
  }

  /** Keeps only the logs of the current instance and of the last terminated one. */
  private pruneLogs(c: SimContainer): void {
    const keep = new Set([c.containerID, c.lastState.terminated?.containerID]);
    for (const [id, buf] of c.logs) {
      if (keep.has(id)) continue;
      buf.close();
      c.logs.delete(id);
    }
  }

  private event(p: SimPod, type: "Normal" | "Warning", reason: string, message: string, c?: SimContainer): void {
    const fieldPath = c ? `spec.${c.init ? "initContainers" : "containers"}{${c.name}}` : undefined;
    this.c.event(p.pod, type, reason, message, fieldPath);
  }
}

function nginxTime(d: Date): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 10).replaceAll("-", "/")} ${iso.slice(11, 19)}`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}
