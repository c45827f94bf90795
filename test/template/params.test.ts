// Parameter input: -p/positional pairs, --param-file contents, duplicates, labels, warnings.
import { describe, expect, test } from "vitest";
import {
  ParamError, combineParams, commaSeparationWarnings, duplicateParamsMessage, parseLabels, parseParamFile,
} from "../../src/template/params.ts";
import { CliError } from "../../src/errors.ts";

const ENV_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

describe("combineParams: command line", () => {
  test.each<[string[], Record<string, string>]>([
    [["A=1"], { A: "1" }],
    [["a=b=c"], { a: "b=c" }],
    [["A="], { A: "" }],
    [["A=1,B=2"], { A: "1,B=2" }],
    [["my.env-name=x", "_X=y"], { "my.env-name": "x", _X: "y" }],
    [["A=x y", "B= spaced "], { A: "x y", B: " spaced " }],
  ])("%j → %j", (args, values) => {
    expect(combineParams(args)).toEqual({ values, duplicates: [], warnings: [] });
  });

  test.each([
    [["FOO"], 'invalid parameter assignment in "FOO", []'],
    [["1X=a"], `invalid parameter assignment in "1X=a", [${ENV_NAME_ERR}]`],
    [["=a"], `invalid parameter assignment in "=a", [${ENV_NAME_ERR}]`],
    [["A=1", "..=x"], "invalid parameter assignment in \"..=x\", [must not be '..']"],
    [["A B=1"], `invalid parameter assignment in "A B=1", [${ENV_NAME_ERR}]`],
  ])("%j is rejected", (args, message) => {
    const r = combineParams(args, [{ name: "f.env", contents: "X=1" }]);
    expect(r.error).toBeInstanceOf(ParamError);
    expect(r.error).toBeInstanceOf(CliError);
    expect(r.error?.message).toBe(message);
    expect(r.values).toEqual({});
  });

  test("duplicates are listed sorted, once each; the first value is kept", () => {
    const r = combineParams(["b=1", "a=1", "b=2", "a=3", "b=4", "c=5"]);
    expect(r.duplicates).toEqual(["a", "b"]);
    expect(r.values).toEqual({ b: "1", a: "1", c: "5" });
    expect(duplicateParamsMessage(r.duplicates)).toBe("The following parameters were provided more than once: a, b");
  });
});

describe("combineParams: with files", () => {
  test("command-line values beat file values, with oc's warning", () => {
    const r = combineParams(["A=cli"], [{ name: "vals.env", contents: "A=file\nB=file\n" }]);
    expect(r.values).toEqual({ A: "cli", B: "file" });
    expect(r.warnings).toEqual(['warning: Template parameter "A" already defined, ignoring value from file "vals.env"']);
  });

  test("among files the first definition wins", () => {
    const r = combineParams([], [{ name: "one", contents: "A=1" }, { name: "two", contents: "A=2\nB=2" }]);
    expect(r.values).toEqual({ A: "1", B: "2" });
    expect(r.warnings).toEqual(['warning: Template parameter "A" already defined, ignoring value from file "two"']);
  });

  test("an unreadable file stops at that file, keeping earlier warnings", () => {
    const r = combineParams(["A=1"], [
      { name: "one", contents: "A=2" },
      { name: "missing.env", error: 'Cannot stat "missing.env": stat missing.env: no such file or directory' },
      { name: "three", contents: "C=3" },
    ]);
    expect(r.error?.message).toBe('Cannot stat "missing.env": stat missing.env: no such file or directory');
    expect(r.warnings).toHaveLength(1);
    expect(r.values).toEqual({});
  });

  test("a file parse error names the file, stdin as `stdin`", () => {
    expect(combineParams([], [{ name: "-", contents: "oops" }]).error?.message)
      .toBe('Cannot read variables from file "stdin": Can\'t separate key from value');
    expect(combineParams([], [{ name: "p.env", contents: "1BAD=x" }]).error?.message)
      .toBe("invalid parameter assignment in 1BAD=x");
  });

  test("duplicates on the command line are still reported when a file fails", () => {
    const r = combineParams(["A=1", "A=2"], [{ name: "f", contents: "bad line" }]);
    expect(r.duplicates).toEqual(["A"]);
    expect(r.error).toBeDefined();
  });
});

