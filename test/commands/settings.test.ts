// The settings commands (config *, login, logout, whoami), version and api-resources, run as
// specs against real kubeconfig files in temp dirs and a real HTTPS control-plane front.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadKubeConfig } from "../../src/client/kubeconfig.ts";
import type { ApiClient } from "../../src/client/api-client.ts";
import type { ApiRequest, ApiResponse } from "../../src/client/transport.ts";
import type { CommandSpec } from "../../src/commands/command.ts";
import apiResources, { formatResources, selectResources, type DiscoveredResource } from "../../src/commands/api-resources.ts";
import { parseCount } from "../../src/commands/cluster/up.ts";
import clusterStatus from "../../src/commands/cluster/status.ts";
import currentContext from "../../src/commands/config/current-context.ts";
import getContexts from "../../src/commands/config/get-contexts.ts";
import setContext from "../../src/commands/config/set-context.ts";
import useContext from "../../src/commands/config/use-context.ts";
import view from "../../src/commands/config/view.ts";
import login, { clusterNickname, loginNames, normalizeServer, projectSummary } from "../../src/commands/login.ts";
import logout from "../../src/commands/logout.ts";
import version from "../../src/commands/version.ts";
import whoami from "../../src/commands/whoami.ts";
import { startControlPlane, type ControlPlane } from "../../src/controlplane/control-plane.ts";
import { realClock, type ConnectionFlags, type Deps } from "../../src/deps.ts";
import { CliError, ExitCodeError, UsageError } from "../../src/errors.ts";

let dir: string;

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "skiff-settings-")); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

interface Ran { stdout: string; stderr: string; error?: unknown }

/** Deps over real files: HOME is the temp dir; `client` is given or fails the test if used. */
function deps(flags: ConnectionFlags = {}, client?: ApiClient): { deps: Deps; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  const env = { HOME: dir, KUBECONFIG: join(dir, "config"), SKIFF_HOME: join(dir, "skiff") };
  const d: Deps = {
    io: { in: new PassThrough(), out: { write: (s) => { out += s; } }, err: { write: (s) => { err += s; } },
      tty: { in: false, out: false, err: false }, colour: false, width: 80 },
    clock: realClock, random: () => 0.5, env, flags, verbosity: 0,
    config: () => loadKubeConfig(env, d.flags, dir),
    client: async () => { if (!client) throw new Error("this command must not need a client"); return client; },
  };
  return { deps: d, out: () => out, err: () => err };
}

async function runSpec<F, O>(spec: CommandSpec<F, O>, args: string[], flags: F, d: ReturnType<typeof deps>): Promise<Ran> {
  try {
    const o = await spec.complete(args, flags, d.deps);
    spec.validate?.(o);
    await spec.run(o, d.deps);
    return { stdout: d.out(), stderr: d.err() };
  } catch (error) {
    return { stdout: d.out(), stderr: d.err(), error };
  }
}

const TWO_CONTEXTS = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example.com:6443
    certificate-authority-data: Y2EK
- name: skiff
  cluster:
    server: https://127.0.0.1:6443
users:
- name: alice
  user:
    token: s3cret
contexts:
- name: skiff
  context:
    cluster: skiff
    user: alice
- name: prod
  context:
    cluster: prod
    user: alice
    namespace: web
