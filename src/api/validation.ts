// Name, label, annotation and object-metadata validation with kube-apiserver's exact error texts
// (k8s.io/apimachinery/pkg/util/validation and pkg/api/validation/objectmeta.go).
import {
  fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, type FieldError,
} from "./errors.ts";
import type { ObjectMeta } from "./types.ts";

/** RegexError: each example written as `'ex', ` and joined with ` or `, as upstream does. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

export const maxLenError = (n: number): string => `must be no more than ${n} bytes`;
export const EMPTY_ERROR = "must be non-empty";
export const IMMUTABLE = "field is immutable";
export const IS_NEGATIVE = "must be greater than or equal to 0";
export const PORT_RANGE = "must be between 1 and 65535, inclusive";
export const IP_INVALID = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

const bytes = (s: string): number => Buffer.byteLength(s, "utf8");

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+";
const CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const CONFIG_KEY_RE = new RegExp(`^${CONFIG_KEY_FMT}$`);
const ENV_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_NAME_MSG = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const ENV_NAME_RE = new RegExp(`^${ENV_NAME_FMT}$`);

/** IsDNS1123Label: lowercase alnum and '-', alnum at both ends, at most 63 bytes. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLenError(63));
  if (!DNS1123_LABEL_RE.test(value)) errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  return errs;
}

/** IsDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253 bytes. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 253) errs.push(maxLenError(253));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

/** IsDNS1035Label: like a DNS-1123 label but starting with a letter. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLenError(63));
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return errs;
}

/** IsValidPortName: an IANA service name (≤15, [a-z0-9-], a letter, no edge or double '-'). */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port.startsWith("-") || port.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** IsValidPortNum: 1–65535. */
export function portNumberErrors(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [PORT_RANGE];
}

