// OpenAPI documents (/openapi/v3 index and per group-version, /openapi/v2), generated from the resource table.
import { createHash } from "node:crypto";
import type { ApiRequest, ApiResponse } from "../../client/transport.ts";
import { apiVersionOf, groupVersionPath, type ResourceInfo } from "../../api/resources.ts";
import { SERVER_VERSION, jsonResponse, parseAccept, rowsOf, servedGroupVersions } from "./discovery.ts";

/** The only spelling Go's media-type parser accepts (the older `@v1.0` one breaks kubectl). */
export const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

type Json = Record<string, unknown>;
type Gvk = { group: string; version: string; kind: string };

/** Definition name of a kind, as kube-apiserver names it: io.k8s.api.core.v1.Pod. */
function definitionName(g: Gvk): string {
  if (!g.group.includes(".")) return `io.k8s.api.${g.group || "core"}.${g.version}.${g.kind}`;
  return `${g.group.split(".").reverse().join(".")}.${g.version}.${g.kind}`;
}

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";

/** "CoreV1" / "BuildOpenshiftIoV1", the stem kube-apiserver puts in operation ids. */
function opStem(info: ResourceInfo): string {
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  const group = info.group === "" ? "Core" : info.group.split(/[.-]/).map(cap).join("");
  return `${group}${cap(info.version)}`;
}

const stringParam = (name: string, inWhere: "query" | "path", description: string): Json =>
  ({ name, in: inWhere, description, ...(inWhere === "path" ? { required: true } : {}), schema: { type: "string", uniqueItems: true } });

const queryParams = {
  dryRun: stringParam("dryRun", "query", "When present, indicates that modifications should not be persisted."),
  fieldManager: stringParam("fieldManager", "query", "fieldManager is a name associated with the actor or entity that is making these changes."),
  fieldValidation: stringParam("fieldValidation", "query",
    "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict."),
  pretty: stringParam("pretty", "query", "If 'true', then the output is pretty printed."),
  force: { name: "force", in: "query", description: "Force is going to \"force\" Apply requests.", schema: { type: "boolean", uniqueItems: true } },
};

const ref3 = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Json): Json => ({ content: { "application/json": { schema } }, required: true });
const okResponses = (schema: Json, created = false): Json => ({
  "200": { description: "OK", content: { "application/json": { schema } } },
  ...(created ? { "201": { description: "Created", content: { "application/json": { schema } } } } : {}),
  "401": { description: "Unauthorized" },
});

