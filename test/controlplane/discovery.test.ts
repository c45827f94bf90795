// Discovery and OpenAPI documents: shapes kubectl and the Python client parse, generated from the resource table.
import { describe, expect, test } from "vitest";
import { RESOURCE_NAMES, infoOf } from "../../src/api/resources.ts";
import type { ApiRequest } from "../../src/client/transport.ts";
import { AGGREGATED_V2, SERVER_VERSION, serveDiscovery } from "../../src/controlplane/apiserver/discovery.ts";
import { OPENAPI_V2_PROTOBUF, serveOpenApi } from "../../src/controlplane/apiserver/openapi.ts";

const ctx = { serverAddress: "127.0.0.1:6443" };
const get = (path: string, accept?: string): ApiRequest => ({ method: "GET", path, headers: accept ? { accept } : {} });
const KUBECTL_DISCOVERY_ACCEPT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

function json(path: string, accept?: string): { status: number; type: string; body: any } {
  const r = serveDiscovery(get(path, accept), ctx) ?? serveOpenApi(get(path, accept));
  if (!r) throw new Error(`no response for ${path}`);
  return { status: r.status, type: r.headers["content-type"], body: JSON.parse(r.body ?? "") };
}

describe("legacy discovery", () => {
  test("/version reports 1.32 so the kubectl dispatcher picks kubectl 1.32", () => {
    const { body } = json("/version");
    expect(body).toMatchObject({ major: "1", minor: "32", gitTreeState: "clean", platform: "linux/amd64" });
    expect(body.gitVersion).toMatch(/^v1\.32\.\d+/);
    expect(body).toEqual(SERVER_VERSION);
  });

  test("/api lists v1 with serverAddressByClientCIDRs", () => {
    expect(json("/api", "application/json")).toEqual({
      status: 200, type: "application/json",
      body: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1:6443" }] },
    });
  });

  test("/apis is an APIGroupList with only named groups", () => {
    const { body } = json("/apis", "application/json");
    expect(body.kind).toBe("APIGroupList");
    const named = new Set(RESOURCE_NAMES.map((r) => infoOf(r).group).filter(Boolean));
    expect(body.groups.map((g: { name: string }) => g.name).sort()).toEqual([...named].sort());
  });

  test("/api/v1 has every core row with the fields the Python client requires", () => {
    const { body } = json("/api/v1/");
    expect(body).toMatchObject({ kind: "APIResourceList", groupVersion: "v1" });
    const byName = new Map<string, any>(body.resources.map((r: { name: string }) => [r.name, r]));
    for (const r of RESOURCE_NAMES.filter((x) => infoOf(x).group === "")) {
      const info = infoOf(r);
      const entry = byName.get(info.resource);
      expect(entry, info.resource).toMatchObject({ singularName: info.singular, namespaced: info.namespaced, kind: info.kind });
      expect(entry.verbs).toEqual(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]);
      expect(entry.shortNames ?? []).toEqual(info.short);
      for (const sub of info.subresources) expect(byName.has(`${info.resource}/${sub}`), `${info.resource}/${sub}`).toBe(true);
    }
    for (const entry of byName.values()) {
      for (const k of ["name", "singularName", "namespaced", "kind", "verbs"]) expect(entry, entry.name).toHaveProperty(k);
    }
  });

  test.each([
    ["pods", { kind: "Pod", namespaced: true, shortNames: ["po"], categories: ["all"], singularName: "pod" }],
    ["pods/binding", { kind: "Binding", verbs: ["create"], singularName: "" }],
    ["pods/eviction", { group: "policy", version: "v1", kind: "Eviction", verbs: ["create"], singularName: "" }],
    ["pods/log", { kind: "Pod", verbs: ["get"] }],
    ["pods/status", { kind: "Pod", verbs: ["get", "patch", "update"] }],
    ["replicationcontrollers/scale", { group: "autoscaling", version: "v1", kind: "Scale", verbs: ["get", "patch", "update"] }],
    ["namespaces/finalize", { kind: "Namespace", namespaced: false, verbs: ["update"] }],
    ["services", { shortNames: ["svc"], categories: ["all"] }],
    ["nodes", { namespaced: false, shortNames: ["no"] }],
  ])("/api/v1 entry %s", (name, want) => {
    const entry = json("/api/v1").body.resources.find((r: { name: string }) => r.name === name);
    expect(entry).toMatchObject(want);
    if (name === "pods/status") expect(entry.group).toBeUndefined();
  });

  test("paths that are not discovery fall through", () => {
    for (const p of ["/api/v2", "/apis/nope.example.com/v1", "/api/v1/pods", "/healthz"]) expect(serveDiscovery(get(p), ctx), p).toBeUndefined();
    expect(serveDiscovery({ method: "POST", path: "/api/v1" }, ctx)).toBeUndefined();
  });
});

