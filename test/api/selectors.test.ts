// Table-driven tests for label and field selectors against upstream's grammar, errors and canonical forms.
import { describe, expect, test } from "vitest";
import {
  SelectorError, fieldSelectorString, labelSelectorString, matchesFields, matchesLabels,
  matchesSet, parseFieldSelector, parseLabelSelector, selectorFromSet, escapeFieldValue, fieldRequiresExactMatch,
} from "../../src/api/selectors.ts";

function parseError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorError);
    return (e as Error).message;
  }
  throw new Error("expected a SelectorError");
}

const VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe("parseLabelSelector: valid input and canonical string", () => {
  test.each([
    ["", ""],
    ["x=a,y=b,z=c", "x=a,y=b,z=c"],
    ["z=c,x=a,y=b", "x=a,y=b,z=c"],
    ["x!=a,y=b", "x!=a,y=b"],
    ["x==a", "x==a"],
    ["x=,z= ", "x=,z="],
    ["x= ,z= ", "x=,z="],
    ["!x", "!x"],
    ["  !x  ,\ty\n", "!x,y"],
    ["x>1", "x>1"],
    ["x>1,z<5", "x>1,z<5"],
    ["x in (a)", "x in (a)"],
    ["x in (c,b,a)", "x in (a,b,c)"],
    ["x in(a,b)", "x in (a,b)"],
    ["x notin (a)", "x notin (a)"],
    ["x in ()", "x in ()"],
    ["x in (,)", "x in ()"],
    ["x in (a,)", "x in (,a)"],
    ["x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"],
    ["notin=in", "notin=in"],
    ["in in (in,notin)", "in in (in,notin)"],
    ["example.com/app=web", "example.com/app=web"],
    ["a=b,c!=d,e>2,!w,x in (abc,def),y notin (jkl),z", "a=b,c!=d,e>2,!w,x in (abc,def),y notin (jkl),z"],
    ["z,y notin (jkl),x in (def,abc),!w,e>2,c!=d,a=b", "a=b,c!=d,e>2,!w,x in (abc,def),y notin (jkl),z"],
  ])("%j → %j", (input, canonical) => {
    const sel = parseLabelSelector(input);
    expect(labelSelectorString(sel)).toBe(canonical);
    expect(labelSelectorString(parseLabelSelector(canonical))).toBe(canonical);
  });

  test("requirements carry upstream operator names and sorted distinct values", () => {
    expect(parseLabelSelector("b in (y,x,y),!c,a,d>3,e==v").requirements).toEqual([
      { key: "a", operator: "exists", values: [] },
      { key: "b", operator: "in", values: ["x", "y"] },
      { key: "c", operator: "!", values: [] },
      { key: "d", operator: "gt", values: ["3"] },
      { key: "e", operator: "==", values: ["v"] },
    ]);
  });
});

