// `skiff run`: start an image as a ReplicationController (--restart=Always) or a bare Pod, as kubectl's run/v1 and run-pod/v1 generators did.
import type { Command } from "commander";
import { envVarNameErrors, labelValueErrors, qualifiedNameErrors } from "../api/validation.ts";
import type { ApiObject, Container, EnvVar, Labels } from "../api/types.ts";
import { addDryRunFlag, addOutputFlag, collect, parseDryRun, printWritten, type DryRun } from "../cli/flags.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface RunFlags {
  image?: string;
  replicas?: string;
  port?: string;
  env: string[];
  labels?: string;
  restart: string;
  command?: boolean;
  imagePullPolicy?: string;
  dryRun?: string;
  output?: string;
}

export interface RunOptions {
  name: string;
  image: string;
  replicas: number;
  port?: number;
  env: EnvVar[];
  labels: Labels;
  restart: "Always" | "Never" | "OnFailure";
  /** Words after the name (usually after `--`): the container's args, or its command with --command. */
  args: string[];
  command: boolean;
  imagePullPolicy?: string;
  dryRun: DryRun;
  output?: string;
}

// The distribution/reference grammar kubectl checks image names against.
const IMAGE_REF = /^((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}))?$/;

/** `k=v,k2=v2` → labels, with kubectl's ParseLabels errors. */
export function parseRunLabels(spec: string): Labels {
  const out: Labels = {};
  for (const pair of spec.split(",")) {
    const kv = pair.split("=");
    if (kv.length !== 2) throw new CliError(`invalid label spec: ${pair}`);
    const [k, v] = kv;
    const errs = [...qualifiedNameErrors(k), ...labelValueErrors(v)];
    if (errs.length > 0) throw new CliError(`invalid label spec: ${pair}`);
    out[k] = v;
  }
  return out;
}

/** `--env K=V` values → EnvVars, with kubectl's ParseEnv errors. */
export function parseEnv(specs: readonly string[]): EnvVar[] {
  return specs.map((spec) => {
    const i = spec.indexOf("=");
    if (i <= 0) throw new CliError(`invalid env: ${spec}`);
    const name = spec.slice(0, i);
    if (envVarNameErrors(name).length > 0) throw new CliError(`invalid env: ${spec}`);
    return { name, value: spec.slice(i + 1) };
  });
}

/**
 * The object `run` creates: an RC (selector = labels, template labels = labels) for Always,
 * a Pod otherwise. Pure; no defaults beyond what kubectl's generators set.
 */
export function buildRunObject(o: RunOptions): ApiObject {
  const container: Container = { name: o.name, image: o.image };
  if (o.args.length > 0) container[o.command ? "command" : "args"] = [...o.args];
  if (o.env.length > 0) container.env = o.env;
  if (o.port !== undefined) container.ports = [{ containerPort: o.port }];
  if (o.imagePullPolicy) container.imagePullPolicy = o.imagePullPolicy;
  container.resources = {};
  if (o.restart === "Always") {
    return {
      apiVersion: "v1", kind: "ReplicationController",
      metadata: { name: o.name, labels: { ...o.labels } },
      spec: {
        replicas: o.replicas,
        selector: { ...o.labels },
        template: { metadata: { labels: { ...o.labels } }, spec: { containers: [container] } },
      },
    };
  }
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: o.name, labels: { ...o.labels } },
    spec: { containers: [container], dnsPolicy: "ClusterFirst", restartPolicy: o.restart },
  };
}

export default defineCommand<RunFlags, RunOptions>({
  name: "run",
  summary: "Run a particular image on the cluster",
  group: "Basic Commands",
  args: "[args...]",
  completeArgs: "none",
  examples: [
    "# Start a single instance of nginx, kept running by a replication controller\nskiff run nginx --image=nginx",
    "# Start three replicas of nginx listening on port 80\nskiff run web --image=nginx --replicas=3 --port=80",
    "# Start a pod of busybox that runs once, with environment variables set in the container\nskiff run job --image=busybox --restart=Never --env=\"DNS_DOMAIN=cluster\" --env=\"POD_NAMESPACE=default\"",
    "# Start a pod of busybox with a custom command\nskiff run hello --image=busybox --restart=Never --command -- sh -c 'echo hello'",
    "# Print the object that would be created, without creating it\nskiff run web --image=nginx --dry-run=client -o yaml",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(c))
    .option("--image <image>", "The image for the container to run.")
    .option("--replicas <n>", "Number of replicas to create. Only used with --restart=Always.", "1")
    .option("--port <port>", "The port that this container exposes.")
    .option("--env <K=V>", "Environment variables to set in the container.", collect, [])
    .option("-l, --labels <labels>", "Comma separated labels to apply to the pod(s). Will override previous values.")
    .option("--restart <policy>", "The restart policy for this Pod.  Legal values [Always, OnFailure, Never]. If set to 'Always' a replication controller is created, otherwise a bare pod.", "Always")
    .option("--command", "If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default.")
    .option("--image-pull-policy <policy>", "The image pull policy for the container. If left empty, this value will not be specified by the client and defaulted by the server."),
  complete(args, flags, deps) {
    if (args.length === 0) throw new UsageError("NAME is required for run");
    const [name, ...rest] = args;
    const image = flags.image ?? "";
    if (image === "") throw new CliError("--image is required");
    if (!IMAGE_REF.test(image)) throw new CliError(`Invalid image name "${image}": invalid reference format`);
    const replicas = Number(flags.replicas ?? "1");
    if (!Number.isInteger(replicas)) {
      throw new UsageError(`invalid argument "${flags.replicas}" for "--replicas" flag: strconv.ParseInt: parsing "${flags.replicas}": invalid syntax`);
    }
    const restart = flags.restart;
    if (restart !== "Always" && restart !== "Never" && restart !== "OnFailure") throw new CliError(`invalid restart policy: ${restart}`);
    let port: number | undefined;
    if (flags.port !== undefined && flags.port !== "") {
      port = Number(flags.port);
      if (!/^-?\d+$/.test(flags.port) || !Number.isSafeInteger(port)) throw new CliError(`strconv.Atoi: parsing "${flags.port}": invalid syntax`);
    }
    return {
      name,
      image,
      replicas,
      port,
      env: parseEnv(flags.env),
      labels: flags.labels ? parseRunLabels(flags.labels) : { run: name },
      restart,
      args: rest,
      command: flags.command ?? false,
      imagePullPolicy: flags.imagePullPolicy,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
    };
  },
  validate(o) {
    // matches kubectl 1.17, whose run/v1 generator only replicated with --restart=Always
    if (o.restart !== "Always" && o.replicas !== 1) {
      throw new UsageError(`--restart=${o.restart} requires that --replicas=1, found ${o.replicas}`);
    }
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const obj = buildRunObject(o);
    const ref = obj.kind === "Pod" ? { kind: "Pod", group: "" } : { kind: "ReplicationController", group: "" };
    if (o.dryRun === "client") {
      const shown: ApiObject = { ...obj, metadata: { ...obj.metadata, creationTimestamp: null as unknown as string } };
      shown.status = obj.kind === "Pod" ? {} : { replicas: 0 };
      await printWritten(shown, ref, "created", o, deps);
      return;
    }
    const client = await deps.client();
    const resource = obj.kind === "Pod" ? "pods" : "replicationcontrollers";
    const created = await client.create(resource, client.namespace, obj,
      { dryRun: o.dryRun === "server", fieldManager: "kubectl-run" });
    await printWritten(created, ref, "created", o, deps);
  },
});
