import { afterEach, describe, expect, it } from "vitest";
import type { Event, Node } from "../../../src/api/types.ts";
import { minionCluster, runPod, waitFor, waitPod, type MinionCluster } from "./harness.ts";

let c: MinionCluster;
afterEach(async () => { await c?.close(); });

const events = async (cl: MinionCluster, name: string): Promise<Event[]> =>
  (await cl.client.list("events", "default")).items.filter((e) => e.involvedObject.name === name);

describe("node registration and heartbeats", () => {
  it("registers a Ready node with everything the kubelet reports", async () => {
    c = await minionCluster();
    await c.minion("node-1", { cpu: "8", memory: "16Gi", pods: 50, labels: { zone: "a" }, address: "10.0.0.5" });
    const node = await c.client.get("nodes", undefined, "node-1");
    expect(node.metadata.labels).toEqual({
      "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux", zone: "a",
    });
    expect(node.spec).toMatchObject({ podCIDR: "10.128.0.0/24", podCIDRs: ["10.128.0.0/24"] });
    const st = node.status!;
    expect(st.capacity).toMatchObject({ cpu: "8", memory: "16777216Ki", pods: "50" });
    expect(st.capacity!["ephemeral-storage"]).toBeDefined();
    expect(st.allocatable).toEqual(st.capacity);
    expect(st.addresses).toEqual([{ type: "InternalIP", address: "10.0.0.5" }, { type: "Hostname", address: "node-1" }]);
    expect(st.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 0 } });
    for (const k of ["machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion",
      "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture"]) expect(st.nodeInfo?.[k], k).toBeTruthy();
    expect(st.nodeInfo).toMatchObject({ containerRuntimeVersion: "skiff-sim://0.1.0", kubeletVersion: "v1.32.4-skiff", operatingSystem: "linux" });
    const byType = Object.fromEntries((st.conditions ?? []).map((x) => [x.type, x]));
    expect(byType.Ready).toMatchObject({ status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" });
    expect(byType.MemoryPressure).toMatchObject({ status: "False", reason: "KubeletHasSufficientMemory" });
    expect(byType.DiskPressure).toMatchObject({ status: "False", reason: "KubeletHasNoDiskPressure" });
    expect(byType.PIDPressure).toMatchObject({ status: "False", reason: "KubeletHasSufficientPID" });
    const evs = await waitFor("node events", async () => {
      const e = await events(c, "node-1");
      return e.length >= 5 ? e : undefined;
    });
    expect(evs.map((e) => e.reason).sort()).toEqual(["NodeHasNoDiskPressure", "NodeHasSufficientMemory", "NodeHasSufficientPID", "NodeReady", "Starting"]);
    expect(evs.find((e) => e.reason === "NodeReady")).toMatchObject({ message: "Node node-1 status is now: NodeReady", source: { component: "kubelet", host: "node-1" } });
  });

  it("gives each node its own /24 and keeps it across restarts", async () => {
    c = await minionCluster();
    const a = await c.minion("a");
    const b = await c.minion("b");
    expect([a.podCIDR, b.podCIDR]).toEqual(["10.128.0.0/24", "10.128.1.0/24"]);
    await b.stop();
    c.minions.delete("b");
    const b2 = await c.minion("b");
    expect(b2.podCIDR).toBe("10.128.1.0/24");
  });

  it("posts heartbeats and flips a node the controller marked Unknown back to Ready", async () => {
    c = await minionCluster();
    await c.minion("hb");
    const first = await c.client.get("nodes", undefined, "hb");
    const hb0 = first.status!.conditions!.find((x) => x.type === "Ready")!.lastHeartbeatTime!;
    const later = await waitFor("a newer heartbeat", async () => {
      const n = await c.client.get("nodes", undefined, "hb");
      return n.status!.conditions!.find((x) => x.type === "Ready")!.lastHeartbeatTime! > hb0 ? n : undefined;
    });
    // What the node lifecycle controller does when heartbeats stop.
    const conditions = later.status!.conditions!.map((x) => ({ ...x, status: "Unknown" as const, reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." }));
    await c.client.updateStatus("nodes", undefined, { ...later, status: { ...later.status, conditions } } as Node);
    const back = await waitFor("Ready again", async () => {
      const n = await c.client.get("nodes", undefined, "hb");
      const r = n.status!.conditions!.find((x) => x.type === "Ready")!;
      return r.status === "True" ? r : undefined;
    });
    expect(back.reason).toBe("KubeletReady");
  });

  it("adopts an existing node of the same name instead of failing", async () => {
    c = await minionCluster();
    await c.client.create("nodes", undefined, { apiVersion: "v1", kind: "Node", metadata: { name: "pre", labels: { keep: "me" } } });
    const m = await c.minion("pre");
    const n = await c.client.get("nodes", undefined, "pre");
    expect(n.metadata.labels).toMatchObject({ keep: "me", "kubernetes.io/hostname": "pre" });
    expect(n.spec?.podCIDR).toBe(m.podCIDR);
    expect(n.status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("True");
  });
});

describe("running pods", () => {
  it("takes a bound pod through ContainerCreating to Running with an IP and full statuses", async () => {
    c = await minionCluster(20);
    await c.minion("n1", { address: "10.0.0.9" });
    await runPod(c.client, "web", "n1", { annotations: { "sim.skiff.io/start-delay": "2s" } });
    const pending = await waitPod(c.client, "web", "ContainerCreating", (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ContainerCreating");
    expect(pending.status?.phase).toBe("Pending");
    expect(pending.status?.podIP).toBeUndefined();
    const pod = await waitPod(c.client, "web", "Running", (p) => p.status?.phase === "Running" && p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true);
    const st = pod.status!;
    expect(st.podIP).toMatch(/^10\.128\.0\.\d+$/);
    expect(st.podIPs).toEqual([{ ip: st.podIP }]);
    expect(st.hostIP).toBe("10.0.0.9");
    expect(st.hostIPs).toEqual([{ ip: "10.0.0.9" }]);
    expect(st.startTime).toMatch(/Z$/);
    expect(st.qosClass).toBe("BestEffort");
    const cs = st.containerStatuses![0]!;
    expect(cs).toMatchObject({ name: "app", ready: true, started: true, restartCount: 0, image: "docker.io/library/nginx:1.25", lastState: {} });
    expect(cs.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(cs.state?.running?.startedAt).toBeTruthy();
    expect(st.conditions!.map((x) => `${x.type}=${x.status}`)).toEqual([
      "PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True", "PodScheduled=True"]);
    for (const x of st.conditions!) expect(x.lastTransitionTime).toBeTruthy();
    const evs = await waitFor("pod events", async () => {
      const e = await events(c, "web");
      return e.length >= 4 ? e : undefined;
    });
    expect(evs.map((e) => e.reason)).toEqual(expect.arrayContaining(["Pulling", "Pulled", "Created", "Started"]));
    expect(evs.find((e) => e.reason === "Pulling")).toMatchObject({ message: 'Pulling image "nginx:1.25"', involvedObject: { kind: "Pod", fieldPath: "spec.containers{app}" } });
    expect(evs.find((e) => e.reason === "Started")?.message).toBe("Started container app");
  });

  it("gives pods distinct IPs and writes nothing once steady", async () => {
    c = await minionCluster();
    const m = await c.minion("n1");
    for (const n of ["p1", "p2", "p3"]) await runPod(c.client, n, "n1");
    const pods = await Promise.all(["p1", "p2", "p3"].map((n) => waitPod(c.client, n, "ready", (p) => p.status?.containerStatuses?.[0]?.ready === true)));
    expect(new Set(pods.map((p) => p.status!.podIP)).size).toBe(3);
    await m.idle();
    const rvs = (await c.client.list("pods", "default")).items.map((p) => p.metadata.resourceVersion);
    await new Promise((r) => setTimeout(r, 300));   // 15 simulated seconds: heartbeats, no pod writes
    expect((await c.client.list("pods", "default")).items.map((p) => p.metadata.resourceVersion)).toEqual(rvs);
  });

  it("confirms a graceful deletion after stopping the containers", async () => {
    c = await minionCluster();
    await c.minion("n1");
    await runPod(c.client, "gone", "n1");
    await waitPod(c.client, "gone", "running", (p) => p.status?.phase === "Running");
    const del = await c.client.delete("pods", "default", "gone");
    expect(del.metadata.deletionTimestamp).toBeTruthy();
    await waitFor("pod deleted", async () => {
      try { await c.client.get("pods", "default", "gone"); return false; } catch { return true; }
    });
    const evs = await waitFor("Killing event", async () => (await events(c, "gone")).find((e) => e.reason === "Killing"));
    expect(evs.message).toBe("Stopping container app");
  });

  it("a restarted minion adopts its pods: same IPs and containers, no duplicates", async () => {
    c = await minionCluster();
    const m = await c.minion("n1");
    for (const n of ["a1", "a2"]) await runPod(c.client, n, "n1");
    const before = await Promise.all(["a1", "a2"].map((n) => waitPod(c.client, n, "ready", (p) => p.status?.containerStatuses?.[0]?.ready === true)));
    await m.idle();
    await m.stop();
    c.minions.delete("n1");
    const m2 = await c.minion("n1");
    await runPod(c.client, "a3", "n1");
    const a3 = await waitPod(c.client, "a3", "ready", (p) => p.status?.containerStatuses?.[0]?.ready === true);
    await m2.idle();
    const after = await Promise.all(["a1", "a2"].map((n) => c.client.get("pods", "default", n)));
    for (let i = 0; i < 2; i++) {
      expect(after[i]!.status!.podIP).toBe(before[i]!.status!.podIP);
      expect(after[i]!.status!.containerStatuses![0]!.containerID).toBe(before[i]!.status!.containerStatuses![0]!.containerID);
      expect(after[i]!.status!.containerStatuses![0]!.restartCount).toBe(0);
    }
    expect([before[0]!.status!.podIP, before[1]!.status!.podIP]).not.toContain(a3.status!.podIP);
    const logs = await c.client.logs("default", "a1");
    expect(logs).toContain("nginx/1.25.0");
    // Nothing about the adopted pods was rewritten.
    expect(after.map((p) => p.metadata.resourceVersion)).toEqual(before.map((p) => p.metadata.resourceVersion));
  });
});
