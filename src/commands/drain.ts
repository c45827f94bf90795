// `skiff drain`: cordon a node, then evict (or delete) its pods with kubectl's filters and wording, waiting until they are gone.
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { parseDuration } from "../cli/duration.ts";
import { addDryRunFlag, parseDryRun, type DryRun } from "../cli/flags.ts";
import type { Deps } from "../deps.ts";
import { CliError, ExitCodeError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { nodesFor, setUnschedulable } from "./cordon.ts";

interface DrainFlags {
  selector?: string;
  podSelector?: string;
  force?: boolean;
  ignoreDaemonsets?: boolean;
  deleteEmptydirData?: boolean;
  gracePeriod: string;
  timeout: string;
  disableEviction?: boolean;
  dryRun?: string;
}

export interface DrainOptions {
  nodes: string[];
  selector?: string;
  podSelector?: string;
  force: boolean;
  ignoreDaemonsets: boolean;
  deleteEmptydirData: boolean;
  /** -1: each pod's own grace period. */
  gracePeriod: number;
  /** ms; 0 waits for ever. */
  timeout: number;
  disableEviction: boolean;
  dryRun: DryRun;
}

/** What drain does with one pod, as kubectl's PodDeleteStatus. */
interface PodVerdict {
  pod: Pod;
  delete: boolean;
  /** "warning" or "error" message (kubectl's constants), absent when clean. */
  warning?: string;
  error?: string;
}

const DAEMONSET_FATAL = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING = "deleting Pods with local storage";
const UNMANAGED_FATAL = "Pods declare no controller (use --force to override)";
const UNMANAGED_WARNING = "deleting Pods that declare no controller";
const MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

const isFinished = (p: Pod): boolean => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

/** Runs kubectl's pod filters (daemonset, mirror, local storage, unreplicated) in its order. Pure. */
export function judgePod(pod: Pod, o: Pick<DrainOptions, "force" | "ignoreDaemonsets" | "deleteEmptydirData">): PodVerdict {
  const controller = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
  if (controller?.kind === "DaemonSet" && !isFinished(pod)) {
    return o.ignoreDaemonsets ? { pod, delete: false, warning: DAEMONSET_WARNING } : { pod, delete: false, error: DAEMONSET_FATAL };
  }
  if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) return { pod, delete: false };
  const localStorage = (pod.spec?.volumes ?? []).some((v) => v.emptyDir !== undefined);
  let warning: string | undefined;
  if (localStorage && !isFinished(pod)) {
    if (!o.deleteEmptydirData) return { pod, delete: false, error: LOCAL_STORAGE_FATAL };
    warning = LOCAL_STORAGE_WARNING;
  }
  if (!controller && !isFinished(pod)) {
    if (!o.force) return { pod, delete: false, error: UNMANAGED_FATAL };
    warning = UNMANAGED_WARNING;
  }
  return { pod, delete: true, warning };
}

/** `msg: ns/a, ns/b` groups joined as kubectl's PodDeleteList does, first-seen order. */
function grouped(verdicts: readonly PodVerdict[], pick: (v: PodVerdict) => string | undefined): [string, string][] {
  const by = new Map<string, string[]>();
  for (const v of verdicts) {
    const msg = pick(v);
    if (!msg) continue;
    by.set(msg, [...(by.get(msg) ?? []), `${v.pod.metadata.namespace ?? ""}/${v.pod.metadata.name ?? ""}`]);
  }
  return [...by.entries()].map(([m, pods]) => [m, pods.join(", ")]);
}

/** Whether the server serves pods/eviction (kubectl's CheckEvictionSupport reads discovery the same way). */
async function evictionSupported(client: ApiClient): Promise<boolean> {
  const res = await client.raw({ method: "GET", path: "/api/v1", headers: { accept: "application/json" } });
  if (res.status !== 200 || !res.body) return false;
  try {
    const list = JSON.parse(res.body) as { resources?: { name?: string }[] };
    return (list.resources ?? []).some((r) => r.name === "pods/eviction");
  } catch {
    return false;
  }
}

