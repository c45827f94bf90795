// The one resource table: every kind skiff knows, read by the client (URLs), the API server
// (routes, discovery, Table output), the printers and completion. Adding a kind is one row
// here plus one strategy in src/controlplane/apiserver/strategies/.
import type {
  ApiObject, ConfigMap, Endpoints, Event, Namespace, Node, PersistentVolumeClaim, Pod,
  ReplicationController, Secret, Service, ServiceAccount,
} from "./types.ts";
import { COLUMNS, type Column } from "./columns.ts";
import { NAME_ONLY_COLUMNS, OPENSHIFT_COLUMNS } from "./openshift-columns.ts";
import type {
  Build, BuildConfig, Deployment, DeploymentConfig, ImageStream, ImageStreamTag, OpenShiftRoleBinding, Project,
  ProjectRequest, ReplicaSet, RoleBinding, Route, StatefulSet, StoredTemplate, User,
} from "./openshift-types.ts";

/** resource (plural path word) → its wire type. */
export interface Kinds {
  namespaces: Namespace;
  pods: Pod;
  services: Service;
  endpoints: Endpoints;
  replicationcontrollers: ReplicationController;
  nodes: Node;
  events: Event;
  secrets: Secret;
  configmaps: ConfigMap;
  serviceaccounts: ServiceAccount;
  persistentvolumeclaims: PersistentVolumeClaim;
  deployments: Deployment;
  replicasets: ReplicaSet;
  statefulsets: StatefulSet;
  rolebindings: RoleBinding;
  buildconfigs: BuildConfig;
  builds: Build;
  imagestreams: ImageStream;
  imagestreamtags: ImageStreamTag;
  deploymentconfigs: DeploymentConfig;
  templates: StoredTemplate;
  routes: Route;
  projects: Project;
  projectrequests: ProjectRequest;
  /** authorization.openshift.io/v1 rolebindings: a view over the RBAC ones (table key differs from the plural). */
  openshiftrolebindings: OpenShiftRoleBinding;
  users: User;
}
export type Resource = keyof Kinds;

export type Subresource = "status" | "scale" | "binding" | "log" | "finalize" | "eviction"
  | "instantiate" | "instantiatebinary" | "webhooks" | "rollback" | "clone";

export interface ResourceInfo<T extends ApiObject = ApiObject> {
  resource: string;             // plural path word, e.g. "replicationcontrollers"
  kind: string;                 // wire name, e.g. "ReplicationController"
  group: string;                // "" is the core API
  version: string;
  singular: string;
  short: string[];
  namespaced: boolean;
  subresources: Subresource[];
  categories: string[];         // "all" makes `get all` include it
  /** API verbs served, when not the full set (virtual kinds); discovery reports these. */
  verbs?: string[];
  /** Kubernetes lets PUT create these (Endpoints, Events). */
  createOnUpdate?: boolean;
  /** Field selector labels beyond metadata.name/namespace; value read from the object. */
  fields: Record<string, (o: T) => string>;
  columns: Column<T>[];
}

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
export const defaultVerbs = (): string[] => [...VERBS];

function row<T extends ApiObject>(r: Omit<ResourceInfo<T>, "fields" | "categories"> &
  Partial<Pick<ResourceInfo<T>, "fields" | "categories">>): ResourceInfo<T> {
  return { fields: {}, categories: [], ...r };
}

const str = (v: unknown): string => (v === undefined || v === null ? "" : String(v));

