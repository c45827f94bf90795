// `skiff rolling-update`: kubectl 1.17's rolling update of a ReplicationController — a new RC scaled up one pod at a time while the old one scales down.
import { createHash } from "node:crypto";
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import { labelSelectorString, selectorFromSet } from "../api/selectors.ts";
import type { ApiObject, Labels, Pod, ReplicationController } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { parseDuration } from "../cli/duration.ts";
import { addDryRunFlag, addOutputFlag, parseDryRun, printWritten, type DryRun } from "../cli/flags.ts";
import { loadManifests, readAll } from "../cli/manifests.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { deepCopy } from "../api/copy.ts";

interface RollingUpdateFlags {
  filename: string[];
  image?: string;
  container?: string;
  imagePullPolicy?: string;
  deploymentLabelKey: string;
  updatePeriod: string;
  pollInterval: string;
  timeout: string;
  rollback?: boolean;
  dryRun?: string;
  output?: string;
}

export interface RollingUpdateOptions {
  oldName: string;
  /** Second argument; absent: OLD-<hash>, renamed back to OLD at the end. */
  newName?: string;
  keepOldName: boolean;
  filename?: string;
  image?: string;
  container?: string;
  imagePullPolicy?: string;
  deploymentKey: string;
  updatePeriod: number;
  pollInterval: number;
  timeout: number;
  rollback: boolean;
  dryRun: DryRun;
  output?: string;
}

const PREFIX = "kubectl.kubernetes.io/";
export const SOURCE_ID_ANNOTATION = `${PREFIX}update-source-id`;
export const DESIRED_REPLICAS_ANNOTATION = `${PREFIX}desired-replicas`;
export const ORIGINAL_REPLICAS_ANNOTATION = `${PREFIX}original-replicas`;
export const NEXT_CONTROLLER_ANNOTATION = `${PREFIX}next-controller-id`;

type RC = ReplicationController;

/** md5 of the object's JSON in hex, as kubectl's HashObject (over its encoded form). */
export function hashObject(obj: ApiObject): string {
  return createHash("md5").update(JSON.stringify(obj)).digest("hex");
}

const replicasOf = (rc: RC): number => rc.spec?.replicas ?? 0;

/** A copy fit for POST: server-owned metadata and status dropped. */
function forCreate(rc: RC): RC {
  const c = deepCopy(rc);
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, managedFields: _m, ...meta } = c.metadata;
  c.metadata = meta;
  delete c.status;
  return c;
}

/** GET, change, PUT; on Conflict GET again and retry (client-go's RetryOnConflict). */
async function updateRc(client: ApiClient, ns: string, name: string, change: (rc: RC) => void): Promise<RC> {
  for (let attempt = 0; ; attempt++) {
    const rc = await client.get("replicationcontrollers", ns, name);
    change(rc);
    try {
      return await client.update("replicationcontrollers", ns, rc);
    } catch (e) {
      if (!isApiError(e, "Conflict") || attempt >= 4) throw e;
    }
  }
}

async function updatePod(client: ApiClient, ns: string, name: string, change: (p: Pod) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const p = await client.get("pods", ns, name);
    change(p);
    try {
      await client.update("pods", ns, p);
      return;
    } catch (e) {
      if (!isApiError(e, "Conflict") || attempt >= 4) throw e;
    }
  }
}

const selectorString = (set: Labels | undefined): string => labelSelectorString(selectorFromSet(set ?? {}));

/** The ticking parts of an update, read from options and deps. */
interface Ctx {
  client: ApiClient;
  ns: string;
  o: RollingUpdateOptions;
  deps: Deps;
  out: (s: string) => void;
}

/**
 * Polls every poll-interval (first check at once) until `cond` holds, giving up after
 * --timeout with `onTimeout`. Counts the time slept, so a frozen clock still times out.
 */
async function poll(ctx: Ctx, cond: () => Promise<boolean>, onTimeout: string): Promise<void> {
  const step = Math.max(1, ctx.o.pollInterval);
  for (let waited = 0; ; waited += step) {
    if (await cond()) return;
    if (waited >= ctx.o.timeout) throw new CliError(onTimeout);
    await ctx.deps.clock.sleep(step, ctx.deps.signal);
  }
}

