// `oc status` text: a project's services, deployment configs, builds, controllers and pods as
// pipelines (what exposes what, what builds what, what deploys what), plus the info markers.
import type { ApiObject } from "../api/types.ts";

/* eslint-disable @typescript-eslint/no-explicit-any -- objects of many kinds, read defensively */
type Loose = Record<string, any>;

/** Everything `status` reads from the API; kinds the server lacks are empty lists. */
export interface ProjectStatusInput {
  project: { name: string; displayName?: string };
  server: string;
  now: Date;
  /** The command name in hints (`skiff`). */
  command: string;
  suggest: boolean;
  services: ApiObject[];
  routes: ApiObject[];
  deploymentConfigs: ApiObject[];
  buildConfigs: ApiObject[];
  builds: ApiObject[];
  imageStreams: ApiObject[];
  replicationControllers: ApiObject[];
  deployments: ApiObject[];
  replicaSets: ApiObject[];
  pods: ApiObject[];
}

const INDENT = "  ";
const MAX_DEPLOYMENTS = 3;

/** docker/go-units HumanDuration, lower-cased as oc's FormatRelativeTime callers use it. */
export function relativeTime(ts: string | undefined, now: Date): string {
  const t = ts ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return "<unknown>";
  const ms = now.getTime() - t;
  const seconds = Math.trunc(ms / 1000);
  let s: string;
  if (seconds < 1) s = "Less than a second";
  else if (seconds === 1) s = "1 second";
  else if (seconds < 60) s = `${seconds} seconds`;
  else {
    const minutes = Math.trunc(ms / 60_000);
    const hours = Math.round(ms / 3_600_000);
    if (minutes === 1) s = "About a minute";
    else if (minutes < 60) s = `${minutes} minutes`;
    else if (hours === 1) s = "About an hour";
    else if (hours < 48) s = `${hours} hours`;
    else if (hours < 24 * 7 * 2) s = `${Math.trunc(hours / 24)} days`;
    else if (hours < 24 * 30 * 2) s = `${Math.trunc(hours / 24 / 7)} weeks`;
    else if (hours < 24 * 365 * 2) s = `${Math.trunc(hours / 24 / 30)} months`;
    else s = `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
  }
  return s.toLowerCase();
}

const L = (o: ApiObject): Loose => o as unknown as Loose;
const nameOf = (o: ApiObject): string => o.metadata.name ?? "";

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const keys = Object.keys(selector ?? {});
  return keys.length > 0 && keys.every((k) => labels?.[k] === selector![k]);
}

function controllerOf(o: ApiObject): { kind: string; name: string } | undefined {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

const CONTROLLER_KINDS = new Set(["ReplicationController", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "DeploymentConfig", "Deployment", "CronJob"]);

function dcNameOfRc(rc: ApiObject): string | undefined {
  const ann = rc.metadata.annotations?.["openshift.io/deployment-config.name"];
  if (ann) return ann;
  const c = controllerOf(rc);
  return c?.kind === "DeploymentConfig" ? c.name : undefined;
}

function rcVersion(rc: ApiObject): number {
  return Number(rc.metadata.annotations?.["openshift.io/deployment-config.latest-version"] ?? 0) || 0;
}

function podSummary(ready: number, actual: number, requested: number, includeEmpty: boolean): string {
  let s: string;
  if (ready === requested) {
    if (ready === 0) { if (!includeEmpty) return ""; s = "0 pods"; } else s = ready > 1 ? `${ready} pods` : "1 pod";
  } else s = `${ready}/${requested} pods`;
  const change = requested < actual ? ` reducing to ${requested}` : requested > actual ? ` growing to ${requested}` : "";
  return ` - ${s}${change}`;
}

function rcSummary(rc: ApiObject, first: boolean): string {
  const st = L(rc).status ?? {};
  return podSummary(st.readyReplicas ?? 0, st.replicas ?? 0, L(rc).spec?.replicas ?? 1, first);
}

/** An image a DC deploys: an image stream tag, or a plain image reference. */
interface ImageRef { istag?: { namespace: string; name: string }; image?: string }

class StatusWriter {
  readonly in: ProjectStatusInput;
  readonly ns: string;
  constructor(input: ProjectStatusInput) {
    this.in = input;
    this.ns = input.project.name;
  }

  istagName(ns: string, name: string): string {
    return ns === this.ns ? `istag/${name}` : `${ns}/${name}`;
  }

  imageText(ref: ImageRef): string {
    return ref.istag ? this.istagName(ref.istag.namespace, ref.istag.name) : ref.image ?? "<unknown>";
  }

  /** BuildConfigs whose output is the image stream tag. */
  buildsInto(ns: string, tag: string): ApiObject[] {
    return this.in.buildConfigs.filter((bc) => {
      const to = L(bc).spec?.output?.to;
      return to?.kind === "ImageStreamTag" && to.name === tag && (to.namespace || nameSpaceOf(bc)) === ns;
    });
  }

  strategyFrom(bc: ApiObject): Loose | undefined {
    const st = L(bc).spec?.strategy ?? {};
    return st.sourceStrategy?.from ?? st.dockerStrategy?.from ?? st.customStrategy?.from;
  }

  describeBuild(bc: ApiObject): string {
    const st = L(bc).spec?.strategy ?? {};
    const name = nameOf(bc);
    let type: string;
    if (st.dockerStrategy || st.type === "Docker") type = "docker";
    else if (st.sourceStrategy || st.type === "Source") type = "source";
    else if (st.customStrategy || st.type === "Custom") type = "custom";
    else if (st.jenkinsPipelineStrategy || st.type === "JenkinsPipeline") return `bc/${name} is a Jenkins Pipeline`;
    else return `bc/${name} unrecognized build`;
    const src = L(bc).spec?.source ?? {};
    let source: string | undefined;
    if (src.git) source = src.git.ref ? `${src.git.uri}#${src.git.ref}` : src.git.uri;
    else if (src.dockerfile) source = "Dockerfile";
    else if (src.binary) source = "uploaded code";
    else if (Array.isArray(src.images) && src.images.length > 0) source = "contents in other images";
    if (source === undefined) return `bc/${name} unconfigured ${type} build`;
    let out = `bc/${name} ${type} builds ${source}`;
    const from = this.strategyFrom(bc);
    if (from?.name) {
      const fromNs = from.namespace || nameSpaceOf(bc);
      out += ` on ${from.kind === "ImageStreamTag" ? this.istagName(fromNs, from.name) : from.name}`;
      if (from.kind === "ImageStreamTag") {
        const base = this.buildsInto(fromNs, from.name).map((b) => `bc/${nameOf(b)}`);
        if (base.length > 0) out += ` (from ${base.join(", ")})`;
      }
    }
    return out;
  }

  pushResolved(bc: ApiObject): boolean {
    const to = L(bc).spec?.output?.to;
    if (!to || to.kind !== "ImageStreamTag") return true;
    const stream = String(to.name).split(":")[0];
    const ns = to.namespace || nameSpaceOf(bc);
    const is = this.in.imageStreams.find((s) => nameOf(s) === stream && nameSpaceOf(s) === ns);
    return Boolean(L(is ?? { metadata: {} } as ApiObject).status?.dockerImageRepository);
  }

  buildsOf(bc: ApiObject): ApiObject[] {
    const name = nameOf(bc);
    return this.in.builds.filter((b) => b.metadata.labels?.["openshift.io/build-config.name"] === name
      || b.metadata.annotations?.["openshift.io/build-config.name"] === name
      || L(b).status?.config?.name === name)
      .sort((a, b) => buildTime(b) - buildTime(a));
  }

  buildPhase(b: ApiObject, at: string | undefined, parent: string, resolved: boolean): string {
    const failure = L(b).spec?.output?.to && !resolved ? " (can't push to image)" : "";
    const time = at ? relativeTime(at, this.in.now) : "<unknown>";
    let id = `build/${nameOf(b)}`;
    const suffix = nameOf(b).startsWith(`${parent}-`) ? nameOf(b).slice(parent.length + 1) : "";
    if (/^\d+$/.test(suffix)) id = `build #${Number(suffix)}`;
    const git = L(b).spec?.revision?.git;
    let revision = "";
    if (git) {
      const user = (u: Loose | undefined): string => (!u?.name ? u?.email ?? "" : !u.email ? u.name : `${u.name} <${u.email}>`);
      const author = user(git.author) || user(git.committer);
      revision = ` - ${String(git.commit ?? "").slice(0, 7)}: ${String(git.message ?? "").split("\n")[0]}${author ? ` (${author})` : ""}`;
    }
    const phase = String(L(b).status?.phase ?? "");
    if (phase === "Complete") return `${id} succeeded ${time} ago${revision}${failure}`;
    if (phase === "Error") return `${id} stopped with an error ${time} ago${revision}${failure}`;
    if (phase === "Failed") return `${id} failed ${time} ago${revision}${failure}`;
    return `${id} ${phase.toLowerCase()} for ${time}${revision}${failure}`;
  }

  /** oc's describeAdditionalBuildDetail for one BuildConfig. */
  buildDetail(bc: ApiObject, includeSuccess: boolean): string[] {
    const builds = this.buildsOf(bc);
    const ok = builds.find((b) => L(b).status?.phase === "Complete");
    const bad = builds.find((b) => ["Failed", "Error", "Cancelled"].includes(L(b).status?.phase));
    const active = builds.filter((b) => ["New", "Pending", "Running"].includes(L(b).status?.phase ?? "New"));
    const pass = ok ? buildTime(ok) : 0;
    const fail = bad ? buildTime(bad) : 0;
    const resolved = this.pushResolved(bc);
    const out: string[] = [];
    const shown: ApiObject[] = [];
    if (includeSuccess || active.length > 0) {
      if (pass < fail) shown.push(bad!, ...(ok ? [ok] : []));
      else shown.push(...(ok ? [ok] : []), ...(bad ? [bad] : []));
    } else if (pass < fail) shown.push(bad!);
    for (const b of shown) out.push(this.buildPhase(b, buildTimestamp(b), nameOf(bc), resolved));
    if (active.length > 0) {
      const activeOut = active.map((b) => this.buildPhase(b, buildTimestamp(b), nameOf(bc), resolved));
      if (buildTime(active[0]) < Math.max(pass, fail)) out.push(...activeOut); else out.unshift(...activeOut);
    }
    if (out.length === 0 && !ok) out.push("not built yet");
    return out;
  }

  dcImages(dc: ApiObject): ImageRef[] {
    const triggers: Loose[] = L(dc).spec?.triggers ?? [];
    const out: ImageRef[] = [];
    const seen = new Set<string>();
    for (const c of (L(dc).spec?.template?.spec?.containers ?? []) as Loose[]) {
      const t = triggers.find((x) => x.type === "ImageChange" && x.imageChangeParams?.from?.kind === "ImageStreamTag"
        && (x.imageChangeParams.containerNames ?? []).includes(c.name));
      const ref: ImageRef = t
        ? { istag: { namespace: t.imageChangeParams.from.namespace || nameSpaceOf(dc), name: t.imageChangeParams.from.name } }
        : { image: c.image ?? "" };
      const key = JSON.stringify(ref);
      if (!seen.has(key)) { seen.add(key); out.push(ref); }
    }
    return out;
  }

  imageInPipeline(ref: ImageRef): { text: string; bc?: ApiObject } {
    const bc = ref.istag ? this.buildsInto(ref.istag.namespace, ref.istag.name)[0] : undefined;
    const image = this.imageText(ref);
    return bc ? { text: `${image} <- ${this.describeBuild(bc)}`, bc } : { text: image };
  }

  rcsOfDc(dc: ApiObject): ApiObject[] {
    return this.in.replicationControllers.filter((rc) => dcNameOfRc(rc) === nameOf(dc)).sort((a, b) => rcVersion(b) - rcVersion(a));
  }

  rcStatus(rc: ApiObject, first: boolean): string {
    const ann = rc.metadata.annotations ?? {};
    const time = relativeTime(rc.metadata.creationTimestamp, this.in.now);
    const status = ann["openshift.io/deployment.phase"] ?? "New";
    const version = rcVersion(rc);
    const cancelling = ann["openshift.io/deployment.cancelled"] === "true" && status !== "Complete" && status !== "Failed" ? " (cancelling)" : "";
    if (status === "Failed") {
      const reason = ann["openshift.io/deployment.status-reason"];
      return `deployment #${version} failed ${time} ago${reason ? `: ${reason}` : ""}${rcSummary(rc, false)}`;
    }
    if (status === "Complete") return `deployment #${version} deployed ${time} ago${rcSummary(rc, first)}`;
    if (status === "Running") return `deployment #${version} running${cancelling} for ${time}${rcSummary(rc, false)}`;
    return `deployment #${version} ${status.toLowerCase()}${cancelling} ${time} ago${rcSummary(rc, false)}`;
  }

  dcDeployments(dc: ApiObject): { lines: string[]; active: boolean } {
    const latest = L(dc).status?.latestVersion ?? 0;
    const rcs = this.rcsOfDc(dc);
    const active = rcs.find((rc) => rcVersion(rc) === latest);
    const lines: string[] = [];
    const shown = active ? [active, ...rcs.filter((r) => r !== active)] : rcs;
    if (!active) {
      const types = new Set(((L(dc).spec?.triggers ?? []) as Loose[]).map((t) => t.type));
      const on = types.has("ConfigChange") && types.has("ImageChange") ? "on image or update"
        : types.has("ConfigChange") ? "on update" : types.has("ImageChange") ? "on image" : "for manual";
      if (latest === 0) lines.push(`deployment #1 waiting ${on}`);
      else if (on !== "for manual") lines.push(`deployment #${latest} pending ${on}`);
    }
    shown.slice(0, MAX_DEPLOYMENTS).forEach((rc, i) => lines.push(this.rcStatus(rc, i === 0)));
    return { lines, active: Boolean(active) };
  }

  /** describeDeploymentConfigInServiceGroup: the DC line, its build detail, its deployments. */
  dcLines(dc: ApiObject): string[] {
    const images = this.dcImages(dc);
    const trigger = ((L(dc).spec?.triggers ?? []) as Loose[]).length === 0 ? "(manual)" : "";
    const deployments = this.dcDeployments(dc);
    const includeSuccess = !deployments.active;
    const test = L(dc).spec?.test ? " test" : "";
    if (images.length === 1) {
      const p = this.imageInPipeline(images[0]);
      const lines = [`dc/${nameOf(dc)}${test} deploys ${p.text} ${trigger}`];
      if (lines[0].length > 120 && lines[0].includes(" <- ")) {
        const at = lines[0].indexOf(" <- ");
        lines.push(lines[0].slice(at + 4));
        lines[0] = `${lines[0].slice(0, at)} <-`;
      }
      if (p.bc) lines.push(...this.buildDetail(p.bc, includeSuccess).map((l) => `  ${l}`));
      return [...lines, ...deployments.lines];
    }
    const lines = [`dc/${nameOf(dc)}${test} deploys ${trigger}`];
    for (const ref of images) {
      const p = this.imageInPipeline(ref);
      lines.push(p.text);
      if (p.bc) lines.push(...this.buildDetail(p.bc, includeSuccess).map((l) => `  ${l}`));
      lines.push(...deployments.lines);
    }
    return lines;
  }

  rcLines(rc: ApiObject): string[] {
    const tpl = L(rc).spec?.template;
    if (!tpl) return [];
    const images = ((tpl.spec?.containers ?? []) as Loose[]).map((c) => c.image).join(", ");
    const st = L(rc).status ?? {};
    const summary = podSummary(st.readyReplicas ?? 0, st.replicas ?? 0, L(rc).spec?.replicas ?? 1, false);
    return [`rc/${nameOf(rc)} runs ${images}`, `rc/${nameOf(rc)} created ${relativeTime(rc.metadata.creationTimestamp, this.in.now)} ago${summary}`];
  }

  deploymentLines(d: ApiObject): string[] {
    const images = ((L(d).spec?.template?.spec?.containers ?? []) as Loose[]).map((c) => c.image).join(",");
    const lines = [`deployment/${nameOf(d)} deploys ${images}`];
    const revision = Number(d.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0);
    const sets = this.in.replicaSets.filter((rs) => controllerOf(rs)?.kind === "Deployment" && controllerOf(rs)?.name === nameOf(d))
      .sort((a, b) => rsRevision(b) - rsRevision(a));
    sets.slice(0, MAX_DEPLOYMENTS).forEach((rs, i) => {
      const st = L(rs).status ?? {};
      const summary = podSummary(st.readyReplicas ?? 0, st.replicas ?? 0, L(rs).spec?.replicas ?? 1, i === 0 && rsRevision(rs) !== revision);
      const time = relativeTime(rs.metadata.creationTimestamp, this.in.now);
      lines.push(rsRevision(rs) === revision ? `deployment #${rsRevision(rs)} running for ${time}${summary}` : `deployment #${rsRevision(rs)} deployed ${time} ago${summary}`);
    });
    return lines;
  }

  routeLines(route: ApiObject): string[] {
    const spec = L(route).spec ?? {};
    const host: string = spec.host ?? "";
    const ingress: Loose[] = L(route).status?.ingress ?? [];
    const reasons = new Set<string>();
    let requested = false;
    const other: string[] = [];
    for (const ing of ingress) {
      const admitted = ((ing.conditions ?? []) as Loose[]).find((c) => c.type === "Admitted");
      if (admitted?.status === "False") reasons.add(admitted.reason ?? "");
      else if (ing.host === host) requested = true;
      else other.push(ing.host);
    }
    const errors = [...reasons].sort();
    const exposed = (h: string): string => {
      const tls = spec.tls;
      let prefix: string;
      if (!tls) prefix = `http://${h}`;
      else if (tls.termination === "passthrough") prefix = `https://${h} (passthrough)`;
      else if (tls.termination === "reencrypt") prefix = `https://${h} (reencrypt)`;
      else if (tls.termination !== "edge") prefix = `https://${h}`;
      else if (tls.insecureEdgeTerminationPolicy === "Redirect") prefix = `https://${h} (redirects)`;
      else if (tls.insecureEdgeTerminationPolicy === "Allow") prefix = `https://${h} (and http)`;
      else prefix = `https://${h}`;
      const port = spec.port?.targetPort;
      const trailer = errors.length > 0 ? " (!)" : "";
      return port !== undefined && port !== "" ? `${prefix} to pod port ${String(port)}${trailer}` : `${prefix}${trailer}`;
    };
    const lines: string[] = [];
    if (requested) lines.push(exposed(host));
    for (const h of other) lines.push(exposed(h));
    if (lines.length === 0) {
      if (errors.length > 0) lines.push(`route/${nameOf(route)} not accepted: ${errors[0]}`);
      else if (!host) lines.push(`route/${nameOf(route)} has no host set`);
      else if (ingress.length === 0) lines.push(exposed(host));
      else lines.push(`exposed as ${host} by route/${nameOf(route)}`);
    }
    return lines;
  }

  serviceLines(svc: ApiObject, exposed: string[]): string[] {
    const spec = L(svc).spec ?? {};
    const name = `svc/${nameOf(svc)}`;
    const port = servicePorts(spec);
    const ip: string = spec.clusterIP ?? "";
    if (exposed.length > 1) return [`${exposed[0]} (${name})`, ...exposed.slice(1)];
    if (exposed.length === 1) return [`${exposed[0]} (${name})`];
    if (spec.type === "NodePort") return [`${name} (all nodes)${port}`];
    if (ip === "None") return [`${name} (headless)${port}`];
    if (!ip && !spec.externalName) return [`${name} <initializing>${port}`];
    if (!ip) return [`${name} - ${spec.externalName}`];
    return [`${name} - ${ip}${port}`];
  }
}