/** Go's time.Duration String for whole milliseconds: `1m0s`, `30s`, `1h0m0s`, `500ms`. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h > 0 ? `${h}h` : ""}${h > 0 || m > 0 ? `${m}m` : ""}${s}s`;
}

export default defineCommand<DrainFlags, DrainOptions>({
  name: "drain",
  summary: "Drain node in preparation for maintenance",
  group: "Advanced Commands",
  args: "[args...]",
  completeArgs: { resource: "nodes" },
  examples: [
    "# Drain node \"minion-1\", even if there are pods not managed by a replication controller on it\nskiff drain minion-1 --force",
    "# As above, but abort if there are pods not managed by a replication controller, and use a grace period of 15 minutes\nskiff drain minion-1 --grace-period=900",
  ],
  flags: (c: Command) => addDryRunFlag(c)
    .option("--force", "Continue even if there are pods that do not declare a controller.")
    .option("--ignore-daemonsets", "Ignore DaemonSet-managed pods.")
    .option("--delete-emptydir-data", "Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained).")
    .option("--grace-period <seconds>", "Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.", "-1")
    .option("--timeout <duration>", "The length of time to wait before giving up, zero means infinite", "0s")
    .option("-l, --selector <selector>", "Selector (label query) to filter on")
    .option("--pod-selector <selector>", "Label selector to filter pods on the node")
    .option("--disable-eviction", "Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution."),
  complete(args, flags, deps) {
    if (args.length === 0 && flags.selector === undefined) throw new UsageError("USAGE: drain NODE [flags]");
    if (!/^[+-]?\d+$/.test(flags.gracePeriod.trim())) {
      throw new CliError(`invalid argument "${flags.gracePeriod}" for "--grace-period" flag: strconv.ParseInt: parsing "${flags.gracePeriod}": invalid syntax`);
    }
    return {
      nodes: args,
      selector: flags.selector,
      podSelector: flags.podSelector,
      force: flags.force ?? false,
      ignoreDaemonsets: flags.ignoreDaemonsets ?? false,
      deleteEmptydirData: flags.deleteEmptydirData ?? false,
      gracePeriod: Number(flags.gracePeriod),
      timeout: parseDuration(flags.timeout, "timeout"),
      disableEviction: flags.disableEviction ?? false,
      dryRun: parseDryRun(flags.dryRun, deps),
    };
  },
  async run(o, deps) {
    const client = await deps.client();
    const nodes = await nodesFor(client, o.nodes, o.selector);
    await setUnschedulable(client, nodes, true, o.dryRun, deps);
    for (let i = 0; i < nodes.length; i++) {
      const name = nodes[i].metadata.name ?? "";
      try {
        await drainNode(client, nodes[i], o, deps);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        deps.io.err.write(`error: unable to drain node ${JSON.stringify(name)} due to error: ${msg}, continuing command...\n`);
        deps.io.err.write(`There are pending nodes to be drained:\n${nodes.slice(i).map((n) => ` ${n.metadata.name ?? ""}\n`).join("")}`);
        if (e instanceof CliError) throw new ExitCodeError(1, `error: ${msg}`);
        throw e;
      }
      deps.io.out.write(`node/${name} drained${o.dryRun === "client" ? " (dry run)" : o.dryRun === "server" ? " (server dry run)" : ""}\n`);
    }
  },
});

/** Evicts or deletes the deletable pods of one node and waits until they are gone. */
async function drainNode(client: ApiClient, node: Node, o: DrainOptions, deps: Deps): Promise<void> {
  const nodeName = node.metadata.name ?? "";
  const pods = (await client.list("pods", undefined, { fieldSelector: `spec.nodeName=${nodeName}`, labelSelector: o.podSelector })).items;
  const verdicts = pods.map((p) => judgePod(p, o));
  const errors = grouped(verdicts, (v) => v.error).map(([m, p]) => `cannot delete ${m}: ${p}`);
  if (errors.length === 1) throw new CliError(errors[0]);
  if (errors.length > 1) throw new CliError(`[${errors.join(", ")}]`);
  const warnings = grouped(verdicts, (v) => v.warning).map(([m, p]) => `${m}: ${p}`);
  if (warnings.length > 0) deps.io.err.write(`Warning: ${warnings.join("; ")}\n`);
  const doomed = verdicts.filter((v) => v.delete).map((v) => v.pod);
  if (o.dryRun === "client") {
    for (const p of doomed) deps.io.out.write(`evicting pod ${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""} (dry run)\n`);
    return;
  }
  const evict = !o.disableEviction && await evictionSupported(client);
  const grace = o.gracePeriod >= 0 ? o.gracePeriod : undefined;
  const serverDry = o.dryRun === "server";
  for (const p of doomed) {
    const ns = p.metadata.namespace ?? "";
    const name = p.metadata.name ?? "";
    try {
      if (evict) {
        deps.io.out.write(`evicting pod ${ns}/${name}${serverDry ? " (server dry run)" : ""}\n`);
        await client.postSubresource("pods", ns, name, "eviction", {
          apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: ns },
          ...(grace !== undefined || serverDry ? { deleteOptions: {
            ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}), ...(serverDry ? { dryRun: ["All"] } : {}) } } : {}),
        });
      } else {
        await client.delete("pods", ns, name, { gracePeriodSeconds: grace, dryRun: serverDry });
      }
    } catch (e) {
      if (isApiError(e, "NotFound")) continue;
      throw new CliError(`error when ${evict ? "evicting" : "deleting"} pods/${JSON.stringify(name)} -n ${JSON.stringify(ns)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (serverDry) return;
  await waitForDelete(client, doomed, evict ? "evicted" : "deleted", o.timeout, deps);
}

/**
 * Polls every second (first check at once) until each pod is gone or replaced (another uid),
 * printing `pod/NAME evicted|deleted` as each goes. Counts the time slept, so a frozen clock
 * still times out: `drain did not complete within 1m0s`.
 */
async function waitForDelete(client: ApiClient, pods: readonly Pod[], verb: string, timeout: number, deps: Deps): Promise<void> {
  let pending = [...pods];
  for (let waited = 0; ; waited += 1000) {
    const still: Pod[] = [];
    for (const p of pending) {
      let live: Pod | undefined;
      try {
        live = await client.get("pods", p.metadata.namespace, p.metadata.name ?? "");
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
      if (!live || live.metadata.uid !== p.metadata.uid) deps.io.out.write(`pod/${p.metadata.name ?? ""} ${verb}\n`);
      else still.push(p);
    }
    pending = still;
    if (pending.length === 0) return;
    if (timeout > 0 && waited >= timeout) throw new CliError(`drain did not complete within ${goDuration(timeout)}`);
    await deps.clock.sleep(timeout > 0 ? Math.min(1000, timeout - waited) : 1000, deps.signal);
  }
}
