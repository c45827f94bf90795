// Legacy `apiVersion: v1` OpenShift kinds and their groups.
import { expect, test } from "vitest";
import { LEGACY_KIND_GROUPS, groupifiedApiVersion, groupifyObject, legacyKindGroup } from "../../src/template/legacy.ts";

test.each([
  ["DeploymentConfig", "apps.openshift.io"], ["DeploymentConfigRollback", "apps.openshift.io"],
  ["BuildConfig", "build.openshift.io"], ["BuildRequest", "build.openshift.io"], ["BinaryBuildRequestOptions", "build.openshift.io"],
  ["ImageStream", "image.openshift.io"], ["ImageStreamTag", "image.openshift.io"], ["ImageStreamImport", "image.openshift.io"],
  ["Route", "route.openshift.io"], ["Template", "template.openshift.io"], ["Project", "project.openshift.io"],
  ["ProjectRequest", "project.openshift.io"], ["User", "user.openshift.io"], ["Group", "user.openshift.io"],
  ["RoleBinding", "authorization.openshift.io"], ["LocalSubjectAccessReview", "authorization.openshift.io"],
  ["OAuthClient", "oauth.openshift.io"], ["ClusterResourceQuota", "quota.openshift.io"],
  ["SecurityContextConstraints", "security.openshift.io"], ["HostSubnet", "network.openshift.io"],
])("%s belongs to %s", (kind, group) => {
  expect(legacyKindGroup(kind)).toBe(group);
  expect(groupifiedApiVersion("v1", kind)).toBe(`${group}/v1`);
});

test.each(["Service", "Pod", "Secret", "ReplicationController", "Deployment", "toString", "constructor", ""])("%j is not a legacy kind", (kind) => {
  expect(legacyKindGroup(kind)).toBeUndefined();
  expect(groupifiedApiVersion("v1", kind)).toBe("v1");
});

test("only a bare v1 is rewritten", () => {
  expect(groupifiedApiVersion("apps.openshift.io/v1", "DeploymentConfig")).toBe("apps.openshift.io/v1");
  expect(groupifiedApiVersion("v1beta3", "DeploymentConfig")).toBe("v1beta3");
  expect(groupifyObject({ kind: "Route", apiVersion: "v1" })).toEqual({ kind: "Route", apiVersion: "route.openshift.io/v1" });
  expect(groupifyObject({ kind: "Route" })).toEqual({ kind: "Route" });
  expect(groupifyObject({ kind: 5, apiVersion: "v1" })).toEqual({ kind: 5, apiVersion: "v1" });
});

test("the table is frozen", () => {
  expect(Object.isFrozen(LEGACY_KIND_GROUPS)).toBe(true);
});
