// `-o name` and the `<kind>/<name> <verb>` lines that create, apply, delete and friends print.
import type { ApiObject } from "../api/types.ts";

/** What names an object in output: its kind, API group ("" for core) and name. */
export interface ObjectRef {
  kind: string;
  group?: string;
  name: string;
}

/** The group part of an apiVersion: `apps/v1` → `apps`, `v1` → "". */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return "";
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** `kind` lower-cased, qualified by its group unless core: `pod`, `deployment.apps`. */
export function kindQualifier(kind: string, group = ""): string {
  const k = kind.toLowerCase();
  return group ? `${k}.${group}` : k;
}

function refOf(target: ApiObject | ObjectRef): ObjectRef {
  if ("metadata" in target && target.metadata && typeof target.metadata === "object") {
    const o = target as ApiObject;
    return { kind: o.kind ?? "", group: groupOf(o.apiVersion), name: o.metadata.name ?? "" };
  }
  return target as ObjectRef;
}

/**
 * kubectl's name form: `pod/web-1`, `deployment.apps/web`; just the name when the kind is
 * unknown (as kubectl's name printer does).
 */
export function nameOf(target: ApiObject | ObjectRef): string {
  const ref = refOf(target);
  return ref.kind ? `${kindQualifier(ref.kind, ref.group)}/${ref.name}` : ref.name;
}

/** `-o name` output: one `kind/name` line per object. */
export function printNames(objs: readonly (ApiObject | ObjectRef)[]): string {
  return objs.map((o) => `${nameOf(o)}\n`).join("");
}

/**
 * The verb line: `pod/web-1 created`, `pod/web-1 created (dry run)` (client),
 * `pod/web-1 created (server dry run)`. No trailing newline.
 */
export function describeAction(target: ApiObject | ObjectRef, verb: string, dryRun?: "client" | "server" | "none"): string {
  const suffix = dryRun === "client" ? " (dry run)" : dryRun === "server" ? " (server dry run)" : "";
  return `${nameOf(target)} ${verb}${suffix}`;
}
