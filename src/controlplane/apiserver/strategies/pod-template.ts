// Pod template and label-selector rules shared by the workload kinds (apps/v1 Deployments,
// ReplicaSets, StatefulSets and OpenShift DeploymentConfigs).
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { LabelSelectorObject } from "../../../api/openshift-types.ts";
import type { Labels, PodTemplateSpec } from "../../../api/types.ts";
import {
  labelValueErrors, qualifiedNameErrors, validateAnnotations, validateLabels,
} from "../../../api/validation.ts";
import { goStringMap, invalidRendered, isObject } from "./common.ts";
import { defaultPodSpec, validatePodSpec } from "./pod.ts";

const WHITESPACE = "must not have leading or trailing whitespace";

/** SetDefaults for a template's pod spec (containers, probes, policies). Mutates. */
export function defaultPodTemplate(t: PodTemplateSpec | undefined): void {
  if (isObject(t) && isObject(t.spec)) defaultPodSpec(t.spec);
}

/**
 * ValidatePodTemplateSpec for controllers: labels, annotations, the pod spec and restartPolicy
 * Always. Images in a template may carry whitespace (" " is the placeholder templates use for
 * images an image trigger fills in); `imageOptional` names containers whose image may be empty.
 */
export function validatePodTemplate(t: PodTemplateSpec, path: string, imageOptional: ReadonlySet<string> = new Set()): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, `${path}.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${path}.annotations`));
  const containers = isObject(t.spec) && Array.isArray(t.spec.containers) ? t.spec.containers : [];
  const optional = new Set(containers.map((c, i) => (imageOptional.has(c?.name) ? `${path}.spec.containers[${i}].image` : "")));
  for (const e of validatePodSpec(t.spec, `${path}.spec`)) {
    if (e.field.endsWith(".image") && e.message.endsWith(WHITESPACE)) continue;
    if (optional.has(e.field) && e.type === "FieldValueRequired") continue;
    errs.push(e);
  }
  if (isObject(t.spec) && t.spec.restartPolicy !== "Always") {
    errs.push(fieldNotSupported(`${path}.spec.restartPolicy`, t.spec.restartPolicy ?? "", ["Always"]));
  }
  return errs;
}

/** Go's %#v of a *metav1.LabelSelector, as upstream renders selectors in messages. */
export function goLabelSelector(sel: LabelSelectorObject | undefined): string {
  if (!sel) return "nil";
  const exprs = sel.matchExpressions === undefined ? "[]v1.LabelSelectorRequirement(nil)"
    : `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v) => JSON.stringify(v)).join(", ")}}}`).join(", ")}}`;
  return `&v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** Whether labels satisfy the selector (matchLabels and matchExpressions). */
export function selectorMatches(sel: LabelSelectorObject, labels: Labels | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === "In" && !(has && vals.includes(l[e.key]!))) return false;
    if (e.operator === "NotIn" && has && vals.includes(l[e.key]!)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

/** ValidateLabelSelector: matchLabels as labels, expressions with known operators and values. */
export function validateLabelSelector(sel: LabelSelectorObject, path: string): FieldError[] {
  const errs = validateLabels(sel.matchLabels, `${path}.matchLabels`);
  (sel.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    for (const m of qualifiedNameErrors(e.key ?? "")) errs.push(fieldInvalid(`${p}.key`, e.key, m));
    if (e.operator === "In" || e.operator === "NotIn") {
      if ((e.values ?? []).length === 0) errs.push(fieldRequired(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      for (const v of e.values ?? []) for (const m of labelValueErrors(v)) errs.push(fieldInvalid(`${p}.values`, v, m));
    } else if (e.operator === "Exists" || e.operator === "DoesNotExist") {
      if ((e.values ?? []).length > 0) errs.push({ type: "FieldValueForbidden", field: `${p}.values`, message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" });
    } else {
      errs.push(fieldInvalid(`${p}.operator`, e.operator, "not a valid selector operator"));
    }
  });
  return errs;
}

/**
 * The apps/v1 selector rules: required, non-empty, valid, and matching the template's labels.
 * `kind` words the empty-selector message ("deployment", "statefulset"…).
 */
export function validateAppsSelector(sel: LabelSelectorObject | undefined, template: PodTemplateSpec | undefined, kind: string): FieldError[] {
  if (!sel || typeof sel !== "object") return [fieldRequired("spec.selector")];
  const errs = validateLabelSelector(sel, "spec.selector");
  const empty = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
  if (empty) {
    errs.push(invalidRendered("spec.selector", goLabelSelector(sel), `empty selector is invalid for ${kind}`));
  } else if (isObject(template) && !selectorMatches(sel, template.metadata?.labels)) {
    errs.push(invalidRendered("spec.template.metadata.labels", goStringMap(template.metadata?.labels), "`selector` does not match template `labels`"));
  }
  return errs;
}
