// Control-plane benchmarks at scale, run by `npm run bench` (or `npm run bench -- scheduling` /
// `-- steady`): 1,000 in-process minions in one `dist/skiff server`, binding 10,000 pending pods,
// and then holding 30,000 running pods while a single GET is timed. Every count is fixed and
// every phase has a deadline, so a run is bounded; each server and temp dir is removed after.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const MINIONS = 1_000;
const PENDING_PODS = 10_000;
const RUNNING_PODS = 30_000;
const GETS = 2_000;
const IN_FLIGHT = 64;
const SECTION_TIMEOUT_MS = 10 * 60_000;
/** After 30,000 pods run: long enough for every minion to heartbeat at least once more (10 s period). */
const SETTLE_MS = 12_000;

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Resident set size of a process in bytes (current and the kernel's high-water mark), from /proc. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Samples a process's RSS every 200 ms until stopped; `peak()` is the largest seen (or the kernel's mark). */
function sampleMemory(pid) {
  let peak = 0;
  let last = 0;
  const timer = setInterval(() => {
    last = memoryOf(pid).rss;
    peak = Math.max(peak, last);
  }, 200);
  return {
    peak: () => Math.max(peak, memoryOf(pid).hwm),
    current: () => last || memoryOf(pid).rss,
    /** Largest sample since the last reset (the kernel's high-water mark cannot be reset). */
    windowPeak: () => peak,
    reset: () => { peak = 0; },
    stop: () => clearInterval(timer),
  };
}

/** Servers and temp dirs still to be removed, for an interrupted run. */
const live = new Set();

/** Kills every server this module started and removes its temp dir (SIGINT path; close() does it normally). */
export function killScaleServers() {
  for (const { server, work } of live) {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  }
  live.clear();
}

const mib = (bytes) => `${Math.round(bytes / (1024 * 1024)).toLocaleString("en")} MiB`;

/**
 * A `skiff server` with in-process minions on a throw-away data dir, and an HTTPS client for it
 * (undici, keep-alive). close() kills the server and removes the data dir.
 */
async function startCluster(skiff, env, minions) {
  const { Agent, request } = await import("undici");
  const work = mkdtempSync(join(tmpdir(), "skiff-bench-scale-"));
  const dataDir = join(work, "data");
  const port = await freePort();
  const out = openSync(join(work, "server.log"), "a");
  const server = spawn(skiff, ["server", "--data-dir", dataDir, "--port", String(port), "--minions", String(minions)],
    { env, stdio: ["ignore", out, out] });
  const url = `https://127.0.0.1:${port}`;
  const entry = { server, work };
  live.add(entry);
  let dispatcher;
  const close = async () => {
    live.delete(entry);
    // SIGTERM first, so a server run with NODE_OPTIONS=--cpu-prof writes its profile.
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((ok) => server.once("exit", ok));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
    await dispatcher?.destroy().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`skiff server exited (${server.exitCode}):\n${readFileSync(join(work, "server.log"), "utf8")}`);
      if (Date.now() > deadline) throw new Error("skiff server did not become healthy within 60 s");
      if (existsSync(join(dataDir, "endpoint.json"))) break;
      await sleep(100);
    }
    const ca = readFileSync(join(dataDir, "ca.crt"), "utf8");
    const token = readFileSync(join(dataDir, "token"), "utf8").trim();
    dispatcher = new Agent({ connections: IN_FLIGHT, connect: { ca, timeout: 60_000 }, keepAliveTimeout: 60_000, bodyTimeout: 0, headersTimeout: 120_000 });
    const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
    /** One request; resolves with the parsed JSON body, rejects on a non-2xx status. */
    const call = async (method, path, body, contentType = "application/json") => {
      const res = await request(`${url}${path}`, {
        method, dispatcher, headers: body === undefined ? headers : { ...headers, "content-type": contentType },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    };
    /**
     * Follows the objects under `path` as an informer does: list, then watch from the list's
     * resourceVersion, and list again whenever the server ends the watch (a reader that falls
     * too far behind is cut off). onObject(object, deleted) sees every listed and watched
     * object until stop(); `ended` rejects on a failure other than stopping.
     */
    const follow = (path, onObject) => {
      const ac = new AbortController();
      const once = async () => {
        const list = await call("GET", path);
        for (const o of list.items) onObject(o, false);
        const sep = path.includes("?") ? "&" : "?";
        const res = await request(`${url}${path}${sep}watch=1&resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`,
          { dispatcher, headers, signal: ac.signal });
        if (res.statusCode !== 200) throw new Error(`watch ${path}: HTTP ${res.statusCode}: ${await res.body.text()}`);
        let buf = "";
        for await (const chunk of res.body) {
          buf += chunk.toString();
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line);
            if (ev.type === "ERROR") return;      // 410 Gone and the like: list again
            if (ev.type !== "BOOKMARK") onObject(ev.object, ev.type === "DELETED");
          }
        }
      };
      const ended = (async () => {
        while (!ac.signal.aborted) await once();
      })().catch((e) => { if (!ac.signal.aborted) throw e; });
      return { ended, stop: () => ac.abort() };
    };
    return { server, pid: server.pid, call, follow, close, url, work };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Runs `task(i)` for i in [0, n) with `width` in flight; rejects on the first failure. */
async function pool(n, width, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker));
}

