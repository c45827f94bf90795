// `skiff rollout …` and `skiff rollback` against an in-process API server seeded with a
// DeploymentConfig, its versions' RCs and a Deployment: byte-exact oc/kubectl output.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { rcForVersion } from "../../src/controlplane/controllers/deploymentconfigs/util.ts";
import type { DeploymentConfig } from "../../src/api/openshift-types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

function dcObj(image: string): DeploymentConfig {
  return {
    apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { name: "web" },
    spec: { replicas: 3, selector: { app: "web" }, triggers: [{ type: "ConfigChange" }],
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image }] } } },
  };
}

/** Seeds the DC at `versions` (image per version) with RCs in the given phases, and the DC status. */
async function seedDc(versions: { image: string; phase: string; reason?: string }[], status: Partial<NonNullable<DeploymentConfig["status"]>> = {}): Promise<void> {
  const [made] = await c.seed(dcObj(versions.at(-1)?.image ?? "nginx:1")) as DeploymentConfig[];
  for (const [i, v] of versions.entries()) {
    const snap = structuredClone(made!);
    snap.spec.template!.spec.containers[0]!.image = v.image;
    snap.status = { latestVersion: i + 1, details: { message: v.reason ?? "config change" } };
    const rc = rcForVersion(snap);
    rc.metadata.annotations!["openshift.io/deployment.phase"] = v.phase;
    await c.seed(rc as ApiObject);
  }
  const cur = await c.client.get("deploymentconfigs", "default", "web");
  await c.client.updateStatus("deploymentconfigs", "default", { ...cur, status: { ...cur.status, latestVersion: versions.length, observedGeneration: 1, ...status } });
}

test("rollout history lists each version's phase and cause", async () => {
  await seedDc([{ image: "nginx:1", phase: "Complete" }, { image: "nginx:2", phase: "Failed", reason: "image change" }, { image: "nginx:3", phase: "Running", reason: "manual change" }]);
  expect(await c.run("rollout history dc/web")).toEqual({ code: 0, stderr: "", stdout:
    "deploymentconfig.apps.openshift.io/web \n" +
    "REVISION  STATUS    CAUSE\n" +
    "1         Complete  config change\n" +
    "2         Failed    image change\n" +
    "3         Running   manual change\n\n" });
  const one = await c.run("rollout history dc/web --revision=1");
  expect(one.stdout).toContain("deploymentconfig.apps.openshift.io/web with revision #1\n");
  expect(one.stdout).toContain("image: nginx:1");
  expect(await c.run("rollout history dc/web --revision=9")).toMatchObject({ code: 1, stderr: "error: unable to find the specified revision\n" });
});

test("rollout status prints oc's messages", async () => {
  await seedDc([{ image: "nginx:1", phase: "Complete" }], { replicas: 3, updatedReplicas: 3, availableReplicas: 1,
    conditions: [{ type: "Progressing", status: "True", reason: "NewReplicationControllerCreated", message: "x" }] });
  expect(await c.run("rollout status dc/web --watch=false")).toEqual({ code: 0, stderr: "",
    stdout: "Waiting for rollout to finish: 1 of 3 updated replicas are available...\n" });
  const cur = await c.client.get("deploymentconfigs", "default", "web");
  await c.client.updateStatus("deploymentconfigs", "default", { ...cur, status: { ...cur.status, availableReplicas: 3,
    conditions: [{ type: "Progressing", status: "True", reason: "NewReplicationControllerAvailable", message: 'replication controller "web-1" successfully rolled out' }] } });
  expect(await c.run("rollout status dc/web")).toEqual({ code: 0, stderr: "", stdout: 'replication controller "web-1" successfully rolled out\n' });
  await c.seed({ apiVersion: "v1", kind: "ReplicationController", metadata: { name: "plain" },
    spec: { replicas: 1, selector: { a: "b" }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "x" }] } } } });
  expect(await c.run("rollout status rc/plain")).toMatchObject({ code: 1, stderr: "error: no status viewer has been implemented for ReplicationController\n" });
});

test("rollout latest refuses while a version runs, then instantiates", async () => {
  await seedDc([{ image: "nginx:1", phase: "Running" }]);
  expect(await c.run("rollout latest dc/web")).toMatchObject({ code: 1, stderr: "error: #1 is already in progress (Running).\n" });
  const rc = await c.client.get("replicationcontrollers", "default", "web-1");
  rc.metadata.annotations!["openshift.io/deployment.phase"] = "Complete";
  await c.client.update("replicationcontrollers", "default", rc);
  expect(await c.run("rollout latest dc/web")).toEqual({ code: 0, stderr: "", stdout: "deploymentconfig.apps.openshift.io/web rolled out\n" });
  const dc = await c.client.get("deploymentconfigs", "default", "web");
  expect(dc.status?.latestVersion).toBe(2);
  expect(dc.status?.details).toEqual({ message: "manual change", causes: [{ type: "Manual" }] });
});

