// Action subresources: POST-style verbs on one object that are not plain storage
// (buildconfigs/instantiate, deploymentconfigs/instantiate and rollback, build webhooks…).
import type { ApiRequest, ApiResponse } from "../../../client/transport.ts";
import type { Registry } from "../registry.ts";

export interface ActionContext {
  registry: Registry;
  clock: { now(): Date };
  random: () => number;
  req: ApiRequest;
  namespace: string | undefined;
  name: string;
  /** Path segments after the subresource, e.g. ["SECRET", "github"] for webhooks. */
  rest: string[];
  dryRun: boolean;
}

/** Handles one action; throws ApiError for failures (the server turns it into a Status). */
export type Action = (ctx: ActionContext) => Promise<ApiResponse>;