describe("aggregated discovery", () => {
  test("kubectl's Accept gets APIGroupDiscoveryList with the exact content type", () => {
    const { type, body } = json("/api", KUBECTL_DISCOVERY_ACCEPT);
    expect(type).toBe(AGGREGATED_V2);
    expect(body).toMatchObject({ kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2" });
    expect(body.items).toHaveLength(1);
    expect(body.items[0].metadata.name).toBe("");
    const v1 = body.items[0].versions[0];
    expect(v1).toMatchObject({ version: "v1", freshness: "Current" });
    const pods = v1.resources.find((r: { resource: string }) => r.resource === "pods");
    expect(pods).toMatchObject({
      responseKind: { group: "", version: "v1", kind: "Pod" }, scope: "Namespaced", singularResource: "pod",
      shortNames: ["po"], categories: ["all"],
    });
    expect(pods.subresources).toContainEqual({ subresource: "log", responseKind: { group: "", version: "v1", kind: "Pod" }, verbs: ["get"] });
    const rc = v1.resources.find((r: { resource: string }) => r.resource === "replicationcontrollers");
    expect(rc.subresources).toContainEqual({ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: ["get", "patch", "update"] });
    expect(v1.resources.find((r: { resource: string }) => r.resource === "nodes").scope).toBe("Cluster");
  });

  test("parameter order and a profile parameter do not matter; /apis lists named groups", () => {
    const { type, body } = json("/apis", "application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io;profile=nopeer, application/json");
    expect(type).toBe(AGGREGATED_V2);
    expect(body.kind).toBe("APIGroupDiscoveryList");
    expect(body.items.every((i: { metadata: { name: string } }) => i.metadata.name !== "")).toBe(true);
  });

  test("plain JSON first means legacy", () => {
    expect(json("/api", `application/json, ${AGGREGATED_V2}`).body.kind).toBe("APIVersions");
    expect(json("/apis").body.kind).toBe("APIGroupList");
  });
});

describe("OpenAPI", () => {
  test("/openapi/v3 indexes every group-version with a hashed URL that serves the document", () => {
    const { body } = json("/openapi/v3");
    expect(body.paths["api/v1"].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const url = new URL(body.paths["api/v1"].serverRelativeURL, "https://x");
    const r = serveOpenApi({ method: "GET", path: url.pathname, query: { hash: url.searchParams.get("hash")! } });
    expect(r?.status).toBe(200);
    expect(r?.headers["cache-control"]).toContain("immutable");
  });

  test("every kind has a PATCH operation with its GVK and a fieldValidation parameter", () => {
    const doc = json("/openapi/v3/api/v1").body;
    expect(doc.openapi).toBe("3.0.0");
    for (const r of RESOURCE_NAMES.filter((x) => infoOf(x).group === "")) {
      const info = infoOf(r);
      const patches = Object.values(doc.paths as Record<string, any>).map((p) => p.patch).filter(Boolean)
        .filter((op) => op["x-kubernetes-group-version-kind"].kind === info.kind && op["x-kubernetes-group-version-kind"].group === "");
      expect(patches.length, info.kind).toBeGreaterThan(0);
      for (const op of patches) {
        expect(op.parameters.map((p: { name: string }) => p.name)).toContain("fieldValidation");
        expect(op.parameters.find((p: { name: string }) => p.name === "fieldValidation")).toMatchObject({ in: "query", schema: { type: "string" } });
      }
      const schema = Object.values(doc.components.schemas as Record<string, any>)
        .find((s) => s["x-kubernetes-group-version-kind"]?.[0]?.kind === info.kind);
      expect(schema, info.kind).toMatchObject({ type: "object" });
    }
    const item = doc.paths["/api/v1/namespaces/{namespace}/pods/{name}"];
    expect(item.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect(doc.paths["/api/v1/nodes/{name}"].patch["x-kubernetes-group-version-kind"].kind).toBe("Node");
  });

  test("an unknown group-version document falls through", () => {
    expect(serveOpenApi(get("/openapi/v3/apis/nope.example.com/v1"))).toBeUndefined();
    expect(serveOpenApi(get("/openapi/v3/api/v2"))).toBeUndefined();
  });

  test("/openapi/v2 as protobuf is a 200 with exactly the media type kubectl asks for; as JSON a swagger document", () => {
    const pb = serveOpenApi(get("/openapi/v2", `${OPENAPI_V2_PROTOBUF}, application/json`));
    expect(pb).toEqual({ status: 200, headers: { "content-type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" }, body: "" });
    const doc = json("/openapi/v2", `application/json, ${OPENAPI_V2_PROTOBUF}`).body;
    expect(doc.swagger).toBe("2.0");
    expect(doc.definitions["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
  });
});
