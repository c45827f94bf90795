// The virtual rows over the in-process API server: projects and project requests over
// namespaces, imagestreamtags over image streams, OpenShift rolebindings over RBAC ones; plus the
// bootstrap's openshift image streams and `create -f` of legacy `apiVersion: v1` OpenShift kinds.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ApiError } from "../../src/api/errors.ts";
import { infoOf } from "../../src/api/resources.ts";
import type { ApiObject } from "../../src/api/types.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ openshift: true, now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return { code: e.status.code, message: e.status.message ?? "" };
    throw e;
  }
  throw new Error("expected a failure");
}

describe("projects", () => {
  test("a project request creates the namespace with annotations and answers with the Project", async () => {
    const p = await c.client.create("projectrequests", undefined, {
      apiVersion: "project.openshift.io/v1", kind: "ProjectRequest", metadata: { name: "demo" }, displayName: "Demo App", description: "d",
    } as ApiObject);
    expect(p).toMatchObject({ kind: "Project", apiVersion: "project.openshift.io/v1", metadata: { name: "demo" }, status: { phase: "Active" } });
    const ns = await c.client.get("namespaces", undefined, "demo");
    expect(ns.metadata.annotations).toEqual({ "openshift.io/display-name": "Demo App", "openshift.io/description": "d" });
    expect(await failure(c.client.create("projectrequests", undefined, { metadata: { name: "demo" } })))
      .toEqual({ code: 409, message: 'project.project.openshift.io "demo" already exists' });
    const probe = await c.client.raw({ method: "GET", path: "/apis/project.openshift.io/v1/projectrequests" });
    expect(JSON.parse(probe.body ?? "")).toMatchObject({ kind: "Status", status: "Success" });
  });

  test("get, list (with the table), delete map onto namespaces", async () => {
    await c.client.create("projectrequests", undefined, { metadata: { name: "demo" }, displayName: "Demo App" } as ApiObject);
    const list = await c.client.list("projects", undefined);
    expect(list.kind).toBe("ProjectList");
    expect(list.items.map((p) => p.metadata.name)).toEqual(["default", "demo", "kube-node-lease", "kube-public", "kube-system", "openshift"]);
    const got = await c.run("get projects demo");
    expect(got.stdout.split("\n")[1]?.split(/\s{2,}/)).toEqual(["demo", "Demo App", "Active"]);
    const del = await c.client.delete("projects", undefined, "demo");
    expect(del).toMatchObject({ kind: "Status", status: "Success" });
    expect((await c.client.get("namespaces", undefined, "demo")).status?.phase).toBe("Terminating");
    expect(await failure(c.client.get("projects", undefined, "nope"))).toEqual({ code: 404, message: 'projects.project.openshift.io "nope" not found' });
  });
});

