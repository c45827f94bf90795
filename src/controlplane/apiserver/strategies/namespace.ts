// Namespace rules (cluster-scoped): the "kubernetes" finalizer and phase Active on create, the
// kubernetes.io/metadata.name label, spec.finalizers changed only through /finalize.
import { fieldInvalid, type FieldError } from "../../../api/errors.ts";
import type { Namespace } from "../../../api/types.ts";
import { qualifiedNameErrors, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { isObject, oneOf, prepareUpdate, takeStatusOnly } from "./common.ts";
import { deepCopy } from "../../../api/copy.ts";

export const NAME_LABEL = "kubernetes.io/metadata.name";
const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

/** SetDefaults_Namespace: the name label always equals the name. Mutates. */
export function defaultNamespace(ns: Namespace): void {
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAME_LABEL]: ns.metadata.name };
}

/** ValidateNamespace: DNS-1123 label name, no namespace, spec.finalizers qualified or standard. */
export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameRule: "dns1123Label" });
  (ns.spec?.finalizers ?? []).forEach((f, i) => {
    const path = `spec.finalizers[${i}]`;
    const msgs = qualifiedNameErrors(f);
    for (const m of msgs) errs.push(fieldInvalid(path, f, m));
    if (msgs.length === 0 && !f.includes("/") && !STANDARD_FINALIZERS.includes(f)) {
      errs.push(fieldInvalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  });
  oneOf("status.phase", ns.status?.phase, ["Active", "Terminating"], errs);
  return errs;
}

/**
 * The /finalize write: only spec.finalizers is taken from the request; everything else,
 * status included, stays as stored. Mutates next.
 */
export function prepareForFinalize(next: Namespace, prev: Namespace): void {
  const finalizers = next.spec?.finalizers;
  const rv = next.metadata?.resourceVersion;
  for (const k of Object.keys(next)) delete next[k];
  Object.assign(next, deepCopy(prev));
  next.spec = { ...(next.spec ?? {}), finalizers: finalizers ?? [] };
  if (rv !== undefined) next.metadata.resourceVersion = rv;
}

export const namespaceStrategy: Strategy<Namespace> = {
  prepareForCreate(ns) {
    defaultNamespace(ns);
    ns.metadata.generation = 1;
    ns.status = { phase: "Active" };
    // On create the "kubernetes" finalizer is required; later it may be removed via /finalize.
    const spec = isObject(ns.spec) ? ns.spec : {};
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    if (!finalizers.includes("kubernetes")) finalizers.push("kubernetes");
    ns.spec = { ...spec, finalizers };
  },
  validate: validateNamespace,
  prepareForUpdate(next, prev) {
    defaultNamespace(next);
    // Finalizers in spec change only through /finalize.
    next.spec = { ...(isObject(next.spec) ? next.spec : {}), finalizers: [...(prev.spec?.finalizers ?? [])] };
    if (prev.spec === undefined && next.spec.finalizers!.length === 0) delete next.spec;
    prepareUpdate(next, prev, true);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateNamespace(next)],
  prepareForStatusUpdate: takeStatusOnly,
};
