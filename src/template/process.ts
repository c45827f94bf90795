// Client-side template processing (`oc process --local`, the processedtemplates endpoint):
// parameter injection, generation, `${NAME}`/`${{NAME}}` substitution, namespace stripping,
// legacy groupification and object labels, in library-go's order and with oc's error wording.
import { ApiError, invalid, type FieldError } from "../api/errors.ts";
import type { ApiList, ApiObject, ObjectMeta } from "../api/types.ts";
import { formatTabbed } from "../formatters/tabwriter.ts";
import { GeneratorError, generateFromExpression } from "./generate.ts";
import { groupifyObject } from "./legacy.ts";
import { goQuote } from "./params.ts";
import type { Parameter, ProcessedTemplate, Template } from "./types.ts";
import { deepCopy } from "../api/copy.ts";

/** Options for processTemplate. */
export interface ProcessTemplateOptions {
  /** Uniform random source in [0, 1) for `generate: expression`. */
  random: () => number;
  /** Drop values for parameters the template does not declare instead of failing. */
  ignoreUnknownParameters?: boolean;
  /** Extra object labels (`-l`), merged over the template's own labels. */
  labels?: Record<string, string>;
  /** The namespace the command runs in; written into the processed template's metadata. */
  namespace?: string;
}

/**
 * Why processing failed. `reason` "UnknownParameters": values named parameters the template
 * lacks (`unknown` lists them). `reason` "Invalid": generation or required-value checks, or an
 * unusable object, failed (`errors` holds every field error, as the server's Status causes).
 */
export class TemplateError extends Error {
  readonly reason: "UnknownParameters" | "Invalid";
  readonly templateName: string;
  readonly errors: FieldError[];
  readonly unknown: string[];

  constructor(reason: "UnknownParameters" | "Invalid", templateName: string, errors: FieldError[], unknown: string[] = []) {
    super(reason === "Invalid" ? localInvalidText(templateName, errors) : unknown.map(unknownParameterMessage).join("\n"));
    this.reason = reason;
    this.templateName = templateName;
    this.errors = errors;
    this.unknown = unknown;
  }

  /**
   * Exactly what `oc process --local` writes to stderr (without the final newline): the
   * kubectl "invalid" form without an `error: ` prefix, `error: unknown parameter name "X"`
   * for one unknown name, or one bare line per name for several.
   */
  cliText(): string {
    if (this.reason === "UnknownParameters" && this.unknown.length === 1) return `error: ${this.message}`;
    return this.message;
  }

  /** What oc prints for the same failure coming back from the server (`unable to process template` + causes). */
  serverCliText(): string {
    return ["error: unable to process template", ...this.errors.map((e) => `  ${e.message}`)].join("\n");
  }

  /** The 422 Invalid Status the processedtemplates endpoint answers with. */
  toApiError(): ApiError {
    return invalid("Template.template.openshift.io", this.templateName, this.errors, "template.openshift.io");
  }
}

/** oc's error for a value naming no template parameter. */
export function unknownParameterMessage(name: string): string {
  return `unknown parameter name ${goQuote(name)}`;
}

// kubectl's checkErr for an Invalid error: "The <Kind> "<name>" is invalid: " + one cause, or
// the prefix on its own line and one `* cause` line per cause.
function localInvalidText(name: string, errors: FieldError[]): string {
  const prefix = `The Template ${goQuote(name)} is invalid: `;
  const causes = errors.map((e) => `${e.field}: ${e.message}`);
  return causes.length === 1 ? prefix + causes[0] : [prefix, ...causes.map((c) => `* ${c}`)].join("\n");
}

