// `skiff logs`: print (or follow) a container's log, picking the pod of an rc/NAME and defaulting the container as kubectl does.
import type { Command } from "commander";
import { ApiError } from "../api/errors.ts";
import { labelSelectorString, selectorFromSet } from "../api/selectors.ts";
import type { ApiObject, Labels, Pod } from "../api/types.ts";
import type { ApiClient, LogOptions } from "../client/api-client.ts";
import { errorFromResponse, resourcePath } from "../client/client.ts";
import { parseDuration } from "../cli/duration.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface LogsFlags {
  follow?: boolean;
  previous?: boolean;
  container?: string;
  allContainers?: boolean;
  tail: string;
  timestamps?: boolean;
  since?: string;
  limitBytes?: string;
  prefix?: boolean;
  podRunningTimeout: string;
}

export interface LogsOptions {
  /** "pods" for a bare name, else the TYPE of TYPE/NAME. */
  type: string;
  name: string;
  container?: string;
  allContainers: boolean;
  follow: boolean;
  previous: boolean;
  /** -1: everything. */
  tail: number;
  timestamps: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
  prefix: boolean;
  /** ms to wait for a pod of a controller to appear. */
  podRunningTimeout: number;
}

const USAGE = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";

/** Annotation naming the container kubectl logs/exec use when -c is not given. */
export const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

/** Every container name for messages: `app, sidecar, setup (init)`, as kubectl's AllContainerNames. */
export function allContainerNames(pod: Pod): string {
  const spec = pod.spec ?? { containers: [] };
  const eph = (spec.ephemeralContainers as { name: string }[] | undefined) ?? [];
  return [
    ...spec.containers.map((c) => c.name),
    ...eph.map((c) => `${c.name} (ephem)`),
    ...(spec.initContainers ?? []).map((c) => `${c.name} (init)`),
  ].join(", ");
}

/**
 * The container to read when -c was not given: the default-container annotation, else the
 * first container — writing kubectl's `Defaulted container "app" out of: …` to `warn` when
 * there was a choice.
 */
export function defaultContainer(pod: Pod, warn: (s: string) => void): string {
  const spec = pod.spec ?? { containers: [] };
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated) {
    const all = [...spec.containers, ...(spec.initContainers ?? [])];
    if (all.some((c) => c.name === annotated)) return annotated;
    warn(`Default container name "${annotated}" not found in pod ${pod.metadata.name ?? ""}\n`);
  }
  const first = spec.containers[0]?.name ?? "";
  const eph = (spec.ephemeralContainers as unknown[] | undefined) ?? [];
  if (spec.containers.length > 1 || (spec.initContainers ?? []).length > 0 || eph.length > 0) {
    warn(`Defaulted container "${first}" out of: ${allContainerNames(pod)}\n`);
  }
  return first;
}

function isReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function readyTime(p: Pod): number {
  const t = (p.status?.conditions ?? []).find((c) => c.type === "Ready")?.lastTransitionTime;
  return t ? Date.parse(t) : 0;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}

/** t1 after t2, with a missing time (0) sorting last, as kubectl's afterOrZero. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/**
 * kubectl's ByLogging order: assigned before unassigned, Running < Unknown < Pending,
 * ready before not ready, longer ready first, more restarts first, older first.
 */
export function compareForLogging(a: Pod, b: Pod): number {
  const less = (x: Pod, y: Pod): boolean => {
    const xn = x.spec?.nodeName ?? "";
    const yn = y.spec?.nodeName ?? "";
    if (xn !== yn && (xn === "" || yn === "")) return xn !== "";
    const rank: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };
    const xr = rank[x.status?.phase ?? ""] ?? 0;
    const yr = rank[y.status?.phase ?? ""] ?? 0;
    if (xr !== yr) return xr < yr;
    if (isReady(x) !== isReady(y)) return isReady(x);
    if (isReady(x) && isReady(y) && readyTime(x) !== readyTime(y)) return afterOrZero(readyTime(y), readyTime(x));
    if (maxRestarts(x) !== maxRestarts(y)) return maxRestarts(x) > maxRestarts(y);
    const xc = Date.parse(x.metadata.creationTimestamp ?? "") || 0;
    const yc = Date.parse(y.metadata.creationTimestamp ?? "") || 0;
    if (xc !== yc) return afterOrZero(yc, xc);
    return false;
  };
  return less(a, b) ? -1 : less(b, a) ? 1 : 0;
}

/** The pod selector of a controller-like object (RC map, or a LabelSelector's matchLabels). */
function selectorOf(obj: ApiObject): Labels {
  const sel = (obj.spec as { selector?: Labels & { matchLabels?: Labels } } | undefined)?.selector;
  if (!sel) return {};
  if (typeof sel.matchLabels === "object") return sel.matchLabels;
  return sel;
}

