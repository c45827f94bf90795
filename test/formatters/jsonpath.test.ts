// Conformance table for kubectl's JSONPath dialect (cli-conventions §7.5, client-go's jsonpath_test).
import { describe, expect, test } from "vitest";
import {
  compileJsonPath, executeJsonPath, JsonPathError, jsonPathAsJson, relaxedJsonPath,
} from "../../src/formatters/jsonpath.ts";

const store = {
  Name: "jsonpath",
  Book: [
    { Category: "reference", Author: "Nigel Rees", Title: "Sayings of the Centurey", Price: 8.95 },
    { Category: "fiction", Author: "Evelyn Waugh", Title: "Sword of Honour", Price: 12.99 },
    { Category: "fiction", Author: "Herman Melville", Title: "Moby Dick", Price: 8.99 },
  ],
  Bicycle: [
    { Color: "red", Price: 19.95, IsNew: true },
    { Color: "green", Price: 20.01, IsNew: false },
  ],
  Labels: { engieer: 10, "web/html": 15, "k8s-app": 20 },
  Employees: { jason: "manager", dan: "clerk" },
};

const nodes = {
  kind: "List",
  items: [
    {
      kind: "None",
      metadata: { name: "127.0.0.1", labels: { "kubernetes.io/hostname": "127.0.0.1" } },
      status: { capacity: { cpu: "4" }, ready: true, addresses: [{ type: "LegacyHostIP", address: "127.0.0.1" }] },
    },
    {
      kind: "None",
      metadata: { name: "127.0.0.2", labels: { "kubernetes.io/hostname": "127.0.0.2" } },
      status: {
        capacity: { cpu: "8" }, ready: false,
        addresses: [{ type: "LegacyHostIP", address: "127.0.0.2" }, { type: "another", address: "127.0.0.3" }],
      },
    },
  ],
  users: [
    { name: "myself", user: {} },
    { name: "e2e", user: { username: "admin", password: "secret" } },
  ],
};

const pods = {
  kind: "List",
  items: [
    { kind: "Pod", metadata: { name: "pod1", annotations: { color: "blue" } } },
    { kind: "Pod", metadata: { name: "pod2" } },
    { kind: "Pod", metadata: { name: "pod3", annotations: { color: "green" } } },
    { kind: "Pod", metadata: { name: "pod4", annotations: { color: "blue" } } },
  ],
};

const run = (tpl: string, data: unknown, allowMissingKeys = true): string =>
  executeJsonPath(compileJsonPath(tpl), data, { allowMissingKeys });

