// Flags shared by the writing verbs (-f/-R, --dry-run, -o, -l/--all) and how their values are read.
import { Option, type Command } from "commander";
import { ApiError } from "../api/errors.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";

export type DryRun = "none" | "client" | "server";

/** -f/--filename (repeatable) and -R/--recursive, as kubectl's FilenameOptions. */
export function addFilenameFlags(c: Command, what: string): Command {
  return c
    .option("-f, --filename <file>", `Filename, directory, or URL to files ${what}`, collect, [])
    .option("-R, --recursive", "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.");
}

/** --dry-run[=none|client|server]; bare `--dry-run` means client, as kubectl's NoOptDefVal does. */
export function addDryRunFlag(c: Command): Command {
  return c.addOption(new Option("--dry-run [strategy]", `Must be "none", "server", or "client". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.`)
    .default("none").preset("unchanged"));
}

/** -o/--output for verbs that print the objects they wrote. */
export function addOutputFlag(c: Command): Command {
  return c.option("-o, --output <format>", "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).");
}

/** A repeatable option's accumulator (`-f a -f b`, `-L app -L tier`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const BOOLS: Record<string, boolean> = { "1": true, t: true, T: true, true: true, TRUE: true, True: true, "0": false, f: false, F: false, false: false, FALSE: false, False: false };

/**
 * The --dry-run strategy, as kubectl's GetDryRunStrategy reads it; deprecated spellings
 * (bare flag, booleans) write kubectl's warning to stderr.
 */
export function parseDryRun(value: unknown, deps: Pick<Deps, "io">): DryRun {
  const v = value === undefined ? "none" : String(value);
  if (v === "client" || v === "server" || v === "none") return v;
  if (v === "unchanged") {
    deps.io.err.write("Warning: --dry-run is deprecated and can be replaced with --dry-run=client.\n");
    return "client";
  }
  const b = BOOLS[v];
  if (b === undefined) throw new CliError(`Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
  deps.io.err.write(`Warning: --dry-run=${v} is deprecated (boolean value) and can be replaced with --dry-run=${b ? "client" : "none"}.\n`);
  return b ? "client" : "none";
}

/** The suffix kubectl adds to verb lines: "" / " (dry run)" / " (server dry run)". */
export function dryRunSuffix(d: DryRun): string {
  return d === "client" ? " (dry run)" : d === "server" ? " (server dry run)" : "";
}

/** Whether -n was given on the command line (then manifests must agree with it). */
export function namespaceExplicit(deps: Deps): boolean {
  return deps.flags.namespace !== undefined;
}

/**
 * The resource and namespace a manifest object goes to: its apiVersion/kind via the
 * client, its own namespace or `defaultNs`. With an explicit -n, a different namespace in
 * the object is kubectl's error. Cluster-scoped kinds get no namespace.
 */
export async function placeObject(obj: ApiObject, client: ApiClient, defaultNs: string, enforce: boolean):
  Promise<{ ref: ResourceRef; ns: string | undefined }> {
  const ref = await client.resolveKind(obj.apiVersion ?? "", obj.kind ?? "");
  if (!ref.namespaced) return { ref, ns: undefined };
  const own = obj.metadata.namespace;
  if (own && enforce && own !== defaultNs) {
    throw new CliError(`the namespace from the provided object "${own}" does not match the namespace "${defaultNs}". You must pass '--namespace=${own}' to perform this operation.`);
  }
  return { ref, ns: own || defaultNs };
}

/** "pod/web" (kind lower-cased, group appended for non-core kinds), as kubectl's name printer. */
export function objectName(ref: Pick<ResourceRef, "kind" | "group">, name: string): string {
  return `${ref.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""}/${name}`;
}

/** Options of a verb that prints what it wrote. */
export interface WrittenOutput {
  output?: string;
  dryRun: DryRun;
}

/**
 * Prints one written object: `pod/web created` (plus the dry-run suffix), `pod/web` with
 * `-o name`, or the object in the -o format.
 */
export async function printWritten(obj: ApiObject, ref: Pick<ResourceRef, "kind" | "group">, verb: string,
  o: WrittenOutput, deps: Deps): Promise<void> {
  const name = objectName(ref, obj.metadata.name ?? "");
  if (!o.output) { deps.io.out.write(`${name} ${verb}${dryRunSuffix(o.dryRun)}\n`); return; }
  if (o.output === "name") { deps.io.out.write(`${name}\n`); return; }
  const { printObjects } = await import("./print.ts");
  await printObjects([obj], o.output, deps, { single: true });
}

/**
 * Adds where an API error happened, as kubectl's AddSourceToErr: the Status message becomes
 * `error when <verb> "<source>": <message>`. Other errors pass through.
 */
export function addSourceToErr(e: unknown, verb: string, source: string): unknown {
  if (!(e instanceof ApiError) || !source) return e;
  const status = { ...e.status, message: `error when ${verb} "${source}": ${e.status.message ?? ""}` };
  return new ApiError(status);
}

/** One object of a -f manifest, placed: its resource, its namespace, and the body carrying that namespace. */
export interface PlacedObject {
  obj: ApiObject;
  body: ApiObject;
  ref: ResourceRef;
  ns: string | undefined;
  source: string;
}

/** What a per-object write may say about itself: the verb its errors name (`error when patching …`). */
export interface WriteStep {
  verbing: string;
}

/**
 * Runs `write` for every object of the -f manifests, the way kubectl's create, apply and
 * replace do: each object on its own, an error is kept (with the file named, as
 * `error when <step.verbing> "<file>"`) and the rest carry on; no object at all is
 * `no objects passed to <verb>`. Throws an AggregateError of the kept errors at the end.
 */
export async function writeEachObject(
  o: { filenames: string[]; recursive: boolean; output?: string }, deps: Deps, verb: string, verbing: string,
  write: (p: PlacedObject, client: ApiClient, step: WriteStep) => Promise<void>,
): Promise<void> {
  if (o.output) await (await import("./print.ts")).checkOutputFormat(o.output);
  const { loadManifests, readAll } = await import("./manifests.ts");
  const manifests = await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) });
  const client = await deps.client();
  const enforce = namespaceExplicit(deps);
  const errors: unknown[] = [];
  let count = 0;
  for (const m of manifests) {
    for (const obj of m.objects) {
      count++;
      const step: WriteStep = { verbing };
      try {
        const { ref, ns } = await placeObject(obj, client, client.namespace, enforce);
        const body: ApiObject = ns ? { ...obj, metadata: { ...obj.metadata, namespace: ns } } : obj;
        await write({ obj, body, ref, ns, source: m.source }, client, step);
      } catch (e) {
        errors.push(addSourceToErr(e, step.verbing, m.source));
      }
    }
  }
  if (count === 0 && errors.length === 0) throw new CliError(`no objects passed to ${verb}`);
  if (errors.length > 0) throw new AggregateError(errors);
}
