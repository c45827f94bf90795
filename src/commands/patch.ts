// `skiff patch`: update fields of objects with a strategic merge, JSON merge or JSON patch, on the server or locally.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { ApiError } from "../api/errors.ts";
import { PatchError, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, jsonEqual } from "../api/patch.ts";
import { infoForKind } from "../api/resources.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient, PatchType, ResourceRef } from "../client/api-client.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, namespaceExplicit, parseDryRun, placeObject, printWritten, type DryRun,
} from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";
import { goQuote } from "../template/params.ts";
import { defineCommand } from "./command.ts";
import { NO_RESOURCES } from "./scale.ts";

interface PatchFlags {
  filename: string[];
  recursive?: boolean;
  patch?: string;
  patchFile?: string;
  type: string;
  subresource?: string;
  local?: boolean;
  fieldManager: string;
  dryRun?: string;
  output?: string;
}

/** The patch types `--type` takes, as kubectl lists them (sorted). */
export const PATCH_TYPES = ["json", "merge", "strategic"] as const;
export type CliPatchType = (typeof PATCH_TYPES)[number];

export interface PatchOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  /** The patch text as given with -p (mutually exclusive with patchFile). */
  patch: string;
  patchFile: string;
  type: CliPatchType;
  subresource?: string;
  local: boolean;
  fieldManager: string;
  dryRun: DryRun;
  output?: string;
}

/** The Content-Type each patch type travels as; kubectl names it in its 415 error. */
const CONTENT_TYPES: Record<CliPatchType, string> = {
  json: "application/json-patch+json",
  merge: "application/merge-patch+json",
  strategic: "application/strategic-merge-patch+json",
};

/** Go's `group/version, Kind=Kind` (core: `/v1, Kind=Pod`). */
function gvkString(obj: Pick<ApiObject, "apiVersion" | "kind">): string {
  const av = obj.apiVersion ?? "";
  const gv = av.includes("/") ? av : `/${av}`;
  return `${gv}, Kind=${obj.kind ?? ""}`;
}

/** What the name printer calls an object: its own kind and group (a Scale is `scale.autoscaling/web`). */
function printedRef(obj: ApiObject, fallback: Pick<ResourceRef, "kind" | "group">): Pick<ResourceRef, "kind" | "group"> {
  if (!obj.kind) return fallback;
  const av = obj.apiVersion ?? "";
  return { kind: obj.kind, group: av.includes("/") ? av.slice(0, av.indexOf("/")) : "" };
}

/** Go's quoting of one character in encoding/json's syntax errors. */
function goQuoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === "\"") return "'\"'";
  return `'${goQuote(c).slice(1, -1)}'`;
}

/**
 * encoding/json's syntax error for text V8 refused, e.g. `invalid character 'b' looking for
 * beginning of object key string` (kubectl decodes JSON patches with Go's decoder).
 */
export function goJsonSyntaxError(text: string, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const at = /at position (\d+)/.exec(msg);
  const ch = (): string => goQuoteChar(at ? text[Number(at[1])] ?? "" : "");
  const rules: [RegExp, () => string][] = [
    [/^Unexpected end of JSON input/, () => "unexpected end of JSON input"],
    [/^Expected property name or '}'/, () => `invalid character ${ch()} looking for beginning of object key string`],
    [/^Unexpected non-whitespace character after JSON/, () => `invalid character ${ch()} after top-level value`],
    [/^Expected ':' after property name/, () => `invalid character ${ch()} after object key`],
    [/^Expected ',' or '}' after property value/, () => `invalid character ${ch()} after object key:value pair`],
    [/^Expected ',' or ']' after array element/, () => `invalid character ${ch()} after array element`],
    [/^Bad control character in string literal/, () => `invalid character ${ch()} in string literal`],
    [/^Bad escaped character/, () => `invalid character ${ch()} in string escape code`],
    [/^No number after minus sign/, () => `invalid character ${ch()} in numeric literal`],
    [/^Unexpected token '(.+?)'/, () => `invalid character ${goQuoteChar(/^Unexpected token '(.+?)'/.exec(msg)![1])} looking for beginning of value`],
  ];
  for (const [re, say] of rules) if (re.test(msg)) return say();
  return msg.replace(/ in JSON at position \d+.*$/s, "");
}

