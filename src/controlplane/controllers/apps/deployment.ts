// The apps/v1 Deployment controller: one ReplicaSet per pod template (`NAME-<pod-template-hash>`),
// RollingUpdate bounded by maxSurge/maxUnavailable or Recreate, revisions, history cleanup, and
// the Deployment's status with its Available and Progressing conditions.
import { isApiError } from "../../../api/errors.ts";
import type { Deployment, ReplicaSet } from "../../../api/openshift-types.ts";
import type { Resource } from "../../../api/resources.ts";
import type { Condition, PodTemplateSpec } from "../../../api/types.ts";
import { surgeAndUnavailable } from "../deploymentconfigs/util.ts";
import { QueueController } from "../queue-controller.ts";
import { keyOf } from "../informer.ts";
import { BY_OWNER_UID, controllerRef, sameJson, wireTime, type ControllerContext } from "../shared.ts";
import { deepCopy } from "../../../api/copy.ts";

export const DEPLOYMENT_COMPONENT = "deployment-controller";
export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
const DESIRED = "deployment.kubernetes.io/desired-replicas";
const MAX = "deployment.kubernetes.io/max-replicas";

/** 32-bit FNV-1a of a string. */
function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** k8s.io/apimachinery rand.SafeEncodeString: each byte mapped onto vowel-free alphanumerics. */
export function safeEncode(s: string): string {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  let out = "";
  for (let i = 0; i < s.length; i++) out += alphabet[s.charCodeAt(i) % alphabet.length];
  return out;
}