/** IsQualifiedName: `[prefix/]name` as label keys, annotation keys and finalizers use. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (bytes(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** IsValidLabelValue: empty, or ≤63 bytes of alnum, '-', '_', '.' with alnum ends. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 63) errs.push(maxLenError(63));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/** IsConfigMapKey: keys of ConfigMap/Secret data. */
export function configMapKeyErrors(value: string): string[] {
  const errs: string[] = [];
  if (bytes(value) > 253) errs.push(maxLenError(253));
  if (!CONFIG_KEY_RE.test(value)) errs.push(regexError(CONFIG_KEY_MSG, CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
  if (value === ".") errs.push("must not be '.'");
  else if (value === "..") errs.push("must not be '..'");
  else if (value.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** IsEnvVarName (the classic, strict form). */
export function envVarNameErrors(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_NAME_RE.test(value)) errs.push(regexError(ENV_NAME_MSG, ENV_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  if (value === ".") errs.push("must not be '.'");
  else if (value === "..") errs.push("must not be '..'");
  else if (value.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** A name rule: the error texts for a name, or for a generateName prefix when `prefix`. */
export type NameRule = (name: string, prefix: boolean) => string[];

// maskTrailingDash, bug for bug: a generateName like "web-" is checked as "wea" upstream
// (two characters replaced by one) so the trailing dash a suffix will follow is accepted.
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? `${name.slice(0, -2)}a` : name;
}

export const NAME_RULES = {
  dns1123Subdomain: ((n, prefix) => dns1123SubdomainErrors(prefix ? maskTrailingDash(n) : n)) as NameRule,
  dns1123Label: ((n, prefix) => dns1123LabelErrors(prefix ? maskTrailingDash(n) : n)) as NameRule,
  dns1035Label: ((n, prefix) => dns1035LabelErrors(prefix ? maskTrailingDash(n) : n)) as NameRule,
};
export type NameRuleName = keyof typeof NAME_RULES;

/** ValidateLabels: every key a qualified name, every value a label value; errors at `path`. */
export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of qualifiedNameErrors(k)) errs.push(fieldInvalid(path, k, m));
    if (typeof v !== "string") { errs.push(fieldInvalid(path, v, "must be a string")); continue; }
    for (const m of labelValueErrors(v)) errs.push(fieldInvalid(path, v, m));
  }
  return errs;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** ValidateAnnotations: keys are qualified names (case-insensitive), total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of qualifiedNameErrors(k.toLowerCase())) errs.push(fieldInvalid(path, k, m));
    size += bytes(k) + bytes(typeof v === "string" ? v : String(v));
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(fieldTooLong(path, `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes`));
  return errs;
}

/** ValidateOwnerReferences: apiVersion, kind, name, uid set; at most one controller. */
export function validateOwnerReferences(refs: ObjectMeta["ownerReferences"], path: string): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = "";
  for (const ref of refs ?? []) {
    const version = (ref.apiVersion ?? "").split("/").pop() ?? "";
    if (!version) errs.push(fieldInvalid(`${path}.apiVersion`, ref.apiVersion ?? "", "version must not be empty"));
    if (!ref.kind) errs.push(fieldInvalid(`${path}.kind`, ref.kind ?? "", "must not be empty"));
    if (!ref.name) errs.push(fieldInvalid(`${path}.name`, ref.name ?? "", "must not be empty"));
    if (!ref.uid) errs.push(fieldInvalid(`${path}.uid`, ref.uid ?? "", "must not be empty"));
    if ((ref.apiVersion === "v1") && ref.kind === "Event") {
      errs.push(fieldInvalid(path, ref, "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (ref.controller) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        errs.push(fieldInvalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else firstController = cur;
    }
  }
  return errs;
}

/** ValidateFinalizers: each a qualified name; orphan and foregroundDeletion not both. */
export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers ?? []) for (const m of qualifiedNameErrors(f)) errs.push(fieldInvalid(path, f, m));
  if (finalizers?.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    errs.push(fieldInvalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

export interface ObjectMetaRules {
  namespaced: boolean;
  nameRule: NameRuleName | NameRule;
}

/**
 * ValidateObjectMeta on create (name generation already done): name (or generateName)
 * per the kind's rule, namespace required/forbidden, labels, annotations, owner references,
 * finalizers. Paths are under `metadata.`.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: ObjectMetaRules): FieldError[] {
  const m = meta ?? {};
  const nameRule = typeof rules.nameRule === "string" ? NAME_RULES[rules.nameRule] : rules.nameRule;
  const errs: FieldError[] = [];
  if (m.generateName) {
    for (const msg of nameRule(m.generateName, true)) errs.push(fieldInvalid("metadata.generateName", m.generateName, msg));
  }
  if (!m.name) errs.push(fieldRequired("metadata.name", "name or generateName is required"));
  else for (const msg of nameRule(m.name, false)) errs.push(fieldInvalid("metadata.name", m.name, msg));
  if (rules.namespaced) {
    if (!m.namespace) errs.push(fieldRequired("metadata.namespace"));
    else for (const msg of dns1123LabelErrors(m.namespace)) errs.push(fieldInvalid("metadata.namespace", m.namespace, msg));
  } else if (m.namespace) {
    errs.push(fieldForbidden("metadata.namespace", "not allowed on this type"));
  }
  if (typeof m.generation === "number" && m.generation < 0) errs.push(fieldInvalid("metadata.generation", m.generation, IS_NEGATIVE));
  errs.push(...validateLabels(m.labels, "metadata.labels"));
  errs.push(...validateAnnotations(m.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(m.ownerReferences, "metadata.ownerReferences"));
  errs.push(...validateFinalizers(m.finalizers, "metadata.finalizers"));
  return errs;
}

/**
 * ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp, deletionTimestamp and
 * deletionGracePeriodSeconds immutable; no new finalizers once deleting; then the same
 * label/annotation/ownerReference/finalizer checks as on create.
 */
export function validateObjectMetaUpdate(next: ObjectMeta | undefined, prev: ObjectMeta | undefined): FieldError[] {
  const n = next ?? {};
  const p = prev ?? {};
  const errs: FieldError[] = [];
  if (p.deletionTimestamp) {
    const extra = [...new Set(n.finalizers ?? [])].filter((f) => !(p.finalizers ?? []).includes(f)).sort();
    if (extra.length > 0) {
      errs.push(fieldForbidden("metadata.finalizers", `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(", ")}}`));
    }
  }
  if ((n.generation ?? 0) < (p.generation ?? 0)) errs.push(fieldInvalid("metadata.generation", n.generation ?? 0, "must not be decremented"));
  for (const f of ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"] as const) {
    if ((n[f] ?? "") !== (p[f] ?? "")) errs.push(fieldInvalid(`metadata.${f}`, n[f] ?? "", IMMUTABLE));
  }
  errs.push(...validateLabels(n.labels, "metadata.labels"));
  errs.push(...validateAnnotations(n.annotations, "metadata.annotations"));
  errs.push(...validateOwnerReferences(n.ownerReferences, "metadata.ownerReferences"));
  errs.push(...validateFinalizers(n.finalizers, "metadata.finalizers"));
  return errs;
}
