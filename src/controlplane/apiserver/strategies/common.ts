// Helpers every kind's strategy shares: deep equality, metadata carried across updates,
// generation bumps, status-only writes, and Go-style rendering of values in field errors.
import { fieldNotSupported, type FieldError } from "../../../api/errors.ts";
import type { ApiObject } from "../../../api/types.ts";
import { deepCopy } from "../../../api/copy.ts";

/** Structural equality; a property set to undefined equals a missing one (as JSON sees it). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** Everything but metadata, status and type meta: what a generation counts changes of. */
export function desiredState(obj: ApiObject): Record<string, unknown> {
  const { metadata: _m, status: _s, kind: _k, apiVersion: _v, ...rest } = obj;
  return rest;
}

/**
 * rest.BeforeUpdate's metadata rules: a client cannot set generation, cannot drop uid or
 * creationTimestamp, and cannot touch deletionTimestamp / deletionGracePeriodSeconds.
 */
export function carryMetadata(next: ApiObject, prev: ApiObject): void {
  next.metadata ??= {};
  const n = next.metadata;
  const p = prev.metadata ?? {};
  if (p.generation !== undefined) n.generation = p.generation;
  else delete n.generation;
  if (!n.uid && p.uid) n.uid = p.uid;
  if (p.creationTimestamp) n.creationTimestamp = p.creationTimestamp;
  if (p.deletionTimestamp) n.deletionTimestamp = p.deletionTimestamp;
  if (p.deletionGracePeriodSeconds !== undefined) n.deletionGracePeriodSeconds = p.deletionGracePeriodSeconds;
}

/** generation + 1 when the desired state changed (call after defaults and carryMetadata). */
export function bumpGeneration(next: ApiObject, prev: ApiObject): void {
  if (!deepEqual(desiredState(next), desiredState(prev))) {
    next.metadata.generation = (prev.metadata.generation ?? 0) + 1;
  }
}

/**
 * The common update preparation: stored status kept (it is written only via /status when
 * `keepStatus`), server-owned metadata carried over, generation bumped on desired-state change.
 */
export function prepareUpdate(next: ApiObject, prev: ApiObject, keepStatus: boolean): void {
  if (keepStatus) {
    if (prev.status === undefined) delete next.status;
    else next.status = deepCopy(prev.status);
  }
  carryMetadata(next, prev);
  bumpGeneration(next, prev);
}

/**
 * A write to /status: every field but status comes from the stored object, metadata too
 * (ResetObjectMetaForStatus); the request's resourceVersion stays for the precondition.
 */
export function takeStatusOnly(next: ApiObject, prev: ApiObject): void {
  const status = next.status;
  const rv = next.metadata?.resourceVersion;
  for (const k of Object.keys(next)) delete next[k];
  Object.assign(next, deepCopy(prev));
  if (status === undefined) delete next.status;
  else next.status = status;
  if (rv !== undefined) next.metadata.resourceVersion = rv;
}

/** Go's %#v of a map[string]string (sorted keys), as upstream prints bad map values. */
export function goStringMap(m: Record<string, string> | undefined | null): string {
  if (!m) return "map[string]string(nil)";
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(m[k])}`).join(", ")}}`;
}

/** An Invalid error whose value is already rendered (not quoted again). */
export function invalidRendered(field: string, rendered: string, detail: string): FieldError {
  return { type: "FieldValueInvalid", field, message: `Invalid value: ${rendered}: ${detail}` };
}

/** Pushes NotSupported unless `value` is empty or one of `supported`. */
export function oneOf(field: string, value: unknown, supported: string[], errs: FieldError[]): void {
  if (value === undefined || value === null || value === "") return;
  if (typeof value !== "string" || !supported.includes(value)) errs.push(fieldNotSupported(field, value, supported));
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 3339 with whole seconds, as metav1.Time serialises. */
export const rfc3339 = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;
