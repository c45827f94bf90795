import { afterEach, describe, expect, it } from "vitest";
import { parseCidr, pickPodCidr, IpPool } from "../../../src/controlplane/minion/ip-pool.ts";
import { testCluster, type TestCluster } from "../../helpers/test-cluster.ts";
import { waitFor } from "./harness.ts";

describe("IpPool and pickPodCidr", () => {
  it("hands out host addresses round-robin, never the network, gateway or broadcast", () => {
    const pool = new IpPool("10.128.3.0/29");
    expect(pool.capacity).toBe(5);
    const got = [pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate(), pool.allocate()];
    expect(got).toEqual(["10.128.3.2", "10.128.3.3", "10.128.3.4", "10.128.3.5", "10.128.3.6", undefined]);
    pool.release("10.128.3.3");
    expect(pool.allocate()).toBe("10.128.3.3");
    expect(pool.reserve("10.128.3.3")).toBe(false);
    expect(pool.reserve("10.128.4.3")).toBe(false);
  });

  it("reserved addresses are skipped", () => {
    const pool = new IpPool("10.0.0.0/24");
    expect(pool.reserve("10.0.0.2")).toBe(true);
    expect(pool.allocate()).toBe("10.0.0.3");
  });

  it.each([
    [[], "10.128.0.0/24"],
    [["10.128.0.0/24", "10.128.1.0/24"], "10.128.2.0/24"],
    [["10.128.0.0/23"], "10.128.2.0/24"],
    [["10.128.0.0/24", "fd00::/64", "junk"], "10.128.1.0/24"],
  ])("after %j picks %s", (taken, want) => expect(pickPodCidr(taken)).toBe(want));

  it("fails when the network is full", () => {
    expect(() => pickPodCidr(["10.128.0.0/14"])).toThrow("no free /24");
    expect(parseCidr("10.1.2.3/16")).toEqual({ base: (10 << 24) + (1 << 16), bits: 16 });
  });
});

let tc: TestCluster | undefined;
afterEach(async () => { await tc?.close(); tc = undefined; });

describe("skiff minion start", () => {
  it.each([
    ["minion start", "error: --name is required"],
    ["minion start --name Bad_Name", 'error: invalid minion name "Bad_Name"'],
    ["minion start --name n1 --cpu lots", 'error: invalid argument "lots" for "--cpu" flag'],
    ["minion start --name n1 --pods -3", "error: "],
    ["minion start --name n1 --labels zone", 'error: invalid label "zone": expected key=value'],
    ["minion start --name n1 --address nowhere", 'error: invalid argument "nowhere" for "--address" flag: must be an IP address'],
    ["minion start --name n1 --node-status-update-frequency 0s", 'error: invalid argument "0s" for "--node-status-update-frequency" flag: must be greater than 0'],
  ])("%s → usage error", async (line, msg) => {
    tc = await testCluster();
    const r = await tc.run(line);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(msg);
    expect((await tc.client.list("nodes", undefined)).items).toEqual([]);
  });

  it("registers the node, runs until stopped, and leaves the node registered", async () => {
    tc = await testCluster();
    const ac = new AbortController();
    const run = tc.run("minion start --name worker-1 --cpu 2 --memory 4Gi --pods 20 --labels zone=b,tier=web", { signal: ac.signal });
    const node = await waitFor("node worker-1", async () => {
      try { return await tc!.client.get("nodes", undefined, "worker-1"); } catch { return undefined; }
    });
    expect(node.metadata.labels).toMatchObject({ zone: "b", tier: "web", "kubernetes.io/hostname": "worker-1" });
    expect(node.status?.capacity).toMatchObject({ cpu: "2", memory: "4194304Ki", pods: "20" });
    ac.abort();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("minion worker-1 registered with https://127.0.0.1:6443 (pod CIDR 10.128.0.0/24)");
    expect(r.stderr).toContain("minion worker-1 stopped");
    expect((await tc.client.get("nodes", undefined, "worker-1")).metadata.name).toBe("worker-1");
  });
});
