// `skiff rollout latest|status|history|undo|cancel|pause|resume|restart`: oc's verbs for
// DeploymentConfigs and kubectl's for Deployments and StatefulSets, with their exact messages.
import type { Command } from "commander";
import type { Deployment, DeploymentConfig, ReplicaSet, StatefulSet } from "../api/openshift-types.ts";
import type { ApiObject, ReplicationController } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { parseDuration } from "../cli/duration.ts";
import { objectName } from "../cli/flags.ts";
import { spinnerAllowed, startProgress } from "../cli/progress.ts";
import { parseTargets, resolveTargets } from "../cli/targets.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { DESCRIBE_LAYOUT, formatTabbed } from "../formatters/tabwriter.ts";
import { relativeTime } from "../formatters/project-status.ts";
import {
  DC_NAME, DEPLOYMENT_CANCELLED, STATUS_REASON, decodeDc, hasUnresolvedImages, isTerminal, phaseOf, rcNameFor, versionOf,
} from "../controlplane/controllers/deploymentconfigs/util.ts";
import { defineCommand, type CommandSpec } from "./command.ts";
import { deepCopy } from "../api/copy.ts";

type Verb = "latest" | "status" | "history" | "undo" | "cancel" | "pause" | "resume" | "restart" | "retry";

/** Which kinds each verb handles (oc's DC verbs; kubectl's for apps/v1). */
const SUPPORTED: Record<Verb, string[]> = {
  latest: ["DeploymentConfig"],
  retry: ["DeploymentConfig"],
  cancel: ["DeploymentConfig"],
  status: ["DeploymentConfig", "Deployment", "StatefulSet"],
  history: ["DeploymentConfig", "Deployment"],
  undo: ["DeploymentConfig", "Deployment"],
  pause: ["DeploymentConfig", "Deployment"],
  resume: ["DeploymentConfig", "Deployment"],
  restart: ["Deployment", "StatefulSet"],
};

interface RolloutFlags {
  again?: boolean;
  output?: string;
  watch?: boolean;
  timeout?: string;
  revision?: string;
  toRevision?: string;
}

export interface RolloutOptions {
  verb: Verb;
  args: string[];
  again: boolean;
  output?: string;
  watch: boolean;
  /** ms; 0 waits forever. */
  timeout: number;
  revision: number;
  toRevision: number;
}

interface Target {
  ref: ResourceRef;
  name: string;
  ns: string | undefined;
}

async function target(o: RolloutOptions, client: ApiClient, deps: Deps): Promise<Target> {
  const resolved = await resolveTargets(parseTargets(o.args, `rollout ${o.verb}`), client);
  const first = resolved[0];
  if (!first || first.names.length === 0) throw new UsageError("required resource not specified");
  const cfg = await deps.config();
  const kinds = SUPPORTED[o.verb];
  if (!kinds.includes(first.ref.kind)) {
    if (o.verb === "status") throw new CliError(`no status viewer has been implemented for ${first.ref.kind}`);
    if (o.verb === "history") throw new CliError(`no history viewer has been implemented for ${first.ref.kind}`);
    throw new CliError(`${o.verb} is not supported on ${first.ref.kind}`);
  }
  return { ref: first.ref, name: first.names[0]!, ns: cfg.namespace };
}

const int = (flag: string, v: string | undefined): number => {
  if (v === undefined) return 0;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v.trim());
};

/** The RCs of a DC, oldest version first. */
async function dcHistory(client: ApiClient, ns: string | undefined, name: string): Promise<ReplicationController[]> {
  const items = (await client.list("replicationcontrollers", ns, { labelSelector: `${DC_NAME}=${name}` })).items;
  return items.sort((a, b) => versionOf(a) - versionOf(b));
}

