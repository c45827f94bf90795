// `skiff process`: turns a Template (file, stdin or stored on the server) into the List of
// objects it describes, client-side, with oc's flags, output and error wording.
import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import type { ApiList, ApiObject } from "../api/types.ts";
import { collect } from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import type { Deps } from "../deps.ts";
import { CliError, ExitCodeError, UsageError } from "../errors.ts";
import {
  TemplateError, combineParams, commaSeparationWarnings, duplicateParamsMessage, isTemplate, parseLabels,
  processTemplate, processedList, type ParamFileInput, type ParsedParams, type ProcessedTemplate, type Template,
} from "../template/index.ts";
import { defineCommand } from "./command.ts";

interface ProcessFlags {
  filename?: string;
  param: string[];
  paramFile: string[];
  ignoreUnknownParameters?: boolean;
  local?: boolean;
  parameters?: boolean;
  labels?: string;
  output?: string;
}

/** A stored template named on the command line: `name`, `template/name`, `ns/template/name`, `ns//name`. */
export interface StoredTemplateRef {
  namespace?: string;
  name: string;
}

export interface ProcessOptions {
  filename?: string;
  stored?: StoredTemplateRef;
  /** `-p` values then positional `KEY=VALUE` arguments, as given. */
  paramArgs: string[];
  paramFiles: string[];
  ignoreUnknown: boolean;
  local: boolean;
  parameters: boolean;
  labels?: string;
  output: string;
}

/** Where a template came from, for messages. */
export interface LoadedTemplate {
  template: Template;
  /** The file name (`-` for stdin) or `<ns>/<name>` of the stored template. */
  source: string;
  stored: boolean;
}

const RESOURCE_WORDS = new Set(["template", "templates", "template.template.openshift.io", "templates.template.openshift.io"]);

/**
 * Parses a stored template argument as oc process does. Throws CliError
 * `unable to process invalid resource "<rs>"` for a resource word other than template(s).
 */
export function parseStoredTemplateArg(arg: string): StoredTemplateRef {
  const parts = arg.split("/");
  const checkResource = (rs: string): void => {
    if (rs !== "" && !RESOURCE_WORDS.has(rs)) throw new CliError(`unable to process invalid resource "${rs}"`);
  };
  if (parts.length === 2) { checkResource(parts[0]); return { name: parts[1] }; }
  if (parts.length === 3) { checkResource(parts[1]); return { namespace: parts[0] || undefined, name: parts[2] }; }
  return { name: arg };
}

/** Splits positional arguments: `=`-containing ones are parameters, the one other word names the template. */
export function splitProcessArgs(args: readonly string[]): { name?: string; params: string[] } {
  let name: string | undefined;
  const params: string[] = [];
  for (const a of args) {
    if (a.includes("=")) { params.push(a); continue; }
    if (name !== undefined) throw new UsageError(`template name must be specified only once: ${a}`);
    name = a;
  }
  return { name, params };
}

/** Reads each `--param-file` (`-` = stdin), turning unreadable ones into oc's error text (never throws). */
export async function readParamFiles(paths: readonly string[], deps: Pick<Deps, "io">): Promise<ParamFileInput[]> {
  const out: ParamFileInput[] = [];
  for (const name of paths) {
    if (name === "-") { out.push({ name, contents: await readAll(deps.io.in) }); continue; }
    try {
      const s = await stat(name);
      if (s.isDirectory()) { out.push({ name, error: `Cannot read variables from "${name}": is a directory` }); continue; }
      const { readFile } = await import("node:fs/promises");
      out.push({ name, contents: await readFile(name, "utf8") });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : String((e as Error).message);
      out.push({ name, error: `Cannot stat "${name}": stat ${name}: ${why}` });
    }
  }
  return out;
}

/** The Go type oc names when a file holds something other than a Template. */
function goTypeOf(obj: ApiObject): string {
  return /(^|\/)v1$/.test(obj.apiVersion ?? "") && obj.kind ? `*v1.${obj.kind}` : "*unstructured.Unstructured";
}

