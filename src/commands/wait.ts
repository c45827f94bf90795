// `skiff wait`: block until objects meet a condition, are deleted, are created, or a JSONPath has a value — by watching, not polling.
import type { Command } from "commander";
import { isApiError, notFound } from "../api/errors.ts";
import type { ApiObject, Condition } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { parseDuration } from "../cli/duration.ts";
import { addFilenameFlags, addOutputFlag, namespaceExplicit, placeObject, printWritten } from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";
import { compileJsonPath, findJsonPathResults, relaxedJsonPath, type CompiledJsonPath } from "../formatters/jsonpath.ts";
import { defineCommand } from "./command.ts";
import { NO_RESOURCES } from "./scale.ts";

interface WaitFlags {
  filename: string[];
  recursive?: boolean;
  for?: string;
  timeout: string;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  allNamespaces?: boolean;
  output?: string;
}

/** What --for asks for. */
export type WaitFor =
  | { kind: "delete" }
  | { kind: "create" }
  | { kind: "condition"; name: string; value: string }
  | { kind: "jsonpath"; expr: string; path: CompiledJsonPath; value?: string };

export interface WaitOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  for: WaitFor;
  /** ms; 0 checks once. */
  timeout: number;
  selector?: string;
  fieldSelector?: string;
  all: boolean;
  allNamespaces: boolean;
  output?: string;
}

const WEEK = 7 * 24 * 3_600_000;

