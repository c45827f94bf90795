// processTemplate: substitution, namespaces, labels, groupification, injection and oc's errors.
import { describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import {
  TemplateError, isTemplate, parameterTable, processTemplate, processedList,
} from "../../src/template/process.ts";
import type { Parameter, Template } from "../../src/template/types.ts";
import { seeded } from "./random.ts";

const opts = { random: seeded(1337) };

function tpl(objects: unknown[], parameters: Parameter[] = [], extra: Partial<Template> = {}): Template {
  return { kind: "Template", apiVersion: "template.openshift.io/v1", metadata: { name: "t" }, objects: objects as ApiObject[], parameters, ...extra };
}

/** Processes one ConfigMap whose data.v is `input` and returns the processed data.v. */
function subst(input: unknown, params: Record<string, string>): unknown {
  const t = tpl([{ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" }, data: { v: input } }],
    Object.entries(params).map(([name, value]) => ({ name, value })));
  const data = processTemplate(t, {}, opts).objects[0].data as Record<string, unknown>;
  return Object.hasOwn(data, "v") ? data.v : "<deleted>";
}

function errorOf(f: () => unknown): TemplateError {
  try { f(); } catch (e) { if (e instanceof TemplateError) return e; throw e; }
  throw new Error("expected a TemplateError");
}

describe("substitution", () => {
  // openshift.md §1.3, confirmed by upstream tests.
  test.each<[string, unknown, Record<string, string>, unknown]>([
    ["${{INT}} with a number", "${{INT}}", { INT: "1" }, 1],
    ["${{B}} with a boolean", "${{B}}", { B: "true" }, true],
    ["${{S}} with non-JSON", "${{S}}", { S: "string1" }, "string1"],
    ["${{M}} with an object", "${{M}}", { M: "{\"key\":\"value\"}" }, { key: "value" }],
    ["${{M}} with broken JSON", "${{M}}", { M: "{\"key\":\"value\"" }, "{\"key\":\"value\""],
    ["${{A}} with an array", "${{A}}", { A: "[\"key\",\"value\"]" }, ["key", "value"]],
    ["${{Q}} with a JSON string", "${{Q}}", { Q: "\"quoted\"" }, "quoted"],
    ["${{E}} with an empty value", "${{E}}", { E: "" }, ""],
    ["${{N}} with null deletes the entry", "${{N}}", { N: "null" }, "<deleted>"],
    ["prefix before ${{}}", "a${{INT}}", { INT: "1" }, "a${{INT}}"],
    ["suffix after ${{}}", "${{INT}}a", { INT: "1" }, "${{INT}}a"],
    ["unknown ${NOPE}", "${NOPE}", { A: "1" }, "${NOPE}"],
    ["unknown ${{NOPE}}", "${{NOPE}}", { A: "1" }, "${{NOPE}}"],
    ["name with a space", "${{INVALID PARAMETER}}", { INVALID: "1" }, "${{INVALID PARAMETER}}"],
    ["no escape syntax", "$${VALUE}", { VALUE: "1" }, "$1"],
    ["the same name twice", "${A}_${A}", { A: "x" }, "x_x"],
    ["several names", "pre-${A}-${B}-post", { A: "1", B: "2" }, "pre-1-2-post"],
    ["${NAME} keeps the value a string", "${INT}", { INT: "1" }, "1"],
    ["values are inserted verbatim", "${V}", { V: "a\"b\\c" }, "a\"b\\c"],
    ["a value holding ${X} is not expanded again on its own", "${A}", { A: "${B}", B: "2" }, "${B}"],
    ["names are case-sensitive", "${name}", { NAME: "x" }, "${name}"],
    ["numbers are untouched", 42, { A: "1" }, 42],
    ["booleans are untouched", false, { A: "1" }, false],
    ["null is untouched", null, { A: "1" }, null],
  ])("%s", (_, input, params, want) => {
    expect(subst(input, params)).toEqual(want);
  });

  test("a later match can hit text an earlier replacement inserted, as upstream", () => {
    expect(subst("${A}${B}", { A: "${B}", B: "2" })).toBe("2${B}");
  });

  test("the worked example of §1.3", () => {
    const t = tpl([{
      kind: "DeploymentConfig", apiVersion: "v1", metadata: { name: "${NAME}-dc" },
      spec: { replicas: "${{REPLICAS}}", note: "x${{REPLICAS}}", ports: "${{PORTS}}", other: "${MISSING}" },
    }], [{ name: "REPLICAS", value: "3" }, { name: "NAME", value: "web" }, { name: "PORTS", value: "[8080,8443]" }]);
    expect(processTemplate(t, {}, opts).objects).toEqual([{
      apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { name: "web-dc" },
      spec: { note: "x${{REPLICAS}}", other: "${MISSING}", ports: [8080, 8443], replicas: 3 },
    }]);
  });

  test("map keys, array elements, apiVersion and kind are substituted at any depth", () => {
    const t = tpl([{
      kind: "${KIND}", apiVersion: "${VERSION}", metadata: { name: "n", annotations: { "${KEY}": "${VAL}" } },
      spec: { list: ["${VAL}", ["${VAL}"], { deep: "${VAL}" }] },
    }], [{ name: "KIND", value: "BuildConfig" }, { name: "VERSION", value: "v1" }, { name: "KEY", value: "k" }, { name: "VAL", value: "v" }]);
    const [obj] = processTemplate(t, {}, opts).objects;
    // The substituted kind is honoured by groupification, which runs afterwards.
    expect(obj.apiVersion).toBe("build.openshift.io/v1");
    expect(obj.kind).toBe("BuildConfig");
    expect(obj.metadata.annotations).toEqual({ k: "v" });
    expect(obj.spec).toEqual({ list: ["v", ["v"], { deep: "v" }] });
  });

  test("null from ${{}} inside an array stays null", () => {
    expect(subst(["${{N}}", "x"], { N: "null" })).toEqual([null, "x"]);
  });

  test("the message and the labels (keys and values) are substituted", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }],
      [{ name: "USER", value: "admin" }, { name: "KEY", value: "app" }, { name: "VAL", value: "web" }],
      { message: "Login as ${USER} (${{USER}})", labels: { "${KEY}": "${VAL}", fixed: "x-${VAL}" } });
    const r = processTemplate(t, {}, opts);
    expect(r.message).toBe("Login as admin (${{USER}})");
    expect(r.objects[0].metadata.labels).toEqual({ app: "web", fixed: "x-web" });
    expect(r.template.labels).toEqual({ app: "web", fixed: "x-web" });
  });

  test("a message that is exactly ${{NAME}} becomes the raw value", () => {
    const t = tpl([], [{ name: "N", value: "5" }], { message: "${{N}}" });
    expect(processTemplate(t, {}, opts).message).toBe("5");
  });

  test("processed objects have their keys sorted at every level, as oc prints them", () => {
    const t = tpl([{ metadata: { name: "x", labels: { b: "1", a: "2" } }, kind: "Service", apiVersion: "v1", spec: { z: 1, a: [{ y: 1, b: 2 }] } }]);
    const [obj] = processTemplate(t, {}, opts).objects;
    expect(JSON.stringify(obj)).toBe('{"apiVersion":"v1","kind":"Service","metadata":{"labels":{"a":"2","b":"1"},"name":"x"},"spec":{"a":[{"b":2,"y":1}],"z":1}}');
  });
});

