// DeploymentConfig helpers shared by the DC controller, the instantiate/rollback actions and the
// rollout commands: the annotations OpenShift puts on each version's RC, image trigger
// resolution, cause detection, int-or-percent arithmetic and the rollback generator.
import type { DeploymentConfig, DeploymentTriggerPolicy, ImageStream } from "../../../api/openshift-types.ts";
import type { OwnerReference, PodTemplateSpec, ReplicationController } from "../../../api/types.ts";
import { sameJson } from "../shared.ts";
import { deepCopy } from "../../../api/copy.ts";

export const DC_NAME = "openshift.io/deployment-config.name";
export const DC_LATEST_VERSION = "openshift.io/deployment-config.latest-version";
export const DEPLOYMENT_PHASE = "openshift.io/deployment.phase";
export const ENCODED_DC = "openshift.io/encoded-deployment-config";
export const DESIRED_REPLICAS = "kubectl.kubernetes.io/desired-replicas";
export const DEPLOYMENT_REPLICAS = "openshift.io/deployment.replicas";
export const STATUS_REASON = "openshift.io/deployment.status-reason";
export const DEPLOYER_POD = "openshift.io/deployer-pod.name";
export const DEPLOYMENT_CANCELLED = "openshift.io/deployment.cancelled";
export const DEPLOYMENT_NAME = "openshift.io/deployment.name";
export const DEPLOYER_POD_FOR = "openshift.io/deployer-pod-for.name";
/** When the deployer last scaled (RFC 3339): the rolling timeout counts from here. */
export const LAST_STEP = "deploy.skiff.io/last-step";
/** The deployer's output so far (newline-separated), kept on the RC so a restart keeps it. */
export const DEPLOYER_LOG = "deploy.skiff.io/log";

export type DeploymentPhase = "New" | "Pending" | "Running" | "Complete" | "Failed";

/** `<dc>-<version>`. */
export const rcNameFor = (dc: string, version: number): string => `${dc}-${version}`;

/** The phase annotation of a version's RC (New when absent). */
export function phaseOf(rc: ReplicationController): DeploymentPhase {
  return (rc.metadata.annotations?.[DEPLOYMENT_PHASE] as DeploymentPhase | undefined) ?? "New";
}

export const isTerminal = (p: DeploymentPhase): boolean => p === "Complete" || p === "Failed";

/** The version number of an RC of a DC (its latest-version annotation), 0 when unknown. */
export function versionOf(rc: ReplicationController): number {
  const v = Number(rc.metadata.annotations?.[DC_LATEST_VERSION]);
  return Number.isInteger(v) ? v : 0;
}