// `${KEY}` anywhere; `${{KEY}}` only as the whole string (library-go's two patterns).
const STRING_PARAM = /\$\{([a-zA-Z0-9_]+?)\}/g;
const NON_STRING_PARAM = /^\$\{\{([a-zA-Z0-9_]+)\}\}$/;
const HAS_STRING_PARAM = /\$\{([a-zA-Z0-9_]+?)\}/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** A substitution result: a string, or the raw text of a `${{NAME}}` value to parse as JSON. */
type Substituted = { text: string; asString: boolean };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Processes a template as `oc process` does and returns the objects, final parameters and
 * message; the input is not modified. Order: `opts.labels` merged into the template labels;
 * `values` injected (each clears that parameter's generator, so `X=` empties it); generated
 * values for parameters still empty; required checks (all errors collected, then stop); then
 * per object: namespace stripping, substitution in every string and map key, legacy
 * `apiVersion: v1` kinds groupified, object labels written to `metadata.labels`.
 * Throws TemplateError ("UnknownParameters" before anything else, then "Invalid").
 * Deterministic for a deterministic `opts.random`.
 */
export function processTemplate(template: Template, values: Record<string, string>, opts: ProcessTemplateOptions): ProcessedTemplate {
  const name = typeof template.metadata?.name === "string" ? template.metadata.name : "";
  let params: Parameter[] = (Array.isArray(template.parameters) ? template.parameters : []).map(canonicalParameter);
  let labels: Record<string, string> | undefined = isObject(template.labels) ? stringMap(template.labels) : undefined;
  if (opts.labels) labels = { ...(labels ?? {}), ...opts.labels };

  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const p = params.find((q) => q.name === key);
    if (p) { p.value = value; delete p.generate; } else if (!opts.ignoreUnknownParameters) unknown.push(key);
  }
  if (unknown.length > 0) throw new TemplateError("UnknownParameters", name, [], unknown);

  const genErrors = generateParameterValues(params, opts.random);
  if (genErrors.length > 0) throw new TemplateError("Invalid", name, genErrors);
  params = params.map(canonicalParameter);

  const paramMap = new Map<string, string>();
  for (const p of params) paramMap.set(p.name, p.value ?? "");

  const message = template.message === undefined || template.message === null ? undefined : substitute(paramMap, String(template.message)).text;
  if (labels) {
    const substituted: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) substituted[substitute(paramMap, k).text] = substitute(paramMap, v).text;
    labels = substituted;
  }

  const errors: FieldError[] = [];
  const objects: ApiObject[] = [];
  (Array.isArray(template.objects) ? template.objects : []).forEach((item, i) => {
    const problem = undecodable(item);
    if (problem) {
      errors.push({ type: "FieldValueInvalid", field: `item[${i}].objects`, message: `Invalid value: ${goJson(item)}: unable to handle object: ${problem}` });
      return;
    }
    const obj = deepCopy(item) as unknown as JsonObject;
    stripNamespace(obj);
    const out = visitMap(obj, paramMap);
    groupifyObject(out);
    if (labels) addObjectLabels(out, labels);
    objects.push(sortKeys(out) as unknown as ApiObject);
  });
  if (errors.length > 0) throw new TemplateError("Invalid", name, errors);

  const metadata: ObjectMeta = deepCopy(template.metadata ?? {});
  if (opts.namespace !== undefined && metadata.namespace !== opts.namespace) metadata.namespace = opts.namespace;
  // Field order and omitted empties follow the typed Template the server returns.
  const processed: Template = {
    kind: "Template", apiVersion: "template.openshift.io/v1", metadata,
    ...(message ? { message } : {}),
    objects,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(labels && Object.keys(labels).length > 0 ? { labels } : {}),
  };
  return { objects, parameters: params, ...(message !== undefined ? { message } : {}), template: processed };
}

/** The `List` `oc process -o json` prints around the processed objects. */
export function processedList(objects: readonly ApiObject[]): ApiList {
  return { kind: "List", apiVersion: "v1", metadata: {}, items: [...objects] };
}

/**
 * `oc process --parameters`: columns NAME, DESCRIPTION, GENERATOR, VALUE through Go's
 * tabwriter (min width 20, padding 3); VALUE is `from` when a generator is set, else `value`.
 * Ends with a newline.
 */
export function parameterTable(template: Pick<Template, "parameters">): string {
  let text = "NAME\tDESCRIPTION\tGENERATOR\tVALUE\n";
  for (const p of Array.isArray(template.parameters) ? template.parameters : []) {
    const value = p.generate ? (p.from ?? "") : (p.value ?? "");
    text += `${p.name ?? ""}\t${p.description ?? ""}\t${p.generate ?? ""}\t${value}\n`;
  }
  return formatTabbed(text, { minWidth: 20, padding: 3 });
}

/** True when `obj` is a Template (kind Template, apiVersion template.openshift.io/v1 or legacy v1). */
export function isTemplate(obj: unknown): obj is Template {
  return isObject(obj) && obj.kind === "Template"
    && (obj.apiVersion === "template.openshift.io/v1" || obj.apiVersion === "v1");
}

// library-go's GenerateParameterValues: fills params in place, returns every error.
function generateParameterValues(params: Parameter[], random: () => number): FieldError[] {
  const errs: FieldError[] = [];
  params.forEach((p, i) => {
    if (p.value) return;
    const field = `template.parameters[${i}]`;
    if (p.generate) {
      if (p.generate !== "expression") {
        errs.push({ type: "FieldValueInvalid", field, message: `Invalid value: ${goQuote(p.generate)}: Unknown generator name '${p.generate}' for parameter ${p.name}` });
        return;
      }
      try {
        const value = generateFromExpression(p.from ?? "", random);
        if (value) p.value = value; else delete p.value;
      } catch (e) {
        if (!(e instanceof GeneratorError)) throw e;
        errs.push({ type: "FieldValueInvalid", field, message: `Invalid value: ${goJson(p)}: ${e.message}` });
        return;
      }
    }
    if (!p.value && p.required) {
      errs.push({ type: "FieldValueRequired", field, message: `Required value: ${field}: parameter ${p.name} is required and must be specified` });
    }
  });
  return errs;
}

// Label maps from hand-written files may hold numbers or booleans; they are used as text.
function stringMap(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === "string" ? v : JSON.stringify(v) ?? "";
  return out;
}

