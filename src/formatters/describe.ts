// `describe`: kubectl's describers for Pod, Service, ReplicationController, Node and Namespace,
// plus its generic describer for every other kind, laid out by the same tab writer.
import type {
  ApiObject, Condition, Container, ContainerState, ContainerStatus, Endpoints, Event, Namespace, Node, Pod,
  PodTemplateSpec, ReplicationController, Service, Taint, Toleration,
} from "../api/types.ts";
import { ageOf } from "../api/duration.ts";
import type { Template } from "../template/types.ts";
import { describeBuild, describeBuildConfig, describeDeploymentConfig, describeTemplate } from "./describe-openshift.ts";
import type { Build, BuildConfig, DeploymentConfig } from "../api/openshift-types.ts";
import { goSprint } from "./go-format.ts";
import { formatLabels } from "./table.ts";
import { DESCRIBE_LAYOUT, formatTabbed } from "./tabwriter.ts";

/** What a describer needs besides the object; the command fetches these. */
export interface DescribeExtras {
  /** Events whose involvedObject is the object (any order). */
  events: readonly Event[];
  /** RC: pods matching its selector; Node: non-terminated pods bound to it. */
  pods?: readonly Pod[];
  /** Service: its Endpoints object, when there is one. */
  endpoints?: Endpoints;
  /** BuildConfig: its builds (any order). */
  builds?: readonly ApiObject[];
  /** BuildConfig: the API server's URL, for the webhook URLs. */
  server?: string;
  /** DeploymentConfig: the replication controllers of its versions. */
  deployments?: readonly ReplicationController[];
  now: Date;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const MAX_ANNOTATION_LEN = 140;
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Go's time.RFC1123Z in UTC (`Wed, 01 May 2024 12:00:07 +0000`); Go's zero time when unset. */
export function formatRfc1123z(ts: string | null | undefined): string {
  const t = ts ? new Date(ts) : undefined;
  if (!t || Number.isNaN(t.getTime())) return "Mon, 01 Jan 0001 00:00:00 +0000";
  return `${DAYS[t.getUTCDay()]}, ${pad2(t.getUTCDate())} ${MONTHS[t.getUTCMonth()]} ${t.getUTCFullYear()} ` +
    `${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}:${pad2(t.getUTCSeconds())} +0000`;
}

/** kubectl's PrefixWriter: each level indents two spaces; text may contain tabs (columns). */
class Out {
  private readonly parts: string[] = [];
  write(level: number, text: string): void {
    this.parts.push("  ".repeat(level) + text);
  }
  text(): string {
    return formatTabbed(this.parts.join(""), DESCRIBE_LAYOUT);
  }
}

const printBool = (b: boolean | undefined): string => (b ? "True" : "False");
const orNone = (s: string | undefined): string => (s ? s : "<none>");

function printLabelsMultiline(w: Out, title: string, labels: Record<string, string> | undefined,
  initialIndent = "", innerIndent = "\t"): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${initialIndent}${innerIndent}`);
    w.write(0, `${k}=${labels![k]}\n`);
  });
}

function printAnnotationsMultiline(w: Out, title: string, annotations: Record<string, string> | undefined,
  initialIndent = "", innerIndent = "\t"): void {
  w.write(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(annotations ?? {}).filter((k) => k !== LAST_APPLIED).sort();
  if (keys.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  const indent = `${initialIndent}${innerIndent}`;
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, indent);
    const value = annotations![k].replace(/\n$/, "");
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes("\n")) {
      w.write(0, `${k}:\n`);
      for (const s of value.split("\n")) {
        const short = s.length > MAX_ANNOTATION_LEN - 2 ? `${s.slice(0, MAX_ANNOTATION_LEN - 2)}...` : s;
        w.write(0, `${indent}  ${short}\n`);
      }
    } else {
      w.write(0, `${k}: ${value}\n`);
    }
  });
}

function printTolerations(w: Out, title: string, tolerations: readonly Toleration[] | undefined, initialIndent = ""): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const list = [...(tolerations ?? [])].sort((a, b) => ((a.key ?? "") < (b.key ?? "") ? -1 : (a.key ?? "") > (b.key ?? "") ? 1 : 0));
  if (list.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  list.forEach((t, i) => {
    let line = i !== 0 ? `${initialIndent}\t` : "";
    line += t.key ?? "";
    if (t.value) line += `=${t.value}`;
    if (t.effect) line += `:${t.effect}`;
    if (t.operator === "Exists" && !t.value) line += t.key || t.effect ? " op=Exists" : "op=Exists";
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) line += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${line}\n`);
  });
}

