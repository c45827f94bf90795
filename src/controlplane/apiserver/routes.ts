// URL → resource route: which row of the resource table a path names, in which namespace, which object and subresource.
import { RESOURCES, RESOURCE_NAMES, type Resource, type ResourceInfo } from "../../api/resources.ts";

/** A parsed resource path. `name` absent means the collection; `namespace` absent on a namespaced row means all namespaces. */
export interface Route {
  /** The table key of the row (also the first segment of its store keys). */
  resource: Resource;
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Segments after the subresource (webhooks/{secret}/{type}); only action subresources take them. */
  rest?: string[];
  /** The deprecated `/watch/` prefix was used: the request is a watch whatever its query says. */
  watchPrefix: boolean;
}

interface GroupVersionRows {
  /** plural path word → table key */
  byPlural: Map<string, Resource>;
}

/** Built lazily (the table may gain rows at module load of other files) and keyed by "group/version". */
let index: Map<string, GroupVersionRows> | undefined;

function buildIndex(): Map<string, GroupVersionRows> {
  const m = new Map<string, GroupVersionRows>();
  for (const r of RESOURCE_NAMES) {
    const info = RESOURCES[r] as unknown as ResourceInfo;
    const gv = `${info.group}/${info.version}`;
    let rows = m.get(gv);
    if (!rows) m.set(gv, (rows = { byPlural: new Map() }));
    rows.byPlural.set(info.resource, r);
  }
  return m;
}

function rowsFor(group: string, version: string): GroupVersionRows | undefined {
  index ??= buildIndex();
  return index.get(`${group}/${version}`);
}

/**
 * Parses `/api/v1/...` and `/apis/{group}/{version}/...` paths against the resource table.
 * Returns undefined for anything that is not a resource path (discovery roots, unknown
 * groups, unknown resources, malformed shapes); the caller answers those with a 404 Status.
 * Does not decide whether the HTTP verb fits the route.
 */
export function parseResourcePath(path: string): Route | undefined {
  const segs = path.split("/").filter((s) => s !== "");
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === "api" && segs.length >= 2) {
    group = "";
    version = segs[1];
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 3) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else {
    return undefined;
  }
  const rows = rowsFor(group, version);
  if (!rows) return undefined;
  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let decoded: string[];
  try {
    decoded = rest.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const route = match(rows, decoded, watchPrefix);
  // The watch prefix serves collections and single objects, never subresources.
  if (route && watchPrefix && route.subresource) return undefined;
  return route;
}

function match(rows: GroupVersionRows, s: string[], watchPrefix: boolean): Route | undefined {
  const make = (r: Resource, namespace?: string, name?: string, subresource?: string): Route | undefined => {
    const info = RESOURCES[r] as unknown as ResourceInfo;
    if (subresource !== undefined && !(info.subresources as string[]).includes(subresource)) return undefined;
    const route: Route = { resource: r, info, watchPrefix };
    if (namespace !== undefined) route.namespace = namespace;
    if (name !== undefined) route.name = name;
    if (subresource !== undefined) route.subresource = subresource;
    return route;
  };
  // Namespaced shapes: /namespaces/{ns}/{resource}[/{name}[/{sub}]]
  if (s[0] === "namespaces" && s.length >= 3) {
    const r = rows.byPlural.get(s[2]);
    if (r && RESOURCES[r].namespaced) {
      const route = make(r, s[1], s[3], s[4]);
      if (route && s.length > 5) route.rest = s.slice(5);
      return route;
    }
    // Otherwise /namespaces/{name}/{sub} addresses a subresource of the namespace itself.
  }
  if (s.length === 0 || s.length > 3) return undefined;
  const r = rows.byPlural.get(s[0]);
  if (!r) return undefined;
  const info = RESOURCES[r];
  // /{resource}: the cluster-scoped collection, or a namespaced kind across all namespaces.
  if (s.length === 1) return make(r);
  // /{resource}/{name}[/{sub}] exists only for cluster-scoped kinds.
  if (info.namespaced) return undefined;
  return make(r, undefined, s[1], s[2]);
}

/** True when the path names something this API server serves (a row of the table). */
export function isResourcePath(path: string): boolean {
  return parseResourcePath(path) !== undefined;
}

/** Store key prefix of a collection: "/pods/default/" or "/pods/" (all namespaces, cluster-scoped). */
export function collectionKey(resource: string, namespace?: string): string {
  return namespace ? `/${resource}/${namespace}/` : `/${resource}/`;
}

/** Store key of one object: "/pods/default/web-1" or "/nodes/minion-1". */
export function objectKey(resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `/${resource}/${namespace}/${name}` : `/${resource}/${name}`;
}
