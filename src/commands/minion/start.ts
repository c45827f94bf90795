// `skiff minion start`: runs one minion (a simulated kubelet) in the foreground against the
// control plane of the current kubeconfig context; it may run on another machine.
import { homedir } from "node:os";
import { isIP } from "node:net";
import { tryParseQuantity } from "../../api/quantity.ts";
import { dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from "../../api/validation.ts";
import { skiffHome } from "../../cli/self.ts";
import { engineIsSeparate, loadEngine } from "../../controlplane/load-engine.ts";
import type { RunMinionOptions } from "../../controlplane/minion/main.ts";
import { UsageError } from "../../errors.ts";
import { parseCount, parsePeriod } from "../cluster/up.ts";
import { defineCommand } from "../command.ts";

interface MinionFlags {
  name?: string; cpu?: string; memory?: string; pods?: string; labels?: string;
  address?: string; logPort?: string; podCidr?: string; nodeStatusUpdateFrequency?: string;
}

/** What the command line gives runMinion. */
export type MinionStartOptions = Pick<RunMinionOptions,
  "name" | "cpu" | "memory" | "pods" | "labels" | "address" | "logPort" | "podCIDR" | "heartbeatMs">;

/** Parses `k=v,k2=v2` into labels, with the API's key and value rules. */
export function parseLabelList(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  for (const pair of s.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`invalid label "${pair}": expected key=value`);
    const k = pair.slice(0, eq);
    const v = pair.slice(eq + 1);
    const errs = [...qualifiedNameErrors(k), ...labelValueErrors(v)];
    if (errs.length > 0) throw new UsageError(`invalid label "${pair}": ${errs[0]}`);
    out[k] = v;
  }
  return out;
}

export default defineCommand<MinionFlags, MinionStartOptions>({
  name: "minion start",
  summary: "Run a simulated minion (node agent) in the foreground",
  group: "Advanced Commands",
  examples: [
    "skiff minion start --name node-1",
    "skiff minion start --name big-1 --cpu 16 --memory 64Gi --labels zone=a,disk=ssd",
    "skiff minion start --name far-1 --address 192.168.1.20 --log-port 10250",
  ],
  flags: (c) => c
    .option("--name <name>", "Node name to register (required)")
    .option("--cpu <quantity>", "CPU capacity", "4")
    .option("--memory <quantity>", "Memory capacity", "8Gi")
    .option("--pods <n>", "Maximum number of pods", "110")
    .option("--labels <k=v,...>", "Extra node labels")
    .option("--address <ip>", "InternalIP to report; container logs are served there", "127.0.0.1")
    .option("--log-port <port>", "HTTPS port for container logs; 0 picks a free one", "0")
    .option("--pod-cidr <cidr>", "Pod CIDR (default: the node's existing one, else a free /24 of 10.128.0.0/14)")
    .option("--node-status-update-frequency <duration>", "How often the node status is posted to the control plane (default 10s)"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    if (!flags.name) throw new UsageError("--name is required");
    const nameErr = dns1123SubdomainErrors(flags.name)[0];
    if (nameErr) throw new UsageError(`invalid minion name "${flags.name}": ${nameErr}`);
    const cpu = flags.cpu ?? "4";
    const memory = flags.memory ?? "8Gi";
    for (const [flag, v] of [["cpu", cpu], ["memory", memory]] as const) {
      if (tryParseQuantity(v) === undefined) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
    }
    const address = flags.address ?? "127.0.0.1";
    if (isIP(address) === 0) throw new UsageError(`invalid argument "${address}" for "--address" flag: must be an IP address`);
    const podCIDR = flags.podCidr;
    if (podCIDR !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-9]|30)$/.test(podCIDR)) {
      throw new UsageError(`invalid argument "${podCIDR}" for "--pod-cidr" flag: must be an IPv4 CIDR between /16 and /30`);
    }
    return {
      name: flags.name, cpu, memory, address, podCIDR,
      pods: parseCount("pods", flags.pods ?? "110", 100_000)!,
      labels: parseLabelList(flags.labels),
      logPort: parseCount("log-port", flags.logPort ?? "0", 65535)!,
      heartbeatMs: parsePeriod("--node-status-update-frequency", flags.nodeStatusUpdateFrequency),
    };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const { runMinion } = await loadEngine();
    await runMinion({
      ...o, connection: cfg.connection, client: engineIsSeparate() ? undefined : await deps.client(), stateDir: skiffHome(deps.env, deps.env.HOME || homedir()),
      clock: deps.clock, random: deps.random, signal: deps.signal,
      log: (line) => deps.io.err.write(`${line}\n`),
    });
  },
});
