// The builds half of the OpenShift flow with upstream's nodejs-postgresql-example template:
// process → create → the ConfigChange build runs on a minion → its image lands in the stream →
// the template's GitHub webhook (with the generated secret) starts the next build.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import type { Build, BuildConfig, ImageStream } from "../../src/api/openshift-types.ts";
import { createApiClient } from "../../src/client/client.ts";
import { main } from "../../src/main.ts";
import { buildCluster, type BuildCluster } from "../controlplane/controllers/builds-harness.ts";
import { splitArgs } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "real");
const APP = "nodejs-postgresql-example";

let c: BuildCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

async function run(cl: BuildCluster, line: string, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const t = testDeps({ stdin, client: async (deps) => createApiClient(cl.transport, { namespace: deps.flags.namespace ?? "default", server: "https://127.0.0.1:6443" }) });
  const code = await main(splitArgs(line), t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

test("nodejs-postgresql-example: the first build pushes into the stream; the GitHub hook builds again", async () => {
  c = await buildCluster({ openshift: true, stepMs: 5 });
  const processed = await run(c, `process -f ${join(FIXTURES, `openshift-library__${APP}.json`)} -o json`);
  expect(processed.code).toBe(0);
  const created = await run(c, "create -f -", processed.stdout);
  expect(created.stderr).toBe("");
  expect(created.stdout).toContain(`buildconfig.build.openshift.io/${APP} created`);

  const first = await c.waitPhase(`${APP}-1`, ["Complete", "Failed", "Error"], 20_000);
  expect(first.status?.phase).toBe("Complete");
  expect(first.spec.triggeredBy).toEqual([{ message: "Build configuration change" }]);
  expect(first.spec.strategy?.sourceStrategy?.from?.name).toMatch(/^image-registry\.openshift-image-registry\.svc:5000\/openshift\/nodejs@sha256:/);
  const digest = (first.status?.["output"] as { to: { imageDigest: string } }).to.imageDigest;
  const is = await c.client.get("imagestreams", "default", APP) as ImageStream;
  expect(is.status?.tags?.find((t) => t.tag === "latest")?.items?.[0]).toMatchObject({
    dockerImageReference: `image-registry.openshift-image-registry.svc:5000/default/${APP}@${digest}`, image: digest,
  });
  const log = await run(c, `logs bc/${APP}`);
  expect(log.stdout).toContain('Cloning "https://github.com/nodeshift-starters/nodejs-rest-http-crud.git" ...');
  expect(log.stdout).toContain("Push successful");

  const bc = await c.client.get("buildconfigs", "default", APP) as BuildConfig;
  const secret = (bc.spec.triggers?.find((t) => t.type === "GitHub")?.github as { secret: string }).secret;
  expect(secret).toMatch(/^[a-zA-Z0-9]{40}$/);
  const hook = await c.transport.request({
    method: "POST", path: `/apis/build.openshift.io/v1/namespaces/default/buildconfigs/${APP}/webhooks/${secret}/github`,
    headers: { "content-type": "application/json", "x-github-event": "push" },
    body: readFileSync(join(FIXTURES, "openshift-openshift-apiserver__pushevent.json"), "utf8"),
  });
  expect(hook.status).toBe(200);
  expect((JSON.parse(hook.body ?? "{}") as Build).metadata.name).toBe(`${APP}-2`);
  const second = await c.waitPhase(`${APP}-2`, ["Complete"], 20_000);
  expect(second.spec.revision?.git?.commit).toBe("9bdc3a26ff933b32f3e558636b58aea86a69f051");
  const after = await c.client.get("imagestreams", "default", APP) as ImageStream;
  expect(after.status?.tags?.find((t) => t.tag === "latest")?.items).toHaveLength(2);
});
