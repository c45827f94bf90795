// ServiceAccount rules: DNS-1123 subdomain names; secret and image-pull-secret references named.
import { fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { ServiceAccount } from "../../../api/types.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { prepareUpdate } from "./common.ts";

/** ValidateServiceAccount. */
export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  const errs = validateObjectMeta(sa.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  (sa.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s?.name) errs.push(fieldRequired(`imagePullSecrets[${i}].name`));
  });
  return errs;
}

export const serviceAccountStrategy: Strategy<ServiceAccount> = {
  prepareForCreate(sa) {
    sa.metadata.generation = 1;
  },
  validate: validateServiceAccount,
  prepareForUpdate(next, prev) {
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateServiceAccount(next)],
};
