// `skiff api-resources`: every resource the server serves, read from its discovery documents.
import { defineCommand } from "./command.ts";
import { CliError, UsageError } from "../errors.ts";
import { ApiError } from "../api/errors.ts";
import type { Status } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { formatColumns } from "../formatters/tabwriter.ts";

interface ApiResourcesFlags {
  output?: string; namespaced?: string | boolean; apiGroup?: string; verbs?: string;
  noHeaders?: boolean; sortBy?: string; cached?: boolean;
}

export interface ApiResourcesOptions {
  output: "" | "wide" | "name";
  /** undefined: both scopes. */
  namespaced?: boolean;
  apiGroup?: string;
  verbs: string[];
  headers: boolean;
  sortBy: "" | "name" | "kind";
}

/** One served resource, as discovery describes it (subresources left out). */
export interface DiscoveredResource {
  name: string;
  shortNames: string[];
  group: string;
  groupVersion: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  categories: string[];
}

interface RawApiResource {
  name: string; namespaced: boolean; kind: string; verbs?: string[];
  shortNames?: string[]; categories?: string[];
}

async function getJson<T>(client: ApiClient, path: string): Promise<T> {
  const res = await client.raw({ method: "GET", path, headers: { accept: "application/json" } });
  let body: unknown;
  try {
    body = JSON.parse(res.body ?? "");
  } catch {
    body = undefined;
  }
  if (res.status >= 200 && res.status < 300 && body !== undefined) return body as T;
  if (body && (body as Status).kind === "Status") throw new ApiError(body as Status);
  throw new CliError(`unexpected response from the server for ${path}: HTTP ${res.status}`);
}

/** Lists the preferred version of every group, as kubectl's ServerPreferredResources does. */
export async function discoverResources(client: ApiClient): Promise<DiscoveredResource[]> {
  const groupVersions: { group: string; groupVersion: string; path: string }[] = [];
  const core = await getJson<{ versions?: string[] }>(client, "/api");
  for (const v of core.versions ?? []) groupVersions.push({ group: "", groupVersion: v, path: `/api/${v}` });
  const groups = await getJson<{ groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] }>(client, "/apis");
  for (const g of groups.groups ?? []) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion;
    if (gv) groupVersions.push({ group: g.name, groupVersion: gv, path: `/apis/${gv}` });
  }
  const lists = await Promise.all(groupVersions.map((gv) =>
    getJson<{ resources?: RawApiResource[] }>(client, gv.path).then((l) => ({ gv, list: l.resources ?? [] }))));
  const out: DiscoveredResource[] = [];
  for (const { gv, list } of lists) {
    for (const r of list) {
      if (r.name.includes("/")) continue; // subresources are not listed, as in kubectl
      out.push({
        name: r.name, shortNames: r.shortNames ?? [], group: gv.group, groupVersion: gv.groupVersion,
        namespaced: r.namespaced, kind: r.kind, verbs: r.verbs ?? [], categories: r.categories ?? [],
      });
    }
  }
  return out;
}

/** Keeps what the flags ask for and sorts like kubectl: by group (or --sort-by), then name. */
export function selectResources(all: DiscoveredResource[], o: ApiResourcesOptions): DiscoveredResource[] {
  const kept = all.filter((r) =>
    (o.namespaced === undefined || r.namespaced === o.namespaced)
    && (o.apiGroup === undefined || r.group === o.apiGroup)
    && o.verbs.every((v) => r.verbs.includes(v)));
  const key = (r: DiscoveredResource): string => (o.sortBy === "name" ? r.name : o.sortBy === "kind" ? r.kind : r.group);
  return kept.sort((a, b) => compare(key(a), key(b)) || compare(a.name, b.name));
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Renders the selected resources in the chosen format. */
export function formatResources(rs: DiscoveredResource[], o: ApiResourcesOptions): string {
  if (o.output === "name") return rs.map((r) => `${r.group ? `${r.name}.${r.group}` : r.name}\n`).join("");
  const head = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"];
  if (o.output === "wide") head.push("VERBS", "CATEGORIES");
  const rows = rs.map((r) => {
    const cells = [r.name, r.shortNames.join(","), r.groupVersion, String(r.namespaced), r.kind];
    if (o.output === "wide") cells.push(r.verbs.join(","), r.categories.join(","));
    return cells;
  });
  return formatColumns(o.headers ? [head, ...rows] : rows);
}

function parseBool(flag: string, v: string | boolean | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true || v === "true") return true;
  if (v === "false") return false;
  throw new UsageError(`invalid argument "${String(v)}" for "--${flag}" flag: strconv.ParseBool: parsing "${String(v)}": invalid syntax`);
}

export default defineCommand<ApiResourcesFlags, ApiResourcesOptions>({
  name: "api-resources",
  summary: "Print the supported API resources on the server",
  group: "Advanced Commands",
  examples: [
    "skiff api-resources",
    "skiff api-resources -o wide",
    "skiff api-resources --namespaced=true",
    "skiff api-resources --api-group=apps.openshift.io",
  ],
  flags: (c) => c
    .option("-o, --output <format>", "Output format. One of: (wide, name).")
    .option("--namespaced [bool]", "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.")
    .option("--api-group <group>", "Limit to resources in the specified API group.")
    .option("--verbs <verbs>", "Limit to resources that support the specified verbs (comma-separated).")
    .option("--no-headers", "When using the default or wide output format, don't print headers.")
    .option("--sort-by <field>", "If non-empty, sort list of resources using specified field. One of (name, kind).")
    .option("--cached", "Accepted for compatibility; discovery is always fetched."),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    const output = flags.output ?? "";
    if (output !== "" && output !== "wide" && output !== "name") {
      throw new UsageError(`--output ${output} is not available`);
    }
    const sortBy = flags.sortBy ?? "";
    if (sortBy !== "" && sortBy !== "name" && sortBy !== "kind") {
      throw new UsageError(`--sort-by accepts only name or kind`);
    }
    return {
      output, namespaced: parseBool("namespaced", flags.namespaced), apiGroup: flags.apiGroup,
      verbs: (flags.verbs ?? "").split(",").map((v) => v.trim()).filter(Boolean),
      // commander turns --no-headers into headers: false
      headers: (flags as { headers?: boolean }).headers !== false && flags.noHeaders !== true,
      sortBy,
    };
  },
  async run(o, deps) {
    const all = await discoverResources(await deps.client());
    deps.io.out.write(formatResources(selectResources(all, o), o));
  },
});
