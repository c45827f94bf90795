// The log-script annotation: a container's whole log, line by line at offsets from its start.
import { expect, test } from "vitest";
import { parseLogScript, simBehaviour } from "../../../src/controlplane/minion/annotations.ts";
import { minionCluster, runPod, waitFor, waitPod } from "./harness.ts";

test.each([
  ['[{"at":"0s","text":"a"},{"at":"1.5s","text":"b"},{"at":20,"text":"c"},{"text":"d"}]', [{ atMs: 0, text: "a" }, { atMs: 1500, text: "b" }, { atMs: 20, text: "c" }, { atMs: 0, text: "d" }]],
  ["not json", undefined],
  ['{"at":"1s"}', undefined],
  ['[{"at":"1s"}]', undefined],
  ['[{"at":"soon","text":"x"}]', undefined],
  [undefined, undefined],
])("parseLogScript(%s)", (input, want) => {
  expect(parseLogScript(input)).toEqual(want);
});

test("a per-container script wins over the pod-wide one", () => {
  const b = simBehaviour({ "sim.skiff.io/log-script": '[{"text":"pod"}]', "sim.skiff.io/log-script.app": '[{"text":"app"}]' }, "app");
  expect(b.logScript).toEqual([{ atMs: 0, text: "app" }]);
});

test("a scripted container's log is exactly the script, written over time", async () => {
  const c = await minionCluster(1);
  try {
    await c.minion("minion-1", {}, { startDelayMs: [5, 10] });
    await runPod(c.client, "scripted", "minion-1", {
      restartPolicy: "Never",
      annotations: {
        "sim.skiff.io/log-script": JSON.stringify([{ at: "0s", text: "one" }, { at: "50ms", text: "two" }, { at: "100ms", text: "three" }]),
        "sim.skiff.io/exit-after": "150ms",
      },
    });
    await waitPod(c.client, "scripted", "succeeded", (p) => p.status?.phase === "Succeeded");
    const log = await waitFor("log", async () => (await c.client.logs("default", "scripted")) as string);
    expect(log).toBe("one\ntwo\nthree\n");
  } finally {
    await c.close();
  }
});