/** Go's name for a JSON value's type in `cannot unmarshal X into …`. */
function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "object" : typeof v;
}

/**
 * The patch text as kubectl sends it (its yaml.ToJSON): text opening with `{` goes as is
 * (even when it is not valid JSON: the server then says why); anything else is read as YAML
 * and re-encoded as JSON. Throws kubectl's `unable to parse "…": yaml: …`.
 */
export async function patchToJson(text: string): Promise<string> {
  if (/^\s*\{/.test(text)) return text;
  const yaml = await import("js-yaml");
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    const mark = (e as { mark?: { line?: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
    throw new CliError(`unable to parse ${goQuote(text)}: yaml: ${mark?.line !== undefined ? `line ${mark.line + 1}: ` : ""}${reason}`);
  }
  return JSON.stringify(doc ?? null);
}

/**
 * Applies a patch the way kubectl's getPatchedJSON does for --local and --dry-run=client,
 * with its error wording: strategic merge only for kinds skiff knows (`strategic merge
 * patch is not supported for … locally, try --type merge`), `invalid JSON document`,
 * `Invalid JSON Patch`, Go decoder errors for JSON patches. Returns the patched object.
 */
export function applyPatchLocally(obj: ApiObject, type: CliPatchType, patchJson: string): ApiObject {
  if (type === "strategic" && !infoForKind(obj.apiVersion, obj.kind) && !(obj.apiVersion === "autoscaling/v1" && obj.kind === "Scale")) {
    throw new CliError(`strategic merge patch is not supported for ${gvkString(obj)} locally, try --type merge`);
  }
  let parsed: unknown;
  let syntaxError: unknown;
  try {
    parsed = JSON.parse(patchJson);
  } catch (e) {
    syntaxError = e;
  }
  const isMap = parsed !== null && typeof parsed === "object" && !Array.isArray(parsed);
  try {
    switch (type) {
      case "strategic":
        if (syntaxError !== undefined || (!isMap && parsed !== null)) throw new CliError("invalid JSON document");
        return parsed === null ? obj : applyStrategicMergePatch(obj, parsed);
      case "merge":
        if (Array.isArray(parsed)) throw new CliError("json: cannot unmarshal array into Go value of type unstructured.detector");
        if (syntaxError !== undefined || !isMap) throw new CliError("Invalid JSON Patch");
        return applyMergePatch(obj, parsed);
      case "json": {
        if (syntaxError !== undefined) throw new CliError(goJsonSyntaxError(patchJson, syntaxError));
        if (parsed === null) return obj;
        if (!Array.isArray(parsed)) throw new CliError(`json: cannot unmarshal ${goTypeOf(parsed)} into Go value of type jsonpatch.Patch`);
        const bad = parsed.find((op) => op === null || typeof op !== "object" || Array.isArray(op));
        if (bad !== undefined && bad !== null) throw new CliError(`json: cannot unmarshal ${goTypeOf(bad)} into Go value of type jsonpatch.Operation`);
        const unknown = (parsed as { op?: unknown }[]).find((op) => !["add", "remove", "replace", "move", "copy", "test"].includes(String(op?.op)));
        if (unknown) throw new CliError(`Unexpected kind: ${typeof unknown.op === "string" ? unknown.op : ""}`);
        let out = obj;
        for (const op of parsed as { op: string; path?: unknown }[]) out = applyJsonOp(out, op);
        return out;
      }
    }
  } catch (e) {
    if (e instanceof PatchError) throw new CliError(e.message);
    throw e;
  }
}

/** One JSON patch operation, its missing-path failures worded as kubectl's json-patch library words them. */
function applyJsonOp(doc: ApiObject, op: { op: string; path?: unknown }): ApiObject {
  try {
    return applyJsonPatch(doc, [op]);
  } catch (e) {
    if (!(e instanceof PatchError) || !e.message.startsWith("doc is missing path") || typeof op.path !== "string") throw e;
    if (op.op === "remove") {
      throw new CliError(`error in remove for path: '${op.path}': Unable to remove nonexistent key: ${op.path.split("/").pop() ?? ""}: missing value`);
    }
    if (op.op === "add") throw new CliError(`add operation does not apply: doc is missing path: ${JSON.stringify(op.path)}: missing value`);
    throw e;
  }
}

/** kubectl's Validate, in its order. */
function validatePatchFlags(o: PatchOptions, hasArgs: boolean): void {
  if (o.patch !== "" && o.patchFile !== "") throw new CliError("cannot specify --patch and --patch-file together");
  if (o.patch === "" && o.patchFile === "") throw new CliError("must specify --patch or --patch-file containing the contents of the patch");
  if (o.local && hasArgs) throw new CliError("cannot specify --local and server resources");
  if (o.local && o.dryRun === "server") throw new CliError("cannot specify --local and --dry-run=server - did you mean --dry-run=client?");
}

/** Go's os.ReadFile error text for the common failures. */
function readError(path: string, e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === "ENOENT") return `open ${path}: no such file or directory`;
  if (code === "EACCES") return `open ${path}: permission denied`;
  if (code === "EISDIR") return `read ${path}: is a directory`;
  return e instanceof Error ? e.message : String(e);
}

/** One object to patch: where it lives and what it looked like before. */
interface Visited {
  ref: ResourceRef;
  ns: string | undefined;
  name: string;
  before: ApiObject;
}

export default defineCommand<PatchFlags, PatchOptions>({
  name: "patch",
  summary: "Update fields of a resource",
  group: "Advanced Commands",
  args: "[args...]",
  completeArgs: "resource-then-names",
  examples: [
    "# Partially update a node using a strategic merge patch, specifying the patch as JSON\nskiff patch node k8s-node-1 -p '{\"spec\":{\"unschedulable\":true}}'",
    "# Partially update a node using a strategic merge patch, specifying the patch as YAML\nskiff patch node k8s-node-1 -p $'spec:\\n unschedulable: true'",
    "# Partially update a node identified by the type and name specified in \"node.json\" using strategic merge patch\nskiff patch -f node.json -p '{\"spec\":{\"unschedulable\":true}}'",
    "# Update a container's image; spec.containers[*].name is required because it's a merge key\nskiff patch pod valid-pod -p '{\"spec\":{\"containers\":[{\"name\":\"kubernetes-serve-hostname\",\"image\":\"new image\"}]}}'",
    "# Update a container's image using a JSON patch with positional arrays\nskiff patch pod valid-pod --type='json' -p='[{\"op\": \"replace\", \"path\": \"/spec/containers/0/image\", \"value\":\"new image\"}]'",
    "# Update a replication controller's replicas through the 'scale' subresource using a merge patch\nskiff patch rc web --subresource='scale' --type='merge' -p '{\"spec\":{\"replicas\":2}}'",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "identifying the resource to update")))
    .option("-p, --patch <patch>", "The patch to be applied to the resource JSON file.")
    .option("--patch-file <file>", "A file containing a patch to be applied to the resource.")
    .option("--type <type>", `The type of patch being provided; one of [${PATCH_TYPES.join(" ")}]`, "strategic")
    .option("--subresource <subresource>", "If specified, patch will operate on the subresource of the requested object. Must be one of [status scale].")
    .option("--local", "If true, patch will operate on the content of the file, not the server-side resource.")
    .option("--field-manager <name>", "Name of the manager used to track field ownership.", "kubectl-patch"),
  complete(args, flags, deps) {
    const dryRun = parseDryRun(flags.dryRun, deps);
    const rawType = flags.type ?? "";
    const type = rawType === "" ? "strategic" : rawType.toLowerCase();
    const o: PatchOptions = {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      patch: flags.patch ?? "",
      patchFile: flags.patchFile ?? "",
      type: "strategic",
      subresource: flags.subresource || undefined,
      local: flags.local ?? false,
      fieldManager: flags.fieldManager,
      dryRun,
      output: flags.output,
    };
    validatePatchFlags(o, args.length > 0);
    if (!(PATCH_TYPES as readonly string[]).includes(type)) {
      throw new CliError(`--type must be one of [${PATCH_TYPES.join(" ")}], not ${JSON.stringify(rawType)}`);
    }
    o.type = type as CliPatchType;
    if (args.length > 0) {
      o.targets = parseTargets(args, "patch");
      if (o.targets.form === "types" && o.targets.names.length === 0) throw new CliError("resource(s) were provided, but no name was specified");
    }
    return o;
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    let text = o.patch;
    if (o.patchFile !== "") {
      try {
        text = await readFile(o.patchFile, "utf8");
      } catch (e) {
        throw new CliError(`unable to read patch file: ${readError(o.patchFile, e)}`);
      }
    }
    const patchJson = await patchToJson(text);
    if (!o.targets && o.filenames.length === 0) throw new CliError(NO_RESOURCES);
    if (o.local) {
      await patchLocalFiles(o, patchJson, deps);
      return;
    }
    const client = await deps.client();
    const errors: unknown[] = [];
    let count = 0;
    for await (const v of visit(o, client, deps, errors)) {
      count++;
      try {
        await patchOne(v, o, patchJson, client, deps);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors);
    if (count === 0) throw new CliError("no objects passed to patch");
  },
});

/** --local: patch each object of the -f files as read, print it; nothing is sent. */
async function patchLocalFiles(o: PatchOptions, patchJson: string, deps: Deps): Promise<void> {
  const errors: unknown[] = [];
  let count = 0;
  for (const m of await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) })) {
    for (const obj of m.objects) {
      count++;
      try {
        const after = applyPatchLocally(obj, o.type, patchJson);
        const ref = printedRef(obj, { kind: obj.kind ?? "", group: "" });
        await printWritten(after, ref, jsonEqual(obj, after) ? "patched (no change)" : "patched", { output: o.output, dryRun: "none" }, deps);
      } catch (e) {
        errors.push(e);
      }
    }
  }
  if (errors.length > 0) throw new AggregateError(errors);
  if (count === 0) throw new CliError("no objects passed to patch");
}

