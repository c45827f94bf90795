// `skiff get`: list or fetch objects and print them as the server's Table or in an -o format; -w streams changes.
import type { Command } from "commander";
import { ApiError, isApiError } from "../api/errors.ts";
import { apiVersionOf } from "../api/resources.ts";
import type { ApiObject, Status, Table } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { collect } from "../cli/flags.ts";
import { parseTargets, resolveTargets, type ResolvedTarget, type TargetArgs } from "../cli/targets.ts";
import type { Deps, Sink } from "../deps.ts";
import { CliError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface GetFlags {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces?: boolean;
  showLabels?: boolean;
  labelColumns: string[];
  headers: boolean;
  sortBy?: string;
  showKind?: boolean;
  watch?: boolean;
  watchOnly?: boolean;
  outputWatchEvents?: boolean;
  ignoreNotFound?: boolean;
}

export interface GetOptions {
  targets: TargetArgs;
  /** "" or "wide": the server's Table; anything else goes to the -o printers. */
  output: string;
  selector?: string;
  fieldSelector?: string;
  allNamespaces: boolean;
  showLabels: boolean;
  labelColumns: string[];
  noHeaders: boolean;
  sortBy?: string;
  showKind: boolean;
  watch: boolean;
  watchOnly: boolean;
  outputWatchEvents: boolean;
  ignoreNotFound: boolean;
}

/** Counts what goes through a sink, so `No resources found` is printed only when nothing was. */
function countingSink(inner: Sink): Sink & { written: number } {
  const s = { written: 0, write(chunk: string) { s.written += chunk.length; inner.write(chunk); } };
  return s;
}

const isTableOutput = (output: string): boolean => output === "" || output === "wide";

export default defineCommand<GetFlags, GetOptions>({
  name: "get",
  summary: "Display one or many resources",
  group: "Application Management Commands",
  args: "[args...]",
  examples: [
    "# List all pods in ps output format\nskiff get pods",
    "# List all pods in ps output format with more information (such as node name)\nskiff get pods -o wide",
    "# List a single replication controller with specified NAME in ps output format\nskiff get replicationcontroller web",
    "# List a single pod in JSON output format\nskiff get -o json pod web-pod-13je7",
    "# List all replication controllers and services together in ps output format\nskiff get rc,services",
    "# List one or more resources by their type and names\nskiff get rc/web service/frontend pods/web-pod-13je7",
    "# Return only the phase value of the specified pod\nskiff get -o template pod/web-pod-13je7 --template={{.status.phase}}",
  ],
  flags: (c: Command) => c
    .option("-o, --output <format>", "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide).")
    .option("-l, --selector <selector>", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)).")
    .option("--field-selector <selector>", "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2).")
    .option("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.")
    .option("--show-labels", "When printing, show all labels as the last column (default hide labels column).")
    .option("-L, --label-columns <labels>", "Accepts a comma separated list of labels that are going to be presented as columns.", collect, [])
    .option("--no-headers", "When using the default or custom-column output format, don't print headers (default print headers).")
    .option("--sort-by <jsonpath>", "If non-empty, sort list types using this field specification. The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}').")
    .option("--show-kind", "If present, list the resource type for the requested object(s).")
    .option("-w, --watch", "After listing/getting the requested object, watch for changes.")
    .option("--watch-only", "Watch for changes to the requested object(s), without listing/getting first.")
    .option("--output-watch-events", "Output watch event objects when --watch or --watch-only is used.")
    .option("--ignore-not-found", "If set to true, suppress NotFound error for specific objects that do not exist."),
  async complete(args, flags) {
    const output = flags.output ?? "";
    if (!isTableOutput(output)) await (await import("../cli/print.ts")).checkOutputFormat(output);
    return {
      targets: parseTargets(args, "get"),
      output,
      selector: flags.selector,
      fieldSelector: flags.fieldSelector,
      allNamespaces: flags.allNamespaces ?? false,
      showLabels: flags.showLabels ?? false,
      labelColumns: flags.labelColumns.flatMap((l) => l.split(",")).map((l) => l.trim()).filter((l) => l !== ""),
      noHeaders: flags.headers === false,
      sortBy: flags.sortBy,
      showKind: flags.showKind ?? false,
      watch: flags.watch ?? false,
      watchOnly: flags.watchOnly ?? false,
      outputWatchEvents: flags.outputWatchEvents ?? false,
      ignoreNotFound: flags.ignoreNotFound ?? false,
    };
  },
  validate(o) {
    const named = o.targets.form === "pairs" || o.targets.names.length > 0;
    if (named && o.selector !== undefined) throw new CliError("name cannot be provided when a selector is specified");
  },
  async run(o, deps) {
    const client = await deps.client();
    const targets = await resolveTargets(o.targets, client);
    const namespace = o.allNamespaces ? undefined : client.namespace;
    if (o.watch || o.watchOnly) {
      const objects = targets.reduce((n, t) => n + Math.max(t.names.length, 1), 0);
      if (targets.length !== 1 || objects !== 1) {
        throw new CliError(`watch is only supported on individual resources and resource collections, but ${objects} resources were found`);
      }
      await watchTarget(targets[0], namespace, o, client, deps);
      return;
    }
    const out = countingSink(deps.io.out);
    const errors = isTableOutput(o.output)
      ? await printTables(targets, namespace, o, client, deps, out)
      : await printObjectsOf(targets, namespace, o, client, deps, out);
    if (out.written === 0 && errors.length === 0 && !o.ignoreNotFound) {
      const allNamespaced = !o.allNamespaces && targets.every((t) => t.ref.namespaced);
      deps.io.err.write(`${allNamespaced ? `No resources found in ${namespace} namespace.` : "No resources found"}\n`);
    }
    if (errors.length > 0) throw new AggregateError(errors);
  },
});