current-context: skiff
`;

const writeConfig = (text = TWO_CONTEXTS): void => writeFileSync(join(dir, "config"), text);
const readConfig = (): string => readFileSync(join(dir, "config"), "utf8");

describe("config get-contexts / current-context / use-context", () => {
  test("get-contexts prints kubectl's table, sorted, current one starred", async () => {
    writeConfig();
    const r = await runSpec(getContexts, [], {}, deps());
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe(
      "CURRENT   NAME    CLUSTER   AUTHINFO   NAMESPACE\n" +
      "          prod    prod      alice      web\n" +
      "*         skiff   skiff     alice      \n");
  });

  test.each([
    [["prod"], { output: "name" }, "prod\n", undefined],
    [["prod", "nope"], {}, "CURRENT   NAME   CLUSTER   AUTHINFO   NAMESPACE\n          prod   prod      alice      web\n", "context nope not found"],
    [[], { headers: false, output: "name" }, "prod\nskiff\n", undefined],
  ])("get-contexts %j %j", async (args, flags, stdout, error) => {
    writeConfig();
    const r = await runSpec(getContexts, args, flags, deps());
    expect(r.stdout).toBe(stdout);
    if (error) expect((r.error as Error).message).toBe(error);
    else expect(r.error).toBeUndefined();
  });

  test("current-context prints the file's context, or fails when unset", async () => {
    writeConfig();
    expect((await runSpec(currentContext, [], {}, deps())).stdout).toBe("skiff\n");
    writeConfig(TWO_CONTEXTS.replace("current-context: skiff\n", ""));
    const r = await runSpec(currentContext, [], {}, deps());
    expect(r.error).toBeInstanceOf(CliError);
    expect((r.error as Error).message).toBe("current-context is not set");
  });

  test("use-context switches and writes the file; unknown names are refused", async () => {
    writeConfig();
    const r = await runSpec(useContext, ["prod"], {}, deps());
    expect(r.stdout).toBe('Switched to context "prod".\n');
    expect(readConfig()).toMatch(/^current-context: "?prod"?$/m);
    const bad = await runSpec(useContext, ["nope"], {}, deps());
    expect((bad.error as Error).message).toBe('no context exists with the name: "nope"');
    expect(readConfig()).toMatch(/^current-context: "?prod"?$/m);
  });
});

describe("config set-context", () => {
  test("--current --namespace modifies the current context only", async () => {
    writeConfig();
    const r = await runSpec(setContext, [], { current: true }, deps({ namespace: "demo" }));
    expect(r.stdout).toBe('Context "skiff" modified.\n');
    const cfg = await loadKubeConfig({ KUBECONFIG: join(dir, "config") }, {}, dir);
    expect(cfg.merged.contexts.find((c) => c.name === "skiff")?.context).toEqual({ cluster: "skiff", user: "alice", namespace: "demo" });
    expect(cfg.merged.contexts.find((c) => c.name === "prod")?.context.namespace).toBe("web");
  });

  test("a new name is created, in a file that did not exist yet", async () => {
    const r = await runSpec(setContext, ["dev"], {}, deps({ cluster: "skiff", user: "bob" }));
    expect(r.stdout).toBe('Context "dev" created.\n');
    const cfg = await loadKubeConfig({ KUBECONFIG: join(dir, "config") }, {}, dir);
    expect(cfg.merged.contexts).toEqual([{ name: "dev", context: { cluster: "skiff", user: "bob" } }]);
  });

  test.each([
    [["a"], { current: true }, "you cannot specify both a context name and --current"],
    [[], {}, "you must specify a non-empty context name or --current"],
  ])("usage errors: %j %j", async (args, flags, message) => {
    const r = await runSpec(setContext, args, flags, deps());
    expect(r.error).toBeInstanceOf(UsageError);
    expect((r.error as Error).message).toBe(message);
  });
});

describe("config view", () => {
  test("redacts secrets unless --raw; --minify keeps the current context's entries", async () => {
    writeConfig();
    const shown = await runSpec(view, [], { output: "yaml" }, deps());
    expect(shown.stdout).toContain("token: REDACTED");
    expect(shown.stdout).toContain("certificate-authority-data: DATA+OMITTED");
    const raw = await runSpec(view, [], { raw: true, minify: true, output: "json" }, deps());
    const doc = JSON.parse(raw.stdout) as { contexts: { name: string }[]; clusters: { name: string }[]; users: { user: { token: string } }[] };
    expect(doc.contexts.map((c) => c.name)).toEqual(["skiff"]);
    expect(doc.clusters.map((c) => c.name)).toEqual(["skiff"]);
    expect(doc.users[0].user.token).toBe("s3cret");
  });

  test("rejects other formats before reading anything", async () => {
    const r = await runSpec(view, [], { output: "wide" }, deps());
    expect(r.error).toBeInstanceOf(UsageError);
  });
});

describe("version", () => {
  test("--client prints one line and never builds a client", async () => {
    const r = await runSpec(version, [], { client: true }, deps());
    expect(r.error).toBeUndefined();
    expect(r.stdout).toMatch(/^Client Version: v\d+\.\d+\.\d+\n$/);
  });

  test("-o json has the server half from /version", async () => {
    const client = { version: async () => ({ major: "1", minor: "32", gitVersion: "v1.32.4" }) } as unknown as ApiClient;
    const r = await runSpec(version, [], { output: "json" }, deps({}, client));
    const doc = JSON.parse(r.stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect(doc.serverVersion.gitVersion).toBe("v1.32.4");
    expect(doc.clientVersion.gitVersion).toMatch(/^v\d/);
  });

  test("the client line is printed before a server error", async () => {
    const client = { version: async () => { throw new CliError("unreachable"); } } as unknown as ApiClient;
    const r = await runSpec(version, [], {}, deps({}, client));
    expect(r.stdout).toMatch(/^Client Version: /);
    expect((r.error as Error).message).toBe("unreachable");
  });
});

describe("api-resources", () => {
  const all: DiscoveredResource[] = [
    { name: "replicationcontrollers", shortNames: ["rc"], group: "", groupVersion: "v1", namespaced: true, kind: "ReplicationController", verbs: ["get", "list"], categories: ["all"] },
    { name: "builds", shortNames: [], group: "build.openshift.io", groupVersion: "build.openshift.io/v1", namespaced: true, kind: "Build", verbs: ["get"], categories: [] },
    { name: "nodes", shortNames: ["no"], group: "", groupVersion: "v1", namespaced: false, kind: "Node", verbs: ["get", "list"], categories: [] },
  ];
  const base = { output: "" as const, verbs: [], headers: true, sortBy: "" as const };

  test("the default table, sorted by group then name", () => {
    expect(formatResources(selectResources(all, base), base)).toBe(
      "NAME                     SHORTNAMES   APIVERSION              NAMESPACED   KIND\n" +
      "nodes                    no           v1                      false        Node\n" +
      "replicationcontrollers   rc           v1                      true         ReplicationController\n" +
      "builds                                build.openshift.io/v1   true         Build\n");
  });

  test.each([
    [{ ...base, output: "name" as const }, "nodes\nreplicationcontrollers\nbuilds.build.openshift.io\n"],
    [{ ...base, output: "name" as const, namespaced: false }, "nodes\n"],
    [{ ...base, output: "name" as const, apiGroup: "build.openshift.io" }, "builds.build.openshift.io\n"],
    [{ ...base, output: "name" as const, verbs: ["list"] }, "nodes\nreplicationcontrollers\n"],
    [{ ...base, output: "name" as const, sortBy: "kind" as const }, "builds.build.openshift.io\nnodes\nreplicationcontrollers\n"],
  ])("%j", (o, text) => {
    expect(formatResources(selectResources(all, o), o)).toBe(text);
  });

  test("-o wide adds VERBS and CATEGORIES", () => {
    const o = { ...base, output: "wide" as const, apiGroup: "" };
    const lines = formatResources(selectResources(all, o), o).split("\n");
    expect(lines[0]).toMatch(/KIND\s+VERBS\s+CATEGORIES$/);
    expect(lines[1]).toMatch(/Node\s+get,list   $/);
    expect(lines[2]).toMatch(/ReplicationController   get,list   all$/);
  });

  test("bad flags are usage errors", async () => {
    for (const flags of [{ output: "json" }, { sortBy: "age" }, { namespaced: "maybe" }]) {
      expect((await runSpec(apiResources, [], flags, deps())).error).toBeInstanceOf(UsageError);
    }
  });
});

describe("cluster flags and status", () => {
  test.each([
    ["6443", 6443], ["0", 0], [undefined, undefined],
  ])("parseCount(%j)", (v, n) => { expect(parseCount("port", v, 65535)).toBe(n); });

  test.each(["-1", "x", "70000", "1.5"])("parseCount rejects %j", (v) => {
    expect(() => parseCount("port", v, 65535)).toThrow(UsageError);
  });

  test("status of a data dir with no server exits 1 with a message", async () => {
    const r = await runSpec(clusterStatus, [], {}, deps());
    expect(r.error).toBeInstanceOf(ExitCodeError);
    expect((r.error as ExitCodeError).code).toBe(1);
    expect((r.error as ExitCodeError).message).toBe(`skiff control plane is not running (data directory ${join(dir, "skiff")})`);
  });
});

describe("oc login naming", () => {
  test.each([
    ["api.example.com:6443", "https://api.example.com:6443", "api-example-com:6443"],
    ["https://api.example.com/", "https://api.example.com", "api-example-com:443"],
    ["http://10.0.0.1", "http://10.0.0.1", "10-0-0-1:80"],
    ["https://127.0.0.1:6443", "https://127.0.0.1:6443", "127-0-0-1:6443"],
  ])("%s", (given, server, nick) => {
    expect(normalizeServer(given)).toBe(server);
    expect(clusterNickname(server)).toBe(nick);
  });

  test("user and context names", () => {
    expect(loginNames("https://api.example.com:6443", "developer", "demo")).toEqual({
      cluster: "api-example-com:6443", user: "developer/api-example-com:6443", context: "demo/api-example-com:6443/developer",
    });
  });

  test.each([
    [["default"], "default", 'You have one project on this server: "default".\n\nUsing project "default".\n'],
    [["a", "default"], "default", "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n\n    a\n  * default\n\nUsing project \"default\".\n"],
    [undefined, "default", "You don't have any projects. Contact your system administrator to request a project.\n"],
  ])("project summary %j", (projects, current, text) => {
    expect(projectSummary(projects, current)).toBe(text);
  });
});

describe("login, whoami and logout against an HTTPS server", () => {
  let cp: ControlPlane | undefined;
  afterEach(async () => { await cp?.close(); cp = undefined; });

  /** A control-plane front whose API knows namespaces and, optionally, SelfSubjectReview. */
  async function start(user?: string): Promise<ControlPlane> {
    cp = await startControlPlane({
      dataDir: join(dir, "cp"), port: 0,
      handler: () => ({
        async handle(req: ApiRequest): Promise<ApiResponse> {
          const json = { "content-type": "application/json" };
          if (req.path === "/apis/authentication.k8s.io/v1/selfsubjectreviews" && user) {
            return { status: 201, headers: json, body: JSON.stringify({ kind: "SelfSubjectReview", status: { userInfo: { username: user } } }) };
          }
          if (req.path === "/api/v1/namespaces") {
            return { status: 200, headers: json, body: JSON.stringify({ kind: "NamespaceList", items: [{ metadata: { name: "default" } }, { metadata: { name: "web" } }] }) };
          }
          return { status: 404, headers: json, body: JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound", message: "not found" }) };
        },
        close() {},
      }),
    });
    return cp;
  }

  test("login writes oc's entries; whoami names the user; logout drops the token", async () => {
    const server = await start("developer");
    writeFileSync(join(dir, "ca.crt"), server.caPem);
    const r = await runSpec(login, [server.url], {}, deps({ token: server.token, certificateAuthority: join(dir, "ca.crt") }));
    expect(r.error).toBeUndefined();
    expect(r.stdout).toBe(`Logged into "${server.url}" as "developer" using the token provided.\n\n`
      + "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n\n"
      + "  * default\n    web\n\nUsing project \"default\".\n");
    const nick = clusterNickname(server.url);
    const cfg = await loadKubeConfig({ KUBECONFIG: join(dir, "config") }, {}, dir);
    expect(cfg.currentContext).toBe(`default/${nick}/developer`);
    expect(cfg.connection.token).toBe(server.token);
    expect(cfg.connection.caPem).toBe(server.caPem);

    expect((await runSpec(whoami, [], {}, deps())).stdout).toBe("developer\n");
    expect((await runSpec(whoami, [], { showServer: true }, deps())).stdout).toBe(`${server.url}\n`);

    // A second login without --token reuses the stored one.
    const again = await runSpec(login, [], {}, deps());
    expect(again.stdout).toMatch(/^Logged into ".*" as "developer" using existing credentials\.\n/);

    const out = await runSpec(logout, [], {}, deps());
    expect(out.stdout).toBe(`Logged "developer" out on "${server.url}"\n`);
    const token = await runSpec(whoami, [], { showToken: true }, deps());
    expect((token.error as Error).message).toBe("no token is currently in use for this session");
    expect((await runSpec(logout, [], {}, deps())).error).toBeInstanceOf(CliError);
  });

  test("a wrong token is refused and nothing is written", async () => {
    const server = await start("developer");
    const r = await runSpec(login, [server.url], {}, deps({ token: "wrong", insecureSkipTlsVerify: true }));
    expect((r.error as Error).message).toBe("The token provided is invalid or expired.");
    expect(() => readConfig()).toThrow();
  });

  test("an unknown CA gets oc's advice", async () => {
    const server = await start("developer");
    const r = await runSpec(login, [server.url], {}, deps({ token: server.token }));
    expect((r.error as Error).message).toMatch(/^The server uses a certificate signed by an unknown authority\./);
  });

  test("a server that cannot name users: the embedded user's name, and whoami says where the name came from", async () => {
    const server = await start();
    const r = await runSpec(login, [server.url], {}, deps({ token: server.token, insecureSkipTlsVerify: true }));
    expect(r.stdout).toMatch(/^Logged into ".*" as "skiff-admin" using the token provided\./);
    const who = await runSpec(whoami, [], {}, deps());
    expect(who.stdout).toBe("skiff-admin\n");
    expect(who.stderr).toBe("Warning: the server does not report user names; showing the kubeconfig's user\n");
  });
});