describe("parseLabelSelector: invalid input", () => {
  test.each([
    ["x=a||y=b", `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_MSG}`],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x<a", `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["x>1.5", `unable to parse requirement: values[0]: Invalid value: "1.5": for 'Gt', 'Lt' operators, the value must be an integer`],
    ["x,,y", "found ',', expected: identifier after ','"],
    [",x", "found ',', expected: !, identifier, or 'end of string'"],
    ["a in (xyz),", "found '', expected: identifier after ','"],
    ["a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ["x in a", "unable to parse requirement: found 'a' expected: '('"],
    ["x in (a", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["x (a)", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["x=(", "unable to parse requirement: found '(', expected: identifier"],
    ["x/y/z", `unable to parse requirement: <nil>: Invalid value: "x/y/z": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ["-x=a", `unable to parse requirement: <nil>: Invalid value: "-x": ${NAME_MSG}`],
    ["x=" + "a".repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${"a".repeat(64)}": must be no more than 63 bytes`],
  ])("%j", (input, message) => {
    expect(parseError(() => parseLabelSelector(input))).toBe(message);
  });

  test.each(["Example.com/x", "example_com/x", "/x", "x/"])("key %j is rejected", (key) => {
    expect(parseError(() => parseLabelSelector(`${key}=a`))).toMatch(/^unable to parse requirement: <nil>: Invalid value: /);
  });
});

describe("matchesLabels", () => {
  const labels = { app: "web", tier: "", n: "5", bad: "x5" };
  test.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["missing=", false],
    ["tier=", true],
    ["app!=db", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["app in (db,web)", true],
    ["app in (db)", false],
    ["missing in (a)", false],
    ["app notin (db)", true],
    ["app notin (web)", false],
    ["missing notin (web)", true],
    ["app", true],
    ["tier", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["n>4", true],
    ["n>5", false],
    ["n<6", true],
    ["bad>1", false],
    ["missing<10", false],
    ["app=web,n>4,!canary", true],
    ["app=web,n>9", false],
  ])("%j → %s", (sel, want) => {
    expect(matchesLabels(parseLabelSelector(sel), labels)).toBe(want);
  });

  test("no labels at all", () => {
    expect(matchesLabels(parseLabelSelector("!a"), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector("a"), undefined)).toBe(false);
  });
});

describe("map selectors", () => {
  test.each([
    [{ app: "web" }, { app: "web", x: "y" }, true],
    [{ app: "web", tier: "fe" }, { app: "web" }, false],
    [{ app: "web" }, { app: "db" }, false],
    [{ app: "" }, {}, false],
    [{ app: "" }, { app: "" }, true],
    [{}, { anything: "x" }, true],
    [undefined, undefined, true],
  ])("%j selects %j: %s", (sel, labels, want) => {
    expect(matchesSet(sel, labels)).toBe(want);
    expect(matchesLabels(selectorFromSet(sel), labels)).toBe(want);
  });

  test("selectorFromSet sorts keys for a stable string", () => {
    expect(labelSelectorString(selectorFromSet({ tier: "fe", app: "web" }))).toBe("app=web,tier=fe");
  });
});

describe("label key and value validation inside selectors", () => {
  test.each([
    ["app", null],
    ["example.com/app", null],
    ["a".repeat(63), null],
    ["a".repeat(64), "name part must be no more than 63 bytes"],
    ["/x", "prefix part must be non-empty"],
    ["x/", `name part must be non-empty; ${NAME_MSG}`],
  ])("key %j", (key, err) => {
    if (err === null) expect(parseLabelSelector(`${key}=v`).requirements[0]!.key).toBe(key);
    else expect(parseError(() => parseLabelSelector(`${key}=v`))).toBe(`unable to parse requirement: <nil>: Invalid value: ${JSON.stringify(key)}: ${err}`);
  });

  test.each([["", true], ["v", true], ["my_value.1", true], ["-v", false], ["a".repeat(63), true], ["a".repeat(64), false]])("value %j valid: %s", (v, ok) => {
    if (ok) expect(parseLabelSelector(`k=${v}`).requirements[0]!.values).toEqual([v]);
    else expect(parseError(() => parseLabelSelector(`k=${v}`))).toMatch(/^unable to parse requirement: values\[0\]\[k\]: Invalid value: /);
  });
});

describe("parseFieldSelector", () => {
  test.each([
    ["", [], ""],
    ["metadata.name=web-1", [{ field: "metadata.name", op: "=", value: "web-1" }], "metadata.name=web-1"],
    ["metadata.name==web-1", [{ field: "metadata.name", op: "=", value: "web-1" }], "metadata.name=web-1"],
    ["status.phase!=Running", [{ field: "status.phase", op: "!=", value: "Running" }], "status.phase!=Running"],
    ["spec.nodeName=", [{ field: "spec.nodeName", op: "=", value: "" }], "spec.nodeName="],
    ["b=2,a=1", [{ field: "a", op: "=", value: "1" }, { field: "b", op: "=", value: "2" }], "a=1,b=2"],
    ["a=1,,b=2", [{ field: "a", op: "=", value: "1" }, { field: "b", op: "=", value: "2" }], "a=1,b=2"],
    ["a=x\\,y", [{ field: "a", op: "=", value: "x,y" }], "a=x\\,y"],
    ["a=x\\=y", [{ field: "a", op: "=", value: "x=y" }], "a=x\\=y"],
    ["a=x\\\\y", [{ field: "a", op: "=", value: "x\\y" }], "a=x\\\\y"],
  ])("%j", (input, want, canonical) => {
    const sel = parseFieldSelector(input);
    expect(sel).toEqual(want);
    expect(fieldSelectorString(sel)).toBe(canonical);
  });

  test.each([
    ["foo", "invalid selector: 'foo'; can't understand 'foo'"],
    ["a=b,foo", "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a!==b", "invalid field selector: unescaped character in value: 61"],
    ["a=x\\y", "invalid field selector: invalid escape sequence: \\y"],
    ["a=x\\", "invalid field selector: invalid escape sequence: \\"],
  ])("%j is invalid", (input, message) => {
    expect(parseError(() => parseFieldSelector(input))).toBe(message);
  });

  test("escapeFieldValue round-trips through the parser", () => {
    const v = "a,b=c\\d";
    expect(parseFieldSelector(`x=${escapeFieldValue(v)}`)).toEqual([{ field: "x", op: "=", value: v }]);
  });
});

describe("matchesFields", () => {
  const fields: Record<string, string> = { "metadata.name": "web-1", "spec.nodeName": "", "status.phase": "Running" };
  const get = (f: string): string | undefined => fields[f];
  test.each([
    ["", true],
    ["metadata.name=web-1", true],
    ["metadata.name=web-2", false],
    ["metadata.name!=web-2", true],
    ["spec.nodeName=", true],
    ["spec.nodeName!=", false],
    ["unknown=", true],
    ["unknown!=x", true],
    ["metadata.name=web-1,status.phase!=Running", false],
  ])("%j → %s", (sel, want) => {
    expect(matchesFields(parseFieldSelector(sel), get)).toBe(want);
  });

  test("fieldRequiresExactMatch finds a single-object watch's name", () => {
    expect(fieldRequiresExactMatch(parseFieldSelector("metadata.name=web-1"), "metadata.name")).toBe("web-1");
    expect(fieldRequiresExactMatch(parseFieldSelector("metadata.name!=web-1"), "metadata.name")).toBeUndefined();
  });
});