export const RESOURCES: { [R in Resource]: ResourceInfo<Kinds[R]> } = {
  namespaces: row<Namespace>({
    resource: "namespaces", kind: "Namespace", group: "", version: "v1", singular: "namespace",
    short: ["ns"], namespaced: false, subresources: ["status", "finalize"],
    fields: { "status.phase": (o) => str(o.status?.phase) },
    columns: COLUMNS.namespaces,
  }),
  pods: row<Pod>({
    resource: "pods", kind: "Pod", group: "", version: "v1", singular: "pod",
    short: ["po"], namespaced: true, subresources: ["status", "binding", "eviction", "log"], categories: ["all"],
    fields: {
      "spec.nodeName": (o) => str(o.spec?.nodeName),
      "spec.host": (o) => str(o.spec?.nodeName),
      "spec.restartPolicy": (o) => str(o.spec?.restartPolicy),
      "spec.schedulerName": (o) => str(o.spec?.schedulerName),
      "spec.serviceAccountName": (o) => str(o.spec?.serviceAccountName),
      "spec.hostNetwork": (o) => String(o.spec?.hostNetwork ?? false),
      "status.phase": (o) => str(o.status?.phase),
      "status.podIP": (o) => str(o.status?.podIP),
      "status.podIPs": (o) => str(o.status?.podIPs?.[0]?.ip),
      "status.nominatedNodeName": (o) => str(o.status?.nominatedNodeName),
    },
    columns: COLUMNS.pods,
  }),
  services: row<Service>({
    resource: "services", kind: "Service", group: "", version: "v1", singular: "service",
    short: ["svc"], namespaced: true, subresources: ["status"], categories: ["all"],
    fields: { "spec.clusterIP": (o) => str(o.spec?.clusterIP), "spec.type": (o) => str(o.spec?.type) },
    columns: COLUMNS.services,
  }),
  endpoints: row<Endpoints>({
    resource: "endpoints", kind: "Endpoints", group: "", version: "v1", singular: "endpoints",
    short: ["ep"], namespaced: true, subresources: [], createOnUpdate: true,
    columns: COLUMNS.endpoints,
  }),
  replicationcontrollers: row<ReplicationController>({
    resource: "replicationcontrollers", kind: "ReplicationController", group: "", version: "v1",
    singular: "replicationcontroller", short: ["rc"], namespaced: true,
    subresources: ["status", "scale"], categories: ["all"],
    fields: { "status.replicas": (o) => str(o.status?.replicas ?? 0) },
    columns: COLUMNS.replicationcontrollers,
  }),
  nodes: row<Node>({
    resource: "nodes", kind: "Node", group: "", version: "v1", singular: "node",
    short: ["no"], namespaced: false, subresources: ["status"],
    fields: { "spec.unschedulable": (o) => String(o.spec?.unschedulable ?? false) },
    columns: COLUMNS.nodes,
  }),
  events: row<Event>({
    resource: "events", kind: "Event", group: "", version: "v1", singular: "event",
    short: ["ev"], namespaced: true, subresources: [], createOnUpdate: true,
    fields: {
      "involvedObject.kind": (o) => str(o.involvedObject?.kind),
      "involvedObject.namespace": (o) => str(o.involvedObject?.namespace),
      "involvedObject.name": (o) => str(o.involvedObject?.name),
      "involvedObject.uid": (o) => str(o.involvedObject?.uid),
      "involvedObject.apiVersion": (o) => str(o.involvedObject?.apiVersion),
      "involvedObject.resourceVersion": (o) => str(o.involvedObject?.resourceVersion),
      "involvedObject.fieldPath": (o) => str(o.involvedObject?.fieldPath),
      reason: (o) => str(o.reason),
      reportingComponent: (o) => str(o.reportingComponent),
      source: (o) => str(o.source?.component),
      type: (o) => str(o.type),
    },
    columns: COLUMNS.events,
  }),
  secrets: row<Secret>({
    resource: "secrets", kind: "Secret", group: "", version: "v1", singular: "secret",
    short: [], namespaced: true, subresources: [],
    fields: { type: (o) => str(o.type) },
    columns: COLUMNS.secrets,
  }),
  configmaps: row<ConfigMap>({
    resource: "configmaps", kind: "ConfigMap", group: "", version: "v1", singular: "configmap",
    short: ["cm"], namespaced: true, subresources: [],
    columns: COLUMNS.configmaps,
  }),
  serviceaccounts: row<ServiceAccount>({
    resource: "serviceaccounts", kind: "ServiceAccount", group: "", version: "v1",
    singular: "serviceaccount", short: ["sa"], namespaced: true, subresources: [],
    columns: COLUMNS.serviceaccounts,
  }),
  persistentvolumeclaims: row<PersistentVolumeClaim>({
    resource: "persistentvolumeclaims", kind: "PersistentVolumeClaim", group: "", version: "v1",
    singular: "persistentvolumeclaim", short: ["pvc"], namespaced: true, subresources: ["status"],
    columns: COLUMNS.persistentvolumeclaims,
  }),
  deployments: row<Deployment>({
    resource: "deployments", kind: "Deployment", group: "apps", version: "v1", singular: "deployment",
    short: ["deploy"], namespaced: true, subresources: ["status", "scale"], categories: ["all"],
    columns: OPENSHIFT_COLUMNS.deployments,
  }),
  replicasets: row<ReplicaSet>({
    resource: "replicasets", kind: "ReplicaSet", group: "apps", version: "v1", singular: "replicaset",
    short: ["rs"], namespaced: true, subresources: ["status", "scale"], categories: ["all"],
    fields: { "status.replicas": (o) => str(o.status?.replicas ?? 0) },
    columns: OPENSHIFT_COLUMNS.replicasets,
  }),
  statefulsets: row<StatefulSet>({
    resource: "statefulsets", kind: "StatefulSet", group: "apps", version: "v1", singular: "statefulset",
    short: ["sts"], namespaced: true, subresources: ["status", "scale"], categories: ["all"],
    columns: OPENSHIFT_COLUMNS.statefulsets,
  }),
  rolebindings: row<RoleBinding>({
    resource: "rolebindings", kind: "RoleBinding", group: "rbac.authorization.k8s.io", version: "v1",
    singular: "rolebinding", short: [], namespaced: true, subresources: [],
    columns: OPENSHIFT_COLUMNS.rolebindings,
  }),
  buildconfigs: row<BuildConfig>({
    resource: "buildconfigs", kind: "BuildConfig", group: "build.openshift.io", version: "v1", singular: "buildconfig",
    short: ["bc"], namespaced: true, subresources: ["instantiate", "instantiatebinary", "webhooks"], categories: ["all"],
    columns: OPENSHIFT_COLUMNS.buildconfigs,
  }),
  builds: row<Build>({
    resource: "builds", kind: "Build", group: "build.openshift.io", version: "v1", singular: "build",
    short: [], namespaced: true, subresources: ["status", "log", "clone"], categories: ["all"],
    fields: {
      status: (o) => str(o.status?.phase),
      podName: (o) => `${o.metadata.name ?? ""}-build`,
    },
    columns: OPENSHIFT_COLUMNS.builds,
  }),
  imagestreams: row<ImageStream>({
    resource: "imagestreams", kind: "ImageStream", group: "image.openshift.io", version: "v1", singular: "imagestream",
    short: ["is"], namespaced: true, subresources: ["status"], categories: ["all"],
    fields: {
      "spec.dockerImageRepository": (o) => str(o.spec?.dockerImageRepository),
      "status.dockerImageRepository": (o) => str(o.status?.dockerImageRepository),
    },
    columns: OPENSHIFT_COLUMNS.imagestreams,
  }),
  imagestreamtags: row<ImageStreamTag>({
    resource: "imagestreamtags", kind: "ImageStreamTag", group: "image.openshift.io", version: "v1",
    singular: "imagestreamtag", short: ["istag"], namespaced: true, subresources: [],
    verbs: ["create", "delete", "get", "list", "patch", "update"],
    columns: OPENSHIFT_COLUMNS.imagestreamtags,
  }),
  deploymentconfigs: row<DeploymentConfig>({
    resource: "deploymentconfigs", kind: "DeploymentConfig", group: "apps.openshift.io", version: "v1",
    singular: "deploymentconfig", short: ["dc"], namespaced: true,
    subresources: ["status", "scale", "instantiate", "rollback", "log"], categories: ["all"],
    columns: OPENSHIFT_COLUMNS.deploymentconfigs,
  }),
  templates: row<StoredTemplate>({
    resource: "templates", kind: "Template", group: "template.openshift.io", version: "v1", singular: "template",
    short: [], namespaced: true, subresources: [],
    columns: OPENSHIFT_COLUMNS.templates,
  }),
  routes: row<Route>({
    resource: "routes", kind: "Route", group: "route.openshift.io", version: "v1", singular: "route",
    short: [], namespaced: true, subresources: ["status"], categories: ["all"],
    fields: {
      "spec.path": (o) => str(o.spec?.path),
      "spec.host": (o) => str(o.spec?.host),
      "spec.to.name": (o) => str(o.spec?.to?.name),
    },
    columns: OPENSHIFT_COLUMNS.routes,
  }),
  projects: row<Project>({
    resource: "projects", kind: "Project", group: "project.openshift.io", version: "v1", singular: "project",
    short: [], namespaced: false, subresources: [],
    verbs: ["create", "delete", "get", "list", "patch", "update"],
    fields: { "status.phase": (o) => str(o.status?.phase) },
    columns: OPENSHIFT_COLUMNS.projects,
  }),
  projectrequests: row<ProjectRequest>({
    resource: "projectrequests", kind: "ProjectRequest", group: "project.openshift.io", version: "v1",
    singular: "projectrequest", short: [], namespaced: false, subresources: [],
    verbs: ["create", "list"],
    columns: NAME_ONLY_COLUMNS,
  }),
  openshiftrolebindings: row<OpenShiftRoleBinding>({
    resource: "rolebindings", kind: "RoleBinding", group: "authorization.openshift.io", version: "v1",
    singular: "rolebinding", short: [], namespaced: true, subresources: [],
    verbs: ["create", "delete", "get", "list", "patch", "update"],
    columns: OPENSHIFT_COLUMNS.openshiftrolebindings,
  }),
  users: row<User>({
    resource: "users", kind: "User", group: "user.openshift.io", version: "v1", singular: "user",
    short: [], namespaced: false, subresources: [],
    columns: OPENSHIFT_COLUMNS.users,
  }),
};

