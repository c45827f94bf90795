// Progress on stderr: plain `Waiting for …` lines off a terminal or in CI, never anything on stdout;
// and `delete --wait` showing it only while an object actually lingers.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { spinnerAllowed, startProgress } from "../../src/cli/progress.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";
import { testDeps } from "../helpers/test-deps.ts";

describe("startProgress", () => {
  test("off a terminal: one line per distinct text, the final line, then nothing", async () => {
    const t = testDeps({ tty: false });
    const p = await startProgress(t.deps.io, "Waiting for the API server", {});
    p.update("Waiting for the API server");
    p.update("Waiting for the API server (2)");
    p.succeed("The API server is healthy");
    p.update("late");
    p.fail("late");
    p.stop();
    expect(t.err).toBe("Waiting for the API server\nWaiting for the API server (2)\nThe API server is healthy\n");
    expect(t.out).toBe("");
  });

  test("in CI a terminal still gets plain lines", async () => {
    const t = testDeps({ tty: true });
    const p = await startProgress(t.deps.io, "Waiting for pod \"web\" to be deleted", { CI: "true" });
    p.stop();
    expect(t.err).toBe("Waiting for pod \"web\" to be deleted\n");
  });

  const CASES: [boolean, Record<string, string>, boolean][] = [
    [true, {}, true], [true, { CI: "true" }, false], [true, { CI: "1" }, false], [true, { CI: "false" }, true],
    [true, { CI: "" }, true], [false, {}, false],
  ];
  test.each(CASES)("tty=%s env=%j → spinner %s", (tty, env, want) => {
    expect(spinnerAllowed({ tty: { in: tty, out: tty, err: tty } }, env)).toBe(want);
  });
});

describe("delete --wait", () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await testCluster();
    await c.seed(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "quick" }, data: {} } as ApiObject,
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "held", finalizers: ["example.com/hold"] }, data: {} } as ApiObject,
    );
  });
  afterAll(async () => { await c.close(); });

  test("a quick delete prints no progress", async () => {
    const r = await c.run("delete configmap quick");
    expect(r).toEqual({ code: 0, stdout: "configmap \"quick\" deleted from default namespace\n", stderr: "" });
  });

  test("an object lingering past half a second gets a progress line on stderr; stdout is unchanged", async () => {
    const r = await c.run("delete configmap held --timeout=1s");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("configmap \"held\" deleted from default namespace\n");
    expect(r.stderr).toBe("Waiting for configmap \"held\" to be deleted\nerror: timed out waiting for the condition on configmaps/held\n");
  });
});
