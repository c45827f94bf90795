// Parsing `get`-style arguments (`pods web`, `po/web`, `pods,rc`, `all`) and resolving them to resources.
import { ApiError } from "../api/errors.ts";
import { RESOURCE_NAMES, infoOf, resolveResource } from "../api/resources.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { CliError, UsageError } from "../errors.ts";

/** What the words say, before asking anyone what they mean. */
export type TargetArgs =
  | { form: "types"; types: string[]; names: string[] }
  | { form: "pairs"; pairs: { type: string; name: string }[] };

/** One resource and the names asked for (none: the whole collection). */
export interface ResolvedTarget {
  ref: ResourceRef;
  names: string[];
}

/**
 * Splits args as kubectl's resource builder does: either every arg is `type/name`, or the
 * first is a comma-separated list of types and the rest are names. Throws UsageError for no
 * args and kubectl's error for a mix of the two forms.
 */
export function parseTargets(args: readonly string[], verb = "get", program = "skiff"): TargetArgs {
  if (args.length === 0) {
    throw new UsageError(`you must specify the type of resource to ${verb}. Use "${program} api-resources" for a complete list of supported resources.`);
  }
  const slashed = args.filter((a) => a.includes("/")).length;
  if (slashed > 0 && slashed !== args.length) {
    throw new UsageError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. '${program} ${verb} resource/<resource_name>' instead of '${program} ${verb} resource resource/<resource_name>'`);
  }
  if (slashed > 0) {
    return {
      form: "pairs",
      pairs: args.map((a) => {
        const parts = a.split("/");
        if (parts.length > 2) throw new UsageError("arguments in resource/name form may not have more than one slash");
        const [type, name] = parts;
        if (!type || !name) throw new UsageError("arguments in resource/name form must have a single resource and name");
        return { type, name };
      }),
    };
  }
  const types = args[0].split(",").filter((t) => t !== "");
  if (types.length === 0) throw new UsageError(`you must specify the type of resource to ${verb}. Use "${program} api-resources" for a complete list of supported resources.`);
  return { form: "types", types, names: args.slice(1) };
}

/** Resources in `category` by skiff's own table, in table order. */
export function tableCategory(category: string): ResourceRef[] {
  return RESOURCE_NAMES.map(infoOf).filter((i) => i.categories.includes(category));
}

/**
 * The resources a word names: skiff's table first, then a category (`all`) as the server's
 * discovery lists it (skiff's table when discovery is unavailable), then the server's
 * resources. Unknown → the client's CliError `the server doesn't have a resource type "x"`.
 */
export async function expandType(word: string, client: ApiClient): Promise<ResourceRef[]> {
  const local = resolveResource(word);
  if (local) return [local];
  let served: ResourceRef[] | undefined;
  try {
    served = await client.discover();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  }
  const w = word.toLowerCase();
  const inCategory = served?.filter((r) => (r.categories ?? []).includes(w)) ?? [];
  if (inCategory.length > 0) return inCategory;
  const fromTable = tableCategory(w);
  if (fromTable.length > 0) return fromTable;
  // Without discovery the server can only serve skiff's own table, which lacks the word.
  if (!served) throw new CliError(`the server doesn't have a resource type "${word}"`);
  return [await client.resolve(word)];
}

function keyOf(ref: ResourceRef): string {
  return `${ref.group}/${ref.resource}`;
}

/**
 * Resolves parsed args to resources, grouping names per resource in order of first
 * appearance (`rc/a pod/b rc/c` → rc [a, c], pods [b]). Names are deduplicated.
 */
export async function resolveTargets(args: TargetArgs, client: ApiClient): Promise<ResolvedTarget[]> {
  const groups = new Map<string, ResolvedTarget>();
  const add = (ref: ResourceRef, names: string[]): void => {
    const k = keyOf(ref);
    const g = groups.get(k) ?? { ref, names: [] };
    for (const n of names) if (!g.names.includes(n)) g.names.push(n);
    groups.set(k, g);
  };
  if (args.form === "types") {
    for (const t of args.types) for (const ref of await expandType(t, client)) add(ref, args.names);
  } else {
    const cache = new Map<string, ResourceRef>();
    for (const { type, name } of args.pairs) {
      let ref = cache.get(type);
      if (!ref) {
        const refs = await expandType(type, client);
        if (refs.length !== 1) throw new UsageError(`the resource type "${type}" names several resources; give one in resource/name form`);
        ref = refs[0];
        cache.set(type, ref);
      }
      add(ref, [name]);
    }
  }
  return [...groups.values()];
}
