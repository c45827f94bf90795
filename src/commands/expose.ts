// `skiff expose`: make a Service for a pod, replication controller or service, from its selector/labels and ports.
import type { Command } from "commander";
import type { ApiObject, Labels, Pod, ReplicationController, Service, ServicePort } from "../api/types.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, parseDryRun, printWritten, type DryRun,
} from "../cli/flags.ts";
import { parseTargets, type TargetArgs } from "../cli/targets.ts";
import { CliError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { NO_RESOURCES, pickObjects } from "./scale.ts";
import { parseRunLabels } from "./run.ts";

interface ExposeFlags {
  filename: string[];
  recursive?: boolean;
  port?: string;
  targetPort?: string;
  name?: string;
  type?: string;
  protocol?: string;
  selector?: string;
  labels?: string;
  externalIp?: string;
  clusterIp?: string;
  sessionAffinity?: string;
  dryRun?: string;
  output?: string;
}

export interface ExposeOptions {
  filenames: string[];
  recursive: boolean;
  targets?: TargetArgs;
  port?: string;
  targetPort?: string;
  name?: string;
  type?: string;
  protocol?: string;
  selector?: string;
  labels?: Labels;
  externalIp?: string;
  clusterIp?: string;
  sessionAffinity?: string;
  dryRun: DryRun;
  output?: string;
}

const EXPOSABLE = new Set(["Pod", "Service", "ReplicationController", "Deployment", "ReplicaSet", "DeploymentConfig"]);

/** The pod selector of an exposable object, with kubectl's errors for objects that have none. */
export function selectorForObject(obj: ApiObject): Labels {
  switch (obj.kind) {
    case "Pod": {
      const labels = obj.metadata.labels ?? {};
      if (Object.keys(labels).length === 0) throw new CliError("the pod has no labels and cannot be exposed");
      return labels;
    }
    case "Service": {
      const sel = (obj as Service).spec?.selector ?? {};
      if (Object.keys(sel).length === 0) throw new CliError("the service has no pod selector set");
      return sel;
    }
    case "ReplicationController":
      return (obj as ReplicationController).spec?.selector ?? {};
    default: {
      const spec = obj.spec as { selector?: { matchLabels?: Labels } & Labels } | undefined;
      const sel = spec?.selector;
      if (sel && typeof sel.matchLabels === "object") return sel.matchLabels;
      return (sel ?? {}) as Labels;
    }
  }
}

/** Ports (as strings) and port → protocol of an exposable object, as kubectl's Ports/ProtocolsForObject. */
export function portsForObject(obj: ApiObject): { ports: string[]; protocols: Record<string, string> } {
  const ports: string[] = [];
  const protocols: Record<string, string> = {};
  const add = (port: number, protocol: string | undefined): void => {
    ports.push(String(port));
    protocols[String(port)] = protocol ?? "TCP";
  };
  if (obj.kind === "Service") {
    for (const p of (obj as Service).spec?.ports ?? []) add(p.port, p.protocol);
    return { ports, protocols };
  }
  const podSpec = obj.kind === "Pod" ? (obj as Pod).spec
    : (obj.spec as { template?: { spec?: Pod["spec"] } } | undefined)?.template?.spec;
  for (const c of podSpec?.containers ?? []) for (const p of c.ports ?? []) add(p.containerPort, p.protocol);
  return { ports, protocols };
}

/** The Service kubectl's service/v2 generator builds for `obj`. Pure; throws CliError for what it cannot build. */
export function buildService(obj: ApiObject, o: ExposeOptions): Service {
  const kind = obj.kind ?? "";
  if (!EXPOSABLE.has(kind)) throw new CliError(`cannot expose a ${kind}`);
  const selector = o.selector !== undefined ? parseRunLabels(o.selector) : selectorForObject(obj);
  let portStrings: string[];
  let protocols: Record<string, string> = {};
  if (o.port) {
    portStrings = o.port.split(",");
    protocols = portsForObject(obj).protocols;
  } else {
    const found = portsForObject(obj);
    portStrings = found.ports;
    protocols = found.protocols;
    if (portStrings.length === 0) throw new CliError("couldn't find port via --port flag or introspection");
  }
  const multi = portStrings.length > 1;
  const ports: ServicePort[] = portStrings.map((s, i) => {
    const port = Number(s);
    if (!/^\d+$/.test(s)) throw new CliError(`strconv.Atoi: parsing "${s}": invalid syntax`);
    const p: ServicePort = { port, protocol: o.protocol || protocols[s] || "TCP" };
    if (multi) p.name = `port-${i + 1}`;
    const target = o.targetPort;
    p.targetPort = target ? (/^\d+$/.test(target) ? Number(target) : target) : port;
    return p;
  });
  const labels = o.labels ?? obj.metadata.labels;
  const spec: Service["spec"] = { ports, selector: { ...selector } };
  if (o.type) spec.type = o.type;
  if (o.externalIp) spec.externalIPs = [o.externalIp];
  if (o.clusterIp) spec.clusterIP = o.clusterIp;
  if (o.sessionAffinity) spec.sessionAffinity = o.sessionAffinity;
  const metadata: ApiObject["metadata"] = { name: o.name || obj.metadata.name };
  if (labels && Object.keys(labels).length > 0) metadata.labels = { ...labels };
  return { apiVersion: "v1", kind: "Service", metadata, spec };
}

export default defineCommand<ExposeFlags, ExposeOptions>({
  name: "expose",
  summary: "Expose a replicated application as a service or route",
  group: "Application Management Commands",
  args: "[args...]",
  completeArgs: { resources: ["pods", "replicationcontrollers", "services"] },
  examples: [
    "# Create a service for a replication controller 'web', which serves on port 80 and connects to the containers on port 8000\nskiff expose rc web --port=80 --target-port=8000",
    "# Create a service for a pod valid-pod, which serves on port 444 with the name \"frontend\"\nskiff expose pod valid-pod --port=444 --name=frontend",
    "# Create a second service based on the above service, exposing the container port 8443 as port 443 with the name \"nginx-https\"\nskiff expose service nginx --port=443 --target-port=8443 --name=nginx-https",
    "# Expose the ports the containers of replication controller 'web' declare, on every node\nskiff expose rc/web --type=NodePort",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "identifying the resource to expose a service")))
    .option("--port <port>", "The port that the service should serve on. Copied from the resource being exposed, if unspecified")
    .option("--target-port <port>", "Name or number for the port on the container that the service should direct traffic to. Optional.")
    .option("--name <name>", "The name for the newly created object.")
    .option("--type <type>", "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'.")
    .option("--protocol <protocol>", "The network protocol for the service to be created. Default is 'TCP'.")
    .option("--selector <selector>", "A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)")
    .option("-l, --labels <labels>", "Labels to apply to the service created by this call.")
    .option("--external-ip <ip>", "Additional external IP address (not managed by Kubernetes) to accept for the service.")
    .option("--cluster-ip <ip>", "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service.")
    .option("--session-affinity <affinity>", "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'"),
  complete(args, flags, deps) {
    const targets = args.length > 0 ? parseTargets(args, "expose") : undefined;
    if (!targets && flags.filename.length === 0) throw new CliError(NO_RESOURCES);
    if (targets?.form === "types" && targets.names.length === 0) throw new CliError("resource(s) were provided, but no name was specified");
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      targets,
      port: flags.port || undefined,
      targetPort: flags.targetPort || undefined,
      name: flags.name || undefined,
      type: flags.type || undefined,
      protocol: flags.protocol || undefined,
      selector: flags.selector || undefined,
      labels: flags.labels ? parseRunLabels(flags.labels) : undefined,
      externalIp: flags.externalIp || undefined,
      clusterIp: flags.clusterIp || undefined,
      sessionAffinity: flags.sessionAffinity || undefined,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
    };
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const client = await deps.client();
    const picked = await pickObjects(client, deps, { ...o, all: false });
    const ref = { kind: "Service", group: "" };
    for (const p of picked) {
      const obj = { ...p.obj, kind: p.obj.kind ?? p.ref.kind };
      const svc = buildService(obj, o);
      if (o.dryRun === "client") {
        await printWritten(svc, ref, "exposed", o, deps);
        continue;
      }
      const created = await client.create("services", p.ns ?? client.namespace, svc,
        { dryRun: o.dryRun === "server", fieldManager: "kubectl-expose" });
      await printWritten(created, ref, "exposed", o, deps);
    }
  },
});