/** The pod-template-hash label value of a template (stable for equal templates). */
export function podTemplateHash(t: PodTemplateSpec | undefined, collisionCount = 0): string {
  const text = JSON.stringify(canonical(t ?? {})) + (collisionCount ? String(collisionCount) : "");
  return safeEncode(String(fnv32a(text)));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The template without the pod-template-hash label (what a Deployment's template is compared with). */
function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  if (!t) return t;
  const c = deepCopy(t);
  if (c.metadata?.labels) {
    delete c.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
  }
  return c;
}

const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;

/** The Deployment controller (see file comment). Level-triggered over Deployments and their ReplicaSets. */
export class DeploymentController extends QueueController {
  readonly name = "deployment";
  readonly resources: readonly Resource[] = ["deployments", "replicasets"];

  constructor(ctx: ControllerContext) {
    super(ctx, 3);
  }

  private get deployments() { return this.ctx.informers.get("deployments"); }
  private get replicasets() { return this.ctx.informers.get("replicasets"); }

  register(): void {
    this.deployments.addEventHandler({ onAdd: (d) => this.enqueue(keyOf(d)), onUpdate: (_o, d) => this.enqueue(keyOf(d)) });
    const rsChanged = (rs: ReplicaSet): void => {
      const ref = controllerRef(rs);
      if (ref?.kind === "Deployment") this.enqueue(`${rs.metadata.namespace}/${ref.name}`);
    };
    this.replicasets.addEventHandler({ onAdd: rsChanged, onUpdate: (_o, rs) => rsChanged(rs), onDelete: rsChanged });
  }

  protected initialKeys(): string[] {
    return this.deployments.list().map(keyOf);
  }

  async sync(key: string): Promise<void> {
    const d = this.deployments.get(key);
    if (!d || d.metadata.deletionTimestamp) return;
    const ns = d.metadata.namespace;
    const all = this.replicasets.byIndex(BY_OWNER_UID, d.metadata.uid ?? "").filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
    const desired = d.spec.replicas ?? 1;
    let current = all.find((rs) => sameJson(withoutHash(rs.spec.template), d.spec.template));
    const olds = all.filter((rs) => rs !== current);
    const maxRevision = olds.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const recorder = this.ctx.recorder(DEPLOYMENT_COMPONENT);
    const rolling = d.spec.strategy?.type !== "Recreate";
    const { surge, unavailable } = surgeAndUnavailable(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired);
    if (d.spec.paused) {
      await this.writeStatus(d, all, current);
      return;
    }
    if (!current) {
      const hash = podTemplateHash(d.spec.template);
      const template = deepCopy(d.spec.template ?? { spec: { containers: [] } });
      template.metadata ??= {};
      template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH]: hash };
      const activeOld = olds.some((rs) => (rs.spec.replicas ?? 0) > 0);
      const rs: ReplicaSet = {
        apiVersion: "apps/v1", kind: "ReplicaSet",
        metadata: {
          name: `${d.metadata.name}-${hash}`, namespace: ns,
          labels: { ...template.metadata.labels },
          annotations: { [DESIRED]: String(desired), [MAX]: String(desired + (rolling ? surge : 0)), [REVISION]: String(maxRevision + 1) },
          ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: d.metadata.name ?? "", uid: d.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
        },
        spec: {
          replicas: activeOld ? 0 : desired,
          selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, [POD_TEMPLATE_HASH]: hash } },
          template,
          ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        },
      };
      current = await this.ctx.client.create("replicasets", ns, rs);
      if (!activeOld && desired > 0) void recorder.event(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${rs.metadata.name} from 0 to ${desired}`);
      await this.writeStatus(d, [...all, current], current, { reason: "NewReplicaSetCreated", message: `Created new replica set "${current.metadata.name}"` });
      return;
    }
    if (revisionOf(current) <= maxRevision) {
      current = await this.ctx.client.update("replicasets", ns, { ...current, metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [REVISION]: String(maxRevision + 1) } } });
    }
    const scaleRs = async (rs: ReplicaSet, n: number): Promise<ReplicaSet> => {
      const from = rs.spec.replicas ?? 0;
      const next = await this.ctx.client.update("replicasets", ns, { ...rs, metadata: { ...rs.metadata, annotations: { ...rs.metadata.annotations, [DESIRED]: String(desired), [MAX]: String(desired + (rolling ? surge : 0)) } }, spec: { ...rs.spec, replicas: n } });
      void recorder.event(d, "Normal", "ScalingReplicaSet", `Scaled ${n > from ? "up" : "down"} replica set ${rs.metadata.name} from ${from} to ${n}`);
      return next;
    };
    const oldSpec = olds.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const oldObserved = olds.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
    const oldAvail = olds.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    const newSpec = current.spec.replicas ?? 0;
    if (oldSpec === 0 && oldObserved === 0) {
      if (newSpec !== desired) await scaleRs(current, desired);
    } else if (!rolling) {
      for (const rs of olds) if ((rs.spec.replicas ?? 0) > 0) await scaleRs(rs, 0);
      if (oldObserved === 0 && newSpec !== desired) await scaleRs(current, desired);
    } else {
      let changed = false;
      if (newSpec < desired) {
        const up = Math.min(desired, desired + surge - oldSpec);
        if (up > newSpec) { current = await scaleRs(current, up); changed = true; }
      }
      if (!changed) {
        const newAvail = current.status?.availableReplicas ?? 0;
        let left = Math.min(oldSpec, Math.max(0, newAvail + oldAvail - (desired - unavailable)) + Math.max(0, oldSpec - oldAvail));
        for (const rs of [...olds].sort((a, b) => revisionOf(a) - revisionOf(b))) {
          const cur = rs.spec.replicas ?? 0;
          if (cur === 0 || left === 0) continue;
          const down = Math.max(0, cur - left);
          left -= cur - down;
          await scaleRs(rs, down);
        }
      }
    }
    await this.cleanup(d, olds);
    await this.writeStatus(d, this.replicasets.byIndex(BY_OWNER_UID, d.metadata.uid ?? ""), current);
  }

  private async cleanup(d: Deployment, olds: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        await this.ctx.client.delete("replicasets", rs.metadata.namespace, rs.metadata.name ?? "");
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
    }
  }

  private async writeStatus(d: Deployment, all: ReplicaSet[], current: ReplicaSet | undefined, created?: { reason: string; message: string }): Promise<void> {
    const now = wireTime(this.ctx.clock.now());
    const owned = all.filter((rs) => controllerRef(rs)?.uid === d.metadata.uid);
    let replicas = 0, ready = 0, available = 0, specTotal = 0;
    for (const rs of owned) {
      replicas += rs.status?.replicas ?? 0;
      ready += rs.status?.readyReplicas ?? 0;
      available += rs.status?.availableReplicas ?? 0;
      specTotal += rs.spec.replicas ?? 0;
    }
    const desired = d.spec.replicas ?? 1;
    const { unavailable } = surgeAndUnavailable(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired);
    const maxUnavailable = d.spec.strategy?.type === "Recreate" ? 0 : unavailable;
    const updated = current?.status?.replicas ?? 0;
    const conds: Condition[] = [];
    const prevOf = (type: string) => d.status?.conditions?.find((c) => c.type === type);
    const cond = (type: string, status: Condition["status"], reason: string, message: string, keepUpdate = false): void => {
      const prev = prevOf(type);
      if (prev && prev.status === status && prev.reason === reason && prev.message === message) { conds.push(prev); return; }
      conds.push({ type, status, lastUpdateTime: keepUpdate && prev?.lastUpdateTime ? prev.lastUpdateTime : now,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime ?? now : now, reason, message });
    };
    const minimum = available >= desired - maxUnavailable;
    cond("Available", minimum ? "True" : "False", minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
      minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.");
    const name = current?.metadata.name ?? "";
    const complete = current && updated === desired && replicas === desired && available >= desired && (current.status?.availableReplicas ?? 0) >= desired;
    if (d.spec.paused) cond("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
    else if (complete) cond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${name}" has successfully progressed.`);
    else if (created) cond("Progressing", "True", created.reason, created.message);
    else if (current) {
      const prev = prevOf("Progressing");
      const deadline = (d.spec.progressDeadlineSeconds ?? 600) * 1000;
      const since = Date.parse(prev?.lastUpdateTime ?? "") || this.ctx.clock.now().getTime();
      if (prev?.reason === "ProgressDeadlineExceeded" || (prev && prev.reason !== "NewReplicaSetAvailable" && this.ctx.clock.now().getTime() - since > deadline)) {
        cond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${name}" has timed out progressing.`);
      } else {
        cond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${name}" is progressing.`);
        this.enqueueAfter(keyOf(d), Math.min(deadline, 1000));
      }
    }
    const status: NonNullable<Deployment["status"]> = { observedGeneration: d.metadata.generation ?? 1 };
    if (replicas) status.replicas = replicas;
    if (updated) status.updatedReplicas = updated;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    const unav = Math.max(0, Math.max(specTotal, desired) - available);
    if (unav) status.unavailableReplicas = unav;
    status.conditions = conds;
    if (sameJson(status, d.status ?? {})) return;
    try {
      await this.ctx.client.updateStatus("deployments", d.metadata.namespace, { ...d, status });
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }
}
