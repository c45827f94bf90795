// The DeploymentConfig controller: image triggers → template, new versions (latestVersion and
// details), one RC per version, the deployer (Rolling and Recreate, timeouts, cancel, scale
// back on failure), the active RC's size, history pruning and the DC's status and conditions.
import { isApiError } from "../../../api/errors.ts";
import type { DeploymentConfig, ImageStream } from "../../../api/openshift-types.ts";
import type { Resource } from "../../../api/resources.ts";
import type { Condition, Pod, ReplicationController } from "../../../api/types.ts";
import { keyOf } from "../informer.ts";
import { BY_NAMESPACE, BY_OWNER_UID, sameJson, splitKey, wireTime, type ControllerContext } from "../shared.ts";
import { QueueController } from "../queue-controller.ts";
import {
  DC_LATEST_VERSION, DC_NAME, DEPLOYER_LOG, DEPLOYER_POD, DEPLOYER_POD_FOR, DEPLOYMENT_CANCELLED, DEPLOYMENT_NAME, DEPLOYMENT_PHASE,
  DEPLOYMENT_REPLICAS, DESIRED_REPLICAS, LAST_STEP, STATUS_REASON, decodeDc, detailsFor, isTerminal, newVersionCause,
  phaseOf, rcForVersion, rcNameFor, resolveImageTriggers, surgeAndUnavailable, triggerSource, versionOf, type DeploymentPhase,
} from "./util.ts";
import { deepCopy } from "../../../api/copy.ts";

export const DC_COMPONENT = "deploymentconfig-controller";
/** The image the deployer pod claims to run (OpenShift's deployer). */
export const DEPLOYER_IMAGE = "quay.io/openshift/origin-deployer:latest";

const num = (v: unknown, dflt: number): number => (typeof v === "number" && Number.isFinite(v) ? v : dflt);

/**
 * Runs the DeploymentConfig controller and its deployer. Level-triggered: everything a rollout
 * needs (phase, desired replicas, when it last scaled, its log so far) lives on the version's
 * RC, so a restarted controller picks a rollout up where the RCs say it is.
 */
export class DeploymentConfigController extends QueueController {
  readonly name = "deploymentconfigs";
  readonly resources: readonly Resource[] = ["deploymentconfigs", "replicationcontrollers", "imagestreams"];

  constructor(ctx: ControllerContext) {
    super(ctx, 3);
  }

  private get dcs() { return this.ctx.informers.get("deploymentconfigs"); }
  private get rcs() { return this.ctx.informers.get("replicationcontrollers"); }
  private get streams() { return this.ctx.informers.get("imagestreams"); }

  register(): void {
    this.dcs.addEventHandler({ onAdd: (dc) => this.enqueue(keyOf(dc)), onUpdate: (_o, dc) => this.enqueue(keyOf(dc)) });
    const rcChanged = (rc: ReplicationController): void => {
      const dc = rc.metadata.annotations?.[DC_NAME];
      if (dc) this.enqueue(`${rc.metadata.namespace}/${dc}`);
    };
    this.rcs.addEventHandler({ onAdd: rcChanged, onUpdate: (_o, rc) => rcChanged(rc), onDelete: rcChanged });
    const streamChanged = (is: ImageStream): void => {
      for (const dc of this.dcs.list()) {
        for (const t of dc.spec?.triggers ?? []) {
          const src = t?.type === "ImageChange" ? triggerSource(t, dc.metadata.namespace ?? "default") : undefined;
          if (src && src.namespace === is.metadata.namespace && src.stream === is.metadata.name) this.enqueue(keyOf(dc));
        }
      }
    };
    this.streams.addEventHandler({ onAdd: streamChanged, onUpdate: (_o, is) => streamChanged(is) });
  }

  protected initialKeys(): string[] {
    return this.dcs.list().map(keyOf);
  }

  /** The RCs of a DC (owned by it, or carrying its name annotation), oldest version first. */
  private rcsOf(dc: DeploymentConfig): ReplicationController[] {
    const name = dc.metadata.name;
    const seen = new Map<string, ReplicationController>();
    for (const rc of this.rcs.byIndex(BY_OWNER_UID, dc.metadata.uid ?? "")) seen.set(keyOf(rc), rc);
    for (const rc of this.rcs.byIndex(BY_NAMESPACE, dc.metadata.namespace ?? "")) {
      if (rc.metadata.annotations?.[DC_NAME] === name) seen.set(keyOf(rc), rc);
    }
    return [...seen.values()].sort((a, b) => versionOf(a) - versionOf(b));
  }

