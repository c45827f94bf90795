// Route rules (route.openshift.io/v1): defaults (backend kind Service with weight 100, wildcard
// policy None, a generated host `<name>-<namespace>.<router domain>`), validation of host, path,
// backends, port and TLS, and an emulated admission by the default router in status.ingress
// (there is no router process to admit it).
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { Route } from "../../../api/openshift-types.ts";
import { dns1123SubdomainErrors, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy, StrategyContext } from "../strategy.ts";
import { isObject, prepareUpdate, rfc3339, takeStatusOnly } from "./common.ts";

/** The cluster's routing subdomain: generated hosts end with it. */
export const ROUTER_DOMAIN = "apps.skiff.local";
/** Annotation OpenShift sets on routes whose host the server generated. */
export const HOST_GENERATED = "openshift.io/host.generated";

/** The host a route without one gets. */
export const generatedHost = (name: string, namespace: string): string => `${name}-${namespace}.${ROUTER_DOMAIN}`;

/** Backend and wildcard defaults, and a generated host when spec.host is empty. Mutates. */
export function defaultRoute(r: Route): void {
  if (!isObject(r.spec)) r.spec = {};
  const s = r.spec;
  if (isObject(s.to)) {
    s.to.kind ||= "Service";
    if (s.to.weight === undefined || s.to.weight === null) s.to.weight = 100;
  }
  for (const b of s.alternateBackends ?? []) if (isObject(b)) b.kind ||= "Service";
  s.wildcardPolicy ||= "None";
  if (!s.host && !s.subdomain && r.metadata.name && r.metadata.namespace) {
    s.host = generatedHost(r.metadata.name, r.metadata.namespace);
    r.metadata.annotations = { ...(r.metadata.annotations ?? {}), [HOST_GENERATED]: "true" };
  }
}

/** status.ingress as the default router reports an admitted route. */
function admitted(r: Route, now: Date): NonNullable<Route["status"]> {
  return {
    ingress: [{
      host: r.spec.host ?? "", routerName: "default", wildcardPolicy: r.spec.wildcardPolicy ?? "None",
      routerCanonicalHostname: `router-default.${ROUTER_DOMAIN}`,
      conditions: [{ type: "Admitted", status: "True", lastTransitionTime: rfc3339(now) }],
    }],
  };
}

const TERMINATIONS = ["edge", "passthrough", "reencrypt"];

/** ValidateRoute. */
export function validateRoute(r: Route): FieldError[] {
  const errs = validateObjectMeta(r.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  if (!isObject(r.spec)) return [...errs, fieldRequired("spec")];
  const s = r.spec;
  if (s.host) for (const m of dns1123SubdomainErrors(s.host)) errs.push(fieldInvalid("spec.host", s.host, m));
  if (s.path && !s.path.startsWith("/")) errs.push(fieldInvalid("spec.path", s.path, "path must begin with /"));
  if (s.path && s.tls?.termination === "passthrough") errs.push(fieldInvalid("spec.path", s.path, "passthrough termination does not support paths"));
  if (!isObject(s.to) || !s.to.name) errs.push(fieldRequired("spec.to.name"));
  if (isObject(s.to) && s.to.kind && s.to.kind !== "Service") errs.push(fieldInvalid("spec.to.kind", s.to.kind, "must reference a Service"));
  const weight = s.to?.weight;
  if (typeof weight === "number" && (weight < 0 || weight > 256)) errs.push(fieldInvalid("spec.to.weight", weight, "weight must be an integer between 0 and 256"));
  (s.alternateBackends ?? []).forEach((b, i) => {
    if (!b?.name) errs.push(fieldRequired(`spec.alternateBackends[${i}].name`));
  });
  if (isObject(s.port) && (s.port.targetPort === undefined || s.port.targetPort === "" || s.port.targetPort === 0)) {
    errs.push(fieldRequired("spec.port.targetPort"));
  }
  if (isObject(s.tls)) {
    const t = s.tls.termination ?? "";
    if (!TERMINATIONS.includes(t)) {
      errs.push(fieldInvalid("spec.tls.termination", t, "invalid value for termination, acceptable values are edge, passthrough, reencrypt, or empty (no tls specified)"));
    }
    const p = s.tls.insecureEdgeTerminationPolicy;
    if (p && !["Allow", "None", "Redirect"].includes(p)) errs.push(fieldNotSupported("spec.tls.insecureEdgeTerminationPolicy", p, ["Allow", "None", "Redirect"]));
  }
  oneOfWildcard(s.wildcardPolicy, errs);
  return errs;
}

function oneOfWildcard(p: string | undefined, errs: FieldError[]): void {
  if (p && p !== "None" && p !== "Subdomain") errs.push(fieldNotSupported("spec.wildcardPolicy", p, ["None", "Subdomain"]));
}

export const routeStrategy: Strategy<Route> = {
  prepareForCreate(r, ctx: StrategyContext) {
    defaultRoute(r);
    r.metadata.generation = 1;
    r.status = admitted(r, ctx.now);
  },
  validate: validateRoute,
  prepareForUpdate(next, prev, ctx) {
    defaultRoute(next);
    prepareUpdate(next, prev, true);
    if (next.spec.host !== prev.spec?.host) next.status = admitted(next, ctx.now);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateRoute(next)],
  prepareForStatusUpdate: takeStatusOnly,
};
