// Cluster IP and node port allocation in the API server's service write path: unique, in
// range, freed on delete, and still correct after a restart over the same database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import type { Service } from "../../../src/api/types.ts";
import { serverHarness, type ServerHarness } from "./harness.ts";

let dir: string;
let h: ServerHarness | undefined;
beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "skiff-alloc-")); h = await serverHarness({ dir }); });
afterEach(async () => { await h?.close(); h = undefined; await rm(dir, { recursive: true, force: true }); });

const svc = (name: string, spec: Partial<Service["spec"]> = {}): Service => ({
  apiVersion: "v1", kind: "Service", metadata: { name }, spec: { ports: [{ port: 80 }], ...spec },
});

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try { await p; } catch (e) { const s = (e as { status: { code: number; message: string } }).status; return { code: s.code, message: s.message }; }
  throw new Error("expected a failure");
}

test("the kubernetes service holds 172.30.0.1 from the start", async () => {
  const k = await h!.client.get("services", "default", "kubernetes");
  expect(k.spec).toMatchObject({ type: "ClusterIP", clusterIP: "172.30.0.1", clusterIPs: ["172.30.0.1"],
    ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }] });
  expect(k.metadata.labels).toEqual({ component: "apiserver", provider: "kubernetes" });
});

test("cluster IPs are unique, requested ones are honoured once, headless gets none", async () => {
  const ips = new Set<string>(["172.30.0.1"]);
  for (let i = 0; i < 20; i++) {
    const s = await h!.client.create("services", "default", svc(`s${i}`));
    expect(s.spec.clusterIP).toMatch(/^172\.30\.\d+\.\d+$/);
    expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
    expect(ips.has(s.spec.clusterIP!)).toBe(false);
    ips.add(s.spec.clusterIP!);
  }
  const fixed = await h!.client.create("services", "default", svc("fixed", { clusterIP: "172.30.0.5" }));
  expect(fixed.spec.clusterIP).toBe("172.30.0.5");
  expect(await failure(h!.client.create("services", "default", svc("again", { clusterIP: "172.30.0.5" })))).toEqual({
    code: 422, message: 'Service "again" is invalid: spec.clusterIP: Invalid value: "172.30.0.5": provided IP is already allocated' });
  expect(await failure(h!.client.create("services", "default", svc("outside", { clusterIP: "10.0.0.5" })))).toEqual({
    code: 422, message: 'Service "outside" is invalid: spec.clusterIP: Invalid value: "10.0.0.5": provided IP is not in the valid range. The range of valid IPs is 172.30.0.0/16' });
  const headless = await h!.client.create("services", "default", svc("headless", { clusterIP: "None" }));
  expect(headless.spec.clusterIP).toBe("None");
  // A dry run takes nothing.
  await h!.client.create("services", "default", svc("dry", { clusterIP: "172.30.0.6" }), { dryRun: true });
  await h!.client.create("services", "default", svc("real", { clusterIP: "172.30.0.6" }));
  // Deleting frees the IP.
  await h!.client.delete("services", "default", "fixed");
  expect((await h!.client.create("services", "default", svc("reuse", { clusterIP: "172.30.0.5" }))).spec.clusterIP).toBe("172.30.0.5");
});

test("node ports: allocated per port for NodePort, unique, checked, released when the type changes", async () => {
  const a = await h!.client.create("services", "default", svc("a", { type: "NodePort", ports: [{ name: "x", port: 80 }, { name: "y", port: 81 }] }));
  const ports = a.spec.ports!.map((p) => p.nodePort!);
  for (const p of ports) expect(p).toBeGreaterThanOrEqual(30000);
  for (const p of ports) expect(p).toBeLessThanOrEqual(32767);
  expect(new Set(ports).size).toBe(2);
  expect(await failure(h!.client.create("services", "default", svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: ports[0] }] })))).toEqual({
    code: 422, message: `Service "b" is invalid: spec.ports[0].nodePort: Invalid value: ${ports[0]}: provided port is already allocated` });
  expect(await failure(h!.client.create("services", "default", svc("c", { type: "NodePort", ports: [{ port: 80, nodePort: 80 }] })))).toEqual({
    code: 422, message: 'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767' });
  // Back to ClusterIP: the node ports are free again.
  const cur = await h!.client.get("services", "default", "a");
  await h!.client.update("services", "default", { ...cur, spec: { ...cur.spec, type: "ClusterIP", externalTrafficPolicy: undefined,
    ports: cur.spec.ports!.map(({ nodePort: _n, ...p }) => p) } });
  const b = await h!.client.create("services", "default", svc("b", { type: "NodePort", ports: [{ port: 80, nodePort: ports[0] }] }));
  expect(b.spec.ports![0]!.nodePort).toBe(ports[0]);
});

test("allocations survive a restart of the API server", async () => {
  const a = await h!.client.create("services", "default", svc("a"));
  const np = await h!.client.create("services", "default", svc("np", { type: "NodePort" }));
  await h!.close();
  h = await serverHarness({ dir });
  expect(await failure(h.client.create("services", "default", svc("b", { clusterIP: a.spec.clusterIP })))).toMatchObject({ code: 422 });
  expect(await failure(h.client.create("services", "default", svc("c", { clusterIP: "172.30.0.1" })))).toMatchObject({ code: 422 });
  expect(await failure(h.client.create("services", "default", svc("d", { type: "NodePort", ports: [{ port: 80, nodePort: np.spec.ports![0]!.nodePort }] }))))
    .toMatchObject({ code: 422 });
  // Still exactly one kubernetes service.
  expect((await h.client.list("services", "default")).items.map((s) => s.metadata.name).sort()).toEqual(["a", "kubernetes", "np"]);
});
