// `skiff new-project`, `project` and `projects` against an in-process cluster and a real
// kubeconfig file in a temp dir: oc's messages and the context switch written to the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { loadKubeConfig } from "../../src/client/kubeconfig.ts";
import { createApiClient } from "../../src/client/client.ts";
import { formatProjects } from "../../src/commands/projects.ts";
import { contextNickname, switchMessage } from "../../src/commands/project.ts";
import { NEW_APP_HINT } from "../../src/commands/new-project.ts";
import { main } from "../../src/main.ts";
import { splitArgs, testCluster, TEST_SERVER, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

let dir: string;
let c: TestCluster;

const CONFIG = (context: string, ns: string): string => `apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: ${TEST_SERVER}
users:
- name: admin
  user:
    token: t
contexts:
- name: ${context}
  context:
    cluster: skiff
    user: admin
    namespace: ${ns}
current-context: ${context}
`;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-project-"));
  c = await testCluster({ now: "2024-05-01T12:00:00Z" });
});
afterEach(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a command line with the kubeconfig in the temp dir, talking to the in-process server. */
async function run(line: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { HOME: dir, KUBECONFIG: join(dir, "config") };
  const t = testDeps({
    env,
    config: (deps) => loadKubeConfig(env, deps.flags, dir),
    client: async (deps) => createApiClient(c.transport, { namespace: deps.flags.namespace ?? (await deps.config()).namespace, server: TEST_SERVER }),
  });
  const code = await main(splitArgs(line), t.deps);
  return { code, stdout: t.out, stderr: t.err };
}

const kubeconfig = (): string => readFileSync(join(dir, "config"), "utf8");

describe("pure parts", () => {
  test("oc's context nickname keeps the user's first segment", () => {
    expect(contextNickname("demo", "api-example-com:6443", "developer/api-example-com:6443")).toBe("demo/api-example-com:6443/developer");
  });

  test.each([
    ["demo", "default", { context: "demo/c/u", namespace: "demo", byContextName: false, generatedName: true }, 'Now using project "demo" on server "S".\n'],
    ["demo", "demo", { context: "skiff", namespace: "demo", byContextName: false, generatedName: false }, 'Already on project "demo" on server "S".\n'],
    ["ctx", "default", { context: "ctx", namespace: "demo", byContextName: true, generatedName: false }, 'Now using project "demo" from context named "ctx" on server "S".\n'],
    ["ctx", "default", { context: "ctx", namespace: "", byContextName: true, generatedName: false }, 'Now using context named "ctx" on server "S".\n'],
  ])("switch message for %s from %s", (arg, prev, r, want) => {
    expect(switchMessage(arg, prev, r, "S")).toBe(want);
  });

  test("projects listing: markers, display names, and none when the current project is gone", () => {
    const ps = [{ name: "a", displayName: "" }, { name: "b", displayName: "Bee" }];
    expect(formatProjects(ps, "a", true, 'Using project "a" on server "S".', false)).toBe(
      "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n\n  * a\n    b - Bee\n\nUsing project \"a\" on server \"S\".\n");
    expect(formatProjects(ps, "gone", false, "unused", false)).toBe(
      "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n\na\nb - Bee\n");
    expect(formatProjects([ps[1]], "b", true, 'Using project "b" on server "S".', false)).toBe(
      'You have one project on this server: "Bee (b)".\n\nUsing project "b" on server "S".\n');
    expect(formatProjects([], "", false, "", false)).toBe("You are not a member of any projects. You can request a project to be created with the 'new-project' command.\n");
    expect(formatProjects(ps, "a", true, "", true)).toBe("a\nb\n");
  });
});

describe("with skiff's own context", () => {
  beforeEach(() => { writeFileSync(join(dir, "config"), CONFIG("skiff", "default")); });

  test("new-project creates the project and switches the context's namespace in place", async () => {
    const r = await run("new-project demo --display-name='Demo App' --description='For the demo'");
    expect(r).toEqual({ code: 0, stderr: "", stdout: `Now using project "demo" on server "${TEST_SERVER}".\n${NEW_APP_HINT}` });
    const ns = await c.client.get("namespaces", undefined, "demo");
    expect(ns.metadata.annotations?.["openshift.io/display-name"]).toBe("Demo App");
    expect(ns.metadata.annotations?.["openshift.io/description"]).toBe("For the demo");
    expect(kubeconfig()).toContain("    namespace: demo\n");
    expect(kubeconfig()).toContain("current-context: skiff\n");
    expect(await run("project")).toEqual({ code: 0, stderr: "", stdout: `Using project "demo" on server "${TEST_SERVER}".\n` });
    expect(await run("project -q")).toEqual({ code: 0, stderr: "", stdout: "demo\n" });
  });

  test("new-project --skip-config-write leaves the kubeconfig alone", async () => {
    const before = kubeconfig();
    const r = await run("new-project other --skip-config-write");
    expect(r).toEqual({ code: 0, stderr: "",
      stdout: `Project "other" created on server "${TEST_SERVER}".\n\nTo switch to this project and start adding applications, use:\n\n    skiff project other\n` });
    expect(kubeconfig()).toBe(before);
  });

  test("an existing project name is the server's error", async () => {
    await run("new-project demo --skip-config-write");
    const r = await run("new-project demo");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error from server \(AlreadyExists\): .*"demo" already exists\n$/);
  });

  test("project switches, says so, and knows when it is already there", async () => {
    await run("new-project demo --skip-config-write");
    expect(await run("project demo")).toEqual({ code: 0, stderr: "", stdout: `Now using project "demo" on server "${TEST_SERVER}".\n` });
    expect(await run("project demo")).toEqual({ code: 0, stderr: "", stdout: `Already on project "demo" on server "${TEST_SERVER}".\n` });
  });

  test("an unknown project lists the ones there are", async () => {
    const r = await run("project nope");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: A project named "nope" does not exist on "${TEST_SERVER.replace(/[.]/g, "\\.")}"\\.\\nYour projects are:\\n\\* default\\n`));
  });

  test("projects marks the current one", async () => {
    await run("new-project demo --display-name=Demo --skip-config-write");
    const r = await run("projects");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\n  * default\n    demo - Demo\n");
    expect(r.stdout.endsWith(`\nUsing project "default" from context named "skiff" on server "${TEST_SERVER}".\n`)).toBe(true);
  });
});

describe("with a context named the oc way", () => {
  beforeEach(() => { writeFileSync(join(dir, "config"), CONFIG("default/skiff/admin", "default")); });

  test("switching creates a sibling context and reuses it later", async () => {
    await run("new-project demo --skip-config-write");
    expect(await run("project demo")).toEqual({ code: 0, stderr: "", stdout: `Now using project "demo" on server "${TEST_SERVER}".\n` });
    expect(kubeconfig()).toContain("current-context: demo/skiff/admin\n");
    expect(kubeconfig()).toContain("  name: default/skiff/admin\n");
    expect(await run("project default")).toEqual({ code: 0, stderr: "", stdout: `Now using project "default" on server "${TEST_SERVER}".\n` });
    expect(kubeconfig().match(/name: demo\/skiff\/admin/g)).toHaveLength(1);
    expect(kubeconfig()).toContain("current-context: default/skiff/admin\n");
    const r = await run("projects");
    expect(r.stdout.endsWith(`\nUsing project "default" on server "${TEST_SERVER}".\n`)).toBe(true);
  });

  test("naming an existing context switches to it", async () => {
    writeFileSync(join(dir, "config"), `${CONFIG("default/skiff/admin", "default")}`.replace("contexts:\n", "contexts:\n- name: other\n  context:\n    cluster: skiff\n    user: admin\n    namespace: kube-system\n"));
    expect(await run("project other")).toEqual({ code: 0, stderr: "",
      stdout: `Now using project "kube-system" from context named "other" on server "${TEST_SERVER}".\n` });
    expect(kubeconfig()).toContain("current-context: other\n");
  });
});