  async sync(key: string): Promise<void> {
    const dc = this.dcs.get(key);
    if (!dc || dc.metadata.deletionTimestamp) return;
    const { namespace } = splitKey(key);
    const name = dc.metadata.name ?? "";
    // 1. Automatic image triggers write the resolved image into the template (§4.3).
    if (!dc.spec.paused) {
      const resolved = resolveImageTriggers(dc, (ns, n) => this.streams.get(`${ns}/${n}`));
      if (resolved) {
        await this.ctx.client.update("deploymentconfigs", namespace, resolved);
        return;
      }
    }
    const rcs = this.rcsOf(dc);
    const version = dc.status?.latestVersion ?? 0;
    const latest = rcs.find((rc) => rc.metadata.name === rcNameFor(name, version));
    // 2. A new version when a trigger says so.
    if (version === 0 || latest) {
      const cause = newVersionCause(dc, latest);
      if (cause) {
        const status = { ...dc.status, latestVersion: version + 1, details: detailsFor(cause) };
        await this.ctx.client.updateStatus("deploymentconfigs", namespace, { ...dc, status });
        return;
      }
    }
    // 3. The RC of the latest version.
    if (version > 0 && !latest) {
      await this.cancelOlder(rcs, "newer deployment was found running");
      const created = await this.ctx.client.create("replicationcontrollers", namespace, rcForVersion(dc));
      void this.ctx.recorder(DC_COMPONENT).event(dc, "Normal", "DeploymentCreated", `Created new replication controller "${created.metadata.name}" for version ${version}`);
      await this.writeStatus(dc, [...rcs, created], created);
      return;
    }
    // 4. The deployer, while the latest version is in flight.
    if (latest && !isTerminal(phaseOf(latest))) {
      await this.deploy(dc, latest, rcs.filter((rc) => rc !== latest));
    } else {
      await this.reconcileActive(dc, rcs, latest);
    }
    await this.writeStatus(dc, this.rcsOf(dc), this.rcsOf(dc).find((rc) => rc.metadata.name === rcNameFor(name, version)));
  }

  private async cancelOlder(rcs: ReplicationController[], reason: string): Promise<void> {
    for (const rc of rcs) {
      if (isTerminal(phaseOf(rc))) continue;
      await this.updateRc(rc, (r) => {
        r.metadata.annotations![DEPLOYMENT_CANCELLED] = "true";
        r.metadata.annotations![STATUS_REASON] = reason;
        r.metadata.annotations![DEPLOYMENT_PHASE] = "Failed";
      });
    }
  }

  private async updateRc(rc: ReplicationController, mutate: (rc: ReplicationController) => void): Promise<ReplicationController> {
    const next = deepCopy(rc);
    next.metadata.annotations ??= {};
    mutate(next);
    if (sameJson(next, rc)) return rc;
    return this.ctx.client.update("replicationcontrollers", rc.metadata.namespace, next);
  }

  private appendLog(rc: ReplicationController, lines: string[]): void {
    const prev = rc.metadata.annotations![DEPLOYER_LOG];
    rc.metadata.annotations![DEPLOYER_LOG] = [...(prev ? [prev] : []), ...lines].join("\n");
  }

  /** Scales `rc` to n (recording the step and a log line). */
  private async scale(rc: ReplicationController, n: number, line: string | undefined, log: ReplicationController = rc): Promise<void> {
    const now = wireTime(this.ctx.clock.now());
    if (log !== rc) {
      await this.updateRc(rc, (r) => { r.spec.replicas = n; });
      await this.updateRc(log, (r) => {
        r.metadata.annotations![LAST_STEP] = now;
        if (line) this.appendLog(r, [line]);
      });
      return;
    }
    await this.updateRc(rc, (r) => {
      r.spec.replicas = n;
      r.metadata.annotations![LAST_STEP] = now;
      if (line) this.appendLog(r, [line]);
    });
  }

