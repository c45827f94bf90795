// `skiff new-app` against an in-process cluster: the description, per-object lines, hints,
// failures, dry run and -o, byte for byte.
import { afterEach, describe, expect, test } from "vitest";
import { join } from "node:path";
import { describeGeneratedTemplate, successHints } from "../../src/commands/new-app.ts";
import type { ApiObject } from "../../src/api/types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "hello-template.json");

const SMALL = {
  kind: "Template", apiVersion: "template.openshift.io/v1",
  metadata: { name: "small", namespace: "default", annotations: { description: "A tiny app.\nTwo lines." } },
  message: "Say hi to ${NAME}.",
  parameters: [
    { name: "NAME", displayName: "Name", value: "web" },
    { name: "PASS", generate: "expression", from: "[a-z]{4}" },
  ],
  objects: [
    { kind: "Service", apiVersion: "v1", metadata: { name: "${NAME}" }, spec: { ports: [{ port: 80 }], selector: { app: "${NAME}" } } },
    { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "${NAME}-config" }, data: { pass: "${PASS}" } },
  ],
};

let c: TestCluster;
afterEach(async () => { await c?.close(); });

describe("pure parts", () => {
  test("the template description, as oc's DescribeGeneratedTemplate", () => {
    const text = describeGeneratedTemplate("small.json", { ...SMALL, message: "Say hi to web." } as never,
      [{ name: "NAME", displayName: "Name", value: "web" }, { name: "PASS", value: "abcd", generate: "expression" }], "demo");
    expect(text).toBe(`--> Deploying template "default/small" for "small.json" to project demo

     small
     ---------
     A tiny app.
     Two lines.

     Say hi to web.

     * With parameters:
        * Name=web
        * PASS=abcd # generated

`);
  });

  test("hints: builds, registry warning, routes, expose and status", () => {
    const objs = [
      { kind: "BuildConfig", apiVersion: "build.openshift.io/v1", metadata: { name: "b" }, spec: { triggers: [{ type: "ConfigChange" }] } },
      { kind: "BuildConfig", apiVersion: "build.openshift.io/v1", metadata: { name: "m" }, spec: {} },
      { kind: "ImageStream", apiVersion: "image.openshift.io/v1", metadata: { name: "i" } },
      { kind: "Service", apiVersion: "v1", metadata: { name: "s" } },
    ] as ApiObject[];
    expect(successHints(objs)).toBe(`    Build scheduled, use 'skiff logs -f buildconfig/b' to track its progress.
    Use 'skiff start-build m' to start a build.
    WARNING: No container image registry has been configured with the server. Automatic builds and deployments may not function.
    Application is not exposed. You can expose services to the outside world by executing one or more of the commands below:
     'skiff expose service/s' 
    Run 'skiff status' to view your app.
`);
    expect(successHints([{ kind: "Route", apiVersion: "route.openshift.io/v1", metadata: { name: "r" }, spec: { host: "r.example.com" } }]))
      .toBe("    Access your application via route 'r.example.com' \n    Run 'skiff status' to view your app.\n");
  });
});

describe("against a cluster", () => {
  test("a stored template by positional name: described, created in order, annotated, hinted", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    await c.seed(SMALL as never);
    const r = await c.run("new-app small -l team=a");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const pass = (await c.client.get("configmaps", "default", "web-config")).data?.pass ?? "";
    expect(pass).toMatch(/^[a-z]{4}$/);
    expect(r.stdout).toBe(`--> Deploying template "default/small" to project default

     small
     ---------
     A tiny app.
     Two lines.

     Say hi to web.

     * With parameters:
        * Name=web
        * PASS=${pass} # generated

--> Creating resources with label team=a ...
    service "web" created
    configmap "web-config" created
--> Success
    Application is not exposed. You can expose services to the outside world by executing one or more of the commands below:
     'skiff expose service/web' 
    Run 'skiff status' to view your app.
`);
    const svc = await c.client.get("services", "default", "web");
    expect(svc.metadata.labels).toEqual({ team: "a" });
    expect(svc.metadata.annotations?.["openshift.io/generated-by"]).toBe("OpenShiftNewApp");
  });

  test("failures are reported per object and the command exits 1", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    await c.seed(SMALL as never);
    await c.seed({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { ports: [{ port: 80 }] } });
    const r = await c.run("new-app --template=small -p PASS=abcd");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('    error: services "web" already exists\n');
    expect(r.stdout).toContain('--> Creating resources ...\n    configmap "web-config" created\n--> Failed\n');
  });

  test("--dry-run creates nothing; -o yaml prints the List", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    await c.seed(SMALL as never);
    const dry = await c.run("new-app --template=default/small -p PASS=abcd --dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('    service "web" created (dry run)\n    configmap "web-config" created (dry run)\n--> Success (dry run)\n');
    expect(dry.stdout).not.toContain("Run 'skiff status'");
    const printed = await c.run("new-app --template=small -p PASS=abcd -o name");
    expect(printed.stdout).toBe("service/web\nconfigmap/web-config\n");
    const yaml = await c.run("new-app --template=small -p PASS=zzzz -p NAME=other -o yaml");
    expect(yaml.stdout).toContain("kind: List\n");
    expect(yaml.stdout).toContain("      openshift.io/generated-by: OpenShiftNewApp\n");
    await expect(c.client.get("services", "default", "other")).rejects.toThrow();
  });

  test("an unknown template name", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const r = await c.run("new-app nope");
    expect(r).toEqual({ code: 1, stdout: "", stderr: 'error: unable to locate any templates loaded in accessible projects with name "nope"\n' });
  });

  test("the bundled example: every object created", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const r = await c.run(["new-app", "-f", EXAMPLE, "-p", "GITHUB_WEBHOOK_SECRET=s3cret"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`--> Deploying template "default/hello-node" for "${EXAMPLE}" to project default

     Hello, Node.js
     ---------
`);
    expect(r.stdout).toContain(`--> Creating resources ...
    service "hello-node" created
    route.route.openshift.io "hello-node" created
    imagestream.image.openshift.io "hello-node" created
    buildconfig.build.openshift.io "hello-node" created
    deploymentconfig.apps.openshift.io "hello-node" created
--> Success
    Access your application via route 'hello-node-default.apps.skiff.local' 
    Build scheduled, use 'skiff logs -f buildconfig/hello-node' to track its progress.
    Run 'skiff status' to view your app.
`);
    expect(r.stdout).toContain("        * GitHub Webhook Secret=s3cret\n");
  });
});