function taintString(t: Taint): string {
  return t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`;
}

function printTaints(w: Out, title: string, taints: readonly Taint[] | undefined): void {
  w.write(0, `${title}:\t`);
  const key = (t: Taint): string => `${t.effect},${t.key}`;
  const list = [...(taints ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (list.length === 0) {
    w.write(0, "<none>\n");
    return;
  }
  list.forEach((t, i) => w.write(0, `${i !== 0 ? "\t" : ""}${taintString(t)}\n`));
}

function controllerOf(obj: ApiObject): string {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : "";
}

function eventTime(e: Event): string | null | undefined {
  return e.lastTimestamp ?? undefined;
}

/** The Events section (kubectl's DescribeEvents); `Events:  <none>` when there are none. */
function describeEvents(w: Out, events: readonly Event[], now: Date): void {
  if (events.length === 0) {
    w.write(0, "Events:\t<none>\n");
    return;
  }
  const sorted = [...events].sort((a, b) => {
    const ta = Date.parse(eventTime(a) ?? "") || 0;
    const tb = Date.parse(eventTime(b) ?? "") || 0;
    return ta - tb;
  });
  w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
  w.write(1, "----\t------\t----\t----\t-------\n");
  for (const e of sorted) {
    const first = e.eventTime ? ageOf(e.eventTime, now) : ageOf(e.firstTimestamp, now);
    let interval: string;
    if (e.series) {
      interval = `${ageOf(e.series.lastObservedTime, now)} (x${e.series.count ?? 0} over ${first})`;
    } else if ((e.count ?? 0) > 1) {
      interval = `${ageOf(e.lastTimestamp, now)} (x${e.count} over ${first})`;
    } else {
      interval = first;
    }
    const source = e.source?.component || (e.reportingComponent ?? "");
    w.write(1, `${e.type ?? ""}\t${e.reason ?? ""}\t${interval}\t${source}\t${(e.message ?? "").trim()}\n`);
  }
}

// ---- quantities (enough of resource.Quantity for describe's sums and percentages) ----

interface Quantity { nanos: bigint; binary: boolean }

const DEC_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

function parseQ(s: string | undefined): Quantity {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(s ?? "");
  if (!s || !m) return { nanos: 0n, binary: false };
  const frac = m[3] ?? "";
  let nanos = BigInt((m[2] || "0") + frac.padEnd(9, "0").slice(0, 9));
  if (m[1] === "-") nanos = -nanos;
  if (m[5] && m[5] in BIN_SUFFIX) return { nanos: nanos * (1n << BigInt(BIN_SUFFIX[m[5]])), binary: true };
  const exp = m[4] ? Number(m[4].slice(1)) : DEC_SUFFIX[m[5] ?? ""];
  nanos = exp >= 0 ? nanos * 10n ** BigInt(exp) : nanos / 10n ** BigInt(-exp);
  return { nanos, binary: false };
}

const GIGA = 1_000_000_000n;

/** resource.Quantity's canonical String(). */
function formatQ(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  const neg = q.nanos < 0n;
  const n = neg ? -q.nanos : q.nanos;
  const sign = neg ? "-" : "";
  if (q.binary && n % GIGA === 0n && n / GIGA >= 1024n) {
    const v = n / GIGA;
    for (const [suffix, shift] of Object.entries(BIN_SUFFIX).reverse()) {
      const unit = 1n << BigInt(shift);
      if (v % unit === 0n) return `${sign}${v / unit}${suffix}`;
    }
    return `${sign}${v}`;
  }
  for (const [suffix, exp] of Object.entries(DEC_SUFFIX).sort((a, b) => b[1] - a[1])) {
    const unit = 10n ** BigInt(exp + 9);
    if (n % unit === 0n) return `${sign}${n / unit}${suffix}`;
  }
  return `${sign}${n}n`;
}

const addQ = (a: Quantity, b: Quantity): Quantity => ({ nanos: a.nanos + b.nanos, binary: a.nanos === 0n ? b.binary : a.binary });
const milliValue = (q: Quantity): bigint => (q.nanos + 999_999n) / 1_000_000n;
const value = (q: Quantity): bigint => (q.nanos + GIGA - 1n) / GIGA;
const pct = (part: bigint, whole: bigint): number => (whole === 0n ? 0 : Math.trunc((Number(part) / Number(whole)) * 100));

function podRequestsAndLimits(pod: Pod): { req: Record<string, Quantity>; lim: Record<string, Quantity> } {
  const req: Record<string, Quantity> = {};
  const lim: Record<string, Quantity> = {};
  for (const c of pod.spec.containers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) req[k] = addQ(req[k] ?? { nanos: 0n, binary: false }, parseQ(v));
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) lim[k] = addQ(lim[k] ?? { nanos: 0n, binary: false }, parseQ(v));
  }
  for (const c of pod.spec.initContainers ?? []) {
    for (const [target, list] of [[req, c.resources?.requests], [lim, c.resources?.limits]] as const) {
      for (const [k, v] of Object.entries(list ?? {})) {
        const q = parseQ(v);
        if (!target[k] || q.nanos > target[k].nanos) target[k] = q;
      }
    }
  }
  return { req, lim };
}

// ---- pods ----

function containerPorts(c: Container, host: boolean): string {
  return (c.ports ?? []).map((p) => `${host ? p.hostPort ?? 0 : p.containerPort}/${p.protocol ?? ""}`).join(", ");
}

function describeState(w: Out, name: string, state: ContainerState | undefined): void {
  if (state?.running) {
    w.write(2, `${name}:\tRunning\n`);
    w.write(3, `Started:\t${formatRfc1123z(state.running.startedAt)}\n`);
  } else if (state?.waiting) {
    w.write(2, `${name}:\tWaiting\n`);
    if (state.waiting.reason) w.write(3, `Reason:\t${state.waiting.reason}\n`);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.write(2, `${name}:\tTerminated\n`);
    if (t.reason) w.write(3, `Reason:\t${t.reason}\n`);
    if (t.message) w.write(3, `Message:\t${t.message}\n`);
    w.write(3, `Exit Code:\t${t.exitCode}\n`);
    if ((t.signal ?? 0) > 0) w.write(3, `Signal:\t${t.signal}\n`);
    w.write(3, `Started:\t${formatRfc1123z(t.startedAt)}\n`);
    w.write(3, `Finished:\t${formatRfc1123z(t.finishedAt)}\n`);
  } else {
    w.write(2, `${name}:\tWaiting\n`);
  }
}

function describeProbe(p: Record<string, unknown>): string {
  const n = (k: string): number => (typeof p[k] === "number" ? (p[k] as number) : 0);
  const attrs = `delay=${n("initialDelaySeconds")}s timeout=${n("timeoutSeconds")}s period=${n("periodSeconds")}s ` +
    `#success=${n("successThreshold")} #failure=${n("failureThreshold")}`;
  const exec = p.exec as { command?: string[] } | undefined;
  const http = p.httpGet as { scheme?: string; host?: string; port?: number | string; path?: string } | undefined;
  const tcp = p.tcpSocket as { host?: string; port?: number | string } | undefined;
  const grpc = p.grpc as { port?: number; service?: string } | undefined;
  if (exec) return `exec [${(exec.command ?? []).join(" ")}] ${attrs}`;
  if (http) {
    const port = http.port === undefined ? "" : String(http.port);
    const host = port ? `${http.host ?? ""}:${port}` : http.host ?? "";
    return `http-get ${(http.scheme ?? "").toLowerCase()}://${host}${http.path ?? ""} ${attrs}`;
  }
  if (tcp) return `tcp-socket ${tcp.host ?? ""}:${tcp.port ?? ""} ${attrs}`;
  if (grpc) return `grpc <pod>:${grpc.port ?? 0} ${grpc.service ?? ""} ${attrs}`;
  return `unknown ${attrs}`;
}

