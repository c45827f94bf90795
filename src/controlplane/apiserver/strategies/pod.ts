// Pod rules: defaulting (v1 defaults plus the ServiceAccount, DefaultTolerationSeconds and
// Priority admission defaults), validation with upstream field paths, and pod update limits.
import {
  fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotFound, fieldNotSupported, fieldRequired,
  type FieldError,
} from "../../../api/errors.ts";
import { QUANTITY_FORMAT_MSG, tryParseQuantity } from "../../../api/quantity.ts";
import type { Container, Pod, PodSpec, Toleration } from "../../../api/types.ts";
import {
  dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, IS_NEGATIVE, portNameErrors,
  portNumberErrors, qualifiedNameErrors, labelValueErrors, validateLabels, validateObjectMeta,
  validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { deepEqual, isObject, oneOf, prepareUpdate, takeStatusOnly } from "./common.ts";
import { deepCopy } from "../../../api/copy.ts";

export const RESTART_POLICIES = ["Always", "Never", "OnFailure"];
const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const DNS_POLICIES = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const MESSAGE_POLICIES = ["FallbackToLogsOnError", "File"];
const TOLERATION_OPERATORS = ["Equal", "Exists"];
const TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

/** The tag of an image reference: "latest" when none is given, "" for a digest-only reference. */
export function imageTag(image: string | undefined): string {
  let ref = image ?? "";
  let digest = false;
  const at = ref.indexOf("@");
  if (at >= 0) { digest = true; ref = ref.slice(0, at); }
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  if (colon >= 0) return last.slice(colon + 1);
  return digest ? "" : "latest";
}

function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  p["timeoutSeconds"] ??= 1;
  p["periodSeconds"] ??= 10;
  p["successThreshold"] ??= 1;
  p["failureThreshold"] ??= 3;
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  if (!isObject(c)) return;
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image) === "latest" ? "Always" : "IfNotPresent";
  c.resources ??= {};
  for (const p of c.ports ?? []) {
    if (!isObject(p)) continue;
    p.protocol ||= "TCP";
    // With the host's network the container port is the host port (defaultHostNetworkPorts).
    if (hostNetwork && !p.hostPort) p.hostPort = p.containerPort;
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c["startupProbe"]);
}

/**
 * SetDefaults_PodSpec and SetDefaults_Container: what every pod spec gets, pod templates
 * included. Mutates.
 */