describe("namespaces inside objects", () => {
  const ns = (namespace: unknown): unknown => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s", namespace } }], [{ name: "NS", value: "other" }]);
    const meta = processTemplate(t, {}, opts).objects[0].metadata;
    return Object.hasOwn(meta, "namespace") ? meta.namespace : "<removed>";
  };
  test.each<[string, unknown, unknown]>([
    ["a literal namespace is removed", "demo", "<removed>"],
    ["a ${NAME} reference is kept and substituted", "${NS}", "other"],
    ["a reference inside text counts", "team-${NS}", "team-other"],
    ["a ${{NAME}} namespace does not count as a reference", "${{NS}}", "<removed>"],
    ["an unknown reference is kept as is", "${NOPE}", "${NOPE}"],
    ["an empty namespace stays empty", "", ""],
    ["a non-string namespace becomes empty", 5, ""],
  ])("%s", (_, input, want) => {
    expect(ns(input)).toEqual(want);
  });

  test("objects without a namespace get none", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }]);
    expect(processTemplate(t, {}, opts).objects[0].metadata).toEqual({ name: "s" });
  });

  test("the namespace option is written into the processed template only", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }], [], { metadata: { name: "t", namespace: "openshift" } });
    const r = processTemplate(t, {}, { ...opts, namespace: "mine" });
    expect(r.template.metadata.namespace).toBe("mine");
    expect(r.objects[0].metadata.namespace).toBeUndefined();
  });
});

