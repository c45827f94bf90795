// ConfigMap rules: keys of data and binaryData valid and disjoint, binaryData base64, 1 MiB
// total, immutable config maps.
import { fieldForbidden, fieldInvalid, fieldTooLong, type FieldError } from "../../../api/errors.ts";
import type { ConfigMap } from "../../../api/types.ts";
import { configMapKeyErrors, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { base64Error, decodedLength } from "./base64.ts";
import { deepEqual, prepareUpdate } from "./common.ts";
import { MAX_SECRET_SIZE } from "./secret.ts";

/** ValidateConfigMap. */
export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of configMapKeyErrors(k)) errs.push(fieldInvalid(`data[${k}]`, k, m));
    if (Object.hasOwn(binary, k)) errs.push(fieldInvalid(`data[${k}]`, k, "duplicate of key present in binaryData"));
    total += Buffer.byteLength(String(v), "utf8");
  }
  for (const [k, v] of Object.entries(binary)) {
    for (const m of configMapKeyErrors(k)) errs.push(fieldInvalid(`binaryData[${k}]`, k, m));
    if (Object.hasOwn(data, k)) errs.push(fieldInvalid(`binaryData[${k}]`, k, "duplicate of key present in data"));
    const bad = typeof v === "string" ? base64Error(v) : "must be a base64-encoded string";
    if (bad) errs.push(fieldInvalid(`binaryData[${k}]`, "<binary data>", bad));
    else total += decodedLength(v);
  }
  // Upstream reports the size on the empty path: the error is about the whole object.
  if (total > MAX_SECRET_SIZE) errs.push(fieldTooLong("", `may not be more than ${MAX_SECRET_SIZE} bytes`));
  return errs;
}

/** ValidateConfigMapUpdate: an immutable config map keeps data, binaryData and the flag. */
export function validateConfigMapUpdate(next: ConfigMap, prev: ConfigMap): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateConfigMap(next)];
  if (prev.immutable) {
    if (!next.immutable) errs.push(fieldForbidden("immutable", "field is immutable when `immutable` is set"));
    if (!deepEqual(next.data ?? {}, prev.data ?? {})) errs.push(fieldForbidden("data", "field is immutable when `immutable` is set"));
    if (!deepEqual(next.binaryData ?? {}, prev.binaryData ?? {})) errs.push(fieldForbidden("binaryData", "field is immutable when `immutable` is set"));
  }
  return errs;
}

export const configMapStrategy: Strategy<ConfigMap> = {
  prepareForCreate(cm) {
    cm.metadata.generation = 1;
  },
  validate: validateConfigMap,
  prepareForUpdate(next, prev) {
    prepareUpdate(next, prev, false);
  },
  validateUpdate: validateConfigMapUpdate,
};
