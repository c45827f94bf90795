// `skiff delete`: by name, type/name, -f, -l or --all; then (by default) wait until the objects are gone.
import { Option, type Command } from "commander";
import { isApiError } from "../api/errors.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient, DeleteOptions as ClientDeleteOptions, ResourceRef } from "../client/api-client.ts";
import {
  addDryRunFlag, addFilenameFlags, addSourceToErr, collect, dryRunSuffix, namespaceExplicit, parseDryRun,
  placeObject, type DryRun,
} from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import { parseDuration } from "../cli/duration.ts";
import { startProgress, type Progress } from "../cli/progress.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface DeleteFlags {
  filename: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  ignoreNotFound?: boolean;
  wait: boolean;
  gracePeriod: string;
  now?: boolean;
  force?: boolean;
  cascade: string;
  output?: string;
  dryRun?: string;
  timeout: string;
}

export type Cascade = "background" | "foreground" | "orphan";

export interface DeleteOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  selector?: string;
  fieldSelector?: string;
  all: boolean;
  allNamespaces: boolean;
  ignoreNotFound: boolean;
  wait: boolean;
  /** -1: the object's own default. */
  gracePeriod: number;
  force: boolean;
  cascade: Cascade;
  output?: "name";
  dryRun: DryRun;
  /** 0: no limit. */
  timeoutMs: number;
}

const NO_RESOURCES = `You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

/** kubectl's --cascade values, deprecated booleans included. */
export function parseCascade(v: string, deps: { io: { err: { write(s: string): void } } }): Cascade {
  if (v === "background" || v === "foreground" || v === "orphan") return v;
  if (v === "true" || v === "false") {
    const to = v === "true" ? "background" : "orphan";
    deps.io.err.write(`warning: --cascade=${v} is deprecated (boolean value) and can be replaced with --cascade=${to}.\n`);
    return to;
  }
  throw new CliError(`invalid cascade value (${v}). Must be "background", "foreground", or "orphan".`);
}

const POLICY: Record<Cascade, ClientDeleteOptions["propagationPolicy"]> = {
  background: "Background", foreground: "Foreground", orphan: "Orphan",
};

interface Victim {
  ref: ResourceRef;
  ns: string | undefined;
  name: string;
  source?: string;
}

export default defineCommand<DeleteFlags, DeleteOptions>({
  name: "delete",
  summary: "Delete resources by file names, stdin, resources and names, or by resources and label selector",
  group: "Application Management Commands",
  args: "[args...]",
  examples: [
    "# Delete a pod using the type and name specified in pod.json\nskiff delete -f ./pod.json",
    "# Delete pods and services with same names \"baz\" and \"foo\"\nskiff delete pod,service baz foo",
    "# Delete pods and services with label name=myLabel\nskiff delete pods,services -l name=myLabel",
    "# Delete a pod with minimal delay\nskiff delete pod foo --now",
    "# Delete all pods\nskiff delete pods --all",
  ],
  flags: (c: Command) => addDryRunFlag(addFilenameFlags(c, "containing the resource to delete."))
    .option("-l, --selector <selector>", "Selector (label query) to filter on.")
    .option("--field-selector <selector>", "Selector (field query) to filter on.")
    .option("--all", "Delete all resources, in the namespace of the specified resource types.")
    .option("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces.")
    .option("--ignore-not-found", "Treat \"resource not found\" as a successful delete. Defaults to \"true\" when --all is specified.")
    .option("--wait", "If true, wait for resources to be gone before returning. This waits for finalizers.", true)
    .option("--grace-period <seconds>", "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).", "-1")
    .option("--now", "If true, resources are signaled for immediate shutdown (same as --grace-period=1).")
    .option("--force", "If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.")
    .addOption(new Option("--cascade [strategy]", "Must be \"background\", \"orphan\", or \"foreground\". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController).").default("background").preset("background"))
    .option("-o, --output <format>", "Output mode. Use \"-o name\" for shorter output (resource/name).")
    .option("--timeout <duration>", "The length of time to wait before giving up on a delete, zero means wait as long as it takes.", "0s"),
  complete(args, flags, deps) {
    const hasFiles = flags.filename.length > 0;
    if (!hasFiles && args.length === 0) throw new CliError(NO_RESOURCES);
    if (hasFiles && args.length > 0) throw new CliError("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'");
    const targets = args.length > 0 ? parseTargets(args, "delete") : undefined;
    const all = flags.all ?? false;
    const bySelector = flags.selector !== undefined || flags.fieldSelector !== undefined;
    if (targets?.form === "types" && targets.names.length === 0 && !all && !bySelector) {
      throw new CliError("resource(s) were provided, but no name was specified");
    }
    const named = targets !== undefined && (targets.form === "pairs" || targets.names.length > 0);
    if (named && bySelector) throw new CliError("name cannot be provided when a selector is specified");
    if (named && all) throw new CliError("setting 'all' parameter but found a non empty selector. ");
    if (flags.output !== undefined && flags.output !== "name") {
      throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: name`);
    }
    let grace = Number(flags.gracePeriod);
    if (!Number.isInteger(grace)) throw new UsageError(`invalid argument "${flags.gracePeriod}" for "--grace-period" flag: strconv.ParseInt: parsing "${flags.gracePeriod}": invalid syntax`);
    const force = flags.force ?? false;
    if (flags.now) {
      if (grace !== -1) throw new CliError("--now and --grace-period cannot be specified together");
      grace = 1;
    }
    // matches kubectl, which turns --grace-period=0 into 1 unless --force says it means it
    if (grace === 0 && !force) grace = 1;
    if (force && grace < 0) grace = 0;
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      targets,
      selector: flags.selector,
      fieldSelector: flags.fieldSelector,
      all,
      allNamespaces: flags.allNamespaces ?? false,
      ignoreNotFound: flags.ignoreNotFound ?? (all || bySelector),
      wait: flags.wait,
      gracePeriod: grace,
      force,
      cascade: parseCascade(flags.cascade, deps),
      output: flags.output as "name" | undefined,
      dryRun: parseDryRun(flags.dryRun, deps),
      timeoutMs: parseDuration(flags.timeout, "--timeout"),
    };
  },
  async run(o, deps) {
    const client = await deps.client();
    const victims: Victim[] = [];
    const errors: unknown[] = [];
    if (o.filenames.length > 0) {
      const manifests = await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) });
      for (const m of manifests) {
        for (const obj of m.objects) {
          const { ref, ns } = await placeObject(obj, client, client.namespace, namespaceExplicit(deps));
          victims.push({ ref, ns, name: obj.metadata.name ?? "", source: m.source });
        }
      }
    } else if (o.targets) {
      const resolved = await resolveTargets(o.targets, client);
      const listing = resolved.some((t) => t.names.length === 0);
      for (const t of resolved) {
        const ns = t.ref.namespaced ? (o.allNamespaces && t.names.length === 0 ? undefined : client.namespace) : undefined;
        if (t.names.length > 0) {
          for (const name of t.names) victims.push({ ref: t.ref, ns, name });
          continue;
        }
        const list = await client.list(t.ref, ns, { labelSelector: o.selector, fieldSelector: o.fieldSelector });
        for (const item of list.items) victims.push({ ref: t.ref, ns: t.ref.namespaced ? item.metadata.namespace : undefined, name: item.metadata.name ?? "" });
      }
      if (listing && victims.length === 0) {
        deps.io.out.write("No resources found\n");
        return;
      }
    }
    if (o.gracePeriod === 0 && o.force) {
      deps.io.err.write("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    const gone: { v: Victim; uid?: string }[] = [];
    for (const v of victims) {
      try {
        let uid: string | undefined;
        if (o.dryRun === "client") {
          await client.get(v.ref, v.ns, v.name);
        } else {
          const res = await client.delete(v.ref, v.ns, v.name, {
            propagationPolicy: POLICY[o.cascade],
            ...(o.gracePeriod >= 0 ? { gracePeriodSeconds: o.gracePeriod } : {}),
            dryRun: o.dryRun === "server",
          });
          uid = uidOf(res);
        }
        deps.io.out.write(`${deletedLine(v, o)}\n`);
        gone.push({ v, uid });
      } catch (e) {
        if (o.ignoreNotFound && isApiError(e, "NotFound")) continue;
        errors.push(v.source ? addSourceToErr(e, "deleting", v.source) : e);
      }
    }
    if (o.wait && o.dryRun === "none") {
      // Progress shows only once a wait gets noticeable, so ordinary deletes print nothing extra.
      let progress: Progress | undefined;
      try {
        for (const { v, uid } of gone) {
          await waitForDeletion(client, v, uid, o.timeoutMs, deps.clock.sleep, async () => {
            const text = `Waiting for ${kindWord(v.ref)} "${v.name}" to be deleted`;
            if (progress) progress.update(text);
            else progress = await startProgress(deps.io, text, deps.env);
          });
        }
      } finally {
        progress?.stop();
      }
    }
    if (errors.length > 0) throw new AggregateError(errors);
  },
});