/** One status check: the message, and whether the rollout is over. Throws CliError for a failed one. */
export function dcStatus(dc: DeploymentConfig): { text: string; done: boolean } {
  const name = dc.metadata.name ?? "";
  const s = dc.status ?? {};
  if ((dc.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { text: "Waiting for latest deployment config spec to be observed by the controller loop...", done: false };
  }
  if (dc.spec.paused) return { text: `Deployment config "${name}" is paused. Resume to continue watching the status of the rollout.`, done: true };
  if ((s.latestVersion ?? 0) === 0) {
    if (hasUnresolvedImages(dc)) return { text: `Deployment config "${name}" waiting on image update`, done: false };
    throw new CliError(`Deployment config "${name}" waiting on manual update (use 'oc rollout latest ${name}')`);
  }
  const cond = s.conditions?.find((c) => c.type === "Progressing");
  if (cond?.reason === "ProgressDeadlineExceeded" || cond?.reason === "RolloutCancelled") throw new CliError(cond.message ?? "");
  const want = dc.spec.replicas ?? 0;
  if ((s.updatedReplicas ?? 0) < want) return { text: `Waiting for rollout to finish: ${s.updatedReplicas ?? 0} out of ${want} new replicas have been updated...`, done: false };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0)) return { text: `Waiting for rollout to finish: ${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas are pending termination...`, done: false };
  if ((s.availableReplicas ?? 0) < (s.updatedReplicas ?? 0)) return { text: `Waiting for rollout to finish: ${s.availableReplicas ?? 0} of ${s.updatedReplicas ?? 0} updated replicas are available...`, done: false };
  if (cond?.reason === "NewReplicationControllerAvailable") return { text: cond.message ?? "", done: true };
  return { text: "Waiting for latest deployment config spec to be observed by the controller loop...", done: false };
}

/** kubectl's DeploymentStatusViewer. */
export function deploymentStatus(d: Deployment): { text: string; done: boolean } {
  const name = d.metadata.name ?? "";
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return { text: "Waiting for deployment spec update to be observed...", done: false };
  if (s.conditions?.find((c) => c.type === "Progressing")?.reason === "ProgressDeadlineExceeded") throw new CliError(`deployment "${name}" exceeded its progress deadline`);
  const want = d.spec.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < want) return { text: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...`, done: false };
  if ((s.replicas ?? 0) > updated) return { text: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`, done: false };
  if ((s.availableReplicas ?? 0) < updated) return { text: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`, done: false };
  return { text: `deployment "${name}" successfully rolled out`, done: true };
}

/** kubectl's StatefulSetStatusViewer. */
export function statefulSetStatus(ss: StatefulSet): { text: string; done: boolean } {
  const s = ss.status;
  if (ss.spec.updateStrategy?.type && ss.spec.updateStrategy.type !== "RollingUpdate") throw new CliError("rollout status is only available for RollingUpdate strategy type");
  if (!s?.observedGeneration || (ss.metadata.generation ?? 0) > s.observedGeneration) return { text: "Waiting for statefulset spec update to be observed...", done: false };
  const want = ss.spec.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < want) return { text: `Waiting for ${want - (s.readyReplicas ?? 0)} pods to be ready...`, done: false };
  if (s.updateRevision !== s.currentRevision) {
    return { text: `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision ?? ""}...`, done: false };
  }
  return { text: `statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision ?? ""}...`, done: true };
}

async function runStatus(o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const check = async (): Promise<{ text: string; done: boolean }> => {
    const obj = await client.get(t.ref, t.ns, t.name);
    if (t.ref.kind === "DeploymentConfig") return dcStatus(obj as DeploymentConfig);
    if (t.ref.kind === "Deployment") return deploymentStatus(obj as unknown as Deployment);
    return statefulSetStatus(obj as unknown as StatefulSet);
  };
  const first = await check();
  if (first.done || !o.watch) {
    deps.io.out.write(`${first.text}\n`);
    return;
  }
  // matches kubectl, which prints each new waiting line on stdout; a terminal gets a spinner instead.
  const spinner = spinnerAllowed(deps.io, deps.env) ? await startProgress(deps.io, first.text, deps.env) : undefined;
  let last = first.text;
  if (!spinner) deps.io.out.write(`${last}\n`);
  const deadline = o.timeout > 0 ? deps.clock.now().getTime() + o.timeout : Infinity;
  try {
    for (;;) {
      await deps.clock.sleep(1000);
      const r = await check();
      if (r.done) {
        spinner?.stop();
        deps.io.out.write(`${r.text}\n`);
        return;
      }
      if (r.text !== last) {
        last = r.text;
        if (spinner) spinner.update(r.text);
        else deps.io.out.write(`${r.text}\n`);
      }
      if (deps.clock.now().getTime() >= deadline) throw new CliError("timed out waiting for the condition");
    }
  } catch (e) {
    spinner?.stop();
    throw e;
  }
}

async function runLatest(o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const dc = await client.get("deploymentconfigs", t.ns, t.name);
  if (dc.spec.paused) throw new CliError("cannot deploy a paused deployment config");
  const version = dc.status?.latestVersion ?? 0;
  if (version > 0) {
    const latest = (await dcHistory(client, t.ns, t.name)).find((rc) => rc.metadata.name === rcNameFor(t.name, version));
    if (latest && !isTerminal(phaseOf(latest))) throw new CliError(`#${version} is already in progress (${phaseOf(latest)}).`);
  }
  const out = await client.postSubresource("deploymentconfigs", t.ns, t.name, "instantiate",
    { kind: "DeploymentRequest", apiVersion: "apps.openshift.io/v1", name: t.name, latest: !o.again, force: true } as unknown as ApiObject) as DeploymentConfig;
  if (o.output === "revision") { deps.io.out.write(`${out.status?.latestVersion ?? 0}\n`); return; }
  deps.io.out.write(`${objectName(t.ref, t.name)} rolled out\n`);
}