describe("object labels", () => {
  const rc = {
    kind: "ReplicationController", apiVersion: "v1", labels: { old: "style" },
    metadata: { name: "rc", labels: { key1: "v1", key2: "v2" } },
    spec: { selector: { name: "web" }, template: { metadata: { labels: { name: "web" } } } },
  };

  test("are written into metadata.labels, overwriting equal keys, and nowhere else", () => {
    const [obj] = processTemplate(tpl([rc], [], { labels: { key2: "v3", app: "demo" } }), {}, opts).objects;
    expect(obj.metadata.labels).toEqual({ app: "demo", key1: "v1", key2: "v3" });
    expect(obj.labels).toEqual({ old: "style" });
    expect(obj.spec).toEqual(rc.spec);
  });

  test("a DeploymentConfig's pod template is not touched either", () => {
    const dc = { kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1", metadata: { name: "dc" }, spec: { template: { metadata: { labels: { a: "b" } } } } };
    const [obj] = processTemplate(tpl([dc], [], { labels: { app: "demo" } }), {}, opts).objects;
    expect(obj.spec).toEqual(dc.spec);
    expect(obj.metadata.labels).toEqual({ app: "demo" });
  });

  test("an empty labels map still gives every object a labels map", () => {
    const [obj] = processTemplate(tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }], [], { labels: {} }), {}, opts).objects;
    expect(obj.metadata.labels).toEqual({});
  });

  test("without template labels objects are untouched", () => {
    const [obj] = processTemplate(tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }]), {}, opts).objects;
    expect(obj.metadata).toEqual({ name: "s" });
  });

  test("-l labels are merged over the template's, the command line winning", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }], [], { labels: { app: "tpl", keep: "x" } });
    const r = processTemplate(t, {}, { ...opts, labels: { app: "cli", extra: "y" } });
    expect(r.objects[0].metadata.labels).toEqual({ app: "cli", extra: "y", keep: "x" });
    const bare = processTemplate(tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }]), {}, { ...opts, labels: { a: "b" } });
    expect(bare.objects[0].metadata.labels).toEqual({ a: "b" });
  });

  test("an object without metadata gets metadata with the labels", () => {
    const [obj] = processTemplate(tpl([{ kind: "Service", apiVersion: "v1" }], [], { labels: { a: "b" } }), {}, opts).objects;
    expect(obj.metadata).toEqual({ labels: { a: "b" } });
  });
});

describe("legacy groupification", () => {
  test.each([
    ["DeploymentConfig", "v1", "apps.openshift.io/v1"],
    ["BuildConfig", "v1", "build.openshift.io/v1"],
    ["ImageStream", "v1", "image.openshift.io/v1"],
    ["Route", "v1", "route.openshift.io/v1"],
    ["Template", "v1", "template.openshift.io/v1"],
    ["User", "v1", "user.openshift.io/v1"],
    ["RoleBinding", "v1", "authorization.openshift.io/v1"],
    ["Service", "v1", "v1"],
    ["Deployment", "apps/v1", "apps/v1"],
    ["DeploymentConfig", "apps.openshift.io/v1", "apps.openshift.io/v1"],
    ["Route", "v1beta1", "v1beta1"],
  ])("%s %s → %s", (kind, apiVersion, want) => {
    const [obj] = processTemplate(tpl([{ kind, apiVersion, metadata: { name: "x" } }]), {}, opts).objects;
    expect(obj.apiVersion).toBe(want);
  });
});

