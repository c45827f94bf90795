// `skiff project [NAME]`: shows or switches the current project, and the project helpers that
// `projects` and `new-project` share (listing, access checks, the kubeconfig switch) — oc's wording.
import { homedir } from "node:os";
import { isApiError } from "../api/errors.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import {
  getNamedEntry, updateKubeConfig, upsertNamedEntry, writableConfigPath, type LoadedConfig,
} from "../client/kubeconfig.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

/** A project as the commands see it (a Project, or a Namespace on a plain Kubernetes server). */
export interface ProjectInfo {
  name: string;
  displayName: string;
}

/** oc's generated context name: `<namespace>/<cluster>/<user before any "/">`. */
export function contextNickname(namespace: string, cluster: string, user: string): string {
  return `${namespace}/${cluster}/${user.split("/")[0]}`;
}

/** `openshift.io/display-name`, else the legacy `displayName` annotation. */
export function displayNameOf(obj: ApiObject): string {
  const a = obj.metadata.annotations ?? {};
  return a["openshift.io/display-name"] || a.displayName || "";
}

/** oc's DisplayNameForProject: `Display (name)` when a different display name is set. */
export function displayNameForProject(p: ProjectInfo): string {
  return p.displayName && p.displayName !== p.name ? `${p.displayName} (${p.name})` : p.name;
}

