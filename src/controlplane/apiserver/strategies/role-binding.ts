// RBAC RoleBinding rules (rbac.authorization.k8s.io/v1): subject apiGroup defaults, roleRef and
// subject validation, and roleRef immutability.
import { fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { RoleBinding } from "../../../api/openshift-types.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { deepEqual, invalidRendered, isObject, prepareUpdate } from "./common.ts";
import { pathSegmentName } from "./build.ts";

export const RBAC_GROUP = "rbac.authorization.k8s.io";

/** SetDefaults_Subject: User and Group subjects belong to the RBAC group, ServiceAccounts to core. Mutates. */
export function defaultRoleBinding(rb: RoleBinding): void {
  for (const s of rb.subjects ?? []) {
    if (!isObject(s) || s.apiGroup !== undefined) continue;
    s.apiGroup = s.kind === "ServiceAccount" ? "" : RBAC_GROUP;
  }
}

/** ValidateRoleBinding. */
export function validateRoleBinding(rb: RoleBinding): FieldError[] {
  const errs = validateObjectMeta(rb.metadata, { namespaced: true, nameRule: pathSegmentName });
  const ref = isObject(rb.roleRef) ? rb.roleRef : {};
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fieldNotSupported("roleRef.apiGroup", ref.apiGroup ?? "", [RBAC_GROUP]));
  if (ref.kind !== "Role" && ref.kind !== "ClusterRole") errs.push(fieldNotSupported("roleRef.kind", ref.kind ?? "", ["Role", "ClusterRole"]));
  if (!ref.name) errs.push(fieldRequired("roleRef.name"));
  (rb.subjects ?? []).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!isObject(s)) { errs.push(fieldRequired(p)); return; }
    if (!s.name) errs.push(fieldRequired(`${p}.name`));
    if (s.kind === "ServiceAccount") {
      if (s.apiGroup) errs.push(fieldNotSupported(`${p}.apiGroup`, s.apiGroup, [""]));
      if (!s.namespace) errs.push(fieldRequired(`${p}.namespace`));
    } else if (s.kind === "User" || s.kind === "Group") {
      if (s.apiGroup !== RBAC_GROUP) errs.push(fieldNotSupported(`${p}.apiGroup`, s.apiGroup ?? "", [RBAC_GROUP]));
    } else {
      errs.push(fieldNotSupported(`${p}.kind`, s.kind ?? "", ["ServiceAccount", "User", "Group"]));
    }
  });
  return errs;
}

/** Go's %#v of an rbac.RoleRef, as the immutability message prints it. */
const goRoleRef = (r: RoleBinding["roleRef"]): string =>
  `rbac.RoleRef{APIGroup:${JSON.stringify(r?.apiGroup ?? "")}, Kind:${JSON.stringify(r?.kind ?? "")}, Name:${JSON.stringify(r?.name ?? "")}}`;

/** ValidateRoleBindingUpdate: roleRef cannot change. */
export function validateRoleBindingUpdate(next: RoleBinding, prev: RoleBinding): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateRoleBinding(next)];
  if (!deepEqual(next.roleRef, prev.roleRef)) errs.push(invalidRendered("roleRef", goRoleRef(next.roleRef), "cannot change roleRef"));
  return errs;
}

export const roleBindingStrategy: Strategy<RoleBinding> = {
  prepareForCreate(rb) {
    defaultRoleBinding(rb);
    rb.metadata.generation = 1;
  },
  validate: validateRoleBinding,
  prepareForUpdate(next, prev) {
    defaultRoleBinding(next);
    prepareUpdate(next, prev, false);
  },
  validateUpdate: validateRoleBindingUpdate,
};
