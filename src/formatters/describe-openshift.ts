// `describe` layouts for OpenShift kinds, as oc's describers print them (Template, BuildConfig, Build).
import type { Build, BuildConfig, CommonBuildSpec, DeploymentConfig } from "../api/openshift-types.ts";
import type { ApiObject, Event, PodTemplateSpec, ReplicationController } from "../api/types.ts";
import type { Parameter, Template } from "../template/types.ts";
import { DESCRIBE_LAYOUT, formatTabbed } from "./tabwriter.ts";
import { relativeTime } from "./project-status.ts";

// oc's formatString: `label:<TAB>value`, further lines of a multi-line value under the value.
function field(label: string, value: unknown): string {
  const lines = String(value ?? "").replace(/\n$/, "").split("\n");
  return `${label}:\t${lines[0]}\n${lines.slice(1).map((l) => `\t${l}\n`).join("")}`;
}

function mapText(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${m![k]}`).join(",");
}

function parameterBlock(params: readonly Parameter[]): string {
  const indent = "    ";
  let out = field("Parameters", " ");
  for (const p of params) {
    out += field(`${indent}Name`, p.name);
    if (p.displayName) out += field(`${indent}Display Name`, p.displayName);
    if (p.description) out += field(`${indent}Description`, p.description);
    out += field(`${indent}Required`, p.required === true);
    if (!p.generate) {
      out += `${field(`${indent}Value`, p.value ?? "")}\n`;
      continue;
    }
    if (p.value) out += field(`${indent}Value`, p.value) + field(`${indent}Generated (ignored)`, p.generate) + field(`${indent}From`, p.from ?? "");
    else out += field(`${indent}Generated`, p.generate) + field(`${indent}From`, p.from ?? "");
    out += "\n";
  }
  return out;
}

function objectLine(obj: ApiObject): string {
  const slash = (obj.apiVersion ?? "").indexOf("/");
  const group = slash < 0 ? "" : (obj.apiVersion ?? "").slice(0, slash);
  const kind = group ? `${obj.kind ?? ""}.${group}` : obj.kind ?? "";
  const name = obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}<random>` : "<generated name>");
  return `    ${kind}\t${name}\n`;
}

/**
 * oc's template describer (`describe template/x`, `process -o describe`): metadata, every
 * parameter with its value or generator, object labels, message and the objects by kind. Pure.
 */
export function describeTemplate(t: Template, now: Date): string {
  const m = t.metadata ?? {};
  let meta = field("Name", m.name ?? "") + field("Namespace", m.namespace ?? "");
  if (m.creationTimestamp) meta += field("Created", `${relativeTime(m.creationTimestamp, now)} ago`);
  meta += field("Labels", mapText(m.labels));
  const annotations = Object.keys(m.annotations ?? {}).sort().map((k) => `${k}=${m.annotations![k]}`);
  meta += field("Annotations", annotations.length === 0 ? "<none>" : annotations.join("\n"));
  let rest = "\n" + parameterBlock(Array.isArray(t.parameters) ? t.parameters : []);
  rest += "\n" + field("Object Labels", mapText(t.labels));
  rest += "\n" + field("Message", t.message || "<none>");
  rest += "\nObjects:\n";
  for (const obj of Array.isArray(t.objects) ? t.objects : []) rest += objectLine(obj);
  return formatTabbed(meta, DESCRIBE_LAYOUT) + formatTabbed(rest, DESCRIBE_LAYOUT);
}