function kindPrefixOf(ref: ResourceRef): string {
  return `${ref.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""}`;
}

function nsFor(ref: ResourceRef, namespace: string | undefined): string | undefined {
  return ref.namespaced ? namespace : undefined;
}

/** Table mode: one server Table per type (or per name), each type with its own header. */
async function printTables(targets: ResolvedTarget[], namespace: string | undefined, o: GetOptions,
  client: ApiClient, deps: Deps, out: Sink): Promise<unknown[]> {
  const { printTable } = await import("../formatters/table.ts");
  const colour = await colourHook(deps);
  const sortBy = await compileSortBy(o.sortBy);
  const includeObject = o.sortBy ? "Object" as const : "Metadata" as const;
  const showKind = o.showKind || targets.length > 1;
  const errors: unknown[] = [];
  let printed = false;
  for (const t of targets) {
    const ns = nsFor(t.ref, namespace);
    const tables: Table[] = [];
    if (t.names.length === 0) {
      tables.push(await client.table(t.ref, ns, { labelSelector: o.selector, fieldSelector: o.fieldSelector, includeObject }));
    }
    for (const name of t.names) {
      try {
        tables.push(await client.table(t.ref, ns, { name, includeObject }));
      } catch (e) {
        if (!(o.ignoreNotFound && isApiError(e, "NotFound"))) errors.push(e);
      }
    }
    const text = printTable(tables.map((table) => ({ table, kindPrefix: kindPrefixOf(t.ref) })), {
      wide: o.output === "wide",
      noHeaders: o.noHeaders,
      showLabels: o.showLabels,
      labelColumns: o.labelColumns,
      showKind,
      namespaceColumn: o.allNamespaces && t.ref.namespaced,
      sortBy,
      colour,
    });
    if (text === "") continue;
    // matches kubectl, which separates each type's table by a blank line unless headers are off
    if (printed && !o.noHeaders) out.write("\n");
    out.write(text);
    printed = true;
  }
  return errors;
}

/** STATUS colouring for tables, only when colour is on (chalk is not even loaded otherwise). */
async function colourHook(deps: Deps): Promise<((header: string, cell: string) => string) | undefined> {
  if (!deps.io.colour) return undefined;
  return (await import("../cli/colour.ts")).tableColourHook();
}