describe("parseParamFile", () => {
  test.each<[string, string, Record<string, string>]>([
    ["plain lines", "A=1\nB=two words\n", { A: "1", B: "two words" }],
    ["no final newline", "A=1\nB=2", { A: "1", B: "2" }],
    ["CRLF line ends", "A=1\r\nB=2\r\n", { A: "1", B: "2" }],
    ["blank lines and comments", "\n# comment\n   # indented comment\n\t\nA=1\n", { A: "1" }],
    ["a trailing comment", "A=value # note\n", { A: "value" }],
    ["a hash inside quotes", "A=\"a#b\"\n", { A: "a#b" }],
    ["export prefix", "export A=1\n", { A: "1" }],
    ["spaces around key and value", "  A  =  spaced  \n", { A: "spaced" }],
    ["double quotes with escapes", "A=\"line1\\nline2\\r\\\"q\\\" \\\\ \\x\"\n", { A: "line1\nline2\r\"q\" \\ x" }],
    ["single quotes", "A='it is'\n", { A: "it is" }],
    ["quotes kept when unbalanced", "A=\"open\n", { A: "\"open" }],
    ["yaml style", "A: 1\nB: x=y\n", { A: "1", B: "x=y" }],
    ["= before : splits on =", "URL=http://host:8080\n", { URL: "http://host:8080" }],
    ["the value keeps further =", "A=b=c\n", { A: "b=c" }],
    ["empty value", "A=\n", { A: "" }],
    ["a later line wins", "A=1\nA=2\n", { A: "2" }],
    ["an empty file", "", {}],
  ])("%s", (_, contents, want) => {
    expect(Object.fromEntries(parseParamFile(contents, "f.env"))).toEqual(want);
  });

  test.each([
    ["a line without a separator", "A=1\njunk\n", 'Cannot read variables from file "f.env": Can\'t separate key from value'],
    ["a multi-line quoted value", "A=\"first\nsecond\"\n", 'Cannot read variables from file "f.env": Can\'t separate key from value'],
    ["a bad key", "A=1\n9X=2\n", "invalid parameter assignment in 9X=2"],
    ["an empty key", "=x\n", "invalid parameter assignment in =x"],
    ["indented export is part of the key", "  export A=1\n", "invalid parameter assignment in export A=1"],
  ])("%s is an error", (_, contents, message) => {
    expect(() => parseParamFile(contents, "f.env")).toThrow(new ParamError(message));
  });
});

describe("parseLabels", () => {
  test.each<[string, Record<string, string>]>([
    ["app=web", { app: "web" }],
    ["a=1,b=2", { a: "1", b: "2" }],
    ["a=", { a: "" }],
    ["example.com/x=y", { "example.com/x": "y" }],
  ])("%s", (spec, want) => {
    expect(parseLabels(spec)).toEqual(want);
  });

  test.each([
    ["a", "error parsing labels: unexpected label spec: a"],
    ["a=1=2", "error parsing labels: unexpected label spec: a=1=2"],
    ["a=1,,b=2", "error parsing labels: unexpected label spec: "],
    ["=x", "error parsing labels: unexpected empty label key"],
    ["", "error parsing labels: no label spec passed"],
  ])("%j fails", (spec, message) => {
    expect(() => parseLabels(spec)).toThrow(new ParamError(message));
  });
});

test("commaSeparationWarnings flags values that look like old comma lists", () => {
  expect(commaSeparationWarnings(["A=1,B=2", "A=1,2", "C=x"])).toEqual([
    'warning: --param no longer accepts comma-separated lists of values. "A=1,B=2" will be treated as a single key-value pair.',
  ]);
});