describe("parameter values", () => {
  const params = (): Parameter[] => [
    { name: "USER", value: "default" },
    { name: "PASS", generate: "expression", from: "[a-z]{8}", required: true },
    { name: "OPT" },
  ];
  const obj = { kind: "Secret", apiVersion: "v1", metadata: { name: "s" }, stringData: { user: "${USER}", pass: "${PASS}", pass2: "${PASS}", opt: "${OPT}" } };
  const run = (values: Record<string, string>, o = {}) => processTemplate(tpl([obj], params()), values, { ...opts, ...o });

  test("input overrides defaults; generated values are shared by every reference", () => {
    const r = run({ USER: "me" });
    const data = r.objects[0].stringData as Record<string, string>;
    expect(data.user).toBe("me");
    expect(data.pass).toMatch(/^[a-z]{8}$/);
    expect(data.pass2).toBe(data.pass);
    expect(data.opt).toBe("");
    expect(r.parameters).toEqual([
      { name: "USER", value: "me" },
      { name: "PASS", value: data.pass, generate: "expression", from: "[a-z]{8}", required: true },
      { name: "OPT" },
    ]);
  });

  test("an input value clears the generator (and keeps `from`, as oc does)", () => {
    const r = run({ PASS: "secret" });
    expect((r.objects[0].stringData as Record<string, string>).pass).toBe("secret");
    expect(r.parameters[1]).toEqual({ name: "PASS", value: "secret", from: "[a-z]{8}", required: true });
  });

  test("an empty input value disables generation and then trips required", () => {
    const e = errorOf(() => run({ PASS: "" }));
    expect(e.reason).toBe("Invalid");
    expect(e.errors).toEqual([{ type: "FieldValueRequired", field: "template.parameters[1]", message: "Required value: template.parameters[1]: parameter PASS is required and must be specified" }]);
  });

  test("a non-empty default means the generator is not run", () => {
    const t = tpl([], [{ name: "P", value: "fixed", generate: "expression", from: "[a-z]{8}" }]);
    expect(processTemplate(t, {}, opts).parameters[0].value).toBe("fixed");
  });

  test("processing is deterministic for a seeded source and does not modify its input", () => {
    const t = tpl([obj], params(), { labels: { a: "b" } });
    const before = structuredClone(t);
    const a = processTemplate(t, {}, { random: seeded(42) });
    const b = processTemplate(t, {}, { random: seeded(42) });
    expect(a).toEqual(b);
    expect(t).toEqual(before);
  });

  test("a later parameter of the same name wins the lookup; the first one takes the input", () => {
    const t = tpl([{ kind: "ConfigMap", apiVersion: "v1", metadata: { name: "c" }, data: { v: "${X}" } }], [{ name: "X", value: "first" }, { name: "X", value: "second" }]);
    expect(processTemplate(t, {}, opts).objects[0].data).toEqual({ v: "second" });
    expect(processTemplate(t, { X: "in" }, opts).parameters.map((p) => p.value)).toEqual(["in", "second"]);
  });
});

describe("errors, worded as oc words them", () => {
  test("one unknown parameter", () => {
    const e = errorOf(() => processTemplate(tpl([], [{ name: "A" }]), { NOPE: "1" }, opts));
    expect(e.reason).toBe("UnknownParameters");
    expect(e.unknown).toEqual(["NOPE"]);
    expect(e.message).toBe('unknown parameter name "NOPE"');
    expect(e.cliText()).toBe('error: unknown parameter name "NOPE"');
  });

  test("several unknown parameters: one bare line each", () => {
    const e = errorOf(() => processTemplate(tpl([], [{ name: "A" }]), { X: "1", A: "2", Y: "3" }, opts));
    expect(e.cliText()).toBe('unknown parameter name "X"\nunknown parameter name "Y"');
  });

  test("unknown parameters are ignored on request", () => {
    const r = processTemplate(tpl([], [{ name: "A" }]), { X: "1", A: "2" }, { ...opts, ignoreUnknownParameters: true });
    expect(r.parameters).toEqual([{ name: "A", value: "2" }]);
  });

  test("unknown parameters are reported before missing required ones", () => {
    const e = errorOf(() => processTemplate(tpl([], [{ name: "R", required: true }]), { X: "1" }, opts));
    expect(e.reason).toBe("UnknownParameters");
  });

  test("one missing required parameter (--local wording)", () => {
    const t = tpl([], [{ name: "DB_USER", value: "u" }, { name: "DB_PASSWORD", required: true }], { metadata: { name: "mysql" } });
    const e = errorOf(() => processTemplate(t, {}, opts));
    expect(e.cliText()).toBe('The Template "mysql" is invalid: template.parameters[1]: Required value: template.parameters[1]: parameter DB_PASSWORD is required and must be specified');
    expect(e.serverCliText()).toBe("error: unable to process template\n  Required value: template.parameters[1]: parameter DB_PASSWORD is required and must be specified");
    const status = e.toApiError().status;
    expect(status.code).toBe(422);
    expect(status.reason).toBe("Invalid");
    expect(status.message).toBe('Template.template.openshift.io "mysql" is invalid: template.parameters[1]: Required value: template.parameters[1]: parameter DB_PASSWORD is required and must be specified');
    expect(status.details).toMatchObject({ name: "mysql", kind: "Template", group: "template.openshift.io" });
    expect(status.details?.causes).toEqual([{ reason: "FieldValueRequired", field: "template.parameters[1]", message: "Required value: template.parameters[1]: parameter DB_PASSWORD is required and must be specified" }]);
  });

  test("every parameter error is collected, then processing stops", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "s" } }], [
      { name: "P", generate: "expression", from: "[ABC]{3}" },
      { name: "R", required: true },
      { name: "G", generate: "password" },
      { name: "L", generate: "expression", from: "<[a-z]{0}>" },
    ], { metadata: { name: "t" } });
    const e = errorOf(() => processTemplate(t, {}, opts));
    expect(e.cliText()).toBe([
      'The Template "t" is invalid: ',
      '* template.parameters[0]: Invalid value: {"name":"P","generate":"expression","from":"[ABC]{3}"}: malformed expresion syntax: [ABC]',
      "* template.parameters[1]: Required value: template.parameters[1]: parameter R is required and must be specified",
      "* template.parameters[2]: Invalid value: \"password\": Unknown generator name 'password' for parameter G",
      '* template.parameters[3]: Invalid value: {"name":"L","generate":"expression","from":"\\u003c[a-z]{0}\\u003e"}: range must be within [1-255] characters (0)',
    ].join("\n"));
  });

  test("an object without a kind is reported by index", () => {
    const t = tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "ok" } }, { apiVersion: "v1", metadata: { name: "x" } }]);
    const e = errorOf(() => processTemplate(t, {}, opts));
    expect(e.errors).toEqual([{
      type: "FieldValueInvalid", field: "item[1].objects",
      message: 'Invalid value: {"apiVersion":"v1","metadata":{"name":"x"}}: unable to handle object: Object \'Kind\' is missing in \'{"apiVersion":"v1","metadata":{"name":"x"}}\'',
    }]);
  });
});