describe("evaluation", () => {
  test.each<[string, string, unknown, string]>([
    ["plain text", "hello jsonpath", null, "hello jsonpath"],
    ["recursive on a list", "{..}", [1, 2, 3], "[1,2,3]"],
    ["filter on current", "{[?(@<5)]}", [2, 6, 3, 7], "2 3"],
    ["quoted brace", '{"{"}', null, "{"],
    ["union of indexes", "{[1,3,4]}", [0, 1, 2, 3, 4], "1 3 4"],
    ["slice", "{[0:2]}", ["Monday", "Tudesday"], "Monday Tudesday"],
    ["text then field", "hello {.Name}", store, "hello jsonpath"],
    ["key with slash", "{$.Labels.web/html}", store, "15"],
    ["map value", "{$.Employees.jason}", store, "manager"],
    ["key with dash", "{.Labels.k8s-app}", store, "20"],
    ["wildcard field", "{.Bicycle[*].Color}", store, "red green"],
    ["all authors", "{.Book[*].Author}", store, "Nigel Rees Evelyn Waugh Herman Melville"],
    ["object values in range", '{range .Bicycle[*]}{ "{" }{ @.* }{ "} " }{end}', store, "{red true 19.95} {green false 20.01} "],
    // Map keys are visited in sorted order (Go's order is random), so Bicycle comes before Book.
    ["recursive field", "{..Price}", store, "19.95 20.01 8.95 12.99 8.99"],
    ["three dots", "{...Price}", store, "19.95 20.01 8.95 12.99 8.99"],
    ["a list as compact JSON", "{.Bicycle}", store,
      '[{"Color":"red","IsNew":true,"Price":19.95},{"Color":"green","IsNew":false,"Price":20.01}]'],
    ["objects in range", '{range .Bicycle[*]}{ @ }{ " " }{end}', store,
      '{"Color":"red","IsNew":true,"Price":19.95} {"Color":"green","IsNew":false,"Price":20.01} '],
    ["last element", "{.Book[-1:]}", store, '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}'],
    ["recursive then index", "{..Book[2]}", store, '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}'],
    ["bool filter", "{.Bicycle[?(@.IsNew==true)]}", store, '{"Color":"red","IsNew":true,"Price":19.95}'],
    ["float comparison", "{.Book[?(@.Price<10.0)].Title}", store, "Sayings of the Centurey Moby Dick"],
    ["string filter", '{.Book[?(@.Category=="fiction")].Author}', store, "Evelyn Waugh Herman Melville"],
    ["not equal", '{.Book[?(@.Category!="fiction")].Author}', store, "Nigel Rees"],
    ["range then text", "{range .items[*]}{.metadata.name}, {end}{.kind}", nodes, "127.0.0.1, 127.0.0.2, List"],
    ["range with tab", '{range .items[*]}{.metadata.name}{"\\t"}{end}', nodes, "127.0.0.1\t127.0.0.2\t"],
    ["newline literal", '{range .items[*]}{.metadata.name}{"\\n"}{end}', nodes, "127.0.0.1\n127.0.0.2\n"],
    ["nested wildcards", "{.items[*].status.addresses[*].address}", nodes, "127.0.0.1 127.0.0.2 127.0.0.3"],
    ["double range", "{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}", nodes,
      "127.0.0.1, 127.0.0.2, 127.0.0.3, "],
    ["names", "{.items[*].metadata.name}", nodes, "127.0.0.1 127.0.0.2"],
    ["union of paths", "{.items[*]['metadata.name', 'status.capacity']}", nodes, '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
    ["union without space", "{.items[*]['metadata.name','status.capacity']}", nodes, '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
    ["text around actions in range", "{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}", nodes,
      '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] '],
    ["filter by name", '{.users[?(@.name=="e2e")].user.password}', nodes, "secret"],
    ["escaped dot", "{.items[0].metadata.labels.kubernetes\\.io/hostname}", nodes, "127.0.0.1"],
    ["escaped dot in filter", '{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', nodes, "None"],
    ["recursive in filter", "{.items[?(@..ready==true)].metadata.name}", nodes, "127.0.0.1"],
    ["dollar root", "{$.kind}", nodes, "List"],
    ["text outside braces is literal", "kind is {.kind}\\n", nodes, "kind is List\\n"],
    ["adjacent actions", "{.kind}{.kind}", nodes, "ListList"],
    ["exists filter", "{.users[?(@.user.password)].name}", nodes, "e2e"],
    ["missing keys print nothing", "{.nope}{.kind}", nodes, "List"],
    ["partial filter matches", '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}', pods, "pod1 pod4"],
    ["null prints null", "{.a}", { a: null }, "null"],
    ["numbers shortest", "{.a} {.b} {.c}", { a: 1, b: 2.2, c: 1234567.5 }, "1 2.2 1.2345675e+06"],
    ["booleans", "{.a}", { a: false }, "false"],
    ["bracket key", "{.metadata['name']}", { metadata: { name: "x" } }, "x"],
    ["slice with step", "{[0:5:2]}", [0, 1, 2, 3, 4], "0 2 4"],
    ["negative index", "{[-1]}", [0, 1, 2, 3], "3"],
    ["empty slice", "{[5:5]}", [0, 1, 2, 3, 4], ""],
    ["slice from", "{[2:]}", [0, 1, 2, 3], "2 3"],
    ["html characters in JSON", "{.a}", { a: { b: "<x>&" } }, '{"b":"\\u003cx\\u003e\\u0026"}'],
    ["range over nothing", "{range .none[*]}{.x}{end}done", {}, "done"],
  ])("%s", (_name, tpl, data, want) => {
    expect(run(tpl, data)).toBe(want);
  });

  test("the spec's worked examples", () => {
    const list = { kind: "List", items: nodes.items, users: nodes.users };
    expect(run("{.items[*].metadata.name}", list)).toBe("127.0.0.1 127.0.0.2");
    expect(run('{range .items[*]}{.metadata.name}{"\\t"}{end}', list)).toBe("127.0.0.1\t127.0.0.2\t");
    expect(run("kind is {.kind}", list)).toBe("kind is List");
  });
});

describe("errors", () => {
  test.each<[string, string]>([
    ["{.hello", "unclosed action"],
    ["{*}", "unrecognized character in action: U+002A '*'"],
    ["{+12.3.0}", "cannot parse number +12.3.0"],
    ["{[1}", "unterminated array"],
    ["{[?(.price]}", "unterminated filter"],
    ["{........}", "invalid multiple recursive descent"],
    ["{............................................................Price}", "invalid multiple recursive descent"],
    ['{"abc}', "unterminated quoted string"],
    ["{[a]}", "invalid array index a"],
  ])("parse %s", (tpl, message) => {
    expect(() => compileJsonPath(tpl)).toThrow(new JsonPathError(message));
  });

  test.each<[string, unknown, string]>([
    ["{hello}", store, "unrecognized identifier hello"],
    ["{.Labels[0]}", store, "map[string]interface {} is not array or slice"],
    ["{.Book[?(@.Price<>10)]}", store, "unrecognized filter operator <>"],
    ["{range .Labels.*}{@}{end}{end}", store, "not in range, nothing to end"],
    ["{[5]}", [0, 1, 2, 3, 4], "array index out of bounds: index 5, length 5"],
    ["{[-5]}", [0, 1, 2, 3], "array index out of bounds: index -1, length 4"],
    ["{[3:1]}", [0, 1, 2, 3, 4], "starting index 3 is greater than ending index 1"],
    ["{[0:5:0]}", [0, 1, 2, 3, 4], "step must be > 0"],
    ["{.Book[?(@.Price==10)]}", store, "incompatible types for comparison"],
  ])("execute %s", (tpl, data, message) => {
    expect(() => run(tpl, data)).toThrow(new JsonPathError(message));
  });

  test("missing keys fail when not allowed", () => {
    expect(() => run("{.hello}", store, false)).toThrow(new JsonPathError("hello is not found"));
    expect(run("{.hello}", store, true)).toBe("");
  });
});

test("jsonpath-as-json prints each action's results as an indented array", () => {
  expect(jsonPathAsJson(compileJsonPath("{.items[*].metadata.name}"), nodes)).toBe(
    '[\n    "127.0.0.1",\n    "127.0.0.2"\n]\n');
  expect(jsonPathAsJson(compileJsonPath("{.nope}"), nodes)).toBe("[]\n");
});

test.each<[string, string]>([
  ["metadata.name", "{.metadata.name}"],
  [".metadata.name", "{.metadata.name}"],
  ["{metadata.name}", "{.metadata.name}"],
  ["{.metadata.name}", "{.metadata.name}"],
  ["", ""],
])("relaxed %s", (input, want) => {
  expect(relaxedJsonPath(input)).toBe(want);
});

test("relaxed form rejects two actions", () => {
  expect(() => relaxedJsonPath("{.a}{.b}")).toThrow(
    "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
});