function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const m of path.matchAll(/([^.[\]]+)|\['([^']*)'\]/g)) {
    const key = m[2] ?? m[1];
    cur = cur && typeof cur === "object" ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur === undefined || cur === null ? "" : goSprint(cur);
}

function describeContainers(w: Out, label: string, containers: readonly Container[],
  statuses: readonly ContainerStatus[] | undefined, pod: Pod | undefined, space: string): void {
  const byName = new Map((statuses ?? []).map((s) => [s.name, s]));
  w.write(0, `${space}${label}:${containers.length === 0 ? " <none>" : ""}\n`);
  for (const c of containers) {
    const status = byName.get(c.name);
    w.write(1, `${space ? " " : ""}${c.name}:\n`);
    if (status) w.write(2, `Container ID:\t${status.containerID ?? ""}\n`);
    w.write(2, `Image:\t${c.image ?? ""}\n`);
    if (status) w.write(2, `Image ID:\t${status.imageID ?? ""}\n`);
    const ports = containerPorts(c, false);
    w.write(2, ports.includes(",") ? `Ports:\t${ports}\n` : `Port:\t${orNone(ports)}\n`);
    const hostPorts = containerPorts(c, true);
    w.write(2, hostPorts.includes(",") ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${orNone(hostPorts)}\n`);
    if (c.command?.length) {
      w.write(2, "Command:\n");
      for (const part of c.command) for (const s of part.split("\n")) w.write(3, `${s}\n`);
    }
    if (c.args?.length) {
      w.write(2, "Args:\n");
      for (const part of c.args) for (const s of part.split("\n")) w.write(3, `${s}\n`);
    }
    if (status) {
      describeState(w, "State", status.state);
      if (status.lastState?.terminated) describeState(w, "Last State", status.lastState);
      w.write(2, `Ready:\t${printBool(status.ready)}\n`);
      w.write(2, `Restart Count:\t${status.restartCount ?? 0}\n`);
    }
    for (const [title, list] of [["Limits", c.resources?.limits], ["Requests", c.resources?.requests]] as const) {
      const names = Object.keys(list ?? {}).sort();
      if (names.length > 0) w.write(2, `${title}:\n`);
      for (const n of names) w.write(3, `${n}:\t${formatQ(parseQ(list![n]))}\n`);
    }
    if (c.livenessProbe) w.write(2, `Liveness:\t${describeProbe(c.livenessProbe)}\n`);
    if (c.readinessProbe) w.write(2, `Readiness:\t${describeProbe(c.readinessProbe)}\n`);
    if (c.startupProbe) w.write(2, `Startup:\t${describeProbe(c.startupProbe as Record<string, unknown>)}\n`);
    const env = c.env ?? [];
    w.write(2, `Environment:${env.length === 0 ? "\t<none>" : ""}\n`);
    for (const e of env) {
      const from = e.valueFrom as Record<string, Record<string, unknown>> | undefined;
      if (!from) {
        (e.value ?? "").split("\n").forEach((s, i) => w.write(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
      } else if (from.fieldRef) {
        const path = String(from.fieldRef.fieldPath ?? "");
        w.write(3, `${e.name}:\t${pod ? fieldValue(pod, path) : ""} (${from.fieldRef.apiVersion ?? ""}:${path})\n`);
      } else if (from.resourceFieldRef) {
        w.write(3, `${e.name}:\t${from.resourceFieldRef.resource ?? ""}\n`);
      } else if (from.secretKeyRef) {
        const r = from.secretKeyRef;
        w.write(3, `${e.name}:\t<set to the key '${r.key}' in secret '${r.name}'>\tOptional: ${r.optional === true}\n`);
      } else if (from.configMapKeyRef) {
        const r = from.configMapKeyRef;
        w.write(3, `${e.name}:\t<set to the key '${r.key}' of config map '${r.name}'>\tOptional: ${r.optional === true}\n`);
      }
    }
    const mounts = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : a.mountPath > b.mountPath ? 1 : 0));
    w.write(2, `Mounts:${mounts.length === 0 ? "\t<none>" : ""}\n`);
    for (const m of mounts) {
      const flags = [m.readOnly ? "ro" : "rw"];
      if (m.subPath) flags.push(`path=${JSON.stringify(m.subPath)}`);
      w.write(3, `${m.mountPath} from ${m.name} (${flags.join(",")})\n`);
    }
  }
}

function describeVolumes(w: Out, volumes: readonly Record<string, unknown>[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space ? " " : ""}${String(v.name)}:\n`);
    const src = (k: string): Record<string, unknown> | undefined => v[k] as Record<string, unknown> | undefined;
    const s = (x: unknown): string => goSprint(x ?? "");
    if (src("hostPath")) {
      const h = src("hostPath")!;
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${s(h.path)}\n    HostPathType:\t${h.type === undefined ? "<none>" : s(h.type)}\n`);
    } else if (src("emptyDir")) {
      const e = src("emptyDir")!;
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${s(e.medium)}\n    SizeLimit:\t${e.sizeLimit ? s(e.sizeLimit) : "<unset>"}\n`);
    } else if (src("secret")) {
      const e = src("secret")!;
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${s(e.secretName)}\n    Optional:\t${e.optional === true}\n`);
    } else if (src("configMap")) {
      const e = src("configMap")!;
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${s(e.name)}\n    Optional:\t${e.optional === true}\n`);
    } else if (src("persistentVolumeClaim")) {
      const e = src("persistentVolumeClaim")!;
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${s(e.claimName)}\n    ReadOnly:\t${e.readOnly === true}\n`);
    } else if (src("projected")) {
      w.write(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
      const opt = (x: unknown): string => (x === undefined || x === null ? "<nil>" : String(x));
      for (const source of (src("projected")!.sources as Record<string, Record<string, unknown>>[] | undefined) ?? []) {
        if (source.secret) w.write(2, `SecretName:\t${s(source.secret.name)}\n    SecretOptionalName:\t${opt(source.secret.optional)}\n`);
        else if (source.downwardAPI) w.write(2, "DownwardAPI:\ttrue\n");
        else if (source.configMap) w.write(2, `ConfigMapName:\t${s(source.configMap.name)}\n    ConfigMapOptional:\t${opt(source.configMap.optional)}\n`);
        else if (source.serviceAccountToken) w.write(2, `TokenExpirationSeconds:\t${s(source.serviceAccountToken.expirationSeconds)}\n`);
      }
    } else {
      w.write(1, "<unknown>\n");
    }
  }
}

function qosClass(pod: Pod): string {
  if (pod.status?.qosClass) return pod.status.qosClass;
  const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ["cpu", "memory"]) {
      if (!lim[r]) guaranteed = false;
      else if (req[r] && parseQ(req[r]).nanos !== parseQ(lim[r]).nanos) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

function describePod(pod: Pod, x: DescribeExtras): string {
  const w = new Out();
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  w.write(0, `Name:\t${pod.metadata.name ?? ""}\n`);
  w.write(0, `Namespace:\t${pod.metadata.namespace ?? ""}\n`);
  if (spec.priority !== undefined && spec.priority !== null) w.write(0, `Priority:\t${spec.priority}\n`);
  if (spec.priorityClassName) w.write(0, `Priority Class Name:\t${String(spec.priorityClassName)}\n`);
  if (spec.runtimeClassName) w.write(0, `Runtime Class Name:\t${String(spec.runtimeClassName)}\n`);
  if (spec.serviceAccountName) w.write(0, `Service Account:\t${spec.serviceAccountName}\n`);
  w.write(0, spec.nodeName ? `Node:\t${spec.nodeName}/${status.hostIP ?? ""}\n` : "Node:\t<none>\n");
  if (status.startTime) w.write(0, `Start Time:\t${formatRfc1123z(status.startTime)}\n`);
  printLabelsMultiline(w, "Labels", pod.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp && status.phase !== "Failed" && status.phase !== "Succeeded") {
    w.write(0, `Status:\tTerminating (lasts ${ageOf(pod.metadata.deletionTimestamp, x.now)})\n`);
    w.write(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(0, `Status:\t${status.phase ?? ""}\n`);
  }
  if (status.reason) w.write(0, `Reason:\t${status.reason}\n`);
  if (status.message) w.write(0, `Message:\t${status.message}\n`);
  w.write(0, `IP:\t${status.podIP ?? ""}\n`);
  if (!status.podIPs || status.podIPs.length === 0) {
    w.write(0, "IPs:\t<none>\n");
  } else {
    w.write(0, "IPs:\n");
    for (const ip of status.podIPs) w.write(1, `IP:\t${ip.ip}\n`);
  }
  const controller = controllerOf(pod);
  if (controller) w.write(0, `Controlled By:\t${controller}\n`);
  if (status.nominatedNodeName) w.write(0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);
  if (spec.initContainers?.length) {
    describeContainers(w, "Init Containers", spec.initContainers, status.initContainerStatuses, pod, "");
  }
  describeContainers(w, "Containers", spec.containers ?? [], status.containerStatuses, pod, "");
  if (spec.readinessGates?.length) {
    w.write(0, "Readiness Gates:\n  Type\tStatus\n");
    for (const g of spec.readinessGates) {
      const c = status.conditions?.find((cond) => cond.type === g.conditionType);
      w.write(1, `${g.conditionType} \t${c ? c.status : "<none>"} \n`);
    }
  }
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\n");
    for (const c of status.conditions) w.write(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(w, spec.volumes, "");
  w.write(0, `QoS Class:\t${qosClass(pod)}\n`);
  printLabelsMultiline(w, "Node-Selectors", spec.nodeSelector);
  printTolerations(w, "Tolerations", spec.tolerations);
  describeEvents(w, x.events, x.now);
  return w.text();
}

// ---- services ----

function formatEndpoints(ep: Endpoints | undefined, portName: string | undefined): string {
  const subsets = ep?.subsets ?? [];
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs = ss.addresses ?? [];
    if (!ss.ports || ss.ports.length === 0) {
      for (const a of addrs) {
        if (list.length === max) more = true;
        if (!more) list.push(a.ip);
        count++;
      }
      continue;
    }
    for (const port of ss.ports) {
      if ((port.name ?? "") !== (portName ?? "")) continue;
      for (const a of addrs) {
        if (list.length === max) more = true;
        if (!more) list.push(a.ip.includes(":") ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
        count++;
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

function describeService(svc: Service, x: DescribeExtras): string {
  const w = new Out();
  const spec = svc.spec ?? {};
  w.write(0, `Name:\t${svc.metadata.name ?? ""}\n`);
  w.write(0, `Namespace:\t${svc.metadata.namespace ?? ""}\n`);
  printLabelsMultiline(w, "Labels", svc.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", svc.metadata.annotations);
  w.write(0, `Selector:\t${formatLabels(spec.selector)}\n`);
  w.write(0, `Type:\t${spec.type ?? ""}\n`);
  if (spec.ipFamilyPolicy) w.write(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  w.write(0, `IP Families:\t${spec.ipFamilies?.length ? spec.ipFamilies.join(",") : "<none>"}\n`);
  w.write(0, `IP:\t${spec.clusterIP ?? ""}\n`);
  w.write(0, `IPs:\t${spec.clusterIPs?.length ? spec.clusterIPs.join(",") : "<none>"}\n`);
  if (spec.externalIPs?.length) w.write(0, `External IPs:\t${spec.externalIPs.join(",")}\n`);
  if (spec.loadBalancerIP) w.write(0, `IP:\t${String(spec.loadBalancerIP)}\n`);
  if (spec.type === "ExternalName") w.write(0, `External Name:\t${spec.externalName ?? ""}\n`);
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => i.ip || i.hostname || "").join(", ")}\n`);
  for (const p of spec.ports ?? []) {
    const name = p.name || "<unset>";
    const proto = p.protocol ?? "";
    w.write(0, `Port:\t${name}\t${p.port}/${proto}\n`);
    w.write(0, `TargetPort:\t${p.targetPort ?? p.port}/${proto}\n`);
    if (p.nodePort) w.write(0, `NodePort:\t${name}\t${p.nodePort}/${proto}\n`);
    w.write(0, `Endpoints:\t${formatEndpoints(x.endpoints, p.name)}\n`);
  }
  w.write(0, `Session Affinity:\t${spec.sessionAffinity ?? ""}\n`);
  if (spec.externalTrafficPolicy) w.write(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) w.write(0, `HealthCheck NodePort:\t${String(spec.healthCheckNodePort)}\n`);
  if (spec.internalTrafficPolicy) w.write(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  describeEvents(w, x.events, x.now);
  return w.text();
}

