import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isApiError } from "../../../src/api/errors.ts";
import type { Pod } from "../../../src/api/types.ts";
import { createLogSource } from "../../../src/controlplane/minion/log-server.ts";
import { LogBuffer, nanoStamp } from "../../../src/controlplane/minion/log-buffer.ts";
import { ensureTls } from "../../../src/controlplane/tls.ts";
import { minionCluster, runPod, waitPod, type MinionCluster } from "./harness.ts";

let c: MinionCluster;
let tmp: string | undefined;
afterEach(async () => {
  await c?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

const errorOf = async (p: Promise<unknown>): Promise<string> => {
  try { await p; } catch (e) { if (isApiError(e)) return `${e.code} ${e.message}`; throw e; }
  return "no error";
};

describe("LogBuffer", () => {
  const t = new Date("2024-05-01T12:00:07.123Z");
  it("stamps lines with nine fractional digits", () => {
    expect(nanoStamp(t, 42)).toBe("2024-05-01T12:00:07.123000042Z");
  });

  it("applies tailLines, sinceTime, timestamps and limitBytes", () => {
    const b = new LogBuffer();
    for (let i = 0; i < 5; i++) b.append(new Date(t.getTime() + i * 1000), `line ${i}`);
    expect(b.read({}, t)).toBe("line 0\nline 1\nline 2\nline 3\nline 4\n");
    expect(b.read({ tailLines: 2 }, t)).toBe("line 3\nline 4\n");
    expect(b.read({ tailLines: 0 }, t)).toBe("");
    expect(b.read({ sinceTime: "2024-05-01T12:00:10Z" }, t)).toBe("line 3\nline 4\n");
    expect(b.read({ sinceSeconds: 2 }, new Date(t.getTime() + 5000))).toBe("line 3\nline 4\n");
    expect(b.read({ tailLines: 1, timestamps: true }, t)).toBe("2024-05-01T12:00:11.123000004Z line 4\n");
    expect(b.read({ limitBytes: 10 }, t)).toBe("line 0\nlin");
  });

  it("follows new lines until closed", async () => {
    const b = new LogBuffer();
    b.append(t, "a");
    const it = b.read({ follow: true }, t) as AsyncIterable<string>;
    const got: string[] = [];
    const done = (async () => { for await (const ch of it) got.push(ch); })();
    await new Promise((r) => setTimeout(r, 5));
    b.append(t, "b");
    await new Promise((r) => setTimeout(r, 5));
    b.close();
    await done;
    expect(got.join("")).toBe("a\nb\n");
  });
});

describe("pod logs through the API server", () => {
  it("serves what the runtime logged, with tail, timestamps and the kubelet's errors", async () => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "web", "n1");
    await waitPod(c.client, "web", "running", (p) => p.status?.phase === "Running");
    const all = await c.client.logs("default", "web") as string;
    expect(all).toContain("/docker-entrypoint.sh: Configuration complete; ready for start up");
    expect(all).toMatch(/\[notice\] 1#1: nginx\/1\.25\.0\n/);
    expect(await c.client.logs("default", "web", { tailLines: 1 })).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: start worker processes\n$/);
    expect(await c.client.logs("default", "web", { tailLines: 1, timestamps: true })).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*start worker processes\n$/);
    expect(await errorOf(c.client.logs("default", "web", { previous: true }))).toBe('400 previous terminated container "app" in pod "web" not found');
  });

  it("names the containers when a pod has several, and says when one is still waiting", async () => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "web-1", "n1", {
      containers: [{ name: "app", image: "busybox:1.36", command: ["sh", "-c", "echo hi"] }, { name: "sidecar", image: "busybox:1.36" }],
      annotations: { "sim.skiff.io/start-delay.sidecar": "1h" },
    });
    await waitPod(c.client, "web-1", "app running", (p) => p.status?.containerStatuses?.find((x) => x.name === "app")?.state?.running !== undefined);
    expect(await errorOf(c.client.logs("default", "web-1"))).toBe("400 a container name must be specified for pod web-1, choose one of: [app sidecar]");
    expect(await errorOf(c.client.logs("default", "web-1", { container: "sidecar" }))).toBe('400 container "sidecar" in pod "web-1" is waiting to start: ContainerCreating');
    expect(await c.client.logs("default", "web-1", { container: "app" })).toBe(
      '[skiff-sim] starting container "app" from image busybox:1.36\n[skiff-sim] command: sh -c \'echo hi\'\n[skiff-sim] container "app" is running\n');
  });

  it("keeps the previous instance's log after a crash", async () => {
    c = await minionCluster(100);
    await c.minion("n1");
    await runPod(c.client, "crash", "n1", { containers: [{ name: "app", image: "busybox" }], annotations: { "sim.skiff.io/exit-code": "7", "sim.skiff.io/exit-after": "3s" } });
    await waitPod(c.client, "crash", "restarted", (p: Pod) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status?.containerStatuses?.[0]?.state?.running !== undefined);
    const prev = await c.client.logs("default", "crash", { previous: true }) as string;
    expect(prev).toContain('[skiff-sim] container "app" exiting with code 7');
    const cur = await c.client.logs("default", "crash") as string;
    expect(cur).not.toContain("exiting");
  });

  it("follows a log until the container stops", async () => {
    c = await minionCluster(100);
    await c.minion("n1");
    await runPod(c.client, "chatty", "n1", { containers: [{ name: "app", image: "busybox" }], restartPolicy: "Never",
      annotations: { "sim.skiff.io/log-every": "1s", "sim.skiff.io/exit-after": "5s" } });
    await waitPod(c.client, "chatty", "running", (p) => p.status?.phase === "Running");
    const stream = await c.client.logs("default", "chatty", { follow: true }) as AsyncIterable<string>;
    let text = "";
    for await (const ch of stream) text += ch;
    expect(text).toContain("[skiff-sim] app is alive (3)");
    expect(text.trimEnd().split("\n").at(-1)).toBe('[skiff-sim] container "app" exiting with code 0');
  });
});

