// Event (core v1) rules: involvedObject.namespace must agree with the event's namespace, and
// events carrying an eventTime (the newer producers) need reportingComponent, instance, action, reason.
import { fieldInvalid, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { Event } from "../../../api/types.ts";
import {
  dns1123SubdomainErrors, qualifiedNameErrors, validateObjectMeta, validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { prepareUpdate } from "./common.ts";

const MISMATCH = "does not match event.namespace";

/** legacyValidateEvent for the v1 API, after ValidateObjectMeta (DNS-1123 subdomain names). */
export function validateEvent(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const ns = ev.metadata?.namespace ?? "";
  const involvedNs = ev.involvedObject?.namespace ?? "";
  if (!ev.eventTime) {
    if (!involvedNs) {
      // Old clients send cluster-scoped objects' events to "default".
      if (ns !== "" && ns !== "default") errs.push(fieldInvalid("involvedObject.namespace", involvedNs, MISMATCH));
    } else if (ns !== involvedNs) {
      errs.push(fieldInvalid("involvedObject.namespace", involvedNs, MISMATCH));
    }
  } else {
    if (!involvedNs && ns !== "default" && ns !== "kube-system") errs.push(fieldInvalid("involvedObject.namespace", involvedNs, MISMATCH));
    const component = ev.reportingComponent ?? "";
    if (!component) errs.push(fieldRequired("reportingComponent"));
    else for (const m of qualifiedNameErrors(component)) errs.push(fieldInvalid("reportingComponent", component, m));
    const instance = ev.reportingInstance ?? "";
    if (!instance) errs.push(fieldRequired("reportingInstance"));
    if (instance.length > 128) errs.push(fieldInvalid("reportingInstance", "", "can have at most 128 characters"));
    const action = typeof ev["action"] === "string" ? ev["action"] : "";
    if (!action) errs.push(fieldRequired("action"));
    if (action.length > 128) errs.push(fieldInvalid("action", "", "can have at most 128 characters"));
    if (!ev.reason) errs.push(fieldRequired("reason"));
    if ((ev.reason ?? "").length > 128) errs.push(fieldInvalid("reason", "", "can have at most 128 characters"));
    if ((ev.message ?? "").length > 1024) errs.push(fieldInvalid("message", "", "can have at most 1024 characters"));
  }
  if (ns) for (const m of dns1123SubdomainErrors(ns)) errs.push(fieldInvalid("namespace", ns, m));
  return errs;
}

export const eventStrategy: Strategy<Event> = {
  prepareForCreate(ev) {
    ev.metadata.generation = 1;
  },
  validate: validateEvent,
  prepareForUpdate(next, prev) {
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateEvent(next)],
};