// A Parameter as the typed Go struct holds it: its fields in struct order, empty ones omitted.
function canonicalParameter(p: Parameter): Parameter {
  const src = (isObject(p) ? p : {}) as Partial<Record<keyof Parameter, unknown>>;
  const out: Parameter = { name: typeof src.name === "string" ? src.name : "" };
  for (const k of ["displayName", "description", "value", "generate", "from"] as const) {
    const v = src[k];
    if (typeof v === "string" && v !== "") out[k] = v;
  }
  if (src.required === true) out.required = true;
  return out;
}

// EvaluateParameterSubstitution: an exact `${{KEY}}` of a known key yields the raw value to
// be parsed as JSON; otherwise each `${KEY}` match of a known key replaces the first
// occurrence of its text in the running result (so a value containing `${OTHER}` can be hit
// by a later match, as upstream).
function substitute(params: Map<string, string>, input: string): Substituted {
  const exact = NON_STRING_PARAM.exec(input);
  if (exact && params.has(exact[1])) return { text: params.get(exact[1])!, asString: false };
  let out = input;
  for (const m of input.matchAll(STRING_PARAM)) {
    const value = params.get(m[1]);
    if (value === undefined) continue;
    const at = out.indexOf(m[0]);
    if (at >= 0) out = out.slice(0, at) + value + out.slice(at + m[0].length);
  }
  return { text: out, asString: true };
}

const DELETE = Symbol("delete");

// A `${{KEY}}` result: its JSON value, or the raw text when it is not JSON. JSON null marks the
// map entry for deletion (upstream sets a nil value, which removes the key).
function resolve(params: Map<string, string>, s: string): Json | typeof DELETE {
  const r = substitute(params, s);
  if (r.asString) return r.text;
  try {
    const parsed = JSON.parse(r.text) as Json;
    return parsed === null ? DELETE : parsed;
  } catch {
    return r.text;
  }
}

function visitValue(v: Json, params: Map<string, string>): Json | typeof DELETE {
  if (typeof v === "string") return resolve(params, v);
  if (Array.isArray(v)) return v.map((x) => { const r = visitValue(x, params); return r === DELETE ? null : r; });
  if (isObject(v)) return visitMap(v, params);
  return v;
}

// Values and keys are both substituted; a key only ever stays a string.
function visitMap(obj: JsonObject, params: Map<string, string>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = resolveKey(params, k);
    const value = visitValue(v, params);
    if (value === DELETE) delete out[key]; else out[key] = value;
  }
  return out;
}

function resolveKey(params: Map<string, string>, k: string): string {
  const r = resolve(params, k);
  return typeof r === "string" ? r : substitute(params, k).text;
}

// library-go's stripNamespace: a literal metadata.namespace is removed so the objects land in
// the namespace the user targets; one holding a `${NAME}` reference stays to be substituted.
function stripNamespace(obj: JsonObject): void {
  const meta = obj.metadata;
  if (isObject(meta)) {
    if (!Object.hasOwn(meta, "namespace")) return;
    const ns = meta.namespace;
    if (typeof ns === "string" && ns.length > 0 && !HAS_STRING_PARAM.test(ns)) delete meta.namespace;
    else if (typeof ns !== "string" || !HAS_STRING_PARAM.test(ns)) meta.namespace = "";
    return;
  }
  if (Object.hasOwn(obj, "metadata")) return;
  if (Object.hasOwn(obj, "namespace")) {
    const ns = obj.namespace;
    if (typeof ns !== "string" || !HAS_STRING_PARAM.test(ns)) obj.namespace = "";
  }
}

// Writes the labels into metadata.labels, overwriting equal keys; only metadata is touched.
function addObjectLabels(obj: JsonObject, labels: Record<string, string>): void {
  if (!isObject(obj.metadata)) obj.metadata = {};
  const meta = obj.metadata as JsonObject;
  const current = meta.labels;
  // A labels map with a non-string value does not read as labels upstream and is replaced.
  const merged: JsonObject = isObject(current) && Object.values(current).every((v) => typeof v === "string") ? { ...current } : {};
  for (const [k, v] of Object.entries(labels)) merged[k] = v;
  meta.labels = merged;
}

// What the unstructured decoder refuses: anything but an object with a non-empty string kind.
function undecodable(item: unknown): string | undefined {
  if (isObject(item)) {
    return typeof item.kind === "string" && item.kind !== "" ? undefined : `Object 'Kind' is missing in '${goJson(item)}'`;
  }
  if (item === null || item === undefined) return "Object 'Kind' is missing in 'null'";
  const type = Array.isArray(item) ? "array" : typeof item === "boolean" ? "bool" : typeof item;
  return `json: cannot unmarshal ${type} into Go value of type map[string]interface {}`;
}

// Go marshals maps with sorted keys; oc prints processed objects that way.
function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
}

// encoding/json's output: compact, with <, >, & and U+2028/9 escaped.
function goJson(v: unknown): string {
  return (JSON.stringify(v) ?? "null").replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
