// Every kind's strategy, keyed by resource: the generic registry's only per-kind knowledge.
import type { Kinds, Resource } from "../../../api/resources.ts";
import type { Strategy } from "../strategy.ts";
import { deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from "./apps.ts";
import { buildConfigStrategy, buildStrategy } from "./build.ts";
import { configMapStrategy } from "./configmap.ts";
import { deploymentConfigStrategy } from "./deployment-config.ts";
import { imageStreamStrategy } from "./image-stream.ts";
import { endpointsStrategy } from "./endpoints.ts";
import { eventStrategy } from "./event.ts";
import { namespaceStrategy } from "./namespace.ts";
import { nodeStrategy } from "./node.ts";
import { persistentVolumeClaimStrategy } from "./persistent-volume-claim.ts";
import { podStrategy } from "./pod.ts";
import { replicationControllerStrategy } from "./replication-controller.ts";
import { roleBindingStrategy } from "./role-binding.ts";
import { routeStrategy } from "./route.ts";
import { secretStrategy } from "./secret.ts";
import { serviceAccountStrategy } from "./service-account.ts";
import { serviceStrategy } from "./service.ts";
import { templateStrategy } from "./template.ts";
import { userStrategy } from "./user.ts";

export { prepareForFinalize } from "./namespace.ts";

/**
 * Virtual kinds (projects, projectrequests, imagestreamtags, authorization.openshift.io
 * rolebindings) are served by their adapters in ../virtual/ and never reach the registry;
 * this strategy only keeps the table complete.
 */
const virtualStrategy: Strategy = { validate: () => [] };

/** resource → its strategy; a kind without one is a compile error. */
export const STRATEGIES: { [R in Resource]: Strategy<Kinds[R]> } = {
  namespaces: namespaceStrategy,
  pods: podStrategy,
  services: serviceStrategy,
  endpoints: endpointsStrategy,
  replicationcontrollers: replicationControllerStrategy,
  nodes: nodeStrategy,
  events: eventStrategy,
  secrets: secretStrategy,
  configmaps: configMapStrategy,
  serviceaccounts: serviceAccountStrategy,
  persistentvolumeclaims: persistentVolumeClaimStrategy,
  deployments: deploymentStrategy,
  replicasets: replicaSetStrategy,
  statefulsets: statefulSetStrategy,
  rolebindings: roleBindingStrategy,
  buildconfigs: buildConfigStrategy,
  builds: buildStrategy,
  imagestreams: imageStreamStrategy,
  imagestreamtags: virtualStrategy,
  deploymentconfigs: deploymentConfigStrategy,
  templates: templateStrategy,
  routes: routeStrategy,
  projects: virtualStrategy,
  projectrequests: virtualStrategy,
  openshiftrolebindings: virtualStrategy,
  users: userStrategy,
};

/** The strategy of a resource, typed loosely for generic callers. */
export function strategyFor(resource: Resource): Strategy {
  return STRATEGIES[resource] as unknown as Strategy;
}