/** Scales through /scale (GET + PUT, as kubectl's scaler with an empty precondition) and waits for status.replicas. */
async function scaleAndWait(ctx: Ctx, name: string, replicas: number): Promise<RC> {
  for (let attempt = 0; ; attempt++) {
    const scale = await ctx.client.getSubresource("replicationcontrollers", ctx.ns, name, "scale");
    scale.spec = { ...(scale.spec as object), replicas };
    try {
      await ctx.client.putSubresource("replicationcontrollers", ctx.ns, name, "scale", scale);
      break;
    } catch (e) {
      if (!isApiError(e, "Conflict") || attempt >= 4) throw e;
    }
  }
  await poll(ctx, async () => {
    const s = await ctx.client.getSubresource("replicationcontrollers", ctx.ns, name, "scale") as { spec?: { replicas?: number }; status?: { replicas?: number } };
    return (s.spec?.replicas ?? 0) !== replicas || (s.status?.replicas ?? 0) === replicas;
  }, `timed out waiting for "${name}" to be synced`);
  return await ctx.client.get("replicationcontrollers", ctx.ns, name);
}

/** Ready (and not being deleted) pods of `rc`, as kubectl's readyPods with minReadySeconds 0. */
async function availablePods(ctx: Ctx, rc: RC): Promise<number> {
  const list = await ctx.client.list("pods", ctx.ns, { labelSelector: selectorString(rc.spec?.selector) });
  return list.items.filter((p) => !p.metadata.deletionTimestamp
    && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")).length;
}

/**
 * Builds the next RC from the old one: the image swapped in the chosen container, the
 * deployment key set to the new hash in selector and template, named `OLD-<hash>` unless named.
 */
export function nextController(old: RC, o: Pick<RollingUpdateOptions, "image" | "container" | "imagePullPolicy" | "deploymentKey" | "newName">): RC {
  const next = deepCopy(old);
  const containers = next.spec.template?.spec.containers ?? [];
  let index = 0;
  if (o.container) {
    index = containers.findIndex((c) => c.name === o.container);
    if (index < 0) throw new CliError(`container ${o.container} not found in pod`);
  }
  if (containers.length > 1 && !o.container) throw new CliError("must specify container to update when updating a multi-container pod");
  if (containers.length === 0) throw new CliError(`pod has no containers! (${JSON.stringify(old)})`);
  containers[index].image = o.image;
  if (o.imagePullPolicy) containers[index].imagePullPolicy = o.imagePullPolicy;
  const hash = hashObject(next);
  next.metadata.name = o.newName || `${old.metadata.name ?? ""}-${hash}`;
  next.spec.selector = { ...(next.spec.selector ?? {}), [o.deploymentKey]: hash };
  const tmpl = next.spec.template!;
  tmpl.metadata = { ...(tmpl.metadata ?? {}), labels: { ...(tmpl.metadata?.labels ?? {}), [o.deploymentKey]: hash } };
  delete next.metadata.resourceVersion;
  return next;
}

/** Labels the old RC and its pods with the deployment key (kubectl's AddDeploymentKeyToReplicationController). */
async function addDeploymentKey(ctx: Ctx, old: RC, key: string, value: string, next: string): Promise<RC> {
  const name = old.metadata.name ?? "";
  let rc = await updateRc(ctx.client, ctx.ns, name, (r) => {
    r.metadata.annotations = { ...(r.metadata.annotations ?? {}), [NEXT_CONTROLLER_ANNOTATION]: next };
    const t = r.spec.template!;
    t.metadata = { ...(t.metadata ?? {}), labels: { ...(t.metadata?.labels ?? {}), [key]: value } };
  });
  const before = { ...(rc.spec.selector ?? {}) };
  for (const p of (await ctx.client.list("pods", ctx.ns, { labelSelector: selectorString(before) })).items) {
    await updatePod(ctx.client, ctx.ns, p.metadata.name ?? "", (x) => { x.metadata.labels = { ...(x.metadata.labels ?? {}), [key]: value }; });
  }
  rc = await updateRc(ctx.client, ctx.ns, name, (r) => { r.spec.selector = { ...(r.spec.selector ?? {}), [key]: value }; });
  // pods the manager made from the old template meanwhile would be orphans: delete them
  for (const p of (await ctx.client.list("pods", ctx.ns, { labelSelector: selectorString(before) })).items) {
    if (p.metadata.labels?.[key] !== value) await ctx.client.delete("pods", ctx.ns, p.metadata.name ?? "");
  }
  return rc;
}

/** Creates the target RC (replicas 0, desired and source annotations) or resumes an existing one. */
async function getOrCreateTarget(ctx: Ctx, target: RC, sourceId: string): Promise<RC> {
  const name = target.metadata.name ?? "";
  try {
    const existing = await ctx.client.get("replicationcontrollers", ctx.ns, name);
    const a = existing.metadata.annotations ?? {};
    if (a[SOURCE_ID_ANNOTATION] !== sourceId || a[DESIRED_REPLICAS_ANNOTATION] === undefined) {
      throw new CliError(`Missing/unexpected annotations for controller ${name}, expected ${sourceId} : map[${Object.keys(a).sort().map((k) => `${k}:${a[k]}`).join(" ")}]`);
    }
    ctx.out(`Continuing update with existing controller ${name}.\n`);
    return existing;
  } catch (e) {
    if (!isApiError(e, "NotFound")) throw e;
  }
  if (replicasOf(target) <= 0) throw new CliError(`Invalid controller spec for ${name}; required: > 0 replicas, actual: ${replicasOf(target)}\n`);
  const body = forCreate(target);
  body.metadata.annotations = { ...(body.metadata.annotations ?? {}),
    [DESIRED_REPLICAS_ANNOTATION]: String(replicasOf(target)), [SOURCE_ID_ANNOTATION]: sourceId };
  body.spec.replicas = 0;
  const created = await ctx.client.create("replicationcontrollers", ctx.ns, body);
  ctx.out(`Created ${name}\n`);
  return created;
}

/** kubectl's RollingUpdater.Update with maxSurge 1, maxUnavailable 0, then its cleanup policy. */
async function update(ctx: Ctx, oldRc: RC, target: RC, cleanup: "Delete" | "Rename"): Promise<void> {
  const oldName = oldRc.metadata.name ?? "";
  let newRc = await getOrCreateTarget(ctx, target, `${oldName}:${oldRc.metadata.uid ?? ""}`);
  const newName = newRc.metadata.name ?? "";
  const desiredText = newRc.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] ?? "";
  const desired = Number(desiredText);
  if (!/^\d+$/.test(desiredText)) throw new CliError(`Unable to parse annotation for ${newName}: ${DESIRED_REPLICAS_ANNOTATION}=${desiredText}`);
  if (oldRc.metadata.annotations?.[ORIGINAL_REPLICAS_ANNOTATION] === undefined) {
    const original = String(replicasOf(await ctx.client.get("replicationcontrollers", ctx.ns, oldName)));
    oldRc = await updateRc(ctx.client, ctx.ns, oldName, (r) => {
      r.metadata.annotations = { ...(r.metadata.annotations ?? {}), [ORIGINAL_REPLICAS_ANNOTATION]: original };
    });
  }
  const maxSurge = 1;
  const minAvailable = desired === 0 ? 0 : desired;
  ctx.out(`Scaling up ${newName} from ${replicasOf(newRc)} to ${desired}, scaling down ${oldName} from ${replicasOf(oldRc)} to 0 (keep ${minAvailable} pods available, don't exceed ${desired + maxSurge} pods)\n`);
  let deadline = ctx.deps.clock.now().getTime() + ctx.o.timeout;
  while (replicasOf(newRc) !== desired || replicasOf(oldRc) !== 0) {
    const before = [replicasOf(newRc), replicasOf(oldRc)];
    // scale up as far as the surge allows (all the way once the old one is gone)
    if (replicasOf(newRc) !== desired) {
      const increment = replicasOf(oldRc) === 0 ? desired - replicasOf(newRc) : desired + maxSurge - (replicasOf(oldRc) + replicasOf(newRc));
      if (increment > 0) {
        const to = Math.min(desired, replicasOf(newRc) + increment);
        ctx.out(`Scaling ${newName} up to ${to}\n`);
        newRc = await scaleAndWait(ctx, newName, to);
      }
    }
    await ctx.deps.clock.sleep(ctx.o.updatePeriod, ctx.deps.signal);
    // scale down as far as availability allows
    if (replicasOf(oldRc) !== 0) {
      const newAvailable = await availablePods(ctx, newRc);
      const all = replicasOf(oldRc) + replicasOf(newRc);
      const decrement = all - minAvailable - (replicasOf(newRc) - newAvailable);
      if (decrement > 0) {
        let to = Math.max(0, replicasOf(oldRc) - decrement);
        if (replicasOf(newRc) === desired && newAvailable === desired) to = 0;
        ctx.out(`Scaling ${oldName} down to ${to}\n`);
        oldRc = await scaleAndWait(ctx, oldName, to);
      }
    }
    if (replicasOf(newRc) !== before[0] || replicasOf(oldRc) !== before[1]) deadline = ctx.deps.clock.now().getTime() + ctx.o.timeout;
    else if (ctx.deps.clock.now().getTime() > deadline) throw new CliError("timed out waiting for any update progress to be made");
  }
  newRc = await updateRc(ctx.client, ctx.ns, newName, (r) => {
    const a = { ...(r.metadata.annotations ?? {}) };
    delete a[SOURCE_ID_ANNOTATION];
    delete a[DESIRED_REPLICAS_ANNOTATION];
    r.metadata.annotations = a;
  });
  const generation = newRc.metadata.generation ?? 0;
  await poll(ctx, async () => {
    const r = await ctx.client.get("replicationcontrollers", ctx.ns, newName);
    return (r.status?.observedGeneration ?? 0) >= generation && (r.status?.replicas ?? 0) === replicasOf(r);
  }, "timed out waiting for the condition");
  newRc = await ctx.client.get("replicationcontrollers", ctx.ns, newName);
  if (cleanup === "Delete") {
    ctx.out(`Update succeeded. Deleting ${oldName}\n`);
    await ctx.client.delete("replicationcontrollers", ctx.ns, oldName);
    return;
  }
  ctx.out(`Update succeeded. Deleting old controller: ${oldName}\n`);
  await ctx.client.delete("replicationcontrollers", ctx.ns, oldName);
  ctx.out(`Renaming ${newName} to ${oldName}\n`);
  await rename(ctx, newRc, oldName);
}

