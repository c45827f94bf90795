// Every action subresource the API server serves, keyed "resource/subresource".
import type { Action } from "./action.ts";
import { DEPLOYMENT_ACTIONS } from "./deployments.ts";
import { BUILD_ACTIONS } from "./builds.ts";
import { POD_ACTIONS } from "./eviction.ts";

export type { Action, ActionContext } from "./action.ts";

/** Add a kind's actions by spreading its module's table in here. */
export const ACTIONS: Record<string, Action> = {
  ...DEPLOYMENT_ACTIONS,
  ...BUILD_ACTIONS,
  ...POD_ACTIONS,
};
