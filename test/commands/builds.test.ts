// start-build, cancel-build, logs build/… and bc/…, tag and describe bc against a real API
// server with the build controllers and a simulated minion.
import { afterEach, describe, expect, test } from "vitest";
import type { Build, ImageStream } from "../../src/api/openshift-types.ts";
import { createApiClient } from "../../src/client/client.ts";
import { main } from "../../src/main.ts";
import { buildCluster, builderStream, create, outputStream, sourceBC, type BuildCluster } from "../controlplane/controllers/builds-harness.ts";
import { eventually } from "../controlplane/controllers/harness.ts";
import { splitArgs } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

let c: BuildCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

async function run(cl: BuildCluster, line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const t = testDeps({ client: async (deps) => createApiClient(cl.transport, { namespace: deps.flags.namespace ?? "default", server: "https://api.example.com:6443" }) });
  const code = await main(splitArgs(line), t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

async function setup(stepMs = 5, bcExtra: Parameters<typeof sourceBC>[1] = {}): Promise<BuildCluster> {
  c = await buildCluster({ stepMs });
  await create(c.client, builderStream(), outputStream("web"), sourceBC("web", {
    triggers: [{ type: "GitHub", github: { secret: "s1" } }, { type: "Generic", generic: { secret: "s2", allowEnv: true } },
      // Paused: an active image trigger would build at once (the builder tag already resolves).
      { type: "ImageChange", imageChange: { paused: true } }],
    ...bcExtra,
  }));
  return c;
}

describe("start-build", () => {
  test("prints the build name; --wait waits for Complete", async () => {
    const cl = await setup();
    const r = await run(cl, "start-build web --wait -e DEBUG=1 --commit abc1234");
    expect(r).toMatchObject({ code: 0, stdout: "build.build.openshift.io/web-1 started\n" });
    const b = await cl.client.get("builds", "default", "web-1") as Build;
    expect(b.status?.phase).toBe("Complete");
    expect(b.spec.revision).toEqual({ type: "Git", git: { commit: "abc1234" } });
    expect(b.spec.strategy?.sourceStrategy?.env).toEqual([{ name: "DEBUG", value: "1" }]);
    expect(b.spec.triggeredBy).toEqual([{ message: "Manually triggered" }]);
  });

  test("--follow streams the S2I log to the end", async () => {
    const cl = await setup(10);
    const r = await run(cl, "start-build web --follow");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("build.build.openshift.io/web-1 started\nCloning \"https://github.com/sclorg/nodejs-ex.git\" ...\n")).toBe(true);
    expect(r.stdout).toContain("STEP 8/9: RUN /usr/libexec/s2i/assemble\n");
    expect(r.stdout.trimEnd().endsWith("Push successful")).toBe(true);
  });

  test("--wait exits 1 with oc's message when the build fails", async () => {
    const cl = await setup();
    const r = await run(cl, "start-build web --wait -e SKIFF_SIMULATE_BUILD_FAILURE=true");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: the build default/web-1 status is "Failed"\n');
  });

  test("--from-build re-runs a build with its revision; -o name prints the name only", async () => {
    const cl = await setup();
    await run(cl, "start-build web --commit deadbeef --wait");
    const r = await run(cl, "start-build --from-build=web-1 -o name");
    expect(r.stdout).toBe("build.build.openshift.io/web-2\n");
    const b = await cl.client.get("builds", "default", "web-2") as Build;
    expect(b.metadata.annotations?.["openshift.io/build.clone-of"]).toBe("web-1");
    expect(b.spec.revision?.git?.commit).toBe("deadbeef");
  });

  test.each([
    ["start-build", "error: Must pass a name of a build config or specify build name with '--from-build' flag."],
    ["start-build web -e NOVALUE", 'error: --env must be of the form KEY=VALUE: "NOVALUE"'],
    ["start-build nope", 'Error from server (NotFound): buildconfigs.build.openshift.io "nope" not found'],
  ])("%s fails", async (line, first) => {
    const cl = await setup();
    const r = await run(cl, line);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(first);
  });
});

describe("logs, cancel-build, describe and tag", () => {
  test("logs build/NAME and bc/NAME read the latest build's log", async () => {
    const cl = await setup();
    await run(cl, "start-build web --wait");
    await run(cl, "start-build web --wait");
    const byBuild = await run(cl, "logs build/web-1");
    expect(byBuild.code).toBe(0);
    expect(byBuild.stdout).toContain("Push successful");
    const digest2 = ((await cl.client.get("builds", "default", "web-2") as Build).status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    const byBc = await run(cl, "logs bc/web");
    expect(byBc.stdout).toContain(`@${digest2}`);
    const missing = await run(cl, "logs bc/other");
    expect(missing.code).toBe(1);
  });

  test("cancel-build marks the build and waits until it is Cancelled", async () => {
    const cl = await setup(200);
    await run(cl, "start-build web");
    await cl.waitPhase("web-1", ["Running"]);
    const r = await run(cl, "cancel-build web-1");
    expect(r).toMatchObject({ code: 0, stdout: "build.build.openshift.io/web-1 cancelled\n" });
    expect((await cl.client.get("builds", "default", "web-1") as Build).status?.phase).toBe("Cancelled");
    const again = await run(cl, "cancel-build web-1");
    expect(again.stderr).toBe("A cancellation event was not issued for build default/web-1: build is already cancelled\n");
    expect((await run(cl, "cancel-build web-1 --state=done")).stderr.split("\n")[0]).toBe("error: invalid --state flag value, must be one of 'new', 'pending', or 'running'");
  });

  test("describe bc shows triggers, webhook URLs with <secret> and the builds", async () => {
    const cl = await setup();
    await run(cl, "start-build web --wait");
    const r = await run(cl, "describe bc web");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+web\nNamespace:\s+default\n/);
    expect(r.stdout).toMatch(/Latest Version:\s+1\n/);
    expect(r.stdout).toMatch(/Strategy:\s+Source\nURL:\s+https:\/\/github.com\/sclorg\/nodejs-ex.git\nFrom Image:\s+ImageStreamTag nodejs:20-ubi8\nOutput to:\s+ImageStreamTag web:latest\n/);
    expect(r.stdout).toMatch(/Triggered by:\s+Image\(ImageStreamTag nodejs:20-ubi8\)\n/);
    expect(r.stdout).toMatch(/Webhook GitHub:\n\s+URL:\s+https:\/\/api.example.com:6443\/apis\/build.openshift.io\/v1\/namespaces\/default\/buildconfigs\/web\/webhooks\/<secret>\/github\n/);
    expect(r.stdout).toMatch(/Webhook Generic:\n\s+URL:\s+https:\/\/api.example.com:6443\/apis\/build.openshift.io\/v1\/namespaces\/default\/buildconfigs\/web\/webhooks\/<secret>\/generic\n\s+AllowEnv:\s+true\n/);
    expect(r.stdout).toMatch(/Build\s+Status\s+Duration\s+Creation Time\nweb-1\s+complete\s+\d+s\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\n/);
  });

  test("tag copies the current image, tracks with --alias, imports docker images and deletes", async () => {
    const cl = await setup();
    await run(cl, "start-build web --wait");
    const digest = ((await cl.client.get("builds", "default", "web-1") as Build).status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    expect((await run(cl, "tag web:latest web:prod")).stdout).toBe(`Tag web:prod set to web@${digest}.\n`);
    expect((await run(cl, "tag --alias web:latest web:edge")).stdout).toBe("Tag web:edge set up to track web:latest.\n");
    expect((await run(cl, "tag docker.io/library/nginx:1.25 proxy:stable")).stdout).toBe("Tag proxy:stable set to docker.io/library/nginx:1.25.\n");
    expect((await run(cl, "tag --source=docker nginx:1.25 proxy:raw --reference")).stdout).toBe("Tag proxy:raw set to nginx:1.25.\n");
    const proxy = await cl.client.get("imagestreams", "default", "proxy") as ImageStream;
    expect(proxy.spec?.tags?.find((t) => t.name === "raw")?.reference).toBe(true);
    expect(proxy.status?.tags?.find((t) => t.tag === "stable")?.items?.[0]?.dockerImageReference).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    // A new build moves latest and the alias with it, but not the copy.
    await run(cl, "start-build web --wait");
    const digest2 = ((await cl.client.get("builds", "default", "web-2") as Build).status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
    const web = await eventually(async () => {
      const is = await cl.client.get("imagestreams", "default", "web") as ImageStream;
      return is.status?.tags?.find((t) => t.tag === "edge")?.items?.[0]?.image === digest2 ? is : undefined;
    });
    expect(web.status?.tags?.find((t) => t.tag === "prod")?.items?.[0]?.image).toBe(digest);
    const istags = await run(cl, "get istag");
    expect(istags.stdout).toContain("web:edge");
    expect((await run(cl, "tag -d web:prod")).stdout).toBe("Deleted tag default/web:prod.\n");
    expect((await run(cl, "tag web:missing web:x")).stderr).toBe('error: "web:missing" is not currently pointing to an image, cannot use it as the source of a tag\n');
    expect((await run(cl, "tag web:latest prod")).stderr.split("\n")[0]).toBe('error: "prod" must be of the form <stream_name>:<tag>');
  });
});
