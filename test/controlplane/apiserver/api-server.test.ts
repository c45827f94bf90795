// The resource handler end to end through handle(): CRUD, conflicts, validation, selectors, paging, patches, subresources, dry-run, tables, namespaces.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { pod, rc, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const PODS = "/api/v1/namespaces/default/pods";
const CMS = "/api/v1/namespaces/default/configmaps";
const cm = (name: string, data: Record<string, string> = { k: "v" }, labels?: Record<string, string>) =>
  ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, ...(labels ? { labels } : {}) }, data });

describe("bootstrap", () => {
  test("creates the built-in namespaces, Active with the kubernetes finalizer", async () => {
    const r = await h.call("GET", "/api/v1/namespaces");
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("NamespaceList");
    expect(r.body.items.map((n: any) => n.metadata.name)).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    const def = r.body.items[0];
    expect(def.kind).toBe("Namespace");
    expect(def.status.phase).toBe("Active");
    expect(def.spec.finalizers).toEqual(["kubernetes"]);
  });
});

describe("CRUD", () => {
  test("create, get, list, update, delete a pod", async () => {
    const created = await h.call("POST", PODS, { body: pod("web-1") });
    expect(created.status).toBe(201);
    expect(created.headers["content-type"]).toBe("application/json");
    const m = created.body.metadata;
    expect(created.body.kind).toBe("Pod");
    expect(created.body.apiVersion).toBe("v1");
    expect(m.namespace).toBe("default");
    expect(m.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(m.creationTimestamp).toBe("2024-05-01T12:00:00Z");
    expect(m.generation).toBe(1);
    expect(Number(m.resourceVersion)).toBeGreaterThan(0);
    expect(created.body.status.phase).toBe("Pending");

    const got = await h.call("GET", `${PODS}/web-1`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const list = await h.call("GET", PODS);
    expect(list.body.kind).toBe("PodList");
    expect(list.body.apiVersion).toBe("v1");
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].kind).toBe("Pod");
    expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(m.resourceVersion));

    const del = await h.call("DELETE", `${PODS}/web-1`);
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe("Pod");
    const gone = await h.call("GET", `${PODS}/web-1`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
      message: 'pods "web-1" not found', reason: "NotFound", details: { name: "web-1", kind: "pods" }, code: 404,
    });
  });

  test("an empty collection lists items: [] and a missing namespace is not an error", async () => {
    const r = await h.call("GET", "/api/v1/namespaces/nope/pods");
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });

  test("all-namespaces list and cluster-scoped objects", async () => {
    await h.call("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "team" } } });
    await h.call("POST", PODS, { body: pod("a") });
    await h.call("POST", "/api/v1/namespaces/team/pods", { body: pod("b") });
    const all = await h.call("GET", "/api/v1/pods");
    expect(all.body.items.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(["default/a", "team/b"]);
    const ns = await h.call("GET", "/api/v1/namespaces/team");
    expect(ns.body.metadata.labels["kubernetes.io/metadata.name"]).toBe("team");
    expect((await h.call("POST", "/api/v1/pods", { body: pod("c") })).status).toBe(405);
  });

  test("deleting a kind that does not return the object answers Status Success", async () => {
    await h.call("POST", CMS, { body: cm("c1") });
    const r = await h.call("DELETE", `${CMS}/c1`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ kind: "Status", status: "Success", details: { name: "c1", kind: "configmaps" } });
    expect(r.body.details.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test.each([
    ["unknown resource", "GET", "/api/v1/namespaces/default/widgets", 404, "the server could not find the requested resource"],
    ["unknown group", "GET", "/apis/nope.io/v1/things", 404, "the server could not find the requested resource"],
    ["namespaced kind by name without namespace", "GET", "/api/v1/pods/web", 404, "the server could not find the requested resource"],
    ["unknown subresource", "GET", "/api/v1/namespaces/default/pods/web/exec2", 404, "the server could not find the requested resource"],
  ])("%s → %i", async (_what, method, path, code, message) => {
    const r = await h.call(method as "GET", path);
    expect(r.status).toBe(code);
    expect(r.body.message).toBe(message);
    expect(r.body.kind).toBe("Status");
  });
});

describe("create checks", () => {
  test.each([
    ["namespace mismatch", PODS, { ...pod("x"), metadata: { name: "x", namespace: "other" } }, 400,
      "the namespace of the provided object does not match the namespace sent on the request"],
    ["kind mismatch", PODS, { ...cm("x") }, 400, 'ConfigMap in version "v1" cannot be handled as a Pod: no kind "ConfigMap" is registered for version "v1"'],
    ["apiVersion mismatch", PODS, { ...pod("x"), apiVersion: "apps/v1" }, 400,
      "the API version in the data (apps/v1) does not match the expected API version (v1)"],
    ["resourceVersion set", PODS, { ...pod("x"), metadata: { name: "x", resourceVersion: "5" } }, 400,
      "resourceVersion should not be set on objects to be created"],
    ["missing namespace", "/api/v1/namespaces/ghost/pods", pod("x"), 404, 'namespaces "ghost" not found'],
  ])("%s", async (_what, path, body, code, message) => {
    const r = await h.call("POST", path, { body });
    expect(r.status).toBe(code);
    expect(r.body.message).toBe(message);
  });

  test("malformed JSON is a 400 and an unknown Content-Type a 415", async () => {
    expect((await h.call("POST", PODS, { body: "{nope" })).status).toBe(400);
    const r = await h.call("POST", PODS, { body: JSON.stringify(pod("x")), headers: { "content-type": "application/cbor" } });
    expect(r.status).toBe(415);
    expect(r.body.reason).toBe("UnsupportedMediaType");
  });

  test("YAML bodies are accepted", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n";
    const r = await h.call("POST", CMS, { body: yaml, headers: { "content-type": "application/yaml" } });
    expect(r.status).toBe(201);
    expect(r.body.data).toEqual({ a: "b" });
  });

  test("a taken name is 409 AlreadyExists", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    const r = await h.call("POST", PODS, { body: pod("web") });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ reason: "AlreadyExists", message: 'pods "web" already exists', details: { name: "web", kind: "pods" } });
  });

  test("422 lists every field error", async () => {
    const bad = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-1" },
      spec: { restartPolicy: "Sometimes", containers: [{ name: "app" }, { name: "app", image: "x" }] } };
    const r = await h.call("POST", PODS, { body: bad });
    expect(r.status).toBe(422);
    expect(r.body.reason).toBe("Invalid");
    expect(r.body.details.kind).toBe("Pod");
    expect(r.body.details.name).toBe("web-1");
    const fields = r.body.details.causes.map((c: any) => c.field);
    expect(fields).toEqual(expect.arrayContaining(["spec.containers[0].image", "spec.containers[1].name", "spec.restartPolicy"]));
    expect(r.body.message).toMatch(/^Pod "web-1" is invalid: \[/);
    expect(r.body.message).toContain("spec.containers[0].image: Required value");
    expect(r.body.message).toContain('spec.containers[1].name: Duplicate value: "app"');
  });

  test("no name and no generateName is 422 on metadata.name", async () => {
    const r = await h.call("POST", CMS, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: {} } });
    expect(r.status).toBe(422);
    expect(r.body.details.causes).toContainEqual(expect.objectContaining({ field: "metadata.name", reason: "FieldValueRequired" }));
  });

  test("generateName appends 5 characters from the safe alphabet, base cut to 58", async () => {
    const a = await h.call("POST", PODS, { body: { ...pod(""), metadata: { generateName: "web-" } } });
    expect(a.status).toBe(201);
    expect(a.body.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const long = "x".repeat(70);
    const b = await h.call("POST", CMS, { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: long } } });
    expect(b.status).toBe(201);
    expect(b.body.metadata.name).toHaveLength(63);
    expect(b.body.metadata.name.startsWith("x".repeat(58))).toBe(true);
  });
});

