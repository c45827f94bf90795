// Every kind's strategy, keyed by resource: the generic registry's only per-kind knowledge.
import type { Kinds, Resource } from "../../../api/resources.ts";
import type { Strategy } from "../strategy.ts";
import { configMapStrategy } from "./configmap.ts";
import { endpointsStrategy } from "./endpoints.ts";
import { eventStrategy } from "./event.ts";
import { namespaceStrategy } from "./namespace.ts";
import { nodeStrategy } from "./node.ts";
import { persistentVolumeClaimStrategy } from "./persistent-volume-claim.ts";
import { podStrategy } from "./pod.ts";
import { replicationControllerStrategy } from "./replication-controller.ts";
import { secretStrategy } from "./secret.ts";
import { serviceAccountStrategy } from "./service-account.ts";
import { serviceStrategy } from "./service.ts";

export { prepareForFinalize } from "./namespace.ts";

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
};

/** The strategy of a resource, typed loosely for generic callers. */
export function strategyFor(resource: Resource): Strategy {
  return STRATEGIES[resource] as unknown as Strategy;
}
