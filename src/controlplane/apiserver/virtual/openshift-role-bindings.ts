// authorization.openshift.io/v1 RoleBindings: OpenShift's view of RBAC RoleBindings (roleRef by
// name and optional namespace, userNames/groupNames lists), stored as the RBAC objects, as the
// OpenShift API server proxies them.
import { ApiError } from "../../../api/errors.ts";
import type { OpenShiftRoleBinding, RbacSubject, RoleBinding } from "../../../api/openshift-types.ts";
import type { ApiObject, ObjectReference } from "../../../api/types.ts";
import type { ObjectFilter } from "../registry.ts";
import { RBAC_GROUP } from "../strategies/role-binding.ts";
import type { VirtualResource } from "./virtual.ts";
import { deepCopy } from "../../../api/copy.ts";

const GROUP = "authorization.openshift.io";
const SA_PREFIX = "system:serviceaccount:";
const everything = Object.assign(() => true, { trivial: true }) as ObjectFilter;

/** The RBAC RoleBinding an OpenShift one stands for (subjects from subjects, userNames and groupNames). */
export function rbacOf(rb: OpenShiftRoleBinding, ns: string | undefined): RoleBinding {
  const subjects: RbacSubject[] = [];
  const add = (s: RbacSubject): void => {
    if (!subjects.some((x) => x.kind === s.kind && x.name === s.name && x.namespace === s.namespace)) subjects.push(s);
  };
  const addUser = (name: string): void => {
    if (name.startsWith(SA_PREFIX)) {
      const [saNs, saName] = name.slice(SA_PREFIX.length).split(":");
      add({ kind: "ServiceAccount", name: saName ?? "", namespace: saNs ?? "" });
    } else {
      add({ kind: "User", apiGroup: RBAC_GROUP, name });
    }
  };
  for (const s of rb.subjects ?? []) {
    const name = s.name ?? "";
    if (s.kind === "ServiceAccount") add({ kind: "ServiceAccount", name, namespace: s.namespace || ns || "" });
    else if (s.kind === "User" || s.kind === "SystemUser") addUser(name);
    else if (s.kind === "Group" || s.kind === "SystemGroup") add({ kind: "Group", apiGroup: RBAC_GROUP, name });
    else add({ kind: s.kind ?? "", name });
  }
  for (const u of rb.userNames ?? []) addUser(u);
  for (const g of rb.groupNames ?? []) add({ kind: "Group", apiGroup: RBAC_GROUP, name: g });
  const { kind: _k, apiVersion: _a, userNames: _u, groupNames: _g, subjects: _s, roleRef, ...rest } = rb;
  return {
    ...rest, apiVersion: `${RBAC_GROUP}/v1`, kind: "RoleBinding", subjects,
    roleRef: { apiGroup: RBAC_GROUP, kind: roleRef?.namespace ? "Role" : "ClusterRole", name: roleRef?.name ?? "" },
  } as RoleBinding;
}

/** The OpenShift view of an RBAC RoleBinding. */
export function openShiftOf(rb: ApiObject): OpenShiftRoleBinding {
  const r = rb as RoleBinding;
  const { kind: _k, apiVersion: _a, subjects: _s, roleRef: _r, ...rest } = r;
  const subjects: ObjectReference[] = (r.subjects ?? []).map((s) => ({ kind: s.kind, name: s.name, ...(s.namespace ? { namespace: s.namespace } : {}) }));
  const userNames = (r.subjects ?? []).flatMap((s) => (s.kind === "User" ? [s.name] : s.kind === "ServiceAccount" ? [`${SA_PREFIX}${s.namespace ?? ""}:${s.name}`] : []));
  const groupNames = (r.subjects ?? []).filter((s) => s.kind === "Group").map((s) => s.name);
  const roleRef: OpenShiftRoleBinding["roleRef"] = { name: r.roleRef?.name ?? "" };
  if (r.roleRef?.kind === "Role" && r.metadata.namespace) roleRef.namespace = r.metadata.namespace;
  return {
    kind: "RoleBinding", apiVersion: `${GROUP}/v1`, ...rest,
    userNames: userNames.length ? userNames : null, groupNames: groupNames.length ? groupNames : null, subjects, roleRef,
  } as OpenShiftRoleBinding;
}

/** Re-words an RBAC error with this group (messages name `rolebindings.<group>` / `RoleBinding.<group>`). */
function regroup(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  const status = deepCopy(e.status);
  status.message = (status.message ?? "").split(RBAC_GROUP).join(GROUP);
  if (status.details?.group === RBAC_GROUP) status.details.group = GROUP;
  return new ApiError(status);
}

export const openShiftRoleBindingsAdapter: VirtualResource = {
  get(c, ns, name) {
    try {
      return openShiftOf(c.registry.get("rolebindings", ns, name));
    } catch (e) {
      throw regroup(e);
    }
  },
  list(c, ns) {
    const page = c.registry.list("rolebindings", ns, { filter: everything });
    return { items: page.items.map(openShiftOf), rev: page.rev };
  },
  async create(c, ns, body, opts) {
    try {
      return openShiftOf(await c.registry.create("rolebindings", ns, rbacOf(body as OpenShiftRoleBinding, ns), opts));
    } catch (e) {
      throw regroup(e);
    }
  },
  async update(c, ns, name, body, opts) {
    try {
      const res = await c.registry.update("rolebindings", ns, name, rbacOf(body as OpenShiftRoleBinding, ns), opts);
      return { object: openShiftOf(res.object), created: res.created };
    } catch (e) {
      throw regroup(e);
    }
  },
  async delete(c, ns, name, opts) {
    try {
      const res = await c.registry.delete("rolebindings", ns, name, opts);
      return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, group: GROUP, kind: "rolebindings", uid: res.object.metadata.uid }, code: 200 };
    } catch (e) {
      throw regroup(e);
    }
  },
};