describe("output helpers", () => {
  test("processedList is the List oc prints, in its key order", () => {
    const r = processTemplate(tpl([{ kind: "Service", apiVersion: "v1", metadata: { name: "web", labels: { app: "demo" } } }]), {}, opts);
    expect(JSON.stringify(processedList(r.objects), null, 4)).toBe(`{
    "kind": "List",
    "apiVersion": "v1",
    "metadata": {},
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "labels": {
                    "app": "demo"
                },
                "name": "web"
            }
        }
    ]
}`);
  });

  test("the processed template keeps the typed field order and omits empties", () => {
    const r = processTemplate(tpl([], [{ name: "A", value: "1" }], { message: "m ${A}", labels: {} }), {}, opts);
    expect(Object.keys(r.template)).toEqual(["kind", "apiVersion", "metadata", "message", "objects", "parameters"]);
    expect(r.template.message).toBe("m 1");
  });

  test("parameterTable: oc's columns through Go's tabwriter (min width 20, padding 3)", () => {
    const t = tpl([], [
      { name: "DB_USER", description: "database username", generate: "expression", from: "user[A-Z0-9]{3}" },
      { name: "DB_NAME", description: "database name", value: "sampledb" },
      { name: "REQUIRED_WITH_A_VERY_LONG_NAME", required: true },
    ]);
    expect(parameterTable(t)).toBe([
      "NAME                             DESCRIPTION         GENERATOR           VALUE",
      "DB_USER                          database username   expression          user[A-Z0-9]{3}",
      "DB_NAME                          database name                           sampledb",
      "REQUIRED_WITH_A_VERY_LONG_NAME                                           ",
      "",
    ].join("\n"));
    expect(parameterTable(tpl([]))).toBe("NAME                DESCRIPTION         GENERATOR           VALUE\n");
  });

  test("isTemplate accepts both template apiVersions", () => {
    expect(isTemplate({ kind: "Template", apiVersion: "v1", metadata: {}, objects: [] })).toBe(true);
    expect(isTemplate({ kind: "Template", apiVersion: "template.openshift.io/v1", metadata: {}, objects: [] })).toBe(true);
    expect(isTemplate({ kind: "List", apiVersion: "v1" })).toBe(false);
    expect(isTemplate("Template")).toBe(false);
  });
});

describe("hand-written input that is not quite a Template", () => {
  test("non-string labels and message are used as text; a non-array objects is empty", () => {
    const t = { kind: "Template", apiVersion: "v1", metadata: { name: "t" }, objects: {}, message: 5, labels: { n: 1, b: true } } as unknown as Template;
    const r = processTemplate(t, {}, opts);
    expect(r.objects).toEqual([]);
    expect(r.message).toBe("5");
    expect(r.template.labels).toEqual({ n: "1", b: "true" });
  });

  test("a non-object item is reported, not thrown", () => {
    const e = errorOf(() => processTemplate(tpl(["x", null]), {}, opts));
    expect(e.errors.map((x) => x.message)).toEqual([
      "Invalid value: \"x\": unable to handle object: json: cannot unmarshal string into Go value of type map[string]interface {}",
      "Invalid value: null: unable to handle object: Object 'Kind' is missing in 'null'",
    ]);
  });
});
