// The HTTPS front lets build webhooks through without a bearer token (the secret in the path is
// their credential, as on OpenShift) and still refuses everything else without one.
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { ApiResponse } from "../../src/client/transport.ts";
import { startControlPlane, type ControlPlane } from "../../src/controlplane/control-plane.ts";

let dir: string;
let cp: ControlPlane | undefined;
const reached: string[] = [];

function post(path: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(`${cp!.url}${path}`, { method: "POST", agent: false, ca: cp!.caPem }, (res) => {
      res.resume();
      res.on("end", () => done(res.statusCode ?? 0));
    });
    req.on("error", fail);
    req.end("{}");
  });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-cp-hook-"));
  reached.length = 0;
  cp = await startControlPlane({
    dataDir: join(dir, "data"), port: 0,
    handler: () => ({
      async handle(req): Promise<ApiResponse> { reached.push(req.path); return { status: 200, headers: {}, body: "" }; },
      close() {},
    }),
  });
});
afterEach(async () => {
  await cp?.close();
  rmSync(dir, { recursive: true, force: true });
});

test.each([
  ["/apis/build.openshift.io/v1/namespaces/demo/buildconfigs/web/webhooks/s3cr3t/github", 200],
  ["/apis/build.openshift.io/v1/namespaces/demo/buildconfigs/web/webhooks/s3cr3t/generic", 200],
  ["/apis/build.openshift.io/v1/namespaces/demo/buildconfigs/web/instantiate", 401],
  ["/apis/build.openshift.io/v1/namespaces/demo/buildconfigs/web", 401],
  ["/apis/build.openshift.io/v1/namespaces/demo/builds/webhooks/webhooks/x/github", 401],
  ["/api/v1/namespaces/demo/pods", 401],
])("POST %s without a token → %i", async (path, status) => {
  expect(await post(path)).toBe(status);
  expect(reached).toEqual(status === 200 ? [path] : []);
});
