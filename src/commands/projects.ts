// `skiff projects`: the projects the user can see, the current one marked, in oc's words.
import { getNamedEntry } from "../client/kubeconfig.ts";
import { UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { confirmProjectAccess, contextNickname, listProjects, displayNameForProject, type ProjectInfo } from "./project.ts";

interface ProjectsFlags { short?: boolean }

export interface ProjectsOptions { short: boolean }

/**
 * oc's projects listing. `current` is marked `  * ` (others `    `) only when it exists;
 * `using` is the trailing `Using project …` line, omitted when the current project is gone. Pure.
 */
export function formatProjects(projects: readonly ProjectInfo[], current: string, currentExists: boolean, using: string, short: boolean): string {
  let msg = "";
  if (projects.length === 0) {
    if (!short) msg = "You are not a member of any projects. You can request a project to be created with the 'new-project' command.";
  } else if (projects.length === 1) {
    msg = short ? projects[0].name : `You have one project on this server: "${displayNameForProject(projects[0])}".`;
  } else {
    if (!short) msg = "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n";
    projects.forEach((p, i) => {
      const marker = currentExists && !short ? (p.name === current ? "  * " : "    ") : "";
      if (p.displayName && p.displayName !== p.name && !short) msg += `\n${marker}${p.name} - ${p.displayName}`;
      else msg += `${short && i === 0 ? "" : "\n"}${marker}${p.name}`;
    });
  }
  let out = `${msg}\n`;
  // matches oc, which prints nothing more when the context's project no longer exists
  if (projects.length > 0 && !short && currentExists) out += `\n${using}\n`;
  return out;
}

export default defineCommand<ProjectsFlags, ProjectsOptions>({
  name: "projects",
  summary: "Display existing projects",
  group: "Basic Commands",
  args: "[args...]",
  examples: ["# List all projects\nskiff projects"],
  flags: (c) => c.option("-q, --short", "If true, display only the project names"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError("no arguments should be passed");
    return { short: flags.short ?? false };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const ctx = cfg.currentContext ? getNamedEntry(cfg.merged, "contexts", cfg.currentContext) : undefined;
    const current = ctx?.namespace ?? "";
    const client = await deps.client();
    let exists = false;
    if (current) exists = await confirmProjectAccess(client, current).then(() => true, () => false);
    const projects = await listProjects(client);
    const generated = ctx && cfg.currentContext === contextNickname(current, ctx.cluster, ctx.user);
    const using = generated || !ctx
      ? `Using project "${current}" on server "${client.server}".`
      : `Using project "${current}" from context named "${cfg.currentContext}" on server "${client.server}".`;
    deps.io.out.write(formatProjects(projects, current, exists, using, o.short));
  },
});
