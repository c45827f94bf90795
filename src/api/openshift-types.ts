// Wire types of the OpenShift application kinds (build, image, apps, template, project, route,
// user groups), RBAC RoleBindings and the apps/v1 workloads. Only the fields skiff reads are
// spelled out; everything else passes through untouched.
import type { ApiObject, Condition, EnvVar, Labels, ObjectReference, PodTemplateSpec } from "./types.ts";

/** A reference to an image source: `{kind: ImageStreamTag, name: "is:tag", namespace?}` or a DockerImage. */
export interface ImageReference {
  kind?: string;
  name?: string;
  namespace?: string;
  [extra: string]: unknown;
}

export interface BuildSource {
  type?: string;
  git?: { uri?: string; ref?: string; [extra: string]: unknown };
  contextDir?: string;
  dockerfile?: string;
  binary?: { asFile?: string };
  images?: unknown[];
  [extra: string]: unknown;
}

export interface BuildStrategy {
  type?: string;
  dockerStrategy?: { from?: ImageReference; env?: EnvVar[]; [extra: string]: unknown };
  sourceStrategy?: { from?: ImageReference; env?: EnvVar[]; [extra: string]: unknown };
  customStrategy?: { from?: ImageReference; env?: EnvVar[]; [extra: string]: unknown };
  jenkinsPipelineStrategy?: { jenkinsfile?: string; jenkinsfilePath?: string; [extra: string]: unknown };
  [extra: string]: unknown;
}

/** The spec both BuildConfig and Build carry ("CommonSpec"). */
export interface CommonBuildSpec {
  serviceAccount?: string;
  source?: BuildSource;
  revision?: { type?: string; git?: { commit?: string; message?: string; [extra: string]: unknown } };
  strategy?: BuildStrategy;
  output?: { to?: ImageReference; pushSecret?: { name?: string }; [extra: string]: unknown };
  [extra: string]: unknown;
}

export interface BuildTriggerPolicy {
  type?: string;
  github?: unknown;
  generic?: unknown;
  gitlab?: unknown;
  bitbucket?: unknown;
  imageChange?: { from?: ImageReference; lastTriggeredImageID?: string; paused?: boolean };
  [extra: string]: unknown;
}

export interface BuildConfig extends ApiObject {
  spec: CommonBuildSpec & {
    triggers?: BuildTriggerPolicy[];
    runPolicy?: string;
    successfulBuildsHistoryLimit?: number;
    failedBuildsHistoryLimit?: number;
  };
  status?: { lastVersion?: number; imageChangeTriggers?: unknown[]; [extra: string]: unknown };
}

export interface Build extends ApiObject {
  spec: CommonBuildSpec & { triggeredBy?: unknown[] | null };
  status?: {
    phase?: string;
    cancelled?: boolean;
    reason?: string;
    message?: string;
    startTimestamp?: string;
    completionTimestamp?: string;
    duration?: number;
    outputDockerImageReference?: string;
    config?: ObjectReference;
    [extra: string]: unknown;
  };
}

export interface TagReference {
  name: string;
  annotations?: Record<string, string> | null;
  from?: ImageReference;
  reference?: boolean;
  generation?: number | null;
  importPolicy?: { insecure?: boolean; scheduled?: boolean; importMode?: string };
  referencePolicy?: { type?: string };
}

export interface TagEvent {
  created: string;
  dockerImageReference: string;
  image: string;
  generation: number;
}

export interface NamedTagEventList {
  tag: string;
  items: TagEvent[] | null;
  conditions?: Condition[];
}

export interface ImageStream extends ApiObject {
  spec?: {
    lookupPolicy?: { local: boolean };
    dockerImageRepository?: string;
    tags?: TagReference[];
  };
  status?: {
    dockerImageRepository?: string;
    publicDockerImageRepository?: string;
    tags?: NamedTagEventList[];
  };
}

