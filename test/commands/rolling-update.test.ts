// `skiff rolling-update`: argument rules, the next controller it builds, and a full update with the
// real controllers and a simulated minion turning the RC's pods over one at a time.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject, ReplicationController } from "../../src/api/types.ts";
import rollingUpdate, { NEXT_CONTROLLER_ANNOTATION, nextController, type RollingUpdateOptions } from "../../src/commands/rolling-update.ts";
import { startControllers, type ControllerManager } from "../../src/controlplane/controllers/controller-manager.ts";
import { startMinion, type Minion } from "../../src/controlplane/minion/minion.ts";
import { createSimulatedRuntime } from "../../src/controlplane/minion/simulated-runtime.ts";
import { realClock } from "../../src/deps.ts";
import { testDeps } from "../helpers/test-deps.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
let controllers: ControllerManager | undefined;
let minion: Minion | undefined;
beforeEach(async () => { c = await testCluster(); });
afterEach(async () => {
  await minion?.stop();
  await controllers?.stop();
  minion = undefined;
  controllers = undefined;
  await c.close();
});

const rc = (name: string, replicas: number, image = "nginx:1"): ApiObject => ({
  apiVersion: "v1", kind: "ReplicationController", metadata: { name },
  spec: { replicas, selector: { app: name }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } } },
});

const flags = (o: Record<string, unknown>) => ({
  filename: [], deploymentLabelKey: "deployment", updatePeriod: "1m0s", pollInterval: "3s", timeout: "5m0s", ...o,
}) as never;

test.each<[string[], Record<string, unknown>, Partial<RollingUpdateOptions> | string]>([
  [["web"], { image: "nginx:2" }, { oldName: "web", keepOldName: true, image: "nginx:2", updatePeriod: 60_000, pollInterval: 3000, timeout: 300_000 }],
  [["web-v1", "web-v2"], { image: "nginx:2", updatePeriod: "1s" }, { oldName: "web-v1", newName: "web-v2", keepOldName: false, updatePeriod: 1000 }],
  [["web"], {}, "Must specify --filename or --image for new controller"],
  [["web"], { image: "x", filename: ["rc.yaml"] }, "--filename and --image can not both be specified"],
  [["web"], { image: "x", rollback: true }, "Don't specify --filename or --image on rollback"],
  [[], { image: "x" }, "Must specify the controller to update"],
  [["web"], { image: "x", deploymentLabelKey: "" }, "--deployment-label-key can not be empty"],
])("complete %j %j", (args, f, want) => {
  const deps = testDeps().deps;
  if (typeof want === "string") expect(() => rollingUpdate.complete(args, flags(f), deps)).toThrow(want);
  else expect(rollingUpdate.complete(args, flags(f), deps)).toMatchObject(want);
});

test("nextController swaps the image and adds the hash under the deployment key", () => {
  const old = rc("web", 3) as ReplicationController;
  const next = nextController(old, { image: "nginx:2", deploymentKey: "deployment" });
  const hash = next.spec.selector!.deployment;
  expect(hash).toMatch(/^[0-9a-f]{32}$/);
  expect(next.metadata.name).toBe(`web-${hash}`);
  expect(next.spec.template?.metadata?.labels).toEqual({ app: "web", deployment: hash });
  expect(next.spec.template?.spec.containers[0].image).toBe("nginx:2");
  expect(old.spec.template?.spec.containers[0].image).toBe("nginx:1");
  const two = { ...old, spec: { ...old.spec, template: { ...old.spec.template!, spec: { containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] } } } };
  expect(() => nextController(two, { image: "z", deploymentKey: "deployment" })).toThrow("must specify container to update when updating a multi-container pod");
  expect(() => nextController(two, { image: "z", deploymentKey: "deployment", container: "c" })).toThrow("container c not found in pod");
});

