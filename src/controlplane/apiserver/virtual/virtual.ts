// Virtual resources: rows of the table that are views over other stored kinds (projects over
// namespaces, imagestreamtags over image streams, OpenShift rolebindings over RBAC ones). Each
// row's adapter maps get/list/create/update/delete onto the generic registry; serveVirtual turns
// requests into adapter calls, so the registry itself stays generic.
import { dump } from "js-yaml";
import { ApiError, badRequest, failure, methodNotAllowed, pathNotFound } from "../../../api/errors.ts";
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from "../../../api/patch.ts";
import { apiVersionOf, type ResourceInfo } from "../../../api/resources.ts";
import type { ApiObject, Status } from "../../../api/types.ts";
import type { ApiRequest, ApiResponse } from "../../../client/transport.ts";
import { decodeObjectBody, decodePatchBody, negotiate, patchTypeOf } from "../content.ts";
import { buildFilter, qualifiedResource, type DeleteOptions, type Registry, type WriteOptions } from "../registry.ts";
import type { Route } from "../routes.ts";
import { buildTable, parseIncludeObject, partialMetadata } from "../table.ts";

/** What an adapter works with. */
export interface VirtualContext {
  registry: Registry;
  now: () => Date;
}

/**
 * A virtual resource. Methods throw ApiError with the wording of the upstream registry; a
 * missing method answers 405. `list` returns every object (filtering is done by the caller).
 */
export interface VirtualResource {
  get?(c: VirtualContext, ns: string | undefined, name: string): ApiObject;
  list?(c: VirtualContext, ns: string | undefined): { items: ApiObject[]; rev: number };
  /** Answers a LIST with this object instead of a list (projectrequests' permission probe). */
  listStatus?: Status;
  create?(c: VirtualContext, ns: string | undefined, body: ApiObject, opts: WriteOptions): Promise<ApiObject>;
  update?(c: VirtualContext, ns: string | undefined, name: string, body: ApiObject, opts: WriteOptions): Promise<{ object: ApiObject; created: boolean }>;
  /** Returns what DELETE answers (a Status Success or the object). */
  delete?(c: VirtualContext, ns: string | undefined, name: string, opts: DeleteOptions): Promise<ApiObject | Status>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A Status Success of a delete, as OpenShift's virtual registries answer. */
export function deletedStatus(info: ResourceInfo, name: string, uid?: string): Status {
  const details: NonNullable<Status["details"]> = { name, group: info.group, kind: info.resource };
  if (uid) details.uid = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details, code: 200 };
}

/** Checks a body's kind and apiVersion against the row (400 as the registry words it). */
export function checkBody(info: ResourceInfo, body: unknown): ApiObject {
  if (!isObject(body)) throw badRequest(`the body of the request could not be decoded as a ${info.kind}`);
  const gv = apiVersionOf(info);
  if (body.kind !== undefined && body.kind !== "" && body.kind !== info.kind) {
    throw badRequest(`${String(body.kind)} in version "${info.version}" cannot be handled as a ${info.kind}: no kind "${String(body.kind)}" is registered for version "${gv}"`);
  }
  if (body.apiVersion !== undefined && body.apiVersion !== "" && body.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
  }
  if (!isObject(body.metadata)) body.metadata = {};
  return body as ApiObject;
}

function respond(status: number, obj: unknown, yaml: boolean): ApiResponse {
  if (yaml) return { status, headers: { "content-type": "application/yaml" }, body: dump(obj) };
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(obj) };
}

function patched(obj: ApiObject, type: string, patch: unknown): ApiObject {
  try {
    if (type === "json") return applyJsonPatch(obj, patch);
    if (type === "strategic") return applyStrategicMergePatch(obj, patch);
    return applyMergePatch(obj, patch);
  } catch (e) {
    if (e instanceof PatchError) throw new ApiError(failure(422, "Invalid", e.message));
    throw e;
  }
}

