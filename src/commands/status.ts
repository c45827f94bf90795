// `skiff status`: an overview of the current project — services, deployment configs, builds,
// controllers and pods as pipelines — as `oc status` prints it. Reads only; tolerates kinds
// the server does not serve (a plain Kubernetes cluster has no builds or routes).
import { isApiError } from "../api/errors.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { displayNameOf } from "./project.ts";

interface StatusFlags { suggest?: boolean }

export interface StatusOptions { suggest: boolean }

/** Lists one resource in `ns`; an unknown or forbidden resource is an empty list, as oc tolerates it. */
export async function listTolerant(client: ApiClient, resource: string, ns: string | undefined): Promise<ApiObject[]> {
  try {
    const ref = await client.resolve(resource);
    return (await client.list(ref, ref.namespaced ? ns : undefined)).items;
  } catch (e) {
    if (e instanceof CliError && /doesn't have a resource type/.test(e.message)) return [];
    if (isApiError(e, "NotFound") || isApiError(e, "Forbidden")) return [];
    throw e;
  }
}

async function getProject(client: ApiClient, ns: string): Promise<ApiObject | undefined> {
  for (const resource of ["projects", "namespaces"]) {
    try {
      return await client.get(await client.resolve(resource), undefined, ns);
    } catch (e) {
      if (!(e instanceof CliError) && !isApiError(e, "NotFound") && !isApiError(e, "Forbidden")) throw e;
    }
  }
  return undefined;
}

export default defineCommand<StatusFlags, StatusOptions>({
  name: "status",
  summary: "Show a high level overview of the current project",
  group: "Basic Commands",
  args: "[args...]",
  completeArgs: "none",
  examples: [
    "# See an overview of the current project\nskiff status",
    "# See an overview of the current project, with details on what to improve\nskiff status --suggest",
    "# See an overview of another project\nskiff status -n demo",
  ],
  flags: (c) => c.option("--suggest", "See details for resolving issues."),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`no arguments should be provided`);
    return { suggest: flags.suggest ?? false };
  },
  async run(o, deps) {
    const client = await deps.client();
    const ns = client.namespace;
    const [services, routes, deploymentConfigs, buildConfigs, builds, imageStreams, replicationControllers, deployments, replicaSets, pods, project] =
      await Promise.all([
        listTolerant(client, "services", ns), listTolerant(client, "routes", ns),
        listTolerant(client, "deploymentconfigs", ns), listTolerant(client, "buildconfigs", ns),
        listTolerant(client, "builds", ns), listTolerant(client, "imagestreams", ns),
        listTolerant(client, "replicationcontrollers", ns), listTolerant(client, "deployments", ns),
        listTolerant(client, "replicasets", ns), listTolerant(client, "pods", ns), getProject(client, ns),
      ]);
    const { formatProjectStatus } = await import("../formatters/project-status.ts");
    deps.io.out.write(formatProjectStatus({
      project: { name: ns, displayName: project ? displayNameOf(project) : "" },
      server: client.server, now: deps.clock.now(), command: "skiff", suggest: o.suggest,
      services, routes, deploymentConfigs, buildConfigs, builds, imageStreams, replicationControllers, deployments, replicaSets, pods,
    }));
  },
});
