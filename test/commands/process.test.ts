// `skiff process`: argv parsing, client-side processing of files and stored templates, every
// real template fixture, output formats and oc's error wording, through main().
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import processCmd, { listJson, parseStoredTemplateArg, splitProcessArgs } from "../../src/commands/process.ts";
import { main } from "../../src/main.ts";
import { isTemplate, type Template } from "../../src/template/index.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "real");
const EXAMPLE = join(import.meta.dirname, "..", "..", "examples", "hello-template.json");

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), "skiff-process-")); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function file(name: string, contents: string): string {
  const p = join(dir, name);
  writeFileSync(p, contents);
  return p;
}

/** Runs skiff with no cluster at all: processing -f files must never need one. */
async function run(argv: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const t = testDeps({ stdin, random: () => 0.25 });
  const code = await main(argv, t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

const SMALL = JSON.stringify({
  kind: "Template", apiVersion: "template.openshift.io/v1", metadata: { name: "small", namespace: "elsewhere" },
  message: "hi ${NAME}",
  parameters: [
    { name: "NAME", description: "the name", value: "web", required: true },
    { name: "PASS", generate: "expression", from: "[a-z]{4}" },
    { name: "DB", description: "database", required: true },
  ],
  objects: [{ kind: "Service", apiVersion: "v1", metadata: { name: "${NAME}", namespace: "x" }, spec: { ports: [{ port: 80 }] } }],
});

describe("argument parsing", () => {
  test.each([
    [["foo"], { name: "foo", params: [] }],
    [["foo", "A=1", "B=x=y"], { name: "foo", params: ["A=1", "B=x=y"] }],
    [["A=1"], { params: ["A=1"] }],
  ])("%j", (args, want) => {
    expect(splitProcessArgs(args)).toEqual(want);
  });

  test("a second name is a usage error", () => {
    expect(() => splitProcessArgs(["a", "b"])).toThrow("template name must be specified only once: b");
  });

  test.each([
    ["foo", { name: "foo" }],
    ["template/foo", { name: "foo" }],
    ["templates/foo", { name: "foo" }],
    ["openshift//foo", { namespace: "openshift", name: "foo" }],
    ["openshift/template/foo", { namespace: "openshift", name: "foo" }],
  ])("stored %s", (arg, want) => {
    expect(parseStoredTemplateArg(arg)).toEqual(want);
  });

  test("another resource word is refused", () => {
    expect(() => parseStoredTemplateArg("pods/foo")).toThrow('unable to process invalid resource "pods"');
  });

  test.each([
    [[], {}, "Must pass a filename or name of stored template"],
    [["foo"], { local: true }, "You may only specify a local template file via -f when running this command with --local"],
    [[], { filename: "t.json", parameters: true, param: ["A=1"] }, "The --parameters flag does not process the template, can't be used with --param"],
    [[], { filename: "t.json", parameters: true, labels: "a=b" }, "The --parameters flag does not process the template, can't be used with --labels"],
    [[], { filename: "t.json", parameters: true, output: "yaml" }, "The --parameters flag does not process the template, can't be used with --output"],
  ])("%j %j → usage error", (args, flags, message) => {
    const t = testDeps();
    expect(() => processCmd.complete(args, { param: [], paramFile: [], ...flags }, t.deps)).toThrow(message);
  });
});

describe("processing a file", () => {
  test("default output is oc's List: wrapper order kept, objects with sorted keys, 4-space JSON", async () => {
    const f = file("small.json", SMALL);
    const r = await run(["process", "-f", f, "-p", "DB=pg"]);
    expect(r).toEqual({
      code: 0, stderr: "",
      stdout: `{
    "kind": "List",
    "apiVersion": "v1",
    "metadata": {},
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "web"
            },
            "spec": {
                "ports": [
                    {
                        "port": 80
                    }
                ]
            }
        }
    ]
}
`,
    });
  });

  test("-o yaml, labels and positional parameters", async () => {
    const f = file("small2.json", SMALL);
    const r = await run(["process", "-f", f, "DB=pg", "NAME=api", "-l", "tier=web", "-o", "yaml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`apiVersion: v1
items:
- apiVersion: v1
  kind: Service
  metadata:
    labels:
      tier: web
    name: api
  spec:
    ports:
    - port: 80
kind: List
metadata: {}
`);
  });

  test("-o name and -o jsonpath apply to the List", async () => {
    const f = file("small3.json", SMALL);
    expect((await run(["process", "-f", f, "-p", "DB=x", "-o", "name"])).stdout).toBe("service/web\n");
    expect((await run(["process", "-f", f, "-p", "DB=x", "-o", "jsonpath={.items[0].metadata.name}"])).stdout).toBe("web");
  });

  test("--parameters prints the table", async () => {
    const f = file("small4.json", SMALL);
    const r = await run(["process", "--parameters", "-f", f]);
    expect(r).toEqual({
      code: 0, stderr: "",
      stdout: "NAME                DESCRIPTION         GENERATOR           VALUE\n"
        + "NAME                the name                                web\n"
        + "PASS                                    expression          [a-z]{4}\n"
        + "DB                  database                                \n",
    });
  });

  test("stdin with -f -", async () => {
    const r = await run(["process", "-f", "-", "-p", "DB=x", "-o", "name"], SMALL);
    expect(r).toEqual({ code: 0, stdout: "service/web\n", stderr: "" });
  });

  test("--param-file values, with the command line winning and oc's warning", async () => {
    const f = file("small5.json", SMALL);
    const env = file("params.env", "DB=fromfile\nNAME=fromfile\n");
    const r = await run(["process", "-f", f, "-p", "NAME=cli", "--param-file", env, "-o", "jsonpath={.items[0].metadata.name}"]);
    expect(r).toEqual({ code: 0, stdout: "cli", stderr: `warning: Template parameter "NAME" already defined, ignoring value from file "${env}"\n` });
  });

  test.each([
    [["-p", "NOPE=1", "-p", "DB=x"], 'error: unknown parameter name "NOPE"\n'],
    [["-p", "A=1", "-p", "B=2"], 'unknown parameter name "A"\nunknown parameter name "B"\n'],
    [[], 'The Template "small" is invalid: template.parameters[2]: Required value: template.parameters[2]: parameter DB is required and must be specified\n'],
    [["-p", "DB=x", "-p", "DB=y"], "error: The following parameters were provided more than once: DB\nSee 'skiff process -h' for help and examples\n"],
    [["-p", "FOO"], 'error: invalid parameter assignment in "FOO", []\n'],
    [["-p", "DB=x", "-l", "bad"], "error: error parsing labels: unexpected label spec: bad\n"],
    [["--param-file", "/nonexistent/p.env"], 'error: Cannot stat "/nonexistent/p.env": stat /nonexistent/p.env: no such file or directory\n'],
  ])("%j fails in oc's words", async (extra, stderr) => {
    const f = file("small6.json", SMALL);
    const r = await run(["process", "-f", f, ...extra]);
    expect(r).toEqual({ code: 1, stdout: "", stderr });
  });

  test("the --ignore-unknown-parameters flag lets unknown names through", async () => {
    const f = file("small7.json", SMALL);
    const r = await run(["process", "-f", f, "-p", "DB=x", "-p", "NOPE=1", "--ignore-unknown-parameters", "-o", "name"]);
    expect(r).toEqual({ code: 0, stdout: "service/web\n", stderr: "" });
  });

  test("a comma-separated -p value warns and stays one pair", async () => {
    const f = file("small8.json", SMALL);
    const r = await run(["process", "-f", f, "-p", "DB=a=1,b=2", "-o", "name"]);
    expect(r.stderr).toBe('warning: --param no longer accepts comma-separated lists of values. "DB=a=1,b=2" will be treated as a single key-value pair.\n');
  });

  test("a file that is not a template", async () => {
    const f = file("svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n");
    expect(await run(["process", "-f", f])).toEqual({ code: 1, stdout: "", stderr: `error: unable to parse "${f}", not a valid Template but *v1.Service\n` });
  });

  test("several templates in one file: the first is processed, with oc's notice", async () => {
    const one = JSON.parse(SMALL) as Template;
    const two = { ...one, metadata: { name: "second" } };
    const f = file("two.yaml", `---\n${JSON.stringify(one)}\n---\n${JSON.stringify(two)}\n`);
    const r = await run(["process", "-f", f, "-p", "DB=x", "-o", "name"]);
    expect(r).toEqual({ code: 0, stdout: "service/web\n", stderr: "2 input templates found, but only the first will be processed\n" });
  });

  test("-o describe prints the processed template", async () => {
    const f = file("small9.json", SMALL);
    const r = await run(["process", "-f", f, "-p", "DB=x", "-o", "describe"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\nMessage:  hi web\n");
    expect(r.stdout).toContain("Objects:\n    Service  web\n");
  });
});

describe("every real template fixture", () => {
  const templates = readdirSync(FIXTURES).sort().filter((f) => /\.(json|ya?ml)$/.test(f)).flatMap((f) => {
    const text = readFileSync(join(FIXTURES, f), "utf8");
    const docs = f.endsWith(".json") ? [JSON.parse(text) as unknown] : loadAll(text);
    return docs.some(isTemplate) ? [[f, docs.find(isTemplate) as Template] as const] : [];
  });

  test("there are templates to process", () => {
    expect(templates.length).toBeGreaterThanOrEqual(9);
  });

  test.each(templates)("%s processes to a valid JSON List", async (f, t) => {
    const params = (t.parameters ?? []).filter((p) => p.required && !p.value && !p.generate).flatMap((p) => ["-p", `${p.name}=value-${p.name.toLowerCase()}`]);
    const r = await run(["process", "-f", join(FIXTURES, f), ...params]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { kind: string; apiVersion: string; items: { kind: string; metadata: { name: string } }[] };
    expect(Object.keys(list)).toEqual(["kind", "apiVersion", "metadata", "items"]);
    expect(list.kind).toBe("List");
    expect(list.items).toHaveLength(t.objects.length);
    for (const item of list.items) expect(typeof item.kind).toBe("string");
    expect(r.stdout).toBe(listJson(list as never));
  });
});

describe("the bundled example", () => {
  test("processes with its defaults into service, route, image stream, build config and deployment config", async () => {
    const r = await run(["process", "-f", EXAMPLE, "-o", "name"]);
    expect(r).toEqual({
      code: 0, stderr: "",
      stdout: "service/hello-node\nroute.route.openshift.io/hello-node\nimagestream.image.openshift.io/hello-node\n"
        + "buildconfig.build.openshift.io/hello-node\ndeploymentconfig.apps.openshift.io/hello-node\n",
    });
  });

  test("the deployment config triggers on image and config change, replicas are a number", async () => {
    const r = await run(["process", "-f", EXAMPLE, "-p", "NAME=web", "-p", "REPLICAS=2"]);
    const list = JSON.parse(r.stdout) as { items: { kind: string; spec: { replicas?: number; triggers: { type: string }[] }; metadata: { labels: Record<string, string> } }[] };
    const dc = list.items.find((i) => i.kind === "DeploymentConfig")!;
    expect(dc.spec.replicas).toBe(2);
    expect(dc.spec.triggers.map((t) => t.type)).toEqual(["ImageChange", "ConfigChange"]);
    expect(dc.metadata.labels).toEqual({ app: "web", template: "hello-node" });
  });
});

describe("against a cluster", () => {
  let c: TestCluster;
  afterEach(async () => { await c?.close(); });

  test("a stored template by name, in another namespace, and a missing one", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const t = JSON.parse(SMALL) as Template;
    await c.seed({ ...t, metadata: { name: "small", namespace: "default" } } as never);
    await c.client.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "openshift" } });
    await c.seed({ ...t, metadata: { name: "shared", namespace: "openshift" } } as never);
    expect(await c.run("process small DB=x -o name")).toEqual({ code: 0, stdout: "service/web\n", stderr: "" });
    expect(await c.run("process openshift//shared DB=x -o name")).toEqual({ code: 0, stdout: "service/web\n", stderr: "" });
    expect(await c.run("process template/nope")).toEqual({ code: 1, stdout: "", stderr: 'error: template "nope" could not be found\n' });
  });

  test("process -f t.json | create -f -", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const f = file("pipe.json", SMALL);
    const processed = await c.run(["process", "-f", f, "-p", "DB=x"]);
    expect(processed.code).toBe(0);
    const created = await c.run(["create", "-f", "-"], { stdin: processed.stdout });
    expect(created).toEqual({ code: 0, stdout: "service/web created\n", stderr: "" });
    expect((await c.client.get("services", "default", "web")).metadata.name).toBe("web");
  });

  test("describe template NAME uses oc's template describer", async () => {
    c = await testCluster({ now: "2024-05-01T12:00:00Z" });
    const t = JSON.parse(SMALL) as Template;
    await c.seed({ ...t, metadata: { name: "small", namespace: "default", labels: { a: "b" } }, labels: { app: "x" } } as never);
    const r = await c.run("describe template small");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`Name:         small
Namespace:    default
Created:      less than a second ago
Labels:       a=b
Annotations:  <none>

Parameters:        
    Name:         NAME
    Description:  the name
    Required:     true
    Value:        web

    Name:       PASS
    Required:   false
    Generated:  expression
    From:       [a-z]{4}

    Name:         DB
    Description:  database
    Required:     true
    Value:        


Object Labels:  app=x

Message:  hi \${NAME}

Objects:
    Service  \${NAME}
`);
  });
});