test("errors before anything changes", async () => {
  await c.seed(rc("web", 2));
  // a missing OLD with --image and no NEW is taken for an interrupted rename, as kubectl does
  expect(await c.run("rolling-update nope --image=nginx:2")).toEqual({ code: 1, stdout: "",
    stderr: "error: couldn't find a replication controller with source id == default/nope\n" });
  expect(await c.run("rolling-update nope nope-2 --image=nginx:2")).toEqual({ code: 1, stdout: "",
    stderr: "Error from server (NotFound): replicationcontrollers \"nope\" not found\n" });
  expect(await c.run("rolling-update web --image=nginx:1")).toEqual({ code: 1, stdout: "",
    stderr: "error: --image-pull-policy (Always|Never|IfNotPresent) must be provided when --image is the same as existing container image\n" });
  expect(await c.run("rolling-update web web-v2 --rollback")).toEqual({ code: 1, stdout: "", stderr: "error: Could not find web-v2 to rollback.\n" });
  expect(await c.run("rolling-update web")).toEqual({ code: 1, stdout: "",
    stderr: "error: Must specify --filename or --image for new controller\nSee 'skiff rolling-update -h' for help and examples\n" });
  const dry = await c.run("rolling-update web web-v2 --image=nginx:2 --dry-run=client");
  expect(dry).toEqual({ code: 0, stdout: "Rolling from:\nweb\nTo:\nweb-v2\n", stderr: "" });
  expect((await c.client.list("replicationcontrollers", "default")).items.map((r) => r.metadata.name)).toEqual(["web"]);
});

async function startLoop(): Promise<void> {
  controllers = startControllers({ client: c.client, clock: realClock, random: Math.random });
  await controllers.started;
  minion = await startMinion({
    client: c.client, name: "minion-1", clock: realClock, random: Math.random, heartbeatMs: 60_000,
    runtime: createSimulatedRuntime({ startDelayMs: [5, 10], syncDelayMs: 10 }),
  });
}

async function until(what: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (await what()) return;
  throw new Error("condition not reached");
}

const readyPods = async (selector: string): Promise<number> => (await c.client.list("pods", "default", { labelSelector: selector })).items
  .filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True")).length;

test("full loop: web is replaced one pod at a time by web-<hash>, which is then renamed web", async () => {
  await startLoop();
  expect((await c.run("run web --image=nginx:1 --replicas=2")).code).toBe(0);
  await until(async () => (await readyPods("run=web")) === 2);
  const r = await c.run("rolling-update web --image=nginx:2 --update-period=20ms --poll-interval=20ms --timeout=30s");
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const next = /^Created (web-[0-9a-f]{32})\n/.exec(r.stdout)?.[1];
  expect(next).toBeDefined();
  expect(r.stdout).toBe([
    `Created ${next}`,
    `Scaling up ${next} from 0 to 2, scaling down web from 2 to 0 (keep 2 pods available, don't exceed 3 pods)`,
    `Scaling ${next} up to 1`,
    "Scaling web down to 1",
    `Scaling ${next} up to 2`,
    "Scaling web down to 0",
    "Update succeeded. Deleting old controller: web",
    `Renaming ${next} to web`,
    "replicationcontroller/web rolling updated",
    "",
  ].join("\n"));
  const web = await c.client.get("replicationcontrollers", "default", "web");
  expect(web.spec.template?.spec.containers[0].image).toBe("nginx:2");
  expect(web.spec.replicas).toBe(2);
  expect(web.spec.selector).toEqual({ run: "web", deployment: next!.slice(4) });
  expect(web.metadata.annotations?.[NEXT_CONTROLLER_ANNOTATION]).toBeUndefined();
  expect((await c.client.list("replicationcontrollers", "default")).items.map((x) => x.metadata.name)).toEqual(["web"]);
  await until(async () => {
    const pods = (await c.client.list("pods", "default")).items.filter((p) => !p.metadata.deletionTimestamp);
    return pods.length === 2 && pods.every((p) => p.spec.containers[0].image === "nginx:2");
  });
});

test("full loop with a new name: web-v1 → web-v2, old controller deleted", async () => {
  await startLoop();
  await c.seed(rc("web-v1", 1));
  await until(async () => (await readyPods("app=web-v1")) === 1);
  const r = await c.run("rolling-update web-v1 web-v2 --image=nginx:2 --update-period=20ms --poll-interval=20ms");
  expect(r).toEqual({ code: 0, stderr: "", stdout: [
    "Created web-v2",
    "Scaling up web-v2 from 0 to 1, scaling down web-v1 from 1 to 0 (keep 1 pods available, don't exceed 2 pods)",
    "Scaling web-v2 up to 1",
    "Scaling web-v1 down to 0",
    "Update succeeded. Deleting web-v1",
    "replicationcontroller/web-v2 rolling updated to \"web-v2\"",
    "",
  ].join("\n") });
  // the old controller goes once the garbage collector has orphaned its (no) pods
  await until(async () => (await c.client.list("replicationcontrollers", "default")).items.length === 1);
  expect((await c.client.list("replicationcontrollers", "default")).items.map((x) => x.metadata.name)).toEqual(["web-v2"]);
});
