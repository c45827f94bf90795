import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../../../src/api/types.ts";
import { parseGoDuration, simBehaviour } from "../../../src/controlplane/minion/annotations.ts";
import { minionCluster, recordStates, runPod, waitFor, waitPod, type MinionCluster } from "./harness.ts";

describe("parseGoDuration", () => {
  it.each([
    ["2s", 2000], ["500ms", 500], ["1m30s", 90_000], ["1.5h", 5_400_000], ["0", 0], ["10us", 0],
    ["", undefined], ["2", undefined], ["-1s", undefined], ["s", undefined], ["3x", undefined],
  ])("%j → %j", (s, ms) => expect(parseGoDuration(s)).toBe(ms));
});

describe("simBehaviour", () => {
  it("reads per-container keys before pod-wide ones and defaults the other exit half", () => {
    const a = { "sim.skiff.io/exit-code": "2", "sim.skiff.io/exit-code.side": "3", "sim.skiff.io/ready-delay": "5s", "sim.skiff.io/fail-image-pull": "true" };
    expect(simBehaviour(a, "app")).toMatchObject({ exitCode: 2, exitAfterMs: 1000, readyDelayMs: 5000, failImagePull: true });
    expect(simBehaviour(a, "side")).toMatchObject({ exitCode: 3 });
    expect(simBehaviour({ "sim.skiff.io/exit-after": "3s" }, "x")).toMatchObject({ exitCode: 0, exitAfterMs: 3000 });
    expect(simBehaviour({ "sim.skiff.io/exit-code": "bad" }, "x")).toMatchObject({ exitCode: undefined, exitAfterMs: undefined, failImagePull: false });
  });
});

let c: MinionCluster;
afterEach(async () => { await c?.close(); });

const cs = (p: Pod) => p.status?.containerStatuses?.[0];

describe("failure annotations on a live minion", () => {
  it("ready-delay: Running but not ready, then ready", async () => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "slow", "n1", { annotations: { "sim.skiff.io/ready-delay": "20s" } });
    const running = await waitPod(c.client, "slow", "running", (p) => p.status?.phase === "Running");
    expect(cs(running)).toMatchObject({ ready: false, started: true });
    const ready = running.status!.conditions!.find((x) => x.type === "Ready")!;
    expect(ready).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [app]" });
    const later = await waitPod(c.client, "slow", "ready", (p) => cs(p)?.ready === true);
    expect(later.status!.conditions!.find((x) => x.type === "ContainersReady")!.status).toBe("True");
  });

  it("exit-code with restartPolicy Always crash-loops with growing back-off", async () => {
    c = await minionCluster(20);
    await c.minion("n1");
    const rec = recordStates(c.client, "crash");
    await runPod(c.client, "crash", "n1", { annotations: { "sim.skiff.io/exit-code": "1", "sim.skiff.io/exit-after": "2s" } });
    const loop = await waitPod(c.client, "crash", "CrashLoopBackOff", (p) => cs(p)?.state?.waiting?.reason === "CrashLoopBackOff");
    expect(loop.status!.phase).toBe("Running");
    expect(cs(loop)!.restartCount).toBe(1);
    expect(cs(loop)!.lastState!.terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(cs(loop)!.state!.waiting!.message).toBe(`back-off 10s restarting failed container=app pod=crash_default(${loop.metadata.uid})`);
    const next = await waitPod(c.client, "crash", "second back-off", (p) => /back-off 20s/.test(cs(p)?.state?.waiting?.message ?? ""), 8000);
    expect(cs(next)!.restartCount).toBe(2);
    // The first exit restarts at once; later ones wait in CrashLoopBackOff.
    expect(await rec.stop()).toEqual(["waiting:ContainerCreating", "running", "terminated:Error", "running", "terminated:Error",
      "waiting:CrashLoopBackOff", "running", "terminated:Error", "waiting:CrashLoopBackOff"]);
    const backoff = await waitFor("BackOff event", async () =>
      (await c.client.list("events", "default")).items.find((e) => e.involvedObject.name === "crash" && e.reason === "BackOff"));
    expect(backoff.type).toBe("Warning");
    expect(backoff.message).toBe(`Back-off restarting failed container app in pod crash_default(${loop.metadata.uid})`);
  });

  it.each([
    ["Never", "0", "Succeeded", "Completed"],
    ["Never", "3", "Failed", "Error"],
    ["OnFailure", "0", "Succeeded", "Completed"],
  ])("restartPolicy %s with exit code %s ends %s", async (policy, code, phase, reason) => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "job", "n1", { restartPolicy: policy, annotations: { "sim.skiff.io/exit-code": code, "sim.skiff.io/exit-after": "1s" } });
    const done = await waitPod(c.client, "job", phase, (p) => p.status?.phase === phase);
    expect(cs(done)!.state!.terminated).toMatchObject({ exitCode: Number(code), reason });
    expect(cs(done)!.restartCount).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(cs(await c.client.get("pods", "default", "job"))!.restartCount).toBe(0);
  });

  it("OnFailure restarts a failing container", async () => {
    c = await minionCluster(100);
    await c.minion("n1");
    await runPod(c.client, "retry", "n1", { restartPolicy: "OnFailure", annotations: { "sim.skiff.io/exit-code": "1", "sim.skiff.io/exit-after": "1s" } });
    const p = await waitPod(c.client, "retry", "restarted", (x) => (cs(x)?.restartCount ?? 0) >= 1);
    expect(p.status!.phase).toBe("Running");
  });

  it("fail-image-pull: ErrImagePull, then ImagePullBackOff, pod stays Pending", async () => {
    c = await minionCluster();
    await c.minion("n1");
    const rec = recordStates(c.client, "nopull");
    await runPod(c.client, "nopull", "n1", { containers: [{ name: "app", image: "example.com/nosuch:1" }], annotations: { "sim.skiff.io/fail-image-pull": "true" } });
    const e2 = await waitPod(c.client, "nopull", "ImagePullBackOff", (p) => cs(p)?.state?.waiting?.reason === "ImagePullBackOff");
    expect(cs(e2)!.state!.waiting!.message).toContain('failed to pull and unpack image "example.com/nosuch:1"');
    expect((await rec.stop()).slice(0, 3)).toEqual(["waiting:ContainerCreating", "waiting:ErrImagePull", "waiting:ImagePullBackOff"]);
    expect(e2.status!.phase).toBe("Pending");
    expect(cs(e2)).toMatchObject({ ready: false, started: false, restartCount: 0 });
    const reasons = await waitFor("pull events", async () => {
      const r = (await c.client.list("events", "default")).items.filter((e) => e.involvedObject.name === "nopull").map((e) => `${e.reason}:${e.message}`);
      return r.some((x) => x === "Failed:Error: ImagePullBackOff") ? r : undefined;
    });
    expect(reasons).toEqual(expect.arrayContaining(['Pulling:Pulling image "example.com/nosuch:1"', "Failed:Error: ErrImagePull", 'BackOff:Back-off pulling image "example.com/nosuch:1"']));
  });

  it("start-delay holds the pod in ContainerCreating", async () => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "late", "n1", { annotations: { "sim.skiff.io/start-delay": "60s" } });
    await waitPod(c.client, "late", "ContainerCreating", (p) => cs(p)?.state?.waiting?.reason === "ContainerCreating");
    await new Promise((r) => setTimeout(r, 300));   // 15 simulated seconds
    expect(cs(await c.client.get("pods", "default", "late"))?.state?.waiting?.reason).toBe("ContainerCreating");
    await waitPod(c.client, "late", "running", (p) => p.status?.phase === "Running");
  });
});