// ---- replication controllers ----

function describePodTemplate(w: Out, template: PodTemplateSpec | undefined): void {
  w.write(0, "Pod Template:\n");
  if (!template) {
    w.write(1, "<unset>");
    return;
  }
  printLabelsMultiline(w, "Labels", template.metadata?.labels, "  ");
  if (Object.keys(template.metadata?.annotations ?? {}).length > 0) {
    printAnnotationsMultiline(w, "Annotations", template.metadata?.annotations, "  ");
  }
  const spec = template.spec ?? { containers: [] };
  if (spec.serviceAccountName) w.write(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(w, "Init Containers", spec.initContainers, undefined, undefined, "  ");
  describeContainers(w, "Containers", spec.containers ?? [], undefined, undefined, "  ");
  describeVolumes(w, spec.volumes, "  ");
  if (spec.priorityClassName) w.write(1, `Priority Class Name:\t${String(spec.priorityClassName)}\n`);
  printLabelsMultiline(w, "Node-Selectors", spec.nodeSelector, "  ");
  printTolerations(w, "Tolerations", spec.tolerations, "  ");
}

function describeReplicationController(rc: ReplicationController, x: DescribeExtras): string {
  const w = new Out();
  const counts = { Running: 0, Pending: 0, Succeeded: 0, Failed: 0 };
  for (const p of x.pods ?? []) {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref || ref.uid !== rc.metadata.uid) continue;
    const phase = p.status?.phase as keyof typeof counts | undefined;
    if (phase && phase in counts) counts[phase]++;
  }
  w.write(0, `Name:\t${rc.metadata.name ?? ""}\n`);
  w.write(0, `Namespace:\t${rc.metadata.namespace ?? ""}\n`);
  w.write(0, `Selector:\t${formatLabels(rc.spec?.selector)}\n`);
  printLabelsMultiline(w, "Labels", rc.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", rc.metadata.annotations);
  w.write(0, `Replicas:\t${rc.status?.replicas ?? 0} current / ${rc.spec?.replicas ?? 0} desired\n`);
  w.write(0, `Pods Status:\t${counts.Running} Running / ${counts.Pending} Waiting / ${counts.Succeeded} Succeeded / ${counts.Failed} Failed\n`);
  describePodTemplate(w, rc.spec?.template);
  const conditions: Condition[] = rc.status?.conditions ?? [];
  if (conditions.length > 0) {
    w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(1, "----\t------\t------\n");
    for (const c of conditions) w.write(1, `${c.type} \t${c.status}\t${c.reason ?? ""}\n`);
  }
  describeEvents(w, x.events, x.now);
  return w.text();
}

// ---- nodes ----

function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function describeNode(node: Node, x: DescribeExtras): string {
  const w = new Out();
  const status = node.status ?? {};
  const spec = node.spec ?? {};
  w.write(0, `Name:\t${node.metadata.name ?? ""}\n`);
  const roles = nodeRoles(node);
  w.write(0, `Roles:\t${roles.length ? roles.join(",") : "<none>"}\n`);
  printLabelsMultiline(w, "Labels", node.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${formatRfc1123z(node.metadata.creationTimestamp)}\n`);
  printTaints(w, "Taints", spec.taints);
  w.write(0, `Unschedulable:\t${spec.unschedulable === true}\n`);
  w.write(0, "Lease:\n");
  w.write(1, "HolderIdentity:\t<unset>\n");
  w.write(1, "AcquireTime:\t<unset>\n");
  w.write(1, "RenewTime:\t<unset>\n");
  if (status.conditions?.length) {
    w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
    for (const c of status.conditions) {
      w.write(1, `${c.type} \t${c.status} \t${formatRfc1123z(c.lastHeartbeatTime)} \t${formatRfc1123z(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}\n`);
    }
  }
  w.write(0, "Addresses:\n");
  for (const a of status.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  for (const [title, list] of [["Capacity", status.capacity], ["Allocatable", status.allocatable]] as const) {
    if (!list || Object.keys(list).length === 0) continue;
    w.write(0, `${title}:\n`);
    for (const k of Object.keys(list).sort()) w.write(0, `  ${k}:\t${formatQ(parseQ(list[k]))}\n`);
  }
  const info = status.nodeInfo ?? {};
  w.write(0, "System Info:\n");
  const infoRows: [string, string][] = [
    ["Machine ID", "machineID"], ["System UUID", "systemUUID"], ["Boot ID", "bootID"],
    ["Kernel Version", "kernelVersion"], ["OS Image", "osImage"], ["Operating System", "operatingSystem"],
    ["Architecture", "architecture"], ["Container Runtime Version", "containerRuntimeVersion"],
    ["Kubelet Version", "kubeletVersion"], ["Kube-Proxy Version", "kubeProxyVersion"],
  ];
  for (const [label, key] of infoRows) w.write(0, `  ${label}:\t${info[key] ?? ""}\n`);
  if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (spec.podCIDRs?.length) w.write(0, `PodCIDRs:\t${spec.podCIDRs.join(",")}\n`);
  if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);
  if (x.pods) describeNodeResources(w, node, x.pods, x.now);
  else w.write(0, "Pods:\tnot authorized\n");
  describeEvents(w, x.events, x.now);
  return w.text();
}

function describeNodeResources(w: Out, node: Node, pods: readonly Pod[], now: Date): void {
  const alloc = Object.keys(node.status?.allocatable ?? {}).length > 0 ? node.status!.allocatable! : node.status?.capacity ?? {};
  const allocCpu = milliValue(parseQ(alloc.cpu));
  const allocMem = value(parseQ(alloc.memory));
  const allocEph = value(parseQ(alloc["ephemeral-storage"]));
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
  w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
  const zero: Quantity = { nanos: 0n, binary: false };
  const totalReq: Record<string, Quantity> = {};
  const totalLim: Record<string, Quantity> = {};
  for (const pod of pods) {
    const { req, lim } = podRequestsAndLimits(pod);
    for (const [k, q] of Object.entries(req)) totalReq[k] = addQ(totalReq[k] ?? zero, q);
    for (const [k, q] of Object.entries(lim)) totalLim[k] = addQ(totalLim[k] ?? zero, q);
    const cr = req.cpu ?? zero;
    const cl = lim.cpu ?? zero;
    const mr = req.memory ?? zero;
    const ml = lim.memory ?? zero;
    w.write(1, `${pod.metadata.namespace ?? ""}\t${pod.metadata.name ?? ""}\t\t` +
      `${formatQ(cr)} (${pct(milliValue(cr), allocCpu)}%)\t${formatQ(cl)} (${pct(milliValue(cl), allocCpu)}%)\t` +
      `${formatQ(mr)} (${pct(value(mr), allocMem)}%)\t${formatQ(ml)} (${pct(value(ml), allocMem)}%)\t` +
      `${ageOf(pod.metadata.creationTimestamp, now)}\n`);
  }
  w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
  w.write(1, "Resource\tRequests\tLimits\n");
  w.write(1, "--------\t--------\t------\n");
  const line = (name: string, whole: bigint, measure: (q: Quantity) => bigint): void => {
    const r = totalReq[name] ?? zero;
    const l = totalLim[name] ?? zero;
    w.write(1, `${name}\t${formatQ(r)} (${pct(measure(r), whole)}%)\t${formatQ(l)} (${pct(measure(l), whole)}%)\n`);
  };
  line("cpu", allocCpu, milliValue);
  line("memory", allocMem, value);
  line("ephemeral-storage", allocEph, value);
  for (const k of Object.keys(alloc).filter((n) => n.startsWith("hugepages-")).sort()) {
    line(k, value(parseQ(alloc[k])), value);
  }
}

// ---- namespaces ----

function describeNamespace(ns: Namespace): string {
  const w = new Out();
  w.write(0, `Name:\t${ns.metadata.name ?? ""}\n`);
  printLabelsMultiline(w, "Labels", ns.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", ns.metadata.annotations);
  w.write(0, `Status:\t${ns.status?.phase ?? ""}\n`);
  if (ns.status?.conditions?.length) {
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t------------------\t------\t-------\n");
    for (const c of ns.status.conditions) {
      w.write(1, `${c.type}\t${c.status}\t${formatRfc1123z(c.lastTransitionTime)}\t${c.reason ?? ""}\t${c.message ?? ""}\n`);
    }
  }
  w.write(0, "\n");
  w.write(0, "No resource quota.\n");
  w.write(0, "\n");
  w.write(0, "No LimitRange resource.\n");
  return w.text();
}

// ---- everything else ----

const ACRONYMS = new Set(["API", "URL", "UID", "OSB", "GUID"]);

/** github.com/fatih/camelcase Split. */
function camelSplit(s: string): string[] {
  const cls = (c: string): number => (/\p{Ll}/u.test(c) ? 1 : /\p{Lu}/u.test(c) ? 2 : /\p{Nd}/u.test(c) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const c of s) {
    const k = cls(c);
    if (k === last && runs.length) runs[runs.length - 1].push(c);
    else runs.push([c]);
    last = k;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    if (cls(runs[i][0]) === 2 && cls(runs[i + 1][0]) === 1) {
      runs[i + 1].unshift(runs[i].pop()!);
    }
  }
  return runs.filter((r) => r.length > 0).map((r) => r.join(""));
}

/** kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `apiVersion` → `API Version`. */
export function smartLabelFor(field: string): string {
  if ([...field].some((c) => !/\p{L}/u.test(c) && c !== "-")) return field;
  return camelSplit(field)
    .filter((p) => p !== "_")
    .map((p) => (ACRONYMS.has(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1)))
    .join(" ");
}

const GENERIC_SKIP = new Set([".metadata.managedFields", ".metadata.name", ".metadata.namespace",
  ".metadata.labels", ".metadata.annotations"]);

function printUnstructured(w: Out, level: number, content: Record<string, unknown>, prefix: string): void {
  for (const field of Object.keys(content).sort()) {
    const v = content[field];
    const skipExpr = `${prefix}.${field}`;
    if (GENERIC_SKIP.has(skipExpr)) continue;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      printUnstructured(w, level + 1, v as Record<string, unknown>, skipExpr);
    } else if (Array.isArray(v)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of v) {
        if (child && typeof child === "object" && !Array.isArray(child)) {
          printUnstructured(w, level + 1, child as Record<string, unknown>, skipExpr);
        } else {
          w.write(level + 1, `${goSprint(child)}\n`);
        }
      }
    } else {
      w.write(level, `${smartLabelFor(field)}:\t${goSprint(v)}\n`);
    }
  }
}

function describeGeneric(obj: ApiObject, x: DescribeExtras): string {
  const w = new Out();
  w.write(0, `Name:\t${obj.metadata.name ?? ""}\n`);
  w.write(0, `Namespace:\t${obj.metadata.namespace ?? ""}\n`);
  printLabelsMultiline(w, "Labels", obj.metadata.labels);
  printAnnotationsMultiline(w, "Annotations", obj.metadata.annotations);
  printUnstructured(w, 0, obj as Record<string, unknown>, "");
  describeEvents(w, x.events, x.now);
  return w.text();
}

/**
 * kubectl describe text for one object, dispatched on `kind`: Pod, Service,
 * ReplicationController, Node and Namespace have their own layouts; anything else gets the
 * generic one. Pure; dates print in UTC.
 */
export function describeObject(obj: ApiObject, extras: DescribeExtras): string {
  switch (obj.kind) {
    case "Pod": return describePod(obj as Pod, extras);
    case "Service": return describeService(obj as Service, extras);
    case "ReplicationController": return describeReplicationController(obj as ReplicationController, extras);
    case "Node": return describeNode(obj as Node, extras);
    case "Namespace": return describeNamespace(obj as Namespace);
    case "Template": return describeTemplate(obj as unknown as Template, extras.now);
    case "BuildConfig": return describeBuildConfig(obj as unknown as BuildConfig, extras.builds ?? [], extras.server ?? "", extras.now);
    case "Build": return describeBuild(obj as unknown as Build, extras.now);
    case "DeploymentConfig": return describeDeploymentConfig(obj as unknown as DeploymentConfig, extras.deployments ?? [], extras.events, extras.now);
    default: return describeGeneric(obj, extras);
  }
}
