// Colour marks meaning and never moves a column: stdout is byte-identical on a terminal and in a
// pipe when colour is off, and with FORCE_COLOR the visible text (ANSI stripped) is identical.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { statusTone } from "../../src/cli/colour.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

const ANSI = /\x1b\[[0-9;]*m/g;
const strip = (s: string): string => s.replace(ANSI, "");

function pod(name: string, phase: string, reason?: string): ApiObject {
  return {
    apiVersion: "v1", kind: "Pod", metadata: { name, creationTimestamp: "2024-05-01T11:00:00Z" },
    spec: { containers: [{ name: "app", image: "busybox" }] },
    status: { phase, ...(reason ? { reason } : {}) },
  } as ApiObject;
}

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster({ now: "2024-05-01T12:00:00Z" });
  await c.seed(pod("api-running", "Running"), pod("batch-done", "Succeeded"), pod("queue-waiting", "Pending"),
    pod("old-failed", "Failed"), pod("evicted-one", "Failed", "Evicted"));
});
afterAll(async () => { await c.close(); });

describe("get", () => {
  test("stdout is byte-identical on a terminal and in a pipe when colour is off", async () => {
    const onTerminal = await c.run("get pods -o wide", { tty: true });
    const piped = await c.run("get pods -o wide", { tty: false });
    expect(onTerminal).toEqual(piped);
    expect(piped.stdout).not.toMatch(ANSI);
  });

  test("FORCE_COLOR colours STATUS cells and leaves the visible text (widths included) unchanged", async () => {
    const plain = await c.run("get pods", { tty: true });
    const coloured = await c.run("get pods", { tty: true, env: { FORCE_COLOR: "1" } });
    expect(coloured.stdout).toMatch(ANSI);
    expect(strip(coloured.stdout)).toBe(plain.stdout);
    const line = (name: string): string => coloured.stdout.split("\n").find((l) => l.startsWith(name))!;
    expect(line("api-running")).toContain("\x1b[32mRunning\x1b[39m");
    expect(line("batch-done")).toContain("\x1b[32mSucceeded\x1b[39m");
    expect(line("queue-waiting")).toContain("\x1b[33mPending\x1b[39m");
    expect(line("old-failed")).toContain("\x1b[31mFailed\x1b[39m");
    expect(line("evicted-one")).toContain("\x1b[31mEvicted\x1b[39m");
  });

  test("--no-color wins over FORCE_COLOR", async () => {
    const r = await c.run("get pods --no-color", { tty: true, env: { FORCE_COLOR: "1" } });
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).toBe((await c.run("get pods", { tty: true })).stdout);
  });

  test("error: lines are red on a colour terminal, plain otherwise", async () => {
    const coloured = await c.run("get podz", { tty: true, env: { FORCE_COLOR: "1" } });
    expect(coloured.code).toBe(1);
    expect(coloured.stderr).toBe(`\x1b[31merror: the server doesn't have a resource type "podz"\x1b[39m\n`);
    const plain = await c.run("get podz", { tty: false, env: { FORCE_COLOR: "1" } });
    expect(plain.stderr).toBe(`error: the server doesn't have a resource type "podz"\n`);
  });
});

describe("statusTone", () => {
  const CASES: [string, ReturnType<typeof statusTone>][] = [
    ["Running", "good"], ["Completed", "good"], ["Ready", "good"],
    ["Failed", "bad"], ["Error", "bad"], ["CrashLoopBackOff", "bad"], ["ImagePullBackOff", "bad"], ["ErrImagePull", "bad"],
    ["Evicted", "bad"], ["NotReady", "bad"], ["NotReady,SchedulingDisabled", "bad"], ["Init:Error", "bad"],
    ["Pending", "waiting"], ["ContainerCreating", "waiting"], ["Terminating", "waiting"], ["Init:0/1", "waiting"],
    ["Unschedulable", undefined], ["", undefined],
  ];
  test.each(CASES)("%s → %s", (text, tone) => {
    expect(statusTone(text)).toBe(tone);
  });
});