/**
 * The first pod (by kubectl's ByLogging order) matching `selector`, waiting through a watch up
 * to `timeout` ms for one to appear. Returns it with the number of pods seen.
 */
export async function firstPod(client: ApiClient, ns: string, selector: Labels, timeout: number, deps: Deps): Promise<{ pod: Pod; count: number }> {
  const labelSelector = labelSelectorString(selectorFromSet(selector));
  const list = await client.list("pods", ns, { labelSelector });
  if (list.items.length > 0) {
    const sorted = [...list.items].sort(compareForLogging);
    return { pod: sorted[0], count: sorted.length };
  }
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = deps.clock.sleep(timeout, ac.signal).then(() => "timeout" as const, () => "aborted" as const);
  try {
    const events = client.watch("pods", ns, { labelSelector, resourceVersion: list.metadata.resourceVersion, signal: ac.signal });
    const found = (async () => {
      for await (const ev of events) if (ev.type === "ADDED") return ev.object;
      return undefined;
    })();
    const r = await Promise.race([found, timer]);
    if (r && typeof r === "object") return { pod: r, count: 1 };
    throw new CliError("timed out waiting for the condition");
  } finally {
    deps.signal?.removeEventListener("abort", onAbort);
    ac.abort();
  }
}

export default defineCommand<LogsFlags, LogsOptions>({
  name: "logs",
  summary: "Print the logs for a container in a pod",
  group: "Troubleshooting and Debugging Commands",
  args: "[args...]",
  completeArgs: { resource: "pods", max: 1 },
  examples: [
    "# Return snapshot logs from pod nginx with only one container\nskiff logs nginx",
    "# Return snapshot logs from pod nginx, choosing the container\nskiff logs nginx -c sidecar",
    "# Return snapshot logs from all containers in pod nginx\nskiff logs nginx --all-containers=true",
    "# Return snapshot of previous terminated ruby container logs from pod web-1\nskiff logs -p -c ruby web-1",
    "# Begin streaming the logs of the ruby container in pod web-1\nskiff logs -f -c ruby web-1",
    "# Display only the most recent 20 lines of output in pod nginx\nskiff logs --tail=20 nginx",
    "# Show all logs from pod nginx written in the last hour\nskiff logs --since=1h nginx",
    "# Return snapshot logs from the first pod of replication controller web\nskiff logs rc/web",
  ],
  flags: (c: Command) => c
    .option("-f, --follow", "Specify if the logs should be streamed.")
    .option("-p, --previous", "If true, print the logs for the previous instance of the container in a pod if it exists.")
    .option("-c, --container <name>", "Print the logs of this container")
    .option("--all-containers", "Get all containers' logs in the pod(s).")
    .option("--tail <lines>", "Lines of recent log file to display. Defaults to -1, showing all log lines.", "-1")
    .option("--timestamps", "Include timestamps on each line in the log output")
    .option("--since <duration>", "Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs.")
    .option("--limit-bytes <bytes>", "Maximum bytes of logs to return. Defaults to no limit.")
    .option("--prefix", "Prefix each log line with the log source (pod name and container name)")
    .option("--pod-running-timeout <duration>", "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running", "20s"),
  complete(args, flags) {
    if (args.length === 0 || args.length > 2) throw new UsageError(USAGE);
    let type = "pods";
    let name = args[0];
    let container = flags.container;
    if (name.includes("/")) {
      const [t, n, ...more] = name.split("/");
      if (!t || !n || more.length > 0) throw new UsageError(USAGE);
      type = t;
      name = n;
    }
    if (args.length === 2) {
      if (container) throw new UsageError("only one of -c or an inline [CONTAINER] arg is allowed");
      container = args[1];
    }
    const num = (v: string, flag: string): number => {
      if (!/^[+-]?\d+$/.test(v.trim())) throw new CliError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
      return Number(v);
    };
    const since = flags.since !== undefined ? parseDuration(flags.since, "since") : undefined;
    return {
      type,
      name,
      container: container || undefined,
      allContainers: flags.allContainers ?? false,
      follow: flags.follow ?? false,
      previous: flags.previous ?? false,
      tail: num(flags.tail, "tail"),
      timestamps: flags.timestamps ?? false,
      sinceSeconds: since === undefined ? undefined : Math.round(since / 1000),
      limitBytes: flags.limitBytes !== undefined ? num(flags.limitBytes, "limit-bytes") : undefined,
      prefix: flags.prefix ?? false,
      podRunningTimeout: parseDuration(flags.podRunningTimeout, "pod-running-timeout"),
    };
  },
  validate(o) {
    if (o.allContainers && o.container) throw new CliError(`--all-containers=true should not be specified with container name ${o.container}`);
    if (o.limitBytes !== undefined && o.limitBytes < 1) throw new CliError("--limit-bytes must be greater than 0");
    if (o.sinceSeconds !== undefined && o.sinceSeconds < 0) throw new CliError("--since must be greater than 0");
    if (o.podRunningTimeout <= 0) throw new CliError("--pod-running-timeout must be higher than zero");
  },
  async run(o, deps) {
    const client = await deps.client();
    const ns = client.namespace;
    const ref = await client.resolve(o.type);
    // A build's log is its build pod's; a BuildConfig's is its latest build's (as oc logs does).
    if (ref.group === "build.openshift.io" && (ref.resource === "builds" || ref.resource === "buildconfigs")) {
      const { latestBuildName, writeBuildLog } = await import("./build-logs.ts");
      const build = ref.resource === "builds" ? o.name : await latestBuildName(client, ns, o.name);
      await writeBuildLog(client, ns, build, { follow: o.follow, signal: deps.signal }, (s) => deps.io.out.write(s), deps);
      return;
    }
    // matches oc, which reads a DeploymentConfig's log through its log subresource (the latest
    // deployer's), not from a pod its selector picks: after a failed rollout there is none.
    if (ref.group === "apps.openshift.io" && ref.resource === "deploymentconfigs") {
      await writeDeploymentLog(client, ns, o, deps);
      return;
    }
    let pod: Pod;
    if (ref.resource === "pods" && ref.group === "") {
      pod = await client.get("pods", ns, o.name);
    } else {
      const owner = await client.get(ref, ns, o.name);
      const selector = selectorOf(owner);
      if (Object.keys(selector).length === 0) throw new CliError(`cannot get the logs from ${ref.kind}`);
      const first = await firstPod(client, ns, selector, o.podRunningTimeout, deps);
      if (first.count > 1) deps.io.err.write(`Found ${first.count} pods, using pod/${first.pod.metadata.name ?? ""}\n`);
      pod = first.pod;
    }
    const containers = o.allContainers
      ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name)
      : [o.container ?? defaultContainer(pod, (s) => deps.io.err.write(s))];
    const base: LogOptions = {
      follow: o.follow, previous: o.previous, timestamps: o.timestamps,
      tailLines: o.tail >= 0 ? o.tail : undefined, sinceSeconds: o.sinceSeconds, limitBytes: o.limitBytes,
      signal: deps.signal,
    };
    const podName = pod.metadata.name ?? "";
    const streams = containers.map((container) => ({
      container,
      open: () => client.logs(ns, podName, { ...base, container }),
      prefix: o.prefix ? `[pod/${podName}/${container}] ` : "",
    }));
    if (!o.follow) {
      for (const s of streams) writeText(await s.open() as string, s.prefix, deps);
      return;
    }
    // matches kubectl, which follows every container's stream at once
    await Promise.all(streams.map(async (s) => {
      const res = await s.open();
      if (typeof res === "string") { writeText(res, s.prefix, deps); return; }
      try {
        for await (const chunk of res) writeText(chunk, s.prefix, deps);
      } catch (e) {
        if (deps.signal?.aborted && !(e instanceof ApiError)) return;
        throw e;
      }
    }));
  },
});

