// Printer columns of the OpenShift kinds (openshift-apiserver's printers), RBAC RoleBindings and
// the apps/v1 workloads (kube-apiserver's printers), as `oc get` / `kubectl get` show them.
import { ageColumn, col, nameColumn, type Column } from "./columns.ts";
import { ageOf } from "./duration.ts";
import type {
  Build, BuildConfig, CommonBuildSpec, Deployment, DeploymentConfig, ImageStream, ImageStreamTag,
  LabelSelectorObject, NamedTagEventList, OpenShiftRoleBinding, Project, ReplicaSet, RoleBinding, Route,
  StatefulSet, StoredTemplate, User,
} from "./openshift-types.ts";
import type { ApiObject, PodTemplateSpec } from "./types.ts";

const FULL_GIT_COMMIT = /^[a-fA-F0-9]{40}$/;

/** describeSourceGitRevision: the revision's commit, else the source ref; full SHAs cut to 7. */
function gitRevision(spec: CommonBuildSpec): string {
  let rev = spec.revision?.git?.commit ?? "";
  if (!rev) rev = spec.source?.git?.ref ?? "";
  return FULL_GIT_COMMIT.test(rev) ? rev.slice(0, 7) : rev;
}

/** buildSourceType: the source kinds present, comma-joined (Git, Dockerfile, Binary). */
function sourceType(spec: CommonBuildSpec): string {
  const s = spec.source ?? {};
  const out: string[] = [];
  if (s.git) out.push("Git");
  if (s.dockerfile !== undefined && s.dockerfile !== null) out.push("Dockerfile");
  if (s.binary) out.push("Binary");
  return out.join(",");
}

/** describeSourceShort: the FROM cell of `oc get bc` / `oc get builds`. */
export function buildFrom(spec: CommonBuildSpec | undefined): string {
  const s = spec ?? {};
  const src = s.source ?? {};
  const at = (base: string): string => {
    const rev = gitRevision(s);
    return rev ? `${base}@${rev}` : base;
  };
  const hasDockerfile = src.dockerfile !== undefined && src.dockerfile !== null;
  if (src.binary) return at("Binary");
  if (hasDockerfile && src.git) return at("Dockerfile,Git");
  if (hasDockerfile) return "Dockerfile";
  if (src.git) return at("Git");
  if (s.strategy?.customStrategy) return s.strategy.customStrategy.from?.name ?? "";
  return sourceType(s);
}

/** The TYPE cell: which strategy sub-object is set. */
export function buildStrategyType(spec: CommonBuildSpec | undefined): string {
  const st = spec?.strategy ?? {};
  if (st.dockerStrategy) return "Docker";
  if (st.sourceStrategy) return "Source";
  if (st.customStrategy) return "Custom";
  if (st.jenkinsPipelineStrategy) return "JenkinsPipeline";
  return st.type ?? "";
}