describe("update", () => {
  test("stale resourceVersion → 409 Conflict; empty → unconditional; no-op keeps the RV", async () => {
    const c = (await h.call("POST", CMS, { body: cm("c") })).body;
    const u1 = await h.call("PUT", `${CMS}/c`, { body: { ...c, data: { k: "v2" } } });
    expect(u1.status).toBe(200);
    expect(u1.body.data).toEqual({ k: "v2" });
    expect(u1.body.metadata.uid).toBe(c.metadata.uid);
    expect(u1.body.metadata.creationTimestamp).toBe(c.metadata.creationTimestamp);
    expect(Number(u1.body.metadata.resourceVersion)).toBeGreaterThan(Number(c.metadata.resourceVersion));

    const stale = await h.call("PUT", `${CMS}/c`, { body: { ...c, data: { k: "v3" } } });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: "Conflict",
      message: 'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
    });

    const { resourceVersion: _rv, ...meta } = c.metadata;
    const blind = await h.call("PUT", `${CMS}/c`, { body: { ...c, metadata: meta, data: { k: "v4" } } });
    expect(blind.status).toBe(200);
    expect(blind.body.data).toEqual({ k: "v4" });

    const same = await h.call("PUT", `${CMS}/c`, { body: blind.body });
    expect(same.status).toBe(200);
    expect(same.body.metadata.resourceVersion).toBe(blind.body.metadata.resourceVersion);
  });

  test("concurrent unconditional writes to one object all land", async () => {
    await h.call("POST", CMS, { body: cm("c", {}) });
    const keys = ["a", "b", "c", "d", "e", "f"];
    const replies = await Promise.all(keys.map((k) =>
      h.call("PATCH", `${CMS}/c`, { body: { data: { [k]: "1" } }, headers: { "content-type": "application/merge-patch+json" } })));
    expect(replies.map((r) => r.status)).toEqual(keys.map(() => 200));
    expect(Object.keys((await h.call("GET", `${CMS}/c`)).body.data).sort()).toEqual(keys);
  });

  test("name mismatch is 400, missing object is 404, createOnUpdate kinds create (201)", async () => {
    await h.call("POST", CMS, { body: cm("c") });
    const mismatch = await h.call("PUT", `${CMS}/c`, { body: cm("d") });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toBe("the name of the object (d) does not match the name on the URL (c)");
    expect((await h.call("PUT", `${CMS}/zz`, { body: cm("zz") })).status).toBe(404);
    const ep = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "svc" }, subsets: [] };
    const r = await h.call("PUT", "/api/v1/namespaces/default/endpoints/svc", { body: ep });
    expect(r.status).toBe(201);
    expect(r.body.metadata.uid).toBeTruthy();
  });

  test("the main resource keeps the stored status; /status takes only status", async () => {
    const p = (await h.call("POST", PODS, { body: pod("web") })).body;
    const withStatus = await h.call("PUT", `${PODS}/web/status`, {
      body: { ...p, spec: { ...p.spec, nodeName: "sneaky" }, status: { ...p.status, phase: "Running" } },
    });
    expect(withStatus.status).toBe(200);
    expect(withStatus.body.status.phase).toBe("Running");
    expect(withStatus.body.spec.nodeName).toBeUndefined();
    expect(withStatus.body.metadata.generation).toBe(1);
    const main = await h.call("PUT", `${PODS}/web`, { body: { ...withStatus.body, status: { phase: "Failed" } } });
    expect(main.status).toBe(200);
    expect(main.body.status.phase).toBe("Running");
    const got = await h.call("GET", `${PODS}/web/status`);
    expect(got.body.status.phase).toBe("Running");
  });
});