/** Go's time.Duration text in whole seconds ("1m2s", "30s", "1h0m5s"), as oc prints build durations. */
function shortDuration(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Creation time as oc prints it: `2024-01-01 10:00:00 +0000 UTC`. */
function goTime(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

/** A build's duration: status.duration (ns), else start → completion, else start → now while running. */
function buildDuration(b: Build, now: Date): string {
  const st = b.status ?? {};
  if (typeof st.duration === "number" && st.duration > 0) return shortDuration(st.duration / 1e6);
  if (!st.startTimestamp) return "";
  const end = st.completionTimestamp ? new Date(st.completionTimestamp) : now;
  return shortDuration(end.getTime() - new Date(st.startTimestamp).getTime());
}

function refText(r: { kind?: string; name?: string; namespace?: string } | undefined): string {
  if (!r?.name) return "";
  return `${r.kind ?? "ImageStreamTag"} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}

function strategyName(spec: CommonBuildSpec): string {
  const s = spec.strategy ?? {};
  return s.sourceStrategy ? "Source" : s.dockerStrategy ? "Docker" : s.customStrategy ? "Custom" : s.jenkinsPipelineStrategy ? "JenkinsPipeline" : s.type ?? "";
}

/** The strategy/source/output block describe bc and describe build share. */
function commonSpecBlock(spec: CommonBuildSpec): string {
  let out = field("Strategy", strategyName(spec));
  const git = spec.source?.git;
  if (git?.uri) out += field("URL", git.uri);
  if (git?.ref) out += field("Ref", git.ref);
  if (spec.source?.contextDir) out += field("ContextDir", spec.source.contextDir);
  if (typeof spec.source?.dockerfile === "string") out += field("Dockerfile", spec.source.dockerfile.trim().split("\n").join("\n"));
  const s = spec.strategy ?? {};
  const from = (s.sourceStrategy ?? s.dockerStrategy ?? s.customStrategy)?.from;
  if (from?.name) out += field("From Image", refText(from));
  const env = (s.sourceStrategy ?? s.dockerStrategy ?? s.customStrategy)?.env ?? [];
  if (env.length > 0) out += field("Environment", env.map((e) => `${e.name}=${e.value ?? ""}`).join("\n"));
  const to = spec.output?.to;
  out += field("Output to", to?.name ? refText(to) : "<none>");
  return out;
}

function webhookUrl(server: string, bc: BuildConfig, type: string): string {
  return `${server.replace(/\/+$/, "")}/apis/build.openshift.io/v1/namespaces/${bc.metadata.namespace ?? ""}/buildconfigs/${bc.metadata.name ?? ""}/webhooks/<secret>/${type}`;
}

/**
 * oc's BuildConfig describer: metadata, latest version, strategy, source and output, run
 * policy, non-webhook triggers, one block per webhook (URL with a literal `<secret>`), history
 * limits and the 10 newest builds. Pure.
 */
export function describeBuildConfig(bc: BuildConfig, builds: readonly ApiObject[], server: string, now: Date): string {
  const m = bc.metadata;
  let meta = field("Name", m.name ?? "") + field("Namespace", m.namespace ?? "");
  if (m.creationTimestamp) meta += field("Created", `${relativeTime(m.creationTimestamp, now)} ago`);
  meta += field("Labels", mapText(m.labels));
  meta += field("Annotations", mapText(m.annotations));
  const last = bc.status?.lastVersion ?? 0;
  meta += field("Latest Version", last === 0 ? "Never built" : String(last));
  let body = "\n" + commonSpecBlock(bc.spec) + "\n";
  body += field("Build Run Policy", bc.spec.runPolicy ?? "Serial");
  const triggers = bc.spec.triggers ?? [];
  const plain: string[] = [];
  for (const t of triggers) {
    if (t.type === "ConfigChange") plain.push("Config");
    if (t.type === "ImageChange") {
      const s = bc.spec.strategy ?? {};
      const from = t.imageChange?.from ?? (s.sourceStrategy ?? s.dockerStrategy ?? s.customStrategy)?.from;
      plain.push(`Image(${refText(from)})`);
    }
  }
  body += field("Triggered by", plain.length > 0 ? plain.join(", ") : "<none>");
  const hooks: [string, string, string][] = [["GitHub", "github", "github"], ["Generic", "generic", "generic"], ["GitLab", "gitlab", "gitlab"], ["Bitbucket", "bitbucket", "bitbucket"]];
  for (const [type, key, path] of hooks) {
    for (const t of triggers.filter((x) => x.type === type)) {
      body += `Webhook ${type}:\n`;
      body += `\tURL:\t${webhookUrl(server, bc, path)}\n`;
      const sub = t[key] as { allowEnv?: boolean } | undefined;
      if (type === "Generic" && sub?.allowEnv) body += "\tAllowEnv:\ttrue\n";
    }
  }
  body += "Builds History Limit:\n";
  body += `\tSuccessful:\t${bc.spec.successfulBuildsHistoryLimit ?? 5}\n`;
  body += `\tFailed:\t${bc.spec.failedBuildsHistoryLimit ?? 5}\n`;
  const mine = (builds as Build[]).slice().sort((a, b) => Number(b.metadata.annotations?.["openshift.io/build.number"] ?? 0) - Number(a.metadata.annotations?.["openshift.io/build.number"] ?? 0)).slice(0, 10);
  let table = "";
  if (mine.length > 0) {
    table += "\nBuild\tStatus\tDuration\tCreation Time\n";
    for (const b of mine) table += `${b.metadata.name ?? ""} \t${(b.status?.phase ?? "").toLowerCase()} \t${buildDuration(b, now)} \t${goTime(b.metadata.creationTimestamp)}\n`;
  }
  return formatTabbed(meta, DESCRIBE_LAYOUT) + formatTabbed(body, DESCRIBE_LAYOUT) + formatTabbed(table, DESCRIBE_LAYOUT);
}

/** oc's Build describer: metadata, status (with reason), timings, spec block, the build pod, causes. Pure. */
export function describeBuild(b: Build, now: Date): string {
  const m = b.metadata;
  let meta = field("Name", m.name ?? "") + field("Namespace", m.namespace ?? "");
  if (m.creationTimestamp) meta += field("Created", `${relativeTime(m.creationTimestamp, now)} ago`);
  meta += field("Labels", mapText(m.labels));
  meta += field("Annotations", mapText(m.annotations));
  const st = b.status ?? {};
  let body = "\n" + field("Status", `${st.phase ?? ""}${st.reason ? ` (${st.message || st.reason})` : ""}`);
  if (st.startTimestamp) body += field("Started", goTime(st.startTimestamp));
  const dur = buildDuration(b, now);
  if (dur) body += field("Duration", st.completionTimestamp ? dur : `running for ${dur}`);
  body += "\n";
  if (st.config?.name) body += field("Build Config", st.config.name);
  body += field("Build Pod", `${m.name ?? ""}-build`);
  const digest = (st["output"] as { to?: { imageDigest?: string } } | undefined)?.to?.imageDigest;
  if (digest) body += field("Image Digest", digest);
  body += "\n" + commonSpecBlock(b.spec);
  if (st.outputDockerImageReference) body += field("Push Secret", b.spec.output?.pushSecret?.name ?? "<none>");
  const causes = (b.spec.triggeredBy ?? []) as { message?: string }[];
  body += "\n" + field("Build trigger cause", causes.map((c) => c.message ?? "").join("\n") || "<unknown>");
  const commit = b.spec.revision?.git?.commit;
  if (commit) body += field("Commit", commit);
  return formatTabbed(meta, DESCRIBE_LAYOUT) + formatTabbed(body, DESCRIBE_LAYOUT);
}

// ---- DeploymentConfig ----

function triggersText(dc: DeploymentConfig): string {
  const parts: string[] = [];
  for (const t of dc.spec.triggers ?? []) {
    if (t?.type === "ConfigChange") parts.push("Config");
    else if (t?.type === "ImageChange") {
      const p = t.imageChangeParams ?? {};
      parts.push(`Image(${(p.from?.name ?? "").replace(":", "@")}, auto=${p.automatic === true})`);
    }
  }
  return parts.length === 0 ? "<none>" : parts.join(", ");
}

function podTemplateBlock(t: PodTemplateSpec | undefined, indent: string): string {
  let out = `${indent}Labels:\t${mapText(t?.metadata?.labels)}\n`;
  out += `${indent}Containers:\n`;
  for (const c of t?.spec?.containers ?? []) {
    out += `${indent} ${c.name}:\n`;
    out += `${indent}  Image:\t${c.image ?? ""}\n`;
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}`);
    out += `${indent}  Port:\t${ports.length ? ports.join(", ") : "<none>"}\n`;
    out += `${indent}  Host Port:\t${ports.length ? ports.map(() => "0/TCP").join(", ") : "<none>"}\n`;
    const env = c.env ?? [];
    out += `${indent}  Environment:\t${env.length ? "" : "<none>"}\n`;
    for (const e of env) out += `${indent}    ${e.name}:\t${e.value ?? ""}\n`;
    out += `${indent}  Mounts:\t<none>\n`;
  }
  out += `${indent}Volumes:\t<none>\n`;
  return out;
}