function nameSpaceOf(o: ApiObject): string {
  return o.metadata.namespace ?? "";
}

function rsRevision(rs: ApiObject): number {
  return Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) || 0;
}

function buildTimestamp(b: ApiObject): string | undefined {
  const st = L(b).status ?? {};
  return st.completionTimestamp || st.startTimestamp || b.metadata.creationTimestamp;
}

function buildTime(b: ApiObject): number {
  const t = Date.parse(buildTimestamp(b) ?? "");
  return Number.isNaN(t) ? 0 : t;
}

function targetPortText(p: Loose): string {
  return p.targetPort === undefined || p.targetPort === null || p.targetPort === "" ? "0" : String(p.targetPort);
}

function servicePorts(spec: Loose): string {
  const ports: Loose[] = spec.ports ?? [];
  const portOf = (p: Loose): string => (spec.type !== "NodePort" ? String(p.port) : p.nodePort ? String(p.nodePort) : "<initializing>");
  if (ports.length === 0) return " no ports";
  if (ports.length === 1) {
    const port = portOf(ports[0]);
    const target = targetPortText(ports[0]);
    return target === "0" || spec.clusterIP === "None" || port === target ? `:${port}` : `:${port} -> ${target}`;
  }
  const pairs = ports.map((p) => {
    const ext = portOf(p);
    const target = targetPortText(p);
    if (target === "0" || spec.clusterIP === "None") return ext;
    if (String(p.port) === target) return target;
    return `${ext}->${target}`;
  });
  return ` ports ${pairs.join(", ")}`;
}

