// `skiff new-app`: instantiates a Template (file, --template, or a stored template's name) —
// processes it client-side, creates every object in order and reports as `oc new-app` does.
import type { Command } from "commander";
import { ApiError, isApiError } from "../api/errors.ts";
import type { ApiObject } from "../api/types.ts";
import { collect } from "../cli/flags.ts";
import type { Deps } from "../deps.ts";
import { CliError, ExitCodeError, UsageError } from "../errors.ts";
import { kindQualifier, groupOf } from "../formatters/name.ts";
import { commaSeparationWarnings, parseLabels, processedList, type Parameter, type Template } from "../template/index.ts";
import { defineCommand } from "./command.ts";
import {
  currentNamespace, gatherParams, loadTemplate, printList, processOrExit, splitProcessArgs, type StoredTemplateRef,
} from "./process.ts";

interface NewAppFlags {
  file: string[];
  template: string[];
  param: string[];
  paramFile: string[];
  labels?: string;
  ignoreUnknownParameters?: boolean;
  dryRun?: boolean;
  output?: string;
}

/** One template to instantiate, and the words the user named it with. */
export interface NewAppInput {
  /** What the user typed (file path, `--template` value or positional name). */
  input: string;
  filename?: string;
  stored?: StoredTemplateRef;
  /** A positional name: looked up in the current project, then in `openshift`. */
  search?: boolean;
}

export interface NewAppOptions {
  inputs: NewAppInput[];
  paramArgs: string[];
  paramFiles: string[];
  labels?: Record<string, string>;
  ignoreUnknown: boolean;
  dryRun: boolean;
  output: string;
}

/** The annotation oc new-app puts on everything it creates. */
export const GENERATED_BY = { "openshift.io/generated-by": "OpenShiftNewApp" };

/** The shared namespace oc searches for templates after the current project. */
const SHARED_NAMESPACE = "openshift";

/** `ns/name` or `name` for `--template`. */
function storedRef(arg: string): StoredTemplateRef {
  const slash = arg.indexOf("/");
  return slash < 0 ? { name: arg } : { namespace: arg.slice(0, slash), name: arg.slice(slash + 1) };
}

/** `k=v,k2=v2` sorted by key, as labels.SelectorFromSet prints a set. */
function selectorText(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",");
}

/**
 * oc's template description (DescribeGeneratedTemplate): the Deploying line, display name,
 * description and message indented five spaces, and the parameter values. Pure.
 */
export function describeGeneratedTemplate(input: string, processed: Template, parameters: readonly Parameter[], project: string): string {
  const meta = processed.metadata ?? {};
  const qualified = meta.namespace ? `${meta.namespace}/${meta.name ?? ""}` : meta.name ?? "";
  let out = input && meta.name !== input
    ? `--> Deploying template "${qualified}" for "${input}" to project ${project}\n\n`
    : `--> Deploying template "${qualified}" to project ${project}\n\n`;
  const annotations = meta.annotations ?? {};
  const display = annotations["openshift.io/display-name"] || meta.name || "";
  const message = processed.message ?? "";
  const description = annotations.description ?? "";
  const indented = (s: string): string => s.replace(/\n$/, "").split("\n").map((l) => `     ${l}\n`).join("");
  if (message || description) {
    out += `     ${display}\n     ---------\n`;
    if (description) out += `${indented(description)}\n`;
    if (message) out += `${indented(message)}\n`;
  }
  if (parameters.length > 0) {
    out += "     * With parameters:\n";
    for (const p of parameters) out += `        * ${p.displayName || p.name}=${p.value ?? ""}${p.generate ? " # generated" : ""}\n`;
    out += "\n";
  }
  return out;
}

/**
 * The lines oc prints after `--> Success`: build hints per BuildConfig, the registry warning for
 * an ImageStream without a repository, route hosts, the expose hint when nothing is routed, and
 * the status hint. `created` are the objects as the server returned them. Pure.
 */