  /** One step of the rollout of `rc`; re-queues itself while it waits. */
  private async deploy(dc: DeploymentConfig, rc: ReplicationController, others: ReplicationController[]): Promise<void> {
    const key = keyOf(dc);
    const now = this.ctx.clock.now();
    const desired = num(Number(rc.metadata.annotations?.[DESIRED_REPLICAS]), dc.spec.replicas ?? 0);
    const strategy = decodeDc(rc)?.spec.strategy ?? dc.spec.strategy ?? {};
    const rolling = strategy.type !== "Recreate";
    const params = (rolling ? strategy.rollingParams : strategy.recreateParams) ?? {};
    const interval = num(params["intervalSeconds"], 1) * 1000;
    const period = num(params["updatePeriodSeconds"], 1) * 1000;
    const timeout = num(params["timeoutSeconds"], 600) * 1000;
    const olds = others.filter((o) => (o.spec.replicas ?? 0) > 0 || (o.status?.replicas ?? 0) > 0);
    const name = rc.metadata.name ?? "";
    const phase = phaseOf(rc);
    if (rc.metadata.annotations?.[DEPLOYMENT_CANCELLED] === "true") {
      await this.fail(dc, rc, others, ["--> Deployment cancelled"], "Cancelled");
      return;
    }
    if (phase === "New" || phase === "Pending") {
      const { surge, unavailable } = surgeAndUnavailable(params["maxSurge"], params["maxUnavailable"], desired);
      const from = olds.reduce((n, o) => n + (o.spec.replicas ?? 0), 0);
      const first = olds.length === 0;
      const line = first ? `--> Scaling ${name} to ${desired}`
        : rolling ? `--> Scaling up ${name} from ${rc.spec.replicas ?? 0} to ${desired}, scaling down ${olds.map((o) => o.metadata.name).join(", ")} from ${from} to 0 (keep ${desired - unavailable} pods available, don't exceed ${desired + surge} pods)`
          : `--> Scaling ${olds.map((o) => o.metadata.name).join(", ")} down to zero`;
      await this.updateRc(rc, (r) => {
        r.metadata.annotations![DEPLOYMENT_PHASE] = "Running";
        r.metadata.annotations![LAST_STEP] = wireTime(now);
        this.appendLog(r, [line]);
      });
      this.queue.addAfter(key, 1);
      return;
    }
    const last = Date.parse(rc.metadata.annotations?.[LAST_STEP] ?? "") || now.getTime();
    const newSpec = rc.spec.replicas ?? 0;
    const newAvail = rc.status?.availableReplicas ?? 0;
    const oldSpec = olds.reduce((n, o) => n + (o.spec.replicas ?? 0), 0);
    const oldObserved = olds.reduce((n, o) => n + (o.status?.replicas ?? 0), 0);
    const oldAvail = olds.reduce((n, o) => n + (o.status?.availableReplicas ?? 0), 0);
    if (newSpec === desired && oldSpec === 0 && newAvail >= desired && (rc.status?.replicas ?? 0) === desired) {
      await this.complete(dc, rc);
      return;
    }
    if (now.getTime() - last > timeout) {
      await this.fail(dc, rc, others, [`error: update acceptor rejected ${name}: pods for rc '${rc.metadata.namespace}/${name}' took longer than ${timeout / 1000} seconds to become available`], "Failed");
      return;
    }
    const wait = (ms: number): void => this.queue.addAfter(key, Math.max(1, ms));
    if (now.getTime() - last < period) { wait(last + period - now.getTime()); return; }
    if (!rolling || olds.length === 0) {
      // Recreate (and a first rollout): old to zero, wait for their pods to go, then new up.
      if (oldSpec > 0) {
        for (const o of olds) if ((o.spec.replicas ?? 0) > 0) await this.scale(o, 0, undefined, rc);
        wait(interval);
        return;
      }
      if (oldObserved > 0) { wait(interval); return; }
      if (newSpec !== desired) {
        await this.scale(rc, desired, olds.length === 0 && rolling ? undefined : `--> Scaling ${name} to ${desired}`);
      }
      wait(interval);
      return;
    }
    const { surge, unavailable } = surgeAndUnavailable(params["maxSurge"], params["maxUnavailable"], desired);
    if (newSpec < desired) {
      const up = Math.min(desired, desired + surge - oldSpec);
      if (up > newSpec) {
        await this.scale(rc, up, `    Scaling ${name} up to ${up}`);
        wait(period);
        return;
      }
    }
    const removable = Math.min(oldSpec, Math.max(0, newAvail + oldAvail - (desired - unavailable)) + Math.max(0, oldSpec - oldAvail));
    if (removable > 0) {
      let left = removable;
      for (const o of olds) {
        const cur = o.spec.replicas ?? 0;
        if (cur === 0 || left === 0) continue;
        const down = Math.max(0, cur - left);
        left -= cur - down;
        await this.scale(o, down, `    Scaling ${o.metadata.name} down to ${down}`, rc);
      }
      wait(period);
      return;
    }
    wait(interval);
  }

