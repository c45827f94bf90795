// The `-o` format table: picks a printer for an output format, parsing templates and column
// specs up front so a bad -o fails before any request.
import type { ApiObject, Table } from "../api/types.ts";
import { CliError } from "../errors.ts";
import { CustomColumnsError, CustomColumnsPrinter, parseColumnSpec, parseColumnTemplate } from "./custom-columns.ts";
import { goSyntax } from "./go-format.ts";
import { JsonPrinter, listOf, YamlPrinter } from "./json-yaml.ts";
import {
  compileJsonPath, executeJsonPath, JsonPathError, jsonPathAsJson, relaxedJsonPath, type CompiledJsonPath,
} from "./jsonpath.ts";
import { printNames } from "./name.ts";
import {
  createWatchTablePrinter, printTable, sortByJsonPath, type KindTable, type TableOptions, type WatchTablePrinter,
} from "./table.ts";

/** What the command knows about the objects being printed. */
export interface PrintContext {
  /** The objects came from a list (no single name given): json/yaml/jsonpath wrap them in a List. */
  list?: boolean;
  /** Filled into objects lacking them (list items from the server carry neither). */
  kind?: string;
  apiVersion?: string;
}

/** Prints server-side Tables (default and wide output). */
export interface TablePrinter {
  readonly kind: "table";
  readonly needsTable: true;
  /** What to ask the server to embed in rows: full objects only when sorting. */
  readonly includeObject: "Metadata" | "Object";
  readonly options: TableOptions;
  print(tables: readonly (Table | KindTable)[]): string;
  /** A fresh stateful printer for `get --watch` (header once, widths kept). */
  watch(): WatchTablePrinter;
}

/** Prints full objects (json, yaml, name, jsonpath, custom-columns). Stateful like kubectl's. */
export interface ObjectPrinter {
  readonly kind: "objects";
  readonly needsTable: false;
  print(objs: readonly ApiObject[], ctx?: PrintContext): string;
}

export type Printer = TablePrinter | ObjectPrinter;

/** Flags that shape printing, and the one effect printers need (reading -file formats). */
export interface PrinterOptions {
  noHeaders?: boolean;
  showLabels?: boolean;
  labelColumns?: readonly string[];
  showKind?: boolean;
  kindPrefix?: string;
  namespaceColumn?: boolean;
  /** `--sort-by` in any accepted form (`metadata.name`, `{.metadata.name}`…). */
  sortBy?: string;
  /** `--allow-missing-template-keys` (default true). */
  allowMissingKeys?: boolean;
  colour?: (header: string, cell: string) => string;
  /** Reads a template or column file; throws on failure. */
  readFile?: (path: string) => string;
}

const FORMATS = [
  "custom-columns", "custom-columns-file", "json", "jsonpath", "jsonpath-as-json", "jsonpath-file",
  "name", "wide", "yaml",
] as const;

/** The formats -o accepts (for help text and completion). */
export function outputFormats(): string[] {
  return [...FORMATS];
}

function withKind(obj: ApiObject, ctx: PrintContext | undefined): ApiObject {
  if (!ctx || (obj.kind && obj.apiVersion) || (!ctx.kind && !ctx.apiVersion)) return obj;
  return { apiVersion: obj.apiVersion ?? ctx.apiVersion, kind: obj.kind ?? ctx.kind, ...obj };
}

function objectPrinter(sortBy: CompiledJsonPath | undefined,
  render: (objs: ApiObject[], list: boolean) => string): ObjectPrinter {
  return {
    kind: "objects",
    needsTable: false,
    print(objs, ctx) {
      let items = objs.map((o) => withKind(o, ctx));
      if (sortBy) items = sortByJsonPath(items, sortBy, (o) => o);
      return render(items, ctx?.list ?? false);
    },
  };
}

function readTemplate(opts: PrinterOptions, path: string, what: "--template" | "template"): string {
  if (!opts.readFile) throw new CliError(`error reading ${what} ${path}, file reading is not available`);
  try {
    return opts.readFile(path);
  } catch (e) {
    throw new CliError(`error reading ${what} ${path}, ${(e as Error).message}`);
  }
}