describe("patch", () => {
  test("merge patch sets and removes labels", async () => {
    await h.call("POST", CMS, { body: cm("c", { k: "v" }, { a: "1", b: "2" }) });
    const r = await h.call("PATCH", `${CMS}/c`, {
      body: { metadata: { labels: { a: "9", b: null } } }, headers: { "content-type": "application/merge-patch+json" },
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata.labels).toEqual({ a: "9" });
  });

  test("json patch, and a failing test op is 422", async () => {
    await h.call("POST", CMS, { body: cm("c") });
    const ok = await h.call("PATCH", `${CMS}/c`, {
      body: [{ op: "add", path: "/data/x", value: "y" }], headers: { "content-type": "application/json-patch+json" },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ k: "v", x: "y" });
    const bad = await h.call("PATCH", `${CMS}/c`, {
      body: [{ op: "test", path: "/data/x", value: "nope" }], headers: { "content-type": "application/json-patch+json" },
    });
    expect(bad.status).toBe(422);
  });

  test("strategic merge patch merges containers by name", async () => {
    await h.call("POST", PODS, { body: { ...pod("web"), spec: { containers: [{ name: "app", image: "nginx:1.25" }, { name: "side", image: "busybox:1" }] } } });
    const r = await h.call("PATCH", `${PODS}/web`, {
      body: { spec: { containers: [{ name: "side", image: "busybox:2" }] } }, headers: { "content-type": "application/strategic-merge-patch+json" },
    });
    expect(r.status).toBe(200);
    expect(r.body.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(["app=nginx:1.25", "side=busybox:2"]);
  });

  test("a patch carrying a different resourceVersion is 409; unknown patch type 415; missing object 404", async () => {
    await h.call("POST", CMS, { body: cm("c") });
    const stale = await h.call("PATCH", `${CMS}/c`, {
      body: { metadata: { resourceVersion: "1", labels: { a: "b" } } }, headers: { "content-type": "application/merge-patch+json" },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("Conflict");
    const weird = await h.call("PATCH", `${CMS}/c`, { body: {}, headers: { "content-type": "application/json" } });
    expect(weird.status).toBe(415);
    const missing = await h.call("PATCH", `${CMS}/nope`, { body: {}, headers: { "content-type": "application/merge-patch+json" } });
    expect(missing.status).toBe(404);
  });

  test("server-side apply creates when missing (201), merges otherwise, and needs a fieldManager", async () => {
    const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: \"1\"\n";
    const headers = { "content-type": "application/apply-patch+yaml" };
    const noManager = await h.call("PATCH", `${CMS}/applied`, { body: yaml, headers });
    expect(noManager.status).toBe(400);
    const created = await h.call("PATCH", `${CMS}/applied`, { body: yaml, headers, query: { fieldManager: "kubectl", force: "true" } });
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ a: "1" });
    const again = await h.call("PATCH", `${CMS}/applied`, { body: yaml.replace('"1"', '"2"'), headers, query: { fieldManager: "kubectl" } });
    expect(again.status).toBe(200);
    expect(again.body.data).toEqual({ a: "2" });
  });
});

describe("selectors and pagination", () => {
  beforeEach(async () => {
    await h.call("POST", PODS, { body: pod("a", { labels: { app: "web", tier: "fe" } }) });
    await h.call("POST", PODS, { body: pod("b", { labels: { app: "web" } }) });
    await h.call("POST", PODS, { body: pod("c", { labels: { app: "db" } }) });
    await h.call("POST", `${PODS}/b/binding`, { body: { apiVersion: "v1", kind: "Binding", metadata: { name: "b" }, target: { kind: "Node", name: "n1" } } });
  });

  test.each([
    [{ labelSelector: "app=web" }, ["a", "b"]],
    [{ labelSelector: "app in (web,db),!tier" }, ["b", "c"]],
    [{ fieldSelector: "metadata.name=c" }, ["c"]],
    [{ fieldSelector: "spec.nodeName=" }, ["a", "c"]],
    [{ fieldSelector: "spec.nodeName=n1,metadata.namespace=default" }, ["b"]],
    [{ labelSelector: "app=web", fieldSelector: "status.phase=Pending,metadata.name!=a" }, ["b"]],
  ])("%o", async (query, names) => {
    const r = await h.call("GET", PODS, { query });
    expect(r.status).toBe(200);
    expect(r.body.items.map((p: any) => p.metadata.name)).toEqual(names);
  });

  test.each([
    [PODS, { fieldSelector: "foo=bar" }, "field label not supported: foo"],
    [CMS, { fieldSelector: "data.k=v" }, '"data.k" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    [PODS, { labelSelector: "app in web" }, undefined],
  ])("bad selector on %s %o → 400", async (path, query, message) => {
    const r = await h.call("GET", path, { query });
    expect(r.status).toBe(400);
    expect(r.body.reason).toBe("BadRequest");
    if (message) expect(r.body.message).toBe(message);
  });

  test("limit + continue walk every item at one resourceVersion", async () => {
    for (const n of ["d", "e"]) await h.call("POST", PODS, { body: pod(n) });
    const first = await h.call("GET", PODS, { query: { limit: "2" } });
    expect(first.body.items.map((p: any) => p.metadata.name)).toEqual(["a", "b"]);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const rv = first.body.metadata.resourceVersion;
    await h.call("POST", CMS, { body: cm("unrelated") });
    const second = await h.call("GET", PODS, { query: { limit: "2", continue: first.body.metadata.continue } });
    expect(second.body.items.map((p: any) => p.metadata.name)).toEqual(["c", "d"]);
    expect(second.body.metadata.resourceVersion).toBe(rv);
    const third = await h.call("GET", PODS, { query: { limit: "2", continue: second.body.metadata.continue } });
    expect(third.body.items.map((p: any) => p.metadata.name)).toEqual(["e"]);
    expect(third.body.metadata.continue).toBeUndefined();
    const bad = await h.call("GET", PODS, { query: { continue: "garbage" } });
    expect(bad.status).toBe(400);
  });
});

describe("delete", () => {
  test("a bound pod is deleted gracefully; grace 0 then removes it", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    await h.call("POST", `${PODS}/web/binding`, { body: { apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { name: "n1" } } });
    const first = await h.call("DELETE", `${PODS}/web`);
    expect(first.status).toBe(200);
    expect(first.body.metadata.deletionTimestamp).toBe("2024-05-01T12:00:30Z");
    expect(first.body.metadata.deletionGracePeriodSeconds).toBe(30);
    expect((await h.call("GET", `${PODS}/web`)).status).toBe(200);
    const force = await h.call("DELETE", `${PODS}/web`, { query: { gracePeriodSeconds: "0" } });
    expect(force.status).toBe(200);
    expect((await h.call("GET", `${PODS}/web`)).status).toBe(404);
  });

  test("finalizers keep an object until an update empties them", async () => {
    await h.call("POST", CMS, { body: { ...cm("f"), metadata: { name: "f", finalizers: ["example.com/hold"] } } });
    const del = await h.call("DELETE", `${CMS}/f`);
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe("ConfigMap");
    expect(del.body.metadata.deletionTimestamp).toBe("2024-05-01T12:00:00Z");
    const cur = (await h.call("GET", `${CMS}/f`)).body;
    const addMore = await h.call("PUT", `${CMS}/f`, { body: { ...cur, metadata: { ...cur.metadata, finalizers: ["example.com/hold", "x.io/more"] } } });
    expect(addMore.status).toBe(422);
    const release = await h.call("PUT", `${CMS}/f`, { body: { ...cur, metadata: { ...cur.metadata, finalizers: [] } } });
    expect(release.status).toBe(200);
    expect((await h.call("GET", `${CMS}/f`)).status).toBe(404);
  });

  test("preconditions and DeleteOptions bodies", async () => {
    const c = (await h.call("POST", CMS, { body: cm("c") })).body;
    const badUid = await h.call("DELETE", `${CMS}/c`, { body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: "nope" } } });
    expect(badUid.status).toBe(409);
    expect(badUid.body.message).toBe(`Operation cannot be fulfilled on configmaps "c": Precondition failed: UID in precondition: nope, UID in object meta: ${c.metadata.uid}`);
    const badRv = await h.call("DELETE", `${CMS}/c`, { body: { preconditions: { resourceVersion: "1" } } });
    expect(badRv.status).toBe(409);
    const badPolicy = await h.call("DELETE", `${CMS}/c`, { query: { propagationPolicy: "Sometimes" } });
    expect(badPolicy.status).toBe(422);
    const ok = await h.call("DELETE", `${CMS}/c`, { body: { preconditions: { uid: c.metadata.uid, resourceVersion: c.metadata.resourceVersion }, propagationPolicy: "Background" } });
    expect(ok.status).toBe(200);
  });

  test("deletecollection honours selectors", async () => {
    await h.call("POST", CMS, { body: cm("a", {}, { group: "x" }) });
    await h.call("POST", CMS, { body: cm("b", {}, { group: "x" }) });
    await h.call("POST", CMS, { body: cm("c", {}, { group: "y" }) });
    const r = await h.call("DELETE", CMS, { query: { labelSelector: "group=x" } });
    expect(r.status).toBe(200);
    expect(r.body.kind).toBe("ConfigMapList");
    expect(r.body.items.map((o: any) => o.metadata.name)).toEqual(["a", "b"]);
    expect((await h.call("GET", CMS)).body.items.map((o: any) => o.metadata.name)).toEqual(["c"]);
  });
});