export function successHints(created: readonly ApiObject[]): string {
  const indent = "    ";
  let out = "";
  let missingRepo = false;
  let hasRoute = false;
  for (const obj of created) {
    const group = groupOf(obj.apiVersion);
    const spec = (obj.spec ?? {}) as Record<string, unknown>;
    if (obj.kind === "BuildConfig" && group === "build.openshift.io") {
      const triggers = Array.isArray(spec.triggers) ? spec.triggers as { type?: string }[] : [];
      const triggered = triggers.some((t) => t.type === "ImageChange" || t.type === "ConfigChange");
      out += triggered
        ? `${indent}Build scheduled, use 'skiff logs -f buildconfig/${obj.metadata.name}' to track its progress.\n`
        : `${indent}Use 'skiff start-build ${obj.metadata.name}' to start a build.\n`;
    } else if (obj.kind === "ImageStream" && group === "image.openshift.io") {
      const repo = (obj.status as { dockerImageRepository?: string } | undefined)?.dockerImageRepository;
      if (!repo && !missingRepo) {
        missingRepo = true;
        out += `${indent}WARNING: No container image registry has been configured with the server. Automatic builds and deployments may not function.\n`;
      }
    } else if (obj.kind === "Route" && group === "route.openshift.io") {
      hasRoute = true;
      const host = typeof spec.host === "string" ? spec.host : "";
      if (host) out += `${indent}Access your application via route '${host}' \n`;
    }
  }
  if (created.length > 0) {
    const services = created.filter((o) => o.kind === "Service" && groupOf(o.apiVersion) === "");
    if (!hasRoute && services.length > 0) {
      out += `${indent}Application is not exposed. You can expose services to the outside world by executing one or more of the commands below:\n`;
      for (const s of services) out += `${indent} 'skiff expose service/${s.metadata.name}' \n`;
    }
    out += `${indent}Run 'skiff status' to view your app.\n`;
  }
  return out;
}

/** Adds labels and annotations to metadata, overwriting equal keys (oc's SetLabels/SetAnnotations). */
function decorate(obj: ApiObject, labels: Record<string, string> | undefined): ApiObject {
  const metadata = { ...obj.metadata };
  if (labels && Object.keys(labels).length > 0) metadata.labels = { ...(metadata.labels ?? {}), ...labels };
  metadata.annotations = { ...(metadata.annotations ?? {}), ...GENERATED_BY };
  return { ...obj, metadata };
}

/** The text oc prints for one failed create (the Status message, not kubectl's "Error from server" form). */
function createErrorText(e: unknown): string {
  if (e instanceof ApiError) return e.status.message ?? e.message;
  return e instanceof Error ? e.message : String(e);
}

async function findStored(input: NewAppInput, deps: Deps): Promise<ReturnType<typeof loadTemplate>> {
  if (!input.search) return loadTemplate({ stored: input.stored }, deps);
  const client = await deps.client();
  for (const ns of [...new Set([client.namespace, SHARED_NAMESPACE])]) {
    try {
      return await loadTemplate({ stored: { namespace: ns, name: input.stored!.name } }, deps);
    } catch (e) {
      if (!(e instanceof CliError) || !/could not be found/.test(e.message)) throw e;
    }
  }
  throw new CliError(`unable to locate any templates loaded in accessible projects with name "${input.input}"`);
}

