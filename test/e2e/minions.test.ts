// End to end: dist/skiff's control plane placing pods on its three in-process minions and on a
// minion in its own process, losing that minion, surviving a restart, and kubectl watching it.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBuilt, isolatedEnv } from "../helpers/ensure-built.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const skiff = join(root, "dist", "skiff");

/** Short enough that losing a minion is noticed in seconds; the control plane scales its own heartbeats to it. */
const CLUSTER_FLAGS = ["--node-monitor-grace-period", "4s", "--pod-eviction-timeout", "1s"];
const IN_PROCESS = ["minion-1", "minion-2", "minion-3"];

interface Result { code: number; stdout: string; stderr: string }
interface PodRow { name: string; uid: string; node: string; phase: string; ready: string; deleting: boolean }

let work = "";
let env: Record<string, string> = {};
const children = new Set<ChildProcess>();



/** Runs a program to completion in the test's environment; never rejects on a non-zero exit. */
function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { env, cwd: work, timeout: opts.timeoutMs ?? 20_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        children.delete(child);
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    children.add(child);
    child.stdin?.end(opts.input);
  });
}

/** skiff, expected to succeed: its stdout. */
async function sk(...args: string[]): Promise<string> {
  const r = await run(skiff, args);
  if (r.code !== 0) throw new Error(`skiff ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** kubectl, expected to succeed without a word on stderr: its stdout. */
async function kubectl(...args: string[]): Promise<string> {
  const r = await run("kubectl", args);
  expect(r.stderr, `kubectl ${args.join(" ")}`).not.toMatch(/warning|error/i);
  expect(r.code, `kubectl ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** A long-running process whose output is collected; killed after `limitMs` whatever happens. */
function follow(cmd: string, args: string[], limitMs: number): { child: ChildProcess; out: () => string; err: () => string; stop: () => void } {
  const child = spawn(cmd, args, { env, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { err += d.toString(); });
  const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
  child.on("exit", () => { clearTimeout(limit); children.delete(child); });
  return { child, out: () => out, err: () => err, stop: () => { if (child.exitCode === null) child.kill("SIGTERM"); } };
}

/** Polls `probe` until it returns a value, or fails with the last thing it saw. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const POD_COLUMNS = "{range .items[*]}{.metadata.name} {.metadata.uid} {.spec.nodeName} {.status.phase} "
  + "{.status.conditions[?(@.type==\"Ready\")].status} {.metadata.deletionTimestamp}{\"\\n\"}{end}";

/** The pods `run=web` selects, read through skiff's JSONPath printer. */
async function webPods(): Promise<PodRow[]> {
  const out = await sk("get", "pods", "-l", "run=web", "-o", `jsonpath=${POD_COLUMNS}`);
  return out.split("\n").filter(Boolean).map((line) => {
    const [name = "", uid = "", node = "", phase = "", ready = "", deleting = ""] = line.split(" ");
    return { name, uid, node, phase, ready, deleting: deleting !== "" };
  });
}

/** Resolves with the pods once exactly `n` exist, all Running and Ready, none terminating. */
function converged(n: number, ms?: number): Promise<PodRow[]> {
  return until(`${n} Running web pods`, async () => {
    const pods = await webPods();
    const settled = pods.length === n && pods.every((p) => p.phase === "Running" && p.ready === "True" && !p.deleting);
    return settled ? pods : undefined;
  }, ms);
}

function perNode(pods: PodRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pods) out[p.node] = (out[p.node] ?? 0) + 1;
  return out;
}

async function nodeReady(name: string): Promise<string> {
  return sk("get", "node", name, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
}

function serverPid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(env.SKIFF_HOME, "endpoint.json"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), "skiff-minions-"));
  env = isolatedEnv(work);
  await sk("cluster", "up", "--wait", ...CLUSTER_FLAGS);
}, 120_000);

afterAll(async () => {
  // The separate minion first (SIGKILL: it may be mid-test), then the control plane.
  for (const c of children) c.kill("SIGKILL");
  if (!work) return;
  const pid = serverPid();
  await run(skiff, ["cluster", "down"]).catch(() => undefined);
  if (pid !== undefined) {
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  }
  rmSync(work, { recursive: true, force: true });
}, 30_000);