/** Writes `deploymentconfigs/NAME/log` (DeploymentLogOptions take the pod log's options). */
async function writeDeploymentLog(client: ApiClient, ns: string, o: LogsOptions, deps: Deps): Promise<void> {
  const ref = await client.resolve("deploymentconfigs");
  const query: Record<string, string> = {};
  if (o.container) query.container = o.container;
  if (o.follow) query.follow = "true";
  if (o.previous) query.previous = "true";
  if (o.tail >= 0) query.tailLines = String(o.tail);
  if (o.timestamps) query.timestamps = "true";
  if (o.sinceSeconds !== undefined) query.sinceSeconds = String(o.sinceSeconds);
  if (o.limitBytes !== undefined) query.limitBytes = String(o.limitBytes);
  const res = await client.raw({ method: "GET", path: resourcePath(ref, ns, o.name, "log"), query, headers: { accept: "application/json, */*" }, signal: deps.signal });
  if (res.status < 200 || res.status >= 300) throw errorFromResponse(res, "GET", { ref, name: o.name });
  if (!res.stream) { writeText(res.body ?? "", "", deps); return; }
  try {
    for await (const chunk of res.stream) writeText(chunk, "", deps);
  } catch (e) {
    if (!deps.signal?.aborted) throw e;
  }
}

function writeText(text: string, prefix: string, deps: Deps): void {
  if (!text) return;
  if (!prefix) { deps.io.out.write(text); return; }
  deps.io.out.write(text.split(/(?<=\n)/).map((l) => `${prefix}${l}`).join(""));
}
