// The library behind `skiff cluster up/down/status`: a detached control-plane process per data dir, and its kubeconfig context.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { dump, load } from "js-yaml";
import { CliError } from "../errors.ts";
import { ENDPOINT_FILE, readEndpoint } from "./endpoint.ts";

/** The name of the cluster, user and context `cluster up` writes into the kubeconfig. */
export const SKIFF_CONTEXT = "skiff";

const PID_FILE = "server.pid";
const LOG_FILE = "server.log";
/** Remembers the port of the last `cluster up`, so a restart keeps kubeconfigs valid. */
const CLUSTER_FILE = "cluster.json";
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ClusterUpOptions {
  dataDir: string;
  /** 0 or undefined: the port of the previous run if it is free, else any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  listen?: string;
  /**
   * true (default): return once /healthz answers over HTTPS. false: return once the server
   * has written its credentials and endpoint (needed for the kubeconfig), without probing.
   */
  wait?: boolean;
  /** How to run skiff itself; `server --data-dir … --port … --listen …` is appended. */
  binary: { command: string; args: string[] };
  kubeconfigPath: string;
  /** Environment of the server process; default this process's. */
  env?: Record<string, string | undefined>;
  /** In-process minions of the server (its default, 3, when undefined). */
  minions?: number;
  /** --node-monitor-grace-period and --pod-eviction-timeout of the server, in ms. */
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
}

export interface ClusterUpResult {
  url: string;
  pid: number;
  alreadyRunning: boolean;
}

export interface ClusterStatus {
  running: boolean;
  url?: string;
  pid?: number;
  dataDir: string;
  healthy: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

function readText(path: string): string | undefined {
  try { return readFileSync(path, "utf8"); } catch { return undefined; }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether pid is a live control plane for dataDir. A pid file can outlive its process and
 * the pid be reused, so on Linux the command line must name the data dir too: signalling
 * an unrelated process would be far worse than reporting "not running".
 */
function isServerFor(pid: number, dataDir: string): boolean {
  if (!pidAlive(pid)) return false;
  let cmdline: string;
  try { cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8"); } catch { return !existsSync("/proc/self"); }
  const args = cmdline.split("\0");
  const i = args.indexOf("--data-dir");
  return i >= 0 && args.includes("server") && resolve(args[i + 1] ?? "") === dataDir;
}

function recordedPid(dataDir: string): number | undefined {
  const ep = readEndpoint(dataDir);
  if (ep) return ep.pid;
  const n = Number((readText(join(dataDir, PID_FILE)) ?? "").trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** GET url/healthz over HTTPS trusting only caPem; true on 200 "ok". Never throws. */
export function probeHealth(url: string, caPem: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((done) => {
    const req = request(`${url}/healthz`, { ca: caPem, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => { body += c; });
      res.on("end", () => done(res.statusCode === 200 && body.trim() === "ok"));
      res.on("error", () => done(false));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => done(false));
    req.end();
  });
}

/** Whether dataDir's control plane is running (its process is alive) and healthy (/healthz answers). */
export async function clusterStatus(opts: { dataDir: string }): Promise<ClusterStatus> {
  const dataDir = resolve(opts.dataDir);
  const ep = readEndpoint(dataDir);
  const pid = recordedPid(dataDir);
  const running = pid !== undefined && (isServerFor(pid, dataDir) || (pid === process.pid && ep !== undefined));
  if (!running) return { running: false, dataDir, healthy: false };
  const caPem = readText(join(dataDir, "ca.crt"));
  const healthy = ep !== undefined && caPem !== undefined && await probeHealth(ep.url, caPem);
  return { running, url: ep?.url, pid, dataDir, healthy };
}

/** The last lines of the server log, for error messages. */
function logTail(dataDir: string, lines = 20): string {
  const text = readText(join(dataDir, LOG_FILE)) ?? "";
  const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
  return tail ? `\n--- last lines of ${join(dataDir, LOG_FILE)} ---\n${tail}` : "";
}

function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once("error", () => done(false));
    s.listen(port, host, () => s.close(() => done(true)));
  });
}

function freePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, host, () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => done(port));
    });
  });
}

