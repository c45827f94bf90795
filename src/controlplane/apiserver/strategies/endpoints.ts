// Endpoints rules: port protocol defaults to TCP; addresses and ports validated as upstream.
import { isIP } from "node:net";
import { fieldDuplicate, fieldInvalid, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { Endpoints } from "../../../api/types.ts";
import {
  dns1123LabelErrors, dns1123SubdomainErrors, IP_INVALID, portNumberErrors, validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { isObject, oneOf, prepareUpdate } from "./common.ts";

/** Port protocols default to TCP. Mutates. */
export function defaultEndpoints(ep: Endpoints): void {
  for (const ss of Array.isArray(ep.subsets) ? ep.subsets : []) {
    for (const p of isObject(ss) && Array.isArray(ss.ports) ? ss.ports : []) if (isObject(p)) p.protocol ||= "TCP";
  }
}

/** ValidateEndpoints: DNS-1123 subdomain name, address IPs, ports (named when several). */
export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  (ep.subsets ?? []).forEach((ss, i) => {
    const sp = `subsets[${i}]`;
    for (const which of ["addresses", "notReadyAddresses"] as const) {
      (ss[which] ?? []).forEach((a, j) => {
        const ap = `${sp}.${which}[${j}]`;
        if (!a.ip || isIP(a.ip) === 0) errs.push(fieldInvalid(`${ap}.ip`, a.ip ?? "", IP_INVALID));
        if (a.hostname) for (const m of dns1123LabelErrors(a.hostname)) errs.push(fieldInvalid(`${ap}.hostname`, a.hostname, m));
        if (a.nodeName) for (const m of dns1123SubdomainErrors(a.nodeName)) errs.push(fieldInvalid(`${ap}.nodeName`, a.nodeName, m));
      });
    }
    const ports = ss.ports ?? [];
    const names = new Set<string>();
    ports.forEach((p, j) => {
      const pp = `${sp}.ports[${j}]`;
      if (ports.length > 1 && !p.name) errs.push(fieldRequired(`${pp}.name`));
      else if (p.name) {
        for (const m of dns1123LabelErrors(p.name)) errs.push(fieldInvalid(`${pp}.name`, p.name, m));
        if (names.has(p.name)) errs.push(fieldDuplicate(`${pp}.name`, p.name));
        names.add(p.name);
      }
      for (const m of portNumberErrors(p.port)) errs.push(fieldInvalid(`${pp}.port`, p.port ?? 0, m));
      if (!p.protocol) errs.push(fieldRequired(`${pp}.protocol`));
      else oneOf(`${pp}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"], errs);
    });
  });
  return errs;
}

export const endpointsStrategy: Strategy<Endpoints> = {
  prepareForCreate(ep) {
    defaultEndpoints(ep);
    ep.metadata.generation = 1;
  },
  validate: validateEndpoints,
  prepareForUpdate(next, prev) {
    defaultEndpoints(next);
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateEndpoints(next)],
};
