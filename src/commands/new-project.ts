// `skiff new-project NAME`: requests a project (a plain Namespace on servers without
// project.openshift.io), then makes it the current one, as `oc new-project` does.
import type { Command } from "commander";
import type { ApiObject } from "../api/types.ts";
import { getNamedEntry } from "../client/kubeconfig.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { switchMessage, switchToProject } from "./project.ts";

interface NewProjectFlags {
  displayName?: string;
  description?: string;
  skipConfigWrite?: boolean;
}

export interface NewProjectOptions {
  name: string;
  displayName: string;
  description: string;
  skipConfigWrite: boolean;
}

/** What oc prints after switching to the new project: how to add an application. */
export const NEW_APP_HINT = `
You can add applications to this project with the 'new-app' command. For example, try:

    skiff new-app -f examples/hello-template.json

to build a new example application in Node.js. Or create a simple Kubernetes application from a manifest:

    skiff create -f examples/hello-web.yaml

`;

/** oc's text when the kubeconfig is left alone (--skip-config-write). */
export function createdNoSwitchMessage(name: string, server: string): string {
  return `Project "${name}" created on server "${server}".\n\nTo switch to this project and start adding applications, use:\n\n    skiff project ${name}\n`;
}

export default defineCommand<NewProjectFlags, NewProjectOptions>({
  name: "new-project",
  summary: "Request a new project",
  group: "Basic Commands",
  args: "[args...]",
  completeArgs: "none",
  examples: [
    "# Create a new project with minimal information\nskiff new-project web-team-dev",
    "# Create a new project with a display name and description\nskiff new-project web-team-dev --display-name=\"Web Team Development\" --description=\"Development project for the web team.\"",
  ],
  flags: (c: Command) => c
    .option("--display-name <name>", "Project display name")
    .option("--description <text>", "Project description")
    .option("--skip-config-write", "If true, the project will not be set as a cluster entry in kubeconfig after being created"),
  complete(args, flags) {
    if (args.length !== 1) throw new UsageError("must have exactly one argument");
    return {
      name: args[0],
      displayName: flags.displayName ?? "",
      description: flags.description ?? "",
      skipConfigWrite: flags.skipConfigWrite ?? false,
    };
  },
  async run(o, deps) {
    const client = await deps.client();
    let requests;
    try {
      requests = await client.resolve("projectrequests");
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
    }
    if (requests) {
      // oc first lists projectrequests: the server answers whether this user may self-provision
      await client.list(requests, undefined);
      const body: ApiObject = {
        kind: "ProjectRequest", apiVersion: "project.openshift.io/v1",
        metadata: { name: o.name, annotations: {} },
        ...(o.displayName ? { displayName: o.displayName } : {}),
        ...(o.description ? { description: o.description } : {}),
      };
      await client.create(requests, undefined, body);
    } else {
      // a plain Kubernetes server: the namespace carries what a project would
      const annotations: Record<string, string> = {};
      if (o.displayName) annotations["openshift.io/display-name"] = o.displayName;
      if (o.description) annotations["openshift.io/description"] = o.description;
      await client.create("namespaces", undefined, {
        apiVersion: "v1", kind: "Namespace",
        metadata: { name: o.name, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      });
    }
    if (o.skipConfigWrite) {
      deps.io.out.write(createdNoSwitchMessage(o.name, client.server));
      return;
    }
    const cfg = await deps.config();
    const previous = getNamedEntry(cfg.merged, "contexts", cfg.currentContext)?.namespace ?? "";
    const r = await switchToProject(deps, cfg, o.name);
    deps.io.out.write(switchMessage(o.name, previous, r, client.server) + NEW_APP_HINT);
  },
});
