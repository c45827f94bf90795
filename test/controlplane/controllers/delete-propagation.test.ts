// The API server's side of cascading deletion: which finalizers a DELETE leaves for the
// garbage collector, per propagationPolicy (no collector runs here).
import { afterEach, expect, test } from "vitest";
import type { ConfigMap, ReplicationController } from "../../../src/api/types.ts";
import { serverHarness, type ServerHarness } from "./harness.ts";

let h: ServerHarness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const rc: ReplicationController = { apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web" },
  spec: { replicas: 0, selector: { app: "web" }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } } };
const cm = (name: string): ConfigMap => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: {} });

test.each([
  ["Orphan", ["orphan"]],
  ["Foreground", ["foregroundDeletion"]],
])("%s leaves the object with its finalizer and a deletionTimestamp", async (policy, finalizers) => {
  h = await serverHarness();
  await h.seed(cm("a"));
  const res = await h.client.delete("configmaps", "default", "a", { propagationPolicy: policy as "Orphan" | "Foreground" });
  expect(res.metadata.finalizers).toEqual(finalizers);   // not gone: the object comes back
  const left = await h.client.get("configmaps", "default", "a");
  expect(left.metadata.finalizers).toEqual(finalizers);
  expect(left.metadata.deletionTimestamp).toBeTruthy();
  // A Background delete afterwards drops the finalizer and the object with it.
  await h.client.delete("configmaps", "default", "a", { propagationPolicy: "Background" });
  await expect(h.client.get("configmaps", "default", "a")).rejects.toThrow(/not found/);
});

test("Background (and no policy) deletes at once; a v1 replication controller orphans by default", async () => {
  h = await serverHarness();
  await h.seed(cm("b"), cm("c"), rc);
  await h.client.delete("configmaps", "default", "b", { propagationPolicy: "Background" });
  await h.client.delete("configmaps", "default", "c");
  expect((await h.client.list("configmaps", "default")).items.map((o) => o.metadata.name)).not.toContain("b");
  expect((await h.client.list("configmaps", "default")).items.map((o) => o.metadata.name)).not.toContain("c");
  await h.client.delete("replicationcontrollers", "default", "web");
  expect((await h.client.get("replicationcontrollers", "default", "web")).metadata.finalizers).toEqual(["orphan"]);
});