/** The v3 operations of one resource (and its subresources), keyed by path. */
function resourcePathsV3(info: ResourceInfo): Record<string, Json> {
  const gvk: Gvk = { group: info.group, version: info.version, kind: info.kind };
  const def = ref3(definitionName(gvk));
  const stem = opStem(info);
  const scope = info.namespaced ? "Namespaced" : "";
  const base = groupVersionPath(info) + (info.namespaced ? "/namespaces/{namespace}" : "") + `/${info.resource}`;
  const nsParam = info.namespaced ? [stringParam("namespace", "path", "object name and auth scope, such as for teams and projects")] : [];
  const nameParam = stringParam("name", "path", `name of the ${info.kind}`);
  const op = (action: string, verb: string, kindOf: Gvk, extra: Json): Json => ({
    operationId: `${verb}${stem}${scope}${kindOf.kind}`,
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": kindOf,
    ...extra,
  });
  const patchOp = (kindOf: Gvk, schema: Json, suffix = ""): Json => ({
    ...op("patch", "patch", kindOf, {
      // Deliberately no strategic-merge-patch content type: with component schemas this thin,
      // `kubectl apply` would build patches from them; without it kubectl uses its compiled-in types.
      requestBody: {
        content: {
          "application/json-patch+json": { schema: ref3(`${META}.Patch`) },
          "application/merge-patch+json": { schema: ref3(`${META}.Patch`) },
          "application/apply-patch+yaml": { schema: ref3(`${META}.Patch`) },
        },
        required: true,
      },
      parameters: [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation, queryParams.force],
      responses: okResponses(schema, true),
    }),
    operationId: `patch${stem}${scope}${info.kind}${suffix}`,
  });
  const paths: Record<string, Json> = {};
  const own = gvk;
  paths[base] = {
    parameters: [...nsParam, queryParams.pretty],
    get: op("list", "list", own, { responses: okResponses({ type: "object" }) }),
    post: op("post", "create", own, {
      requestBody: jsonBody(def),
      parameters: [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation],
      responses: okResponses(def, true),
    }),
    delete: op("deletecollection", "deletecollection", own, { responses: okResponses(ref3(`${META}.Status`)) }),
  };
  paths[`${base}/{name}`] = {
    parameters: [nameParam, ...nsParam, queryParams.pretty],
    get: op("get", "read", own, { responses: okResponses(def) }),
    put: op("put", "replace", own, {
      requestBody: jsonBody(def),
      parameters: [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation],
      responses: okResponses(def, true),
    }),
    patch: patchOp(own, def),
    delete: op("delete", "delete", own, { responses: okResponses(def) }),
  };
  for (const sub of info.subresources) {
    const path = `${base}/{name}/${sub}`;
    const params = [nameParam, ...nsParam, queryParams.pretty];
    const suffix = sub.charAt(0).toUpperCase() + sub.slice(1);
    if (sub === "status" || sub === "scale") {
      const kindOf: Gvk = sub === "scale" ? { group: "autoscaling", version: "v1", kind: "Scale" } : own;
      const schema = ref3(definitionName(kindOf));
      paths[path] = {
        parameters: params,
        get: { ...op("get", "read", kindOf, { responses: okResponses(schema) }), operationId: `read${stem}${scope}${info.kind}${suffix}` },
        put: {
          ...op("put", "replace", kindOf, {
            requestBody: jsonBody(schema),
            parameters: [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation],
            responses: okResponses(schema, true),
          }),
          operationId: `replace${stem}${scope}${info.kind}${suffix}`,
        },
        patch: patchOp(kindOf, schema, suffix),
      };
    } else if (sub === "binding") {
      const kindOf: Gvk = { group: info.group, version: info.version, kind: "Binding" };
      paths[path] = {
        parameters: params,
        post: {
          ...op("post", "create", kindOf, {
            requestBody: jsonBody(ref3(definitionName(kindOf))),
            parameters: [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation],
            responses: okResponses(ref3(definitionName(kindOf)), true),
          }),
          operationId: `create${stem}${scope}${info.kind}${suffix}`,
        },
      };
    } else if (sub === "log") {
      paths[path] = {
        parameters: params,
        get: {
          operationId: `read${stem}${scope}${info.kind}Log`,
          "x-kubernetes-action": "get",
          "x-kubernetes-group-version-kind": own,
          responses: { "200": { description: "OK", content: { "text/plain": { schema: { type: "string" } } } } },
        },
      };
    } else if (sub === "finalize") {
      paths[path] = {
        parameters: params,
        put: {
          ...op("put", "replace", own, { requestBody: jsonBody(def), responses: okResponses(def, true) }),
          operationId: `replace${stem}${scope}${info.kind}Finalize`,
        },
      };
    }
  }
  return paths;
}

/** A schema that says "an object of this kind", enough for kubectl's GVK lookups. */
function kindSchema(g: Gvk, description: string): Json {
  return {
    description,
    type: "object",
    properties: {
      apiVersion: { description: "APIVersion defines the versioned schema of this representation of an object.", type: "string" },
      kind: { description: "Kind is a string value representing the REST resource this object represents.", type: "string" },
      metadata: { description: "Standard object's metadata.", type: "object", "x-kubernetes-preserve-unknown-fields": true },
      spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    },
    "x-kubernetes-group-version-kind": [g],
  };
}

/** Every kind a group-version document refers to (its resources plus Scale/Binding). */
function kindsOf(group: string, version: string): { gvk: Gvk; description: string }[] {
  const out = new Map<string, { gvk: Gvk; description: string }>();
  const add = (gvk: Gvk, description: string): void => { out.set(definitionName(gvk), { gvk, description }); };
  for (const info of rowsOf(group, version)) {
    add({ group: info.group, version: info.version, kind: info.kind }, `${info.kind} (${apiVersionOf(info)}, resource ${info.resource}).`);
    if (info.subresources.includes("scale")) add({ group: "autoscaling", version: "v1", kind: "Scale" }, "Scale represents a scaling request for a resource.");
    if (info.subresources.includes("binding")) add({ group: info.group, version: info.version, kind: "Binding" }, "Binding ties one object to another; for example, a pod is bound to a node by a scheduler.");
  }
  return [...out.values()];
}

