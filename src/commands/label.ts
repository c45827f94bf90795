// `skiff label` (and, through metadataCommand, `skiff annotate`): merge-patch labels or annotations.
import type { Command } from "commander";
import { createTwoWayMergePatch } from "../api/patch.ts";
import { labelValueErrors } from "../api/validation.ts";
import type { ApiObject } from "../api/types.ts";
import type { ResourceRef } from "../client/api-client.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, addSourceToErr, namespaceExplicit, parseDryRun, placeObject,
  printWritten, type DryRun,
} from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import { CliError, UsageError } from "../errors.ts";
import type { Deps } from "../deps.ts";
import { defineCommand, type CommandSpec } from "./command.ts";

interface MetadataFlags {
  filename: string[];
  recursive?: boolean;
  overwrite?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  resourceVersion?: string;
  list?: boolean;
  dryRun?: string;
  output?: string;
}

export interface MetadataOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  set: Record<string, string>;
  remove: string[];
  overwrite: boolean;
  selector?: string;
  fieldSelector?: string;
  all: boolean;
  allNamespaces: boolean;
  resourceVersion?: string;
  list: boolean;
  dryRun: DryRun;
  output?: string;
}

type Field = "labels" | "annotations";

/** Splits args into resources and `k=v` / `k-` pairs, as kubectl's GetResourcesAndPairs. */
export function splitResourcesAndPairs(args: readonly string[], pairType: string): { resources: string[]; pairs: string[] } {
  const resources: string[] = [];
  const pairs: string[] = [];
  for (const s of args) {
    const isPair = (s.includes("=") && s[0] !== "=") || (s.endsWith("-") && s !== "-");
    if (isPair) pairs.push(s);
    else if (pairs.length > 0) throw new CliError(`all resources must be specified before ${pairType} changes: ${s}`);
    else resources.push(s);
  }
  return { resources, pairs };
}

/** Label specs → additions and removals, with kubectl's parseLabels errors. */
export function parseLabelPairs(specs: readonly string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const spec of specs) {
    if (spec.includes("=")) {
      const parts = spec.split("=");
      if (parts.length !== 2) throw new CliError(`invalid label spec: ${spec}`);
      const errs = labelValueErrors(parts[1]);
      if (errs.length > 0) throw new CliError(`invalid label value: ${JSON.stringify(spec)}: ${errs.join(";")}`);
      set[parts[0]] = parts[1];
    } else if (spec.endsWith("-")) {
      remove.push(spec.slice(0, -1));
    } else {
      throw new CliError(`unknown label spec: ${spec}`);
    }
  }
  if (remove.some((k) => k in set)) throw new CliError("can not both modify and remove a label in the same command");
  return { set, remove };
}

/** Annotation specs → additions and removals, as kubectl's ParsePairs (values may hold `=`). */
export function parseAnnotationPairs(specs: readonly string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const invalid: string[] = [];
  for (const spec of specs) {
    if (spec.includes("=") && spec[0] !== "=") {
      const i = spec.indexOf("=");
      set[spec.slice(0, i)] = spec.slice(i + 1);
    } else if (spec.endsWith("-") && spec !== "-") {
      remove.push(spec.slice(0, -1));
    } else {
      invalid.push(spec);
    }
  }
  if (invalid.length > 0) throw new CliError(`invalid annotation format: ${invalid.join(", ")}`);
  if (remove.some((k) => k in set)) throw new CliError("can not both modify and remove an annotation in the same command");
  return { set, remove };
}

/** The error for values that would be overwritten without --overwrite, or undefined. */
function overwriteError(field: Field, current: Record<string, string>, set: Record<string, string>): CliError | undefined {
  const clashes = Object.entries(set).filter(([k, v]) => k in current && current[k] !== v)
    // matches kubectl, which always lets the change-cause annotation be overwritten
    .filter(([k]) => field === "labels" || k !== "kubernetes.io/change-cause");
  if (clashes.length === 0) return undefined;
  if (field === "labels") {
    return new CliError(clashes.map(([k]) => `'${k}' already has a value (${current[k]}), and --overwrite is false`).join("\n"));
  }
  return new CliError(`--overwrite is false but found the following declared annotation(s): ${clashes.map(([k]) => `'${k}' already has a value (${current[k]})`).join("; ")}`);
}

