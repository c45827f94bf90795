// Legacy un-grouped OpenShift kinds (`apiVersion: v1` + an OpenShift kind, the old /oapi/v1
// form) and the API group each belongs to, as library-go's legacygroupification maps them.

/** Kind → group for every kind OpenShift 3.x served from /oapi/v1. Only the kind decides. */
export const LEGACY_KIND_GROUPS: Readonly<Record<string, string>> = Object.freeze(groups({
  "apps.openshift.io": ["DeploymentConfig", "DeploymentConfigList", "DeploymentConfigRollback", "DeploymentLog", "DeploymentRequest"],
  "authorization.openshift.io": [
    "ClusterRoleBinding", "ClusterRoleBindingList", "ClusterRole", "ClusterRoleList",
    "RoleBindingRestriction", "RoleBindingRestrictionList", "RoleBinding", "RoleBindingList", "Role", "RoleList",
    "SubjectRulesReview", "SelfSubjectRulesReview", "ResourceAccessReview", "LocalResourceAccessReview",
    "SubjectAccessReview", "LocalSubjectAccessReview",
  ],
  "build.openshift.io": ["BuildConfig", "BuildConfigList", "Build", "BuildList", "BinaryBuildRequestOptions", "BuildLog", "BuildRequest"],
  "image.openshift.io": [
    "Image", "ImageList", "ImageSignature", "ImageStreamImage", "ImageStreamImport", "ImageStreamMapping",
    "ImageStream", "ImageStreamList", "ImageStreamTag", "ImageStreamTagList",
  ],
  "network.openshift.io": [
    "ClusterNetwork", "ClusterNetworkList", "EgressNetworkPolicy", "EgressNetworkPolicyList",
    "HostSubnet", "HostSubnetList", "NetNamespace", "NetNamespaceList",
  ],
  "oauth.openshift.io": [
    "OAuthAccessToken", "OAuthAccessTokenList", "OAuthAuthorizeToken", "OAuthAuthorizeTokenList",
    "OAuthClientAuthorization", "OAuthClientAuthorizationList", "OAuthClient", "OAuthClientList",
  ],
  "project.openshift.io": ["Project", "ProjectList", "ProjectRequest"],
  "quota.openshift.io": ["ClusterResourceQuota", "ClusterResourceQuotaList", "AppliedClusterResourceQuota", "AppliedClusterResourceQuotaList"],
  "route.openshift.io": ["Route", "RouteList"],
  "security.openshift.io": [
    "SecurityContextConstraints", "SecurityContextConstraintsList",
    "PodSecurityPolicySubjectReview", "PodSecurityPolicySelfSubjectReview", "PodSecurityPolicyReview",
  ],
  "template.openshift.io": ["Template", "TemplateList"],
  "user.openshift.io": ["Group", "GroupList", "Identity", "IdentityList", "UserIdentityMapping", "User", "UserList"],
}));

function groups(byGroup: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [group, kinds] of Object.entries(byGroup)) for (const kind of kinds) out[kind] = group;
  return out;
}

/** The group a legacy `v1` kind belongs to, or undefined for Kubernetes and unknown kinds. */
export function legacyKindGroup(kind: string): string | undefined {
  return Object.hasOwn(LEGACY_KIND_GROUPS, kind) ? LEGACY_KIND_GROUPS[kind] : undefined;
}

/**
 * The apiVersion an object should carry: `v1` with a legacy OpenShift kind becomes
 * `<group>/v1`; anything else (Kubernetes kinds, already-grouped versions) is returned as is.
 */
export function groupifiedApiVersion(apiVersion: string, kind: string): string {
  if (apiVersion !== "v1") return apiVersion;
  const group = legacyKindGroup(kind);
  return group ? `${group}/v1` : apiVersion;
}

/**
 * Rewrites `obj.apiVersion` in place when it is exactly `v1` and `obj.kind` is a legacy
 * OpenShift kind (matches library-go, which leaves a missing or non-string apiVersion alone).
 * Returns obj.
 */
export function groupifyObject<T extends { apiVersion?: unknown; kind?: unknown }>(obj: T): T {
  if (typeof obj.kind === "string" && obj.apiVersion === "v1") {
    const group = legacyKindGroup(obj.kind);
    if (group) obj.apiVersion = `${group}/v1`;
  }
  return obj;
}
