// Pure patch functions: JSON patch (RFC 6902), merge patch (RFC 7386), strategic merge patch, and the 2-/3-way diffs kubectl sends.
//
// None of these functions mutates its arguments; results never share structure with them.
import { deepCopy } from "./copy.ts";

/** A patch that cannot be applied (bad shape, missing path, failed test). */
export class PatchError extends Error {
  override readonly name = "PatchError";
}

export type JsonObject = { [key: string]: unknown };

export interface JsonPatchOperation {
  op: "add" | "remove" | "replace" | "move" | "copy" | "test";
  path: string;
  value?: unknown;
  from?: string;
}

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

const clone = deepCopy;

/** Structural JSON equality (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// RFC 6902 JSON patch

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must be empty or start with "/"`);
  return pointer.slice(1).split("/").map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(tokens: string[], i: number, arr: unknown[], pointer: string, allowEnd: boolean): number {
  const t = tokens[i]!;
  if (allowEnd && t === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(t)) throw new PatchError(`invalid array index ${JSON.stringify(t)} in path ${JSON.stringify(pointer)}`);
  const n = Number(t);
  if (n > arr.length || (!allowEnd && n === arr.length)) throw new PatchError(`array index ${n} out of bounds in path ${JSON.stringify(pointer)}`);
  return n;
}

/** The container holding the last token of pointer (which must exist), and that token. */
function parentOf(doc: unknown, pointer: string): { parent: JsonObject | unknown[]; token: string; tokens: string[] } {
  const tokens = parsePointer(pointer);
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    cur = child(cur, tokens, i, pointer);
  }
  if (!isObject(cur) && !Array.isArray(cur)) throw new PatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
  return { parent: cur, token: tokens[tokens.length - 1]!, tokens };
}

function child(cur: unknown, tokens: string[], i: number, pointer: string): unknown {
  if (Array.isArray(cur)) return cur[arrayIndex(tokens, i, cur, pointer, false)];
  if (isObject(cur) && Object.hasOwn(cur, tokens[i]!)) return cur[tokens[i]!];
  throw new PatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
}

function getAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  let cur = doc;
  for (let i = 0; i < tokens.length; i++) cur = child(cur, tokens, i, pointer);
  return cur;
}

/** Returns the new document (the root may be replaced). */
function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  if (pointer === "") return value;
  const { parent, token, tokens } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(tokens, tokens.length - 1, parent, pointer, true), 0, value);
  else parent[token] = value;
  return doc;
}

function removeAt(doc: unknown, pointer: string): unknown {
  if (pointer === "") throw new PatchError("cannot remove the whole document");
  const { parent, token, tokens } = parentOf(doc, pointer);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(tokens, tokens.length - 1, parent, pointer, false), 1)[0];
  if (!Object.hasOwn(parent, token)) throw new PatchError(`doc is missing path: ${JSON.stringify(pointer)}`);
  const old = parent[token];
  delete parent[token];
  return old;
}

function validOps(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) throw new PatchError("a JSON patch must be a list of operations");
  return ops.map((op, i) => {
    if (!isObject(op) || typeof op.op !== "string") throw new PatchError(`operation ${i}: missing "op"`);
    if (typeof op.path !== "string") throw new PatchError(`operation ${i} (${op.op}): missing "path"`);
    if ((op.op === "move" || op.op === "copy") && typeof op.from !== "string") throw new PatchError(`operation ${i} (${op.op}): missing "from"`);
    if ((op.op === "add" || op.op === "replace" || op.op === "test") && !Object.hasOwn(op, "value")) {
      throw new PatchError(`operation ${i} (${op.op}): missing "value"`);
    }
    return op as unknown as JsonPatchOperation;
  });
}

/**
 * Applies RFC 6902 operations in order and returns the result; doc is untouched. Paths are JSON
 * pointers (`~1` is "/", `~0` is "~"; `-` appends to an array). Throws PatchError for a malformed
 * operation, a missing path, an index out of range, a move into its own child, or a failed test.
 */