/** Go's time.Duration.String of a nanosecond count ("1m2s", "1.5s", "250ms", "0s"). */
export function goDuration(ns: number): string {
  if (!Number.isFinite(ns) || ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  let u = Math.round(Math.abs(ns));
  const frac = (value: number, digits: number): string => {
    const whole = Math.floor(value / 10 ** digits);
    const rest = String(value % 10 ** digits).padStart(digits, "0").replace(/0+$/, "");
    return rest ? `${whole}.${rest}` : String(whole);
  };
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 6)}ms`;
  const h = Math.floor(u / 3.6e12);
  u -= h * 3.6e12;
  const m = Math.floor(u / 6e10);
  u -= m * 6e10;
  let out = `${frac(u, 9)}s`;
  if (h > 0 || m > 0) out = `${m}m${out}`;
  if (h > 0) out = `${h}h${out}`;
  return sign + out;
}

const ago = (t: string | undefined | null, now: Date): string => (t ? `${ageOf(t, now)} ago` : "");

const BC_COLUMNS: Column<BuildConfig>[] = [
  nameColumn(),
  col("Type", "Describes the build strategy for this build config", (bc) => buildStrategyType(bc.spec)),
  col("From", "Describes the source inputs for the build config", (bc) => buildFrom(bc.spec)),
  col("Latest", "The number of the latest build", (bc) => bc.status?.lastVersion ?? 0, { type: "integer" }),
];

/** The STATUS cell of a build: phase, with the reason in parentheses when there is one. */
export function buildStatus(b: Build): string {
  const phase = b.status?.phase ?? "";
  return b.status?.reason ? `${phase} (${b.status.reason})` : phase;
}

const BUILD_COLUMNS: Column<Build>[] = [
  nameColumn(),
  col("Type", "Describes the build strategy for this build", (b) => buildStrategyType(b.spec)),
  col("From", "Describes the source inputs for the build", (b) => buildFrom(b.spec)),
  col("Status", "The current status of the build", buildStatus),
  col("Started", "The time the build started", (b, now) => ago(b.status?.startTimestamp, now)),
  col("Duration", "The duration of the build", (b) => (b.status?.duration && b.status.duration > 0 ? goDuration(b.status.duration) : "")),
];

/** The TRIGGERED BY cell of `oc get dc`: sorted set of config / image(is:tag) / other trigger types. */
export function dcTriggeredBy(dc: DeploymentConfig): string {
  const containers = new Set((dc.spec?.template?.spec?.containers ?? []).map((c) => c.name));
  const triggers = new Set<string>();
  for (const t of dc.spec?.triggers ?? []) {
    if (t.type === "ConfigChange") triggers.add("config");
    else if (t.type === "ImageChange") {
      const p = t.imageChangeParams;
      if (!p?.automatic) continue;
      const names = [...(p.containerNames ?? [])];
      let prefix = "";
      // Named only when the trigger does not cover every container of the template.
      const covered = new Set(names);
      if (containers.size !== 1 && ![...containers].every((c) => covered.has(c))) prefix = `${names.sort().join(",")}:`;
      const from = p.from ?? {};
      if (from.kind === "ImageStreamTag") triggers.add(`image(${prefix}${from.name ?? ""})`);
      else triggers.add(`${from.kind ?? ""}(${prefix}${from.name ?? ""})`);
    } else if (t.type) {
      triggers.add(t.type);
    }
  }
  return [...triggers].sort().join(",");
}

const DC_COLUMNS: Column<DeploymentConfig>[] = [
  nameColumn(),
  col("Revision", "The last rolled out revision", (dc) => dc.status?.latestVersion ?? 0, { type: "integer" }),
  col("Desired", "The desired number of replicas", (dc) => (dc.spec?.test ? `${dc.spec?.replicas ?? 0} (during test)` : String(dc.spec?.replicas ?? 0))),
  col("Current", "The number of updated replicas", (dc) => dc.status?.updatedReplicas ?? 0, { type: "integer" }),
  col("Triggered By", "The triggers of this deployment config", dcTriggeredBy),
];

/** Status tag names newest first (by items[0].created, then name). */
function sortedStatusTags(tags: NamedTagEventList[] | undefined): string[] {
  const created = (t: NamedTagEventList): number => Date.parse(t.items?.[0]?.created ?? "") || 0;
  return [...(tags ?? [])].sort((a, b) => created(b) - created(a) || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)).map((t) => t.tag);
}

/** printTagsUpToWidth: comma-joined tags while they fit in `width`, then ` + N more...`. */
export function tagsUpToWidth(tags: string[], width = 40): string {
  const shown: string[] = [];
  let used = 0;
  for (const t of tags) {
    const add = t.length + (shown.length > 0 ? 1 : 0);
    if (shown.length > 0 && used + add > width) break;
    shown.push(t);
    used += add;
  }
  const more = tags.length - shown.length;
  return more > 0 ? `${shown.join(",")} + ${more} more...` : shown.join(",");
}

/** The IMAGE REPOSITORY cell: public repository, else the spec's, else the integrated registry's. */
export function imageStreamRepository(is: ImageStream): string {
  if (is.status?.publicDockerImageRepository) return is.status.publicDockerImageRepository;
  return is.spec?.dockerImageRepository || is.status?.dockerImageRepository || "";
}

function imageStreamUpdated(is: ImageStream, now: Date): string {
  let latest = 0;
  let latestText = "";
  for (const t of is.status?.tags ?? []) {
    const c = t.items?.[0]?.created;
    const ms = c ? Date.parse(c) : NaN;
    if (!Number.isNaN(ms) && ms > latest) { latest = ms; latestText = c!; }
  }
  return ago(latestText, now);
}

const IS_COLUMNS: Column<ImageStream>[] = [
  nameColumn(),
  col("Image Repository", "The image repository of this image stream", imageStreamRepository),
  col("Tags", "The tags of this image stream, most recently updated first", (is) => tagsUpToWidth(sortedStatusTags(is.status?.tags))),
  col("Updated", "When the newest tag was last updated", imageStreamUpdated),
];

const ISTAG_COLUMNS: Column<ImageStreamTag>[] = [
  nameColumn(),
  col("Image Reference", "The pull spec of the image this tag points at", (t) => t.image?.dockerImageReference ?? ""),
  col("Updated", "When the tag was last updated", (t, now) => ago(t.image?.metadata?.creationTimestamp, now)),
  col("Image Name", "The name of the image this tag points at", (t) => t.image?.metadata?.name ?? "", { wide: true }),
];

/** The DESCRIPTION cell: first line of the description annotation, cut to 80 characters. */
export function templateDescription(t: StoredTemplate): string {
  const d = t.metadata.annotations?.["description"] ?? "";
  const lines = d.split("\n");
  let first = lines[0] ?? "";
  if (lines.length > 1) first += "...";
  if (first.length > 80) first = `${first.slice(0, 77).trim()}...`;
  return first;
}

/** The PARAMETERS cell: `N (M blank)`, `N (M generated)` or `N (all set)`. */
export function templateParameters(t: StoredTemplate): string {
  const params = t.parameters ?? [];
  const blank = params.filter((p) => !p.value && !p.generate).length;
  const generated = params.filter((p) => !!p.generate).length;
  if (blank > 0) return `${params.length} (${blank} blank)`;
  if (generated > 0) return `${params.length} (${generated} generated)`;
  return `${params.length} (all set)`;
}

const TEMPLATE_COLUMNS: Column<StoredTemplate>[] = [
  nameColumn(),
  col("Description", "Template description", templateDescription),
  col("Parameters", "Template parameters", templateParameters),
  col("Objects", "Number of objects in the template", (t) => (t.objects ?? []).length, { type: "integer" }),
];

const PROJECT_COLUMNS: Column<Project>[] = [
  nameColumn(),
  col("Display Name", "The display name of the project", (p) => p.metadata.annotations?.["openshift.io/display-name"] ?? ""),
  col("Status", "The status of the project", (p) => p.status?.phase ?? ""),
];

/** The HOST/PORT cell: the admitted host, `Pending`, or rejection / extra-router notes. */
export function routeHost(r: Route): string {
  let host = r.spec?.host ?? "";
  const ingress = r.status?.ingress;
  let matched = false;
  let admitted = 0;
  let errors = 0;
  let reason = "";
  for (const i of ingress ?? []) {
    const c = (i.conditions ?? []).find((x) => x.type === "Admitted");
    if (c?.status === "True") {
      admitted++;
      if (!matched) { matched = i.host === r.spec?.host; host = i.host ?? ""; }
    } else if (c?.status === "False") {
      reason = c.reason ?? "";
      errors++;
    }
  }
  if (ingress === undefined || ingress === null) return host;
  if (admitted === 0 && errors > 0) return reason;
  if (errors > 0) return `${host} ... ${errors} rejected`;
  if (admitted === 0) return "Pending";
  if (admitted > 1) return `${host} ... ${admitted - 1} more`;
  return host;
}

/** The SERVICES cell: backends, with weights as percentages when several share the traffic. */
export function routeServices(r: Route): string {
  const backends = [r.spec?.to ?? {}, ...(r.spec?.alternateBackends ?? [])];
  const total = backends.reduce((n, b) => n + (typeof b.weight === "number" ? b.weight : 0), 0);
  return backends.map((b) => {
    const name = b.name ?? "";
    if (typeof b.weight !== "number" || (backends.length === 1 && total !== 0)) return name;
    if (total === 0) return `${name}(0%)`;
    return `${name}(${Math.trunc((b.weight * 100) / total)}%)`;
  }).join(",");
}

/** The TERMINATION cell: `edge`, `edge/Redirect`, `default/Allow`, or empty. */
export function routeTermination(r: Route): string {
  const term = r.spec?.tls?.termination ?? "";
  const insecure = r.spec?.tls?.insecureEdgeTerminationPolicy ?? "";
  if (term && insecure) return `${term}/${insecure}`;
  if (term) return term;
  if (insecure) return `default/${insecure}`;
  return "";
}

const ROUTE_COLUMNS: Column<Route>[] = [
  nameColumn(),
  col("Host/Port", "Host is an alias/DNS that points to the service", routeHost),
  col("Path", "Path that the router watches to route traffic to the service", (r) => r.spec?.path ?? ""),
  col("Services", "The services this route routes traffic to", routeServices),
  col("Port", "The target port on pods selected by the service", (r) => (r.spec?.port ? String(r.spec.port.targetPort ?? "") : "<all>")),
  col("Termination", "Indicates termination type", routeTermination),
  col("Wildcard", "Wildcard policy", (r) => r.spec?.wildcardPolicy ?? ""),
];

function subjectNames(rb: RoleBinding, kind: string): string {
  return (rb.subjects ?? []).filter((s) => s.kind === kind)
    .map((s) => (kind === "ServiceAccount" ? `${s.namespace ?? ""}:${s.name}` : s.name)).join(", ");
}

const ROLEBINDING_COLUMNS: Column<RoleBinding>[] = [
  nameColumn(),
  col("Role", "Role of the binding", (rb) => `${rb.roleRef?.kind ?? ""}/${rb.roleRef?.name ?? ""}`),
  ageColumn(),
  col("Users", "Users in the roleBinding", (rb) => subjectNames(rb, "User"), { wide: true }),
  col("Groups", "Groups in the roleBinding", (rb) => subjectNames(rb, "Group"), { wide: true }),
  col("ServiceAccounts", "ServiceAccounts in the roleBinding", (rb) => subjectNames(rb, "ServiceAccount"), { wide: true }),
];

const OS_ROLEBINDING_COLUMNS: Column<OpenShiftRoleBinding>[] = [
  nameColumn(),
  col("Role", "Role of the binding", (rb) => (rb.roleRef?.namespace ? `${rb.roleRef.namespace}/${rb.roleRef?.name ?? ""}` : `/${rb.roleRef?.name ?? ""}`)),
  col("Users", "Users in the binding", (rb) => (rb.userNames ?? []).join(", ")),
  col("Groups", "Groups in the binding", (rb) => (rb.groupNames ?? []).join(", ")),
  col("Service Accounts", "Service accounts in the binding",
    (rb) => (rb.subjects ?? []).filter((s) => s.kind === "ServiceAccount").map((s) => `${s.namespace ?? ""}/${s.name ?? ""}`).join(", ")),
  col("Subjects", "Other subjects in the binding",
    (rb) => (rb.subjects ?? []).filter((s) => !["ServiceAccount", "User", "Group", "SystemUser", "SystemGroup"].includes(s.kind ?? "")).map((s) => s.name ?? "").join(", ")),
];

const USER_COLUMNS: Column<User>[] = [
  nameColumn(),
  col("UID", "The user's UID", (u) => u.metadata.uid ?? ""),
  col("Full Name", "The user's full name", (u) => u.fullName ?? ""),
  col("Identities", "The user's identities", (u) => (u.identities ?? []).join(", ")),
];

/** metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, "" for everything. */
export function formatLabelSelector(sel: LabelSelectorObject | undefined): string {
  if (!sel) return "";
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    const text = e.operator === "In" ? `${e.key} in (${values})` : e.operator === "NotIn" ? `${e.key} notin (${values})`
      : e.operator === "Exists" ? e.key : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(",");
}

const containerNames = (t: PodTemplateSpec | undefined): string => (t?.spec?.containers ?? []).map((c) => c.name).join(",");
const containerImages = (t: PodTemplateSpec | undefined): string => (t?.spec?.containers ?? []).map((c) => c.image ?? "").join(",");

const DEPLOYMENT_COLUMNS: Column<Deployment>[] = [
  nameColumn(),
  col("Ready", "Number of the pod with ready state", (d) => `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`),
  col("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", (d) => d.status?.updatedReplicas ?? 0, { type: "integer" }),
  col("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", (d) => d.status?.availableReplicas ?? 0, { type: "integer" }),
  ageColumn(),
  col("Containers", "Names of each container in the template.", (d) => containerNames(d.spec?.template), { wide: true }),
  col("Images", "Images referenced by each container in the template.", (d) => containerImages(d.spec?.template), { wide: true }),
  col("Selector", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", (d) => formatLabelSelector(d.spec?.selector), { wide: true }),
];

const REPLICASET_COLUMNS: Column<ReplicaSet>[] = [
  nameColumn(),
  col("Desired", "Replicas is the number of desired replicas.", (rs) => rs.spec?.replicas ?? 0, { type: "integer" }),
  col("Current", "Replicas is the most recently observed number of replicas.", (rs) => rs.status?.replicas ?? 0, { type: "integer" }),
  col("Ready", "The number of ready replicas for this replica set.", (rs) => rs.status?.readyReplicas ?? 0, { type: "integer" }),
  ageColumn(),
  col("Containers", "Names of each container in the template.", (rs) => containerNames(rs.spec?.template), { wide: true }),
  col("Images", "Images referenced by each container in the template.", (rs) => containerImages(rs.spec?.template), { wide: true }),
  col("Selector", "Selector is a label query over pods that should match the replica count.", (rs) => formatLabelSelector(rs.spec?.selector), { wide: true }),
];

const STATEFULSET_COLUMNS: Column<StatefulSet>[] = [
  nameColumn(),
  col("Ready", "Number of the pod with ready state", (s) => `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`),
  ageColumn(),
  col("Containers", "Names of each container in the template.", (s) => containerNames(s.spec?.template), { wide: true }),
  col("Images", "Images referenced by each container in the template.", (s) => containerImages(s.spec?.template), { wide: true }),
];

/** Printer columns of the kinds in this file, keyed by their resource table keys. */
export const OPENSHIFT_COLUMNS = {
  buildconfigs: BC_COLUMNS,
  builds: BUILD_COLUMNS,
  deploymentconfigs: DC_COLUMNS,
  imagestreams: IS_COLUMNS,
  imagestreamtags: ISTAG_COLUMNS,
  templates: TEMPLATE_COLUMNS,
  projects: PROJECT_COLUMNS,
  routes: ROUTE_COLUMNS,
  rolebindings: ROLEBINDING_COLUMNS,
  openshiftrolebindings: OS_ROLEBINDING_COLUMNS,
  users: USER_COLUMNS,
  deployments: DEPLOYMENT_COLUMNS,
  replicasets: REPLICASET_COLUMNS,
  statefulsets: STATEFULSET_COLUMNS,
};

/** Columns of a kind with only a name (ProjectRequest, which is never listed). */
export const NAME_ONLY_COLUMNS: Column<ApiObject>[] = [nameColumn()];