export const RESOURCE_NAMES = Object.keys(RESOURCES) as Resource[];

/** "v1" for the core group, "group/version" otherwise. */
export function apiVersionOf(info: { group: string; version: string }): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** Path prefix of a group-version: /api/v1 or /apis/group/version. */
export function groupVersionPath(info: { group: string; version: string }): string {
  return info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
}

/**
 * Finds a row by plural, singular, short name or kind (case-insensitive), optionally
 * qualified by group ("deployments.apps"). Returns undefined when skiff's table lacks it;
 * the client then asks the server's discovery.
 */
export function resolveResource(word: string): ResourceInfo | undefined {
  const w = word.toLowerCase();
  for (const r of RESOURCE_NAMES) {
    const info = RESOURCES[r] as unknown as ResourceInfo;
    const names = [info.resource, info.singular, info.kind.toLowerCase(), ...info.short];
    const qualified = info.group ? names.map((n) => `${n}.${info.group}`) : [];
    if (names.includes(w) || qualified.includes(w)) return info;
  }
  return undefined;
}

/** The row for a wire kind + apiVersion (e.g. from a manifest), or undefined. */
export function infoForKind(apiVersion: string | undefined, kind: string | undefined): ResourceInfo | undefined {
  if (!kind) return undefined;
  for (const r of RESOURCE_NAMES) {
    const info = RESOURCES[r] as unknown as ResourceInfo;
    if (info.kind === kind && (apiVersion === undefined || apiVersionOf(info) === apiVersion)) return info;
  }
  return undefined;
}

export function infoOf(resource: Resource): ResourceInfo {
  return RESOURCES[resource] as unknown as ResourceInfo;
}