export function applyJsonPatch<T = unknown>(doc: T, ops: unknown): T {
  let out: unknown = clone(doc);
  for (const op of validOps(ops)) {
    switch (op.op) {
      case "add":
        out = addAt(out, op.path, clone(op.value));
        break;
      case "remove":
        removeAt(out, op.path);
        break;
      case "replace":
        getAt(out, op.path);
        if (op.path === "") out = clone(op.value);
        else {
          removeAt(out, op.path);
          out = addAt(out, op.path, clone(op.value));
        }
        break;
      case "move": {
        if (op.path.startsWith(`${op.from!}/`)) throw new PatchError(`cannot move ${JSON.stringify(op.from)} into its own child ${JSON.stringify(op.path)}`);
        if (op.path === op.from) {
          getAt(out, op.path);
          break;
        }
        const v = removeAt(out, op.from!);
        out = addAt(out, op.path, v);
        break;
      }
      case "copy":
        out = addAt(out, op.path, clone(getAt(out, op.from!)));
        break;
      case "test":
        if (!jsonEqual(getAt(out, op.path), op.value)) throw new PatchError(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new PatchError(`unknown patch operation ${JSON.stringify((op as { op: string }).op)}`);
    }
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// RFC 7386 JSON merge patch

/** RFC 7386: objects merge recursively, null deletes a key, anything else (arrays too) replaces. */
export function applyMergePatch<T = unknown>(doc: T, patch: unknown): T {
  return mergeInto(clone(doc), patch) as T;
}

function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch: list strategies of core v1

type ListStrategy = { key: string } | "set";

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"];

/**
 * How strategic merge treats lists, by the field path of the list: object field names from the
 * root joined by ".", list indexes left out (so a container's ports are
 * `spec.containers.ports`). A pattern starting with `**.` matches that suffix at any depth,
 * which covers a Pod's `spec` and every nested pod template (`spec.template.spec` of
 * ReplicationControllers, Deployments, DeploymentConfigs, Jobs…). `{ key }` lists merge
 * element-wise by that field; `"set"` lists merge as sets of strings; every other list
 * (tolerations, args, command, …) is replaced whole. Mirrors the patchMergeKey /
 * patchStrategy tags of the Go types; `spec.ports` (a Service's, by port) and a container's
 * ports (by containerPort) are told apart by their path.
 */
const LIST_STRATEGIES: [pattern: string, strategy: ListStrategy][] = [
  ...CONTAINER_LISTS.map((c): [string, ListStrategy] => [`**.${c}`, { key: "name" }]),
  ...CONTAINER_LISTS.flatMap((c): [string, ListStrategy][] => [
    [`**.${c}.env`, { key: "name" }],
    [`**.${c}.ports`, { key: "containerPort" }],
    [`**.${c}.volumeMounts`, { key: "mountPath" }],
    [`**.${c}.volumeDevices`, { key: "devicePath" }],
  ]),
  ["**.volumes", { key: "name" }],
  ["**.imagePullSecrets", { key: "name" }],
  ["**.hostAliases", { key: "ip" }],
  ["**.topologySpreadConstraints", { key: "topologyKey" }],
  ["**.conditions", { key: "type" }],
  ["**.metadata.ownerReferences", { key: "uid" }],
  ["**.metadata.finalizers", "set"],
  ["spec.ports", { key: "port" }],
  ["status.addresses", { key: "type" }],
];

const strategyCache = new Map<string, ListStrategy | undefined>();

function strategyFor(path: readonly string[]): ListStrategy | undefined {
  const p = path.join(".");
  if (strategyCache.has(p)) return strategyCache.get(p);
  let found: ListStrategy | undefined;
  for (const [pattern, s] of LIST_STRATEGIES) {
    const hit = pattern.startsWith("**.") ? p === pattern.slice(3) || p.endsWith(pattern.slice(2)) : p === pattern;
    if (hit) {
      found = s;
      break;
    }
  }
  strategyCache.set(p, found);
  return found;
}

const PATCH = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ORDER = "$setElementOrder/";
const DELETE_PRIMITIVE = "$deleteFromPrimitiveList/";
const DELETED = Symbol("deleted");

/**
 * Applies a strategic merge patch: a merge patch in which lists with a merge key (see
 * LIST_STRATEGIES) merge element by element and string sets merge as sets, plus the
 * directives `$patch: delete|replace|merge` (on maps and on list elements),
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 * schemaPath is doc's own field path inside a whole object (e.g. "spec.template" when doc is
 * a pod template); "" (the default) means doc is a whole object. Throws PatchError when a
 * patch element of a keyed list lacks its merge key, or a directive is malformed.
 */
export function applyStrategicMergePatch<T = unknown>(doc: T, patch: unknown, schemaPath = ""): T {
  const path = schemaPath === "" ? [] : schemaPath.split(".");
  if (!isObject(patch)) return clone(patch) as T;
  const r = smpMap(isObject(doc) ? clone(doc) : {}, clone(patch), path);
  return (r === DELETED ? {} : r) as T;
}

function smpMap(orig: JsonObject, patch: JsonObject, path: string[]): JsonObject | typeof DELETED {
  const directive = patch[PATCH];
  if (directive !== undefined) {
    if (directive === "delete") return DELETED;
    if (directive === "replace") {
      const { [PATCH]: _d, ...rest } = patch;
      return smpMap({}, rest, path) as JsonObject;
    }
    if (directive !== "merge") throw new PatchError(`unknown patch type: ${JSON.stringify(directive)} in map: ${JSON.stringify(patch)}`);
  }
  const retain = patch[RETAIN_KEYS];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(`invalid ${RETAIN_KEYS} directive: ${JSON.stringify(retain)}`);
    for (const k of Object.keys(orig)) if (!retain.includes(k)) delete orig[k];
  }
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(v)) throw new PatchError(`invalid ${k} directive: ${JSON.stringify(v)}`);
      const cur = orig[field];
      if (Array.isArray(cur)) orig[field] = cur.filter((x) => !v.some((d) => jsonEqual(d, x)));
      continue;
    }
    if (k.startsWith(SET_ORDER)) {
      if (!Array.isArray(v)) throw new PatchError(`invalid ${k} directive: ${JSON.stringify(v)}`);
      orders.push([k.slice(SET_ORDER.length), v]);
      continue;
    }
    if (k === PATCH || k === RETAIN_KEYS) continue;
    const sub = [...path, k];
    if (v === null) {
      delete orig[k];
    } else if (isObject(v)) {
      const r = smpMap(isObject(orig[k]) ? (orig[k] as JsonObject) : {}, v, sub);
      if (r === DELETED) delete orig[k];
      else orig[k] = r;
    } else if (Array.isArray(v)) {
      const strategy = strategyFor(sub);
      const cur = Array.isArray(orig[k]) ? (orig[k] as unknown[]) : [];
      orig[k] = strategy ? mergeList(cur, v, strategy, sub) : v.map((e) => (isObject(e) ? smpMap({}, e, sub) : e)).filter((e) => e !== DELETED);
    } else {
      orig[k] = v;
    }
  }
  for (const [field, order] of orders) {
    const list = orig[field];
    if (Array.isArray(list)) orig[field] = sortByOrder(list, order, strategyFor([...path, field]));
  }
  return orig;
}