describe("log serving over HTTPS", () => {
  it("a minion in another process serves logs to the control plane with the token", async () => {
    c = await minionCluster();
    tmp = await mkdtemp(join(tmpdir(), "skiff-minion-tls-"));
    const tls = await ensureTls(tmp, ["127.0.0.1"]);
    const m = await c.minion("remote", { logServer: { port: 0, token: "s3cret", certPem: tls.certPem, keyPem: tls.keyPem } });
    c.minions.delete("remote");   // the API server must not find it in-process
    expect(m.logPort).toBeGreaterThan(0);
    const node = await c.client.get("nodes", undefined, "remote");
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(m.logPort);
    await runPod(c.client, "far", "remote");
    const pod = await waitPod(c.client, "far", "running", (p) => p.status?.phase === "Running");
    const source = createLogSource({ minionFor: () => undefined, client: c.client, token: "s3cret" });
    const base = { namespace: "default", pod, container: "app", follow: false, previous: false, timestamps: false };
    expect(await source({ ...base, tailLines: 1 })).toMatch(/start worker processes\n$/);
    expect(await errorOf(source({ ...base, previous: true }))).toBe('400 previous terminated container "app" in pod "far" not found');
    const bad = createLogSource({ minionFor: () => undefined, client: c.client, token: "wrong" });
    expect(await errorOf(bad(base))).toBe("401 Unauthorized");
    // The endpoint itself: no token, no logs.
    const status = await new Promise<number>((resolve, reject) => {
      const r = request({ host: "127.0.0.1", port: m.logPort, path: "/containerLogs/default/far/app", rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      r.on("error", reject);
      r.end();
    });
    expect(status).toBe(401);
    // Follow streams until the client gives up.
    const ac = new AbortController();
    const stream = await source({ ...base, follow: true, signal: ac.signal }) as AsyncIterable<string>;
    let first = "";
    for await (const ch of stream) { first += ch; ac.abort(); }
    expect(first).toContain("docker-entrypoint");
    await m.stop();
  });
});
