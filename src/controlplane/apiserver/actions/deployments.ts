// deploymentconfigs/instantiate (DeploymentRequest → a new version) and deploymentconfigs/rollback
// (DeploymentConfigRollback → the DC as it would be rolled back; not saved), as openshift-apiserver.
import { ApiError, badRequest, failure, fieldInvalid, invalid } from "../../../api/errors.ts";
import type { DeploymentConfig, ImageStream } from "../../../api/openshift-types.ts";
import type { ReplicationController } from "../../../api/types.ts";
import type { ApiResponse } from "../../../client/transport.ts";
import {
  decodeDc, detailsFor, generateRollback, hasUnresolvedImages, newVersionCause, rcNameFor, resolveImageTriggers, type Cause,
} from "../../controllers/deploymentconfigs/util.ts";
import type { Action, ActionContext } from "./action.ts";
import { deepCopy } from "../../../api/copy.ts";

const JSON_HEADERS = { "content-type": "application/json" };

function parseBody(ctx: ActionContext, kind: string): Record<string, unknown> {
  if (ctx.req.method !== "POST") throw new ApiError(failure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`));
  let body: unknown;
  try {
    body = JSON.parse(ctx.req.body ?? "{}");
  } catch {
    throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json`);
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest(`${kind} must be an object`);
  return body as Record<string, unknown>;
}

function tryGet<T>(ctx: ActionContext, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ApiError && e.status.reason === "NotFound") return undefined;
    throw e;
  }
}

/** The object without its resourceVersion: the action decides on what it just read, as one request. */
function unconditional(dc: DeploymentConfig): DeploymentConfig {
  const { resourceVersion: _rv, ...metadata } = dc.metadata;
  return { ...dc, metadata };
}

const json = (status: number, obj: unknown): ApiResponse => ({ status, headers: { ...JSON_HEADERS }, body: JSON.stringify(obj) });

/** POST …/deploymentconfigs/NAME/instantiate with a DeploymentRequest. */
export const instantiateDeploymentConfig: Action = async (ctx) => {
  const req = parseBody(ctx, "DeploymentRequest");
  const ns = ctx.namespace;
  const name = ctx.name;
  let dc = ctx.registry.get("deploymentconfigs", ns, name) as DeploymentConfig;
  const exclude = new Set(Array.isArray(req["excludeTriggers"]) ? (req["excludeTriggers"] as unknown[]).map(String) : []);
  const force = req["force"] === true;
  if (req["latest"] === true && !exclude.has("ImageChange") && (force || !dc.spec.paused)) {
    const resolved = resolveImageTriggers(dc, (sns, sname) => tryGet(ctx, () => ctx.registry.get("imagestreams", sns, sname) as ImageStream), { all: force });
    if (resolved) dc = (await ctx.registry.update("deploymentconfigs", ns, name, unconditional(resolved), { dryRun: ctx.dryRun })).object as DeploymentConfig;
  }
  if (hasUnresolvedImages(dc)) throw badRequest(`cannot trigger a deployment for "${name}" because it contains unresolved images`);
  const version = dc.status?.latestVersion ?? 0;
  const latest = tryGet(ctx, () => ctx.registry.get("replicationcontrollers", ns, rcNameFor(name, version)) as ReplicationController);
  let cause: Cause | undefined;
  if (force) cause = { type: "Manual" };
  else {
    const probe = deepCopy(dc);
    probe.spec.paused = false;
    if (exclude.has("ConfigChange")) probe.spec.triggers = (probe.spec.triggers ?? []).filter((t) => t?.type !== "ConfigChange");
    cause = newVersionCause(probe, latest);
  }
  if (!cause) {
    return json(200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 204,
      message: `deployment config "${name}" cannot be instantiated` });
  }
  const status = { ...dc.status, latestVersion: version + 1, details: detailsFor(cause) };
  const saved = await ctx.registry.updateStatus("deploymentconfigs", ns, name, unconditional({ ...dc, status }), { dryRun: ctx.dryRun });
  return json(201, saved);
};

/** POST …/deploymentconfigs/NAME/rollback with a DeploymentConfigRollback: returns, never saves. */
export const rollbackDeploymentConfig: Action = async (ctx) => {
  const req = parseBody(ctx, "DeploymentConfigRollback");
  const ns = ctx.namespace;
  const name = ctx.name;
  const spec = (req["spec"] && typeof req["spec"] === "object" ? req["spec"] : {}) as {
    from?: { name?: string }; revision?: number; includeTemplate?: boolean; includeTriggers?: boolean;
    includeReplicationMeta?: boolean; includeStrategy?: boolean;
  };
  const dc = ctx.registry.get("deploymentconfigs", ns, name) as DeploymentConfig;
  const reject = (msg: string): ApiError => invalid("DeploymentConfigRollback.apps.openshift.io", name, [fieldInvalid("name", name, msg)], "apps.openshift.io");
  const latest = dc.status?.latestVersion ?? 0;
  if (latest === 0) throw reject("cannot rollback an undeployed config");
  if (latest === 1) throw reject(`no previous deployment exists for "${ns}/${name}"`);
  const revision = typeof spec.revision === "number" && spec.revision > 0 ? spec.revision : latest - 1;
  if (revision === latest) throw reject(`version ${latest} is already the latest`);
  const rcName = revision === (typeof spec.revision === "number" ? spec.revision : -1) || !spec.from?.name ? rcNameFor(name, revision) : spec.from.name;
  const rc = tryGet(ctx, () => ctx.registry.get("replicationcontrollers", ns, rcName) as ReplicationController);
  if (!rc) throw badRequest(`couldn't get deployment ${rcName}: replicationcontrollers "${rcName}" not found`);
  const to = decodeDc(rc);
  if (!to) throw badRequest(`couldn't decode deployment config from deployment: ${rcName}`);
  const { dc: out } = generateRollback(dc, to, spec);
  return json(200, { ...out, kind: "DeploymentConfig", apiVersion: "apps.openshift.io/v1" });
};

/** The DeploymentConfig actions, keyed "resource/subresource". */
export const DEPLOYMENT_ACTIONS: Record<string, Action> = {
  "deploymentconfigs/instantiate": instantiateDeploymentConfig,
  "deploymentconfigs/rollback": rollbackDeploymentConfig,
};