function metaSchemas(): Record<string, Json> {
  return {
    [`${META}.Patch`]: { description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", type: "object" },
    [`${META}.Status`]: {
      description: "Status is a return value for calls that don't return other objects.",
      type: "object",
      "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Status" }],
    },
  };
}

/** The OpenAPI v3 document of one group-version, or undefined when it is not served. */
export function openApiV3Document(group: string, version: string): Json | undefined {
  const rows = rowsOf(group, version);
  if (rows.length === 0) return undefined;
  const paths: Record<string, Json> = {};
  for (const info of rows) Object.assign(paths, resourcePathsV3(info));
  const schemas: Record<string, Json> = metaSchemas();
  for (const { gvk, description } of kindsOf(group, version)) schemas[definitionName(gvk)] = kindSchema(gvk, description);
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion }, paths, components: { schemas } };
}

/** Upper-case hex SHA-512 of a document, as kube-apiserver puts in serverRelativeURL. */
function hashOf(body: string): string {
  return createHash("sha512").update(body).digest("hex").toUpperCase();
}

/** The /openapi/v3 index: one serverRelativeURL per served group-version. */
export function openApiV3Index(): Json {
  const paths: Record<string, Json> = {};
  for (const gv of servedGroupVersions()) {
    const doc = openApiV3Document(gv.group, gv.version);
    if (!doc) continue;
    const key = gv.group ? `apis/${apiVersionOf(gv)}` : `api/${gv.version}`;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hashOf(JSON.stringify(doc))}` };
  }
  return { paths };
}

/** A Swagger 2.0 document over every served kind, for clients that only speak v2. */
export function openApiV2Document(): Json {
  const definitions: Record<string, Json> = {
    [`${META}.Patch`]: metaSchemas()[`${META}.Patch`],
    [`${META}.Status`]: metaSchemas()[`${META}.Status`],
  };
  const paths: Record<string, Json> = {};
  for (const gv of servedGroupVersions()) {
    for (const { gvk, description } of kindsOf(gv.group, gv.version)) {
      const schema = kindSchema(gvk, description);
      definitions[definitionName(gvk)] = schema;
    }
    for (const info of rowsOf(gv.group, gv.version)) {
      const gvk = { group: info.group, version: info.version, kind: info.kind };
      const item = groupVersionPath(info) + (info.namespaced ? "/namespaces/{namespace}" : "") + `/${info.resource}/{name}`;
      paths[item] = {
        patch: {
          operationId: `patch${opStem(info)}${info.namespaced ? "Namespaced" : ""}${info.kind}`,
          consumes: ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"],
          produces: ["application/json"],
          parameters: [
            { name: "body", in: "body", required: true, schema: { $ref: `#/definitions/${META}.Patch` } },
            { uniqueItems: true, type: "string", name: "fieldValidation", in: "query" },
          ],
          responses: { "200": { description: "OK", schema: { $ref: `#/definitions/${definitionName(gvk)}` } } },
          "x-kubernetes-action": "patch",
          "x-kubernetes-group-version-kind": gvk,
        },
      };
    }
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion }, paths, definitions };
}

/**
 * Answers /openapi/v2 and /openapi/v3[/…], or returns undefined for any other path.
 * v2 asked for as protobuf gets an empty document (kubectl accepts it) with exactly the
 * protobuf media type, since kubectl rejects a response whose type differs from its Accept.
 */
export function serveOpenApi(req: ApiRequest): ApiResponse | undefined {
  if (req.method !== "GET") return undefined;
  const path = req.path.replace(/\/+$/, "");
  if (path === "/openapi/v2") {
    // The first acceptable entry of Accept decides, as in Go's negotiation.
    const first = parseAccept(req.headers?.accept)
      .find((m) => m.type.startsWith("application/com.github.proto-openapi.spec.v2") || m.type === "application/json" || m.type === "*/*");
    if (first?.type.includes("protobuf")) return { status: 200, headers: { "content-type": OPENAPI_V2_PROTOBUF }, body: "" };
    return jsonResponse(200, openApiV2Document());
  }
  if (path === "/openapi/v3") return jsonResponse(200, openApiV3Index());
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const doc = m[1] !== undefined ? openApiV3Document("", m[1]) : openApiV3Document(m[2], m[3]);
  if (!doc) return undefined;
  const res = jsonResponse(200, doc);
  // Versioned by hash in the index's URL, so clients may cache it for good.
  if (req.query?.hash) res.headers["cache-control"] = "public, immutable";
  else res.headers["cache-control"] = "no-cache, private";
  return res;
}
