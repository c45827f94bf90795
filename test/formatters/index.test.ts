// Printer selection (-o), name output, verb lines, custom columns and jsonpath printers.
import { expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { CliError } from "../../src/errors.ts";
import { parseColumnSpec, parseColumnTemplate } from "../../src/formatters/custom-columns.ts";
import { pickPrinter, type ObjectPrinter } from "../../src/formatters/index.ts";
import { describeAction, nameOf } from "../../src/formatters/name.ts";

const pods: ApiObject[] = [
  { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", labels: { app: "web" } },
    spec: { nodeName: "node-1", containers: [{ name: "app" }, { name: "side" }] }, status: { phase: "Running" } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "db-0" },
    spec: { containers: [{ name: "db" }] }, status: { phase: "Pending" } },
];

const objects = (output: string, opts = {}): ObjectPrinter => {
  const p = pickPrinter(output, opts);
  if (p.kind !== "objects") throw new Error("expected an object printer");
  return p;
};

test("names and verb lines", () => {
  expect(nameOf(pods[0])).toBe("pod/web-1");
  expect(nameOf({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" } })).toBe("deployment.apps/web");
  expect(describeAction(pods[0], "created")).toBe("pod/web-1 created");
  expect(describeAction({ kind: "ReplicationController", name: "web" }, "scaled", "client")).toBe("replicationcontroller/web scaled (dry run)");
  expect(describeAction(pods[0], "created", "server")).toBe("pod/web-1 created (server dry run)");
  expect(objects("name").print(pods)).toBe("pod/web-1\npod/db-0\n");
});

test("table formats ask the server for Tables; sort-by needs full objects", () => {
  const p = pickPrinter("wide");
  expect(p.needsTable).toBe(true);
  expect(p.kind === "table" && p.includeObject).toBe("Metadata");
  const s = pickPrinter("", { sortBy: "metadata.name" });
  expect(s.kind === "table" && s.includeObject).toBe("Object");
  expect(pickPrinter("json").needsTable).toBe(false);
});

test("jsonpath printer: lists wrap in a List, items get their kind", () => {
  const items = pods.map(({ kind: _k, apiVersion: _a, ...rest }) => rest as ApiObject);
  expect(objects("jsonpath={.kind} {.items[*].kind} {.items[*].metadata.name}").print(items, { list: true, kind: "Pod", apiVersion: "v1" }))
    .toBe("List Pod Pod web-1 db-0");
  expect(objects("jsonpath={.metadata.name}").print([pods[0]])).toBe("web-1");
  expect(objects("jsonpath-as-json={.metadata.name}").print([pods[0]])).toBe('[\n    "web-1"\n]\n');
  expect(objects("jsonpath-file=t.txt", { readFile: () => "{.status.phase}" }).print([pods[1]])).toBe("Pending");
});

test("jsonpath errors carry kubectl's wording", () => {
  expect(() => pickPrinter("jsonpath={.a")).toThrow(new CliError("error parsing jsonpath {.a, unclosed action"));
  expect(() => pickPrinter("jsonpath")).toThrow(new CliError("template format specified but no template given"));
  const strict = objects("jsonpath={.foo}", { allowMissingKeys: false });
  expect(() => strict.print([{ apiVersion: "v1", kind: "Pod", metadata: { name: "a" } }])).toThrow(new CliError(
    'error executing jsonpath "{.foo}": Error executing template: foo is not found. Printing more information for debugging the template:\n' +
    "\ttemplate was:\n\t\t{.foo}\n" +
    '\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{"apiVersion":"v1", "kind":"Pod", "metadata":map[string]interface {}{"name":"a"}}\n\n'));
  expect(() => pickPrinter("jsonpath-file=x", { readFile: () => { throw new Error("open x: no such file or directory"); } }))
    .toThrow(new CliError("error reading --template x, open x: no such file or directory"));
});

test("unknown format", () => {
  expect(() => pickPrinter("foo")).toThrow(new CliError(
    'unable to match a printer suitable for the output format "foo", allowed formats are: ' +
    "custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml"));
});

test("custom columns: headers as given, <none> for missing, comma-joined values, Go %v for maps", () => {
  expect(objects("custom-columns=NAME:.metadata.name,NODE:spec.nodeName,CONTAINERS:{.spec.containers[*].name},LABELS:{metadata.labels}").print(pods)).toBe(
    "NAME    NODE     CONTAINERS   LABELS\n" +
    "web-1   node-1   app,side     map[app:web]\n" +
    "db-0    <none>   db           <none>\n");
  expect(objects("custom-columns=NAME:.metadata.name", { noHeaders: true }).print(pods)).toBe("web-1\ndb-0\n");
  expect(objects("custom-columns-file=f", { readFile: () => "NAME   PHASE\n.metadata.name  .status.phase\n" }).print(pods)).toBe(
    "NAME    PHASE\nweb-1   Running\ndb-0    Pending\n");
  expect(objects("custom-columns=NAME:.metadata.name", { sortBy: "{.metadata.name}" }).print(pods)).toBe("NAME\ndb-0\nweb-1\n");
});

test.each<[() => unknown, string]>([
  [() => parseColumnSpec("NAME"), "unexpected custom-columns spec: NAME, expected <header>:<json-path-expr>"],
  [() => parseColumnSpec("A:{.a}{.b}"), "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'"],
  [() => parseColumnSpec(""), "custom-columns format specified but no custom columns given"],
  [() => parseColumnTemplate("A B\n.a\n"), "number of headers (2) and field specifications (1) don't match"],
  [() => parseColumnTemplate("A B\n"), "invalid template, missing spec line. Expected format is one line of space separated headers, one line of space separated column specs."],
  [() => parseColumnTemplate(""), "invalid template, missing header line. Expected format is one line of space separated headers, one line of space separated column specs."],
])("custom-columns error %#", (fn, message) => {
  expect(fn).toThrow(message);
});

test("yaml printer keeps state across calls (watch prints --- between objects)", () => {
  const p = objects("yaml");
  expect(p.print([pods[1]])).not.toMatch(/^---/);
  expect(p.print([pods[1]])).toMatch(/^---\napiVersion: v1\n/);
});