describe("dryRun", () => {
  test("runs the pipeline and persists nothing", async () => {
    const rev = h.store.rev();
    const created = await h.call("POST", PODS, { body: pod("dry"), query: { dryRun: "All" } });
    expect(created.status).toBe(201);
    expect(created.body.status.phase).toBe("Pending");
    expect(created.body.metadata.uid).toBeTruthy();
    expect((await h.call("GET", `${PODS}/dry`)).status).toBe(404);
    const invalid = await h.call("POST", PODS, { body: { ...pod("dry"), spec: { containers: [] } }, query: { dryRun: "All" } });
    expect(invalid.status).toBe(422);
    await h.call("POST", CMS, { body: cm("c") });
    const rev2 = h.store.rev();
    const upd = await h.call("PATCH", `${CMS}/c`, { body: { data: { k: "dry" } }, headers: { "content-type": "application/merge-patch+json" }, query: { dryRun: "All" } });
    expect(upd.body.data).toEqual({ k: "dry" });
    const del = await h.call("DELETE", `${CMS}/c`, { query: { dryRun: "All" } });
    expect(del.status).toBe(200);
    expect(h.store.rev()).toBe(rev2);
    expect((await h.call("GET", `${CMS}/c`)).body.data).toEqual({ k: "v" });
    expect(rev2).toBe(rev + 1);
    const bad = await h.call("POST", CMS, { body: cm("d"), query: { dryRun: "Sometimes" } });
    expect(bad.status).toBe(400);
  });

  test("fieldValidation directives accept valid objects", async () => {
    for (const fv of ["Strict", "Warn", "Ignore"]) {
      expect((await h.call("POST", CMS, { body: cm(`fv-${fv.toLowerCase()}`), query: { fieldValidation: fv } })).status).toBe(201);
    }
    expect((await h.call("POST", CMS, { body: cm("fv-x"), query: { fieldValidation: "Loud" } })).status).toBe(400);
  });
});

