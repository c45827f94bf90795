// `npm run bench`: skiff against kubectl on one embedded control plane, and the API server's
// write throughput (section "client"); then scheduling and steady state at 1,000 minions
// (sections "scheduling" and "steady", in bench/scheduling.mjs). `npm run bench -- scheduling`
// (or SKIFF_BENCH=scheduling) runs only the sections named. Starts its own control planes in temp
// dirs (never touches ~/.skiff or ~/.kube), prints tables against the targets, cleans everything
// up. Every loop has a fixed count, so the run is bounded.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { benchScheduling, benchSteadyState, killScaleServers, scaleRows } from "./scheduling.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const skiff = join(root, "dist", "skiff");
const RUNS = 5;              // timed runs per client command (plus one warm-up)
const PAIRED_RUNS = 11;      // timed runs of each side when skiff and kubectl alternate
const IN_FLIGHT = 64;        // concurrent writers for the create benchmark
const SMALL = 100;
const COMPLETION = 1_000;    // pods on the server when one TAB is timed
const COMPLETION_RUNS = 10;
const LARGE = 10_000;

const work = mkdtempSync(join(tmpdir(), "skiff-bench-"));
const env = {
  ...process.env,
  KUBECONFIG: join(work, "kubeconfig"),
  KUBECACHEDIR: join(work, "kube-cache"),
  NO_COLOR: "1",
};
let server; // the `skiff server` child process

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

/** Runs a command to completion; resolves with its wall time in seconds, rejects on failure. */
function timed(cmd, args) {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    execFile(cmd, args, { env, maxBuffer: 256 * 1024 * 1024 }, (err, _out, stderr) => {
      const seconds = (performance.now() - t0) / 1000;
      if (err) fail(new Error(`${cmd} ${args.join(" ")} failed: ${stderr || err.message}`));
      else done(seconds);
    });
  });
}

/**
 * skiff and kubectl timed in turn (skiff, kubectl, skiff, …) so that both meet the same machine
 * and server conditions; the medians of each. One warm-up run each first.
 */
async function pairedMedians(args, runs = PAIRED_RUNS) {
  if (!hasKubectl()) return { skiff: await medianOf(skiff, args, runs), kubectl: undefined };
  await timed(skiff, args);
  await timed("kubectl", args);
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    a.push(await timed(skiff, args));
    b.push(await timed("kubectl", args));
  }
  const median = (xs) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return { skiff: median(a), kubectl: median(b) };
}

async function medianOf(cmd, args, runs = RUNS) {
  await timed(cmd, args);    // warm-up: fills kubectl's discovery cache, the page cache
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await timed(cmd, args));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function freePort() {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

function hasKubectl() {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Starts `skiff server` on a free port; resolves with its URL, CA and token once /healthz answers. */
async function startServer() {
  const dataDir = join(work, "data");
  const port = await freePort();
  const log = openSync(join(work, "server.log"), "a");
  server = spawn(skiff, ["server", "--data-dir", dataDir, "--port", String(port)], { env, stdio: ["ignore", log, log] });
  const url = `https://127.0.0.1:${port}`;
  const { Agent, request } = await import("undici");
  for (let i = 0; i < 200; i++) {          // up to 20 s
    if (server.exitCode !== null) throw new Error(`skiff server exited (${server.exitCode}); see its log:\n${readFileSync(join(work, "server.log"), "utf8")}`);
    if (existsSync(join(dataDir, "token")) && existsSync(join(dataDir, "ca.crt"))) {
      const ca = readFileSync(join(dataDir, "ca.crt"), "utf8");
      const dispatcher = new Agent({ connect: { ca } });
      try {
        const res = await request(`${url}/healthz`, { dispatcher });
        await res.body.text();
        if (res.statusCode === 200) return { server: url, ca, token: readFileSync(join(dataDir, "token"), "utf8").trim() };
      } catch {
        // not listening yet
      } finally {
        await dispatcher.close();
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("skiff server did not become healthy within 20 s");
}

/** A kubeconfig (JSON is valid kubeconfig) for both skiff and kubectl. */
function writeKubeconfig(conn) {
  writeFileSync(env.KUBECONFIG, JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "bench",
    clusters: [{ name: "bench", cluster: { server: conn.server, "certificate-authority-data": Buffer.from(conn.ca).toString("base64") } }],
    users: [{ name: "bench", user: { token: conn.token } }],
    contexts: [{ name: "bench", context: { cluster: "bench", user: "bench", namespace: "default" } }],
  }), { mode: 0o600 });
}

function podBody(i) {
  return JSON.stringify({
    apiVersion: "v1", kind: "Pod",
    metadata: { name: `bench-${String(i).padStart(5, "0")}`, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "docker.io/library/busybox:1.36" }] },
  });
}

/** Creates pods [from, to) with IN_FLIGHT concurrent requests; returns per-request latencies (ms). */
async function createPods(conn, from, to) {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connections: IN_FLIGHT, connect: { ca: conn.ca } });
  const url = `${conn.server}/api/v1/namespaces/default/pods`;
  const headers = { authorization: `Bearer ${conn.token}`, "content-type": "application/json", accept: "application/json" };
  const latencies = [];
  let next = from;
  async function worker() {
    while (next < to) {
      const i = next++;
      const t0 = performance.now();
      const res = await request(url, { method: "POST", headers, body: podBody(i), dispatcher });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 201) throw new Error(`creating pod ${i}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
    }
  }
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } finally {
    await dispatcher.close();
  }
  return latencies;
}

/** Waits (at most 60 s) until `count` pods in the default namespace are Running. */
async function allRunning(conn, count) {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: conn.ca } });
  try {
    for (let i = 0; i < 300; i++) {
      const res = await request(`${conn.server}/api/v1/namespaces/default/pods`, { dispatcher, headers: { authorization: `Bearer ${conn.token}` } });
      const list = JSON.parse(await res.body.text());
      if (list.items.filter((p) => p.status?.phase === "Running").length >= count) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the ${count} pods were not all Running within 60 s`);
  } finally {
    await dispatcher.close();
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGKILL");   // the data dir is thrown away: no need for a graceful stop
  }
  server = undefined;
}

