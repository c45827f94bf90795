// Secret rules: type defaults to Opaque, stringData folded into data (base64) and dropped,
// data keys and base64 values validated, per-type required keys, immutable secrets.
import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, type FieldError } from "../../../api/errors.ts";
import type { Secret } from "../../../api/types.ts";
import {
  configMapKeyErrors, IMMUTABLE, validateObjectMeta, validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { base64Error, decodedLength } from "./base64.ts";
import { deepEqual, isObject, prepareUpdate } from "./common.ts";

export const MAX_SECRET_SIZE = 1024 * 1024;
const REDACTED = "<secret contents redacted>";

/**
 * SetDefaults_Secret and the v1 conversion: type Opaque when empty; each stringData entry
 * overwrites data[key] with its base64; stringData is not stored. Mutates.
 */
export function defaultSecret(s: Secret): void {
  s.type ||= "Opaque";
  if (isObject(s.stringData)) {
    const data: Record<string, string> = isObject(s.data) ? s.data : {};
    for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(String(v), "utf8").toString("base64");
    s.data = data;
  }
  delete s.stringData;
}

/** ValidateSecret: metadata, data keys and base64 values, total size, per-type keys. */
export function validateSecret(s: Secret): FieldError[] {
  const errs = validateObjectMeta(s.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const data = s.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    const path = `data[${k}]`;
    for (const m of configMapKeyErrors(k)) errs.push(fieldInvalid(path, k, m));
    const bad = typeof v === "string" ? base64Error(v) : "must be a base64-encoded string";
    if (bad) errs.push(fieldInvalid(path, REDACTED, bad));
    else total += decodedLength(v);
  }
  if (total > MAX_SECRET_SIZE) errs.push(fieldTooLong("data", `may not be more than ${MAX_SECRET_SIZE} bytes`));
  const has = (k: string): boolean => Object.hasOwn(data, k);
  const requireKey = (k: string): void => { if (!has(k)) errs.push(fieldRequired(`data[${k}]`)); };
  switch (s.type) {
    case "kubernetes.io/service-account-token":
      if (!s.metadata.annotations?.["kubernetes.io/service-account.name"]) {
        errs.push(fieldRequired("metadata.annotations[kubernetes.io/service-account.name]"));
      }
      break;
    case "kubernetes.io/dockercfg":
      jsonKey(".dockercfg");
      break;
    case "kubernetes.io/dockerconfigjson":
      jsonKey(".dockerconfigjson");
      break;
    case "kubernetes.io/basic-auth":
      if (!has("username") && !has("password")) { requireKey("username"); requireKey("password"); }
      break;
    case "kubernetes.io/ssh-auth":
      if (!data["ssh-privatekey"]) errs.push(fieldRequired("data[ssh-privatekey]"));
      break;
    case "kubernetes.io/tls":
      requireKey("tls.crt");
      requireKey("tls.key");
      break;
    default:
      break;
  }
  return errs;

  function jsonKey(k: string): void {
    if (!has(k)) { requireKey(k); return; }
    const raw = data[k]!;
    if (base64Error(raw)) return;
    try {
      JSON.parse(Buffer.from(raw, "base64").toString("utf8"));
    } catch (e) {
      errs.push(fieldInvalid(`data[${k}]`, REDACTED, e instanceof Error ? e.message : String(e)));
    }
  }
}

/** ValidateSecretUpdate: type immutable; an immutable secret keeps its data and the flag. */
export function validateSecretUpdate(next: Secret, prev: Secret): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateSecret(next)];
  if ((next.type ?? "") !== (prev.type ?? "")) errs.push(fieldInvalid("type", next.type ?? "", IMMUTABLE));
  if (prev.immutable) {
    if (!next.immutable) errs.push(fieldForbidden("immutable", "field is immutable when `immutable` is set"));
    if (!deepEqual(next.data ?? {}, prev.data ?? {})) errs.push(fieldForbidden("data", "field is immutable when `immutable` is set"));
  }
  return errs;
}

export const secretStrategy: Strategy<Secret> = {
  prepareForCreate(s) {
    defaultSecret(s);
    s.metadata.generation = 1;
  },
  validate: validateSecret,
  prepareForUpdate(next, prev) {
    defaultSecret(next);
    prepareUpdate(next, prev, false);
  },
  validateUpdate: validateSecretUpdate,
};
