// pods/eviction: POST a policy/v1 Eviction to delete a pod gracefully, as kube-apiserver's eviction REST (no PodDisruptionBudgets here).
import { ApiError, badRequest, failure } from "../../../api/errors.ts";
import type { Condition, Pod } from "../../../api/types.ts";
import type { ApiResponse } from "../../../client/transport.ts";
import { decodeObjectBody } from "../content.ts";
import type { DeleteOptions } from "../registry.ts";
import type { Action, ActionContext } from "./action.ts";

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const EVICTION_VERSIONS = new Set(["policy/v1", "policy/v1beta1"]);

/** The request's Eviction, checked as kube-apiserver's decoder and create handler check it. */
function decodeEviction(ctx: ActionContext): Record<string, unknown> {
  if (ctx.req.method !== "POST") {
    throw new ApiError(failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  }
  const body = decodeObjectBody(ctx.req.body, ctx.req.headers?.["content-type"]);
  if (!isObject(body)) throw badRequest("the body of the request could not be decoded as an Eviction");
  const kind = body.kind === undefined ? "Eviction" : String(body.kind);
  const apiVersion = body.apiVersion === undefined ? "policy/v1" : String(body.apiVersion);
  if (kind !== "Eviction" || !EVICTION_VERSIONS.has(apiVersion)) {
    throw badRequest(`${kind} in version "${apiVersion.split("/").pop() ?? ""}" cannot be handled as a Eviction: no kind "${kind}" is registered for version "${apiVersion}"`);
  }
  const meta = isObject(body.metadata) ? body.metadata : {};
  if (meta.namespace !== undefined && meta.namespace !== "" && meta.namespace !== ctx.namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  if (meta.name !== ctx.name) throw badRequest("name in URL does not match name in Eviction object");
  return body;
}

/** The Eviction's deleteOptions (a dryRun on the request itself carries over, as propagateDryRun does). */
function deleteOptionsOf(eviction: Record<string, unknown>, dryRun: boolean): DeleteOptions {
  const d = isObject(eviction.deleteOptions) ? eviction.deleteOptions : {};
  const out: DeleteOptions = { dryRun: dryRun || (Array.isArray(d.dryRun) && d.dryRun.includes("All")) };
  if (Array.isArray(d.dryRun) && d.dryRun.some((v) => v !== "All")) {
    throw badRequest(`Invalid dryRun value: ${JSON.stringify(d.dryRun.find((v) => v !== "All"))}`);
  }
  if (typeof d.gracePeriodSeconds === "number") out.gracePeriodSeconds = d.gracePeriodSeconds;
  if (typeof d.propagationPolicy === "string") out.propagationPolicy = d.propagationPolicy;
  else if (typeof d.orphanDependents === "boolean") out.propagationPolicy = d.orphanDependents ? "Orphan" : "Background";
  if (isObject(d.preconditions)) {
    const p = d.preconditions;
    out.preconditions = {};
    if (typeof p.uid === "string") out.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === "string") out.preconditions.resourceVersion = p.resourceVersion;
  }
  return out;
}

/** Sets condition DisruptionTarget=True on the pod's status (its transition time kept when already true); retries on conflicts. */
async function markDisruptionTarget(ctx: ActionContext, first: Pod): Promise<Pod> {
  let pod = first;
  for (let attempt = 0; ; attempt++) {
    const conditions = [...(pod.status?.conditions ?? [])];
    const i = conditions.findIndex((c) => c.type === "DisruptionTarget");
    const prev = i >= 0 ? conditions[i] : undefined;
    const now = new Date(Math.floor(ctx.clock.now().getTime() / 1000) * 1000).toISOString().replace(".000Z", "Z");
    const condition: Condition = {
      type: "DisruptionTarget", status: "True", lastProbeTime: null,
      lastTransitionTime: prev?.status === "True" && prev.lastTransitionTime ? prev.lastTransitionTime : now,
      reason: "EvictionByEvictionAPI", message: "Eviction API: evicting",
    };
    if (i >= 0) conditions[i] = condition;
    else conditions.push(condition);
    try {
      return await ctx.registry.updateStatus("pods", ctx.namespace, ctx.name, { ...pod, status: { ...pod.status, conditions } }, { dryRun: false }) as Pod;
    } catch (e) {
      if (!(e instanceof ApiError && e.status.reason === "Conflict") || attempt >= 4) throw e;
      pod = ctx.registry.get("pods", ctx.namespace, ctx.name) as Pod;
    }
  }
}

/**
 * POST …/pods/NAME/eviction: marks the pod with condition DisruptionTarget=True
 * (EvictionByEvictionAPI) and deletes it with the Eviction's deleteOptions (graceful unless
 * gracePeriodSeconds says otherwise). With no disruption budgets to consult it always
 * proceeds, and answers 201 with a Status Success, as kube-apiserver does.
 */
export const evictPod: Action = async (ctx): Promise<ApiResponse> => {
  const eviction = decodeEviction(ctx);
  const opts = deleteOptionsOf(eviction, ctx.dryRun);
  const ns = ctx.namespace;
  const pod = ctx.registry.get("pods", ns, ctx.name) as Pod;
  const pre = opts.preconditions;
  // A failing precondition is the delete's Conflict to report; the pod is left unmarked.
  const holds = (!pre?.uid || pre.uid === pod.metadata.uid) && (!pre?.resourceVersion || pre.resourceVersion === pod.metadata.resourceVersion);
  if (!opts.dryRun && holds) {
    const marked = await markDisruptionTarget(ctx, pod);
    // The mark was this request's own write: a resourceVersion precondition moves past it, as upstream's does.
    if (pre?.resourceVersion) opts.preconditions = { ...pre, resourceVersion: marked.metadata.resourceVersion };
  }
  await ctx.registry.delete("pods", ns, ctx.name, opts);
  return {
    status: 201, headers: { "content-type": "application/json" },
    body: JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }),
  };
};

/** The pod actions, keyed "resource/subresource". */
export const POD_ACTIONS: Record<string, Action> = {
  "pods/eviction": evictPod,
};