async function runHistory(o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  let rows: string[][];
  let header: string[];
  let templates: Map<number, unknown>;
  if (t.ref.kind === "DeploymentConfig") {
    await client.get("deploymentconfigs", t.ns, t.name);
    const rcs = await dcHistory(client, t.ns, t.name);
    header = ["REVISION", "STATUS", "CAUSE"];
    rows = rcs.map((rc) => [String(versionOf(rc)), phaseOf(rc), rc.metadata.annotations?.[STATUS_REASON] || "<unknown>"]);
    templates = new Map(rcs.map((rc) => [versionOf(rc), rc.spec.template]));
  } else {
    const d = await client.get("deployments", t.ns, t.name);
    const rss = (await client.list("replicasets", t.ns)).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid));
    const rev = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
    rss.sort((a, b) => rev(a) - rev(b));
    header = ["REVISION", "CHANGE-CAUSE"];
    rows = rss.map((rs) => [String(rev(rs)), rs.metadata.annotations?.["kubernetes.io/change-cause"] || "<none>"]);
    templates = new Map(rss.map((rs) => [rev(rs), rs.spec.template]));
  }
  if (rows.length === 0) { deps.io.out.write("No rollout history found.\n"); return; }
  const name = objectName(t.ref, t.name);
  if (o.revision > 0) {
    const tpl = templates.get(o.revision);
    if (!tpl) throw new CliError("unable to find the specified revision");
    const { dump } = await import("js-yaml");
    deps.io.out.write(`${name} with revision #${o.revision}\n${dump(tpl, { noRefs: true })}\n`);
    return;
  }
  const table = formatTabbed([header, ...rows].map((r) => `${r.join("\t")}\n`).join(""), DESCRIBE_LAYOUT);
  deps.io.out.write(`${name} \n${table}\n`);
}

