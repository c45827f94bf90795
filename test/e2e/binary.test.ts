// End to end: the built executable (dist/skiff) running its own control plane, driven by skiff
// itself, by the real kubectl and by the official Python client, in a throw-away home.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBuilt, isolatedEnv } from "../helpers/ensure-built.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const skiff = join(root, "dist", "skiff");
const pythonCheck = join(root, "test", "e2e", "python", "client_check.py");

interface Result { code: number; stdout: string; stderr: string }

let work = "";
let env: Record<string, string> = {};
let port = 0;
const children = new Set<ChildProcess>();



function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** Runs a program to completion with the test's environment; never rejects on a non-zero exit. */
function run(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { env, cwd: work, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        children.delete(child);
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    children.add(child);
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

const sk = (...args: string[]): Promise<Result> => run(skiff, args);
const kubectl = (...args: string[]): Promise<Result> => run("kubectl", args);

/** A long-running process (a watch) whose output is collected until it is stopped. */
function follow(cmd: string, args: string[]): { out: () => string; err: () => string; stop: () => void; waitFor: (text: string, ms?: number) => Promise<void> } {
  const child = spawn(cmd, args, { env, cwd: work, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
  child.on("exit", () => children.delete(child));
  return {
    out: () => out,
    err: () => err,
    stop: () => { if (child.exitCode === null) child.kill("SIGTERM"); },
    async waitFor(text, ms = 15_000) {
      const until = Date.now() + ms;
      while (!out.includes(text)) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${JSON.stringify(text)}; stdout so far:\n${out}\nstderr:\n${err}`);
        if (child.exitCode !== null) throw new Error(`${cmd} exited (${child.exitCode}) before printing ${JSON.stringify(text)}:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The pid of the control plane serving SKIFF_HOME, from the endpoint record it writes. */
function serverPid(): number {
  const rec = JSON.parse(readFileSync(join(env.SKIFF_HOME, "endpoint.json"), "utf8")) as { pid: number };
  return rec.pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function manifest(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** kubectl is healthy when it says nothing alarming on stderr. */
function expectQuiet(r: Result): void {
  expect(r.stderr).not.toMatch(/warning|error/i);
  expect(r.code).toBe(0);
}

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), "skiff-e2e-"));
  env = isolatedEnv(work);
  port = await freePort();
}, 300_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (work) {
    await run(skiff, ["cluster", "down"]).catch(() => undefined);
    try {
      const pid = serverPid();
      if (alive(pid)) process.kill(pid, "SIGKILL");
    } catch {
      // no endpoint record: nothing left running
    }
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);

describe("dist/skiff end to end", () => {
  test("cluster up starts the control plane and writes the skiff context", async () => {
    const up = await sk("cluster", "up", "--port", String(port), "--wait");
    // Not a terminal: the progress of --wait is plain lines on stderr, stdout stays data.
    expect(up.stderr).toBe(`Waiting for the API server to answer its health check\nThe API server is healthy at https://127.0.0.1:${port}\n`);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`skiff control plane is running at https://127.0.0.1:${port}`);
    const status = await sk("cluster", "status");
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`https://127.0.0.1:${port}`);
    expect(status.stdout).toMatch(/Health:\s+ok/);
    expect((await sk("config", "current-context")).stdout).toBe("skiff\n");
  }, 60_000);

  test("cluster up twice is harmless", async () => {
    const pid = serverPid();
    const again = await sk("cluster", "up", "--wait");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already running at https://127.0.0.1:${port}`);
    expect(serverPid()).toBe(pid);
  }, 60_000);

  test("version and api-resources talk to the server", async () => {
    const v = await sk("version");
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^Client Version: v\d+\.\d+\.\d+\nServer Version: v1\.\d+\.\d+/);
    const client = await sk("version", "--client");
    expect(client.stdout).toMatch(/^Client Version: v\d+\.\d+\.\d+\n$/);
    const r = await sk("api-resources");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
    expect(r.stdout).toMatch(/\npods\s+po\s+v1\s+true\s+Pod\n/);
  }, 60_000);

  test("objects created survive a restart", async () => {
    const created = await sk("create", "-f", join(root, "examples", "hello-web.yaml"));
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("replicationcontroller/hello-web created");
    expect(created.stdout).toContain("service/hello-web created");
    expect(created.stdout).toContain("pod/hello-client created");

    expect((await sk("cluster", "down")).code).toBe(0);
    expect((await sk("cluster", "status")).code).toBe(1);
    expect((await sk("get", "pods")).code).toBe(1);
    expect((await sk("cluster", "up", "--wait")).code).toBe(0);

    const rc = await sk("get", "rc", "hello-web");
    expect(rc.code).toBe(0);
    expect(rc.stdout).toContain("hello-web");
    const svc = await sk("get", "svc", "hello-web", "-o", "name");
    expect(svc.stdout).toBe("service/hello-web\n");
  }, 90_000);

  test("acknowledged writes survive kill -9 of the server", async () => {
    const r = await run(skiff, ["create", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "acked" }, data: { k: "v" } }),
    });
    expect(r.code).toBe(0);
    const pid = serverPid();
    process.kill(pid, "SIGKILL");
    const until = Date.now() + 5000;
    while (alive(pid) && Date.now() < until) await new Promise((w) => setTimeout(w, 20));
    expect(alive(pid)).toBe(false);
    expect((await sk("cluster", "up", "--wait")).code).toBe(0);
    const cm = await sk("get", "configmap", "acked", "-o", "jsonpath={.data.k}");
    expect(cm.code).toBe(0);
    expect(cm.stdout).toBe("v");
  }, 90_000);

  test("replace with a stale resourceVersion is a 409 Conflict", async () => {
    const old = await sk("get", "configmap", "acked", "-o", "json");
    expect(old.code).toBe(0);
    const stale = JSON.parse(old.stdout) as { data: Record<string, string> };
    const fresh = { ...stale, data: { k: "newer" } };
    expect((await run(skiff, ["replace", "-f", "-"], { input: JSON.stringify(fresh) })).code).toBe(0);
    const conflict = await run(skiff, ["replace", "-f", "-"], { input: JSON.stringify({ ...stale, data: { k: "stale" } }) });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain("Error from server (Conflict)");
    expect(conflict.stderr).toContain("the object has been modified; please apply your changes to the latest version and try again");
    expect((await sk("get", "configmap", "acked", "-o", "jsonpath={.data.k}")).stdout).toBe("newer");
  }, 60_000);

  test("get -w prints changes as they happen", async () => {
    const w = follow(skiff, ["get", "pods", "-w"]);
    try {
      await w.waitFor("NAME");
      const r = await run(skiff, ["create", "-f", "-"], { input: podJson("watched-1") });
      expect(r.code).toBe(0);
      await w.waitFor("watched-1");
    } finally {
      w.stop();
    }
  }, 60_000);

  test("kubectl: get, get -o wide, describe", async () => {
    const get = await kubectl("get", "pods");
    expectQuiet(get);
    expect(get.stdout.split("\n")[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(get.stdout).toContain("hello-client");
    const wide = await kubectl("get", "pods", "-o", "wide");
    expectQuiet(wide);
    expect(wide.stdout.split("\n")[0]).toMatch(/\bIP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    const rc = await kubectl("get", "rc", "hello-web");
    expectQuiet(rc);
    expect(rc.stdout.split("\n")[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/);
    const desc = await kubectl("describe", "pod", "hello-client");
    expectQuiet(desc);
    expect(desc.stdout).toMatch(/^Name:\s+hello-client$/m);
    expect(desc.stdout).toMatch(/^Namespace:\s+default$/m);
  }, 60_000);

  test("kubectl: create, apply twice, label, scale, get -w", async () => {
    const pod = manifest("kpod.yaml", podYaml("kpod"));
    const created = await kubectl("create", "-f", pod);
    expectQuiet(created);
    expect(created.stdout).toBe("pod/kpod created\n");

    const rc = (replicas: number): string => manifest("krc.yaml", [
      "apiVersion: v1", "kind: ReplicationController", "metadata:", "  name: krc", "spec:", `  replicas: ${replicas}`,
      "  selector:", "    app: krc", "  template:", "    metadata:", "      labels:", "        app: krc", "    spec:",
      "      containers:", "      - name: app", "        image: docker.io/library/busybox:1.36", "",
    ].join("\n"));
    const first = await kubectl("apply", "-f", rc(1));
    expectQuiet(first);
    expect(first.stdout).toBe("replicationcontroller/krc created\n");
    const second = await kubectl("apply", "-f", rc(2));
    expectQuiet(second);
    expect(second.stdout).toBe("replicationcontroller/krc configured\n");
    expect((await kubectl("get", "rc", "krc", "-o", "jsonpath={.spec.replicas}")).stdout).toBe("2");

    const labelled = await kubectl("label", "pod", "kpod", "tier=backend");
    expectQuiet(labelled);
    expect(labelled.stdout).toBe("pod/kpod labeled\n");
    expect((await sk("get", "pod", "kpod", "-o", "jsonpath={.metadata.labels.tier}")).stdout).toBe("backend");

    const scaled = await kubectl("scale", "rc", "krc", "--replicas=3");
    expectQuiet(scaled);
    expect(scaled.stdout).toBe("replicationcontroller/krc scaled\n");
    expect((await sk("get", "rc", "krc", "-o", "jsonpath={.spec.replicas}")).stdout).toBe("3");

    const w = follow("kubectl", ["get", "pods", "-w"]);
    try {
      await w.waitFor("NAME");
      expect((await run(skiff, ["create", "-f", "-"], { input: podJson("kwatched") })).code).toBe(0);
      await w.waitFor("kwatched");
      expect(w.err()).not.toMatch(/warning|error/i);
    } finally {
      w.stop();
    }
  }, 90_000);

  test("kubectl: delete pods, services and replication controllers", async () => {
    for (const [what, line] of [
      [["pod", "kpod"], 'pod "kpod" deleted'],
      [["service", "hello-web"], 'service "hello-web" deleted'],
      [["rc", "krc"], 'replicationcontroller "krc" deleted'],
    ] as const) {
      const r = await run("kubectl", ["delete", ...what], { timeoutMs: 60_000 });
      expectQuiet(r);
      expect(r.stdout).toContain(line);
    }
    expect((await kubectl("get", "pod", "kpod")).code).toBe(1);
    expect((await sk("get", "svc", "hello-web")).code).toBe(1);
  }, 120_000);

  test("the Python client lists, creates, patches, watches and deletes pods", async () => {
    const r = await run("/usr/bin/python3", [pythonCheck, "default"], { timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("list ok\ncreate ok\npatch ok\ndelete ok\nwatch ok\n");
    expect(r.code).toBe(0);
  }, 90_000);

  test("login, whoami and logout use oc's names", async () => {
    const url = `https://127.0.0.1:${port}`;
    const token = readFileSync(join(env.SKIFF_HOME, "token"), "utf8").trim();
    const login = await sk("login", url, `--token=${token}`, `--certificate-authority=${join(env.SKIFF_HOME, "ca.crt")}`);
    expect(login.stderr).toBe("");
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(new RegExp(`^Logged into "${url}" as "[^"]+" using the token provided\\.\\n`));
    const ctx = (await sk("config", "current-context")).stdout.trim();
    expect(ctx).toMatch(new RegExp(`^default/127-0-0-1:${port}/[^/]+$`));
    const user = ctx.split("/")[2];
    expect((await sk("whoami")).stdout).toBe(`${user}\n`);
    expect((await sk("whoami", "--show-server")).stdout).toBe(`${url}\n`);
    const out = await sk("logout");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`Logged "${user}" out on "${url}"\n`);
    expect((await sk("whoami", "--show-token")).code).toBe(1);
    expect((await sk("config", "use-context", "skiff")).stdout).toBe('Switched to context "skiff".\n');
  }, 60_000);
});

function podJson(name: string): string {
  return JSON.stringify({
    apiVersion: "v1", kind: "Pod", metadata: { name, labels: { app: "e2e" } },
    spec: { containers: [{ name: "app", image: "docker.io/library/busybox:1.36" }] },
  });
}

function podYaml(name: string): string {
  return [
    "apiVersion: v1", "kind: Pod", "metadata:", `  name: ${name}`, "  labels:", "    app: e2e", "spec:",
    "  containers:", "  - name: app", "    image: docker.io/library/busybox:1.36", "",
  ].join("\n");
}
