// Builds end to end over the real API server, controller manager and a simulated minion:
// instantiate, phases, the build pod, the log, the push into the stream, triggers, run
// policies, failure on purpose and cancellation.
import { afterEach, describe, expect, test } from "vitest";
import type { Build, BuildConfig, ImageStream } from "../../../src/api/openshift-types.ts";
import type { Pod } from "../../../src/api/types.ts";
import { buildCluster, builderStream, create, outputStream, sourceBC, type BuildCluster } from "./builds-harness.ts";
import { eventually } from "./harness.ts";

let c: BuildCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const instantiate = async (cl: BuildCluster, bc: string, body: Record<string, unknown> = {}): Promise<Build> =>
  await cl.client.postSubresource("buildconfigs", "default", bc, "instantiate",
    { kind: "BuildRequest", apiVersion: "build.openshift.io/v1", metadata: { name: bc }, triggeredBy: [{ message: "Manually triggered" }], ...body } as never) as Build;

async function logOf(cl: BuildCluster, build: string): Promise<string> {
  const res = await cl.transport.request({ method: "GET", path: `/apis/build.openshift.io/v1/namespaces/default/builds/${build}/log` });
  expect(res.status).toBe(200);
  return res.body ?? "";
}

describe("instantiate and the build lifecycle", () => {
  test("a manual build runs as a pod on the minion, logs like S2I and pushes a fresh digest to the stream", async () => {
    c = await buildCluster();
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web", { env: [{ name: "NPM_MIRROR", value: "" }] }));
    const b = await instantiate(c, "web", { env: [{ name: "DEBUG", value: "1" }] });
    expect(b.metadata.name).toBe("web-1");
    expect(b.metadata.labels).toEqual({
      app: "web", buildconfig: "web", "openshift.io/build-config.name": "web", "openshift.io/build.start-policy": "Serial",
    });
    expect(b.metadata.annotations).toEqual({
      "openshift.io/build-config.name": "web", "openshift.io/build.number": "1", "openshift.io/build.pod-name": "web-1-build",
    });
    expect(b.metadata.ownerReferences).toEqual([{ apiVersion: "build.openshift.io/v1", kind: "BuildConfig", name: "web", uid: expect.any(String), controller: true }]);
    expect(b.spec.triggeredBy).toEqual([{ message: "Manually triggered" }]);
    // The builder image is pinned to the digest its tag pointed at.
    expect(b.spec.strategy?.sourceStrategy?.from).toEqual({ kind: "DockerImage", name: expect.stringMatching(/^registry\.redhat\.io\/ubi8\/nodejs-20@sha256:[0-9a-f]{64}$/) });
    expect(b.spec.strategy?.sourceStrategy?.env).toEqual([{ name: "NPM_MIRROR", value: "" }, { name: "DEBUG", value: "1" }]);
    expect(b.status?.phase).toBe("New");
    expect((await c.client.get("buildconfigs", "default", "web")).status?.lastVersion).toBe(1);

    const done = await c.waitPhase("web-1", ["Complete", "Failed", "Error"]);
    expect(done.status?.phase).toBe("Complete");
    const digest = (done.status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(done.status?.outputDockerImageReference).toBe("image-registry.openshift-image-registry.svc:5000/default/web:latest");
    expect(done.status?.startTimestamp).toBeDefined();
    expect(done.status?.completionTimestamp).toBeDefined();
    expect(typeof done.status?.duration).toBe("number");

    const pod = await c.client.get("pods", "default", "web-1-build") as Pod;
    expect(pod.spec.nodeName).toBe("minion-1");
    expect(pod.metadata.labels?.["openshift.io/build.name"]).toBe("web-1");
    expect(pod.spec.containers.map((x) => x.name)).toEqual(["sti-build"]);
    expect(pod.status?.phase).toBe("Succeeded");

    const is = await c.client.get("imagestreams", "default", "web") as ImageStream;
    const items = is.status?.tags?.find((t) => t.tag === "latest")?.items ?? [];
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual({ created: expect.any(String), dockerImageReference: `image-registry.openshift-image-registry.svc:5000/default/web@${digest}`, image: digest, generation: 1 });

    const log = await logOf(c, "web-1");
    expect(log).toContain('Cloning "https://github.com/sclorg/nodejs-ex.git" ...');
    expect(log).toMatch(/\tCommit:\t[0-9a-f]{40} \(/);
    expect(log).toContain("STEP 1/9: FROM registry.redhat.io/ubi8/nodejs-20@sha256:");
    expect(log).toContain("---> Installing application source ...");
    expect(log).toContain("Pushing image image-registry.openshift-image-registry.svc:5000/default/web:latest ...");
    expect(log).toContain(`Successfully pushed image-registry.openshift-image-registry.svc:5000/default/web@${digest}`);
    expect(log.trimEnd().split("\n").at(-1)).toBe("Push successful");
    expect(log).not.toContain("[skiff-sim]");

    // A second build gets number 2 and a different digest, newest first in the history.
    await instantiate(c, "web");
    const second = await c.waitPhase("web-2", ["Complete"]);
    const digest2 = (second.status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    expect(digest2).not.toBe(digest);
    const history = (await c.client.get("imagestreams", "default", "web") as ImageStream).status?.tags?.[0]?.items?.map((i) => i.image);
    expect(history).toEqual([digest2, digest]);
  });

  test.each([
    ["the strategy env SKIFF_SIMULATE_BUILD_FAILURE=true", { env: [{ name: "SKIFF_SIMULATE_BUILD_FAILURE", value: "true" }] }, {}],
    ["the BuildConfig annotation sim.skiff.io/build-fail", { annotations: { "sim.skiff.io/build-fail": "true" } }, {}],
    ["-e SKIFF_SIMULATE_BUILD_FAILURE=true on the request", {}, { env: [{ name: "SKIFF_SIMULATE_BUILD_FAILURE", value: "true" }] }],
  ])("a build fails on purpose with %s", async (_what, bcExtra, reqExtra) => {
    c = await buildCluster();
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web", bcExtra));
    await instantiate(c, "web", reqExtra);
    const b = await c.waitPhase("web-1", ["Complete", "Failed", "Error"]);
    expect(b.status?.phase).toBe("Failed");
    expect(b.status?.reason).toBe("GenericBuildFailed");
    expect(b.status?.message).toBe("Generic Build failure - check logs for details.");
    const log = await logOf(c, "web-1");
    expect(log).toContain('error: build error: building at STEP "RUN /usr/libexec/s2i/assemble"');
    expect(log).not.toContain("Push successful");
    const is = await c.client.get("imagestreams", "default", "web") as ImageStream;
    expect(is.status?.tags ?? []).toEqual([]);
  });

  test("a build waits New with InvalidOutputReference until its output stream exists", async () => {
    c = await buildCluster();
    await create(c.client, builderStream(), sourceBC("web"));
    await instantiate(c, "web");
    const held = await eventually(async () => {
      const b = await c!.client.get("builds", "default", "web-1");
      return b.status?.reason === "InvalidOutputReference" ? b : undefined;
    });
    expect(held.status?.phase).toBe("New");
    await create(c.client, outputStream("web"));
    expect((await c.waitPhase("web-1", ["Complete"])).status?.phase).toBe("Complete");
  });

  test("cancelling a running build deletes its pod and ends Cancelled", async () => {
    c = await buildCluster({ stepMs: 200 });
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web"));
    await instantiate(c, "web");
    const running = await c.waitPhase("web-1", ["Running"]);
    await c.client.updateStatus("builds", "default", { ...running, status: { ...running.status, cancelled: true } });
    const b = await c.waitPhase("web-1", ["Cancelled"]);
    expect(b.status?.cancelled).toBe(true);
    expect(b.status?.reason).toBe("CancelledBuild");
    await eventually(async () => {
      try { await c!.client.get("pods", "default", "web-1-build"); return false; } catch { return true; }
    }, 10_000, "build pod deleted");
  });

  test("instantiate refusals: paused, lastVersion mismatch, strategy options, unknown BC", async () => {
    c = await buildCluster();
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web"),
      sourceBC("paused", { annotations: { "openshift.io/build-config.paused": "true" } }));
    await expect(instantiate(c, "paused")).rejects.toThrow("can't instantiate from BuildConfig default/paused: BuildConfig is paused");
    await expect(instantiate(c, "web", { lastVersion: 3 })).rejects.toThrow("the LastVersion(3) on build config default/web does not match the build request LastVersion(0)");
    await expect(instantiate(c, "web", { dockerStrategyOptions: { noCache: true } })).rejects.toThrow("Cannot specify Docker build specific options on default/web, not a Docker build.");
    await expect(instantiate(c, "nope")).rejects.toMatchObject({ status: { code: 404 } });
  });
});

describe("triggers", () => {
  test("ConfigChange starts the first build once; an ImageChange of the builder image starts the next", async () => {
    c = await buildCluster();
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web", { triggers: [{ type: "ConfigChange" }, { type: "ImageChange", imageChange: {} }] }));
    const first = await c.waitPhase("web-1", ["Complete"]);
    expect(first.spec.triggeredBy).toEqual([{ message: "Build configuration change" }]);
    const bc = await c.client.get("buildconfigs", "default", "web") as BuildConfig;
    expect(bc.status?.lastVersion).toBe(1);
    expect(bc.status?.imageChangeTriggers).toEqual([{ lastTriggeredImageID: first.spec.strategy?.sourceStrategy?.from?.name, from: { namespace: "default", name: "nodejs:20-ubi8" }, lastTriggerTime: expect.any(String) }]);
    // The builder image moves: one image change build.
    const is = await c.client.get("imagestreams", "default", "nodejs") as ImageStream;
    await c.client.update("imagestreams", "default", { ...is, spec: { tags: [{ name: "20-ubi8", from: { kind: "DockerImage", name: "registry.redhat.io/ubi8/nodejs-20:1-55" } }] } });
    const second = await c.waitPhase("web-2", ["Complete"]);
    expect(second.spec.triggeredBy).toEqual([{ message: "Image change", imageChangeBuild: { imageID: expect.stringContaining("registry.redhat.io/ubi8/nodejs-20@sha256:"), fromRef: { kind: "ImageStreamTag", namespace: "default", name: "nodejs:20-ubi8" } } }]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await c.client.list("builds", "default")).items.map((b) => b.metadata.name)).toEqual(["web-1", "web-2"]);
  });

  test("a build pushing to a stream another BuildConfig builds from triggers that one (chained builds)", async () => {
    c = await buildCluster();
    const base = sourceBC("base");
    const app = sourceBC("app", { triggers: [{ type: "ImageChange", imageChange: {} }] });
    app.spec.strategy = { type: "Source", sourceStrategy: { from: { kind: "ImageStreamTag", name: "base:latest" } } };
    await create(c.client, builderStream(), outputStream("base"), outputStream("app"), base, app);
    await new Promise((r) => setTimeout(r, 200));
    expect((await c.client.list("builds", "default")).items).toEqual([]);
    await instantiate(c, "base");
    const baseBuild = await c.waitPhase("base-1", ["Complete"]);
    const digest = (baseBuild.status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    const appBuild = await c.waitPhase("app-1", ["Complete"]);
    expect(appBuild.spec.strategy?.sourceStrategy?.from?.name).toBe(`image-registry.openshift-image-registry.svc:5000/default/base@${digest}`);
  });

  test("a tag tracking another stream's tag follows a push into it", async () => {
    c = await buildCluster();
    const prod: ImageStream = { apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name: "prod" },
      spec: { tags: [{ name: "current", from: { kind: "ImageStreamTag", name: "web:latest" } }] } };
    await create(c.client, builderStream(), outputStream("web"), prod, sourceBC("web"));
    await instantiate(c, "web");
    const b = await c.waitPhase("web-1", ["Complete"]);
    const digest = (b.status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    const tracked = await eventually(async () => {
      const is = await c!.client.get("imagestreams", "default", "prod") as ImageStream;
      return is.status?.tags?.find((t) => t.tag === "current")?.items?.[0];
    });
    expect(tracked.image).toBe(digest);
  });
});

describe("run policies", () => {
  test("Serial: builds run one at a time, in number order", async () => {
    c = await buildCluster({ stepMs: 20 });
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web"));
    for (let i = 0; i < 3; i++) await instantiate(c, "web");
    const seen = new Set<string>();
    let maxActive = 0;
    await eventually(async () => {
      const items = (await c!.client.list("builds", "default")).items;
      const active = items.filter((b) => b.status?.phase === "Pending" || b.status?.phase === "Running");
      maxActive = Math.max(maxActive, active.length);
      for (const b of active) seen.add(b.metadata.name!);
      return items.every((b) => b.status?.phase === "Complete");
    }, 20_000, "all complete");
    expect(maxActive).toBe(1);
    const items = (await c.client.list("builds", "default")).items;
    const starts = items.map((b) => [b.metadata.name, b.status?.startTimestamp ?? ""] as const).sort((a, b) => a[1].localeCompare(b[1]));
    expect(starts.map((s) => s[0])).toEqual(["web-1", "web-2", "web-3"]);
  });

  test("SerialLatestOnly: queued older builds are cancelled when a newer one is queued", async () => {
    c = await buildCluster({ stepMs: 30 });
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web", { runPolicy: "SerialLatestOnly" }));
    await instantiate(c, "web");
    await c.waitPhase("web-1", ["Running"]);
    await instantiate(c, "web");
    await instantiate(c, "web");
    expect((await c.waitPhase("web-2", ["Cancelled", "Complete"])).status?.phase).toBe("Cancelled");
    expect((await c.waitPhase("web-3", ["Complete"], 20_000)).status?.phase).toBe("Complete");
    expect((await c.waitPhase("web-1", ["Complete"])).status?.phase).toBe("Complete");
  });

  test("Parallel: builds run at the same time", async () => {
    c = await buildCluster({ stepMs: 40 });
    await create(c.client, builderStream(), outputStream("web"), sourceBC("web", { runPolicy: "Parallel" }));
    await instantiate(c, "web");
    await instantiate(c, "web");
    await eventually(async () => {
      const items = (await c!.client.list("builds", "default")).items;
      return items.filter((b) => b.status?.phase === "Running").length === 2;
    }, 10_000, "two running at once");
  });
});