async function runUndo(o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  if (t.ref.kind === "DeploymentConfig") {
    const dc = await client.get("deploymentconfigs", t.ns, t.name);
    if (dc.spec.paused) throw new CliError(`cannot rollback a paused config; resume it first with 'rollout resume dc/${t.name}' and try again`);
    const rb = await client.postSubresource("deploymentconfigs", t.ns, t.name, "rollback", {
      kind: "DeploymentConfigRollback", apiVersion: "apps.openshift.io/v1", name: t.name,
      spec: { from: { name: "" }, revision: o.toRevision, includeTemplate: true, includeTriggers: false, includeReplicationMeta: false, includeStrategy: false },
    } as unknown as ApiObject) as DeploymentConfig;
    await client.update("deploymentconfigs", t.ns, { ...rb, metadata: { ...rb.metadata, resourceVersion: dc.metadata.resourceVersion } });
    deps.io.out.write(`${objectName(t.ref, t.name)} rolled back\n`);
    return;
  }
  const d = await client.get("deployments", t.ns, t.name);
  const rss = (await client.list("replicasets", t.ns)).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid));
  const rev = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
  rss.sort((a, b) => rev(b) - rev(a));
  const to = o.toRevision > 0 ? rss.find((rs) => rev(rs) === o.toRevision) : rss[1];
  if (!to) throw new CliError(o.toRevision > 0 ? `unable to find specified revision ${o.toRevision} in history` : "no rollout history found for deployment \"" + t.name + "\"");
  const template = deepCopy(to.spec.template!);
  delete template.metadata?.labels?.["pod-template-hash"];
  if (JSON.stringify(template) === JSON.stringify(d.spec.template)) {
    deps.io.out.write(`${objectName(t.ref, t.name)} skipped rollback (current template already matches revision ${rev(to)})\n`);
    return;
  }
  await client.update("deployments", t.ns, { ...d, spec: { ...d.spec, template } });
  deps.io.out.write(`${objectName(t.ref, t.name)} rolled back\n`);
}

async function runPause(o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const paused = o.verb === "pause";
  const obj = await client.get(t.ref, t.ns, t.name) as ApiObject & { spec?: { paused?: boolean } };
  const name = objectName(t.ref, t.name);
  if ((obj.spec?.paused ?? false) === paused) {
    // matches kubectl, which reports an object already in the asked state as an error
    throw new CliError(paused ? `${name} is already paused` : `${name} is not paused`);
  }
  await client.patch(t.ref, t.ns, t.name, "merge", { spec: { paused } });
  deps.io.out.write(`${name} ${paused ? "paused" : "resumed"}\n`);
}

async function runCancel(_o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const dc = await client.get("deploymentconfigs", t.ns, t.name);
  if (dc.spec.paused) throw new CliError(`unable to cancel paused deployment ${t.ns}/${t.name}`);
  const rcs = await dcHistory(client, t.ns, t.name);
  const running = rcs.filter((rc) => !isTerminal(phaseOf(rc)));
  if (running.length === 0) {
    const latest = rcs.at(-1);
    const when = latest?.metadata.creationTimestamp ? ` ${relativeTime(latest.metadata.creationTimestamp, deps.clock.now())} ago` : "";
    const phase = latest ? phaseOf(latest).toLowerCase() : "";
    deps.io.out.write(latest ? `No rollout is in progress (latest rollout #${versionOf(latest)} ${phase}${when})\n` : "No rollout is in progress\n");
    return;
  }
  for (const rc of running) {
    await client.patch("replicationcontrollers", t.ns, rc.metadata.name ?? "", "merge",
      { metadata: { annotations: { [DEPLOYMENT_CANCELLED]: "true", [STATUS_REASON]: "cancelled by the user" } } });
  }
  deps.io.out.write(`${objectName(t.ref, t.name)} cancelling\n`);
}

async function runRestart(_o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const at = deps.clock.now().toISOString().replace(/\.\d+Z$/, "Z");
  await client.patch(t.ref, t.ns, t.name, "strategic", { spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at } } } } });
  deps.io.out.write(`${objectName(t.ref, t.name)} restarted\n`);
}