const podName = (prefix, i) => `${prefix}-${String(i).padStart(5, "0")}`;

function pod(name) {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "bench" } },
    spec: { containers: [{ name: "app", image: "docker.io/library/busybox:1.36" }] },
  };
}

/** Waits (polling a list of nodes) until `n` nodes are Ready. */
async function nodesReady(c, n, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await c.call("GET", "/api/v1/nodes");
    const ready = list.items.filter((node) => node.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"));
    if (ready.length >= n) return list;
    if (Date.now() > deadline) throw new Error(`only ${ready.length}/${n} nodes Ready after ${ms / 1000} s`);
    await sleep(500);
  }
}

/** Rejects after ms with a message naming what ran out of time. */
function deadline(ms, what) {
  let timer;
  const p = new Promise((_, fail) => { timer = setTimeout(() => fail(new Error(`${what} did not finish within ${ms / 1000} s`)), ms); });
  p.catch(() => {});
  return { p, clear: () => clearTimeout(timer) };
}

/**
 * Scheduling throughput: 1,000 minions cordoned, 10,000 pods created (all Pending, each
 * tried once), then every node uncordoned at once. Timed from the first uncordon request to
 * the watch event that shows the last pod bound (the watch carries committed writes only),
 * and checked by a final list.
 */
export async function benchScheduling(skiff, env) {
  log(`scheduling: starting skiff server with ${MINIONS.toLocaleString("en")} minions`);
  const limit = deadline(SECTION_TIMEOUT_MS, "the scheduling benchmark");
  const c = await startCluster(skiff, env, MINIONS);
  const mem = sampleMemory(c.pid);
  try {
    return await Promise.race([limit.p, (async () => {
      const nodes = await nodesReady(c, MINIONS, 120_000);
      const names = nodes.items.map((n) => n.metadata.name);
      const setUnschedulable = (flag) => pool(names.length, IN_FLIGHT, (i) =>
        c.call("PATCH", `/api/v1/nodes/${names[i]}`, { spec: { unschedulable: flag } }, "application/merge-patch+json"));
      log("scheduling: cordoning every node");
      await setUnschedulable(true);

      log(`scheduling: creating ${PENDING_PODS.toLocaleString("en")} pods (${IN_FLIGHT} in flight)`);
      await pool(PENDING_PODS, IN_FLIGHT, (i) => c.call("POST", "/api/v1/namespaces/default/pods", pod(podName("pending", i))));
      // Every pod tried once and found nowhere to go, so what follows is binding alone.
      const tried = Date.now() + 120_000;
      let list;
      for (;;) {
        list = await c.call("GET", "/api/v1/namespaces/default/pods");
        const unschedulable = list.items.filter((p) => p.status?.conditions?.some((x) => x.type === "PodScheduled" && x.status === "False")).length;
        if (unschedulable === PENDING_PODS) break;
        if (Date.now() > tried) throw new Error(`only ${unschedulable} pods marked Unschedulable after 120 s`);
        await sleep(1000);
      }
      await sleep(2000);

      const bound = new Set(list.items.filter((p) => p.spec.nodeName).map((p) => p.metadata.name));
      if (bound.size > 0) throw new Error(`${bound.size} pods were bound while every node was cordoned`);
      let firstBind = 0;
      let lastBind = 0;
      let allBound;
      const done = new Promise((ok) => { allBound = ok; });
      mem.reset();
      log("scheduling: uncordoning every node and timing the binds");
      const t0 = performance.now();
      const w = c.follow("/api/v1/namespaces/default/pods", (p, deleted) => {
        if (deleted || !p.spec?.nodeName || bound.has(p.metadata.name)) return;
        const now = performance.now();
        if (bound.size === 0) firstBind = now;
        bound.add(p.metadata.name);
        lastBind = now;
        if (bound.size === PENDING_PODS) allBound();
      });
      await Promise.race([Promise.all([setUnschedulable(false), done]), w.ended.then(() => { throw new Error("the pod watch stopped"); })]);
      w.stop();
      const seconds = (lastBind - t0) / 1000;
      const after = await c.call("GET", "/api/v1/namespaces/default/pods");
      const persisted = after.items.filter((p) => p.spec.nodeName).length;
      if (persisted !== PENDING_PODS) throw new Error(`only ${persisted} pods have spec.nodeName in a fresh list`);
      const perNode = new Map();
      for (const p of after.items) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
      const counts = [...perNode.values()];
      return {
        podsPerSecond: PENDING_PODS / seconds, seconds, firstToLast: (lastBind - firstBind) / 1000,
        windowPeak: mem.windowPeak(), peakRss: mem.peak(), nodesUsed: perNode.size,
        minPerNode: Math.min(...counts), maxPerNode: Math.max(...counts),
      };
    })()]);
  } finally {
    limit.clear();
    mem.stop();
    await c.close();
  }
}

/**
 * Steady state: 30,000 pods created and Running on 1,000 heartbeating minions, then the
 * server's RSS and the latency of 2,000 sequential GETs of one pod each over one keep-alive
 * connection.
 */