/** Deletes `rc` orphaning its pods, waits until it is gone, and creates it again as `to` (kubectl's Rename). */
async function rename(ctx: Ctx, rc: RC, to: string): Promise<void> {
  const from = rc.metadata.name ?? "";
  try {
    await ctx.client.delete("replicationcontrollers", ctx.ns, from, { propagationPolicy: "Orphan" });
  } catch (e) {
    if (!isApiError(e, "NotFound")) throw e;
  }
  await poll(ctx, async () => {
    try {
      await ctx.client.get("replicationcontrollers", ctx.ns, from);
      return false;
    } catch (e) {
      if (isApiError(e, "NotFound")) return true;
      throw e;
    }
  }, "timed out waiting for the condition");
  const body = forCreate(rc);
  body.metadata.name = to;
  await ctx.client.create("replicationcontrollers", ctx.ns, body);
}

export default defineCommand<RollingUpdateFlags, RollingUpdateOptions>({
  name: "rolling-update",
  summary: "Perform a rolling update of the given ReplicationController",
  group: "Application Management Commands",
  args: "[args...]",
  completeArgs: { resource: "replicationcontrollers", max: 2 },
  examples: [
    "# Update the pods of frontend by just changing the image, and keeping the old name\nskiff rolling-update frontend --image=image:v2",
    "# Update the pods of frontend-v1 to frontend-v2 by just changing the image, and switching the name of the replication controller\nskiff rolling-update frontend-v1 frontend-v2 --image=image:v2",
    "# Update pods of frontend-v1 using new replication controller data in frontend-v2.json\nskiff rolling-update frontend-v1 -f frontend-v2.json",
    "# Update one pod every 10 seconds, checking on progress every second\nskiff rolling-update frontend --image=image:v2 --update-period=10s --poll-interval=1s",
    "# Abort and reverse an existing rollout in progress (from frontend-v1 to frontend-v2)\nskiff rolling-update frontend-v1 frontend-v2 --rollback",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(c))
    .option("-f, --filename <file>", "Filename or URL to file to use to create the new replication controller.", (v: string, p: string[]) => [...p, v], [] as string[])
    .option("--image <image>", "Image to use for upgrading the replication controller. Must be distinct from the existing image (either new image or new image tag).  Can not be used with --filename/-f")
    .option("--container <name>", "Container name which will have its image upgraded. Only relevant when --image is specified, ignored otherwise. Required when using --image on a multi-container pod")
    .option("--image-pull-policy <policy>", "Explicit policy for when to pull container images. Required when --image is same as existing image, ignored otherwise.")
    .option("--deployment-label-key <key>", "The key to use to differentiate between two different controllers, default 'deployment'.  Only relevant when --image is specified, ignored otherwise", "deployment")
    .option("--update-period <duration>", "Time to wait between updating pods. Valid time units are \"ns\", \"us\" (or \"µs\"), \"ms\", \"s\", \"m\", \"h\".", "1m0s")
    .option("--poll-interval <duration>", "Time delay between polling for replication controller status after the update. Valid time units are \"ns\", \"us\" (or \"µs\"), \"ms\", \"s\", \"m\", \"h\".", "3s")
    .option("--timeout <duration>", "Max time to wait for a replication controller to update before giving up. Valid time units are \"ns\", \"us\" (or \"µs\"), \"ms\", \"s\", \"m\", \"h\".", "5m0s")
    .option("--rollback", "If true, this is a request to abort an existing rollout that is partially rolled out. It effectively reverses current and next and runs a rollout"),
  complete(args, flags, deps) {
    const errors: string[] = [];
    const image = flags.image || undefined;
    const rollback = flags.rollback ?? false;
    if (flags.deploymentLabelKey === "") errors.push("--deployment-label-key can not be empty");
    if (flags.filename.length > 1) errors.push("May only specify a single filename for new controller");
    if (!rollback) {
      if (flags.filename.length === 0 && !image) errors.push("Must specify --filename or --image for new controller");
      else if (flags.filename.length > 0 && image) errors.push("--filename and --image can not both be specified");
    } else if (flags.filename.length > 0 || image) {
      errors.push("Don't specify --filename or --image on rollback");
    }
    if (args.length < 1) errors.push("Must specify the controller to update");
    if (errors.length > 0) throw new UsageError(errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`);
    return {
      oldName: args[0],
      newName: args[1],
      keepOldName: args.length === 1,
      filename: flags.filename[0],
      image,
      container: flags.container || undefined,
      imagePullPolicy: flags.imagePullPolicy || undefined,
      deploymentKey: flags.deploymentLabelKey,
      updatePeriod: parseDuration(flags.updatePeriod, "update-period"),
      pollInterval: parseDuration(flags.pollInterval, "poll-interval"),
      timeout: parseDuration(flags.timeout, "timeout"),
      rollback,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
    };
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const client = await deps.client();
    const ns = client.namespace;
    const ctx: Ctx = { client, ns, o, deps, out: (s) => deps.io.out.write(s) };
    let oldRc: RC;
    try {
      oldRc = await client.get("replicationcontrollers", ns, o.oldName);
    } catch (e) {
      if (!isApiError(e, "NotFound") || !o.image || !o.keepOldName) throw e;
      // interrupted in the middle of a rename: finish it
      const source = (await client.list("replicationcontrollers", ns)).items
        .find((rc) => (rc.metadata.annotations?.[SOURCE_ID_ANNOTATION] ?? "").split(":")[0] === o.oldName);
      if (!source) throw new CliError(`couldn't find a replication controller with source id == ${ns}/${o.oldName}`);
      await rename(ctx, source, o.oldName);
      return;
    }
    const findNewName = (rc: RC): string => o.newName ?? rc.metadata.annotations?.[NEXT_CONTROLLER_ANNOTATION] ?? "";
    const loadExisting = async (name: string): Promise<RC | undefined> => {
      if (!name) return undefined;
      try {
        return await client.get("replicationcontrollers", ns, name);
      } catch (e) {
        if (isApiError(e, "NotFound")) return undefined;
        throw e;
      }
    };
    let newRc: RC | undefined;
    let replicasDefaulted = false;
    if (o.filename) {
      const manifests = await loadManifests([o.filename], { stdin: () => readAll(deps.io.in) });
      const objs = manifests.flatMap((m) => m.objects);
      if (objs.length > 1) throw new CliError(`${o.filename} specifies multiple items`);
      if (objs.length === 0) throw new CliError(`please make sure ${o.filename} exists and is not empty`);
      if (objs[0].kind !== "ReplicationController") throw new CliError(`${o.filename} contains a ${objs[0].apiVersion ?? ""}, Kind=${objs[0].kind ?? ""} not a ReplicationController`);
      newRc = objs[0] as RC;
      replicasDefaulted = newRc.spec?.replicas === undefined;
    }
    if (o.image) {
      const newName = findNewName(oldRc);
      newRc = await loadExisting(newName);
      if (newRc) {
        const inProgress = newRc.spec.template?.spec.containers[0]?.image ?? "";
        if (inProgress !== o.image) {
          throw new CliError(`Found existing in-progress update to image (${inProgress}).\nEither continue in-progress update with --image=${inProgress} or rollback with --rollback`);
        }
        deps.io.out.write(`Found existing update in progress (${newRc.metadata.name ?? ""}), resuming.\n`);
      } else {
        if (oldRc.spec.template?.spec.containers[0]?.image === o.image && !o.imagePullPolicy) {
          throw new CliError("--image-pull-policy (Always|Never|IfNotPresent) must be provided when --image is the same as existing container image");
        }
        newRc = nextController(oldRc, { ...o, newName });
      }
      const oldHash = `${hashObject(oldRc)}-orig`;
      if (o.dryRun !== "none") {
        // a dry run only shows what would roll: the old selector gains the key in memory
        oldRc = deepCopy(oldRc);
        oldRc.spec.selector = { [o.deploymentKey]: oldHash, ...(oldRc.spec.selector ?? {}) };
      } else if (oldRc.spec.selector?.[o.deploymentKey] === undefined) {
        oldRc = await addDeploymentKey(ctx, oldRc, o.deploymentKey, oldHash, newRc.metadata.name ?? "");
      } else {
        const next = newRc.metadata.name ?? "";
        oldRc = await updateRc(client, ns, o.oldName, (r) => {
          r.metadata.annotations = { ...(r.metadata.annotations ?? {}), [NEXT_CONTROLLER_ANNOTATION]: next };
        });
      }
    }
    if (o.rollback) {
      const newName = findNewName(oldRc);
      newRc = await loadExisting(newName);
      if (!newRc) throw new CliError(`Could not find ${newName} to rollback.\n`);
    }
    if (!newRc) throw new CliError("Must specify --filename or --image for new controller");
    const filename = o.filename ?? "";
    if (o.oldName === newRc.metadata.name) throw new CliError(`${filename} cannot have the same name as the existing ReplicationController ${o.oldName}`);
    const target = newRc;
    const differs = Object.entries(oldRc.spec.selector ?? {}).some(([k, v]) => target.spec.selector?.[k] !== undefined && target.spec.selector[k] !== v);
    if (!differs) throw new CliError(`${filename} must specify a matching key with non-equal value in Selector for ${o.oldName}`);
    if (replicasDefaulted) newRc.spec.replicas = replicasOf(oldRc);
    if (o.dryRun !== "none") {
      const show = async (rc: RC): Promise<string> => {
        if (!o.output) return rc.metadata.name ?? "";
        const { createObjectPrinter } = await import("../cli/print.ts");
        return (await createObjectPrinter(o.output)).print([rc], true).replace(/\n$/, "");
      };
      deps.io.out.write(`Rolling from:\n${await show(oldRc)}\nTo:\n${await show(newRc)}\n`);
      return;
    }
    let cleanup: "Delete" | "Rename" = o.keepOldName ? "Rename" : "Delete";
    let from = oldRc;
    let to = newRc;
    if (o.rollback) {
      // kubectl's AbortRollingUpdate: swap the two and roll back to the original size
      from = newRc;
      to = deepCopy(oldRc);
      const original = from.metadata.annotations?.[ORIGINAL_REPLICAS_ANNOTATION];
      if (original === undefined) throw new CliError(`couldn't find original replica count of ${JSON.stringify(from.metadata.name ?? "")}`);
      deps.io.out.write(`Setting ${JSON.stringify(to.metadata.name ?? "")} replicas to ${original}\n`);
      to.metadata.annotations = { ...(to.metadata.annotations ?? {}),
        [SOURCE_ID_ANNOTATION]: `${from.metadata.name ?? ""}:${from.metadata.uid ?? ""}`, [DESIRED_REPLICAS_ANNOTATION]: original };
      to = await client.update("replicationcontrollers", ns, to);
      cleanup = "Delete";
    }
    await update(ctx, from, to, cleanup);
    const finalName = o.keepOldName ? o.oldName : to.metadata.name ?? "";
    const verb = o.keepOldName ? "rolling updated" : `rolling updated to ${JSON.stringify(to.metadata.name ?? "")}`;
    const shown = await client.get("replicationcontrollers", ns, finalName);
    await printWritten(shown, { kind: "ReplicationController", group: "" }, verb, { output: o.output, dryRun: "none" }, deps);
  },
});
