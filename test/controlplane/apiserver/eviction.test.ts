// pods/eviction: a policy/v1 Eviction deletes the pod (gracefully when bound), marks it DisruptionTarget, answers 201 Success.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startHarness, type Harness } from "./harness.ts";

const PODS = "/api/v1/namespaces/default/pods";
let h: Harness;
beforeEach(async () => { h = await startHarness(); });
afterEach(async () => { await h.close(); });

const pod = (name: string, nodeName?: string) => ({
  apiVersion: "v1", kind: "Pod", metadata: { name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "nginx" }] },
});
const eviction = (name: string, deleteOptions?: Record<string, unknown>) => ({
  apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" }, ...(deleteOptions ? { deleteOptions } : {}),
});
const SUCCESS = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 };

describe("pods/eviction", () => {
  test("an unbound pod goes at once; the answer is 201 with a Status Success", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    const r = await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web") });
    expect(r.status).toBe(201);
    expect(r.body).toEqual(SUCCESS);
    expect((await h.call("GET", `${PODS}/web`)).status).toBe(404);
  });

  test("a bound pod is deleted gracefully and marked DisruptionTarget; gracePeriodSeconds=0 deletes it at once", async () => {
    await h.call("POST", PODS, { body: pod("web", "node-1") });
    expect((await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web") })).status).toBe(201);
    const p = (await h.call("GET", `${PODS}/web`)).body;
    expect(p.metadata.deletionTimestamp).toBe("2024-05-01T12:00:30Z");
    expect(p.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(p.status.conditions).toContainEqual({
      type: "DisruptionTarget", status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T12:00:00Z",
      reason: "EvictionByEvictionAPI", message: "Eviction API: evicting",
    });
    expect((await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web", { gracePeriodSeconds: 0 }) })).body).toEqual(SUCCESS);
    expect((await h.call("GET", `${PODS}/web`)).status).toBe(404);
  });

  test("dry run (query or deleteOptions) changes nothing", async () => {
    await h.call("POST", PODS, { body: pod("web", "node-1") });
    const before = (await h.call("GET", `${PODS}/web`)).body;
    expect((await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web"), query: { dryRun: "All" } })).status).toBe(201);
    expect((await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web", { dryRun: ["All"], gracePeriodSeconds: 0 }) })).status).toBe(201);
    expect((await h.call("GET", `${PODS}/web`)).body).toEqual(before);
  });

  test("a failed precondition is a Conflict and leaves the pod unmarked", async () => {
    await h.call("POST", PODS, { body: pod("web", "node-1") });
    const r = await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web", { preconditions: { uid: "other" } }) });
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe("Conflict");
    const p = (await h.call("GET", `${PODS}/web`)).body;
    expect(p.metadata.deletionTimestamp).toBeUndefined();
    expect(p.status.conditions ?? []).not.toContainEqual(expect.objectContaining({ type: "DisruptionTarget" }));
    const rv = p.metadata.resourceVersion;
    expect((await h.call("POST", `${PODS}/web/eviction`, { body: eviction("web", { preconditions: { resourceVersion: rv } }) })).status).toBe(201);
  });

  test.each<[string, string, unknown, number, string]>([
    ["a missing pod", "ghost", eviction("ghost"), 404, "pods \"ghost\" not found"],
    ["a name that differs from the URL's", "web", eviction("other"), 400, "name in URL does not match name in Eviction object"],
    ["another namespace", "web", { ...eviction("web"), metadata: { name: "web", namespace: "kube-system" } }, 400,
      "the namespace of the provided object does not match the namespace sent on the request"],
    ["another kind", "web", { apiVersion: "v1", kind: "Binding", metadata: { name: "web" } }, 400,
      "Binding in version \"v1\" cannot be handled as a Eviction: no kind \"Binding\" is registered for version \"v1\""],
  ])("rejects %s", async (_name, url, body, code, message) => {
    await h.call("POST", PODS, { body: pod("web") });
    const r = await h.call("POST", `${PODS}/${url}/eviction`, { body });
    expect(r.status).toBe(code);
    expect(r.body.message).toBe(message);
  });

  test("only POST is allowed", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    expect((await h.call("GET", `${PODS}/web/eviction`)).status).toBe(405);
  });
});
