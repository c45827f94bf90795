// The CompletionSource of a real run: names, namespaces and discovery from the current server
// under one hard time budget, and context/cluster/user names from the kubeconfig.
import type { Deps } from "../../deps.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { CompletionSource, TypeInfo } from "./engine.ts";

/** How long a TAB may wait for the server, in total; after that the shell gets what is known. */
export const SERVER_BUDGET_MS = 1000;

// Only names are needed: metadata-only lists are a fraction of full objects (kubectl's
// completion fetches whole objects through a go-template; this is the same answer, lighter).
const METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json";
const DISCOVERY_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

interface AggregatedList {
  items?: {
    metadata?: { name?: string };
    versions?: { version: string; resources?: { resource: string; scope?: string; singularResource?: string;
      shortNames?: string[]; responseKind?: { kind?: string }; verbs?: string[] }[] }[];
  }[];
}

function typesOf(body: AggregatedList): TypeInfo[] {
  const out: TypeInfo[] = [];
  for (const g of body.items ?? []) {
    const version = g.versions?.[0];   // the preferred version comes first
    if (!version) continue;
    for (const r of version.resources ?? []) {
      if (r.verbs && !r.verbs.includes("list")) continue;
      out.push({
        resource: r.resource, group: g.metadata?.name ?? "", version: version.version, kind: r.responseKind?.kind ?? "",
        singular: r.singularResource ?? "", short: r.shortNames ?? [], namespaced: r.scope === "Namespaced",
      });
    }
  }
  return out;
}

/**
 * A source over deps (config, client) whose server requests all share one AbortSignal that
 * fires after `budgetMs`: a slow or dead server costs a TAB at most that long, and aborted
 * requests leave nothing running that would keep the process alive. Lookups reject on any
 * failure; the engine turns that into "no candidates".
 */
export function serverSource(deps: Deps, budgetMs = SERVER_BUDGET_MS): CompletionSource {
  const signal = AbortSignal.timeout(budgetMs);
  let client: Promise<ApiClient> | undefined;
  const getClient = (): Promise<ApiClient> => (client ??= deps.client());
  const getJson = async <T>(path: string, accept: string): Promise<T> => {
    const c = await getClient();
    signal.throwIfAborted();
    const res = await c.raw({ method: "GET", path, headers: { accept }, signal });
    if (res.status !== 200 || res.body === undefined) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return JSON.parse(res.body) as T;
  };
  const namesAt = async (path: string): Promise<string[]> => {
    const list = await getJson<{ items?: { metadata?: { name?: string } }[] }>(path, METADATA_ACCEPT);
    return (list.items ?? []).map((i) => i.metadata?.name ?? "").filter((n) => n !== "");
  };
  let discovered: Promise<TypeInfo[]> | undefined;
  return {
    async names(t) {
      const prefix = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
      const ns = t.namespaced ? `/namespaces/${encodeURIComponent((await getClient()).namespace)}` : "";
      return namesAt(`${prefix}${ns}/${t.resource}`);
    },
    namespaces: () => namesAt("/api/v1/namespaces"),
    discover() {
      discovered ??= Promise.all([
        getJson<AggregatedList>("/api", DISCOVERY_ACCEPT).then(typesOf, () => []),
        getJson<AggregatedList>("/apis", DISCOVERY_ACCEPT).then(typesOf, () => []),
      ]).then(([core, groups]) => [...core, ...groups]);
      return discovered;
    },
    async kubeconfig(section) {
      const cfg = await deps.config();
      return (cfg.merged[section] as { name: string }[]).map((e) => e.name);
    },
  };
}