/** Parses --for as kubectl's conditionFuncFor does; throws CliError in its words. */
export function parseWaitFor(condition: string): WaitFor {
  if (condition.toLowerCase() === "delete") return { kind: "delete" };
  if (condition.startsWith("condition=")) {
    const rest = condition.slice("condition=".length);
    const i = rest.indexOf("=");
    return i < 0 ? { kind: "condition", name: rest, value: "true" } : { kind: "condition", name: rest.slice(0, i), value: rest.slice(i + 1) };
  }
  if (condition.startsWith("jsonpath=")) {
    const parts = condition.slice("jsonpath=".length).split("=");
    if (parts.length > 2) throw new CliError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3");
    let value: string | undefined;
    if (parts.length === 2) {
      value = parts[1].replace(/^['"]+|['"]+$/g, "");
      if (value === "") throw new CliError("jsonpath wait value cannot be empty");
    }
    let expr: string;
    try {
      expr = relaxedJsonPath(parts[0]);
      return { kind: "jsonpath", expr, path: compileJsonPath(expr), value };
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  if (condition.toLowerCase() === "create") return { kind: "create" };
  throw new CliError(`unrecognized condition: ${JSON.stringify(condition)}`);
}

/** Whether obj's status.conditions has `name` (case-insensitive) with status `value`, ignoring stale generations. */
export function conditionMet(obj: ApiObject, name: string, value: string): boolean {
  const status = obj.status as { conditions?: (Condition & { observedGeneration?: number })[]; observedGeneration?: number } | undefined;
  for (const c of status?.conditions ?? []) {
    if (typeof c.type !== "string" || c.type.toLowerCase() !== name.toLowerCase()) continue;
    if (typeof c.status !== "string") continue;
    const generation = obj.metadata.generation;
    const observed = c.observedGeneration ?? status?.observedGeneration;
    if (generation !== undefined && observed !== undefined && observed < generation) return false;
    return c.status.toLowerCase() === value.toLowerCase();
  }
  return false;
}

/** kubectl's JSONPath wait: one scalar result equal (as text) to value; any result without a value. */
export function jsonPathMet(obj: ApiObject, w: Extract<WaitFor, { kind: "jsonpath" }>): boolean {
  const results = findJsonPathResults(w.path, obj);
  if (results.length === 0 || results[0].length === 0) return false;
  if (results.length > 1) throw new CliError("given jsonpath expression matches more than one list");
  if (results[0].length > 1) throw new CliError("given jsonpath expression matches more than one value");
  if (w.value === undefined) return true;
  const v = results[0][0];
  if (typeof v === "object" && v !== null) throw new CliError("jsonpath leads to a nested object or list which is not supported");
  return String(v ?? "<nil>") === w.value;
}

class TimedOut extends Error {}

/** One object to wait on; `obj` is absent for names that do not exist (yet). */
interface Subject {
  ref: ResourceRef;
  ns: string | undefined;
  name: string;
  obj?: ApiObject;
}

/**
 * Waits until `done` says so about the object named `s.name`: lists it (with its name as
 * field selector) then watches from the list's resourceVersion, re-listing when the watch
 * ends early. `done` sees undefined once the object is gone. Throws TimedOut on `stop`.
 */
async function watchUntil(client: ApiClient, s: Subject, stop: AbortSignal,
  done: (obj: ApiObject | undefined) => boolean): Promise<ApiObject | undefined> {
  const fieldSelector = `metadata.name=${s.name}`;
  for (;;) {
    const list = await client.list(s.ref, s.ns, { fieldSelector });
    let current: ApiObject | undefined = list.items[0];
    if (done(current)) return current;
    if (stop.aborted) throw new TimedOut();
    for await (const ev of client.watch(s.ref, s.ns, { fieldSelector, resourceVersion: list.metadata.resourceVersion, signal: stop })) {
      if (ev.type === "BOOKMARK") continue;
      if (ev.type === "ERROR") break;
      current = ev.type === "DELETED" ? undefined : ev.object;
      if (done(current)) return current;
    }
    if (stop.aborted) throw new TimedOut();
  }
}

/** Waits for one subject; returns the object to print, or undefined when nothing is printed. */
async function waitOne(client: ApiClient, s: Subject, w: WaitFor, stop: AbortSignal): Promise<ApiObject | undefined> {
  switch (w.kind) {
    case "create":
      return s.obj ?? await watchUntil(client, s, stop, (o) => o !== undefined);
    case "delete": {
      if (!s.obj) return undefined;
      const uid = s.obj.metadata.uid;
      await watchUntil(client, s, stop, (o) => o === undefined || o.metadata.uid !== uid);
      return s.obj;
    }
    default: {
      const met = (o: ApiObject | undefined): boolean => {
        if (!o) throw notFound(s.ref.group ? `${s.ref.resource}.${s.ref.group}` : s.ref.resource, s.name);
        return w.kind === "condition" ? conditionMet(o, w.name, w.value) : jsonPathMet(o, w);
      };
      return await watchUntil(client, s, stop, met);
    }
  }
}

export default defineCommand<WaitFlags, WaitOptions>({
  name: "wait",
  summary: "Experimental: Wait for a specific condition on one or many resources",
  group: "Advanced Commands",
  args: "[args...]",
  completeArgs: "resource-then-names",
  examples: [
    "# Wait for the pod \"busybox1\" to contain the status condition of type \"Ready\"\nskiff wait --for=condition=Ready pod/busybox1",
    "# The default value of status condition is true; you can wait for other targets after an equal delimiter (compared after Unicode simple case folding)\nskiff wait --for=condition=Ready=false pod/busybox1",
    "# Wait for the pod \"busybox1\" to contain the status phase to be \"Running\"\nskiff wait --for=jsonpath='{.status.phase}'=Running pod/busybox1",
    "# Wait for pod \"busybox1\" to be Ready\nskiff wait --for='jsonpath={.status.conditions[?(@.type==\"Ready\")].status}=True' pod/busybox1",
    "# Wait for the service \"loadbalancer\" to have ingress\nskiff wait --for=jsonpath='{.status.loadBalancer.ingress}' service/loadbalancer",
    "# Wait for the secret \"busybox1\" to be created, with a timeout of 30s\nskiff create secret generic busybox1\nskiff wait --for=create secret/busybox1 --timeout=30s",
    "# Wait for the pod \"busybox1\" to be deleted, with a timeout of 60s, after having issued the \"delete\" command\nskiff delete pod/busybox1\nskiff wait --for=delete pod/busybox1 --timeout=60s",
  ],
  flags: (c: Command) => addOutputFlag(addFilenameFlags(c, "identifying the resource."))
    .option("--for <condition>", "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true.  Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity.")
    .option("--timeout <duration>", "The length of time to wait before giving up.  Zero means check once and don't wait, negative means wait for a week.", "30s")
    .option("-l, --selector <selector>", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints.")
    .option("--field-selector <selector>", "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type.")
    .option("--all", "Select all resources in the namespace of the specified resource types")
    .option("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
  complete(args, flags) {
    const forCond = parseWaitFor(flags.for ?? "");
    const targets = args.length > 0 ? parseTargets(args, "wait") : undefined;
    if (!targets && flags.filename.length === 0) throw new CliError(NO_RESOURCES);
    const all = flags.all ?? false;
    const bySelector = flags.selector !== undefined || flags.fieldSelector !== undefined;
    if (targets?.form === "types" && targets.names.length === 0 && !all && !bySelector) {
      throw new CliError("resource(s) were provided, but no name was specified");
    }
    const t = parseDuration(flags.timeout, "timeout");
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      targets,
      for: forCond,
      timeout: t < 0 ? WEEK : t,
      selector: flags.selector,
      fieldSelector: flags.fieldSelector,
      all,
      allNamespaces: flags.allNamespaces ?? false,
      output: flags.output,
    };
  },
  validate(o) {
    const named = o.targets?.form === "pairs" || (o.targets?.form === "types" && o.targets.names.length > 0);
    if (named && o.selector !== undefined) throw new CliError("name cannot be provided when a selector is specified");
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const client = await deps.client();
    const subjects = await collectSubjects(client, o, deps);
    const isDelete = o.for.kind === "delete";
    if (subjects.length === 0 && !isDelete) throw new CliError("no matching resources found");
    const stop = new AbortController();
    const cancelTimer = new AbortController();
    const onAbort = (): void => stop.abort();
    deps.signal?.addEventListener("abort", onAbort, { once: true });
    if (o.timeout === 0) stop.abort();
    else void deps.clock.sleep(o.timeout, cancelTimer.signal).then(() => stop.abort(), () => undefined);
    try {
      for (const s of subjects) {
        let obj: ApiObject | undefined;
        try {
          obj = await waitOne(client, s, o.for, stop.signal);
        } catch (e) {
          if (e instanceof TimedOut) {
            if (o.for.kind === "create") throw new CliError("timed out waiting for the condition");
            throw new CliError(`timed out waiting for the condition on ${s.ref.resource}${s.ref.group ? `.${s.ref.group}` : ""}/${s.name}`);
          }
          throw e;
        }
        if (obj) await printWritten(obj, s.ref, "condition met", { output: o.output, dryRun: "none" }, deps);
      }
    } finally {
      cancelTimer.abort();
      deps.signal?.removeEventListener("abort", onAbort);
    }
  },
});

/** The objects named by -f, args, -l or --all; a missing name is kept (absent obj) for create/delete only. */
async function collectSubjects(client: ApiClient, o: WaitOptions, deps: Deps): Promise<Subject[]> {
  const keepMissing = o.for.kind === "create" || o.for.kind === "delete";
  const out: Subject[] = [];
  const getOne = async (ref: ResourceRef, ns: string | undefined, name: string): Promise<void> => {
    try {
      out.push({ ref, ns, name, obj: await client.get(ref, ns, name) });
    } catch (e) {
      if (!keepMissing || !isApiError(e, "NotFound")) throw e;
      out.push({ ref, ns, name });
    }
  };
  if (o.filenames.length > 0) {
    for (const m of await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) })) {
      for (const obj of m.objects) {
        const { ref, ns } = await placeObject(obj, client, client.namespace, namespaceExplicit(deps));
        await getOne(ref, ns, obj.metadata.name ?? "");
      }
    }
    return out;
  }
  if (!o.targets) return out;
  for (const t of await resolveTargets(o.targets, client)) {
    const ns = t.ref.namespaced ? (o.allNamespaces && t.names.length === 0 ? undefined : client.namespace) : undefined;
    if (t.names.length === 0) {
      const list = await client.list(t.ref, ns, { labelSelector: o.selector, fieldSelector: o.fieldSelector });
      for (const item of list.items) {
        out.push({ ref: t.ref, ns: t.ref.namespaced ? item.metadata.namespace : undefined, name: item.metadata.name ?? "", obj: item });
      }
      continue;
    }
    for (const name of t.names) await getOne(t.ref, ns, name);
  }
  return out;
}
