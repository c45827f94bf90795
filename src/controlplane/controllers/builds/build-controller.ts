// The build controller: moves each Build through New → Pending → Running → Complete/Failed/
// Error/Cancelled. It honours the BuildConfig's run policy, runs the build as pod `<build>-build`
// on a minion (the simulated runtime plays a scripted S2I/Docker log and exits), pushes the
// image to the output ImageStreamTag on success, and cancels on request.
import { createHash } from "node:crypto";
import { isApiError } from "../../../api/errors.ts";
import type { Build, BuildConfig, ImageStream } from "../../../api/openshift-types.ts";
import type { EnvVar, Pod } from "../../../api/types.ts";
import { BUILD_CONFIG_LABEL, BUILD_NUMBER_ANNOTATION, BUILD_START_POLICY_LABEL } from "../../apiserver/actions/builds.ts";
import { REGISTRY_HOST } from "../../apiserver/strategies/image-stream.ts";
import { SIM_PREFIX } from "../../minion/annotations.ts";
import { keyOf } from "../informer.ts";
import { KeyQueue } from "../key-queue.ts";
import { wireTime, type Controller, type ControllerContext } from "../shared.ts";
import { buildLogScript } from "./build-log.ts";
import { randomHex, splitStreamRef, strategyType, withPushedEvent } from "./image-refs.ts";

export const BUILD_COMPONENT = "build-controller";
/** Label and annotation naming a build pod's build. */
export const BUILD_NAME_LABEL = "openshift.io/build.name";
/** Pod annotation holding the digest the simulated push reports. */
export const BUILD_DIGEST_ANNOTATION = `${SIM_PREFIX}build-image-digest`;
/** Build or BuildConfig annotation that makes a simulated build fail on purpose. */
export const BUILD_FAIL_ANNOTATION = `${SIM_PREFIX}build-fail`;
/** Strategy env variable that makes a simulated build fail on purpose. */
export const BUILD_FAIL_ENV = "SKIFF_SIMULATE_BUILD_FAILURE";
/** The builder image build pods run, as OpenShift's. */
export const BUILDER_IMAGE = "quay.io/openshift/origin-docker-builder:latest";

const TERMINAL = new Set(["Complete", "Failed", "Error", "Cancelled"]);
const RETRIES = 10;

export interface BuildControllerOptions {
  /** Builds synced at once (default 5). */
  workers?: number;
  /** Pause between lines of a simulated build log (default 150 ms). */
  stepMs?: number;
}

const isTerminal = (b: Build): boolean => TERMINAL.has(b.status?.phase ?? "");
const numberOf = (b: Build): number => Number(b.metadata.annotations?.[BUILD_NUMBER_ANNOTATION] ?? 0);
const isTrue = (v: string | undefined): boolean => /^(true|1|yes)$/i.test((v ?? "").trim());

/** The strategy env of a build (source, docker or custom). */
function strategyEnv(b: Build): EnvVar[] {
  const s = b.spec.strategy ?? {};
  return (s.sourceStrategy ?? s.dockerStrategy ?? s.customStrategy)?.env ?? [];
}

/** Status with the phase's condition on top, as OpenShift keeps one condition per phase. */
function withPhase(b: Build, phase: string, now: Date, extra: Partial<NonNullable<Build["status"]>> = {}): Build {
  const t = wireTime(now);
  const conditions = ((b.status?.["conditions"] ?? []) as { type: string; status: string }[])
    .map((c) => (c.status === "True" ? { ...c, status: "False", lastTransitionTime: t } : c))
    .filter((c) => c.type !== phase);
  conditions.unshift({ type: phase, status: "True", lastUpdateTime: t, lastTransitionTime: t } as { type: string; status: string });
  const status = { ...(b.status ?? {}), ...extra, phase, conditions };
  if (phase !== "New" && phase !== "Failed" && phase !== "Error" && extra.reason === undefined) { delete status.reason; delete status.message; }
  return { ...b, status };
}

