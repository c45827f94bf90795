// DeploymentConfigs end to end over the real in-process API server, controller manager and
// minions: first version, rolling update bounds, image triggers, timeouts and rollback.
import { afterEach, describe, expect, test } from "vitest";
import type { DeploymentConfig, ImageStream } from "../../../src/api/openshift-types.ts";
import type { Pod, ReplicationController } from "../../../src/api/types.ts";
import { createSimulatedRuntime } from "../../../src/controlplane/minion/simulated-runtime.ts";
import { eventually, liveCluster, type LiveCluster } from "./harness.ts";

let c: LiveCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const fast = () => ({ runtime: createSimulatedRuntime({ startDelayMs: [10, 30] }), heartbeatMs: 100 });

function dc(name: string, replicas: number, extra: Partial<DeploymentConfig["spec"]> = {}, annotations?: Record<string, string>): DeploymentConfig {
  return {
    apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { name },
    spec: {
      replicas, selector: { app: name },
      strategy: { type: "Rolling", rollingParams: { intervalSeconds: 1, updatePeriodSeconds: 1, timeoutSeconds: 600 } },
      template: {
        metadata: { labels: { app: name }, ...(annotations ? { annotations } : {}) },
        spec: { containers: [{ name: "web", image: "nginx:1.25" }] },
      },
      ...extra,
    },
  };
}

const rcOf = (cl: LiveCluster, name: string) => cl.client.get("replicationcontrollers", "default", name);
const phase = (rc: ReplicationController) => rc.metadata.annotations?.["openshift.io/deployment.phase"];
const getDc = (cl: LiveCluster, name: string) => cl.client.get("deploymentconfigs", "default", name);
const running = (p: Pod): boolean => p.status?.phase === "Running" && !p.metadata.deletionTimestamp;

/** GET + mutate + PUT, again on a conflict with the controller's own writes. */
async function editDc(cl: LiveCluster, name: string, fn: (d: DeploymentConfig) => void): Promise<void> {
  for (let i = 0; ; i++) {
    const d = await getDc(cl, name);
    fn(d);
    try { await cl.client.update("deploymentconfigs", "default", d); return; } catch (e) { if (i > 20 || !String(e).includes("modified")) throw e; }
  }
}

async function complete(cl: LiveCluster, rc: string, timeoutMs = 20_000): Promise<ReplicationController> {
  return eventually(async () => { const r = await rcOf(cl, rc); return phase(r) === "Complete" ? r : undefined; }, timeoutMs, `${rc} Complete`);
}