/**
 * Serves one request on a virtual row: GET/LIST (JSON, YAML, Table, metadata), POST, PUT,
 * PATCH (json/merge/strategic, applied to the current view then PUT) and DELETE. Watches,
 * deletecollection and subresources are 405/404. Throws ApiError; the caller renders it.
 */
export async function serveVirtual(v: VirtualResource, route: Route, req: ApiRequest, c: VirtualContext, dryRun: boolean): Promise<ApiResponse> {
  const info = route.info;
  const ns = info.namespaced ? route.namespace : undefined;
  const q = req.query ?? {};
  const h = req.headers ?? {};
  const neg = negotiate(h.accept);
  const yaml = neg.output === "yaml";
  const res = qualifiedResource(info);
  const need = <K extends keyof VirtualResource>(k: K, verb: string): NonNullable<VirtualResource[K]> => {
    const fn = v[k];
    if (!fn) throw methodNotAllowed(verb, res);
    return fn as NonNullable<VirtualResource[K]>;
  };
  if (route.subresource) throw pathNotFound();
  const watching = route.watchPrefix || ["1", "true", "True", "t", "T", "TRUE"].includes(q.watch ?? "");
  if (watching) throw methodNotAllowed("watch", res);
  const render = (obj: ApiObject): ApiResponse => {
    if (neg.output === "table") {
      return respond(200, buildTable(info, [obj], { now: c.now(), includeObject: parseIncludeObject(q.includeObject), listMeta: { resourceVersion: obj.metadata.resourceVersion } }), false);
    }
    if (neg.output === "metadata") return respond(200, partialMetadata(obj), false);
    return respond(200, obj, yaml);
  };
  if (route.name !== undefined) {
    const name = route.name;
    switch (req.method) {
      case "GET":
        return render(need("get", "get").call(v, c, ns, name));
      case "PUT": {
        const body = checkBody(info, decodeObjectBody(req.body, h["content-type"]));
        const out = await need("update", "update").call(v, c, ns, name, body, { dryRun });
        return respond(out.created ? 201 : 200, out.object, false);
      }
      case "PATCH": {
        const type = patchTypeOf(h["content-type"]);
        if (type === "apply") throw new ApiError(failure(415, "UnsupportedMediaType", `apply patches are not supported on ${res}`));
        const update = need("update", "patch");
        const cur = need("get", "patch").call(v, c, ns, name);
        const next = checkBody(info, patched(cur, type, decodePatchBody(req.body, type)));
        return respond(200, (await update.call(v, c, ns, name, next, { dryRun })).object, false);
      }
      case "DELETE":
        return respond(200, await need("delete", "delete").call(v, c, ns, name, { dryRun }), false);
      default:
        throw methodNotAllowed("create", res);
    }
  }
  switch (req.method) {
    case "GET": {
      if (v.listStatus) return respond(200, v.listStatus, false);
      const { items, rev } = need("list", "list").call(v, c, ns);
      const filter = buildFilter(info, q.labelSelector, q.fieldSelector);
      const kept = items.filter(filter);
      const meta = { resourceVersion: String(rev) };
      if (neg.output === "table") {
        return respond(200, buildTable(info, kept, { now: c.now(), includeObject: parseIncludeObject(q.includeObject), listMeta: meta }), false);
      }
      if (neg.output === "metadata") {
        return respond(200, { kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", metadata: meta, items: kept.map(partialMetadata) }, false);
      }
      return respond(200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: meta, items: kept }, yaml);
    }
    case "POST": {
      const body = checkBody(info, decodeObjectBody(req.body, h["content-type"]));
      if (info.namespaced && body.metadata.namespace && body.metadata.namespace !== ns) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      return respond(201, await need("create", "create").call(v, c, ns, body, { dryRun }), false);
    }
    default:
      throw methodNotAllowed(req.method === "DELETE" ? "deletecollection" : "update", res);
  }
}