/** What the output reference names: the stream tag to push to, and the pull spec of the push. */
function outputOf(b: Build): { ns: string; stream?: string; tag?: string; ref?: string } {
  const ns = b.metadata.namespace ?? "";
  const to = b.spec.output?.to;
  if (!to?.name) return { ns };
  if (to.kind === "DockerImage") return { ns, ref: to.name };
  const target = to.namespace || ns;
  const { stream, tag } = splitStreamRef(to.name);
  return { ns: target, stream, tag: tag ?? "latest", ref: `${REGISTRY_HOST}/${target}/${stream}:${tag ?? "latest"}` };
}

/**
 * Reconciles builds (one key = one build). Level-triggered: everything it decides comes from
 * the build, its BuildConfig's other builds and its pod, so a restart converges.
 */
export class BuildController implements Controller {
  readonly name = "build";
  readonly resources = ["builds", "pods", "buildconfigs", "imagestreams"] as const;
  private readonly ctx: ControllerContext;
  private readonly queue: KeyQueue;
  private readonly stepMs: number;
  private started = false;

  constructor(ctx: ControllerContext, opts: BuildControllerOptions = {}) {
    this.ctx = ctx;
    this.stepMs = opts.stepMs ?? 150;
    this.queue = new KeyQueue((key) => this.sync(key), {
      workers: opts.workers ?? 5, clock: ctx.clock, onError: (key, err) => ctx.onError(`build ${key}`, err),
    });
  }

  private get builds() { return this.ctx.informers.get("builds"); }
  private get pods() { return this.ctx.informers.get("pods"); }
  private get configs() { return this.ctx.informers.get("buildconfigs"); }
  private get streams() { return this.ctx.informers.get("imagestreams"); }

  register(): void {
    this.builds.addEventHandler({
      onAdd: (b) => this.enqueue(keyOf(b)),
      onUpdate: (o, b) => {
        this.enqueue(keyOf(b));
        // A build leaving the running set may let the next one of its BuildConfig start.
        if (!isTerminal(o) && isTerminal(b)) this.enqueueSiblings(b);
      },
      onDelete: (b) => this.enqueueSiblings(b),
    });
    const podChanged = (p: Pod): void => {
      const build = p.metadata.labels?.[BUILD_NAME_LABEL];
      if (build && p.metadata.namespace) this.enqueue(`${p.metadata.namespace}/${build}`);
    };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
    // A missing output stream holds builds in New; its creation lets them go.
    this.streams.addEventHandler({
      onAdd: (is) => {
        for (const b of this.builds.listNamespace(is.metadata.namespace ?? "")) if (b.status?.phase === "New") this.enqueue(keyOf(b));
      },
    });
  }

  run(): void {
    this.started = true;
    for (const b of this.builds.list()) if (!isTerminal(b)) this.queue.add(keyOf(b));
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
  }

  private enqueueSiblings(b: Build): void {
    for (const s of this.siblings(b)) if (!isTerminal(s)) this.enqueue(keyOf(s));
  }

  /** Other builds of the same BuildConfig. */
  private siblings(b: Build): Build[] {
    const bc = b.status?.config?.name ?? b.metadata.labels?.[BUILD_CONFIG_LABEL];
    if (!bc) return [];
    return this.builds.listNamespace(b.metadata.namespace ?? "")
      .filter((s) => s.metadata.name !== b.metadata.name && (s.status?.config?.name ?? s.metadata.labels?.[BUILD_CONFIG_LABEL]) === bc);
  }

  /** Syncs one build. Exposed for tests. */
  async sync(key: string): Promise<void> {
    const b = this.builds.get(key);
    if (!b || isTerminal(b)) return;
    const now = this.ctx.clock.now();
    if (b.status?.cancelled) return this.cancel(b, now);
    const phase = b.status?.phase ?? "New";
    if (phase === "New") return this.start(b, now);
    return this.follow(b, now);
  }

  private podName(b: Build): string {
    return `${b.metadata.name}-build`;
  }

