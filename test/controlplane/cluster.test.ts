// cluster up/down/status as a library: a real detached server process per data dir, and the kubeconfig merge.
import { execPath } from "node:process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { clusterDown, clusterStatus, clusterUp, mergeSkiffContext, probeHealth } from "../../src/controlplane/cluster.ts";
import { CliError } from "../../src/errors.ts";

const SKIFF = join(import.meta.dirname, "..", "..", "bin", "skiff.ts");   // the real CLI entry, run by Node 24
const binary = { command: execPath, args: ["--disable-warning=ExperimentalWarning", SKIFF] };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "skiff-cluster-")); });
afterEach(async () => {
  await clusterDown({ dataDir: join(dir, "data") });
  rmSync(dir, { recursive: true, force: true });
});

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe("mergeSkiffContext", () => {
  const creds = { server: "https://127.0.0.1:7443", caPem: "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n", token: "t0k" };

  test("creates a kubeconfig (and its directory) with the skiff context current, mode 0600", () => {
    const path = join(dir, "nested", ".kube", "config");
    mergeSkiffContext(path, creds);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(load(readFileSync(path, "utf8"))).toEqual({
      apiVersion: "v1", kind: "Config", preferences: {},
      clusters: [{ name: "skiff", cluster: { server: creds.server, "certificate-authority-data": Buffer.from(creds.caPem).toString("base64") } }],
      users: [{ name: "skiff", user: { token: "t0k" } }],
      contexts: [{ name: "skiff", context: { cluster: "skiff", user: "skiff" } }],
      "current-context": "skiff",
    });
  });

  test("keeps every other entry, replaces its own in place and keeps the namespace set on it", () => {
    const path = join(dir, "config");
    writeFileSync(path, [
      "apiVersion: v1", "kind: Config", "current-context: prod",
      "clusters:", "- name: prod", "  cluster: {server: 'https://prod:6443'}", "- name: skiff", "  cluster: {server: 'https://old:1'}",
      "users:", "- name: admin", "  user: {token: secret}",
      "contexts:", "- name: prod", "  context: {cluster: prod, user: admin}", "- name: skiff", "  context: {cluster: skiff, user: skiff, namespace: dev}",
      "extensions: []", "",
    ].join("\n"));
    mergeSkiffContext(path, creds);
    mergeSkiffContext(path, creds);
    const cfg = load(readFileSync(path, "utf8")) as Record<string, any>;
    expect(cfg["current-context"]).toBe("skiff");
    expect(cfg.extensions).toEqual([]);
    expect(cfg.clusters).toEqual([
      { name: "prod", cluster: { server: "https://prod:6443" } },
      { name: "skiff", cluster: { server: creds.server, "certificate-authority-data": Buffer.from(creds.caPem).toString("base64") } },
    ]);
    expect(cfg.users).toEqual([{ name: "admin", user: { token: "secret" } }, { name: "skiff", user: { token: "t0k" } }]);
    expect(cfg.contexts).toEqual([
      { name: "prod", context: { cluster: "prod", user: "admin" } },
      { name: "skiff", context: { cluster: "skiff", user: "skiff", namespace: "dev" } },
    ]);
  });

  test.each([
    ["malformed YAML", "clusters: [\n"],
    ["not a mapping", "- a\n- b\n"],
  ])("refuses to overwrite %s", (_name, text) => {
    const path = join(dir, "config");
    writeFileSync(path, text);
    expect(() => mergeSkiffContext(path, creds)).toThrow(CliError);
    expect(readFileSync(path, "utf8")).toBe(text);
  });
});

describe("clusterUp / clusterStatus / clusterDown", () => {
  test("starts a detached server, is idempotent, stops it, and reuses the port next time", async () => {
    const dataDir = join(dir, "data");
    const kubeconfigPath = join(dir, "kubeconfig");
    expect(await clusterStatus({ dataDir })).toEqual({ running: false, dataDir, healthy: false });

    const up = await clusterUp({ dataDir, binary, kubeconfigPath });
    expect(up.alreadyRunning).toBe(false);
    expect(up.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(up.pid).not.toBe(process.pid);
    expect(await clusterStatus({ dataDir })).toEqual({ running: true, url: up.url, pid: up.pid, dataDir, healthy: true });

    const cfg = load(readFileSync(kubeconfigPath, "utf8")) as Record<string, any>;
    expect(cfg["current-context"]).toBe("skiff");
    const cluster = cfg.clusters.find((c: { name: string }) => c.name === "skiff").cluster;
    expect(cluster.server).toBe(up.url);
    const caPem = Buffer.from(cluster["certificate-authority-data"], "base64").toString("utf8");
    expect(caPem).toBe(readFileSync(join(dataDir, "ca.crt"), "utf8"));
    expect(cfg.users.find((u: { name: string }) => u.name === "skiff").user.token).toBe(readFileSync(join(dataDir, "token"), "utf8").trim());
    expect(await probeHealth(up.url, caPem)).toBe(true);
    expect(readFileSync(join(dataDir, "server.log"), "utf8")).toContain(`skiff control plane listening on ${up.url}`);

    const again = await clusterUp({ dataDir, binary, kubeconfigPath });
    expect(again).toEqual({ url: up.url, pid: up.pid, alreadyRunning: true });

    expect(await clusterDown({ dataDir })).toEqual({ stopped: true, pid: up.pid });
    expect(alive(up.pid)).toBe(false);
    expect(existsSync(join(dataDir, "endpoint.json"))).toBe(false);
    expect(await clusterStatus({ dataDir })).toEqual({ running: false, dataDir, healthy: false });
    expect(readFileSync(join(dataDir, "server.log"), "utf8")).toContain("SIGTERM received, shutting down");

    const restarted = await clusterUp({ dataDir, binary, kubeconfigPath, port: 0 });
    expect(restarted.alreadyRunning).toBe(false);
    expect(restarted.url).toBe(up.url);
    expect(restarted.pid).not.toBe(up.pid);
  }, 60_000);

  test("a server that dies during start-up fails with the tail of its log", async () => {
    const dataDir = join(dir, "data");
    const dying = { command: execPath, args: ["-e", "console.error('cannot open database: disk on fire'); process.exit(3)"] };
    const err = await clusterUp({ dataDir, binary: dying, kubeconfigPath: join(dir, "kubeconfig") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toMatch(/exited during start-up \(exit code 3\)/);
    expect((err as Error).message).toContain("disk on fire");
    expect(existsSync(join(dir, "kubeconfig"))).toBe(false);
  });

  test("down with nothing running, or a stale pid of another process, signals nobody", async () => {
    const dataDir = join(dir, "data");
    expect(await clusterDown({ dataDir })).toEqual({ stopped: false });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, "server.pid"), `${process.pid}\n`);
    chmodSync(join(dataDir, "server.pid"), 0o600);
    expect(await clusterDown({ dataDir })).toEqual({ stopped: false });
    expect(existsSync(join(dataDir, "server.pid"))).toBe(false);
    expect(alive(process.pid)).toBe(true);
  });
});