function cleanUp() {
  stopServer();
  killScaleServers();
  rmSync(work, { recursive: true, force: true });
}

const fmtS = (s) => (s === undefined ? "n/a" : `${s.toFixed(3)} s`);
const fmtRatio = (a, b) => (a === undefined || b === undefined ? "n/a" : `${(a / b).toFixed(2)}×`);

const SECTIONS = ["client", "scheduling", "steady"];

/** The sections asked for on the command line or in SKIFF_BENCH (comma-separated); all by default. */
function chosenSections() {
  const asked = [...process.argv.slice(2), ...(process.env.SKIFF_BENCH ?? "").split(",")].map((s) => s.trim()).filter(Boolean);
  for (const s of asked) if (!SECTIONS.includes(s)) throw new Error(`unknown section "${s}"; one of: ${SECTIONS.join(", ")}`);
  return asked.length > 0 ? new Set(asked) : new Set(SECTIONS);
}

function printTable(head, rows) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("   ").trimEnd();
  process.stdout.write(`${line(head)}\n${rows.map(line).join("\n")}\n`);
}

async function main() {
  const sections = chosenSections();
  if (!existsSync(skiff)) {
    log("dist/skiff is missing: building it");
    execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
  }
  if (sections.has("client")) await clientBench();
  const sched = sections.has("scheduling") ? await benchScheduling(skiff, env) : undefined;
  const steady = sections.has("steady") ? await benchSteadyState(skiff, env) : undefined;
  if (sched || steady) {
    if (sections.has("client")) process.stdout.write("\n");
    printTable(["measurement", "value", "target", "met"], scaleRows(sched, steady));
  }
}

async function clientBench() {
  mkdirSync(env.KUBECACHEDIR, { recursive: true });
  log(`starting skiff server in ${work}`);
  const conn = await startServer();
  writeKubeconfig(conn);
  const kubectl = hasKubectl();
  if (!kubectl) log("kubectl not found: its columns will read n/a");

  const rows = [];
  log(`creating ${SMALL} pods, and waiting until they run`);
  await createPods(conn, 0, SMALL);
  // Timed once the minions have started them: a client's speed, not its share of a busy machine.
  await allRunning(conn, SMALL);
  const small = await pairedMedians(["get", "pods"]);

  // One TAB: the whole binary runs per completion request, so this is start-up plus one list.
  log(`creating ${COMPLETION - SMALL} more pods, then timing completion`);
  await createPods(conn, SMALL, COMPLETION);
  const completion = await medianOf(skiff, ["__complete", "get", "pods", ""], COMPLETION_RUNS);

  log(`creating ${LARGE - COMPLETION} more pods (${IN_FLIGHT} in flight)`);
  const t0 = performance.now();
  const latencies = await createPods(conn, COMPLETION, LARGE);
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = latencies.length / seconds;
  const p99 = percentile(latencies, 99);
  const large = await pairedMedians(["get", "pods"], RUNS);
  const version = await pairedMedians(["version", "--client"]);

  const ratio = (m) => (m.kubectl === undefined ? undefined : m.skiff / m.kubectl);
  const verdict = (ok) => (ok === undefined ? "n/a" : ok ? "yes" : "NO");
  rows.push([`get pods (${SMALL} pods)`, fmtS(small.skiff), fmtS(small.kubectl), fmtRatio(small.skiff, small.kubectl), "≤1.0×",
    verdict(ratio(small) === undefined ? undefined : ratio(small) <= 1.0)]);
  rows.push([`get pods (${LARGE.toLocaleString("en")} pods)`, fmtS(large.skiff), fmtS(large.kubectl), fmtRatio(large.skiff, large.kubectl),
    "≤0.5× and <0.5 s", verdict(ratio(large) === undefined ? undefined : ratio(large) <= 0.5 && large.skiff < 0.5)]);
  rows.push(["version --client", fmtS(version.skiff), fmtS(version.kubectl), fmtRatio(version.skiff, version.kubectl), "≤1.0×",
    verdict(ratio(version) === undefined ? undefined : ratio(version) <= 1.0)]);
  rows.push([`__complete get pods '' (${COMPLETION.toLocaleString("en")} pods)`, `${(completion * 1000).toFixed(0)} ms`, "", "", "≤100 ms",
    verdict(completion <= 0.1)]);
  rows.push([`creates/s (${IN_FLIGHT} concurrent)`, `${Math.round(perSecond).toLocaleString("en")}/s`, "", "", "≥1,500/s", verdict(perSecond >= 1500)]);
  rows.push(["create latency p99", `${p99.toFixed(1)} ms`, "", "", "≤50 ms", verdict(p99 <= 50)]);

  printTable(["measurement", "skiff", "kubectl", "ratio", "target", "met"], rows);
  process.stdout.write(`(skiff and kubectl alternate; medians of ${PAIRED_RUNS} runs each (${RUNS} at 10,000 pods) after one warm-up each, ${COMPLETION_RUNS} for completion; creates measured over ${latencies.length} pods)\n`);
  // The next sections start servers of their own: this one would only take memory and CPU from them.
  stopServer();
}

process.once("SIGINT", () => {
  cleanUp();
  process.exit(130);
});

try {
  await main();
} catch (e) {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  cleanUp();
}