/**
 * The objects named by -f or the arguments, each fetched (its subresource, with
 * --subresource) as kubectl's builder does; lookup errors go to `errors` and the rest carry on.
 */
async function* visit(o: PatchOptions, client: ApiClient, deps: Deps, errors: unknown[]): AsyncGenerator<Visited> {
  const fetch = async (ref: ResourceRef, ns: string | undefined, name: string): Promise<Visited | undefined> => {
    try {
      const before = o.subresource ? await client.getSubresource(ref, ns, name, o.subresource) : await client.get(ref, ns, name);
      return { ref, ns, name, before };
    } catch (e) {
      errors.push(e);
      return undefined;
    }
  };
  if (o.filenames.length > 0) {
    for (const m of await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) })) {
      for (const obj of m.objects) {
        let placed: { ref: ResourceRef; ns: string | undefined };
        try {
          placed = await placeObject(obj, client, client.namespace, namespaceExplicit(deps));
        } catch (e) {
          errors.push(e);
          continue;
        }
        const v = await fetch(placed.ref, placed.ns, obj.metadata.name ?? "");
        if (v) yield v;
      }
    }
  }
  if (!o.targets) return;
  for (const t of await resolveTargets(o.targets, client)) {
    const ns = t.ref.namespaced ? client.namespace : undefined;
    for (const name of t.names) {
      const v = await fetch(t.ref, ns, name);
      if (v) yield v;
    }
  }
}

/** PATCHes one object (or patches it locally under --dry-run=client) and prints kubectl's line. */
async function patchOne(v: Visited, o: PatchOptions, patchJson: string, client: ApiClient, deps: Deps): Promise<void> {
  let after: ApiObject;
  if (o.dryRun === "client") {
    after = applyPatchLocally(v.before, o.type, patchJson);
  } else {
    try {
      after = await client.patch(v.ref, v.ns, v.name, o.type as PatchType, patchJson,
        { subresource: o.subresource, dryRun: o.dryRun === "server", fieldManager: o.fieldManager });
    } catch (e) {
      // kubectl wraps a 415 (strategic merge on a kind the server has no schema for) with the type and kind.
      if (e instanceof ApiError && e.status.code === 415) {
        throw new CliError(`${CONTENT_TYPES[o.type]} is not supported by ${gvkString(v.before)}: ${e.status.message ?? ""}`);
      }
      throw e;
    }
  }
  // kubectl compares the whole object before and after; the verb carries no dry-run suffix.
  const verb = jsonEqual(v.before, after) ? "patched (no change)" : "patched";
  await printWritten(after, printedRef(after, v.ref), verb, { output: o.output, dryRun: "none" }, deps);
}
