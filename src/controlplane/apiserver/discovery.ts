// Discovery endpoints (/version, /api, /api/v1, /apis, /apis/{g}/{v}, aggregated v2), all generated from the resource table.
import type { ApiRequest, ApiResponse } from "../../client/transport.ts";
import {
  RESOURCE_NAMES, apiVersionOf, defaultVerbs, infoOf, type ResourceInfo, type Subresource,
} from "../../api/resources.ts";

/**
 * What `/version` reports. The minor version matters: the kubectl on these machines is a
 * dispatcher that runs the kubectl matching the server's minor version.
 */
export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4-skiff",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2025-01-01T00:00:00Z",
  goVersion: "go1.23.0",
  compiler: "gc",
  platform: "linux/amd64",
};

/** Response content type of aggregated discovery; clients decide how to parse by it. */
export const AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const AGGREGATED_V2BETA1 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

export interface DiscoveryContext {
  /** host:port clients should use, for serverAddressByClientCIDRs. */
  serverAddress: string;
}

interface SubresourceShape { kind: { group: string; version: string; kind: string }; verbs: string[] }

/** The kind and verbs each subresource answers with (matches kube-apiserver's discovery). */
function subresourceShape(sub: Subresource, info: ResourceInfo): SubresourceShape {
  const own = { group: info.group, version: info.version, kind: info.kind };
  switch (sub) {
    case "status": return { kind: own, verbs: ["get", "patch", "update"] };
    case "scale": return { kind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] };
    case "binding": return { kind: { group: info.group, version: info.version, kind: "Binding" }, verbs: ["create"] };
    case "eviction": return { kind: { group: "policy", version: "v1", kind: "Eviction" }, verbs: ["create"] };
    case "log": return { kind: info.kind === "Pod" ? own : { ...own, kind: info.kind === "Build" ? "BuildLog" : "DeploymentLog" }, verbs: ["get"] };
    case "finalize": return { kind: own, verbs: ["update"] };
    // OpenShift's action subresources: each takes a request kind of its group and is create-only.
    case "instantiate": return { kind: { ...own, kind: info.kind === "DeploymentConfig" ? "DeploymentRequest" : "BuildRequest" }, verbs: ["create"] };
    case "instantiatebinary": return { kind: { ...own, kind: "BinaryBuildRequestOptions" }, verbs: ["create"] };
    case "webhooks": return { kind: { ...own, kind: "Build" }, verbs: ["create"] };
    case "rollback": return { kind: { ...own, kind: "DeploymentConfigRollback" }, verbs: ["create"] };
    case "clone": return { kind: { ...own, kind: "BuildRequest" }, verbs: ["create"] };
  }
}

const rows = (): ResourceInfo[] => RESOURCE_NAMES.map((r) => infoOf(r));

/** Group-versions served, core ("" group) first, then named groups in table order. */
export function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [{ group: "", version: "v1" }];
  seen.add("/v1");
  for (const info of rows()) {
    const key = `${info.group}/${info.version}`;
    if (!seen.has(key)) { seen.add(key); out.push({ group: info.group, version: info.version }); }
  }
  return out;
}

/** Rows of one group-version, in table order. */
export function rowsOf(group: string, version: string): ResourceInfo[] {
  return rows().filter((i) => i.group === group && i.version === version);
}

/** The APIResourceList of one group-version (legacy discovery). */
export function apiResourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const info of rowsOf(group, version)) {
    const entry: Record<string, unknown> = {
      name: info.resource, singularName: info.singular, namespaced: info.namespaced,
      kind: info.kind, verbs: info.verbs ? [...info.verbs] : defaultVerbs(),
    };
    if (info.short.length) entry.shortNames = [...info.short];
    if (info.categories.length) entry.categories = [...info.categories];
    resources.push(entry);
    for (const sub of info.subresources) {
      const shape = subresourceShape(sub, info);
      const s: Record<string, unknown> = {
        name: `${info.resource}/${sub}`, singularName: "", namespaced: info.namespaced, kind: shape.kind.kind,
        verbs: shape.verbs,
      };
      // Only a subresource served in another group-version names it, as kube-apiserver does.
      if (shape.kind.group !== info.group || shape.kind.version !== info.version) {
        s.group = shape.kind.group;
        s.version = shape.kind.version;
      }
      resources.push(s);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}

/** Named groups (every group except core) with their versions; first version is preferred. */
function namedGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const { group, version } of servedGroupVersions()) {
    if (!group) continue;
    const vs = groups.get(group) ?? [];
    vs.push(version);
    groups.set(group, vs);
  }
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

/** The APIGroupList at /apis. */
export function apiGroupList(): Record<string, unknown> {
  return {
    kind: "APIGroupList", apiVersion: "v1",
    groups: namedGroups().map((g) => {
      const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
      return { name: g.name, versions, preferredVersion: versions[0] };
    }),
  };
}

