// Every object of every real template fixture (../shared/fixtures/real) is accepted by the API
// server: processed client-side as `skiff process` does, then created through the in-process server.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { infoForKind } from "../../src/api/resources.ts";
import type { ApiObject } from "../../src/api/types.ts";
import { groupifyObject } from "../../src/template/legacy.ts";
import { processTemplate } from "../../src/template/process.ts";
import type { Template } from "../../src/template/types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { fixtureTemplates, requiredValues } from "../helpers/fixtures.ts";

const templates = fixtureTemplates();

let n = 0;
const random = (): number => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; };

let c: TestCluster;
beforeAll(async () => { c = await testCluster({ openshift: true, now: "2024-05-01T12:00:00Z" }); });
afterAll(async () => { await c.close(); });

async function createAll(ns: string, objects: ApiObject[]): Promise<string[]> {
  const created: string[] = [];
  for (const raw of objects) {
    const obj = groupifyObject(structuredClone(raw));
    const info = infoForKind(obj.apiVersion, obj.kind);
    expect(info, `${obj.apiVersion}/${obj.kind} is served`).toBeDefined();
    const out = await c.client.create(info!, info!.namespaced ? ns : undefined, obj);
    created.push(`${out.kind}/${out.metadata.name}`);
  }
  return created;
}

describe("real templates", () => {
  test("there are templates to process", () => {
    expect(templates.length).toBeGreaterThanOrEqual(10);
  });

  test.each(templates.map(([f, t], i) => [f, t, i] as const))("%s: the template and every processed object are created", async (_file, template, i) => {
    const ns = `tpl-${i}`;
    await c.client.create("projectrequests", undefined, { apiVersion: "project.openshift.io/v1", kind: "ProjectRequest", metadata: { name: ns } });
    const stored = await createAll(ns, [template as unknown as ApiObject]);
    expect(stored).toEqual([`Template/${template.metadata?.name}`]);
    const processed = processTemplate(template, requiredValues(template), { random, namespace: ns });
    const made = await createAll(ns, processed.objects);
    expect(made).toHaveLength(processed.objects.length);
  });

  test("what the templates made reads back with server defaults", async () => {
    const i = templates.findIndex(([f]) => f.includes("nodejs-postgresql-example"));
    const ns = `tpl-${i}`;
    const dc = await c.client.get("deploymentconfigs", ns, "postgresql");
    expect(dc.spec.strategy?.type).toBe("Recreate");
    expect(dc.spec.triggers?.[0]?.imageChangeParams?.from).toEqual({ kind: "ImageStreamTag", name: "postgresql:12-el8", namespace: "openshift" });
    expect(dc.status?.latestVersion).toBe(0);
    const bc = await c.client.get("buildconfigs", ns, "nodejs-postgresql-example");
    expect(bc.spec.runPolicy).toBe("Serial");
    expect(bc.status?.lastVersion).toBe(0);
    const route = await c.client.get("routes", ns, "nodejs-postgresql-example");
    expect(route.spec.host).toBe(`nodejs-postgresql-example-${ns}.apps.skiff.local`);
    const is = await c.client.get("imagestreams", ns, "nodejs-postgresql-example");
    expect(is.status?.dockerImageRepository).toBe(`image-registry.openshift-image-registry.svc:5000/${ns}/nodejs-postgresql-example`);
  });

  test("the image stream tags templates name resolve in the openshift namespace", async () => {
    for (const name of ["nodejs:20-ubi8", "postgresql:12-el8", "python:3.9-ubi8", "nginx:1.20-ubi8", "mysql:8.4-el10", "jenkins:2", "jboss-amq-63:1.4"]) {
      const istag = await c.client.get("imagestreamtags", "openshift", name);
      expect(istag.image?.dockerImageReference).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });
});