function recordedPort(dataDir: string): number | undefined {
  try {
    const rec = JSON.parse(readText(join(dataDir, CLUSTER_FILE)) ?? "") as { port?: unknown };
    return typeof rec.port === "number" && rec.port > 0 ? rec.port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the server pid has written endpoint.json (its credentials exist by then) and,
 * when `healthy`, until /healthz answers. Rejects early if the process exits.
 */
async function waitForServer(dataDir: string, pid: number, healthy: boolean, exited: () => string | undefined): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const why = exited();
    if (why) throw new CliError(`the control plane exited during start-up (${why})${logTail(dataDir)}`);
    const ep = readEndpoint(dataDir);
    if (ep && ep.pid === pid) {
      if (!healthy) return ep.url;
      const caPem = readText(join(dataDir, "ca.crt"));
      if (caPem && await probeHealth(ep.url, caPem, 1000)) return ep.url;
    }
    if (Date.now() > deadline) {
      throw new CliError(`the control plane did not become healthy within ${START_TIMEOUT_MS / 1000}s${logTail(dataDir)}`);
    }
    await sleep(100);
  }
}

/**
 * Starts dataDir's control plane as a detached process (output appended to server.log)
 * that outlives this one, waits for it, and points the `skiff` context of the kubeconfig
 * at it. Idempotent: a running server is reused (alreadyRunning) and the context
 * rewritten. Throws CliError, with the log's tail, when the server fails to come up.
 */
export async function clusterUp(opts: ClusterUpOptions): Promise<ClusterUpResult> {
  const dataDir = resolve(opts.dataDir);
  const listen = opts.listen ?? "127.0.0.1";
  const healthy = opts.wait ?? true;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const pidBefore = recordedPid(dataDir);
  if (pidBefore !== undefined && isServerFor(pidBefore, dataDir)) {
    const url = await waitForServer(dataDir, pidBefore, healthy, () => (pidAlive(pidBefore) ? undefined : "process gone"));
    writeContext(dataDir, opts.kubeconfigPath, url);
    return { url, pid: pidBefore, alreadyRunning: true };
  }

  let port = opts.port ?? 0;
  if (!port) {
    const previous = recordedPort(dataDir);
    port = previous !== undefined && await portFree(previous, listen) ? previous : await freePort(listen);
  }
  rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
  const logPath = join(dataDir, LOG_FILE);
  const logFd = openSync(logPath, "a", 0o600);
  let pid: number;
  let exitedWith: string | undefined;
  try {
    writeSync(logFd, `--- ${new Date().toISOString()} starting control plane on ${listen}:${port}\n`);
    const extra: string[] = [];
    if (opts.minions !== undefined) extra.push("--minions", String(opts.minions));
    if (opts.nodeMonitorGracePeriodMs !== undefined) extra.push("--node-monitor-grace-period", `${opts.nodeMonitorGracePeriodMs}ms`);
    if (opts.podEvictionTimeoutMs !== undefined) extra.push("--pod-eviction-timeout", `${opts.podEvictionTimeoutMs}ms`);
    const child = spawn(opts.binary.command, [...opts.binary.args, "server", "--data-dir", dataDir, "--port", String(port), "--listen", listen, ...extra], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: opts.env ?? process.env,
    });
    child.on("error", (e) => { exitedWith = e.message; });
    child.on("exit", (code, signal) => { exitedWith = signal ? `signal ${signal}` : `exit code ${code}`; });
    child.unref();
    if (child.pid === undefined) {
      await sleep(0);
      throw new CliError(`could not start ${opts.binary.command}: ${exitedWith ?? "spawn failed"}`);
    }
    pid = child.pid;
  } finally {
    closeSync(logFd);
  }
  writeFileSync(join(dataDir, PID_FILE), `${pid}\n`, { mode: 0o600 });
  writeFileSync(join(dataDir, CLUSTER_FILE), `${JSON.stringify({ port, listen }, null, 2)}\n`, { mode: 0o600 });
  let url: string;
  try {
    url = await waitForServer(dataDir, pid, healthy, () => exitedWith);
  } catch (e) {
    // A half-started server is of no use to anyone: stop it rather than leave it behind.
    if (pidAlive(pid)) await stopPid(pid);
    rmSync(join(dataDir, PID_FILE), { force: true });
    throw e;
  }
  writeContext(dataDir, opts.kubeconfigPath, url);
  return { url, pid, alreadyRunning: false };
}