test("rollout undo, rollback, pause, resume and cancel", async () => {
  await seedDc([{ image: "nginx:1", phase: "Complete" }, { image: "nginx:2", phase: "Complete" }]);
  expect(await c.run("rollout undo dc/web")).toEqual({ code: 0, stderr: "", stdout: "deploymentconfig.apps.openshift.io/web rolled back\n" });
  expect((await c.client.get("deploymentconfigs", "default", "web")).spec.template?.spec.containers[0]!.image).toBe("nginx:1");
  // (No controller runs here, so latestVersion is still 2.)
  expect(await c.run("rollback web --to-version=2")).toMatchObject({ code: 1,
    stderr: 'The DeploymentConfigRollback "web" is invalid: name: Invalid value: "web": version 2 is already the latest\n' });
  expect(await c.run("rollback dc/web --to-version=1")).toEqual({ code: 0, stderr: "", stdout: "#3 rolled back to web-1\n" });
  expect(await c.run("rollout pause dc/web")).toEqual({ code: 0, stderr: "", stdout: "deploymentconfig.apps.openshift.io/web paused\n" });
  expect(await c.run("rollout undo dc/web")).toMatchObject({ code: 1,
    stderr: "error: cannot rollback a paused config; resume it first with 'rollout resume dc/web' and try again\n" });
  expect(await c.run("rollout resume dc/web")).toEqual({ code: 0, stderr: "", stdout: "deploymentconfig.apps.openshift.io/web resumed\n" });
  c.setNow("2024-05-01T12:05:00Z");
  expect(await c.run("rollout cancel dc/web")).toEqual({ code: 0, stderr: "", stdout: "No rollout is in progress (latest rollout #2 complete 5 minutes ago)\n" });
});

test("rollback with an automatic image trigger warns that it was disabled", async () => {
  const d = dcObj("nginx:1");
  d.spec.triggers = [{ type: "ConfigChange" }, { type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["web"], from: { kind: "ImageStreamTag", name: "app:latest" }, lastTriggeredImage: "nginx:2" } }];
  const [made] = await c.seed(d) as DeploymentConfig[];
  for (const [i, image] of ["nginx:1", "nginx:2"].entries()) {
    const snap = structuredClone(made!);
    snap.spec.template!.spec.containers[0]!.image = image;
    snap.status = { latestVersion: i + 1 };
    const rc = rcForVersion(snap);
    rc.metadata.annotations!["openshift.io/deployment.phase"] = "Complete";
    await c.seed(rc as ApiObject);
  }
  const cur = await c.client.get("deploymentconfigs", "default", "web");
  await c.client.updateStatus("deploymentconfigs", "default", { ...cur, status: { ...cur.status, latestVersion: 2 } });
  expect(await c.run("rollback web")).toEqual({ code: 0, stdout: "#3 rolled back to web-1\n",
    stderr: "Warning: the following images triggers were disabled: app:latest\n  You can re-enable them with: oc set triggers dc/web --auto\n" });
  expect((await c.client.get("deploymentconfigs", "default", "web")).spec.triggers?.[1]?.imageChangeParams?.automatic).toBe(false);
});

test("scale dc goes through the scale subresource", async () => {
  await seedDc([{ image: "nginx:1", phase: "Complete" }]);
  expect(await c.run("scale dc/web --replicas=5")).toEqual({ code: 0, stderr: "", stdout: "deploymentconfig.apps.openshift.io/web scaled\n" });
  expect((await c.client.get("deploymentconfigs", "default", "web")).spec.replicas).toBe(5);
});

test("describe dc shows the versions newest first, the latest marked", async () => {
  await seedDc([{ image: "nginx:1", phase: "Complete" }, { image: "nginx:2", phase: "Complete" }]);
  const out = await c.run("describe dc/web");
  expect(out.code).toBe(0);
  expect(out.stdout).toContain("Latest Version:  2\n");
  expect(out.stdout).toContain("Selector:        app=web\n");
  expect(out.stdout).toContain("Triggers:        Config\n");
  expect(out.stdout).toContain("Strategy:        Rolling\n");
  expect(out.stdout).toContain("\nDeployment #2 (latest):\n\tName:         web-2\n".replace(/\t/g, "  "));
  expect(out.stdout.indexOf("Deployment #2 (latest)")).toBeLessThan(out.stdout.indexOf("Deployment #1:"));
  expect(out.stdout).toContain("Status:       Complete");
  expect(out.stdout).toContain("Replicas:     0 current / 0 desired");
});
