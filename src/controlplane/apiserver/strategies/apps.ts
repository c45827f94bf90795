// apps/v1 Deployment, ReplicaSet and StatefulSet rules: SetDefaults_* of apps/v1, the selector
// and template validation, immutable selectors, and StatefulSet's limited updates.
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { Deployment, ReplicaSet, StatefulSet } from "../../../api/openshift-types.ts";
import { IS_NEGATIVE, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { deepEqual, invalidRendered, isObject, prepareUpdate, takeStatusOnly } from "./common.ts";
import { defaultPodTemplate, goLabelSelector, validateAppsSelector, validatePodTemplate } from "./pod-template.ts";
import { deepCopy } from "../../../api/copy.ts";

const META = { namespaced: true, nameRule: "dns1123Subdomain" } as const;

function nonNegative(errs: FieldError[], path: string, v: unknown): void {
  if (typeof v === "number" && v < 0) errs.push(fieldInvalid(path, v, IS_NEGATIVE));
}

function immutableSelector(next: { spec?: { selector?: unknown } }, prev: { spec?: { selector?: unknown } }): FieldError[] {
  if (deepEqual(next.spec?.selector, prev.spec?.selector)) return [];
  return [invalidRendered("spec.selector", goLabelSelector(next.spec?.selector as never), "field is immutable")];
}

/** SetDefaults_Deployment: replicas 1, RollingUpdate 25%/25%, history 10, deadline 600s. Mutates. */
export function defaultDeployment(d: Deployment): void {
  if (!isObject(d.spec)) d.spec = {};
  const s = d.spec;
  s.replicas ??= 1;
  s.strategy ??= {};
  s.strategy.type ||= "RollingUpdate";
  if (s.strategy.type === "RollingUpdate") {
    s.strategy.rollingUpdate ??= {};
    s.strategy.rollingUpdate.maxUnavailable ??= "25%";
    s.strategy.rollingUpdate.maxSurge ??= "25%";
  }
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(s.template);
}

/** ValidateDeployment. */
export function validateDeployment(d: Deployment): FieldError[] {
  const errs = validateObjectMeta(d.metadata, META);
  if (!isObject(d.spec)) return [...errs, fieldRequired("spec")];
  const s = d.spec;
  nonNegative(errs, "spec.replicas", s.replicas);
  errs.push(...validateAppsSelector(s.selector, s.template, "deployment"));
  if (!isObject(s.template)) errs.push(fieldRequired("spec.template"));
  else errs.push(...validatePodTemplate(s.template, "spec.template"));
  const type = s.strategy?.type;
  if (type !== "RollingUpdate" && type !== "Recreate") errs.push(fieldNotSupported("spec.strategy.type", type ?? "", ["Recreate", "RollingUpdate"]));
  else if (type === "Recreate" && s.strategy?.rollingUpdate) {
    errs.push(fieldForbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  }
  nonNegative(errs, "spec.minReadySeconds", s.minReadySeconds);
  nonNegative(errs, "spec.revisionHistoryLimit", s.revisionHistoryLimit);
  if (typeof s.progressDeadlineSeconds === "number" && typeof s.minReadySeconds === "number" && s.progressDeadlineSeconds <= s.minReadySeconds) {
    errs.push(fieldInvalid("spec.progressDeadlineSeconds", s.progressDeadlineSeconds, "must be greater than minReadySeconds"));
  }
  return errs;
}

export const deploymentStrategy: Strategy<Deployment> = {
  prepareForCreate(d) {
    defaultDeployment(d);
    d.metadata.generation = 1;
    d.status = {};
  },
  validate: validateDeployment,
  prepareForUpdate(next, prev) {
    defaultDeployment(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: (next, prev) => [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateDeployment(next), ...immutableSelector(next, prev),
  ],
  prepareForStatusUpdate: takeStatusOnly,
};

/** SetDefaults_ReplicaSet: replicas 1. Mutates. */
export function defaultReplicaSet(rs: ReplicaSet): void {
  if (!isObject(rs.spec)) rs.spec = {};
  rs.spec.replicas ??= 1;
  defaultPodTemplate(rs.spec.template);
}

/** ValidateReplicaSet. */
export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  const errs = validateObjectMeta(rs.metadata, META);
  if (!isObject(rs.spec)) return [...errs, fieldRequired("spec")];
  const s = rs.spec;
  nonNegative(errs, "spec.replicas", s.replicas);
  nonNegative(errs, "spec.minReadySeconds", s.minReadySeconds);
  errs.push(...validateAppsSelector(s.selector, s.template, "deployment"));
  if (!isObject(s.template)) errs.push(fieldRequired("spec.template"));
  else errs.push(...validatePodTemplate(s.template, "spec.template"));
  return errs;
}

export const replicaSetStrategy: Strategy<ReplicaSet> = {
  prepareForCreate(rs) {
    defaultReplicaSet(rs);
    rs.metadata.generation = 1;
    rs.status = { replicas: 0 };
  },
  validate: validateReplicaSet,
  prepareForUpdate(next, prev) {
    defaultReplicaSet(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: (next, prev) => [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateReplicaSet(next), ...immutableSelector(next, prev),
  ],
  prepareForStatusUpdate: takeStatusOnly,
};

/** SetDefaults_StatefulSet: replicas 1, OrderedReady, RollingUpdate partition 0, history 10, Retain/Retain. Mutates. */
export function defaultStatefulSet(ss: StatefulSet): void {
  if (!isObject(ss.spec)) ss.spec = {};
  const s = ss.spec;
  s.replicas ??= 1;
  s.podManagementPolicy ||= "OrderedReady";
  s.updateStrategy ??= {};
  s.updateStrategy.type ||= "RollingUpdate";
  if (s.updateStrategy.type === "RollingUpdate") {
    s.updateStrategy.rollingUpdate ??= {};
    s.updateStrategy.rollingUpdate.partition ??= 0;
  }
  s.revisionHistoryLimit ??= 10;
  s.persistentVolumeClaimRetentionPolicy ??= {};
  s.persistentVolumeClaimRetentionPolicy.whenDeleted ||= "Retain";
  s.persistentVolumeClaimRetentionPolicy.whenScaled ||= "Retain";
  for (const pvc of s.volumeClaimTemplates ?? []) {
    if (!isObject(pvc)) continue;
    const spec = (pvc["spec"] ??= {}) as Record<string, unknown>;
    spec["volumeMode"] ??= "Filesystem";
    pvc["status"] ??= { phase: "Pending" };
  }
  defaultPodTemplate(s.template);
}

/** ValidateStatefulSet. */
export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const errs = validateObjectMeta(ss.metadata, META);
  if (!isObject(ss.spec)) return [...errs, fieldRequired("spec")];
  const s = ss.spec;
  nonNegative(errs, "spec.replicas", s.replicas);
  nonNegative(errs, "spec.minReadySeconds", s.minReadySeconds);
  if (s.podManagementPolicy !== "OrderedReady" && s.podManagementPolicy !== "Parallel") {
    errs.push(fieldNotSupported("spec.podManagementPolicy", s.podManagementPolicy ?? "", ["OrderedReady", "Parallel"]));
  }
  const type = s.updateStrategy?.type;
  if (type !== "RollingUpdate" && type !== "OnDelete") errs.push(fieldNotSupported("spec.updateStrategy.type", type ?? "", ["OnDelete", "RollingUpdate"]));
  errs.push(...validateAppsSelector(s.selector, s.template, "statefulset"));
  if (!isObject(s.template)) errs.push(fieldRequired("spec.template"));
  else {
    // Containers may mount the claims the set creates from volumeClaimTemplates: they count as volumes.
    const t = deepCopy(s.template);
    const claims = (s.volumeClaimTemplates ?? []).map((c) => c?.metadata?.name).filter((n): n is string => typeof n === "string" && n !== "");
    if (isObject(t.spec) && claims.length > 0) {
      t.spec.volumes = [...(t.spec.volumes ?? []), ...claims.map((name) => ({ name, persistentVolumeClaim: { claimName: name } }))];
    }
    errs.push(...validatePodTemplate(t, "spec.template"));
  }
  return errs;
}

const STS_MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

/** ValidateStatefulSetUpdate: only the fields named in upstream's message may change. */
export function validateStatefulSetUpdate(next: StatefulSet, prev: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateStatefulSet(next)];
  const strip = (s: StatefulSet["spec"] | undefined): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...(s ?? {}) };
    for (const k of STS_MUTABLE) delete out[k];
    return out;
  };
  if (!deepEqual(strip(next.spec), strip(prev.spec))) {
    errs.push(fieldForbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export const statefulSetStrategy: Strategy<StatefulSet> = {
  prepareForCreate(ss) {
    defaultStatefulSet(ss);
    ss.metadata.generation = 1;
    ss.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: validateStatefulSet,
  prepareForUpdate(next, prev) {
    defaultStatefulSet(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: validateStatefulSetUpdate,
  prepareForStatusUpdate: takeStatusOnly,
};