/**
 * `label` or `annotate`: GET each object, change its labels/annotations, send a merge patch
 * (with metadata.resourceVersion only under --resource-version), print `pod/web labeled`.
 */
export function metadataCommand(field: Field): CommandSpec<MetadataFlags, MetadataOptions> {
  const noun = field === "labels" ? "label" : "annotation";
  const done = field === "labels" ? "labeled" : "annotated";
  return defineCommand<MetadataFlags, MetadataOptions>({
    name: field === "labels" ? "label" : "annotate",
    summary: field === "labels" ? "Update the labels on a resource" : "Update the annotations on a resource",
    group: "Application Management Commands",
    args: "[args...]",
    examples: field === "labels" ? [
      "# Update pod 'foo' with the label 'unhealthy' and the value 'true'\nskiff label pods foo unhealthy=true",
      "# Update pod 'foo' with the label 'status' and the value 'unhealthy', overwriting any existing value\nskiff label --overwrite pods foo status=unhealthy",
      "# Update all pods in the namespace\nskiff label pods --all status=unhealthy",
      "# Remove a label named 'bar' if it exists\nskiff label pods foo bar-",
    ] : [
      "# Update pod 'foo' with the annotation 'description' and the value 'my frontend'\nskiff annotate pods foo description='my frontend'",
      "# Update pod 'foo' with the annotation 'description', overwriting any existing value\nskiff annotate --overwrite pods foo description='my frontend running nginx'",
      "# Remove an annotation named 'description' if it exists\nskiff annotate pods foo description-",
    ],
    flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, `identifying the resource to update the ${noun}s`)))
      .option("--overwrite", `If true, allow ${noun}s to be overwritten, otherwise reject ${noun} updates that overwrite existing ${noun}s.`)
      .option("-l, --selector <selector>", "Selector (label query) to filter on.")
      .option("--field-selector <selector>", "Selector (field query) to filter on.")
      .option("--all", "Select all resources, in the namespace of the specified resource types")
      .option("-A, --all-namespaces", "If true, check the specified action in all namespaces.")
      .option("--resource-version <version>", `If non-empty, the ${noun}s update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.`)
      .option("--list", `If true, display the ${noun}s for a given resource.`),
    complete(args, flags, deps) {
      const { resources, pairs } = splitResourcesAndPairs(args, noun);
      const list = flags.list ?? false;
      const { set, remove } = field === "labels" ? parseLabelPairs(pairs) : parseAnnotationPairs(pairs);
      if (!list && Object.keys(set).length === 0 && remove.length === 0) {
        throw new UsageError(`at least one ${noun} update is required`);
      }
      if (flags.filename.length === 0 && resources.length === 0) {
        throw new UsageError(`one or more resources must be specified as <resource> <name> or <resource>/<name>`);
      }
      const targets = resources.length > 0 ? parseTargets(resources, field === "labels" ? "label" : "annotate") : undefined;
      const all = flags.all ?? false;
      const bySelector = flags.selector !== undefined || flags.fieldSelector !== undefined;
      if (targets?.form === "types" && targets.names.length === 0 && !all && !bySelector) {
        throw new CliError("resource(s) were provided, but no name was specified");
      }
      return {
        filenames: flags.filename,
        recursive: flags.recursive ?? false,
        targets,
        set,
        remove,
        overwrite: flags.overwrite ?? false,
        selector: flags.selector,
        fieldSelector: flags.fieldSelector,
        all,
        allNamespaces: flags.allNamespaces ?? false,
        resourceVersion: flags.resourceVersion,
        list,
        dryRun: parseDryRun(flags.dryRun, deps),
        output: flags.output,
      };
    },
    async run(o, deps) {
      if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
      const client = await deps.client();
      const objects: { ref: ResourceRef; obj: ApiObject; source?: string }[] = [];
      if (o.filenames.length > 0) {
        for (const m of await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) })) {
          for (const obj of m.objects) {
            const { ref, ns } = await placeObject(obj, client, client.namespace, namespaceExplicit(deps));
            objects.push({ ref, obj: await client.get(ref, ns, obj.metadata.name ?? ""), source: m.source });
          }
        }
      } else if (o.targets) {
        const errors: unknown[] = [];
        for (const t of await resolveTargets(o.targets, client)) {
          const ns = t.ref.namespaced ? (o.allNamespaces && t.names.length === 0 ? undefined : client.namespace) : undefined;
          if (t.names.length === 0) {
            const list = await client.list(t.ref, ns, { labelSelector: o.selector, fieldSelector: o.fieldSelector });
            for (const item of list.items) objects.push({ ref: t.ref, obj: item });
            continue;
          }
          for (const name of t.names) {
            try {
              objects.push({ ref: t.ref, obj: await client.get(t.ref, ns, name) });
            } catch (e) {
              errors.push(e);
            }
          }
        }
        if (errors.length > 0 && objects.length === 0) throw new AggregateError(errors);
      }
      if (o.resourceVersion !== undefined && objects.length > 1) {
        throw new CliError("--resource-version may only be used with a single resource");
      }
      const errors: unknown[] = [];
      for (const { ref, obj, source } of objects) {
        try {
          await updateOne(field, ref, obj, o, deps, done);
        } catch (e) {
          errors.push(source ? addSourceToErr(e, "patching", source) : e);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors);
    },
  });
}

