// Service rules: v1 defaults, validation (DNS-1035 names, ports, types), clusterIP immutability.
// Allocating clusterIPs and nodePorts is not done here: an allocator does that after defaulting.
import { isIP } from "node:net";
import {
  fieldDuplicate, fieldForbidden, fieldInvalid, fieldRequired, type FieldError,
} from "../../../api/errors.ts";
import type { Service, ServicePort } from "../../../api/types.ts";
import {
  dns1123LabelErrors, dns1123SubdomainErrors, IMMUTABLE, IP_INVALID, portNameErrors,
  portNumberErrors, validateLabels, validateObjectMeta, validateObjectMetaUpdate,
} from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { isObject, oneOf, prepareUpdate, takeStatusOnly } from "./common.ts";

const TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const AFFINITIES = ["ClientIP", "None"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const FAMILY_POLICIES = ["PreferDualStack", "RequireDualStack", "SingleStack"];
const FAMILIES = ["IPv4", "IPv6"];

const needsNodePort = (type: string | undefined): boolean => type === "NodePort" || type === "LoadBalancer";

/** SetDefaults_Service plus the registry's IP-family and clusterIPs normalisation. Mutates. */
export function defaultService(svc: Service): void {
  if (!isObject(svc.spec)) svc.spec = {};
  const spec = svc.spec;
  spec.type ||= "ClusterIP";
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "ClientIP") {
    const cfg = (isObject(spec["sessionAffinityConfig"]) ? spec["sessionAffinityConfig"] : {}) as Record<string, unknown>;
    const clientIP = (isObject(cfg["clientIP"]) ? cfg["clientIP"] : {}) as Record<string, unknown>;
    clientIP["timeoutSeconds"] ??= 10800;
    cfg["clientIP"] = clientIP;
    spec["sessionAffinityConfig"] = cfg;
  }
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!isObject(p)) continue;
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (spec.type === "ExternalName") return;
  spec.internalTrafficPolicy ||= "Cluster";
  if (needsNodePort(spec.type)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.type === "LoadBalancer") spec["allocateLoadBalancerNodePorts"] ??= true;
  if (spec.clusterIP && !(spec.clusterIPs?.length)) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
  if (!spec.ipFamilies?.length) spec.ipFamilies = ["IPv4"];
  spec.ipFamilyPolicy ||= "SingleStack";
}

function validatePorts(svc: Service, errs: FieldError[]): void {
  const spec = svc.spec;
  const ports: ServicePort[] = Array.isArray(spec.ports) ? spec.ports : [];
  const headless = spec.clusterIP === "None";
  if (ports.length === 0 && !headless && spec.type !== "ExternalName") errs.push(fieldRequired("spec.ports"));
  const names = new Set<string>();
  const keys = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (!isObject(p)) { errs.push(fieldInvalid(pp, p, "must be an object")); return; }
    if (ports.length > 1 && !p.name) errs.push(fieldRequired(`${pp}.name`));
    else if (p.name) {
      for (const m of dns1123LabelErrors(p.name)) errs.push(fieldInvalid(`${pp}.name`, p.name, m));
      if (names.has(p.name)) errs.push(fieldDuplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    for (const m of portNumberErrors(p.port)) errs.push(fieldInvalid(`${pp}.port`, p.port ?? 0, m));
    if (!p.protocol) errs.push(fieldRequired(`${pp}.protocol`));
    else oneOf(`${pp}.protocol`, p.protocol, PROTOCOLS, errs);
    if (typeof p.targetPort === "number") {
      for (const m of portNumberErrors(p.targetPort)) errs.push(fieldInvalid(`${pp}.targetPort`, p.targetPort, m));
    } else if (typeof p.targetPort === "string") {
      for (const m of portNameErrors(p.targetPort)) errs.push(fieldInvalid(`${pp}.targetPort`, p.targetPort, m));
    }
    if (p.nodePort) {
      if (spec.type === "ClusterIP") errs.push(fieldForbidden(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (spec.type === "ExternalName") errs.push(fieldForbidden(`${pp}.nodePort`, "may not be used when `type` is 'ExternalName'"));
      for (const m of portNumberErrors(p.nodePort)) errs.push(fieldInvalid(`${pp}.nodePort`, p.nodePort, m));
      const npKey = `${p.nodePort}/${p.protocol}`;
      if (nodePorts.has(npKey)) errs.push(fieldDuplicate(`${pp}.nodePort`, p.nodePort));
      nodePorts.add(npKey);
    }
    const key = `${p.port}/${p.protocol}`;
    if (keys.has(key)) errs.push(fieldDuplicate(pp, { port: p.port, protocol: p.protocol }));
    keys.add(key);
  });
}

function validateIPs(svc: Service, errs: FieldError[]): void {
  const spec = svc.spec;
  if (spec.type === "ExternalName") {
    if (spec.clusterIP || spec.clusterIPs?.length) errs.push(fieldForbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (!spec.externalName) errs.push(fieldRequired("spec.externalName"));
    else {
      const name = spec.externalName.replace(/\.$/, "");
      for (const m of dns1123SubdomainErrors(name)) errs.push(fieldInvalid("spec.externalName", spec.externalName, m));
    }
    return;
  }
  // Upstream checks the addresses in clusterIPs (which defaulting fills from clusterIP).
  if (!spec.clusterIPs?.length && spec.clusterIP && spec.clusterIP !== "None" && isIP(spec.clusterIP) === 0) {
    errs.push(fieldInvalid("spec.clusterIP", spec.clusterIP, IP_INVALID));
  }
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (i === 0 && spec.clusterIP && ip !== spec.clusterIP) {
      errs.push(fieldInvalid("spec.clusterIPs[0]", ip, "must match `clusterIP` when both are specified"));
    } else if (ip !== "None" && isIP(ip) === 0) {
      errs.push(fieldInvalid(`spec.clusterIPs[${i}]`, ip, IP_INVALID));
    }
  });
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (isIP(ip) === 0) errs.push(fieldInvalid(`spec.externalIPs[${i}]`, ip, IP_INVALID));
  });
  (spec.ipFamilies ?? []).forEach((f, i) => oneOf(`spec.ipFamilies[${i}]`, f, FAMILIES, errs));
  oneOf("spec.ipFamilyPolicy", spec.ipFamilyPolicy, FAMILY_POLICIES, errs);
}