/**
 * Reads the Template from a file/stdin, or GETs it from the server (`templates` resolved
 * through discovery, so any OpenShift-compatible server works). Warns on stderr when a file
 * holds several objects (only the first is used). Throws CliError in oc's words.
 */
export async function loadTemplate(src: { filename?: string; stored?: StoredTemplateRef }, deps: Deps): Promise<LoadedTemplate> {
  if (src.stored) {
    const client = await deps.client();
    const ns = src.stored.namespace ?? client.namespace;
    const ref = await client.resolve("templates");
    try {
      const t = await client.get(ref, ns, src.stored.name);
      return { template: t as unknown as Template, source: `${ns}/${src.stored.name}`, stored: true };
    } catch (e) {
      if (isApiError(e, "NotFound")) throw new CliError(`template "${src.stored.name}" could not be found`);
      throw e;
    }
  }
  const filename = src.filename!;
  const manifests = await loadManifests([filename], { stdin: () => readAll(deps.io.in) });
  const objects = manifests.flatMap((m) => m.objects);
  if (objects.length === 0) throw new CliError(`no objects passed to process`);
  if (objects.length > 1) deps.io.err.write(`${objects.length} input templates found, but only the first will be processed\n`);
  const first = objects[0];
  if (!isTemplate(first)) throw new CliError(`unable to parse "${filename}", not a valid Template but ${goTypeOf(first)}`);
  return { template: first, source: filename, stored: false };
}

/** The namespace commands run in: -n, else the context's, else "default"; never needs a server. */
export async function currentNamespace(deps: Deps): Promise<string> {
  if (deps.flags.namespace) return deps.flags.namespace;
  try {
    return (await deps.config()).namespace || "default";
  } catch {
    return "default";
  }
}

