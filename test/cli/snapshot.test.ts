// The snapshot warm-up really runs the paths it is meant to compile ahead: each run succeeds.
import { expect, test } from "vitest";
import { warmUp, WARM_UP_RUNS } from "../../src/cli/snapshot.ts";

test("every warm-up run exits 0 and `get pods` prints the canned table", async () => {
  let text = "";
  const codes = await warmUp({ write: (s) => { text += s; } });
  expect(codes).toEqual([...WARM_UP_RUNS.map(() => 0)]);
  expect(text).toContain("Client Version: v");
  expect(text).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod-0\s+1\/1\s+Running\s+0\s+5m$/m);
});

test("the warm-up writes nothing unless given a sink", async () => {
  const codes = await warmUp();
  expect(codes.every((c) => c === 0)).toBe(true);
});
