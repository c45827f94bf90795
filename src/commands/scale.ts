// `skiff scale`: set spec.replicas through the /scale subresource (merge patch, or GET+PUT with preconditions).
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import type { ApiObject, Scale } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { errorFromResponse, resourcePath } from "../client/client.ts";
import { parseDuration } from "../cli/duration.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, namespaceExplicit, parseDryRun, placeObject, printWritten, type DryRun,
} from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface ScaleFlags {
  filename: string[];
  recursive?: boolean;
  replicas?: string;
  currentReplicas: string;
  resourceVersion?: string;
  selector?: string;
  all?: boolean;
  timeout: string;
  dryRun?: string;
  output?: string;
}

export interface ScaleOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  replicas: number;
  /** -1: no precondition. */
  currentReplicas: number;
  resourceVersion?: string;
  selector?: string;
  all: boolean;
  /** ms; 0 does not wait for the new size to be reached. */
  timeout: number;
  dryRun: DryRun;
  output?: string;
}

/** One object picked by args, -f, -l or --all. */
export interface PickedObject {
  ref: ResourceRef;
  ns: string | undefined;
  obj: ApiObject;
}

/** kubectl's resource builder error when neither args nor -f name anything. */
export const NO_RESOURCES = "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/**
 * GETs the objects named by -f or `targets` (a whole collection needs -l or --all, as kubectl's
 * builder insists). Throws the first lookup error, as kubectl's visitor does.
 */
export async function pickObjects(client: ApiClient, deps: Deps, o: {
  filenames: string[]; recursive: boolean; targets?: TargetArgs; selector?: string; all: boolean;
}): Promise<PickedObject[]> {
  const out: PickedObject[] = [];
  if (o.filenames.length > 0) {
    for (const m of await loadManifests(o.filenames, { recursive: o.recursive, stdin: () => readAll(deps.io.in) })) {
      for (const obj of m.objects) {
        const { ref, ns } = await placeObject(obj, client, client.namespace, namespaceExplicit(deps));
        out.push({ ref, ns, obj: await client.get(ref, ns, obj.metadata.name ?? "") });
      }
    }
    return out;
  }
  if (!o.targets) return out;
  for (const t of await resolveTargets(o.targets, client)) {
    const ns = t.ref.namespaced ? client.namespace : undefined;
    if (t.names.length === 0) {
      const list = await client.list(t.ref, ns, { labelSelector: o.selector });
      for (const item of list.items) out.push({ ref: t.ref, ns, obj: item });
      continue;
    }
    for (const name of t.names) out.push({ ref: t.ref, ns, obj: await client.get(t.ref, ns, name) });
  }
  return out;
}

/** The client-go spelling of a group-version-resource, e.g. `/v1, Resource=pods`. */
export function gvrString(ref: Pick<ResourceRef, "group" | "version" | "resource">): string {
  return `${ref.group}/${ref.version}, Resource=${ref.resource}`;
}

/** Throws client-go's error when `ref` has no scale subresource. */
export function assertScalable(ref: ResourceRef): void {
  if (!(ref.subresources ?? []).includes("scale")) {
    throw new CliError(`could not find scale subresource for ${gvrString(ref)} in discovery information`);
  }
}

function parseCount(value: string | undefined, flag: string): number {
  if (value === undefined) return -1;
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new CliError(`invalid argument "${value}" for "--${flag}" flag: strconv.ParseInt: parsing "${value}": invalid syntax`);
  }
  return n;
}

/**
 * Scales one object: PATCH {"spec":{"replicas":N}} on /scale, or with a precondition GET
 * /scale, check (kubectl's `Expected replicas to be 3, was 2`), PUT; conflicts retry.
 * Returns the Scale written.
 */
export async function scaleObject(client: ApiClient, p: Pick<PickedObject, "ref" | "ns">, name: string, replicas: number,
  pre: { currentReplicas: number; resourceVersion?: string }, dryRun: boolean): Promise<Scale> {
  if (pre.currentReplicas < 0 && !pre.resourceVersion) {
    return await client.patch(p.ref, p.ns, name, "merge", { spec: { replicas } }, { subresource: "scale", dryRun }) as unknown as Scale;
  }
  for (let attempt = 0; ; attempt++) {
    const scale = await client.getSubresource(p.ref, p.ns, name, "scale") as Scale;
    const current = scale.spec?.replicas ?? 0;
    if (pre.currentReplicas >= 0 && current !== pre.currentReplicas) {
      throw new CliError(`Expected replicas to be ${pre.currentReplicas}, was ${current}`);
    }
    if (pre.resourceVersion && scale.metadata.resourceVersion !== pre.resourceVersion) {
      throw new CliError(`Expected resource version to be ${pre.resourceVersion}, was ${scale.metadata.resourceVersion ?? ""}`);
    }
    scale.spec = { ...scale.spec, replicas };
    try {
      if (!dryRun) return await client.putSubresource(p.ref, p.ns, name, "scale", scale) as Scale;
      const res = await client.raw({
        method: "PUT", path: resourcePath(p.ref, p.ns, name, "scale"), query: { dryRun: "All" },
        headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(scale),
      });
      if (res.status >= 300) throw errorFromResponse(res, "PUT", { ref: p.ref, name });
      return JSON.parse(res.body ?? "{}") as Scale;
    } catch (e) {
      if (!isApiError(e, "Conflict") || attempt >= 4) throw e;
    }
  }
}