describe("minions end to end (dist/skiff)", () => {
  test("the control plane starts three Ready minions and the kubernetes service", async () => {
    const nodes = await until("three Ready minions", async () => {
      const out = await sk("get", "nodes", "--no-headers");
      return /^(minion-\d\s+Ready\s.*\n){3}$/.test(out) ? out : undefined;
    });
    expect(nodes.split("\n").filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(IN_PROCESS);
    expect(await sk("get", "svc", "kubernetes", "-o", "jsonpath={.spec.ports[0].port}")).toBe("443");
  }, 20_000);

  test("run --replicas 6 spreads 2/2/2 over the three minions, all Running", async () => {
    expect(await sk("run", "web", "--image", "nginx", "--replicas", "6")).toBe("replicationcontroller/web created\n");
    const pods = await converged(6);
    expect(perNode(pods)).toEqual({ "minion-1": 2, "minion-2": 2, "minion-3": 2 });
    const wide = await sk("get", "pods", "-l", "run=web", "-o", "wide");
    expect(wide.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s/);
    for (const p of pods) expect(wide).toMatch(new RegExp(`^${p.name}\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.\\S+\\s+${p.node}\\s`, "m"));
  }, 20_000);

  test("scaling down to 2 and up to 5 converges", async () => {
    const before = await webPods();
    expect(await sk("scale", "rc", "web", "--replicas", "2")).toBe("replicationcontroller/web scaled\n");
    const two = await converged(2);
    expect(two.every((p) => before.some((b) => b.uid === p.uid))).toBe(true);
    expect(await sk("scale", "rc", "web", "--replicas", "5")).toBe("replicationcontroller/web scaled\n");
    const five = await converged(5);
    expect(new Set(five.map((p) => p.node)).size).toBe(3);
    expect(await sk("get", "rc", "web", "-o", "jsonpath={.status.replicas}/{.status.readyReplicas}")).toBe("5/5");
  }, 30_000);

  test("skiff wait and skiff logs on a fresh pod", async () => {
    expect(await sk("run", "solo", "--image", "nginx", "--restart", "Never")).toBe("pod/solo created\n");
    expect(await sk("wait", "--for=condition=Ready", "pod/solo", "--timeout=20s")).toBe("pod/solo condition met\n");
    expect(await sk("get", "pod", "solo", "-o", "jsonpath={.status.phase}")).toBe("Running");
    const logs = await sk("logs", "solo");
    expect(logs).toMatch(/nginx/);
    expect(logs.endsWith("\n")).toBe(true);
    await sk("delete", "pod", "solo");
  }, 30_000);

  test("a pod too big for any minion stays Pending with kube-scheduler's FailedScheduling event", async () => {
    const big = { apiVersion: "v1", kind: "Pod", metadata: { name: "big" },
      spec: { containers: [{ name: "app", image: "nginx", resources: { requests: { cpu: "100" } } }] } };
    const created = await run(skiff, ["create", "-f", "-"], { input: JSON.stringify(big) });
    expect(created.stdout).toBe("pod/big created\n");
    // The doubled period is kube-scheduler's: the preemption note ends in one and the FitError adds another.
    const message = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..";
    const described = await until("the FailedScheduling event", async () => {
      const out = await sk("describe", "pod", "big");
      return out.includes("FailedScheduling") ? out : undefined;
    });
    expect(described).toMatch(/^Status:\s+Pending$/m);
    expect(described).toMatch(/^Node:\s+<none>$/m);
    expect(described).toMatch(new RegExp(`^\\s+Warning\\s+FailedScheduling\\s+\\S+\\s+default-scheduler\\s+${message.replace(/[.()/]/g, "\\$&")}$`, "m"));
    const cond = await sk("get", "pod", "big", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")]}");
    expect(JSON.parse(cond)).toMatchObject({ status: "False", reason: "Unschedulable", message });
    await sk("delete", "pod", "big");
  }, 30_000);

  test("kubectl: scale, get -w streaming a phase change, logs, describe with events", async () => {
    expect(await kubectl("scale", "rc", "web", "--replicas=3")).toBe("replicationcontroller/web scaled\n");
    const three = await converged(3);

    const w = follow("kubectl", ["get", "pods", "-w"], 20_000);
    try {
      await until("the watch's header", async () => (w.out().startsWith("NAME") ? true : undefined), 10_000);
      expect(await kubectl("run", "watched", "--image=nginx", "--restart=Never")).toBe("pod/watched created\n");
      const lines = await until("watched Running on the watch", async () => {
        const mine = w.out().split("\n").filter((l) => l.startsWith("watched "));
        return mine.some((l) => /\s1\/1\s+Running\s/.test(l)) ? mine : undefined;
      }, 15_000);
      // Seen before Running: the pod as created (Pending, then ContainerCreating) — a phase change streamed.
      expect(lines[0]).toMatch(/^watched\s+0\/1\s+(Pending|ContainerCreating)\s/);
      expect(w.err()).not.toMatch(/warning|error/i);
    } finally {
      w.stop();
    }
    await kubectl("delete", "pod", "watched", "--wait=false");

    const pod = three[0]!.name;
    const logs = await kubectl("logs", pod);
    expect(logs).toBe(await sk("logs", pod));
    expect(logs).toMatch(/nginx/);
    const described = await kubectl("describe", "pod", pod);
    expect(described).toMatch(new RegExp(`^Name:\\s+${pod}$`, "m"));
    expect(described).toMatch(new RegExp(`^Node:\\s+${three[0]!.node}/127\\.0\\.0\\.1$`, "m"));
    expect(described).toMatch(new RegExp(`Normal\\s+Scheduled\\s+\\S+\\s+default-scheduler\\s+Successfully assigned default/${pod} to ${three[0]!.node}`));
    expect(described).toMatch(/Normal\s+Started\s+\S+\s+kubelet\s+Started container web/);
  }, 40_000);

  test("a control-plane restart while an RC converges loses and duplicates nothing", async () => {
    const acknowledged = await converged(3);
    expect(await sk("scale", "rc", "web", "--replicas", "30")).toBe("replicationcontroller/web scaled\n");
    expect(await sk("cluster", "down")).toBe("skiff control plane stopped\n");
    await sk("cluster", "up", "--wait", ...CLUSTER_FLAGS);
    expect(await sk("get", "rc", "web", "-o", "jsonpath={.spec.replicas}")).toBe("30");
    const after = await converged(30, 20_000);
    for (const p of acknowledged) expect(after.find((q) => q.uid === p.uid)?.node).toBe(p.node);
    // Settled means settled: a manager that forgot what it had created would add more now.
    await new Promise((r) => setTimeout(r, 1500));
    const later = await webPods();
    expect(later.map((p) => p.uid).sort()).toEqual(after.map((p) => p.uid).sort());
    expect(await sk("get", "rc", "web", "-o", "jsonpath={.status.replicas}")).toBe("30");
    for (const p of later) expect(IN_PROCESS).toContain(p.node);
  }, 45_000);

  test("a minion process joins, takes pods, is killed, goes NotReady, and its pods come back elsewhere", async () => {
    const minion = follow(skiff, ["minion", "start", "--name", "extra", "--node-status-update-frequency", "500ms"], 60_000);
    try {
      await until("node extra Ready", async () => ((await nodeReady("extra")) === "True" ? true : undefined), 10_000);
      expect(minion.err()).toMatch(/^minion extra registered with https:\/\/127\.0\.0\.1:\d+ /m);
      expect(await sk("cordon", ...IN_PROCESS)).toBe(IN_PROCESS.map((n) => `node/${n} cordoned\n`).join(""));
      await sk("scale", "rc", "web", "--replicas", "34");
      const joined = await converged(34);
      const onExtra = joined.filter((p) => p.node === "extra");
      expect(onExtra).toHaveLength(4);

      minion.child.kill("SIGKILL");
      await until("the minion process to exit", async () => (minion.child.exitCode !== null || minion.child.signalCode !== null ? true : undefined), 5000);
      expect(await sk("uncordon", ...IN_PROCESS)).toBe(IN_PROCESS.map((n) => `node/${n} uncordoned\n`).join(""));
      await until("node extra NotReady", async () => ((await nodeReady("extra")) === "Unknown" ? true : undefined), 15_000);
      expect(await sk("get", "node", "extra", "--no-headers")).toMatch(/^extra\s+NotReady\s/);

      const back = await converged(34, 20_000);
      expect(back.filter((p) => p.node === "extra")).toEqual([]);
      for (const p of onExtra) expect(back.some((q) => q.uid === p.uid)).toBe(false);
      const counts = perNode(back);
      expect(Object.keys(counts).sort()).toEqual(IN_PROCESS);
    } finally {
      minion.child.kill("SIGKILL");
    }
  }, 60_000);
});