async function compileSortBy(expr: string | undefined) {
  if (!expr) return undefined;
  const { compileJsonPath, relaxedJsonPath } = await import("../formatters/jsonpath.ts");
  try {
    return compileJsonPath(relaxedJsonPath(expr));
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** The object as kubectl prints it: list items get back the kind and apiVersion lists omit. */
function typed(obj: ApiObject, ref: ResourceRef): ApiObject {
  return obj.kind && obj.apiVersion ? obj : { apiVersion: apiVersionOf(ref), kind: ref.kind, ...obj };
}

/** -o json|yaml|name|jsonpath|custom-columns…: one bare object for one name, else a List. */
async function printObjectsOf(targets: ResolvedTarget[], namespace: string | undefined, o: GetOptions,
  client: ApiClient, deps: Deps, out: Sink): Promise<unknown[]> {
  const errors: unknown[] = [];
  let objs: ApiObject[] = [];
  for (const t of targets) {
    const ns = nsFor(t.ref, namespace);
    if (t.names.length === 0) {
      const list = await client.list(t.ref, ns, { labelSelector: o.selector, fieldSelector: o.fieldSelector });
      objs.push(...list.items.map((i) => typed(i, t.ref)));
    }
    for (const name of t.names) {
      try {
        objs.push(typed(await client.get(t.ref, ns, name), t.ref));
      } catch (e) {
        if (!(o.ignoreNotFound && isApiError(e, "NotFound"))) errors.push(e);
      }
    }
  }
  const sortBy = await compileSortBy(o.sortBy);
  if (sortBy) {
    const { sortByJsonPath } = await import("../formatters/table.ts");
    objs = sortByJsonPath(objs, sortBy, (x) => x);
  }
  const single = targets.length === 1 && targets[0].names.length === 1;
  if (single && objs.length === 0) return errors;
  const { printObjects } = await import("../cli/print.ts");
  await printObjects(objs, o.output, { ...deps, io: { ...deps.io, out } }, { single, noHeaders: o.noHeaders });
  return errors;
}

/** -w / --watch-only: the listing (unless watch-only), then one row or object per change until the stream ends. */
async function watchTarget(t: ResolvedTarget, namespace: string | undefined, o: GetOptions, client: ApiClient, deps: Deps): Promise<void> {
  const ns = nsFor(t.ref, namespace);
  const name = t.names[0];
  const fieldSelector = name ? `metadata.name=${name}` : o.fieldSelector;
  const labelSelector = name ? undefined : o.selector;
  const table = isTableOutput(o.output);
  const events = o.outputWatchEvents;
  let resourceVersion: string | undefined;
  const printRows = table ? await tableRowsPrinter(t.ref, o, await colourHook(deps)) : undefined;
  const printOne = table ? undefined : await objectEventPrinter(o, deps);
  if (!o.watchOnly) {
    if (table) {
      const first = name ? await client.table(t.ref, ns, { name }) : await client.table(t.ref, ns, { labelSelector, fieldSelector });
      resourceVersion = name ? undefined : first.metadata.resourceVersion;
      deps.io.out.write(printRows!(first, events ? "ADDED" : undefined));
    } else if (name) {
      const obj = typed(await client.get(t.ref, ns, name), t.ref);
      await printOne!(obj, "ADDED");
    } else {
      const list = await client.list(t.ref, ns, { labelSelector, fieldSelector });
      resourceVersion = list.metadata.resourceVersion;
      for (const item of list.items) await printOne!(typed(item, t.ref), "ADDED");
    }
  }
  // A named object's watch starts from its own resourceVersion, so its current state is not repeated.
  if (name && !o.watchOnly && resourceVersion === undefined) {
    resourceVersion = (await client.get(t.ref, ns, name)).metadata.resourceVersion;
  }
  try {
    for await (const ev of client.watch(t.ref, ns, { resourceVersion, labelSelector, fieldSelector, table, signal: deps.signal })) {
      if (ev.type === "BOOKMARK") continue;
      if (ev.type === "ERROR") throw new ApiError(ev.object as unknown as Status);
      if (table) deps.io.out.write(printRows!(ev.object as unknown as Table, events ? ev.type : undefined));
      else await printOne!(typed(ev.object, t.ref), ev.type);
    }
  } catch (e) {
    // Being stopped (Ctrl-C, or the caller's signal) is how a watch normally ends.
    if (!deps.signal?.aborted) throw e;
  }
}

async function tableRowsPrinter(ref: ResourceRef, o: GetOptions,
  colour: ((header: string, cell: string) => string) | undefined): Promise<(t: Table, eventType?: string) => string> {
  const { createWatchTablePrinter } = await import("../formatters/table.ts");
  const p = createWatchTablePrinter({
    wide: o.output === "wide",
    noHeaders: o.noHeaders,
    showLabels: o.showLabels,
    labelColumns: o.labelColumns,
    showKind: o.showKind,
    kindPrefix: kindPrefixOf(ref),
    namespaceColumn: o.allNamespaces && ref.namespaced,
    colour,
  });
  return (t, eventType) => p.printRows(t, eventType);
}

async function objectEventPrinter(o: GetOptions, deps: Deps): Promise<(obj: ApiObject, type: string) => Promise<void>> {
  const { createObjectPrinter } = await import("../cli/print.ts");
  const printer = await createObjectPrinter(o.output, { noHeaders: o.noHeaders });
  return async (obj, type) => {
    deps.io.out.write(o.outputWatchEvents ? printer.printEvent(type, obj) : printer.print([obj], true));
  };
}