function writeContext(dataDir: string, kubeconfigPath: string, server: string): void {
  const caPem = readText(join(dataDir, "ca.crt"));
  const token = readText(join(dataDir, "token"))?.trim();
  if (!caPem || !token) throw new CliError(`the control plane in ${dataDir} has no credentials yet (ca.crt, token)`);
  mergeSkiffContext(kubeconfigPath, { server, caPem, token });
}

async function stopPid(pid: number): Promise<void> {
  const gone = async (ms: number): Promise<boolean> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!pidAlive(pid)) return true;
      await sleep(50);
    }
    return !pidAlive(pid);
  };
  try { process.kill(pid, "SIGTERM"); } catch { return; }
  if (await gone(STOP_TIMEOUT_MS)) return;
  try { process.kill(pid, "SIGKILL"); } catch { return; }
  await gone(2000);
}

/**
 * Stops dataDir's control plane: SIGTERM, then SIGKILL after 10 s, and removes its
 * endpoint and pid files. Not running is fine (stopped: false). Never signals a process
 * that is not this data dir's server.
 */
export async function clusterDown(opts: { dataDir: string }): Promise<{ stopped: boolean; pid?: number }> {
  const dataDir = resolve(opts.dataDir);
  const pid = recordedPid(dataDir);
  let stopped = false;
  if (pid !== undefined && isServerFor(pid, dataDir)) {
    await stopPid(pid);
    stopped = true;
  }
  rmSync(join(dataDir, ENDPOINT_FILE), { force: true });
  rmSync(join(dataDir, PID_FILE), { force: true });
  return stopped ? { stopped, pid } : { stopped };
}

interface Named { name?: unknown; [k: string]: unknown }

function upsert(list: unknown, name: string, key: string, value: Record<string, unknown>): Named[] {
  const items: Named[] = Array.isArray(list) ? (list as Named[]).filter((x) => x && typeof x === "object") : [];
  const i = items.findIndex((x) => x.name === name);
  if (i < 0) items.push({ name, [key]: value });
  else items[i] = { ...items[i], [key]: value };
  return items;
}

/**
 * Writes cluster, user and context `skiff` into the kubeconfig at path (created if
 * missing) and makes `skiff` the current context. Every other entry is kept as it was,
 * and so is a namespace already set on the skiff context. Atomic (temp file + rename),
 * mode 0600. Throws CliError when the existing file is not a kubeconfig, rather than
 * overwrite it.
 */
export function mergeSkiffContext(path: string, creds: { server: string; caPem: string; token: string }): void {
  let cfg: Record<string, unknown> = {};
  const text = readText(path);
  if (text !== undefined && text.trim() !== "") {
    let parsed: unknown;
    try { parsed = load(text); } catch (e) {
      throw new CliError(`cannot update ${path}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) throw new CliError(`cannot update ${path}: not a kubeconfig`);
      cfg = parsed as Record<string, unknown>;
    }
  }
  const contexts = Array.isArray(cfg.contexts) ? (cfg.contexts as Named[]) : [];
  const prevCtx = contexts.find((c) => c && c.name === SKIFF_CONTEXT)?.context as Record<string, unknown> | undefined;
  const out: Record<string, unknown> = { apiVersion: "v1", kind: "Config", preferences: {}, ...cfg };
  out.clusters = upsert(cfg.clusters, SKIFF_CONTEXT, "cluster", {
    server: creds.server,
    "certificate-authority-data": Buffer.from(creds.caPem).toString("base64"),
  });
  out.users = upsert(cfg.users, SKIFF_CONTEXT, "user", { token: creds.token });
  out.contexts = upsert(cfg.contexts, SKIFF_CONTEXT, "context", {
    cluster: SKIFF_CONTEXT, user: SKIFF_CONTEXT,
    ...(typeof prevCtx?.namespace === "string" ? { namespace: prevCtx.namespace } : {}),
  });
  out["current-context"] = SKIFF_CONTEXT;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, dump(out, { lineWidth: -1 }), { mode: 0o600 });
  renameSync(tmp, path);
}