describe("subresources", () => {
  test("scale: GET builds an autoscaling/v1 Scale; PUT and PATCH change spec.replicas only", async () => {
    const RCS = "/api/v1/namespaces/default/replicationcontrollers";
    const made = await h.call("POST", RCS, { body: rc("web", 2, { tier: "fe", app: "web" }) });
    expect(made.status).toBe(201);
    const s = await h.call("GET", `${RCS}/web/scale`);
    expect(s.status).toBe(200);
    expect(s.body).toEqual({
      kind: "Scale", apiVersion: "autoscaling/v1",
      metadata: { name: "web", namespace: "default", uid: made.body.metadata.uid, resourceVersion: made.body.metadata.resourceVersion, creationTimestamp: "2024-05-01T12:00:00Z" },
      spec: { replicas: 2 }, status: { replicas: 0, selector: "app=web,tier=fe" },
    });
    const put = await h.call("PUT", `${RCS}/web/scale`, { body: { ...s.body, spec: { replicas: 5 } } });
    expect(put.status).toBe(200);
    expect(put.body.spec.replicas).toBe(5);
    const stale = await h.call("PUT", `${RCS}/web/scale`, { body: { ...s.body, spec: { replicas: 6 } } });
    expect(stale.status).toBe(409);
    const patched = await h.call("PATCH", `${RCS}/web/scale`, { body: { spec: { replicas: 1 } }, headers: { "content-type": "application/merge-patch+json" } });
    expect(patched.status).toBe(200);
    expect(patched.body.spec.replicas).toBe(1);
    const negative = await h.call("PATCH", `${RCS}/web/scale`, { body: { spec: { replicas: -1 } }, headers: { "content-type": "application/merge-patch+json" } });
    expect(negative.status).toBe(422);
    expect(negative.body.message).toBe('Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const obj = (await h.call("GET", `${RCS}/web`)).body;
    expect(obj.spec.replicas).toBe(1);
    expect(obj.metadata.generation).toBe(3);
    expect((await h.call("GET", `${PODS}/x/scale`)).status).toBe(404);
  });

  test("binding sets nodeName and PodScheduled, once", async () => {
    await h.call("POST", PODS, { body: pod("web") });
    const binding = { apiVersion: "v1", kind: "Binding", metadata: { name: "web" }, target: { apiVersion: "v1", kind: "Node", name: "node-1" } };
    const r = await h.call("POST", `${PODS}/web/binding`, { body: binding });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 });
    const p = (await h.call("GET", `${PODS}/web`)).body;
    expect(p.spec.nodeName).toBe("node-1");
    expect(p.status.conditions).toContainEqual({ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: "2024-05-01T12:00:00Z" });
    const again = await h.call("POST", `${PODS}/web/binding`, { body: { ...binding, target: { name: "node-2" } } });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Operation cannot be fulfilled on pods/binding "web": pod web is already assigned to node "node-1"');
    const missing = await h.call("POST", `${PODS}/ghost/binding`, { body: { ...binding, metadata: { name: "ghost" } } });
    expect(missing.status).toBe(404);
  });

  test("log: waiting container → 400; running → the log source's text", async () => {
    await h.close();
    h = await startHarness({ logSource: async (req) => `hello from ${req.container}\n` });
    await h.call("POST", PODS, { body: { ...pod("web"), spec: { containers: [{ name: "app", image: "x:1" }, { name: "side", image: "y:1" }] } } });
    const noContainer = await h.call("GET", `${PODS}/web/log`);
    expect(noContainer.status).toBe(400);
    expect(noContainer.body.message).toBe("a container name must be specified for pod web, choose one of: [app side]");
    const unknown = await h.call("GET", `${PODS}/web/log`, { query: { container: "foo" } });
    expect(unknown.body.message).toBe("container foo is not valid for pod web");
    const waiting = await h.call("GET", `${PODS}/web/log`, { query: { container: "app" } });
    expect(waiting.status).toBe(400);
    expect(waiting.body.message).toBe('container "app" in pod "web" is waiting to start: ContainerCreating');
    const p = (await h.call("GET", `${PODS}/web`)).body;
    await h.call("PUT", `${PODS}/web/status`, { body: { ...p, status: { phase: "Running", containerStatuses: [
      { name: "app", image: "x:1", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: "2024-05-01T12:00:00Z" } } },
    ] } } });
    const ok = await h.call("GET", `${PODS}/web/log`, { query: { container: "app" } });
    expect(ok.status).toBe(200);
    expect(ok.headers["content-type"]).toBe("text/plain");
    expect(ok.text).toBe("hello from app\n");
    const prev = await h.call("GET", `${PODS}/web/log`, { query: { container: "app", previous: "true" } });
    expect(prev.body.message).toBe('previous terminated container "app" in pod "web" not found');
  });
});

