// main(): argv parsing, global flags in every position, help, and how errors become text + exit codes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Option } from "commander";
import { ApiError, failure, invalid, fieldRequired, fieldInvalid, notFound } from "../../src/api/errors.ts";
import { ConnectionError } from "../../src/client/transport.ts";
import { CliError, ExitCodeError, UsageError } from "../../src/errors.ts";
import { editDistance, main, normalizeArgs, reportError, suggestCommands } from "../../src/main.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

async function run(argv: string[]) {
  const t = testDeps();
  const code = await main(argv, t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

describe("argv errors", () => {
  test.each<[string[], string]>([
    [["gte"], 'error: unknown command "gte" for "skiff"\n\nDid you mean this?\n\tget\n'],
    [["frobnicate"], 'error: unknown command "frobnicate" for "skiff"\n'],
    [["get", "--foo"], "error: unknown flag: --foo\nSee 'skiff get --help' for usage.\n"],
    [["get", "--foo=bar", "pods"], "error: unknown flag: --foo\nSee 'skiff get --help' for usage.\n"],
    [["get", "-Z"], "error: unknown shorthand flag: 'Z' in -Z\nSee 'skiff get --help' for usage.\n"],
    [["get", "pods", "-o"], "error: flag needs an argument: --output\nSee 'skiff get --help' for usage.\n"],
    [["get"], "error: you must specify the type of resource to get. Use \"skiff api-resources\" for a complete list of supported resources.\nSee 'skiff get -h' for help and examples\n"],
    [["get", "pods", "pod/web"], "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'\nSee 'skiff get -h' for help and examples\n"],
    [["label", "pods", "web"], "error: at least one label update is required\nSee 'skiff label -h' for help and examples\n"],
    [["create"], "error: must specify one of -f and -k\nSee 'skiff create -h' for help and examples\n"],
    [["delete"], "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n"],
    [["delete", "pods"], "error: resource(s) were provided, but no name was specified\n"],
    [["delete", "pod", "web", "--cascade=sideways"], 'error: invalid cascade value (sideways). Must be "background", "foreground", or "orphan".\n'],
    [["create", "-f", "x.yaml", "--dry-run=maybe"], 'error: Invalid dry-run value (maybe). Must be "none", "server", or "client".\n'],
  ])("%j", async (argv, stderr) => {
    const r = await run(argv);
    expect(r).toEqual({ code: 1, stdout: "", stderr });
  });

  test("suggestions are cobra's: distance ≤ 2 or a prefix", () => {
    expect(editDistance("gte", "get")).toBe(2);
    expect(suggestCommands("des", ["describe", "delete", "version"])).toEqual(["describe"]);
    expect(suggestCommands("lable", ["label", "apply"])).toEqual(["label"]);
  });
});

describe("help", () => {
  test("no arguments and --help print grouped help on stdout, exit 0", async () => {
    const bare = await run([]);
    const flag = await run(["--help"]);
    expect(bare).toEqual(flag);
    expect(flag.code).toBe(0);
    expect(flag.stderr).toBe("");
    expect(flag.stdout).toMatch(/^Application Management Commands:\n {2}create {10}Create a resource from a file or from stdin$/m);
    expect(flag.stdout).toContain('Use "skiff <command> --help" for more information about a given command.\n');
  });

  test("a command's help lists its flags but not the global ones", async () => {
    const r = await run(["get", "-h"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Display one or many resources\.\n/);
    expect(r.stdout).toContain("  -A, --all-namespaces ");
    expect(r.stdout).not.toContain("--kubeconfig");
    expect(r.stdout).toContain("Usage:\n  skiff get [args...] [options]\n");
  });

  test("`skiff options` lists the global flags", async () => {
    const r = await run(["options"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  -n, --namespace <namespace> ");
  });
});

describe("global flags", () => {
  let c: TestCluster;
  beforeAll(async () => { c = await testCluster(); });
  afterAll(async () => { await c.close(); });

  test.each([
    ["-n kube-system get pods"],
    ["get -n kube-system pods"],
    ["get pods -n kube-system"],
    ["get pods -nkube-system"],
    ["get pods --namespace=kube-system"],
    ["get pods -n=kube-system"],
    ["--namespace kube-system get pods"],
    ["-n default get pods -n kube-system"],
  ])("%s", async (line) => {
    const r = await c.run(line);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "No resources found in kube-system namespace.\n" });
  });
});

describe("normalizeArgs", () => {
  const opts = [new Option("--wait", "").default(true), new Option("--no-wait", ""), new Option("--overwrite", ""),
    new Option("-o, --output <f>", ""), new Option("--dry-run [s]", "").preset("unchanged")];
  test.each<[string[], string[]]>([
    [["--wait=false", "pods"], ["--no-wait", "pods"]],
    [["--wait=true"], ["--wait"]],
    [["--overwrite=false", "x"], ["x"]],
    [["--overwrite=1"], ["--overwrite"]],
    [["-o=yaml"], ["-o", "yaml"]],
    [["--dry-run", "pod", "web"], ["--dry-run=unchanged", "pod", "web"]],
    [["--dry-run=server"], ["--dry-run=server"]],
    [["--", "--wait=false"], ["--", "--wait=false"]],
  ])("%j", (argv, want) => {
    expect(normalizeArgs(argv, opts, new Set())).toEqual(want);
  });
});

describe("reportError", () => {
  const several = invalid("Pod", "web-1", [fieldRequired("spec.containers[0].image"), fieldInvalid("metadata.name", "Web", "must be lower case")]);
  test.each<[string, unknown, string, number]>([
    ["NotFound", notFound("pods", "x"), 'Error from server (NotFound): pods "x" not found\n', 1],
    ["Invalid, one cause", invalid("Pod", "web-1", [fieldRequired("spec.containers[0].image")]),
      'The Pod "web-1" is invalid: spec.containers[0].image: Required value\n', 1],
    ["Invalid, several causes", several,
      'The Pod "web-1" is invalid: \n* spec.containers[0].image: Required value\n* metadata.name: Invalid value: "Web": must be lower case\n', 1],
    ["401", new ApiError(failure(401, "Unauthorized", "Unauthorized")), "error: You must be logged in to the server (Unauthorized)\n", 1],
    ["no reason", new ApiError(failure(500, undefined, "boom")), "Error from server: boom\n", 1],
    ["refused, remote", new ConnectionError("10.0.0.1:6443", true, "connect ECONNREFUSED"),
      "The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?\n", 1],
    ["refused, local", new ConnectionError("127.0.0.1:6443", true, "connect ECONNREFUSED"),
      "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\nTo start the embedded cluster, run: skiff cluster up\n", 1],
    ["other network", new ConnectionError("10.0.0.1:6443", false, "x509: certificate signed by unknown authority"),
      "Unable to connect to the server: x509: certificate signed by unknown authority\n", 1],
    ["usage", new UsageError("bad thing", "skiff get"), "error: bad thing\nSee 'skiff get -h' for help and examples\n", 1],
    ["cli", new CliError("nope"), "error: nope\n", 1],
    ["already prefixed", new Error("error: nope"), "error: nope\n", 1],
    ["exit code", new ExitCodeError(3, "diff found"), "diff found\n", 3],
    ["aggregate of one", new AggregateError([several]), 'The Pod "web-1" is invalid: \n* spec.containers[0].image: Required value\n* metadata.name: Invalid value: "Web": must be lower case\n', 1],
    ["aggregate", new AggregateError([notFound("pods", "a"), several]),
      'Error from server (NotFound): pods "a" not found\nError from server (Invalid): Pod "web-1" is invalid: [spec.containers[0].image: Required value, metadata.name: Invalid value: "Web": must be lower case]\n', 1],
    ["config problems", Object.assign(new CliError("x"), { problems: ["context was not found for specified context: nope"] }),
      "Error in configuration: context was not found for specified context: nope\n", 1],
  ])("%s", (_name, e, text, code) => {
    const t = testDeps();
    expect(reportError(e, t.deps.io, false)).toBe(code);
    expect(t.err).toBe(text);
    expect(t.out).toBe("");
  });

  test("a stack trace only when debugging", () => {
    const quiet = testDeps();
    reportError(new Error("kaput"), quiet.deps.io, false);
    expect(quiet.err).toBe("error: kaput\n");
    const loud = testDeps();
    reportError(new Error("kaput"), loud.deps.io, true);
    expect(loud.err).toMatch(/^error: kaput\nError: kaput\n\s+at /);
  });
});