/** A virtual view of one tag of an image stream (`<is>:<tag>`). */
export interface ImageStreamTag extends ApiObject {
  tag?: TagReference | null;
  generation?: number;
  lookupPolicy?: { local: boolean };
  conditions?: Condition[];
  image?: { metadata: { name?: string; creationTimestamp?: string }; dockerImageReference?: string; [extra: string]: unknown };
}

export interface DeploymentTriggerPolicy {
  type?: string;
  imageChangeParams?: {
    automatic?: boolean;
    containerNames?: string[];
    from?: ImageReference;
    lastTriggeredImage?: string;
  };
}

export interface DeploymentStrategy {
  type?: string;
  rollingParams?: Record<string, unknown>;
  recreateParams?: Record<string, unknown>;
  customParams?: Record<string, unknown>;
  activeDeadlineSeconds?: number;
  resources?: unknown;
  [extra: string]: unknown;
}

export interface DeploymentConfig extends ApiObject {
  spec: {
    replicas?: number;
    selector?: Labels;
    template?: PodTemplateSpec;
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    test?: boolean;
    triggers?: DeploymentTriggerPolicy[] | null;
    strategy?: DeploymentStrategy;
  };
  status?: {
    latestVersion?: number;
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    readyReplicas?: number;
    details?: { message?: string; causes?: unknown[] };
    conditions?: Condition[];
  };
}

export interface TemplateParameter {
  name: string;
  displayName?: string;
  description?: string;
  value?: string;
  generate?: string;
  from?: string;
  required?: boolean;
}

/** template.openshift.io/v1 Template as stored (objects are opaque). */
export interface StoredTemplate extends ApiObject {
  message?: string;
  objects?: unknown[] | null;
  parameters?: TemplateParameter[];
  labels?: Labels;
}

export interface Project extends ApiObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: Condition[] };
}

export interface ProjectRequest extends ApiObject {
  displayName?: string;
  description?: string;
}

export interface RouteTargetReference {
  kind?: string;
  name?: string;
  weight?: number | null;
}

export interface Route extends ApiObject {
  spec: {
    host?: string;
    subdomain?: string;
    path?: string;
    to?: RouteTargetReference;
    alternateBackends?: RouteTargetReference[];
    port?: { targetPort?: number | string };
    tls?: { termination?: string; insecureEdgeTerminationPolicy?: string; [extra: string]: unknown } | null;
    wildcardPolicy?: string;
  };
  status?: {
    ingress?: {
      host?: string;
      routerName?: string;
      wildcardPolicy?: string;
      routerCanonicalHostname?: string;
      conditions?: Condition[];
    }[];
  };
}

export interface RbacSubject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

export interface RoleBinding extends ApiObject {
  subjects?: RbacSubject[];
  roleRef: { apiGroup?: string; kind?: string; name?: string };
}

/** authorization.openshift.io/v1 RoleBinding: the OpenShift view of an RBAC RoleBinding. */
export interface OpenShiftRoleBinding extends ApiObject {
  userNames?: string[] | null;
  groupNames?: string[] | null;
  subjects?: ObjectReference[];
  roleRef: { name?: string; namespace?: string };
}

export interface User extends ApiObject {
  fullName?: string;
  identities?: string[] | null;
  groups?: string[] | null;
}

export interface LabelSelectorObject {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Deployment extends ApiObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplateSpec;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
    paused?: boolean;
    progressDeadlineSeconds?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet extends ApiObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplateSpec;
    minReadySeconds?: number;
  };
  status?: {
    replicas: number;
    fullyLabeledReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
    conditions?: Condition[];
  };
}

export interface StatefulSet extends ApiObject {
  spec: {
    replicas?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplateSpec;
    serviceName?: string;
    podManagementPolicy?: string;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    volumeClaimTemplates?: ApiObject[];
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
    minReadySeconds?: number;
  };
  status?: {
    observedGeneration?: number;
    replicas: number;
    readyReplicas?: number;
    currentReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    collisionCount?: number;
    conditions?: Condition[];
  };
}
