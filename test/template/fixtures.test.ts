// Real upstream templates (../shared/fixtures/real, see its SOURCES.md) processed end to end.
import { describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { legacyKindGroup } from "../../src/template/legacy.ts";
import { TemplateError, processTemplate } from "../../src/template/process.ts";
import type { Template } from "../../src/template/types.ts";
import { seeded } from "./random.ts";
import { fixtureTemplates, loadFixture, requiredValues } from "../helpers/fixtures.ts";

const templates = fixtureTemplates();

test("every template fixture is found", () => {
  expect(templates.map(([f]) => f)).toEqual([
    "openshift-library-go__guestbook.json",
    "openshift-library-go__guestbook_list.json",
    "openshift-library__amq63-basic.json",
    "openshift-library__cache-service.json",
    "openshift-library__django-psql-persistent.json",
    "openshift-library__jenkins-ephemeral.json",
    "openshift-library__mysql-persistent.json",
    "openshift-library__nginx-example.json",
    "openshift-library__nodejs-postgresql-example.json",
    "openshift-origin__template_required_params.yaml",
  ]);
});

describe.each(templates)("%s", (_file, template) => {
  const values = requiredValues(template);
  const result = processTemplate(template, values, { random: seeded(1337) });
  const text = JSON.stringify(result.objects);

  test("processes with its required parameters supplied", () => {
    expect(result.objects).toHaveLength(template.objects.length);
    for (const p of result.parameters) if (p.required) expect(p.value).toBeTruthy();
  });

  test("leaves no reference to a declared parameter behind", () => {
    for (const p of template.parameters ?? []) {
      expect(text).not.toContain(`\${${p.name}}`);
      expect(text).not.toContain(`\${{${p.name}}}`);
    }
  });

  test("generated values match their expressions", () => {
    for (const p of result.parameters.filter((q) => q.generate === "expression")) {
      const re = new RegExp(`^${p.from!.replace(/\[\\w\]/g, "[A-Za-z0-9_]")}$`);
      expect(p.value).toMatch(re);
      expect(text).toContain(p.value);
    }
  });

  test("objects carry grouped apiVersions and the template labels", () => {
    const labels = result.template.labels ?? {};
    for (const obj of result.objects) {
      expect(obj.kind).toBeTruthy();
      if (legacyKindGroup(obj.kind!)) expect(obj.apiVersion).not.toBe("v1");
      expect(obj.metadata.labels ?? {}).toMatchObject(labels);
      expect(obj.metadata.namespace).toBeUndefined();
    }
  });
});

describe("specific fixtures", () => {
  const byFile = (f: string): Template => templates.find(([name]) => name === f)![1];

  test("guestbook.json gives guestbook_list.json modulo generated values", () => {
    const input = structuredClone(byFile("openshift-library-go__guestbook.json"));
    // As upstream's test does before processing.
    input.parameters!.push({ name: "CUSTOM_PARAM1", value: "1" });
    const r = processTemplate(input, {}, { random: seeded(1337) });
    const expected = loadFixture("openshift-library-go__guestbook_list.json")[0] as Template;

    const ours = new Map(r.parameters.map((p) => [p.name, p.value!]));
    let expectedText = JSON.stringify(expected);
    for (const p of expected.parameters ?? []) {
      if (p.generate !== "expression") continue;
      expect(ours.get(p.name)).toMatch(new RegExp(`^${p.from}$`));
      expectedText = expectedText.split(JSON.stringify(p.value)).join(JSON.stringify(ours.get(p.name)));
      expectedText = expectedText.split(p.value!).join(ours.get(p.name)!);
    }
    const want = JSON.parse(expectedText) as Template;
    expect(r.template).toEqual(want);
    // Objects come out in the exact key order oc printed them.
    expect(JSON.stringify(r.objects)).toBe(JSON.stringify(want.objects));
    expect(r.message).toBe(`Your admin credentials are ${ours.get("ADMIN_USERNAME")}:${ours.get("ADMIN_PASSWORD")}`);
  });

  test("cache-service: ${{NUMBER_OF_INSTANCES}} becomes a number", () => {
    const r = processTemplate(byFile("openshift-library__cache-service.json"), { APPLICATION_USER: "dev", NUMBER_OF_INSTANCES: "3" }, { random: seeded(1) });
    const sts = r.objects.find((o) => o.kind === "StatefulSet") as ApiObject & { spec: { replicas: unknown } };
    expect(sts.spec.replicas).toBe(3);
  });

  test("cache-service without its required user fails as oc --local does", () => {
    let err: unknown;
    try { processTemplate(byFile("openshift-library__cache-service.json"), {}, { random: seeded(1) }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TemplateError);
    const index = byFile("openshift-library__cache-service.json").parameters!.findIndex((p) => p.name === "APPLICATION_USER");
    expect((err as TemplateError).cliText()).toBe(
      `The Template "cache-service" is invalid: template.parameters[${index}]: Required value: template.parameters[${index}]: parameter APPLICATION_USER is required and must be specified`);
  });

  test("amq63-basic (legacy v1 template): the DeploymentConfig is groupified, Services are not", () => {
    const r = processTemplate(byFile("openshift-library__amq63-basic.json"), {}, { random: seeded(2) });
    expect(r.objects.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([
      "v1 Service", "v1 Service", "v1 Service", "v1 Service", "v1 Service", "apps.openshift.io/v1 DeploymentConfig",
    ]);
    expect(r.objects[0].metadata.labels).toEqual(expect.objectContaining({ template: "amq63-basic", xpaas: "1.4.17" }));
  });

  test("nginx-example: template labels holding ${NAME} are substituted", () => {
    const r = processTemplate(byFile("openshift-library__nginx-example.json"), { NAME: "web" }, { random: seeded(3) });
    for (const o of r.objects) expect(o.metadata.labels).toEqual(expect.objectContaining({ app: "web", template: "web" }));
  });

  test("template_required_params.yaml: origin's templates.sh expectations", () => {
    const t = byFile("openshift-origin__template_required_params.yaml");
    let err: unknown;
    try { processTemplate(t, {}, { random: seeded(4) }); } catch (e) { err = e; }
    expect((err as TemplateError).message).toContain("parameter required_param is required and must be specified");
    const r = processTemplate(t, { required_param: "someval" }, { random: seeded(4) });
    expect(r.objects).toEqual([{ apiVersion: "user.openshift.io/v1", kind: "User", metadata: { name: "someval" } }]);
  });

  test("mysql-persistent: expose annotations with braces pass through untouched", () => {
    const r = processTemplate(byFile("openshift-library__mysql-persistent.json"), {}, { random: seeded(5) });
    const secret = r.objects.find((o) => o.kind === "Secret")!;
    const annotations = secret.metadata.annotations ?? {};
    expect(Object.values(annotations).some((v) => v.startsWith("{.data['"))).toBe(true);
  });
});
