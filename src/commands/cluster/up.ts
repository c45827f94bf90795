// `skiff cluster up`: starts the embedded control plane in the background and points the
// kubeconfig's `skiff` context at it; harmless when it is already running.
import { homedir } from "node:os";
import { defineCommand } from "../command.ts";
import { UsageError } from "../../errors.ts";
import { selfCommand, skiffHome } from "../../cli/self.ts";
import { writableConfigPath } from "../../client/kubeconfig.ts";
import { parseDuration } from "../../cli/duration.ts";
import { startProgress } from "../../cli/progress.ts";

interface UpFlags { port?: string; listen?: string; wait?: boolean; minions?: string; nodeMonitorGracePeriod?: string; podEvictionTimeout?: string }

export interface UpOptions {
  dataDir: string;
  /** undefined: the control plane's default. */
  port?: number;
  listen?: string;
  wait: boolean;
  /** In-process minions of the control plane (its default, 3, when undefined). */
  minions?: number;
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
}

/** Parses a non-negative integer flag; UsageError names the flag like kubectl's pflag errors. */
export function parseCount(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) {
    throw new UsageError(`invalid argument "${value}" for "--${flag}" flag: must be an integer between 0 and ${max}`);
  }
  return Number(value);
}

/** A positive Go duration flag (`40s`, `5m0s`) in ms; undefined when not given. */
export function parsePeriod(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value, flag);
  if (ms <= 0) throw new UsageError(`invalid argument "${value}" for "${flag}" flag: must be greater than 0`);
  return ms;
}

export default defineCommand<UpFlags, UpOptions>({
  name: "cluster up",
  summary: "Start the embedded control plane on this machine",
  group: "Advanced Commands",
  examples: ["skiff cluster up", "skiff cluster up --port 7443 --wait", "SKIFF_HOME=/tmp/dev skiff cluster up"],
  flags: (c) => c
    .option("--port <port>", "HTTPS port to serve on (default: the previous run's port if free, else any free port)")
    .option("--listen <address>", "Address to listen on (default 127.0.0.1)")
    .option("--wait", "Wait until the API server answers its health check")
    .option("--minions <n>", "Number of simulated minions to run (default 3)")
    .option("--node-monitor-grace-period <duration>", "How long a minion may go without a heartbeat before its node is NotReady (default 40s)")
    .option("--pod-eviction-timeout <duration>", "How long a node may be NotReady before its pods are deleted (default 5m0s)"),
  complete(args, flags, deps) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    return {
      dataDir: skiffHome(deps.env, deps.env.HOME || homedir()),
      port: parseCount("port", flags.port, 65535),
      listen: flags.listen,
      wait: flags.wait ?? false,
      minions: parseCount("minions", flags.minions, 1000),
      nodeMonitorGracePeriodMs: parsePeriod("--node-monitor-grace-period", flags.nodeMonitorGracePeriod),
      podEvictionTimeoutMs: parsePeriod("--pod-eviction-timeout", flags.podEvictionTimeout),
    };
  },
  async run(o, deps) {
    const { clusterUp } = await import("../../controlplane/cluster.ts");
    const kubeconfigPath = await writableConfigPath(deps.env, deps.flags, deps.env.HOME || homedir(), { section: "contexts", name: "skiff" });
    const progress = o.wait ? await startProgress(deps.io, "Waiting for the API server to answer its health check", deps.env) : undefined;
    let res: Awaited<ReturnType<typeof clusterUp>>;
    try {
      res = await clusterUp({
        dataDir: o.dataDir, port: o.port, listen: o.listen, wait: o.wait,
        binary: selfCommand(), kubeconfigPath, env: { ...deps.env },
        minions: o.minions, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: o.podEvictionTimeoutMs,
      });
    } catch (e) {
      progress?.fail("The API server did not become healthy");
      throw e;
    }
    progress?.succeed(`The API server is healthy at ${res.url}`);
    const out = deps.io.out;
    if (res.alreadyRunning) {
      out.write(`skiff control plane is already running at ${res.url}\n`);
    } else {
      out.write(`skiff control plane is running at ${res.url}\n`);
    }
    out.write(`Context "skiff" is now current in ${kubeconfigPath}.\n\n`);
    out.write(`Data directory: ${o.dataDir}\n\n`);
    out.write("To use it:\n    skiff get pods\n\n");
    out.write(`To log in from another kubeconfig:\n    skiff login ${res.url} --certificate-authority=${o.dataDir}/ca.crt --token=$(cat ${o.dataDir}/token)\n\n`);
    out.write("To stop it:\n    skiff cluster down\n");
  },
});
