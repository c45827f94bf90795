// `skiff get -w` while a pod's status moves through /status: one row per phase change, as kubectl prints them.
import { afterEach, beforeEach, expect, test } from "vitest";
import type { Pod } from "../../src/api/types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 60));

test("get pods -w prints a row for each status change written through /status", async () => {
  await c.seed({
    apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", creationTimestamp: "2024-05-01T11:59:00Z" },
    spec: { nodeName: "minion-1", containers: [{ name: "app", image: "nginx" }] },
  });
  const setStatus = async (status: Pod["status"]): Promise<void> => {
    const p = await c.client.get("pods", "default", "web-1");
    await c.client.updateStatus("pods", "default", { ...p, status });
  };
  const ac = new AbortController();
  const watching = c.run("get pods -w", { signal: ac.signal });
  await tick();
  const cs = { name: "app", image: "nginx", imageID: "", restartCount: 0 };
  await setStatus({ phase: "Pending", containerStatuses: [{ ...cs, ready: false, state: { waiting: { reason: "ContainerCreating" } } }] });
  await tick();
  await setStatus({
    phase: "Running", conditions: [{ type: "Ready", status: "True" }],
    containerStatuses: [{ ...cs, ready: true, started: true, state: { running: { startedAt: "2024-05-01T11:59:30Z" } } }],
  });
  await tick();
  await setStatus({
    phase: "Succeeded",
    containerStatuses: [{ ...cs, ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } }],
  });
  await tick();
  ac.abort();
  expect(await watching).toEqual({
    code: 0, stderr: "",
    // each event is flushed on its own, so later rows are not realigned (kubectl does the same)
    stdout: "NAME    READY   STATUS    RESTARTS   AGE\n"
      + "web-1   0/1     Pending   0          60s\n"
      + "web-1   0/1     ContainerCreating   0          60s\n"
      + "web-1   1/1     Running             0          60s\n"
      + "web-1   0/1     Completed           0          60s\n",
  });
});