describe("imagestreamtags", () => {
  test("the bootstrap's streams are listed and resolve; names must be stream:tag", async () => {
    const tags = await c.client.list("imagestreamtags", "openshift");
    expect(tags.items.map((t) => t.metadata.name)).toContain("nodejs:20-ubi8");
    const latest = await c.client.get("imagestreamtags", "openshift", "nodejs:latest");
    const pinned = await c.client.get("imagestreamtags", "openshift", "nodejs:20-ubi8");
    expect(latest.image?.dockerImageReference).toBe(pinned.image?.dockerImageReference);
    expect(latest.tag?.from).toEqual({ kind: "ImageStreamTag", name: "20-ubi8" });
    expect(await failure(c.client.get("imagestreamtags", "openshift", "nodejs"))).toMatchObject({ code: 400 });
    expect(await failure(c.client.get("imagestreamtags", "openshift", "nodejs:nope"))).toEqual({ code: 404, message: 'imagestreamtags.image.openshift.io "nodejs:nope" not found' });
  });

  test("create makes the stream; tagging from another stream resolves; delete removes spec and status", async () => {
    const made = await c.client.create("imagestreamtags", "default", {
      metadata: { name: "app:v1" }, tag: { from: { kind: "DockerImage", name: "quay.io/acme/app:1" } },
    } as ApiObject);
    expect(made.image?.dockerImageReference).toMatch(/^quay\.io\/acme\/app@sha256:/);
    expect(await failure(c.client.create("imagestreamtags", "default", { metadata: { name: "app:v1" }, tag: {} } as ApiObject)))
      .toEqual({ code: 409, message: 'imagestreamtags.image.openshift.io "app:v1" already exists' });
    const copied = await c.client.update("imagestreamtags", "default", {
      metadata: { name: "app:node" }, tag: { from: { kind: "ImageStreamTag", name: "nodejs:20-ubi8", namespace: "openshift" } },
    } as ApiObject);
    const source = await c.client.get("imagestreamtags", "openshift", "nodejs:20-ubi8");
    expect(copied.image?.dockerImageReference).toBe(source.image?.dockerImageReference);
    const is = await c.client.get("imagestreams", "default", "app");
    expect(is.spec?.tags?.map((t) => t.name)).toEqual(["v1", "node"]);
    await c.client.delete("imagestreamtags", "default", "app:v1");
    const after = await c.client.get("imagestreams", "default", "app");
    expect(after.spec?.tags?.map((t) => t.name)).toEqual(["node"]);
    expect(after.status?.tags?.map((t) => t.tag)).toEqual(["node"]);
    const table = await c.run("get istag -n openshift jenkins:2");
    expect(table.stdout.split("\n")[0]?.split(/\s{2,}/)).toEqual(["NAME", "IMAGE REFERENCE", "UPDATED"]);
  });
});

describe("OpenShift rolebindings", () => {
  test("stored as RBAC bindings and read back in either group", async () => {
    const info = infoOf("openshiftrolebindings");
    const os = await c.client.create(info, "default", {
      apiVersion: "authorization.openshift.io/v1", kind: "RoleBinding", metadata: { name: "jenkins_edit" },
      roleRef: { name: "edit" }, subjects: [{ kind: "ServiceAccount", name: "jenkins" }],
    } as ApiObject);
    expect(os).toMatchObject({ apiVersion: "authorization.openshift.io/v1", roleRef: { name: "edit" }, userNames: ["system:serviceaccount:default:jenkins"] });
    const rbac = await c.client.get("rolebindings", "default", "jenkins_edit");
    expect(rbac).toMatchObject({
      apiVersion: "rbac.authorization.k8s.io/v1",
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: "jenkins", namespace: "default" }],
    });
    expect(await failure(c.client.get(info, "default", "nope"))).toEqual({ code: 404, message: 'rolebindings.authorization.openshift.io "nope" not found' });
  });
});

describe("the CLI", () => {
  test("create -f of a legacy v1 DeploymentConfig goes to apps.openshift.io; get dc prints oc's columns", async () => {
    const dc = JSON.stringify({
      apiVersion: "v1", kind: "DeploymentConfig", metadata: { name: "web" },
      spec: { replicas: 1, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
    });
    expect(await c.run(["create", "-f", "-"], { stdin: dc })).toEqual({ code: 0, stdout: "deploymentconfig.apps.openshift.io/web created\n", stderr: "" });
    const got = await c.run("get dc");
    expect(got.stdout.split("\n").map((l) => l.split(/\s{2,}/))).toEqual([
      ["NAME", "REVISION", "DESIRED", "CURRENT", "TRIGGERED BY"], ["web", "0", "1", "0", "config"], [""],
    ]);
  });

  test("get is -n openshift lists the bootstrap's streams with the registry repository", async () => {
    const got = await c.run("get is -n openshift nodejs");
    const [head, row] = got.stdout.split("\n").map((l) => l.split(/\s{2,}/));
    expect(head).toEqual(["NAME", "IMAGE REPOSITORY", "TAGS", "UPDATED"]);
    expect(row?.slice(0, 2)).toEqual(["nodejs", "image-registry.openshift-image-registry.svc:5000/openshift/nodejs"]);
  });
});
