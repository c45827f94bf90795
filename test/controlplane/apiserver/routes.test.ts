// Path parsing against the resource table, and Accept/Content-Type negotiation.
import { describe, expect, test } from "vitest";
import { negotiate, patchTypeOf } from "../../../src/controlplane/apiserver/content.ts";
import { isResourcePath, parseResourcePath } from "../../../src/controlplane/apiserver/routes.ts";

describe("parseResourcePath", () => {
  test.each([
    ["/api/v1/namespaces/default/pods", { resource: "pods", namespace: "default" }],
    ["/api/v1/namespaces/default/pods/web-1", { resource: "pods", namespace: "default", name: "web-1" }],
    ["/api/v1/namespaces/default/pods/web-1/status", { resource: "pods", namespace: "default", name: "web-1", subresource: "status" }],
    ["/api/v1/namespaces/default/pods/web-1/log", { resource: "pods", namespace: "default", name: "web-1", subresource: "log" }],
    ["/api/v1/pods", { resource: "pods" }],
    ["/api/v1/nodes/minion-1", { resource: "nodes", name: "minion-1" }],
    ["/api/v1/nodes/minion-1/status", { resource: "nodes", name: "minion-1", subresource: "status" }],
    ["/api/v1/namespaces", { resource: "namespaces" }],
    ["/api/v1/namespaces/team", { resource: "namespaces", name: "team" }],
    ["/api/v1/namespaces/team/finalize", { resource: "namespaces", name: "team", subresource: "finalize" }],
    ["/api/v1/namespaces/default/replicationcontrollers/web/scale", { resource: "replicationcontrollers", namespace: "default", name: "web", subresource: "scale" }],
    ["/api/v1/watch/namespaces/default/pods", { resource: "pods", namespace: "default", watchPrefix: true }],
    ["/api/v1/watch/pods", { resource: "pods", watchPrefix: true }],
  ])("%s", (path, want) => {
    const r = parseResourcePath(path);
    expect(r).toBeDefined();
    const { info: _info, ...rest } = r!;
    expect(rest).toEqual({ watchPrefix: false, ...want });
  });

  test.each([
    "/api", "/api/v1", "/apis", "/apis/apps/v1", "/api/v2/pods", "/api/v1/widgets", "/api/v1/pods/web",
    "/api/v1/namespaces/default/pods/web/bogus", "/api/v1/namespaces/default/configmaps/c/status",
    "/api/v1/watch/namespaces/default/pods/web/status", "/api/v1/namespaces/default/pods/a/b/c", "/healthz", "/version",
  ])("%s is not a resource path", (path) => {
    expect(isResourcePath(path)).toBe(false);
  });
});

describe("negotiation", () => {
  test.each([
    [undefined, "json"],
    ["application/json", "json"],
    ["*/*", "json"],
    ["application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", "table"],
    ["application/json;as=Table;v=v1beta1;g=meta.k8s.io", "table"],
    ["application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", "metadata"],
    ["application/vnd.kubernetes.protobuf,application/json", "json"],
    ["application/yaml", "yaml"],
    ["application/json;as=Table;v=v1;g=other.io,application/json", "json"],
  ])("Accept %s → %s", (accept, output) => {
    expect(negotiate(accept).output).toBe(output);
  });

  test("an unsatisfiable Accept is 406", () => {
    expect(() => negotiate("application/vnd.kubernetes.protobuf")).toThrow(expect.objectContaining({ code: 406 }));
  });

  test.each([
    ["application/json-patch+json", "json"],
    ["application/merge-patch+json; charset=utf-8", "merge"],
    ["application/strategic-merge-patch+json", "strategic"],
    ["application/apply-patch+yaml", "apply"],
  ])("patch type %s", (ct, type) => {
    expect(patchTypeOf(ct)).toBe(type);
  });

  test("an unknown patch type is 415", () => {
    expect(() => patchTypeOf("application/json")).toThrow(expect.objectContaining({ code: 415 }));
  });
});