export default defineCommand<NewAppFlags, NewAppOptions>({
  name: "new-app",
  summary: "Create a new application",
  group: "Basic Commands",
  args: "[args...]",
  examples: [
    "# Create the bundled example application from its template file\nskiff new-app -f examples/hello-template.json",
    "# Create an application from a template file, setting a parameter value\nskiff new-app -f examples/hello-template.json -p NAME=web",
    "# Create an application based on a stored template, explicitly setting a parameter value\nskiff new-app --template=ruby-helloworld-sample --param=MYSQL_USER=admin",
    "# Use a template stored in another project\nskiff new-app --template=openshift/nodejs-example",
    "# Print the objects as YAML instead of creating them\nskiff new-app -f examples/hello-template.json -o yaml",
  ],
  flags: (c: Command) => c
    .option("-f, --file <file>", "Path to a template file to use for the app.", collect, [])
    .option("--template <name>", "Name of a stored template to use in the app.", collect, [])
    .option("-p, --param <KEY=VALUE>", "Specify a key-value pair (e.g., -p FOO=BAR) to set/override a parameter value in the template.", collect, [])
    .option("--param-file <file>", "File containing parameter values to set/override in the template.", collect, [])
    .option("-l, --labels <labels>", "Label to set in all resources for this application.")
    .option("--ignore-unknown-parameters", "If true, will not stop processing if a provided parameter does not exist in the template.")
    .option("--dry-run", "If true, show the result of the operation without performing it.")
    .option("-o, --output <format>", "Output results as yaml or json instead of executing, or use name for succint output (resource/name)."),
  complete(args, flags, deps) {
    const { name, params } = splitProcessArgs(args);
    for (const w of commaSeparationWarnings(flags.param)) deps.io.err.write(`${w}\n`);
    const inputs: NewAppInput[] = [
      ...flags.file.map((f): NewAppInput => ({ input: f, filename: f })),
      ...flags.template.map((t): NewAppInput => ({ input: t, stored: storedRef(t) })),
      ...(name ? [{ input: name, stored: storedRef(name), search: !name.includes("/") }] : []),
    ];
    if (inputs.length === 0) {
      throw new UsageError("You must specify one or more images, image streams, templates, or source code locations to create an application.");
    }
    if (inputs.length > 1) throw new UsageError("only one template may be instantiated at a time");
    return {
      inputs,
      paramArgs: [...flags.param, ...params],
      paramFiles: flags.paramFile,
      labels: flags.labels ? parseLabels(flags.labels) : undefined,
      ignoreUnknown: flags.ignoreUnknownParameters ?? false,
      dryRun: flags.dryRun ?? false,
      output: flags.output ?? "",
    };
  },
  async run(o, deps) {
    const printing = o.output !== "" && o.output !== "name";
    if (printing && !["json", "yaml"].includes(o.output)) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const parsed = await gatherParams(o.paramArgs, o.paramFiles, deps, "skiff new-app");
    const input = o.inputs[0];
    const loaded = input.filename ? await loadTemplate({ filename: input.filename }, deps) : await findStored(input, deps);
    if (parsed.error) throw parsed.error;
    const project = await currentNamespace(deps);
    // A stored template keeps its own namespace in the description ("openshift/x"); a file is the project's.
    const result = processOrExit(loaded.template, parsed.values, {
      random: deps.random, ignoreUnknownParameters: o.ignoreUnknown,
      namespace: loaded.stored ? loaded.template.metadata?.namespace : project,
    });
    const objects = result.objects.map((obj) => decorate(obj, o.labels));
    if (printing) { await printList(processedList(objects), o.output, deps); return; }

    const verbose = o.output === "";
    const out = (s: string): void => { if (verbose) deps.io.out.write(s); };
    out(describeGeneratedTemplate(input.input, result.template, result.parameters, project));
    out(`--> Creating resources${o.labels && Object.keys(o.labels).length > 0 ? ` with label ${selectorText(o.labels)}` : ""} ...\n`);
    const indent = verbose ? "    " : "";
    const dry = o.dryRun ? " (dry run)" : "";
    const created: ApiObject[] = [];
    let failed = 0;
    const client = await deps.client();
    for (const obj of objects) {
      try {
        const ref = await client.resolveKind(obj.apiVersion ?? "", obj.kind ?? "");
        const ns = ref.namespaced ? obj.metadata.namespace || client.namespace : undefined;
        const saved = o.dryRun ? obj : await client.create(ref, ns, obj, { fieldManager: "skiff-new-app" });
        created.push(saved);
        const word = kindQualifier(ref.kind, ref.group);
        deps.io.out.write(o.output === "name" ? `${word}/${obj.metadata.name}\n` : `${indent}${word} "${obj.metadata.name}" created${dry}\n`);
      } catch (e) {
        if (!(e instanceof ApiError) && !(e instanceof CliError) && !isApiError(e)) throw e;
        failed++;
        deps.io.err.write(`${indent}error: ${createErrorText(e)}\n`);
      }
    }
    out(failed > 0 ? `--> Failed${dry}\n` : `--> Success${dry}\n`);
    if (failed > 0) throw new ExitCodeError(1);
    if (!verbose || o.dryRun) return;
    out(successHints(created));
  },
});