/** oc's `-o json` for a List: the wrapper in kind, apiVersion, metadata, items order, 4-space indent. */
export function listJson(list: ApiList): string {
  const ordered = { kind: list.kind, apiVersion: list.apiVersion, metadata: list.metadata ?? {}, items: list.items };
  const text = JSON.stringify(ordered, null, 4).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${text}\n`;
}

/** Prints a processed List in an -o format as oc process does (default: JSON). */
export async function printList(list: ApiList, output: string, deps: Pick<Deps, "io">): Promise<void> {
  if (output === "" || output === "json") { deps.io.out.write(listJson(list)); return; }
  if (output === "yaml") {
    const { toYaml } = await import("../formatters/json-yaml.ts");
    deps.io.out.write(toYaml(list));
    return;
  }
  if (output === "name") {
    const { printNames } = await import("../formatters/name.ts");
    deps.io.out.write(printNames(list.items));
    return;
  }
  const { createObjectPrinter } = await import("../cli/print.ts");
  const p = await createObjectPrinter(output);
  deps.io.out.write(p.print([list as unknown as ApiObject], true));
}

/**
 * Runs processTemplate, turning its errors into exactly what oc writes (TemplateError.cliText,
 * with no extra `error: ` prefix) and exit code 1.
 */
export function processOrExit(template: Template, values: Record<string, string>,
  opts: Parameters<typeof processTemplate>[2]): ProcessedTemplate {
  try {
    return processTemplate(template, values, opts);
  } catch (e) {
    if (e instanceof TemplateError) throw new ExitCodeError(1, e.cliText());
    throw e;
  }
}

/** Combines `-p`/positional values with `--param-file` contents, printing oc's warnings; throws a usage error for duplicates. */
export async function gatherParams(paramArgs: string[], paramFiles: string[], deps: Deps, commandPath: string): Promise<ParsedParams> {
  const files = await readParamFiles(paramFiles, deps);
  const parsed = combineParams(paramArgs, files);
  if (parsed.duplicates.length > 0) throw new UsageError(duplicateParamsMessage(parsed.duplicates), commandPath);
  for (const w of parsed.warnings) deps.io.err.write(`${w}\n`);
  return parsed;
}

export default defineCommand<ProcessFlags, ProcessOptions>({
  name: "process",
  summary: "Process a template into list of resources",
  group: "Advanced Commands",
  args: "[args...]",
  examples: [
    "# Convert the template.json file into a resource list and pass to create\nskiff process -f template.json | skiff create -f -",
    "# Process a file locally instead of contacting the server\nskiff process -f template.json --local -o yaml",
    "# Process template while passing a user-defined label\nskiff process -f template.json -l name=mytemplate",
    "# Convert a stored template into a resource list\nskiff process foo",
    "# Convert a stored template into a resource list by setting/overriding parameter values\nskiff process foo PARM1=VALUE1 PARM2=VALUE2",
    "# Convert a template stored in different namespace into a resource list\nskiff process openshift//foo",
    "# Convert template.json into a resource list, reading parameter values from a file\nskiff process -f template.json --param-file=params.env",
    "# List the parameters a template takes\nskiff process --parameters -f examples/hello-template.json",
  ],
  flags: (c: Command) => c
    .option("-f, --filename <file>", "Filename or URL to file to read a template")
    .option("-p, --param <KEY=VALUE>", "Specify a key-value pair (eg. -p FOO=BAR) to set/override a parameter value in the template.", collect, [])
    .option("--param-file <file>", "File containing template parameter values to set/override in the template.", collect, [])
    .option("--ignore-unknown-parameters", "If true, will not stop processing if a provided parameter does not exist in the template.")
    .option("--local", "If true process the template locally instead of contacting the server.")
    .option("--parameters", "If true, do not process but only print available parameters")
    .option("-l, --labels <labels>", "Label to set in all resources for this template")
    .option("-o, --output <format>", "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
  complete(args, flags, deps) {
    const { name, params } = splitProcessArgs(args);
    for (const w of commaSeparationWarnings(flags.param)) deps.io.err.write(`${w}\n`);
    if (flags.parameters) {
      const clash = flags.param.length > 0 ? "param" : flags.labels !== undefined ? "labels" : flags.output !== undefined ? "output" : undefined;
      if (clash) throw new UsageError(`The --parameters flag does not process the template, can't be used with --${clash}`);
    }
    if (!name && !flags.filename) throw new UsageError("Must pass a filename or name of stored template");
    if (flags.local && name && !flags.filename) {
      throw new UsageError("You may only specify a local template file via -f when running this command with --local");
    }
    return {
      filename: flags.filename,
      // skiff always processes client-side, so with -f the server is never needed
      stored: name && !flags.filename ? parseStoredTemplateArg(name) : undefined,
      paramArgs: [...flags.param, ...params],
      paramFiles: flags.paramFile,
      ignoreUnknown: flags.ignoreUnknownParameters ?? false,
      local: flags.local ?? false,
      parameters: flags.parameters ?? false,
      labels: flags.labels,
      output: flags.output ?? "",
    };
  },
  async run(o, deps) {
    if (o.output && !["json", "yaml", "name", "describe"].includes(o.output)) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const parsed = await gatherParams(o.paramArgs, o.paramFiles, deps, "skiff process");
    const loaded = await loadTemplate(o, deps);
    if (o.parameters) {
      const { parameterTable } = await import("../template/index.ts");
      deps.io.out.write(parameterTable(loaded.template));
      return;
    }
    const labels = o.labels !== undefined ? parseLabels(o.labels) : undefined;
    if (parsed.error) throw parsed.error;
    const namespace = await currentNamespace(deps);
    const result = processOrExit(loaded.template, parsed.values, {
      random: deps.random, ignoreUnknownParameters: o.ignoreUnknown, labels, namespace,
    });
    if (o.output === "describe") {
      const { describeTemplate } = await import("../formatters/describe-openshift.ts");
      deps.io.out.write(describeTemplate(result.template, deps.clock.now()));
      return;
    }
    await printList(processedList(result.objects), o.output, deps);
  },
});