export function defaultPodSpec(spec: PodSpec): void {
  if (!isObject(spec)) return;
  spec.restartPolicy ||= "Always";
  spec.dnsPolicy ||= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= "default-scheduler";
  spec.securityContext ??= {};
  for (const c of [...(spec.initContainers ?? []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) {
    defaultContainer(c, spec.hostNetwork === true);
  }
}

function requestsFromLimits(c: Container): void {
  if (!isObject(c) || !isObject(c.resources)) return;
  const res = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> };
  if (!isObject(res.limits)) return;
  const requests = (res.requests ??= {});
  for (const [k, v] of Object.entries(res.limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
}

const NOT_READY = "node.kubernetes.io/not-ready";
const UNREACHABLE = "node.kubernetes.io/unreachable";

/** Toleration.ToleratesTaint for a NoExecute taint with no value. */
function tolerates(t: Toleration, key: string): boolean {
  if (t.effect && t.effect !== "NoExecute") return false;
  if (t.key && t.key !== key) return false;
  if (!t.key && t.operator !== "Exists") return false;
  return t.operator === "Exists" || !t.value;
}

/** The defaults the API server gives a Pod (not a template): v1 defaults plus admission. */
export function defaultPod(pod: Pod): void {
  if (!isObject(pod.spec)) return;
  const spec = pod.spec;
  defaultPodSpec(spec);
  for (const c of [...(spec.initContainers ?? []), ...(Array.isArray(spec.containers) ? spec.containers : [])]) requestsFromLimits(c);
  spec.enableServiceLinks ??= true;
  // ServiceAccount admission; the v1 wire form mirrors the name into the deprecated field.
  spec.serviceAccountName ||= spec.serviceAccount || "default";
  spec.serviceAccount = spec.serviceAccountName;
  // Priority admission without a priority class.
  spec.priority ??= 0;
  spec["preemptionPolicy"] ??= "PreemptLowerPriority";
  // DefaultTolerationSeconds admission.
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerations.some((t) => isObject(t) && tolerates(t, key))) {
      tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
}

const QOS_RESOURCES = ["cpu", "memory"];

/** qos.GetPodQOS: Guaranteed, Burstable or BestEffort from cpu/memory requests and limits. */
export function podQOSClass(spec: PodSpec): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const [k, v] of Object.entries(c.resources?.requests ?? {})) {
      const q = tryParseQuantity(v) ?? 0;
      if (QOS_RESOURCES.includes(k) && q > 0) requests.set(k, (requests.get(k) ?? 0) + q);
    }
    const found = new Set<string>();
    for (const [k, v] of Object.entries(c.resources?.limits ?? {})) {
      const q = tryParseQuantity(v) ?? 0;
      if (QOS_RESOURCES.includes(k) && q > 0) {
        found.add(k);
        limits.set(k, (limits.get(k) ?? 0) + q);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed) {
    for (const [k, v] of requests) {
      if (limits.get(k) !== v) { guaranteed = false; break; }
    }
  }
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

// ---------------------------------------------------------------------------------------------
// Validation

function validateResources(c: Container, path: string, errs: FieldError[]): void {
  if (c.resources === undefined) return;
  if (!isObject(c.resources)) { errs.push(fieldInvalid(path, c.resources, "must be an object")); return; }
  const r = c.resources as { requests?: Record<string, string>; limits?: Record<string, string> };
  const parsed: Record<"requests" | "limits", Map<string, number>> = { requests: new Map(), limits: new Map() };
  for (const kind of ["limits", "requests"] as const) {
    for (const [k, v] of Object.entries(r[kind] ?? {})) {
      const p = `${path}.${kind}[${k}]`;
      for (const m of qualifiedNameErrors(k)) errs.push(fieldInvalid(p, k, m));
      const q = tryParseQuantity(String(v));
      if (q === undefined) { errs.push(fieldInvalid(p, v, QUANTITY_FORMAT_MSG)); continue; }
      if (q < 0) errs.push(fieldInvalid(p, v, IS_NEGATIVE));
      parsed[kind].set(k, q);
    }
  }
  for (const [k, req] of parsed.requests) {
    const lim = parsed.limits.get(k);
    if (lim !== undefined && req > lim) {
      errs.push(fieldInvalid(`${path}.requests[${k}]`, r.requests![k], `must be less than or equal to ${k} limit of ${r.limits![k]}`));
    }
  }
}

function validateContainer(c: Container, path: string, names: Set<string>, volumes: Set<string>, errs: FieldError[]): void {
  if (!isObject(c)) { errs.push(fieldInvalid(path, c, "must be an object")); return; }
  if (!c.name) errs.push(fieldRequired(`${path}.name`));
  else {
    for (const m of dns1123LabelErrors(c.name)) errs.push(fieldInvalid(`${path}.name`, c.name, m));
    if (names.has(c.name)) errs.push(fieldDuplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image) errs.push(fieldRequired(`${path}.image`));
  else if (c.image !== c.image.trim()) errs.push(fieldInvalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));

  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (p.name) {
      const msgs = portNameErrors(p.name);
      for (const m of msgs) errs.push(fieldInvalid(`${pp}.name`, p.name, m));
      if (msgs.length === 0) {
        if (portNames.has(p.name)) errs.push(fieldDuplicate(`${pp}.name`, p.name));
        portNames.add(p.name);
      }
    }
    if (!p.containerPort) errs.push(fieldRequired(`${pp}.containerPort`));
    else for (const m of portNumberErrors(p.containerPort)) errs.push(fieldInvalid(`${pp}.containerPort`, p.containerPort, m));
    if (p.hostPort) for (const m of portNumberErrors(p.hostPort)) errs.push(fieldInvalid(`${pp}.hostPort`, p.hostPort, m));
    if (!p.protocol) errs.push(fieldRequired(`${pp}.protocol`));
    else oneOf(`${pp}.protocol`, p.protocol, PROTOCOLS, errs);
  });

  (c.env ?? []).forEach((e, i) => {
    const ep = `${path}.env[${i}].name`;
    if (!e.name) errs.push(fieldRequired(ep));
    else for (const m of envVarNameErrors(e.name)) errs.push(fieldInvalid(ep, e.name, m));
  });

  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((vm, i) => {
    const mp = `${path}.volumeMounts[${i}]`;
    if (!vm.name) errs.push(fieldRequired(`${mp}.name`));
    else if (!volumes.has(vm.name)) errs.push(fieldNotFound(`${mp}.name`, vm.name));
    if (!vm.mountPath) errs.push(fieldRequired(`${mp}.mountPath`));
    else {
      if (mountPaths.has(vm.mountPath)) errs.push(fieldInvalid(`${mp}.mountPath`, vm.mountPath, "must be unique"));
      mountPaths.add(vm.mountPath);
    }
  });

  validateResources(c, `${path}.resources`, errs);
  if (!c.imagePullPolicy) errs.push(fieldRequired(`${path}.imagePullPolicy`));
  else oneOf(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES, errs);
  oneOf(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, MESSAGE_POLICIES, errs);
}

function validateTolerations(tolerations: Toleration[] | undefined, path: string, errs: FieldError[]): void {
  (tolerations ?? []).forEach((t, i) => {
    const tp = `${path}[${i}]`;
    if (t.key) for (const m of qualifiedNameErrors(t.key)) errs.push(fieldInvalid(`${tp}.key`, t.key, m));
    if (!t.key && t.operator !== "Exists") {
      errs.push(fieldInvalid(`${tp}.operator`, t.operator ?? "", "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute") {
      errs.push(fieldInvalid(`${tp}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (!t.operator || t.operator === "Equal") {
      const msgs = labelValueErrors(t.value ?? "");
      if (msgs.length > 0) errs.push(fieldInvalid(`${tp}.operator`, t.value ?? "", msgs.join(";")));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(fieldInvalid(`${tp}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(fieldNotSupported(`${tp}.operator`, t.operator, TOLERATION_OPERATORS));
    }
    oneOf(`${tp}.effect`, t.effect, TAINT_EFFECTS, errs);
  });
}

/** ValidatePodSpec: containers, volumes, policies, tolerations; `path` is "spec" or a template's. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObject(spec)) return [fieldRequired(path)];
  const volumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v, i) => {
    const vp = `${path}.volumes[${i}]`;
    const name = typeof v["name"] === "string" ? v["name"] : "";
    if (!name) errs.push(fieldRequired(`${vp}.name`));
    else {
      for (const m of dns1123LabelErrors(name)) errs.push(fieldInvalid(`${vp}.name`, name, m));
      if (volumes.has(name)) errs.push(fieldDuplicate(`${vp}.name`, name));
      volumes.add(name);
    }
    if (Object.keys(v).filter((k) => k !== "name").length === 0) errs.push(fieldRequired(vp, "must specify a volume type"));
  });

  const names = new Set<string>();
  (spec.initContainers ?? []).forEach((c, i) => validateContainer(c, `${path}.initContainers[${i}]`, names, volumes, errs));
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) errs.push(fieldRequired(`${path}.containers`));
  else spec.containers.forEach((c, i) => validateContainer(c, `${path}.containers[${i}]`, names, volumes, errs));

  if (!spec.restartPolicy) errs.push(fieldRequired(`${path}.restartPolicy`));
  else oneOf(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES, errs);
  if (!spec.dnsPolicy) errs.push(fieldRequired(`${path}.dnsPolicy`));
  else oneOf(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES, errs);
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.nodeName) for (const m of dns1123SubdomainErrors(spec.nodeName)) errs.push(fieldInvalid(`${path}.nodeName`, spec.nodeName, m));
  if (spec.serviceAccountName) {
    for (const m of dns1123SubdomainErrors(spec.serviceAccountName)) errs.push(fieldInvalid(`${path}.serviceAccountName`, spec.serviceAccountName, m));
  }
  if (typeof spec.terminationGracePeriodSeconds === "number" && !Number.isInteger(spec.terminationGracePeriodSeconds)) {
    errs.push(fieldInvalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, "must be an integer"));
  }
  const deadline = spec["activeDeadlineSeconds"];
  if (typeof deadline === "number" && (deadline < 1 || deadline > 2147483647)) {
    errs.push(fieldInvalid(`${path}.activeDeadlineSeconds`, deadline, "must be between 1 and 2147483647, inclusive"));
  }
  validateTolerations(spec.tolerations, `${path}.tolerations`, errs);
  return errs;
}

/** ValidatePodCreate: metadata (namespaced, DNS-1123 subdomain name) and spec. */
export function validatePod(pod: Pod): FieldError[] {
  return [
    ...validateObjectMeta(pod.metadata, { namespaced: true, nameRule: "dns1123Subdomain" }),
    ...validatePodSpec(pod.spec, "spec"),
  ];
}

const UPDATE_FORBIDDEN = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/** A short -old/+new listing of the top-level spec fields that differ (upstream prints a cmp.Diff). */
function specDiff(prev: PodSpec, next: PodSpec): string {
  const keys = [...new Set([...Object.keys(prev), ...Object.keys(next)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (deepEqual(prev[k], next[k])) continue;
    if (prev[k] !== undefined) lines.push(`- ${k}: ${JSON.stringify(prev[k])}`);
    if (next[k] !== undefined) lines.push(`+ ${k}: ${JSON.stringify(next[k])}`);
  }
  return lines.join("\n");
}

/** ValidatePodUpdate: only images, activeDeadlineSeconds, added tolerations (and a few more) change. */
export function validatePodUpdate(next: Pod, prev: Pod): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validatePodSpec(next.spec, "spec")];
  if (!isObject(next.spec) || !isObject(prev.spec)) return errs;
  const ns = next.spec;
  const ps = prev.spec;
  if ((ns.containers ?? []).length !== (ps.containers ?? []).length) {
    errs.push(fieldForbidden("spec.containers", "pod updates may not add or remove containers"));
    return errs;
  }
  if ((ns.initContainers ?? []).length !== (ps.initContainers ?? []).length) {
    errs.push(fieldForbidden("spec.initContainers", "pod updates may not add or remove containers"));
    return errs;
  }
  // Munge the fields that may change back to their old values, then nothing else may differ.
  const munged = deepCopy(ns);
  munged.containers = munged.containers.map((c, i) => ({ ...c, image: ps.containers[i]!.image }));
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: ps.initContainers![i]!.image }));
  const oldDeadline = ps["activeDeadlineSeconds"] as number | undefined;
  const newDeadline = ns["activeDeadlineSeconds"] as number | undefined;
  if (oldDeadline === undefined || (newDeadline !== undefined && newDeadline <= oldDeadline)) {
    munged["activeDeadlineSeconds"] = oldDeadline;
  }
  const oldTolerations = ps.tolerations ?? [];
  const newTolerations = ns.tolerations ?? [];
  if (oldTolerations.every((o) => newTolerations.some((t) => deepEqual(t, o)))) munged.tolerations = ps.tolerations;
  if ((ps.terminationGracePeriodSeconds ?? 0) < 0 && ns.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = ps.terminationGracePeriodSeconds;
  }
  if (!deepEqual(munged, ps)) errs.push(fieldForbidden("spec", `${UPDATE_FORBIDDEN}\n${specDiff(ps, munged)}`));
  return errs;
}

export const podStrategy: Strategy<Pod> = {
  prepareForCreate(pod) {
    defaultPod(pod);
    pod.metadata.generation = 1;
    // Clients cannot create a pod with a status: it starts Pending with its QoS class.
    pod.status = { phase: "Pending", ...(isObject(pod.spec) ? { qosClass: podQOSClass(pod.spec) } : {}) };
  },
  validate: validatePod,
  prepareForUpdate(next, prev) {
    defaultPod(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: validatePodUpdate,
  prepareForStatusUpdate: takeStatusOnly,
};