  /** The deployer pod `<rc>-deploy`: a finished pod whose log is the rollout's. */
  private async ensureDeployerPod(rc: ReplicationController, log: string, ok: boolean, deadline: number): Promise<void> {
    const name = `${rc.metadata.name}-deploy`;
    const pod: Pod = {
      apiVersion: "v1", kind: "Pod",
      metadata: {
        name, namespace: rc.metadata.namespace,
        labels: { [DEPLOYER_POD_FOR]: rc.metadata.name ?? "" },
        annotations: {
          [DEPLOYMENT_NAME]: rc.metadata.name ?? "",
          // the minion's simulated runtime writes this script as the container's whole log
          "sim.skiff.io/log-script": JSON.stringify(log.split("\n").filter((l) => l !== "").map((text) => ({ at: "0s", text }))),
          "sim.skiff.io/start-delay": "0s",
          "sim.skiff.io/exit-after": "100ms",
          "sim.skiff.io/exit-code": ok ? "0" : "1",
        },
        ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: rc.metadata.name ?? "", uid: rc.metadata.uid ?? "" }],
      },
      spec: {
        containers: [{ name: "deployment", image: DEPLOYER_IMAGE, env: [
          { name: "OPENSHIFT_DEPLOYMENT_NAME", value: rc.metadata.name ?? "" },
          { name: "OPENSHIFT_DEPLOYMENT_NAMESPACE", value: rc.metadata.namespace ?? "" },
        ] }],
        restartPolicy: "Never",
        activeDeadlineSeconds: deadline,
        terminationGracePeriodSeconds: 10,
      },
    };
    try {
      await this.ctx.client.create("pods", rc.metadata.namespace, pod);
    } catch (e) {
      if (!isApiError(e, "AlreadyExists")) throw e;
    }
  }

  private async complete(dc: DeploymentConfig, rc: ReplicationController): Promise<void> {
    const log = [rc.metadata.annotations?.[DEPLOYER_LOG] ?? "", "--> Success"].filter(Boolean).join("\n");
    await this.ensureDeployerPod(rc, log, true, num(dc.spec.strategy?.activeDeadlineSeconds, 21600));
    await this.updateRc(rc, (r) => {
      r.metadata.annotations![DEPLOYMENT_PHASE] = "Complete";
      r.metadata.annotations![DEPLOYMENT_REPLICAS] = String(r.spec.replicas ?? 0);
      r.metadata.annotations![DEPLOYER_POD] = `${r.metadata.name}-deploy`;
      this.appendLog(r, ["--> Success"]);
    });
    void this.ctx.recorder(DC_COMPONENT).event(dc, "Normal", "RolloutComplete", `Rollout for "${dc.metadata.namespace}/${rc.metadata.name}" complete`);
  }

  /** Marks the version Failed, scales it to 0 and the last complete version back up. */
  private async fail(dc: DeploymentConfig, rc: ReplicationController, others: ReplicationController[], lines: string[], why: "Failed" | "Cancelled"): Promise<void> {
    const good = [...others].reverse().find((o) => phaseOf(o) === "Complete");
    if (good) {
      const want = num(Number(good.metadata.annotations?.[DEPLOYMENT_REPLICAS]), dc.spec.replicas ?? 0) || (dc.spec.replicas ?? 0);
      await this.updateRc(good, (r) => { r.spec.replicas = want; });
    }
    for (const o of others) if (o !== good && (o.spec.replicas ?? 0) > 0) await this.updateRc(o, (r) => { r.spec.replicas = 0; });
    const log = [rc.metadata.annotations?.[DEPLOYER_LOG] ?? "", ...lines].filter(Boolean).join("\n");
    await this.ensureDeployerPod(rc, log, false, num(dc.spec.strategy?.activeDeadlineSeconds, 21600));
    await this.updateRc(rc, (r) => {
      r.spec.replicas = 0;
      r.metadata.annotations![DEPLOYMENT_PHASE] = "Failed";
      r.metadata.annotations![DEPLOYER_POD] = `${r.metadata.name}-deploy`;
      if (why === "Cancelled") r.metadata.annotations![STATUS_REASON] ||= "cancelled by the user";
      this.appendLog(r, lines);
    });
    void this.ctx.recorder(DC_COMPONENT).event(dc, "Warning", why === "Cancelled" ? "RolloutCancelled" : "DeploymentFailed",
      why === "Cancelled" ? `Rollout for "${dc.metadata.namespace}/${rc.metadata.name}" cancelled` : `Rollout for "${dc.metadata.namespace}/${rc.metadata.name}" failed`);
  }

  /** With no rollout in flight: the active version at spec.replicas, every other at 0, old ones pruned. */
  private async reconcileActive(dc: DeploymentConfig, rcs: ReplicationController[], latest: ReplicationController | undefined): Promise<void> {
    const active = latest && phaseOf(latest) === "Complete" ? latest : [...rcs].reverse().find((rc) => phaseOf(rc) === "Complete");
    for (const rc of rcs) {
      const want = rc === active ? (dc.spec.test ? 0 : dc.spec.replicas ?? 0) : 0;
      if ((rc.spec.replicas ?? 0) !== want) {
        await this.updateRc(rc, (r) => {
          r.spec.replicas = want;
          if (rc === active) r.metadata.annotations![DESIRED_REPLICAS] = String(want);
        });
      }
    }
    const limit = dc.spec.revisionHistoryLimit ?? 10;
    const prunable = rcs.filter((rc) => rc !== active && rc !== latest && isTerminal(phaseOf(rc)) && (rc.status?.replicas ?? 0) === 0);
    for (const rc of prunable.slice(0, Math.max(0, prunable.length - limit))) {
      try {
        await this.ctx.client.delete("replicationcontrollers", rc.metadata.namespace, rc.metadata.name ?? "");
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
  }

  private async writeStatus(dc: DeploymentConfig, rcs: ReplicationController[], latest: ReplicationController | undefined): Promise<void> {
    const now = wireTime(this.ctx.clock.now());
    let replicas = 0, available = 0, ready = 0;
    for (const rc of rcs) {
      replicas += rc.status?.replicas ?? 0;
      available += rc.status?.availableReplicas ?? 0;
      ready += rc.status?.readyReplicas ?? 0;
    }
    const desired = dc.spec.replicas ?? 0;
    const rp = dc.spec.strategy?.rollingParams;
    const maxUnavailable = dc.spec.strategy?.type === "Rolling" ? surgeAndUnavailable(rp?.["maxSurge"], rp?.["maxUnavailable"], desired).unavailable : desired;
    const conds: Condition[] = [];
    const cond = (type: string, status: Condition["status"], reason: string, message: string): void => {
      const prev = dc.status?.conditions?.find((c) => c.type === type);
      const same = prev && prev.status === status && prev.reason === reason && prev.message === message;
      conds.push(same ? prev : {
        type, status, lastUpdateTime: now,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime ?? now : now, reason, message,
      });
    };
    const minimum = available >= desired - maxUnavailable && (desired === 0 || available > 0 || desired - maxUnavailable <= 0);
    cond("Available", minimum ? "True" : "False", "", minimum ? "Deployment config has minimum availability." : "Deployment config does not have minimum availability.");
    if (latest) {
      const phase: DeploymentPhase = phaseOf(latest);
      const rcName = latest.metadata.name ?? "";
      if (phase === "Complete") cond("Progressing", "True", "NewReplicationControllerAvailable", `replication controller "${rcName}" successfully rolled out`);
      else if (phase === "Failed") {
        if (latest.metadata.annotations?.[DEPLOYMENT_CANCELLED] === "true") cond("Progressing", "False", "RolloutCancelled", `rollout of version ${latest.metadata.annotations?.[DC_LATEST_VERSION]} was cancelled`);
        else cond("Progressing", "False", "ProgressDeadlineExceeded", `replication controller "${rcName}" has failed progressing`);
      } else if (dc.spec.paused) cond("Progressing", "Unknown", "DeploymentConfigPaused", "Deployment config is paused");
      else cond("Progressing", "True", "NewReplicationControllerCreated", `Created new replication controller "${rcName}" for version ${dc.status?.latestVersion ?? 0}`);
    } else if (dc.spec.paused) cond("Progressing", "Unknown", "DeploymentConfigPaused", "Deployment config is paused");
    for (const c of conds) if (c.reason === "") delete c.reason;
    const status: NonNullable<DeploymentConfig["status"]> = {
      ...dc.status,
      latestVersion: dc.status?.latestVersion ?? 0,
      observedGeneration: dc.metadata.generation ?? 1,
      replicas, updatedReplicas: latest?.status?.replicas ?? 0, availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available), readyReplicas: ready,
      conditions: conds,
    };
    if (sameJson(status, dc.status ?? {})) return;
    try {
      await this.ctx.client.updateStatus("deploymentconfigs", dc.metadata.namespace, { ...dc, status });
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }
}