describe("Table output", () => {
  const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

  test("list and get as Table, with includeObject variants", async () => {
    await h.call("POST", PODS, { body: pod("web", { labels: { app: "web" } }) });
    h.setNow("2024-05-01T12:05:00Z");
    const list = await h.call("GET", PODS, { headers: { accept: TABLE } });
    expect(list.status).toBe(200);
    const t = list.body;
    expect(t.kind).toBe("Table");
    expect(t.apiVersion).toBe("meta.k8s.io/v1");
    expect(t.metadata.resourceVersion).toBeTruthy();
    expect(t.columnDefinitions[0]).toMatchObject({ name: "Name", type: "string", format: "name", priority: 0 });
    for (const c of t.columnDefinitions) expect(Object.keys(c).sort()).toEqual(["description", "format", "name", "priority", "type"]);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].cells).toHaveLength(t.columnDefinitions.length);
    expect(t.rows[0].cells[0]).toBe("web");
    expect(t.rows[0].object).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: expect.objectContaining({ name: "web", labels: { app: "web" } }) });

    const full = await h.call("GET", PODS, { headers: { accept: TABLE }, query: { includeObject: "Object" } });
    expect(full.body.rows[0].object.kind).toBe("Pod");
    expect(full.body.rows[0].object.spec.containers).toHaveLength(1);
    const none = await h.call("GET", `${PODS}/web`, { headers: { accept: TABLE }, query: { includeObject: "None" } });
    expect(none.body.kind).toBe("Table");
    expect(none.body.rows[0].object).toBeUndefined();

    const empty = await h.call("GET", "/api/v1/namespaces/kube-system/pods", { headers: { accept: TABLE } });
    expect(empty.body.rows).toEqual([]);
    expect(empty.body.columnDefinitions.length).toBeGreaterThan(0);
  });

  test("Accept negotiation: YAML, metadata-only lists, 406", async () => {
    await h.call("POST", CMS, { body: cm("c") });
    const yaml = await h.call("GET", `${CMS}/c`, { headers: { accept: "application/yaml" } });
    expect(yaml.headers["content-type"]).toBe("application/yaml");
    expect(yaml.text).toContain("kind: ConfigMap");
    const meta = await h.call("GET", CMS, { headers: { accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1" } });
    expect(meta.body.kind).toBe("PartialObjectMetadataList");
    expect(meta.body.items[0]).toEqual({ kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: expect.objectContaining({ name: "c" }) });
    const proto = await h.call("GET", CMS, { headers: { accept: "application/vnd.kubernetes.protobuf" } });
    expect(proto.status).toBe(406);
  });
});

describe("namespaces", () => {
  test("deleting a namespace terminates it, purges its content, then removes it", async () => {
    await h.call("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "doomed" } } });
    const NS = "/api/v1/namespaces/doomed";
    await h.call("POST", `${NS}/pods`, { body: pod("p1") });
    await h.call("POST", `${NS}/pods`, { body: pod("p2") });
    await h.call("POST", `${NS}/configmaps`, { body: { ...cm("held"), metadata: { name: "held", finalizers: ["example.com/hold"] } } });
    await h.call("POST", CMS, { body: cm("survivor") });

    const del = await h.call("DELETE", NS);
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe("Namespace");
    expect(del.body.status.phase).toBe("Terminating");
    expect(del.body.metadata.deletionTimestamp).toBe("2024-05-01T12:00:00Z");

    const again = await h.call("DELETE", NS);
    expect(again.status).toBe(409);
    const blocked = await h.call("POST", `${NS}/pods`, { body: pod("late") });
    expect(blocked.status).toBe(403);
    expect(blocked.body.message).toBe('pods "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');

    await expect.poll(async () => (await h.call("GET", `${NS}/pods`)).body.items.length).toBe(0);
    // The held configmap lingers with a deletionTimestamp, and so does the namespace.
    const held = await h.call("GET", `${NS}/configmaps/held`);
    expect(held.body.metadata.deletionTimestamp).toBeTruthy();
    expect((await h.call("GET", NS)).status).toBe(200);
    const release = await h.call("PATCH", `${NS}/configmaps/held`, {
      body: { metadata: { finalizers: null } }, headers: { "content-type": "application/merge-patch+json" },
    });
    expect(release.status).toBe(200);
    await expect.poll(async () => (await h.call("GET", NS)).status).toBe(404);
    expect((await h.call("GET", `${CMS}/survivor`)).status).toBe(200);
  });

  test("default and kube-system may not be deleted", async () => {
    for (const name of ["default", "kube-system"]) {
      const r = await h.call("DELETE", `/api/v1/namespaces/${name}`);
      expect(r.status).toBe(403);
      expect(r.body.message).toBe(`namespaces "${name}" is forbidden: this namespace may not be deleted`);
    }
  });

  test("a namespace left terminating is purged after a restart", async () => {
    await h.call("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "left" } } });
    await h.call("POST", "/api/v1/namespaces/left/configmaps", { body: cm("c") });
    // Mark it terminating behind the server's back, as a crash mid-deletion would leave it.
    h.server.close();
    const ns = h.store.get("/namespaces/left")!;
    await h.store.update("/namespaces/left", { ...ns, metadata: { ...ns.metadata, deletionTimestamp: "2024-05-01T12:00:00Z" }, status: { phase: "Terminating" } });
    const { createApiServer } = await import("../../../src/controlplane/apiserver/api-server.ts");
    const second = createApiServer({ store: h.store, clock: { now: () => new Date("2024-05-01T12:00:00Z") }, random: Math.random });
    try {
      await second.ready;
      await expect.poll(() => h.store.get("/namespaces/left")).toBeUndefined();
      expect(h.store.get("/configmaps/left/c")).toBeUndefined();
    } finally {
      second.close();
    }
  });

  test("finalize replaces spec.finalizers", async () => {
    await h.call("POST", "/api/v1/namespaces", { body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "fin" } } });
    const ns = (await h.call("GET", "/api/v1/namespaces/fin")).body;
    const r = await h.call("PUT", "/api/v1/namespaces/fin/finalize", { body: { ...ns, spec: { finalizers: [] } } });
    expect(r.status).toBe(200);
    expect(r.body.spec.finalizers).toEqual([]);
  });
});