function uidOf(res: ApiObject): string | undefined {
  if (res.kind === "Status") return (res as { details?: { uid?: string } }).details?.uid;
  return res.metadata?.uid;
}

function kindWord(ref: ResourceRef): string {
  return `${ref.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""}`;
}

/** `pod "web" deleted from default namespace` (current kubectl), or `pod/web` with -o name. */
function deletedLine(v: Victim, o: DeleteOptions): string {
  if (o.output === "name") return `${kindWord(v.ref)}/${v.name}`;
  const op = `${o.gracePeriod === 0 ? "force deleted" : "deleted"}${dryRunSuffix(o.dryRun)}`;
  return v.ns ? `${kindWord(v.ref)} "${v.name}" ${op} from ${v.ns} namespace` : `${kindWord(v.ref)} "${v.name}" ${op}`;
}

/** How long an object may linger before `delete --wait` shows progress on stderr. */
const PROGRESS_AFTER_MS = 500;

/** Polls until the object is gone (or replaced by one with another uid), as `kubectl delete --wait`. */
async function waitForDeletion(client: ApiClient, v: Victim, uid: string | undefined, timeoutMs: number,
  sleep: (ms: number) => Promise<void>, onWaiting: () => Promise<void>): Promise<void> {
  let waited = 0;
  for (let delay = 25; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const cur = await client.get(v.ref, v.ns, v.name);
      if (uid && cur.metadata.uid !== uid) return;
    } catch (e) {
      if (isApiError(e, "NotFound")) return;
      throw e;
    }
    if (timeoutMs > 0 && waited >= timeoutMs) {
      throw new CliError(`timed out waiting for the condition on ${v.ref.group ? `${v.ref.resource}.${v.ref.group}` : v.ref.resource}/${v.name}`);
    }
    if (waited < PROGRESS_AFTER_MS && waited + delay >= PROGRESS_AFTER_MS) await onWaiting();
    await sleep(delay);
    waited += delay;
  }
}