function mergeList(cur: unknown[], patch: unknown[], strategy: ListStrategy, path: string[]): unknown[] {
  if (strategy === "set") {
    const out = [...cur];
    for (const v of patch) if (!out.some((x) => jsonEqual(x, v))) out.push(v);
    return out;
  }
  const key = strategy.key;
  if (patch.some((e) => isObject(e) && e[PATCH] === "replace")) {
    return patch.filter((e) => !(isObject(e) && e[PATCH] === "replace")).map((e) => (isObject(e) ? smpMap({}, e, path) : e));
  }
  const out = [...cur];
  for (const e of patch) {
    if (!isObject(e)) throw new PatchError(`list ${path.join(".")} merges by ${key}, but the patch holds ${JSON.stringify(e)}`);
    if (!Object.hasOwn(e, key)) throw new PatchError(`map: ${JSON.stringify(e)} does not contain declared merge key: ${key}`);
    const at = out.findIndex((x) => isObject(x) && jsonEqual(x[key], e[key]));
    if (e[PATCH] === "delete") {
      for (let i = out.length - 1; i >= 0; i--) {
        const x = out[i];
        if (isObject(x) && jsonEqual(x[key], e[key])) out.splice(i, 1);
      }
      continue;
    }
    const r = smpMap(at >= 0 ? (out[at] as JsonObject) : {}, e, path);
    if (r === DELETED) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = r;
    else out.push(r);
  }
  return out;
}

