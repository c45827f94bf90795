// `skiff cordon`, `uncordon` and `drain` against an in-process cluster: spec.unschedulable, pod filters, deletion and waiting.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { createApiClient } from "../../src/client/client.ts";
import type { Transport } from "../../src/client/transport.ts";
import { goDuration, judgePod } from "../../src/commands/drain.ts";
import { serveDiscovery } from "../../src/controlplane/apiserver/discovery.ts";
import { main } from "../../src/main.ts";
import { splitArgs, testCluster, TEST_SERVER, type RunResult, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

/**
 * Runs a command line against the cluster with discovery served too, as the control plane's
 * HTTPS front serves it: drain then finds pods/eviction and evicts instead of deleting.
 */
async function runWithDiscovery(cmdline: string): Promise<RunResult> {
  const transport: Transport = {
    target: "127.0.0.1:6443",
    request: async (req) => serveDiscovery(req, { serverAddress: "127.0.0.1:6443" }) ?? c.transport.request(req),
  };
  const t = testDeps({ client: async (deps) => createApiClient(transport, { namespace: deps.flags.namespace ?? "default", server: TEST_SERVER }) });
  const code = await main(splitArgs(cmdline), t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

const node = (name: string): ApiObject => ({ apiVersion: "v1", kind: "Node", metadata: { name, labels: { pool: "a" } } });

async function podsOn(nodeName: string, ...specs: { name: string; owned?: boolean; emptyDir?: boolean; phase?: string }[]): Promise<void> {
  const [owner] = await c.seed({
    apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" },
    spec: { replicas: 0, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
  });
  for (const s of specs) {
    await c.seed({
      apiVersion: "v1", kind: "Pod",
      metadata: {
        name: s.name,
        ...(s.owned ? { labels: { app: "web" }, ownerReferences: [{ apiVersion: "v1", kind: "ReplicationController", name: "web", uid: owner.metadata.uid!, controller: true }] } : {}),
      },
      spec: { nodeName, containers: [{ name: "c", image: "nginx" }], ...(s.emptyDir ? { volumes: [{ name: "scratch", emptyDir: {} }] } : {}) },
      ...(s.phase ? { status: { phase: s.phase } } : {}),
    });
  }
}

test("cordon / uncordon set and clear spec.unschedulable, and say when nothing changes", async () => {
  await c.seed(node("minion-1"), node("minion-2"));
  expect(await c.run("cordon minion-1")).toEqual({ code: 0, stdout: "node/minion-1 cordoned\n", stderr: "" });
  expect((await c.client.get("nodes", undefined, "minion-1")).spec?.unschedulable).toBe(true);
  expect(await c.run("cordon minion-1")).toEqual({ code: 0, stdout: "node/minion-1 already cordoned\n", stderr: "" });
  expect(await c.run("uncordon -l pool=a")).toEqual({ code: 0, stdout: "node/minion-1 uncordoned\nnode/minion-2 already uncordoned\n", stderr: "" });
  expect((await c.client.get("nodes", undefined, "minion-1")).spec?.unschedulable).toBeUndefined();
  expect(await c.run("cordon minion-2 --dry-run=client")).toEqual({ code: 0, stdout: "node/minion-2 cordoned (dry run)\n", stderr: "" });
  expect((await c.client.get("nodes", undefined, "minion-2")).spec?.unschedulable).toBeUndefined();
  expect(await c.run("cordon nope")).toEqual({ code: 1, stdout: "", stderr: "Error from server (NotFound): nodes \"nope\" not found\n" });
  expect(await c.run("cordon")).toEqual({ code: 1, stdout: "", stderr: "error: USAGE: cordon NODE [flags]\nSee 'skiff cordon -h' for help and examples\n" });
});

test("judgePod follows kubectl's filters and their order", () => {
  const pod = (extra: Partial<ApiObject>): never => ({ metadata: { name: "p", namespace: "default" }, spec: { containers: [] }, ...extra }) as never;
  const ds = { metadata: { name: "p", ownerReferences: [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "d", uid: "u", controller: true }] } };
  const flags = { force: false, ignoreDaemonsets: false, deleteEmptydirData: false };
  expect(judgePod(pod(ds), flags)).toMatchObject({ delete: false, error: "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)" });
  expect(judgePod(pod(ds), { ...flags, ignoreDaemonsets: true })).toMatchObject({ delete: false, warning: "ignoring DaemonSet-managed Pods" });
  expect(judgePod(pod({}), flags)).toMatchObject({ delete: false, error: "Pods declare no controller (use --force to override)" });
  expect(judgePod(pod({}), { ...flags, force: true })).toMatchObject({ delete: true, warning: "deleting Pods that declare no controller" });
  expect(judgePod(pod({ status: { phase: "Succeeded" } }), flags)).toMatchObject({ delete: true });
  expect(judgePod(pod({ spec: { containers: [], volumes: [{ name: "v", emptyDir: {} }] } }), { ...flags, force: true }))
    .toMatchObject({ delete: false, error: "Pods with local storage (use --delete-emptydir-data to override)" });
  expect(goDuration(60_000)).toBe("1m0s");
  expect(goDuration(3_600_000)).toBe("1h0m0s");
  expect(goDuration(1500)).toBe("1.5s");
});

test("drain refuses bare pods without --force, in kubectl's words, after cordoning", async () => {
  await c.seed(node("minion-1"));
  await podsOn("minion-1", { name: "web-abcde", owned: true }, { name: "bare" });
  expect(await c.run("drain minion-1")).toEqual({
    code: 1, stdout: "node/minion-1 cordoned\n",
    stderr: "error: unable to drain node \"minion-1\" due to error: cannot delete Pods declare no controller (use --force to override): default/bare, continuing command...\n"
      + "There are pending nodes to be drained:\n minion-1\n"
      + "error: cannot delete Pods declare no controller (use --force to override): default/bare\n",
  });
  expect((await c.client.list("pods", "default")).items.map((p) => p.metadata.name)).toEqual(["bare", "web-abcde"]);
});

test("drain --force deletes the node's pods (the server has no eviction subresource) and waits until they are gone", async () => {
  await c.seed(node("minion-1"), node("minion-2"));
  await podsOn("minion-1", { name: "web-abcde", owned: true }, { name: "bare" }, { name: "done", phase: "Succeeded" });
  await c.seed({ apiVersion: "v1", kind: "Pod", metadata: { name: "elsewhere" }, spec: { nodeName: "minion-2", containers: [{ name: "c", image: "nginx" }] } });
  expect(await c.run("drain minion-1 --force --grace-period=0")).toEqual({
    code: 0,
    stdout: "node/minion-1 cordoned\npod/bare deleted\npod/done deleted\npod/web-abcde deleted\nnode/minion-1 drained\n",
    stderr: "Warning: deleting Pods that declare no controller: default/bare\n",
  });
  expect((await c.client.list("pods", "default")).items.map((p) => p.metadata.name)).toEqual(["elsewhere"]);
  expect((await c.client.get("nodes", undefined, "minion-1")).spec?.unschedulable).toBe(true);
});

test("drain evicts through pods/eviction when discovery lists it, and waits until the pods are gone", async () => {
  await c.seed(node("minion-1"));
  await podsOn("minion-1", { name: "web-abcde", owned: true }, { name: "bare" }, { name: "done", phase: "Succeeded" });
  expect(await runWithDiscovery("drain minion-1 --force --grace-period=0")).toEqual({
    code: 0,
    stdout: "node/minion-1 cordoned\nevicting pod default/bare\nevicting pod default/done\nevicting pod default/web-abcde\n"
      + "pod/bare evicted\npod/done evicted\npod/web-abcde evicted\nnode/minion-1 drained\n",
    stderr: "Warning: deleting Pods that declare no controller: default/bare\n",
  });
  expect((await c.client.list("pods", "default")).items).toEqual([]);
});

test("an evicted bound pod is deleted gracefully: without a minion it stays, marked DisruptionTarget, until drain times out", async () => {
  await c.seed(node("minion-1"));
  await podsOn("minion-1", { name: "web-abcde", owned: true });
  expect(await runWithDiscovery("drain minion-1 --timeout=1ms")).toEqual({
    code: 1,
    stdout: "node/minion-1 cordoned\nevicting pod default/web-abcde\n",
    stderr: "error: unable to drain node \"minion-1\" due to error: drain did not complete within 1ms, continuing command...\n"
      + "There are pending nodes to be drained:\n minion-1\nerror: drain did not complete within 1ms\n",
  });
  const p = await c.client.get("pods", "default", "web-abcde");
  expect(p.metadata.deletionGracePeriodSeconds).toBe(30);
  expect(p.status?.conditions?.find((x) => x.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "EvictionByEvictionAPI" });
  expect(await runWithDiscovery("drain minion-1 --dry-run=server")).toEqual({
    code: 0, stdout: "node/minion-1 already cordoned (server dry run)\nevicting pod default/web-abcde (server dry run)\nnode/minion-1 drained (server dry run)\n", stderr: "",
  });
});

test("drain --dry-run=client lists what it would evict; --timeout gives up on pods that stay", async () => {
  await c.seed(node("minion-1"));
  await podsOn("minion-1", { name: "web-abcde", owned: true }, { name: "scratch", owned: true, emptyDir: true });
  expect(await c.run("drain minion-1 --delete-emptydir-data --dry-run=client")).toEqual({
    code: 0,
    stdout: "node/minion-1 cordoned (dry run)\nevicting pod default/scratch (dry run)\nevicting pod default/web-abcde (dry run)\nnode/minion-1 drained (dry run)\n",
    stderr: "Warning: deleting Pods with local storage: default/scratch\n",
  });
  // a bound pod is deleted gracefully: without a minion to confirm, it stays until the timeout
  expect(await c.run("drain minion-1 --delete-emptydir-data --pod-selector=app=web --timeout=1ms")).toEqual({
    code: 1,
    stdout: "node/minion-1 cordoned\n",
    stderr: "Warning: deleting Pods with local storage: default/scratch\n"
      + "error: unable to drain node \"minion-1\" due to error: drain did not complete within 1ms, continuing command...\n"
      + "There are pending nodes to be drained:\n minion-1\nerror: drain did not complete within 1ms\n",
  });
});

test("full loop: drain waits for the minion to stop the RC's pods; the RC's replacements stay pending on the cordoned node", async () => {
  const { startControllers } = await import("../../src/controlplane/controllers/controller-manager.ts");
  const { startMinion } = await import("../../src/controlplane/minion/minion.ts");
  const { createSimulatedRuntime } = await import("../../src/controlplane/minion/simulated-runtime.ts");
  const { realClock } = await import("../../src/deps.ts");
  const controllers = startControllers({ client: c.client, clock: realClock, random: Math.random });
  await controllers.started;
  const minion = await startMinion({
    client: c.client, name: "minion-1", clock: realClock, random: Math.random, heartbeatMs: 60_000,
    runtime: createSimulatedRuntime({ startDelayMs: [5, 10], syncDelayMs: 10 }),
  });
  try {
    expect((await c.run("run web --image=nginx --replicas=2")).code).toBe(0);
    const running = async (): Promise<string[]> => (await c.client.list("pods", "default")).items
      .filter((p) => p.status?.phase === "Running" && !p.metadata.deletionTimestamp).map((p) => p.metadata.name ?? "");
    for (let i = 0; i < 200 && (await running()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const before = await running();
    expect(before).toHaveLength(2);
    const r = await c.run("drain minion-1 --grace-period=1 --timeout=20s");
    expect(r).toEqual({ code: 0, stderr: "",
      stdout: `node/minion-1 cordoned\n${before.map((n) => `pod/${n} deleted\n`).join("")}node/minion-1 drained\n` });
    const left = (await c.client.list("pods", "default")).items;
    expect(left.every((p) => !before.includes(p.metadata.name ?? "") && !p.spec.nodeName)).toBe(true);
  } finally {
    await minion.stop();
    await controllers.stop();
  }
});
