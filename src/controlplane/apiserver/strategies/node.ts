// Node rules (cluster-scoped): allocatable defaults to capacity, taints validated, podCIDR and
// providerID settable once; kubelets create nodes with their status, so create keeps it.
import { isIP } from "node:net";
import {
  fieldDuplicate, fieldForbidden, fieldInvalid, fieldRequired, type FieldError,
} from "../../../api/errors.ts";
import { QUANTITY_FORMAT_MSG, tryParseQuantity } from "../../../api/quantity.ts";
import type { Node } from "../../../api/types.ts";
import {
  labelValueErrors, qualifiedNameErrors, validateObjectMeta, validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { oneOf, isObject, prepareUpdate, takeStatusOnly } from "./common.ts";

const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];
export const UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable";

/** SetDefaults_NodeStatus: allocatable = capacity when absent. Mutates. */
export function defaultNode(node: Node): void {
  if (isObject(node.status) && node.status.allocatable === undefined && isObject(node.status.capacity)) {
    node.status.allocatable = { ...node.status.capacity };
  }
}

// The node lifecycle controller keeps `spec.unschedulable` and the unschedulable taint in step
// (TaintNodesByCondition); skiff does it on every write so a cordon takes effect at once.
function syncUnschedulableTaint(node: Node): void {
  if (!isObject(node.spec)) {
    if (!node.spec) return;
    node.spec = {};
  }
  const spec = node.spec;
  const taints = Array.isArray(spec.taints) ? spec.taints : [];
  const has = taints.some((t) => t.key === UNSCHEDULABLE_TAINT && t.effect === "NoSchedule");
  if (spec.unschedulable && !has) spec.taints = [...taints, { key: UNSCHEDULABLE_TAINT, effect: "NoSchedule" }];
  else if (!spec.unschedulable && has) {
    const rest = taints.filter((t) => !(t.key === UNSCHEDULABLE_TAINT && t.effect === "NoSchedule"));
    if (rest.length > 0) spec.taints = rest;
    else delete spec.taints;
  }
}

const isCIDR = (s: string): boolean => {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const family = isIP(s.slice(0, slash));
  const bits = Number(s.slice(slash + 1));
  return family !== 0 && /^\d+$/.test(s.slice(slash + 1)) && bits <= (family === 4 ? 32 : 128);
};

/** ValidateNode: name (DNS-1123 subdomain), taints, podCIDRs, resource quantities. */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false, nameRule: "dns1123Subdomain" });
  const spec = isObject(node.spec) ? node.spec : {};
  const seen = new Set<string>();
  (spec.taints ?? []).forEach((t, i) => {
    const tp = `spec.taints[${i}]`;
    if (!t.key) errs.push(fieldRequired(`${tp}.key`));
    else for (const m of qualifiedNameErrors(t.key)) errs.push(fieldInvalid(`${tp}.key`, t.key, m));
    for (const m of labelValueErrors(t.value ?? "")) errs.push(fieldInvalid(`${tp}.value`, t.value ?? "", m));
    if (!t.effect) errs.push(fieldRequired(`${tp}.effect`));
    else oneOf(`${tp}.effect`, t.effect, TAINT_EFFECTS, errs);
    const key = `${t.key}:${t.effect}`;
    if (seen.has(key)) errs.push(fieldDuplicate(tp, `${t.key}=${t.value ?? ""}:${t.effect}`));
    seen.add(key);
  });
  if (spec.podCIDR && !isCIDR(spec.podCIDR)) errs.push(fieldInvalid("spec.podCIDR", spec.podCIDR, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  (spec.podCIDRs ?? []).forEach((c, i) => {
    if (!isCIDR(c)) errs.push(fieldInvalid(`spec.podCIDRs[${i}]`, c, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  });
  for (const which of ["capacity", "allocatable"] as const) {
    for (const [k, v] of Object.entries(node.status?.[which] ?? {})) {
      if (tryParseQuantity(String(v)) === undefined) errs.push(fieldInvalid(`status.${which}[${k}]`, v, QUANTITY_FORMAT_MSG));
    }
  }
  return errs;
}

/** ValidateNodeUpdate: podCIDR(s) and providerID may only go from "" to a value. */
export function validateNodeUpdate(next: Node, prev: Node): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateNode(next)];
  const n = next.spec ?? {};
  const p = prev.spec ?? {};
  if (p.podCIDR && n.podCIDR !== p.podCIDR) {
    errs.push(fieldForbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  if (p.providerID && n.providerID !== p.providerID) {
    errs.push(fieldForbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
  }
  return errs;
}

export const nodeStrategy: Strategy<Node> = {
  prepareForCreate(node) {
    defaultNode(node);
    syncUnschedulableTaint(node);
    node.metadata.generation = 1;
  },
  validate: validateNode,
  prepareForUpdate(next, prev) {
    syncUnschedulableTaint(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: validateNodeUpdate,
  prepareForStatusUpdate(next, prev) {
    takeStatusOnly(next, prev);
    defaultNode(next);
  },
};