/** Orders list as `$setElementOrder` says; elements it does not name keep their relative order, after. */
function sortByOrder(list: unknown[], order: unknown[], strategy: ListStrategy | undefined): unknown[] {
  const rank = (x: unknown): number => {
    const i = order.findIndex((o) =>
      strategy && strategy !== "set" && isObject(o) && isObject(x) ? jsonEqual(o[strategy.key], x[strategy.key]) : jsonEqual(o, x));
    return i < 0 ? order.length : i;
  };
  return list.map((x, i) => ({ x, r: rank(x), i })).sort((a, b) => a.r - b.r || a.i - b.i).map((e) => e.x);
}

// ---------------------------------------------------------------------------------------------
// Computing patches (kubectl apply / edit)

interface DiffOptions {
  strategic: boolean;
  /** Leave out fields (and keyed elements) present in `from` but not in `to`. */
  ignoreDeletions: boolean;
  /** Leave out new and changed fields: only deletions remain. */
  ignoreChangesAndAdditions: boolean;
}

function diffMaps(from: JsonObject, to: JsonObject, path: string[], o: DiffOptions): JsonObject {
  const patch: JsonObject = {};
  for (const [k, tv] of Object.entries(to)) {
    const sub = [...path, k];
    if (!Object.hasOwn(from, k)) {
      if (!o.ignoreChangesAndAdditions) patch[k] = clone(tv);
      continue;
    }
    const fv = from[k];
    if (jsonEqual(fv, tv)) continue;
    if (isObject(fv) && isObject(tv)) {
      const d = diffMaps(fv, tv, sub, o);
      if (Object.keys(d).length > 0) patch[k] = d;
      continue;
    }
    const strategy = o.strategic && Array.isArray(fv) && Array.isArray(tv) ? strategyFor(sub) : undefined;
    if (strategy && diffList(patch, k, fv as unknown[], tv as unknown[], strategy, sub, o)) continue;
    if (!o.ignoreChangesAndAdditions) patch[k] = clone(tv);
  }
  if (!o.ignoreDeletions) {
    for (const k of Object.keys(from)) if (!Object.hasOwn(to, k)) patch[k] = null;
  }
  return patch;
}

