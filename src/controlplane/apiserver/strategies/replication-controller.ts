// ReplicationController rules: selector/labels defaulted from the template, replicas 1, and the
// selector-must-match-template validation; status is written only through /status.
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { ReplicationController } from "../../../api/types.ts";
import {
  IS_NEGATIVE, validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { goStringMap, invalidRendered, isObject, prepareUpdate, takeStatusOnly } from "./common.ts";
import { defaultPodSpec, validatePodSpec } from "./pod.ts";

const nonEmpty = (m: Record<string, string> | undefined): boolean => Object.keys(m ?? {}).length > 0;

/** SetDefaults_ReplicationController plus pod template defaults. Mutates. */
export function defaultReplicationController(rc: ReplicationController): void {
  if (!isObject(rc.spec)) rc.spec = {};
  const spec = rc.spec;
  const labels = spec.template?.metadata?.labels;
  if (labels) {
    if (!nonEmpty(spec.selector)) spec.selector = { ...labels };
    if (!nonEmpty(rc.metadata.labels)) rc.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  spec.minReadySeconds ??= 0;
  if (isObject(spec.template) && isObject(spec.template.spec)) defaultPodSpec(spec.template.spec);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** ValidateReplicationController: name, selector, replicas, template (restartPolicy Always). */
export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  if (!isObject(rc.spec)) return [...errs, fieldRequired("spec")];
  const spec = rc.spec;
  if (typeof spec.minReadySeconds === "number" && spec.minReadySeconds < 0) {
    errs.push(fieldInvalid("spec.minReadySeconds", spec.minReadySeconds, IS_NEGATIVE));
  }
  const selector = spec.selector ?? {};
  if (!nonEmpty(selector)) errs.push(fieldRequired("spec.selector"));
  else errs.push(...validateLabels(selector, "spec.selector"));
  if (typeof spec.replicas === "number" && spec.replicas < 0) errs.push(fieldInvalid("spec.replicas", spec.replicas, IS_NEGATIVE));
  const t = spec.template;
  if (!isObject(t)) {
    errs.push(fieldRequired("spec.template"));
    return errs;
  }
  const labels = t.metadata?.labels;
  if (nonEmpty(selector) && !matches(selector, labels)) {
    errs.push(invalidRendered("spec.template.metadata.labels", goStringMap(labels), "`selector` does not match template `labels`"));
  }
  // ValidatePodTemplateSpec names these paths without "metadata", as upstream does.
  errs.push(...validateLabels(labels, "spec.template.labels"));
  errs.push(...validateAnnotations(t.metadata?.annotations, "spec.template.annotations"));
  errs.push(...validatePodSpec(t.spec, "spec.template.spec"));
  if (isObject(t.spec) && t.spec.restartPolicy !== "Always") {
    errs.push(fieldNotSupported("spec.template.spec.restartPolicy", t.spec.restartPolicy ?? "", ["Always"]));
  }
  if (isObject(t.spec) && t.spec["activeDeadlineSeconds"] !== undefined) {
    errs.push(fieldInvalid("spec.template.spec.activeDeadlineSeconds", t.spec["activeDeadlineSeconds"], "activeDeadlineSeconds in ReplicationController is not Supported"));
  }
  return errs;
}

export const replicationControllerStrategy: Strategy<ReplicationController> = {
  prepareForCreate(rc) {
    defaultReplicationController(rc);
    rc.metadata.generation = 1;
    rc.status = { replicas: 0 };
  },
  validate: validateReplicationController,
  prepareForUpdate(next, prev) {
    defaultReplicationController(next);
    prepareUpdate(next, prev, true);
  },
  // Changing the selector is allowed (upstream too): the manager then adopts or releases pods.
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateReplicationController(next)],
  prepareForStatusUpdate: takeStatusOnly,
};