async function runRetry(_o: RolloutOptions, t: Target, client: ApiClient, deps: Deps): Promise<void> {
  const dc = await client.get("deploymentconfigs", t.ns, t.name);
  const version = dc.status?.latestVersion ?? 0;
  const rc = (await dcHistory(client, t.ns, t.name)).find((r) => r.metadata.name === rcNameFor(t.name, version));
  if (!rc || phaseOf(rc) !== "Failed") throw new CliError(`rollout #${version} is ${rc ? phaseOf(rc).toLowerCase() : "not found"}; only failed deployments can be retried`);
  if (!decodeDc(rc)) throw new CliError(`unable to decode the deployment config of ${rc.metadata.name}`);
  await client.postSubresource("deploymentconfigs", t.ns, t.name, "instantiate",
    { kind: "DeploymentRequest", apiVersion: "apps.openshift.io/v1", name: t.name, latest: false, force: true } as unknown as ApiObject);
  deps.io.out.write(`${objectName(t.ref, t.name)} retried rollout #${version}\n`);
}

const RUN: Record<Verb, (o: RolloutOptions, t: Target, client: ApiClient, deps: Deps) => Promise<void>> = {
  latest: runLatest, status: runStatus, history: runHistory, undo: runUndo, cancel: runCancel,
  pause: runPause, resume: runPause, restart: runRestart, retry: runRetry,
};

const SUMMARIES: Record<Verb, string> = {
  latest: "Start a new rollout for a deployment config with the latest state from its triggers",
  status: "Show the status of the rollout",
  history: "View rollout history",
  undo: "Undo a previous rollout",
  cancel: "Cancel the in-progress deployment",
  pause: "Mark the provided resource as paused",
  resume: "Resume a paused resource",
  restart: "Restart a resource",
  retry: "Retry the latest failed rollout",
};

function rolloutCommand(verb: Verb): CommandSpec<RolloutFlags, RolloutOptions> {
  return defineCommand<RolloutFlags, RolloutOptions>({
    name: `rollout ${verb}`,
    summary: SUMMARIES[verb],
    group: "Build and Deploy Commands",
    args: "[args...]",
    examples: [`# ${SUMMARIES[verb]}\nskiff rollout ${verb} ${SUPPORTED[verb][0] === "DeploymentConfig" ? "dc/web" : "deployment/web"}`],
    completeArgs: { resources: SUPPORTED[verb].map((k) => k === "DeploymentConfig" ? "deploymentconfigs" : k === "Deployment" ? "deployments" : "statefulsets") },
    flags: (c: Command) => {
      if (verb === "latest") c.option("--again", "Deploy the current pod template without updating state from triggers").option("-o, --output <format>", "Output mode; 'revision' prints only the new revision");
      if (verb === "status") c.option("-w, --watch [bool]", "Watch the status of the rollout until it's done", true).option("--timeout <duration>", "The length of time to wait before ending watch, zero means never", "0s").option("--revision <n>", "Pin to a specific revision");
      if (verb === "history") c.option("--revision <n>", "See the details, including podTemplate of the revision specified");
      if (verb === "undo") c.option("--to-revision <n>", "The revision to rollback to. Default to 0 (last revision).");
      return c;
    },
    complete(args, flags) {
      if (args.length === 0) throw new UsageError("required resource not specified");
      const watch = flags.watch === undefined ? true : String(flags.watch) !== "false";
      return {
        verb, args, again: flags.again ?? false, output: flags.output, watch,
        timeout: parseDuration(flags.timeout ?? "0s", "timeout"),
        revision: int("revision", flags.revision), toRevision: int("to-revision", flags.toRevision),
      };
    },
    validate(o) {
      if (o.output !== undefined && o.output !== "revision") throw new UsageError(`output format "${o.output}" is not supported; the only valid value is "revision"`);
    },
    async run(o, deps) {
      const client = await deps.client();
      const t = await target(o, client, deps);
      await RUN[o.verb](o, t, client, deps);
    },
  });
}

/** Every `rollout …` subcommand. */
export const ROLLOUT_COMMANDS: CommandSpec<RolloutFlags, RolloutOptions>[] =
  (["cancel", "history", "latest", "pause", "restart", "resume", "retry", "status", "undo"] as const).map(rolloutCommand);