/** Writes the element-wise patch of list k into patch; false when the list must be replaced whole. */
function diffList(patch: JsonObject, k: string, from: unknown[], to: unknown[], strategy: ListStrategy, path: string[], o: DiffOptions): boolean {
  if (strategy === "set") {
    const added = o.ignoreChangesAndAdditions ? [] : to.filter((x) => !from.some((y) => jsonEqual(x, y)));
    const removed = o.ignoreDeletions ? [] : from.filter((x) => !to.some((y) => jsonEqual(x, y)));
    if (added.length > 0) patch[k] = clone(added);
    if (removed.length > 0) patch[`${DELETE_PRIMITIVE}${k}`] = clone(removed);
    return true;
  }
  const key = strategy.key;
  const keyed = (l: unknown[]): boolean => l.every((e) => isObject(e) && Object.hasOwn(e, key));
  if (!keyed(from) || !keyed(to)) return false;
  const find = (l: unknown[], e: JsonObject): JsonObject | undefined =>
    l.find((x) => jsonEqual((x as JsonObject)[key], e[key])) as JsonObject | undefined;
  const out: JsonObject[] = [];
  for (const e of to as JsonObject[]) {
    const prev = find(from, e);
    if (!prev) {
      if (!o.ignoreChangesAndAdditions) out.push(clone(e));
      continue;
    }
    const d = diffMaps(prev, e, path, o);
    if (Object.keys(d).length > 0) out.push({ [key]: clone(e[key]), ...d });
  }
  if (!o.ignoreDeletions) {
    for (const e of from as JsonObject[]) if (!find(to, e)) out.push({ [key]: clone(e[key]), [PATCH]: "delete" });
  }
  if (out.length > 0) patch[k] = out;
  return true;
}

/** Combines two patches computed for the same object (b wins where both set a value). */
function combinePatches(a: JsonObject, b: JsonObject, path: string[]): JsonObject {
  const out = clone(a);
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (isObject(av) && isObject(bv)) {
      out[k] = combinePatches(av, bv, [...path, k]);
      continue;
    }
    if (Array.isArray(av) && Array.isArray(bv)) {
      if (k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)) {
        out[k] = [...av, ...bv.filter((x) => !av.some((y) => jsonEqual(x, y)))];
        continue;
      }
      const strategy = strategyFor([...path, k]);
      if (strategy === "set") {
        out[k] = [...av, ...bv.filter((x) => !av.some((y) => jsonEqual(x, y)))];
        continue;
      }
      if (strategy) {
        const merged = [...av];
        for (const e of bv) {
          const at = merged.findIndex((x) => isObject(x) && isObject(e) && jsonEqual(x[strategy.key], e[strategy.key]));
          if (at >= 0 && isObject(e)) merged[at] = combinePatches(merged[at] as JsonObject, e, [...path, k]);
          else merged.push(clone(e));
        }
        out[k] = merged;
        continue;
      }
    }
    out[k] = clone(bv);
  }
  return out;
}

/**
 * The patch that turns original into modified, as `kubectl edit` sends it: a strategic merge
 * patch (keyed lists element-wise, `$patch: delete` for removed elements,
 * `$deleteFromPrimitiveList/<list>` for removed set members) or, with strategic false, an
 * RFC 7386 merge patch (lists replaced whole). Removed fields become null. `{}` when equal.
 */
export function createTwoWayMergePatch(original: unknown, modified: unknown, strategic: boolean): JsonObject {
  if (!isObject(original) || !isObject(modified)) throw new PatchError("a merge patch can only be computed between two objects");
  return diffMaps(original, modified, [], { strategic, ignoreDeletions: false, ignoreChangesAndAdditions: false });
}

/**
 * What `kubectl apply` sends: deletions for fields (and keyed list elements, and set members)
 * present in original (the last-applied configuration) but gone from modified (the file),
 * plus additions and changes from modified compared with current (the live object). Fields
 * only current has (server defaults, other writers' changes) are left alone. Strategic false
 * gives an RFC 7386 merge patch (for kinds without strategic merge). `{}` means unchanged.
 */
export function createThreeWayMergePatch(original: unknown, modified: unknown, current: unknown, strategic: boolean): JsonObject {
  const orig = original === undefined || original === null ? {} : original;
  if (!isObject(orig) || !isObject(modified) || !isObject(current)) {
    throw new PatchError("a merge patch can only be computed between objects");
  }
  const deletions = diffMaps(orig, modified, [], { strategic, ignoreDeletions: false, ignoreChangesAndAdditions: true });
  const delta = diffMaps(current, modified, [], { strategic, ignoreDeletions: true, ignoreChangesAndAdditions: false });
  return combinePatches(deletions, delta, []);
}