describe("DeploymentConfig", () => {
  test("a ConfigChange trigger deploys version 1: RC web-1 with OpenShift's annotations, pods Running, status", async () => {
    c = await liveCluster({ minion: fast() });
    await c.seed(dc("web", 2));
    const rc = await complete(c, "web-1");
    const a = rc.metadata.annotations!;
    expect(a["openshift.io/deployment-config.name"]).toBe("web");
    expect(a["openshift.io/deployment-config.latest-version"]).toBe("1");
    expect(a["openshift.io/deployment.status-reason"]).toBe("config change");
    expect(a["openshift.io/deployer-pod.name"]).toBe("web-1-deploy");
    expect(JSON.parse(a["openshift.io/encoded-deployment-config"]!).metadata.name).toBe("web");
    expect(rc.spec.selector).toEqual({ app: "web", deploymentconfig: "web", deployment: "web-1" });
    expect(rc.metadata.ownerReferences?.[0]).toMatchObject({ kind: "DeploymentConfig", name: "web", controller: true });
    const pods = await eventually(async () => {
      const ps = (await c!.client.list("pods", "default", { labelSelector: "deployment=web-1" })).items;
      return ps.length === 2 && ps.every(running) ? ps : undefined;
    }, 15_000, "2 running pods");
    expect(pods[0]!.metadata.annotations?.["openshift.io/deployment.name"]).toBe("web-1");
    const d = await eventually(async () => { const x = await getDc(c!, "web"); return x.status?.availableReplicas === 2 ? x : undefined; });
    expect(d.status).toMatchObject({ latestVersion: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, unavailableReplicas: 0,
      details: { message: "config change", causes: [{ type: "ConfigChange" }] } });
    expect(d.status?.conditions?.find((x) => x.type === "Progressing")).toMatchObject({
      status: "True", reason: "NewReplicationControllerAvailable", message: 'replication controller "web-1" successfully rolled out' });
    // the deployer pod's log (through the pod log subresource, as `logs dc/web` reads it) is the rollout's
    const log = await eventually(async () => {
      try {
        const text = await c!.client.logs("default", "web-1-deploy");
        return typeof text === "string" && text.includes("--> Success") ? text : undefined;
      } catch {
        return undefined;
      }
    }, 15_000, "the deployer log");
    expect(log).toBe("--> Scaling web-1 to 2\n--> Success\n");
  }, 30_000);

  test("a template change rolls out version 2 without exceeding maxSurge or dropping below maxUnavailable", async () => {
    c = await liveCluster({ minion: fast() });
    const spec = dc("web", 3);
    spec.spec.strategy!.rollingParams = { ...spec.spec.strategy!.rollingParams, maxSurge: 1, maxUnavailable: 0 };
    await c.seed(spec);
    await complete(c, "web-1");
    await eventually(async () => (await getDc(c!, "web")).status?.availableReplicas === 3);
    await editDc(c, "web", (d) => { d.spec.template!.spec.containers[0]!.image = "nginx:1.27"; });
    // Sample the RCs while the rollout runs: total desired ≤ 4, available ≥ 3.
    let maxTotal = 0;
    let minAvailable = Infinity;
    await eventually(async () => {
      const rcs = (await c!.client.list("replicationcontrollers", "default")).items;
      const total = rcs.reduce((n, r) => n + (r.spec.replicas ?? 0), 0);
      const avail = rcs.reduce((n, r) => n + (r.status?.availableReplicas ?? 0), 0);
      maxTotal = Math.max(maxTotal, total);
      minAvailable = Math.min(minAvailable, avail);
      const v2 = rcs.find((r) => r.metadata.name === "web-2");
      return v2 && phase(v2) === "Complete";
    }, 30_000, "web-2 Complete");
    expect(maxTotal).toBeLessThanOrEqual(4);
    expect(minAvailable).toBeGreaterThanOrEqual(3);
    expect((await rcOf(c, "web-1")).spec.replicas).toBe(0);
    const v2 = await rcOf(c, "web-2");
    expect(v2.spec.template?.spec.containers[0]!.image).toBe("nginx:1.27");
    const log = v2.metadata.annotations?.["deploy.skiff.io/log"]?.split("\n") ?? [];
    expect(log[0]).toBe("--> Scaling up web-2 from 0 to 3, scaling down web-1 from 3 to 0 (keep 3 pods available, don't exceed 4 pods)");
    expect(log).toContain("    Scaling web-2 up to 1");
    expect(log).toContain("    Scaling web-1 down to 0");
    expect(log.at(-1)).toBe("--> Success");
  }, 45_000);

  test("an ImageChange trigger waits for the tag, then deploys the resolved image and records it", async () => {
    c = await liveCluster({ minion: fast() });
    const spec = dc("app", 1, { triggers: [{ type: "ConfigChange" }, { type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["web"], from: { kind: "ImageStreamTag", name: "app:latest" } } }] });
    spec.spec.template!.spec.containers[0]!.image = " ";
    await c.seed(spec);
    await c.seed({ apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name: "app" }, spec: {} } as ImageStream);
    await new Promise((r) => setTimeout(r, 300));
    expect((await getDc(c, "app")).status?.latestVersion).toBe(0);
    const push = async (digest: string): Promise<void> => {
      const is = await c!.client.get("imagestreams", "default", "app");
      const items = [{ created: "2024-05-01T12:00:00Z", dockerImageReference: `172.30.1.1:5000/default/app@sha256:${digest}`, image: `sha256:${digest}`, generation: 1 },
        ...(is.status?.tags?.[0]?.items ?? [])];
      await c!.client.updateStatus("imagestreams", "default", { ...is, status: { dockerImageRepository: "172.30.1.1:5000/default/app", tags: [{ tag: "latest", items }] } });
    };
    await push("aaa");
    const v1 = await complete(c, "app-1");
    expect(v1.spec.template?.spec.containers[0]!.image).toBe("172.30.1.1:5000/default/app@sha256:aaa");
    await push("bbb");
    const v2 = await complete(c, "app-2");
    expect(v2.spec.template?.spec.containers[0]!.image).toBe("172.30.1.1:5000/default/app@sha256:bbb");
    const d = await getDc(c, "app");
    expect(d.spec.triggers?.[1]?.imageChangeParams?.lastTriggeredImage).toBe("172.30.1.1:5000/default/app@sha256:bbb");
    expect(d.status?.details).toEqual({ message: "image change", causes: [{ type: "ImageChange", imageTrigger: { from: { kind: "ImageStreamTag", name: "app:latest", namespace: "default" } } }] });
  }, 45_000);

  test("pods that never become ready fail the version after timeoutSeconds and the last good one scales back", async () => {
    c = await liveCluster({ minion: fast() });
    const spec = dc("web", 2);
    spec.spec.strategy!.rollingParams = { intervalSeconds: 1, updatePeriodSeconds: 1, timeoutSeconds: 2, maxSurge: 1, maxUnavailable: 0 };
    await c.seed(spec);
    await complete(c, "web-1");
    await editDc(c, "web", (d) => { d.spec.template!.metadata!.annotations = { "sim.skiff.io/ready-delay": "1h" }; });
    const failed = await eventually(async () => { const r = await rcOf(c!, "web-2"); return phase(r) === "Failed" ? r : undefined; }, 20_000, "web-2 Failed");
    expect(failed.spec.replicas).toBe(0);
    expect((await rcOf(c, "web-1")).spec.replicas).toBe(2);
    const d = await eventually(async () => {
      const x = await getDc(c!, "web");
      return x.status?.conditions?.find((k) => k.type === "Progressing")?.reason === "ProgressDeadlineExceeded" ? x : undefined;
    });
    expect(d.status?.conditions?.find((k) => k.type === "Progressing")?.message).toBe('replication controller "web-2" has failed progressing');
  }, 30_000);

  test("instantiate forces a Manual version; rollback returns the old template with image triggers off", async () => {
    c = await liveCluster({ minion: fast() });
    await c.seed(dc("web", 1));
    await complete(c, "web-1");
    const out = await c.client.postSubresource("deploymentconfigs", "default", "web", "instantiate",
      { kind: "DeploymentRequest", apiVersion: "apps.openshift.io/v1", name: "web", latest: true, force: true } as never) as DeploymentConfig;
    expect(out.status?.latestVersion).toBe(2);
    expect(out.status?.details).toEqual({ message: "manual change", causes: [{ type: "Manual" }] });
    await complete(c, "web-2");
    await editDc(c, "web", (d) => { d.spec.template!.spec.containers[0]!.image = "nginx:1.27"; });
    await complete(c, "web-3");
    const rb = await c.client.postSubresource("deploymentconfigs", "default", "web", "rollback",
      { kind: "DeploymentConfigRollback", apiVersion: "apps.openshift.io/v1", name: "web", spec: { revision: 1, includeTemplate: true } } as never) as DeploymentConfig;
    expect(rb.spec.template?.spec.containers[0]!.image).toBe("nginx:1.25");
    expect(rb.status?.latestVersion).toBe(4);
    await expect(c.client.postSubresource("deploymentconfigs", "default", "web", "rollback",
      { kind: "DeploymentConfigRollback", apiVersion: "apps.openshift.io/v1", name: "web", spec: { revision: 3 } } as never))
      .rejects.toThrow('DeploymentConfigRollback.apps.openshift.io "web" is invalid: name: Invalid value: "web": version 3 is already the latest');
  }, 45_000);
});
