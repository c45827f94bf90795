import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../../../src/api/types.ts";
import { minionCluster, runPod, waitFor, waitPod, type MinionCluster } from "./harness.ts";

let c: MinionCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const ready = (p: Pod): boolean => p.status?.containerStatuses?.[0]?.ready === true;

describe("minions sharing one pod source", () => {
  it("open one pod watch between them; own-source minions open one each", async () => {
    for (const [sharedPods, want] of [
      [true, ["spec.nodeName!="]], ["informer", [""]], [false, ["spec.nodeName=n1", "spec.nodeName=n2", "spec.nodeName=n3"]],
    ] as const) {
      const k = await minionCluster(50, { sharedPods });
      try {
        for (const n of ["n1", "n2", "n3"]) await k.minion(n);
        await runPod(k.client, "p", "n2");
        await waitPod(k.client, "p", "ready", ready);
        expect([...k.podWatches].sort()).toEqual(want);
      } finally {
        await k.close();
      }
    }
  });

  it.each([true, "informer"] as const)("each minion runs only the pods bound to it (shared: %s)", async (sharedPods) => {
    const k = c = await minionCluster(50, { sharedPods });
    const m1 = await k.minion("n1", { address: "10.0.0.1" });
    const m2 = await k.minion("n2", { address: "10.0.0.2" });
    await k.client.create("pods", "default", { apiVersion: "v1", kind: "Pod", metadata: { name: "unbound" }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } });
    await runPod(k.client, "a", "n1");
    await runPod(k.client, "b", "n2");
    const [a, b] = await Promise.all([waitPod(k.client, "a", "ready", ready), waitPod(k.client, "b", "ready", ready)]);
    expect(a.status?.hostIP).toBe("10.0.0.1");
    expect(b.status?.hostIP).toBe("10.0.0.2");
    expect(m1.pod("default", "a")?.metadata.name).toBe("a");
    expect(m1.pod("default", "b")).toBeUndefined();
    expect(m2.pod("default", "b")?.metadata.name).toBe("b");
    expect(m1.pod("default", "unbound")).toBeUndefined();
    expect(m1.runtime.status(a.metadata.uid!)).toBeDefined();
    expect(m1.runtime.status(b.metadata.uid!)).toBeUndefined();
    expect((await k.client.get("pods", "default", "unbound")).status?.phase).toBe("Pending");
  });

  it.each([true, "informer"] as const)("confirms graceful deletions; a restarted minion adopts its pods (shared: %s)", async (sharedPods) => {
    const k = c = await minionCluster(50, { sharedPods });
    const m1 = await k.minion("n1");
    await k.minion("n2");
    for (const [name, node] of [["x1", "n1"], ["x2", "n1"], ["y", "n2"]] as const) await runPod(k.client, name, node);
    const before = await Promise.all(["x1", "x2", "y"].map((n) => waitPod(k.client, n, "ready", ready)));
    await m1.idle();
    await m1.stop();
    k.minions.delete("n1");
    // n2 keeps running while n1 is down; deleting its pod still completes.
    await k.client.delete("pods", "default", "y");
    await waitFor("y deleted", async () => {
      try { await k.client.get("pods", "default", "y"); return false; } catch { return true; }
    });
    const m1b = await k.minion("n1");
    await m1b.idle();
    const after = await Promise.all(["x1", "x2"].map((n) => k.client.get("pods", "default", n)));
    expect(after.map((p) => p.status?.podIP)).toEqual(before.slice(0, 2).map((p) => p.status?.podIP));
    expect(after.map((p) => p.metadata.resourceVersion)).toEqual(before.slice(0, 2).map((p) => p.metadata.resourceVersion));
    expect(m1b.pod("default", "x1")).toBeDefined();
  });

  it("a view stopped before the source synced rejects its synced promise and gets no events", async () => {
    const k = c = await minionCluster(50, { sharedPods: true });
    const view = k.podSource!.forNode("n9");
    await view.stop();
    await expect(view.synced).rejects.toThrow(/stopped before they synced/);
    const seen: string[] = [];
    view.addEventHandler({ onAdd: (p) => seen.push(p.metadata.name ?? "") });
    const live = k.podSource!.forNode("n9");
    live.start();
    await live.synced;
    await runPod(k.client, "late", "n9");
    await waitFor("live view sees the pod", () => live.get("default/late"));
    expect(live.list().map((p) => p.metadata.name)).toEqual(["late"]);
    expect(seen).toEqual([]);
    await live.stop();
  });
});