export default defineCommand<ScaleFlags, ScaleOptions>({
  name: "scale",
  summary: "Set a new size for a replication controller",
  group: "Application Management Commands",
  args: "[args...]",
  completeArgs: { resources: ["replicationcontrollers"] },
  examples: [
    "# Scale a replication controller named 'web' to 3\nskiff scale --replicas=3 rc/web",
    "# Scale a resource identified by type and name specified in \"rc.yaml\" to 3\nskiff scale --replicas=3 -f rc.yaml",
    "# If the replication controller named web's current size is 2, scale web to 3\nskiff scale --current-replicas=2 --replicas=3 rc/web",
    "# Scale multiple replication controllers\nskiff scale --replicas=5 rc/foo rc/bar rc/baz",
    "# Scale every replication controller labelled tier=frontend to 2\nskiff scale rc -l tier=frontend --replicas=2",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "identifying the resource to set a new size")))
    .option("--replicas <count>", "The new desired number of replicas. Required.")
    .option("--current-replicas <count>", "Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.", "-1")
    .option("--resource-version <version>", "Precondition for resource version. Requires that the current resource version match this value in order to scale.")
    .option("-l, --selector <selector>", "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2). Matching objects must satisfy all of the specified label constraints.")
    .option("--all", "Select all resources in the namespace of the specified resource types")
    .option("--timeout <duration>", "The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).", "0s"),
  complete(args, flags, deps) {
    if (flags.replicas === undefined) throw new CliError(`required flag(s) "replicas" not set`);
    const targets = args.length > 0 ? parseTargets(args, "scale") : undefined;
    if (!targets && flags.filename.length === 0) throw new CliError(NO_RESOURCES);
    const all = flags.all ?? false;
    if (targets?.form === "types" && targets.names.length === 0 && !all && flags.selector === undefined) {
      throw new CliError(`resource(s) were provided, but no name was specified`);
    }
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      targets,
      replicas: parseCount(flags.replicas, "replicas"),
      currentReplicas: parseCount(flags.currentReplicas, "current-replicas"),
      resourceVersion: flags.resourceVersion || undefined,
      selector: flags.selector,
      all,
      timeout: parseDuration(flags.timeout, "timeout"),
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
    };
  },
  validate(o) {
    if (o.replicas < 0) throw new CliError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    if (o.currentReplicas < -1) throw new CliError("The --current-replicas must specify an integer of -1 or greater");
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const client = await deps.client();
    const picked = await pickObjects(client, deps, o);
    if (picked.length === 0) throw new CliError("no objects passed to scale");
    if (o.resourceVersion && picked.length > 1) throw new CliError("cannot use --resource-version with multiple resources");
    if (o.currentReplicas >= 0 && picked.length > 1) throw new CliError("cannot use --current-replicas with multiple resources");
    for (const p of picked) {
      assertScalable(p.ref);
      const name = p.obj.metadata.name ?? "";
      if (o.dryRun !== "client") {
        await scaleObject(client, p, name, o.replicas, o, o.dryRun === "server");
        if (o.timeout > 0 && o.dryRun === "none") await waitForReplicas(client, p, name, o.replicas, o.timeout, deps);
      }
      await printWritten(p.obj, p.ref, "scaled", o, deps);
    }
  },
});

/** Polls /scale every second until status.replicas reaches `replicas` (or someone else changed spec). */
async function waitForReplicas(client: ApiClient, p: PickedObject, name: string, replicas: number, timeout: number, deps: Deps): Promise<void> {
  // Counts the time slept rather than reading the clock, so a frozen test clock still times out.
  for (let waited = 0; ; waited += 1000) {
    const s = await client.getSubresource(p.ref, p.ns, name, "scale") as Scale;
    if ((s.spec?.replicas ?? 0) !== replicas) return;
    if ((s.status?.replicas ?? 0) === replicas) return;
    if (waited >= timeout) throw new CliError(`timed out waiting for "${name}" to be synced`);
    await deps.clock.sleep(Math.min(1000, timeout - waited), deps.signal);
  }
}