  private async writeStatus(b: Build): Promise<void> {
    await this.ctx.client.updateStatus("builds", b.metadata.namespace, b);
  }

  private async deletePod(b: Build): Promise<void> {
    try {
      await this.ctx.client.delete("pods", b.metadata.namespace, this.podName(b));
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }

  private async cancel(b: Build, now: Date): Promise<void> {
    await this.deletePod(b);
    const extra: Partial<NonNullable<Build["status"]>> = { reason: "CancelledBuild", message: "The build was cancelled by the user.", completionTimestamp: wireTime(now) };
    if (b.status?.startTimestamp) extra.duration = durationNs(b.status.startTimestamp, extra.completionTimestamp!);
    await this.writeStatus(withPhase(b, "Cancelled", now, extra));
    this.ctx.recorder(BUILD_COMPONENT).event(b, "Normal", "BuildCancelled", `Build ${b.metadata.namespace}/${b.metadata.name} is now cancelled`);
  }

  /**
   * May this New build leave New under its run policy? Serial and SerialLatestOnly: nothing
   * else of the BC past New, and no older New build; SerialLatestOnly first cancels older
   * queued builds. Parallel: only a running serial build holds it back.
   */
  private async runnable(b: Build): Promise<boolean> {
    const policy = b.metadata.labels?.[BUILD_START_POLICY_LABEL] ?? "Serial";
    const others = this.siblings(b).filter((s) => !isTerminal(s));
    const active = (s: Build): boolean => s.status?.phase === "Pending" || s.status?.phase === "Running";
    if (policy === "Parallel") {
      return !others.some((s) => active(s) && (s.metadata.labels?.[BUILD_START_POLICY_LABEL] ?? "Serial") !== "Parallel");
    }
    const olderQueued = others.filter((s) => s.status?.phase === "New" && numberOf(s) < numberOf(b));
    if (policy === "SerialLatestOnly") {
      // A newer queued build supersedes this one.
      if (others.some((s) => s.status?.phase === "New" && numberOf(s) > numberOf(b))) {
        if (!b.status?.cancelled) await this.writeStatus({ ...b, status: { ...(b.status ?? {}), cancelled: true } });
        return false;
      }
      for (const s of olderQueued) {
        if (!s.status?.cancelled) await this.writeStatus({ ...s, status: { ...(s.status ?? {}), cancelled: true } });
      }
      return !others.some(active);
    }
    return !others.some(active) && olderQueued.length === 0;
  }

  private shouldFail(b: Build): boolean {
    if (isTrue(b.metadata.annotations?.[BUILD_FAIL_ANNOTATION])) return true;
    const bc = this.configs.get(`${b.metadata.namespace}/${b.status?.config?.name ?? ""}`) as BuildConfig | undefined;
    if (isTrue(bc?.metadata.annotations?.[BUILD_FAIL_ANNOTATION])) return true;
    return strategyEnv(b).some((e) => e.name === BUILD_FAIL_ENV && isTrue(e.value));
  }

  private async start(b: Build, now: Date): Promise<void> {
    if (!(await this.runnable(b))) return;
    const out = outputOf(b);
    if (out.stream && !this.streams.get(`${out.ns}/${out.stream}`)) {
      // Stays New until the stream exists (upstream: InvalidOutputReference).
      if (b.status?.reason !== "InvalidOutputReference") {
        await this.writeStatus({ ...b, status: { ...(b.status ?? {}), reason: "InvalidOutputReference", message: "Output image could not be resolved." } });
      }
      return;
    }
    const podName = this.podName(b);
    const existing = this.pods.get(`${b.metadata.namespace}/${podName}`);
    if (existing && existing.metadata.ownerReferences?.[0]?.uid !== b.metadata.uid) {
      await this.writeStatus(withPhase(b, "Error", now, { reason: "BuildPodExists", message: "The pod for this build already exists and is older than the build.", completionTimestamp: wireTime(now) }));
      return;
    }
    if (!existing) {
      try {
        await this.ctx.client.create("pods", b.metadata.namespace, this.buildPod(b, out.ref, now));
      } catch (e) {
        if (!isApiError(e, "AlreadyExists")) {
          if (b.status?.reason !== "CannotCreateBuildPod") {
            await this.writeStatus({ ...b, status: { ...(b.status ?? {}), reason: "CannotCreateBuildPod", message: "Failed creating build pod." } });
          }
          throw e;
        }
      }
    }
    const extra: Partial<NonNullable<Build["status"]>> = {};
    if (out.ref) extra.outputDockerImageReference = out.ref;
    await this.writeStatus(withPhase(b, "Pending", now, extra));
    this.ctx.recorder(BUILD_COMPONENT).event(b, "Normal", "BuildStarted", `Build ${b.metadata.namespace}/${b.metadata.name} is now pending`);
  }

  /** The build pod: one builder container, restartPolicy Never, steered by the simulation annotations. */
  buildPod(b: Build, outputRef: string | undefined, now: Date): Pod {
    const name = b.metadata.name ?? "";
    const type = strategyType(b.spec);
    const container = type === "Docker" ? "docker-build" : type === "Custom" ? "custom-build" : "sti-build";
    const digest = `sha256:${randomHex(this.ctx.random)}`;
    const fail = this.shouldFail(b);
    const script = buildLogScript({ build: b, outputRef, digest, stepMs: this.stepMs, fail, now });
    const last = script.at(-1)?.atMs ?? 0;
    const git = b.spec.source?.git;
    const env: EnvVar[] = [
      { name: "BUILD", value: JSON.stringify({ kind: "Build", apiVersion: "build.openshift.io/v1", metadata: { name, namespace: b.metadata.namespace, uid: b.metadata.uid }, spec: b.spec }) },
      { name: "LANG", value: "C.utf8" },
    ];
    if (git?.uri) env.push({ name: "SOURCE_REPOSITORY", value: git.uri }, { name: "SOURCE_URI", value: git.uri });
    if (b.spec.source?.contextDir) env.push({ name: "SOURCE_CONTEXT_DIR", value: b.spec.source.contextDir });
    if (git?.ref) env.push({ name: "SOURCE_REF", value: git.ref });
    if (outputRef) {
      const slash = outputRef.indexOf("/");
      env.push({ name: "OUTPUT_REGISTRY", value: outputRef.slice(0, slash) }, { name: "OUTPUT_IMAGE", value: outputRef.slice(slash + 1) });
    }
    env.push({ name: "BUILD_LOGLEVEL", value: "0" });
    const nodeSelector = b.spec["nodeSelector"];
    return {
      apiVersion: "v1", kind: "Pod",
      metadata: {
        name: this.podName(b), namespace: b.metadata.namespace,
        labels: { [BUILD_NAME_LABEL]: name.slice(0, 63), "openshift.io/build.start-policy": b.metadata.labels?.[BUILD_START_POLICY_LABEL] ?? "Serial" },
        annotations: {
          [BUILD_NAME_LABEL]: name,
          [BUILD_DIGEST_ANNOTATION]: digest,
          [`${SIM_PREFIX}log-script`]: JSON.stringify(script.map((l) => ({ at: `${l.atMs}ms`, text: l.text }))),
          [`${SIM_PREFIX}exit-after`]: `${last + this.stepMs}ms`,
          [`${SIM_PREFIX}exit-code`]: fail ? "1" : "0",
        },
        ownerReferences: [{ apiVersion: "build.openshift.io/v1", kind: "Build", name, uid: b.metadata.uid ?? "", controller: true }],
      },
      spec: {
        restartPolicy: "Never",
        ...(nodeSelector && typeof nodeSelector === "object" ? { nodeSelector: nodeSelector as Record<string, string> } : {}),
        containers: [{ name: container, image: BUILDER_IMAGE, args: [type === "Docker" ? "openshift-docker-build" : "openshift-sti-build", "--loglevel=0"], env }],
      },
    } as Pod;
  }

  private async follow(b: Build, now: Date): Promise<void> {
    let pod = this.pods.get(`${b.metadata.namespace}/${this.podName(b)}`);
    if (!pod) {
      // The cache may not have seen the pod it just created: ask the server before calling it lost.
      try {
        pod = await this.ctx.client.get("pods", b.metadata.namespace, this.podName(b));
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
        await this.writeStatus(withPhase(b, "Error", now, { reason: "BuildPodDeleted", message: "The pod for this build was deleted before the build completed.", completionTimestamp: wireTime(now) }));
        return;
      }
    }
    const podPhase = pod.status?.phase;
    const started = b.status?.startTimestamp ?? pod.status?.startTime ?? wireTime(now);
    if (podPhase === "Running" && b.status?.phase === "Pending") {
      await this.writeStatus(withPhase(b, "Running", now, { startTimestamp: started }));
      this.ctx.recorder(BUILD_COMPONENT).event(b, "Normal", "BuildRunning", `Build ${b.metadata.namespace}/${b.metadata.name} is now running`);
      return;
    }
    const completed = wireTime(now);
    const done = { startTimestamp: started, completionTimestamp: completed, duration: durationNs(started, completed) };
    if (podPhase === "Succeeded") {
      const digest = pod.metadata.annotations?.[BUILD_DIGEST_ANNOTATION] ?? `sha256:${createHash("sha256").update(pod.metadata.uid ?? "").digest("hex")}`;
      const out = outputOf(b);
      if (out.stream) await this.push(b, out.ns, out.stream, out.tag ?? "latest", digest, now);
      const output = { ...((b.status?.["output"] ?? {}) as Record<string, unknown>), to: { imageDigest: digest } };
      await this.writeStatus(withPhase(b, "Complete", now, { ...done, output }));
      this.ctx.recorder(BUILD_COMPONENT).event(b, "Normal", "BuildCompleted", `Build ${b.metadata.namespace}/${b.metadata.name} completed successfully`);
      return;
    }
    if (podPhase === "Failed") {
      await this.writeStatus(withPhase(b, "Failed", now, { ...done, reason: "GenericBuildFailed", message: "Generic Build failure - check logs for details.", logSnippet: "error: build error: while running runtime: exit status 1" }));
      this.ctx.recorder(BUILD_COMPONENT).event(b, "Warning", "BuildFailed", `Build ${b.metadata.namespace}/${b.metadata.name} failed`);
    }
  }

  /**
   * Records the pushed image in the stream's tag history (what the registry's ImageStreamMapping
   * does), creating the stream if it went away. Idempotent: an image already at the head is not
   * pushed again.
   */
  private async push(b: Build, ns: string, stream: string, tag: string, digest: string, now: Date): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let is: ImageStream;
      try {
        is = await this.ctx.client.get("imagestreams", ns, stream);
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
        is = await this.ctx.client.create("imagestreams", ns, { apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name: stream, namespace: ns } });
      }
      const head = is.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
      if (head?.image === digest) return;
      const repo = is.status?.dockerImageRepository || `${REGISTRY_HOST}/${ns}/${stream}`;
      const generation = is.spec?.tags?.find((t) => t.name === tag)?.generation ?? is.metadata.generation ?? 1;
      const status = withPushedEvent(is, tag, { created: wireTime(now), dockerImageReference: `${repo}@${digest}`, image: digest, generation });
      try {
        await this.ctx.client.updateStatus("imagestreams", ns, { ...is, status });
        return;
      } catch (e) {
        if (isApiError(e, "Conflict") && attempt < RETRIES) continue;
        throw e;
      }
    }
  }
}

/**
 * A build's duration in nanoseconds, between its start and completion timestamps — whole
 * seconds, as OpenShift computes it from its second-precision times (`get builds` prints `8s`).
 */
function durationNs(start: string, end: string): number {
  return Math.max(0, new Date(end).getTime() - new Date(start).getTime()) * 1e6;
}