/** ValidateService: metadata (DNS-1035 name), type, ports, IPs, policies, selector. */
export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, { namespaced: true, nameRule: "dns1035Label" });
  if (!isObject(svc.spec)) return [...errs, fieldRequired("spec")];
  const spec = svc.spec;
  if (!spec.type) errs.push(fieldRequired("spec.type"));
  else oneOf("spec.type", spec.type, TYPES, errs);
  validatePorts(svc, errs);
  validateIPs(svc, errs);
  errs.push(...validateLabels(spec.selector, "spec.selector"));
  oneOf("spec.sessionAffinity", spec.sessionAffinity, AFFINITIES, errs);
  oneOf("spec.internalTrafficPolicy", spec.internalTrafficPolicy, TRAFFIC_POLICIES, errs);
  if (spec.externalTrafficPolicy) {
    if (!needsNodePort(spec.type)) {
      errs.push(fieldInvalid("spec.externalTrafficPolicy", spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    } else oneOf("spec.externalTrafficPolicy", spec.externalTrafficPolicy, TRAFFIC_POLICIES, errs);
  }
  return errs;
}

/** ValidateServiceUpdate: the create rules plus an immutable clusterIP (except to/from ExternalName). */
export function validateServiceUpdate(next: Service, prev: Service): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateService(next)];
  const n = next.spec ?? {};
  const p = prev.spec ?? {};
  if (n.type !== "ExternalName" && p.type !== "ExternalName" && p.clusterIP) {
    if ((n.clusterIP ?? "") !== p.clusterIP) errs.push(fieldInvalid("spec.clusterIP", n.clusterIP ?? "", IMMUTABLE));
    else if ((n.clusterIPs?.[0] ?? p.clusterIP) !== (p.clusterIPs?.[0] ?? p.clusterIP)) {
      errs.push(fieldInvalid("spec.clusterIPs[0]", n.clusterIPs?.[0] ?? "", IMMUTABLE));
    }
  }
  return errs;
}

/**
 * patchAllocatedValues: a PUT that omits the allocated clusterIP(s) or nodePorts (a manifest
 * replaced as written) keeps the stored ones instead of asking for new ones.
 */
function keepAllocated(next: Service, prev: Service): void {
  if (!isObject(next.spec) || !isObject(prev.spec)) return;
  const n = next.spec;
  const p = prev.spec;
  const nType = n.type || "ClusterIP";
  if (nType !== "ExternalName" && p.type !== "ExternalName") {
    if (!n.clusterIP && !(n.clusterIPs?.length) && p.clusterIP) {
      n.clusterIP = p.clusterIP;
      if (p.clusterIPs) n.clusterIPs = [...p.clusterIPs];
    }
  }
  if (needsNodePort(nType) && needsNodePort(p.type)) {
    for (const np of Array.isArray(n.ports) ? n.ports : []) {
      if (!isObject(np) || np.nodePort) continue;
      const old = (p.ports ?? []).find((op) => op.port === np.port && (op.protocol ?? "TCP") === (np.protocol || "TCP"));
      if (old?.nodePort) np.nodePort = old.nodePort;
    }
  }
}

export const serviceStrategy: Strategy<Service> = {
  prepareForCreate(svc) {
    defaultService(svc);
    svc.metadata.generation = 1;
    svc.status = { loadBalancer: {} };
  },
  validate: validateService,
  prepareForUpdate(next, prev) {
    keepAllocated(next, prev);
    defaultService(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: validateServiceUpdate,
  prepareForStatusUpdate: takeStatusOnly,
};
