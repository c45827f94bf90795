// The deployment controllers as one set for the controller manager: DeploymentConfigs (with
// their deployer and image triggers), Deployments, ReplicaSets, StatefulSets and the PVC binder.
import { DeploymentController } from "../apps/deployment.ts";
import { PersistentVolumeClaimBinder, StatefulSetController } from "../apps/statefulset.ts";
import { REPLICA_SET_KIND, ReplicationManager } from "../replication.ts";
import type { Controller, ControllerContext } from "../shared.ts";
import { DeploymentConfigController } from "./deploymentconfig-controller.ts";

export { DeploymentConfigController } from "./deploymentconfig-controller.ts";

/** Creates (does not start) every deployment controller over `ctx`; the manager registers and runs them. */
export function startDeploymentControllers(ctx: ControllerContext): Controller[] {
  return [
    new DeploymentConfigController(ctx),
    new DeploymentController(ctx),
    new ReplicationManager(ctx, { kind: REPLICA_SET_KIND }),
    new StatefulSetController(ctx),
    new PersistentVolumeClaimBinder(ctx),
  ];
}