async function updateOne(field: Field, ref: ResourceRef, obj: ApiObject, o: MetadataOptions, deps: Deps, done: string): Promise<void> {
  const current: Record<string, string> = { ...((obj.metadata[field] as Record<string, string> | undefined) ?? {}) };
  if (o.list) {
    for (const k of Object.keys(current).sort()) deps.io.out.write(`${k}=${current[k]}\n`);
    return;
  }
  if (!o.overwrite) {
    const err = overwriteError(field, current, o.set);
    if (err) throw err;
  }
  const next = { ...current, ...o.set };
  for (const k of o.remove) {
    if (!(k in next) && field === "labels") deps.io.err.write(`label ${JSON.stringify(k)} not found.\n`);
    delete next[k];
  }
  const before: ApiObject = { metadata: { [field]: current } };
  const after: ApiObject = { metadata: { [field]: next } };
  const patch = createTwoWayMergePatch(before, after, false) as { metadata?: Record<string, unknown> };
  if (o.resourceVersion !== undefined) patch.metadata = { ...(patch.metadata ?? {}), resourceVersion: o.resourceVersion };
  let verb = done;
  if (field === "labels") {
    // kubectl's updateDataChangeMsg: compares the object's JSON before and after
    const changed = Object.keys(patch).length > 0;
    verb = !changed ? "not labeled"
      : !o.overwrite && JSON.stringify(next).length < JSON.stringify(current).length ? "unlabeled" : "labeled";
  }
  let result = obj;
  if (Object.keys(patch).length > 0) {
    if (o.dryRun === "client") {
      result = { ...obj, metadata: { ...obj.metadata, [field]: next } };
    } else {
      const ns = ref.namespaced ? obj.metadata.namespace : undefined;
      const c = await deps.client();
      result = await c.patch(ref, ns, obj.metadata.name ?? "", "merge", patch,
        { dryRun: o.dryRun === "server", fieldManager: field === "labels" ? "kubectl-label" : "kubectl-annotate" });
    }
  }
  await printWritten(result, ref, verb, o, deps);
}

export default metadataCommand("labels");
