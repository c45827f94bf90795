// The apps/v1 StatefulSet controller (ordered pods `NAME-0…`, claims from volumeClaimTemplates,
// OrderedReady or Parallel, ordered scale-down and rolling updates) and the PVC binder that
// makes claims Bound.
import { isApiError } from "../../../api/errors.ts";
import type { StatefulSet } from "../../../api/openshift-types.ts";
import type { Resource } from "../../../api/resources.ts";
import type { PersistentVolumeClaim, Pod } from "../../../api/types.ts";
import { QueueController } from "../queue-controller.ts";
import { keyOf } from "../informer.ts";
import { isPodReady } from "../pod-ordering.ts";
import { BY_OWNER_UID, controllerRef, sameJson, type ControllerContext } from "../shared.ts";
import { podTemplateHash } from "./deployment.ts";
import { deepCopy } from "../../../api/copy.ts";

export const STATEFULSET_COMPONENT = "statefulset-controller";
export const REVISION_LABEL = "controller-revision-hash";
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

const ordinalOf = (set: string, pod: Pod): number => {
  const n = pod.metadata.name ?? "";
  const m = n.startsWith(`${set}-`) ? /^\d+$/.exec(n.slice(set.length + 1)) : null;
  return m ? Number(m[0]) : -1;
};
const runningAndReady = (p: Pod): boolean => p.status?.phase === "Running" && isPodReady(p) && !p.metadata.deletionTimestamp;

/** The claim name of template `t` for ordinal i: `<template>-<set>-<i>`. */
export const claimName = (t: string, set: string, i: number): string => `${t}-${set}-${i}`;

/** The StatefulSet controller (see file comment). */
export class StatefulSetController extends QueueController {
  readonly name = "statefulset";
  readonly resources: readonly Resource[] = ["statefulsets", "pods", "persistentvolumeclaims"];

  constructor(ctx: ControllerContext) {
    super(ctx, 3);
  }

  private get sets() { return this.ctx.informers.get("statefulsets"); }
  private get pods() { return this.ctx.informers.get("pods"); }
  private get claims() { return this.ctx.informers.get("persistentvolumeclaims"); }