const tolerable = (e: unknown): boolean => isApiError(e, "NotFound") || isApiError(e, "Forbidden")
  || (e instanceof CliError && /doesn't have a resource type/.test(e.message));

/**
 * Projects the user can see, sorted by name: `projects` from project.openshift.io, or the
 * namespaces when the server has no projects (or forbids listing them), as oc's GetProjects.
 */
export async function listProjects(client: ApiClient): Promise<ProjectInfo[]> {
  let items: ApiObject[];
  try {
    items = (await client.list(await client.resolve("projects"), undefined)).items;
  } catch (e) {
    if (!tolerable(e)) throw e;
    items = (await client.list("namespaces", undefined)).items;
  }
  return items.map((o) => ({ name: o.metadata.name ?? "", displayName: displayNameOf(o) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * oc's ConfirmProjectAccess: the project, else the namespace of that name. Resolves when
 * either exists; otherwise rethrows the project lookup's error (NotFound or Forbidden).
 */
export async function confirmProjectAccess(client: ApiClient, name: string): Promise<void> {
  let projectErr: unknown;
  try {
    await client.get(await client.resolve("projects"), undefined, name);
    return;
  } catch (e) {
    if (!tolerable(e)) throw e;
    projectErr = e;
  }
  try {
    await client.get("namespaces", undefined, name);
  } catch (e) {
    if (projectErr instanceof CliError) throw e;
    throw projectErr;
  }
}

/** What a switch did, for the message. */
export interface SwitchResult {
  context: string;
  namespace: string;
  /** The context was found by its name (`skiff project <context>`), not created for a project. */
  byContextName: boolean;
  generatedName: boolean;
}

/**
 * Makes `project` the current one in the kubeconfig. A context named the oc way
 * (`ns/cluster/user`) gets a sibling context for the new project (an identical one is reused),
 * as oc's smart merge does; any other context (e.g. skiff's own) has its namespace changed in
 * place, so tools sharing the file keep their context name. Throws CliError without a context.
 */
export async function switchToProject(deps: Deps, cfg: LoadedConfig, project: string): Promise<SwitchResult> {
  const current = cfg.currentContext;
  const ctx = current ? getNamedEntry(cfg.merged, "contexts", current) : undefined;
  if (!ctx) throw new CliError("no current context is set: log in or create a context first");
  const home = deps.env.HOME || homedir();
  const path = await writableConfigPath(deps.env, deps.flags, home, { section: "contexts", name: current });
  const generated = current === contextNickname(ctx.namespace ?? "", ctx.cluster, ctx.user);
  let name = current;
  await updateKubeConfig(path, (file) => {
    if (generated) {
      const twin = file.contexts.find((c) => c.context.cluster === ctx.cluster && c.context.user === ctx.user
        && (c.context.namespace ?? "") === project);
      name = twin?.name ?? contextNickname(project, ctx.cluster, ctx.user);
      if (!twin) upsertNamedEntry(file, "contexts", name, (c) => { c.cluster = ctx.cluster; c.user = ctx.user; c.namespace = project; });
    } else {
      upsertNamedEntry(file, "contexts", current, (c) => {
        c.cluster ??= ctx.cluster;
        c.user ??= ctx.user;
        c.namespace = project;
      });
    }
    file["current-context"] = name;
  });
  return { context: name, namespace: project, byContextName: false, generatedName: generated };
}

/** oc's line after a switch (`Now using project …`, `Already on project …`, …). */
export function switchMessage(argument: string, previous: string, r: SwitchResult, server: string): string {
  if (!r.namespace) return `Now using context named "${r.context}" on server "${server}".\n`;
  if (previous === r.namespace) return `Already on project "${previous}" on server "${server}".\n`;
  if (argument === r.namespace && !r.byContextName) return `Now using project "${r.namespace}" on server "${server}".\n`;
  return `Now using project "${r.namespace}" from context named "${r.context}" on server "${server}".\n`;
}

interface ProjectFlags { short?: boolean }

export interface ProjectOptions {
  name?: string;
  short: boolean;
}

export default defineCommand<ProjectFlags, ProjectOptions>({
  name: "project",
  summary: "Switch to another project",
  group: "Basic Commands",
  args: "[args...]",
  completeArgs: { resource: "namespaces", max: 1 },
  examples: [
    "# Switch to the 'myapp' project\nskiff project myapp",
    "# Display the project currently in use\nskiff project",
  ],
  flags: (c) => c.option("-q, --short", "If true, display only the project name"),
  complete(args, flags) {
    if (args.length > 1) throw new UsageError("Only one argument is supported (project name or context name).");
    return { name: args[0] || undefined, short: flags.short ?? false };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const ctx = cfg.currentContext ? getNamedEntry(cfg.merged, "contexts", cfg.currentContext) : undefined;
    const currentProject = ctx?.namespace ?? "";
    if (!o.name) {
      if (!currentProject) {
        if (o.short) throw new CliError("no project has been set");
        deps.io.out.write("No project has been set. Pass a project name to make that the default.\n");
        return;
      }
      const client = await deps.client();
      try {
        await confirmProjectAccess(client, currentProject);
      } catch (e) {
        if (isApiError(e, "NotFound") || isApiError(e, "Forbidden")) {
          throw new CliError(`you do not have rights to view project "${currentProject}" specified in your config or the project doesn't exist`);
        }
        throw e;
      }
      deps.io.out.write(o.short ? `${currentProject}\n` : `Using project "${currentProject}" on server "${client.server}".\n`);
      return;
    }
    const argument = o.name;
    const named = getNamedEntry(cfg.merged, "contexts", argument);
    if (named) {
      // an existing context's name switches to that context, as oc allows
      const home = deps.env.HOME || homedir();
      const path = await writableConfigPath(deps.env, deps.flags, home, { section: "current-context" });
      await updateKubeConfig(path, (file) => { file["current-context"] = argument; });
      const server = getNamedEntry(cfg.merged, "clusters", named.cluster)?.server ?? "";
      const r: SwitchResult = { context: argument, namespace: named.namespace ?? "", byContextName: true, generatedName: false };
      deps.io.out.write(o.short ? `${r.namespace}\n` : switchMessage(argument, currentProject, r, server));
      return;
    }
    const client = await deps.client();
    try {
      await confirmProjectAccess(client, argument);
    } catch (e) {
      const notFound = isApiError(e, "NotFound") || (e instanceof CliError && /doesn't have a resource type/.test(e.message));
      if (!notFound && !isApiError(e, "Forbidden")) throw e;
      let msg = notFound ? `A project named "${argument}" does not exist on "${client.server}".` : `You are not a member of project "${argument}".`;
      const projects = await listProjects(client).catch(() => undefined);
      if (projects) {
        if (projects.length === 0) msg += "\nYou are not a member of any projects. You can request a project to be created with the 'new-project' command.";
        else if (projects.length === 1) msg += `\nYou have one project on this server: ${displayNameForProject(projects[0])}`;
        else msg += `\nYour projects are:${projects.map((p) => `\n* ${displayNameForProject(p)}`).join("")}`;
      }
      const servers = new Set(cfg.merged.clusters.map((c) => c.cluster.server ?? ""));
      if (servers.size > 1) msg += "\nTo see projects on another server, pass '--server=<server>'.";
      throw new CliError(msg);
    }
    const r = await switchToProject(deps, cfg, argument);
    deps.io.out.write(o.short ? `${r.namespace}\n` : switchMessage(argument, currentProject, r, client.server));
  },
});