/** The DC the RC was built from (the encoded annotation), or undefined when missing or bad. */
export function decodeDc(rc: ReplicationController): DeploymentConfig | undefined {
  const s = rc.metadata.annotations?.[ENCODED_DC];
  if (!s) return undefined;
  try {
    const v = JSON.parse(s) as DeploymentConfig;
    return v && typeof v === "object" && v.spec ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves an int-or-percent against `total` (percent rounds up when `roundUp`, down otherwise). */
export function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return Math.max(0, Math.trunc(v));
  if (typeof v === "string") {
    const m = /^(\d+)%$/.exec(v.trim());
    if (m) {
      const x = (Number(m[1]) * total) / 100;
      return roundUp ? Math.ceil(x) : Math.floor(x);
    }
    if (/^\d+$/.test(v.trim())) return Number(v.trim());
  }
  return 0;
}

/** maxSurge (rounded up) and maxUnavailable (rounded down); both 0 → unavailable 1, as upstream. */
export function surgeAndUnavailable(maxSurge: unknown, maxUnavailable: unknown, desired: number): { surge: number; unavailable: number } {
  const surge = intOrPercent(maxSurge ?? "25%", desired, true);
  let unavailable = intOrPercent(maxUnavailable ?? "25%", desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable: Math.min(unavailable, desired) };
}

/** The `is:tag` name and namespace an ImageChange trigger follows. */
export function triggerSource(t: DeploymentTriggerPolicy, dcNamespace: string): { namespace: string; stream: string; tag: string; name: string } | undefined {
  const from = t.imageChangeParams?.from;
  if (!from?.name || (from.kind && from.kind !== "ImageStreamTag")) return undefined;
  const i = from.name.lastIndexOf(":");
  const stream = i < 0 ? from.name : from.name.slice(0, i);
  const tag = i < 0 ? "latest" : from.name.slice(i + 1);
  return { namespace: from.namespace || dcNamespace, stream, tag, name: `${stream}:${tag}` };
}

/** What `is:tag` points at now (§5.1): items[0]'s pull spec, or via the stream's repository for Local. */
export function resolveTag(is: ImageStream | undefined, tag: string): string | undefined {
  const item = is?.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
  if (!item) return undefined;
  const local = is?.spec?.tags?.find((t) => t.name === tag)?.referencePolicy?.type === "Local";
  if (local && is?.status?.dockerImageRepository && item.image) return `${is.status.dockerImageRepository}@${item.image}`;
  return item.dockerImageReference || undefined;
}

const imageTriggers = (dc: DeploymentConfig): DeploymentTriggerPolicy[] =>
  (dc.spec.triggers ?? []).filter((t) => t?.type === "ImageChange" && t.imageChangeParams);

/** Sets `image` on the named containers (and init containers). Mutates; true when anything changed. */
function setImages(template: PodTemplateSpec | undefined, names: string[], image: string): boolean {
  let changed = false;
  for (const c of [...(template?.spec?.containers ?? []), ...(template?.spec?.initContainers ?? [])]) {
    if (names.includes(c.name) && c.image !== image) {
      c.image = image;
      changed = true;
    }
  }
  return changed;
}

/**
 * Resolves the DC's ImageChange triggers against the streams `lookup` returns (by namespace and
 * name): each automatic one (or every one with `all`) whose tag resolves writes the pull spec
 * into its containers and `lastTriggeredImage`. Returns a changed copy, or undefined when
 * nothing changed. Pure.
 */
export function resolveImageTriggers(dc: DeploymentConfig, lookup: (ns: string, name: string) => ImageStream | undefined,
  opts: { all?: boolean } = {}): DeploymentConfig | undefined {
  const next = deepCopy(dc);
  let changed = false;
  for (const t of imageTriggers(next)) {
    const p = t.imageChangeParams!;
    if (!p.automatic && !opts.all) continue;
    const src = triggerSource(t, dc.metadata.namespace ?? "default");
    if (!src) continue;
    const image = resolveTag(lookup(src.namespace, src.stream), src.tag);
    if (!image) continue;
    if (setImages(next.spec.template, p.containerNames ?? [], image)) changed = true;
    if (p.lastTriggeredImage !== image) {
      p.lastTriggeredImage = image;
      changed = true;
    }
  }
  return changed ? next : undefined;
}

/** True when some ImageChange trigger has no lastTriggeredImage yet ("waiting on image"). */
export function hasUnresolvedImages(dc: DeploymentConfig): boolean {
  return imageTriggers(dc).some((t) => !t.imageChangeParams?.lastTriggeredImage);
}

/** True when some container's image is empty (OpenShift postpones such rollouts). */
export function hasEmptyImage(dc: DeploymentConfig): boolean {
  return (dc.spec.template?.spec?.containers ?? []).some((c) => !c.image || !c.image.trim());
}

export interface Cause {
  type: "ConfigChange" | "ImageChange" | "Manual";
  imageTrigger?: { from: { kind: string; name: string; namespace: string } };
}

/** `details` for a cause, as OpenShift writes it. */
export function detailsFor(cause: Cause): { message: string; causes: Cause[] } {
  const message = cause.type === "ImageChange" ? "image change" : cause.type === "Manual" ? "manual change" : "config change";
  return { message, causes: [cause] };
}

/**
 * Why the DC needs a new version, or undefined when it does not (§4.3). `latest` is the RC of
 * the current latestVersion (undefined when there is none). Paused DCs never get one.
 */
export function newVersionCause(dc: DeploymentConfig, latest: ReplicationController | undefined): Cause | undefined {
  if (dc.spec.paused) return undefined;
  const triggers = dc.spec.triggers ?? [];
  const configTrigger = triggers.some((t) => t?.type === "ConfigChange");
  if ((dc.status?.latestVersion ?? 0) === 0) {
    if (triggers.length === 0) return undefined;
    if (hasUnresolvedImages(dc) || hasEmptyImage(dc)) return undefined;
    return { type: "ConfigChange" };
  }
  if (!latest) return undefined;
  const old = decodeDc(latest);
  if (!old || hasEmptyImage(dc)) return undefined;
  if (sameJson(old.spec.template, dc.spec.template)) return undefined;
  const oldImages = new Map((old.spec.template?.spec?.containers ?? []).map((c) => [c.name, c.image]));
  for (const t of imageTriggers(dc)) {
    const p = t.imageChangeParams!;
    if (!p.automatic || !p.lastTriggeredImage) continue;
    if ((p.containerNames ?? []).some((n) => oldImages.get(n) !== p.lastTriggeredImage)) {
      const src = triggerSource(t, dc.metadata.namespace ?? "default");
      return { type: "ImageChange", imageTrigger: { from: { kind: "ImageStreamTag", name: src?.name ?? "", namespace: src?.namespace ?? "" } } };
    }
  }
  return configTrigger ? { type: "ConfigChange" } : undefined;
}

/** The ownerReference a version's RC carries. */
export function dcOwnerReference(dc: DeploymentConfig): OwnerReference {
  return { apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", name: dc.metadata.name ?? "", uid: dc.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
}

/** The RC of the DC's current latestVersion, built as §4.4 says (replicas 0, phase New). Pure. */
export function rcForVersion(dc: DeploymentConfig): ReplicationController {
  const name = dc.metadata.name ?? "";
  const version = dc.status?.latestVersion ?? 0;
  const rcName = rcNameFor(name, version);
  const template = deepCopy(dc.spec.template ?? { spec: { containers: [] } });
  template.metadata ??= {};
  template.metadata.labels = { ...template.metadata.labels, deploymentconfig: name, deployment: rcName };
  template.metadata.annotations = {
    ...template.metadata.annotations,
    [DEPLOYMENT_NAME]: rcName, [DC_NAME]: name, [DC_LATEST_VERSION]: String(version),
  };
  const encoded = deepCopy(dc);
  delete encoded.metadata.managedFields;
  const rc: ReplicationController = {
    apiVersion: "v1", kind: "ReplicationController",
    metadata: {
      name: rcName, namespace: dc.metadata.namespace,
      labels: { ...dc.metadata.labels, [DC_NAME]: name },
      annotations: {
        [DC_NAME]: name,
        [DC_LATEST_VERSION]: String(version),
        [DEPLOYMENT_PHASE]: "New",
        [ENCODED_DC]: JSON.stringify({ kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1", ...encoded }),
        [DESIRED_REPLICAS]: String(dc.spec.replicas ?? 0),
        [DEPLOYMENT_REPLICAS]: "0",
        [STATUS_REASON]: dc.status?.details?.message ?? "config change",
      },
      ownerReferences: [dcOwnerReference(dc)],
    },
    spec: {
      replicas: 0,
      selector: { ...dc.spec.selector, deploymentconfig: name, deployment: rcName },
      template,
    },
  };
  if (dc.spec.minReadySeconds) rc.spec.minReadySeconds = dc.spec.minReadySeconds;
  return rc;
}

/**
 * OpenShift's rollback generator: `to` (the DC decoded from the target RC) copied into `from`
 * as the flags ask; every ImageChange trigger of the result gets automatic: false, and
 * latestVersion is incremented. Returns the new DC and the names of the triggers it disabled.
 */
export function generateRollback(from: DeploymentConfig, to: DeploymentConfig, spec: {
  includeTemplate?: boolean; includeTriggers?: boolean; includeReplicationMeta?: boolean; includeStrategy?: boolean;
}): { dc: DeploymentConfig; disabled: string[] } {
  const dc = deepCopy(from);
  if (spec.includeTemplate) dc.spec.template = deepCopy(to.spec.template);
  if (spec.includeReplicationMeta) {
    dc.spec.replicas = to.spec.replicas;
    dc.spec.selector = deepCopy(to.spec.selector);
  }
  if (spec.includeTriggers) dc.spec.triggers = deepCopy(to.spec.triggers);
  if (spec.includeStrategy) dc.spec.strategy = deepCopy(to.spec.strategy);
  const disabled: string[] = [];
  for (const t of imageTriggers(dc)) {
    if (t.imageChangeParams!.automatic) disabled.push(t.imageChangeParams!.from?.name ?? "");
    t.imageChangeParams!.automatic = false;
  }
  dc.status = { ...dc.status, latestVersion: (dc.status?.latestVersion ?? 0) + 1 };
  return { dc, disabled };
}
