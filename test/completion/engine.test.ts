// `skiff __complete` in-process against a real API server (the protocol, candidates, directives),
// the engine's forward-compatible rows on a synthetic tree, and the 1 s budget against a silent server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { createApiClient } from "../../src/client/client.ts";
import { createHttpTransport } from "../../src/client/http-transport.ts";
import { completeLine, parseLine, type CommandNode, type CompletionSource, type FlagInfo, type TypeInfo } from "../../src/cli/completion/engine.ts";
import { Directive, directiveName, formatCompletion } from "../../src/cli/completion/protocol.ts";
import { main } from "../../src/main.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

const pod = (name: string): ApiObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "app", image: "busybox" }] } } as ApiObject);

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
  await c.seed(pod("web-1"), pod("web-2"), pod("db-1"));
});
afterAll(async () => { await c.close(); });

describe("__complete against a real API server", () => {
  // [args after __complete, stdout]
  const CASES: [string[], string][] = [
    [["ge"], "get\tDisplay one or many resources\n:4\n"],
    [["get", "po"], "pods\n:4\n"],
    [["get", "rc"], "rc\n:4\n"],
    [["get", "pods", ""], "db-1\nweb-1\nweb-2\n:4\n"],
    [["get", "pods", "web-1", "w"], "web-2\n:4\n"],
    [["get", "pods,se"], "pods,services\npods,secrets\npods,serviceaccounts\n:4\n"],
    [["get", "pod/d"], "pod/db-1\n:4\n"],
    [["get", "pod/web-1", ""], expect.stringMatching(/^([^\n]+\/\n)*pods\/\n([^\n]+\/\n)*:6\n$/) as unknown as string],
    [["get", "-o", "ya"], "yaml\n:4\n"],
    [["get", "--output=j"], "json\njsonpath\njsonpath-as-json\njsonpath-file\n:4\n"],
    [["apply", "-f", ""], "json\nyaml\nyml\n:8\n"],
    [["--kubeconfig", ""], ":0\n"],
    [["version", ""], ":4\n"],
    [["get", "--watch-o"], "--watch-only\tWatch for changes to the requested object(s), without listing/getting first.\n:4\n"],
    [["help", "clu"], "cluster\tStart, stop and inspect the embedded cluster\n:4\n"],
    [["cluster", "u"], "up\tStart the embedded control plane on this machine\n:4\n"],
  ];
  test.each(CASES)("__complete %j", async (args, want) => {
    const r = await c.run(["__complete", ...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toEqual(want);
    expect(r.stderr).toMatch(/^Completion ended with directive: ShellCompDirective\w+(, ShellCompDirective\w+)*\n$/);
  });

  test("__completeNoDesc and SKIFF_COMPLETION_DESCRIPTIONS=false drop descriptions", async () => {
    expect((await c.run(["__completeNoDesc", "ge"])).stdout).toBe("get\n:4\n");
    expect((await c.run(["__complete", "ge"], { env: { SKIFF_COMPLETION_DESCRIPTIONS: "false" } })).stdout).toBe("get\n:4\n");
  });

  test("used flags are not offered again, repeatable ones are", async () => {
    const r = await c.run(["__completeNoDesc", "get", "-o", "json", "-"]);
    expect(r.stdout).not.toMatch(/^--output$/m);
    expect(r.stdout).toMatch(/^--label-columns$/m);
    expect(r.stdout).toMatch(/^--namespace$/m);   // connection flags belong to every command
    expect((await c.run(["__completeNoDesc", "delete", "--no-"])).stdout).toBe("--no-color\n:4\n");   // hidden negations (--no-wait) stay hidden
  });
});

describe("protocol", () => {
  test("directive names as cobra prints them", () => {
    expect(directiveName(0)).toBe("ShellCompDirectiveDefault");
    expect(directiveName(6)).toBe("ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp");
    expect(directiveName(64)).toBe("ERROR: unexpected ShellCompDirective value: 64");
  });
  test("only a description's first line is kept, trimmed", () => {
    expect(formatCompletion({ candidates: ["a\tline one\nline two", "b\t"], directive: 4 }, true)).toBe("a\tline one\nb\n:4\n");
  });
});

// A tree with commands skiff does not have yet: the table in args.ts already knows them.
const flag = (long: string, takesValue = false): FlagInfo => ({ long, description: long, takesValue, repeatable: false, hidden: false });
const leaf = (path: string): CommandNode => ({
  path, name: path.split(" ").pop()!, aliases: [], summary: path, hidden: false, flags: [flag("namespace", true)], children: [], takesArgs: true,
});
const rollout: CommandNode = { ...leaf("rollout"), children: [leaf("rollout status")], takesArgs: false };
const ROOT: CommandNode = {
  ...leaf(""), name: "skiff", takesArgs: false,
  children: [leaf("logs"), leaf("start-build"), leaf("process"), leaf("scale"), rollout],
};
const DC: TypeInfo = { resource: "deploymentconfigs", group: "apps.openshift.io", version: "v1", kind: "DeploymentConfig", singular: "deploymentconfig", short: ["dc"], namespaced: true };
const BC: TypeInfo = { resource: "buildconfigs", group: "build.openshift.io", version: "v1", kind: "BuildConfig", singular: "buildconfig", short: ["bc"], namespaced: true };
const TEMPLATES: TypeInfo = { resource: "templates", group: "template.openshift.io", version: "v1", kind: "Template", singular: "template", short: [], namespaced: true };
const NAMES: Record<string, string[]> = { pods: ["web-1"], deploymentconfigs: ["frontend"], buildconfigs: ["app"], templates: ["redis"], replicationcontrollers: ["frontend-1"] };
const SOURCE: CompletionSource = {
  names: async (t) => NAMES[t.resource] ?? [],
  namespaces: async () => ["default"],
  discover: async () => [DC, BC, TEMPLATES],
  kubeconfig: async () => [],
};

describe("forward-compatible rows", () => {
  const CASES: [string[], string[], number][] = [
    [["logs", ""], ["web-1"], Directive.NoFileComp],
    [["logs", "web-1", ""], [], Directive.NoFileComp],
    [["start-build", ""], ["app"], Directive.NoFileComp],
    [["process", "r"], ["redis"], Directive.NoFileComp],
    [["rollout", "status", "dc/"], ["dc/frontend"], Directive.NoFileComp],
    [["rollout", "status", "deploymentc"], ["deploymentconfigs/"], Directive.NoFileComp | Directive.NoSpace],
    [["scale", "rc/"], ["rc/frontend-1"], Directive.NoFileComp],
  ];
  test.each(CASES)("%j", async (words, want, directive) => {
    const r = await completeLine(parseLine(ROOT, words), ROOT, SOURCE);
    expect(r).toEqual({ candidates: want, directive });
  });
});

describe("a server that never answers", () => {
  let silent: Server;
  let url = "";
  beforeAll(async () => {
    silent = createServer(() => { /* never responds */ });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });

  test("costs at most the 1 s budget and still answers from the table", async () => {
    const t = testDeps({ client: async () => createApiClient(createHttpTransport({ server: url, insecureSkipTlsVerify: false, requestTimeoutMs: 0 }), { namespace: "default", server: url }) });
    const t0 = performance.now();
    expect(await main(["__complete", "get", "pods", ""], t.deps)).toBe(0);
    const names = performance.now() - t0;
    expect(t.out).toBe(":4\n");
    expect(names).toBeLessThan(1500);

    const t2 = testDeps({ client: t.deps.client });
    expect(await main(["__completeNoDesc", "get", "po"], t2.deps)).toBe(0);
    expect(t2.out).toBe("pods\n:4\n");
  });
});