/**
 * oc's DeploymentConfig describer: metadata, Latest Version, Selector, Replicas, Triggers,
 * Strategy, the pod template, then one block per version (newest first, the latest marked)
 * and the events. `rcs` are the DC's replication controllers, any order. Pure.
 */
export function describeDeploymentConfig(dc: DeploymentConfig, rcs: readonly ReplicationController[], events: readonly ApiObject[], now: Date): string {
  const m = dc.metadata;
  let head = field("Name", m.name ?? "") + field("Namespace", m.namespace ?? "");
  if (m.creationTimestamp) head += field("Created", `${relativeTime(m.creationTimestamp, now)} ago`);
  head += field("Labels", mapText(m.labels));
  const annotations = Object.keys(m.annotations ?? {}).sort().map((k) => `${k}=${m.annotations![k]}`);
  head += field("Annotations", annotations.length === 0 ? "<none>" : annotations.join("\n"));
  const latest = dc.status?.latestVersion ?? 0;
  head += field("Latest Version", latest === 0 ? "Not deployed" : String(latest));
  head += field("Selector", mapText(dc.spec.selector));
  head += field("Replicas", `${dc.spec.replicas ?? 0}${dc.spec.test ? " (test, will be scaled down between deployments)" : ""}`);
  head += field("Triggers", triggersText(dc));
  head += field("Strategy", dc.spec.strategy?.type ?? "Rolling");
  head += "Template:\n";
  head += podTemplateBlock(dc.spec.template, "  ");
  const version = (rc: ReplicationController): number => Number(rc.metadata.annotations?.["openshift.io/deployment-config.latest-version"] ?? 0);
  let body = "";
  for (const rc of [...rcs].sort((a, b) => version(b) - version(a))) {
    const v = version(rc);
    body += `\nDeployment #${v}${v === latest ? " (latest)" : ""}:\n`;
    if (v === latest) body += `\tName:\t${rc.metadata.name ?? ""}\n`;
    if (rc.metadata.creationTimestamp) body += `\tCreated:\t${relativeTime(rc.metadata.creationTimestamp, now)} ago\n`;
    body += `\tStatus:\t${rc.metadata.annotations?.["openshift.io/deployment.phase"] ?? "New"}\n`;
    body += `\tReplicas:\t${rc.status?.replicas ?? 0} current / ${rc.spec.replicas ?? 0} desired\n`;
    if (v === latest) {
      body += `\tSelector:\t${mapText(rc.spec.selector)}\n`;
      body += `\tLabels:\t${mapText(rc.metadata.labels)}\n`;
      body += `\tPods Status:\t${rc.status?.readyReplicas ?? 0} Running / ${Math.max(0, (rc.status?.replicas ?? 0) - (rc.status?.readyReplicas ?? 0))} Waiting / 0 Succeeded / 0 Failed\n`;
    }
  }
  let tail = "\n";
  if (events.length === 0) tail += "Events:\t<none>\n";
  else {
    tail += "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n";
    for (const e of events as Event[]) {
      const at = e.lastTimestamp ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? undefined;
      tail += `  ${e.type ?? ""}\t${e.reason ?? ""}\t${at ? relativeTime(at, now) : "<unknown>"}\t${e.source?.component ?? ""}\t${e.message ?? ""}\n`;
    }
  }
  return formatTabbed(head, DESCRIBE_LAYOUT) + formatTabbed(body, DESCRIBE_LAYOUT) + formatTabbed(tail, DESCRIBE_LAYOUT);
}