  register(): void {
    this.sets.addEventHandler({ onAdd: (s) => this.enqueue(keyOf(s)), onUpdate: (_o, s) => this.enqueue(keyOf(s)) });
    const podChanged = (p: Pod): void => {
      const ref = controllerRef(p);
      if (ref?.kind === "StatefulSet") this.enqueue(`${p.metadata.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ onAdd: podChanged, onUpdate: (_o, p) => podChanged(p), onDelete: podChanged });
  }

  protected initialKeys(): string[] {
    return this.sets.list().map(keyOf);
  }

  async sync(key: string): Promise<void> {
    const set = this.sets.get(key);
    if (!set || set.metadata.deletionTimestamp) return;
    const ns = set.metadata.namespace;
    const name = set.metadata.name ?? "";
    const replicas = set.spec.replicas ?? 1;
    const revision = `${name}-${podTemplateHash(set.spec.template)}`;
    const parallel = set.spec.podManagementPolicy === "Parallel";
    const pods = this.pods.byIndex(BY_OWNER_UID, set.metadata.uid ?? "").filter((p) => controllerRef(p)?.uid === set.metadata.uid);
    const byOrdinal = new Map<number, Pod>();
    for (const p of pods) { const i = ordinalOf(name, p); if (i >= 0) byOrdinal.set(i, p); }
    const recorder = this.ctx.recorder(STATEFULSET_COMPONENT);
    // Pods of ordinals in range: create in order, replace failed ones.
    for (let i = 0; i < replicas; i++) {
      const p = byOrdinal.get(i);
      if (p?.metadata.deletionTimestamp) { if (!parallel) break; continue; }
      if (p && (p.status?.phase === "Failed" || p.status?.phase === "Succeeded")) {
        await this.deletePod(p);
        if (!parallel) break;
        continue;
      }
      if (!p) {
        await this.ensureClaims(set, i);
        const pod = this.newPod(set, i, revision);
        try {
          await this.ctx.client.create("pods", ns, pod);
          void recorder.event(set, "Normal", "SuccessfulCreate", `create Pod ${pod.metadata.name} in StatefulSet ${name} successful`);
        } catch (e) {
          if (!isApiError(e, "AlreadyExists")) throw e;
        }
        if (!parallel) break;
        continue;
      }
      if (!parallel && !runningAndReady(p)) break;
    }
    const ready = (i: number): boolean => { const p = byOrdinal.get(i); return p !== undefined && runningAndReady(p); };
    const allBelowReady = (n: number): boolean => Array.from({ length: n }, (_, i) => i).every(ready);
    // Scale down: highest ordinal first, one at a time once the rest are ready.
    const extra = [...byOrdinal.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
    if (extra.length > 0) {
      for (const i of parallel ? extra : [extra[0]!]) {
        const p = byOrdinal.get(i)!;
        if (p.metadata.deletionTimestamp) continue;
        if (!parallel && !allBelowReady(replicas)) break;
        await this.deletePod(p);
        void recorder.event(set, "Normal", "SuccessfulDelete", `delete Pod ${p.metadata.name} in StatefulSet ${name} successful`);
      }
    } else if (set.spec.updateStrategy?.type !== "OnDelete" && allBelowReady(replicas)) {
      // Rolling update: the highest ordinal still on an old revision (at or above the partition) goes first.
      const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
      for (let i = replicas - 1; i >= partition; i--) {
        const p = byOrdinal.get(i);
        if (p && p.metadata.labels?.[REVISION_LABEL] !== revision) {
          await this.deletePod(p);
          break;
        }
      }
    }
    await this.writeStatus(set, pods, revision);
  }

  private async deletePod(p: Pod): Promise<void> {
    try {
      await this.ctx.client.delete("pods", p.metadata.namespace, p.metadata.name ?? "", { preconditions: p.metadata.uid ? { uid: p.metadata.uid } : undefined });
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }

  private async ensureClaims(set: StatefulSet, i: number): Promise<void> {
    const ns = set.metadata.namespace;
    const name = set.metadata.name ?? "";
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const claim = claimName(t.metadata.name ?? "", name, i);
      if (this.claims.get(`${ns}/${claim}`)) continue;
      const pvc = deepCopy(t) as unknown as PersistentVolumeClaim;
      pvc.apiVersion = "v1";
      pvc.kind = "PersistentVolumeClaim";
      const labels = { ...set.spec.selector?.matchLabels, ...pvc.metadata.labels };
      pvc.metadata = { name: claim, namespace: ns, labels, ...(pvc.metadata.annotations ? { annotations: pvc.metadata.annotations } : {}) };
      delete pvc.status;
      try {
        await this.ctx.client.create("persistentvolumeclaims", ns, pvc);
        void this.ctx.recorder(STATEFULSET_COMPONENT).event(set, "Normal", "SuccessfulCreate", `create Claim ${claim} Pod ${name}-${i} in StatefulSet ${name} success`);
      } catch (e) {
        if (!isApiError(e, "AlreadyExists")) throw e;
      }
    }
  }

  private newPod(set: StatefulSet, i: number, revision: string): Pod {
    const name = set.metadata.name ?? "";
    const podName = `${name}-${i}`;
    const t = deepCopy(set.spec.template ?? { spec: { containers: [] } });
    const spec = t.spec;
    spec.hostname = podName;
    if (set.spec.serviceName) spec.subdomain = set.spec.serviceName;
    const claims = (set.spec.volumeClaimTemplates ?? []).map((c) => c.metadata.name ?? "");
    if (claims.length > 0) {
      const others = (spec.volumes ?? []).filter((v) => !claims.includes(String(v["name"])));
      spec.volumes = [...claims.map((c) => ({ name: c, persistentVolumeClaim: { claimName: claimName(c, name, i) } })), ...others];
    }
    return {
      apiVersion: "v1", kind: "Pod",
      metadata: {
        name: podName, namespace: set.metadata.namespace,
        labels: { ...t.metadata?.labels, [REVISION_LABEL]: revision, [POD_NAME_LABEL]: podName, [POD_INDEX_LABEL]: String(i) },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name, uid: set.metadata.uid ?? "", controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
  }

  private async writeStatus(set: StatefulSet, pods: Pod[], revision: string): Promise<void> {
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter(runningAndReady).length;
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const replicas = set.spec.replicas ?? 1;
    const done = updated === live.length;
    const currentRevision = done ? revision : set.status?.currentRevision ?? revision;
    const current = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length;
    const status: NonNullable<StatefulSet["status"]> = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: ready,
      currentReplicas: current,
      updatedReplicas: updated,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: ready,
    };
    if (!ready) { delete status.readyReplicas; }
    if (sameJson(status, set.status ?? {}) || replicas < 0) return;
    try {
      await this.ctx.client.updateStatus("statefulsets", set.metadata.namespace, { ...set, status });
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }
}

/** The PVC binder: a Pending claim gets a volume `pvc-<uid>`, then status Bound with its capacity. */
export class PersistentVolumeClaimBinder extends QueueController {
  readonly name = "persistentvolume-binder";
  readonly resources: readonly Resource[] = ["persistentvolumeclaims"];

  constructor(ctx: ControllerContext) {
    super(ctx, 2);
  }

  private get claims() { return this.ctx.informers.get("persistentvolumeclaims"); }

  register(): void {
    this.claims.addEventHandler({ onAdd: (c) => this.enqueue(keyOf(c)), onUpdate: (_o, c) => this.enqueue(keyOf(c)) });
  }

  protected initialKeys(): string[] {
    return this.claims.list().map(keyOf);
  }

  async sync(key: string): Promise<void> {
    const pvc = this.claims.get(key);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.status?.phase === "Bound") return;
    const ns = pvc.metadata.namespace;
    if (!pvc.spec.volumeName || pvc.metadata.annotations?.["pv.kubernetes.io/bind-completed"] !== "yes") {
      await this.ctx.client.update("persistentvolumeclaims", ns, {
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes" } },
        spec: { ...pvc.spec, volumeName: pvc.spec.volumeName || `pvc-${pvc.metadata.uid ?? ""}` },
      });
      return;
    }
    const storage = pvc.spec.resources?.requests?.["storage"];
    await this.ctx.client.updateStatus("persistentvolumeclaims", ns, {
      ...pvc,
      status: { phase: "Bound", accessModes: [...(pvc.spec.accessModes ?? [])], ...(storage ? { capacity: { storage } } : {}) },
    });
  }
}