/** The APIVersions at /api. */
export function apiVersions(ctx: DiscoveryContext): Record<string, unknown> {
  return {
    kind: "APIVersions", versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: ctx.serverAddress }],
  };
}

function aggregatedGroup(name: string, versions: string[]): Record<string, unknown> {
  return {
    metadata: { name },
    versions: versions.map((version) => ({
      version, freshness: "Current",
      resources: rowsOf(name, version).map((info) => {
        const r: Record<string, unknown> = {
          resource: info.resource,
          responseKind: { group: info.group, version: info.version, kind: info.kind },
          scope: info.namespaced ? "Namespaced" : "Cluster",
          singularResource: info.singular,
          verbs: info.verbs ? [...info.verbs] : defaultVerbs(),
        };
        if (info.short.length) r.shortNames = [...info.short];
        if (info.categories.length) r.categories = [...info.categories];
        if (info.subresources.length) {
          r.subresources = info.subresources.map((sub) => {
            const shape = subresourceShape(sub, info);
            return { subresource: sub, responseKind: shape.kind, verbs: shape.verbs };
          });
        }
        return r;
      }),
    })),
  };
}

/** The APIGroupDiscoveryList for /api (core only) or /apis (named groups). */
export function aggregatedDiscovery(root: "/api" | "/apis", apiVersion = "apidiscovery.k8s.io/v2"): Record<string, unknown> {
  const items = root === "/api" ? [aggregatedGroup("", ["v1"])] : namedGroups().map((g) => aggregatedGroup(g.name, g.versions));
  return { kind: "APIGroupDiscoveryList", apiVersion, metadata: {}, items };
}

interface MediaType { type: string; params: Record<string, string> }

/** Splits an Accept header into media types with lower-cased parameter names, in order. */
export function parseAccept(accept: string | undefined): MediaType[] {
  if (!accept) return [];
  return accept.split(",").map((part) => {
    const [type, ...rest] = part.split(";").map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
    }
    return { type: (type ?? "").toLowerCase(), params };
  }).filter((m) => m.type);
}

/**
 * Which discovery form the Accept header prefers: the first acceptable entry wins, so a
 * client listing aggregated first gets it, and a plain `application/json` gets legacy.
 */
function wantsAggregated(accept: string | undefined): "v2" | "v2beta1" | undefined {
  for (const m of parseAccept(accept)) {
    if (m.params.as === "APIGroupDiscoveryList" && m.params.g === "apidiscovery.k8s.io"
      && (m.type === "application/json" || m.type === "*/*")) {
      if (m.params.v === "v2" || m.params.v === "v2beta1") return m.params.v;
      continue;
    }
    if (m.params.as) continue;   // some other typed form (Table, protobuf list…): not ours
    if (m.type === "application/json" || m.type === "*/*" || m.type === "application/*") return undefined;
  }
  return undefined;
}

export function jsonResponse(status: number, body: unknown, contentType = "application/json"): ApiResponse {
  return { status, headers: { "content-type": contentType }, body: JSON.stringify(body) };
}

/**
 * Answers a discovery request, or returns undefined when the path is not a discovery path
 * (so the caller routes it on). Only GET is served; other methods fall through as well.
 */
export function serveDiscovery(req: ApiRequest, ctx: DiscoveryContext): ApiResponse | undefined {
  if (req.method !== "GET") return undefined;
  const path = req.path.length > 1 ? req.path.replace(/\/+$/, "") : req.path;
  const accept = req.headers?.accept;
  switch (path) {
    case "/version": return jsonResponse(200, SERVER_VERSION);
    case "/api":
    case "/apis": {
      const agg = wantsAggregated(accept);
      if (agg === "v2") return jsonResponse(200, aggregatedDiscovery(path), AGGREGATED_V2);
      if (agg === "v2beta1") return jsonResponse(200, aggregatedDiscovery(path, "apidiscovery.k8s.io/v2beta1"), AGGREGATED_V2BETA1);
      return jsonResponse(200, path === "/api" ? apiVersions(ctx) : apiGroupList());
    }
  }
  const core = /^\/api\/([^/]+)$/.exec(path);
  if (core) return core[1] === "v1" ? jsonResponse(200, apiResourceList("", "v1")) : undefined;
  const named = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (named) {
    const [, group, version] = named;
    const g = namedGroups().find((x) => x.name === group);
    if (!g) return undefined;
    if (version === undefined) {
      const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v}`, version: v }));
      return jsonResponse(200, { kind: "APIGroup", apiVersion: "v1", name: g.name, versions, preferredVersion: versions[0] });
    }
    return g.versions.includes(version) ? jsonResponse(200, apiResourceList(group, version)) : undefined;
  }
  return undefined;
}