export async function benchSteadyState(skiff, env) {
  log(`steady state: starting skiff server with ${MINIONS.toLocaleString("en")} minions`);
  const limit = deadline(SECTION_TIMEOUT_MS, "the steady-state benchmark");
  const c = await startCluster(skiff, env, MINIONS);
  const mem = sampleMemory(c.pid);
  try {
    return await Promise.race([limit.p, (async () => {
      await nodesReady(c, MINIONS, 120_000);
      const running = new Set();
      let allRunning;
      const done = new Promise((ok) => { allRunning = ok; });
      const w = c.follow("/api/v1/namespaces/default/pods", (p, deleted) => {
        if (deleted || p.status?.phase !== "Running") return;
        running.add(p.metadata.name);
        if (running.size === RUNNING_PODS) allRunning();
      });
      log(`steady state: creating ${RUNNING_PODS.toLocaleString("en")} pods and waiting until they all run`);
      const t0 = performance.now();
      await pool(RUNNING_PODS, IN_FLIGHT, (i) => c.call("POST", "/api/v1/namespaces/default/pods", pod(podName("steady", i))));
      const created = (performance.now() - t0) / 1000;
      await Promise.race([done, w.ended.then(() => { throw new Error("the pod watch stopped"); })]);
      const allUp = (performance.now() - t0) / 1000;
      w.stop();

      log(`steady state: all running after ${allUp.toFixed(1)} s; settling ${SETTLE_MS / 1000} s, then ${GETS.toLocaleString("en")} GETs`);
      mem.reset();
      await sleep(SETTLE_MS);
      const settledRss = mem.current();
      const { Agent, request } = await import("undici");
      const ep = JSON.parse(readFileSync(join(c.work, "data", "endpoint.json"), "utf8"));
      const ca = readFileSync(join(c.work, "data", "ca.crt"), "utf8");
      const token = readFileSync(join(c.work, "data", "token"), "utf8").trim();
      const one = new Agent({ connections: 1, connect: { ca }, keepAliveTimeout: 60_000 });
      const latencies = [];
      try {
        for (let i = 0; i < GETS; i++) {
          const name = podName("steady", (i * 7919) % RUNNING_PODS);
          const t = performance.now();
          const res = await request(`${ep.url}/api/v1/namespaces/default/pods/${name}`, {
            dispatcher: one, headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          });
          const text = await res.body.text();
          latencies.push(performance.now() - t);
          if (res.statusCode !== 200) throw new Error(`GET pod ${name}: HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        }
      } finally {
        await one.close();
      }
      const nodes = await c.call("GET", "/api/v1/nodes");
      const ready = nodes.items.filter((n) => n.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True")).length;
      return {
        created, allUp, settledRss, windowPeak: mem.windowPeak(), peakRss: mem.peak(), readyNodes: ready,
        p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: Math.max(...latencies),
      };
    })()]);
  } finally {
    limit.clear();
    mem.stop();
    await c.close();
  }
}

/** Table rows (measurement, value, target, met) for the results above. */
export function scaleRows(sched, steady) {
  const rows = [];
  const verdict = (ok) => (ok ? "yes" : "NO");
  if (sched) {
    rows.push([`bind ${PENDING_PODS.toLocaleString("en")} pending pods on ${MINIONS.toLocaleString("en")} minions`,
      `${Math.round(sched.podsPerSecond).toLocaleString("en")} pods/s (${sched.seconds.toFixed(2)} s)`, "≥1,000 pods/s", verdict(sched.podsPerSecond >= 1000)]);
    rows.push(["  server RSS while binding (peak sampled)", mib(sched.windowPeak), "", ""]);
    rows.push(["  server RSS, whole run (peak)", mib(sched.peakRss), "", ""]);
    rows.push(["  pods per node (min–max)", `${sched.minPerNode}–${sched.maxPerNode} over ${sched.nodesUsed} nodes`, "", ""]);
  }
  if (steady) {
    rows.push([`${RUNNING_PODS.toLocaleString("en")} pods created / all Running`, `${steady.created.toFixed(1)} s / ${steady.allUp.toFixed(1)} s`, "", ""]);
    rows.push([`steady-state server RSS (${MINIONS.toLocaleString("en")} minions, ${RUNNING_PODS.toLocaleString("en")} pods)`,
      mib(steady.settledRss), "≤1,536 MiB", verdict(steady.settledRss <= 1536 * 1024 * 1024)]);
    rows.push(["  server RSS, whole run (peak)", mib(steady.peakRss), "", ""]);
    rows.push([`get pod p99 (${GETS.toLocaleString("en")} sequential, keep-alive)`, `${steady.p99.toFixed(1)} ms (p50 ${steady.p50.toFixed(1)}, max ${steady.max.toFixed(1)})`,
      "≤20 ms", verdict(steady.p99 <= 20)]);
    rows.push(["  nodes Ready at the end", `${steady.readyNodes}/${MINIONS}`, `${MINIONS}`, verdict(steady.readyNodes === MINIONS)]);
  }
  return rows;
}