// oc's exposedRoutes order: https:// first, then http://, then by length up to a space, then text.
function compareExposed(x: string, y: string): number {
  const rank = (s: string): number => (s.startsWith("https://") ? 0 : s.startsWith("http://") ? 1 : 2);
  const [ra, rb] = [rank(x), rank(y)];
  if (ra !== rb) return ra - rb;
  if (ra === 2) return x < y ? -1 : x > y ? 1 : 0;
  const a = x.slice(ra === 0 ? 8 : 7);
  const b = y.slice(ra === 0 ? 8 : 7);
  const la = a.includes(" ") ? a.indexOf(" ") : a.length;
  const lb = b.includes(" ") ? b.indexOf(" ") : b.length;
  if (la !== lb) return la - lb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** printLines: the first line at `depth` indents, the rest one level deeper. */
function printLines(depth: number, lines: readonly string[]): string {
  return lines.map((l, i) => `${INDENT.repeat(depth)}${i === 0 ? "" : INDENT}${l}\n`).join("");
}

interface Marker { message: string; suggestion: string; order: number }

function hasProbe(containers: Loose[] | undefined, probe: "livenessProbe" | "readinessProbe"): boolean {
  return (containers ?? []).some((c) => c[probe]);
}

// The info markers oc raises for missing probes, in oc's graph order (controllers, pods,
// deployments, then each DC's readiness and liveness).
function probeMarkers(w: StatusWriter): Marker[] {
  const set = `${w.in.command} set probe`;
  const out: Marker[] = [];
  let order = 0;
  const liveness = (name: string): void => {
    out.push({ message: `${name} has no liveness probe to verify pods are still running.`, suggestion: `${set} ${name} --liveness ...`, order: order++ });
  };
  for (const rc of w.in.replicationControllers) {
    if (controllerOf(rc) || dcNameOfRc(rc)) continue;
    if (!hasProbe(L(rc).spec?.template?.spec?.containers, "livenessProbe")) liveness(`rc/${nameOf(rc)}`);
  }
  for (const pod of w.in.pods) {
    const c = controllerOf(pod);
    if (c && CONTROLLER_KINDS.has(c.kind)) continue;
    if (!hasProbe(L(pod).spec?.containers, "livenessProbe")) liveness(`pod/${nameOf(pod)}`);
  }
  for (const d of w.in.deployments) {
    if (controllerOf(d)) continue;
    if (!hasProbe(L(d).spec?.template?.spec?.containers, "livenessProbe")) liveness(`deployment/${nameOf(d)}`);
  }
  for (const dc of w.in.deploymentConfigs) {
    const containers: Loose[] | undefined = L(dc).spec?.template?.spec?.containers;
    if (containers && containers.length > 0 && !hasProbe(containers, "readinessProbe")) {
      out.push({
        message: `dc/${nameOf(dc)} has no readiness probe to verify pods are ready to accept traffic or ensure deployment is successful.`,
        suggestion: `${set} dc/${nameOf(dc)} --readiness ...`, order: order++,
      });
    }
    if (!hasProbe(containers, "livenessProbe")) liveness(`dc/${nameOf(dc)}`);
  }
  return out;
}

/**
 * The whole `oc status` text for one project. Services come first with what they expose and
 * what fulfils them, then stand-alone deployment configs, deployments, build pipelines,
 * replication controllers and pods, then the marker summary and a hint. Pure.
 */
export function formatProjectStatus(input: ProjectStatusInput): string {
  const w = new StatusWriter(input);
  const cmd = input.command;
  const p = input.project;
  const title = p.displayName && p.displayName !== p.name ? `${p.displayName} (${p.name})` : p.name;
  let out = input.server ? `In project ${title} on server ${input.server}\n` : `In project ${title}\n`;

  const coveredDCs = new Set<ApiObject>();
  const coveredRCs = new Set<ApiObject>();
  const coveredDeployments = new Set<ApiObject>();
  const coveredBCs = new Set<ApiObject>();
  const coveredPods = new Set<ApiObject>();
  const markBCs = (dc: ApiObject): void => {
    for (const ref of w.dcImages(dc)) if (ref.istag) for (const bc of w.buildsInto(ref.istag.namespace, ref.istag.name)) coveredBCs.add(bc);
  };

  for (const svc of input.services) {
    const selector: Record<string, string> | undefined = L(svc).spec?.selector;
    const routes = input.routes.filter((r) => {
      const to = L(r).spec?.to ?? {};
      return (to.kind ?? "Service") === "Service" && to.name === nameOf(svc);
    });
    const exposed = routes.flatMap((r) => w.routeLines(r)).sort(compareExposed);
    out += "\n" + printLines(0, w.serviceLines(svc, exposed));
    const dcs = input.deploymentConfigs.filter((dc) => selects(selector, L(dc).spec?.template?.metadata?.labels));
    for (const dc of dcs) {
      coveredDCs.add(dc);
      markBCs(dc);
      for (const rc of w.rcsOfDc(dc)) coveredRCs.add(rc);
      out += printLines(1, w.dcLines(dc));
    }
    for (const d of input.deployments.filter((x) => selects(selector, L(x).spec?.template?.metadata?.labels))) {
      coveredDeployments.add(d);
      out += printLines(1, w.deploymentLines(d));
    }
    const rcs = input.replicationControllers.filter((rc) => selects(selector, L(rc).spec?.template?.metadata?.labels));
    for (const rc of rcs) {
      const fromDc = dcNameOfRc(rc);
      if (!(fromDc && dcs.some((dc) => nameOf(dc) === fromDc))) out += printLines(1, w.rcLines(rc));
      coveredRCs.add(rc);
    }
    for (const pod of input.pods.filter((x) => selects(selector, x.metadata.labels))) {
      coveredPods.add(pod);
      const c = controllerOf(pod);
      if (c && CONTROLLER_KINDS.has(c.kind)) continue;
      out += printLines(1, [`pod/${nameOf(pod)} runs ${((L(pod).spec?.containers ?? []) as Loose[]).map((x) => x.image).join(", ")}`]);
    }
  }

  const standaloneDCs = input.deploymentConfigs.filter((dc) => !coveredDCs.has(dc));
  for (const dc of standaloneDCs) {
    markBCs(dc);
    for (const rc of w.rcsOfDc(dc)) coveredRCs.add(rc);
    out += "\n" + printLines(0, w.dcLines(dc));
  }
  for (const d of input.deployments.filter((x) => !coveredDeployments.has(x))) out += "\n" + printLines(0, w.deploymentLines(d));
  const standaloneBCs = input.buildConfigs.filter((bc) => !coveredBCs.has(bc));
  for (const bc of standaloneBCs) {
    const lines = [w.describeBuild(bc)];
    const to = L(bc).spec?.output?.to;
    if (to?.name) lines.push(`-> ${to.kind === "ImageStreamTag" ? w.istagName(to.namespace || nameSpaceOf(bc), to.name) : to.name}`);
    lines.push(...w.buildDetail(bc, true));
    out += "\n" + printLines(0, lines);
  }
  for (const rc of input.replicationControllers) {
    if (coveredRCs.has(rc) || dcNameOfRc(rc)) continue;
    const lines = w.rcLines(rc);
    if (lines.length > 0) out += "\n" + printLines(0, lines);
  }
  for (const pod of input.pods) {
    if (coveredPods.has(pod)) continue;
    const c = controllerOf(pod);
    const builder = pod.metadata.annotations?.["openshift.io/build.name"] !== undefined;
    const deployer = pod.metadata.labels?.["openshift.io/deployer-pod-for.name"] !== undefined;
    const phase = L(pod).status?.phase;
    if ((c && CONTROLLER_KINDS.has(c.kind)) || builder || deployer || phase === "Succeeded" || phase === "Failed") continue;
    out += "\n" + printLines(0, [`pod/${nameOf(pod)} runs ${((L(pod).spec?.containers ?? []) as Loose[]).map((x) => x.image).join(", ")}`]);
  }

  const infos = probeMarkers(w).sort((a, b) => a.order - b.order);
  out += "\n";
  if (infos.length > 0 && input.suggest) {
    out += "Info:\n";
    for (const m of infos) out += `${INDENT}* ${m.message}\n${INDENT}  try: ${m.suggestion}\n`;
  }
  if (infos.length > 0) out += "\n";
  const count = infos.length === 1 ? "1 info" : `${infos.length} infos`;
  if (!input.suggest && infos.length > 0) {
    out += `${count} identified, use '${cmd} status --suggest' to see details.\n`;
  } else if (input.services.length === 0 && standaloneDCs.length === 0 && standaloneBCs.length === 0) {
    out += `You have no services, deployment configs, or build configs.\nRun '${cmd} new-app' to create an application.\n`;
  } else {
    out += `View details with '${cmd} describe <resource>/<name>' or list resources with '${cmd} get all'.\n`;
  }
  return out;
}
