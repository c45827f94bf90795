// `skiff describe`: one object's details plus its events (and, per kind, related pods or endpoints).
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import { apiVersionOf } from "../api/resources.ts";
import type { ApiObject, Endpoints, Event, Pod, ReplicationController } from "../api/types.ts";
import type { ApiClient, ResourceRef } from "../client/api-client.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import { defineCommand } from "./command.ts";

interface DescribeFlags {
  selector?: string;
  allNamespaces?: boolean;
  showEvents: boolean;
}

export interface DescribeOptions {
  targets: TargetArgs;
  selector?: string;
  allNamespaces: boolean;
  showEvents: boolean;
}

/** What describe needs besides the object: its events and, for some kinds, related objects. */
export interface DescribeExtras {
  events: Event[];
  pods?: Pod[];
  endpoints?: Endpoints;
  /** BuildConfig: its builds. */
  builds?: ApiObject[];
  /** BuildConfig: the API server's URL, for the webhook URLs. */
  server?: string;
  /** DeploymentConfig: the replication controllers of its versions. */
  deployments?: ReplicationController[];
}

/** The field selector kubectl uses to find an object's events. */
export function eventSelector(obj: ApiObject): string {
  const m = obj.metadata;
  return [`involvedObject.name=${m.name ?? ""}`, `involvedObject.namespace=${m.namespace ?? ""}`,
    ...(m.uid ? [`involvedObject.uid=${m.uid}`] : [])].join(",");
}

function selectorOf(set: Record<string, string> | undefined): string | undefined {
  const keys = Object.keys(set ?? {});
  return keys.length === 0 ? undefined : keys.map((k) => `${k}=${set![k]}`).join(",");
}

/** Fetches the events and per-kind related objects for one described object. */
export async function gatherExtras(client: ApiClient, ref: ResourceRef, obj: ApiObject, showEvents: boolean): Promise<DescribeExtras> {
  const ns = obj.metadata.namespace;
  const extras: DescribeExtras = { events: [] };
  if (showEvents) {
    extras.events = (await client.list("events", ns, { fieldSelector: eventSelector(obj) })).items;
  }
  if (ref.resource === "buildconfigs" && ref.group === "build.openshift.io") {
    extras.builds = (await client.list("builds", ns, { labelSelector: `openshift.io/build-config.name=${obj.metadata.name ?? ""}` })).items;
    extras.server = client.server;
  }
  if (ref.resource === "deploymentconfigs" && ref.group === "apps.openshift.io") {
    extras.deployments = (await client.list("replicationcontrollers", ns, { labelSelector: `openshift.io/deployment-config.name=${obj.metadata.name ?? ""}` })).items;
  }
  if (ref.group !== "") return extras;
  if (ref.resource === "replicationcontrollers" || ref.resource === "services") {
    const spec = obj.spec as { selector?: Record<string, string> } | undefined;
    const sel = selectorOf(spec?.selector);
    extras.pods = sel ? (await client.list("pods", ns, { labelSelector: sel })).items : [];
  }
  if (ref.resource === "services") {
    try {
      extras.endpoints = await client.get("endpoints", ns, obj.metadata.name ?? "");
    } catch (e) {
      if (!isApiError(e, "NotFound")) throw e;
    }
  }
  if (ref.resource === "nodes") {
    // matches kubectl, which leaves finished pods out of a node's pod list
    const fieldSelector = `spec.nodeName=${obj.metadata.name ?? ""},status.phase!=Succeeded,status.phase!=Failed`;
    extras.pods = (await client.list("pods", undefined, { fieldSelector })).items;
  }
  return extras;
}

export default defineCommand<DescribeFlags, DescribeOptions>({
  name: "describe",
  summary: "Show details of a specific resource or group of resources",
  group: "Application Management Commands",
  args: "[args...]",
  examples: [
    "# Describe a node\nskiff describe nodes minion-1",
    "# Describe a pod\nskiff describe pods/nginx",
    "# Describe pods by label name=myLabel\nskiff describe pods -l name=myLabel",
    "# Describe all pods whose names start with 'frontend'\nskiff describe pods frontend",
  ],
  flags: (c: Command) => c
    .option("-l, --selector <selector>", "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)).")
    .option("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace.")
    .option("--show-events", "If true, display events related to the described object.", true),
  complete(args, flags) {
    return {
      targets: parseTargets(args, "describe"),
      selector: flags.selector,
      allNamespaces: flags.allNamespaces ?? false,
      showEvents: flags.showEvents,
    };
  },
  async run(o, deps) {
    const client = await deps.client();
    const { describeObject } = await import("../formatters/describe.ts");
    const errors: unknown[] = [];
    let first = true;
    for (const t of await resolveTargets(o.targets, client)) {
      const ns = t.ref.namespaced ? (o.allNamespaces && t.names.length === 0 ? undefined : client.namespace) : undefined;
      const objs: ApiObject[] = [];
      if (t.names.length === 0) {
        objs.push(...(await client.list(t.ref, ns, { labelSelector: o.selector })).items);
      }
      for (const name of t.names) {
        try {
          objs.push(await client.get(t.ref, ns, name));
        } catch (e) {
          // matches kubectl, which describes every object whose name starts with a lone missing name
          if (isApiError(e, "NotFound") && o.targets.form === "types" && t.names.length === 1) {
            const matching = (await client.list(t.ref, ns, { labelSelector: o.selector })).items
              .filter((i) => (i.metadata.name ?? "").startsWith(name));
            if (matching.length > 0) { objs.push(...matching); continue; }
          }
          errors.push(e);
        }
      }
      for (const raw of objs) {
        const obj = raw.kind ? raw : { apiVersion: apiVersionOf(t.ref), kind: t.ref.kind, ...raw };
        const extras = await gatherExtras(client, t.ref, obj, o.showEvents);
        const text = describeObject(obj, { ...extras, now: deps.clock.now() });
        deps.io.out.write(first ? text : `\n\n${text}`);
        first = false;
      }
    }
    if (errors.length > 0) throw new AggregateError(errors);
  },
});
