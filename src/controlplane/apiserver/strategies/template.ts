// Template rules (template.openshift.io/v1): name, parameter names and uniqueness, objects
// present. Objects are stored as given (processing is client-side).
import { fieldDuplicate, fieldInvalid, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { StoredTemplate } from "../../../api/openshift-types.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { isObject, prepareUpdate } from "./common.ts";

const PARAMETER_NAME = /^[a-zA-Z0-9_]+$/;

/** ValidateTemplate: DNS-subdomain name, parameters named ^[a-zA-Z0-9_]+$ and unique, objects non-null. */
export function validateTemplate(t: StoredTemplate): FieldError[] {
  const errs = validateObjectMeta(t.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const seen = new Set<string>();
  (t.parameters ?? []).forEach((p, i) => {
    const path = `parameters[${i}].name`;
    if (!isObject(p) || !p.name) { errs.push(fieldRequired(path)); return; }
    if (!PARAMETER_NAME.test(p.name)) errs.push(fieldInvalid(path, p.name, `does not match ${PARAMETER_NAME.source}`));
    if (seen.has(p.name)) errs.push(fieldDuplicate(path, p.name));
    seen.add(p.name);
  });
  (t.objects ?? []).forEach((o, i) => {
    if (!isObject(o)) errs.push(fieldRequired(`objects[${i}]`));
  });
  return errs;
}

export const templateStrategy: Strategy<StoredTemplate> = {
  prepareForCreate(t) {
    t.metadata.generation = 1;
    t.objects ??= [];
  },
  validate: validateTemplate,
  prepareForUpdate(next, prev) {
    next.objects ??= [];
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateTemplate(next)],
};