function jsonPathPrinter(template: string, asJson: boolean, opts: PrinterOptions,
  sortBy: CompiledJsonPath | undefined): ObjectPrinter {
  if (template.length === 0) throw new CliError("template format specified but no template given");
  let compiled: CompiledJsonPath;
  try {
    compiled = compileJsonPath(template);
  } catch (e) {
    if (e instanceof JsonPathError) throw new CliError(`error parsing jsonpath ${template}, ${e.message}`);
    throw e;
  }
  const allowMissingKeys = opts.allowMissingKeys ?? true;
  const run = (data: unknown): string => {
    try {
      return asJson ? jsonPathAsJson(compiled, data, { allowMissingKeys }) : executeJsonPath(compiled, data, { allowMissingKeys });
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      throw new CliError(`error executing jsonpath ${JSON.stringify(template)}: Error executing template: ${e.message}. ` +
        "Printing more information for debugging the template:\n" +
        `\ttemplate was:\n\t\t${template}\n` +
        `\tobject given to jsonpath engine was:\n\t\t${goSyntax(data)}\n\n`);
    }
  };
  return objectPrinter(sortBy, (objs, list) => (list ? run(listOf(objs)) : objs.map(run).join("")));
}

function customColumnsPrinter(parse: () => ReturnType<typeof parseColumnSpec>, opts: PrinterOptions,
  sortBy: CompiledJsonPath | undefined): ObjectPrinter {
  let columns;
  try {
    columns = parse();
  } catch (e) {
    if (e instanceof CustomColumnsError || e instanceof JsonPathError) throw new CliError(e.message);
    throw e;
  }
  const printer = new CustomColumnsPrinter(columns, { noHeaders: opts.noHeaders });
  return objectPrinter(sortBy, (objs) => printer.print(objs));
}

function compileSortBy(sortBy: string | undefined): CompiledJsonPath | undefined {
  if (!sortBy) return undefined;
  try {
    return compileJsonPath(relaxedJsonPath(sortBy));
  } catch (e) {
    if (e instanceof JsonPathError) throw new CliError(e.message);
    throw e;
  }
}

/**
 * The printer for an `-o` value (`""`, `wide`, `json`, `yaml`, `name`, `jsonpath=…`,
 * `jsonpath-file=…`, `jsonpath-as-json=…`, `custom-columns=…`, `custom-columns-file=…`).
 * Returns a fresh, stateful printer. Throws CliError with kubectl's wording for an unknown
 * format, a missing or unparsable template or column spec, or an unreadable file.
 */
export function pickPrinter(output: string, opts: PrinterOptions = {}): Printer {
  const eq = output.indexOf("=");
  const format = eq < 0 ? output : output.slice(0, eq);
  const arg = eq < 0 ? "" : output.slice(eq + 1);
  const sortBy = compileSortBy(opts.sortBy);
  switch (format) {
    case "":
    case "wide": {
      const options: TableOptions = {
        wide: format === "wide", noHeaders: opts.noHeaders, showLabels: opts.showLabels,
        labelColumns: opts.labelColumns, showKind: opts.showKind, kindPrefix: opts.kindPrefix,
        namespaceColumn: opts.namespaceColumn, sortBy, colour: opts.colour,
      };
      return {
        kind: "table",
        needsTable: true,
        includeObject: sortBy ? "Object" : "Metadata",
        options,
        print: (tables) => printTable(tables, options),
        watch: () => createWatchTablePrinter(options),
      };
    }
    case "json": {
      const p = new JsonPrinter();
      return objectPrinter(sortBy, (objs, list) => p.print(objs, list));
    }
    case "yaml": {
      const p = new YamlPrinter();
      return objectPrinter(sortBy, (objs, list) => p.print(objs, list));
    }
    case "name":
      return objectPrinter(sortBy, (objs) => printNames(objs));
    case "jsonpath":
      return jsonPathPrinter(arg, false, opts, sortBy);
    case "jsonpath-as-json":
      return jsonPathPrinter(arg, true, opts, sortBy);
    case "jsonpath-file":
      if (arg.length === 0) throw new CliError("template format specified but no template given");
      return jsonPathPrinter(readTemplate(opts, arg, "--template"), false, opts, sortBy);
    case "custom-columns":
      return customColumnsPrinter(() => parseColumnSpec(arg), opts, sortBy);
    case "custom-columns-file":
      if (arg.length === 0) throw new CliError("custom-columns format specified but no custom columns given");
      return customColumnsPrinter(() => parseColumnTemplate(readTemplate(opts, arg, "template")), opts, sortBy);
    default:
      throw new CliError(
        `unable to match a printer suitable for the output format ${JSON.stringify(output)}, allowed formats are: ${FORMATS.join(",")}`);
  }
}

export { describeAction, nameOf, printNames } from "./name.ts";
export { noResourcesMessage } from "./table.ts";
export { describeObject } from "./describe.ts";
