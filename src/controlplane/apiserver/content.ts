// Request body decoding (JSON, YAML) and response media-type negotiation (plain JSON, YAML, Table, PartialObjectMetadata).
import { load, YAMLException } from "js-yaml";
import { badRequest, notAcceptable, unsupportedMediaType } from "../../api/errors.ts";
import { decodeProtobufObject, isProtobufContentType } from "./protobuf.ts";

/** The patch flavours kube-apiserver accepts, by Content-Type. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+cbor": "apply",
};

/** Media type without parameters, lower-cased: "application/json; charset=utf-8" → "application/json". */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/**
 * Decodes a POST/PUT body (JSON, or YAML when the Content-Type says so; no Content-Type
 * means JSON). Throws 415 for other media types and 400 for malformed bodies.
 */
export function decodeObjectBody(body: string | undefined, contentType: string | undefined): unknown {
  const mt = mediaType(contentType);
  if (mt === "" || mt === "application/json" || mt === "*/*") return parseJson(body ?? "");
  if (mt === "application/yaml" || mt === "application/x-yaml" || mt === "text/yaml") return parseYaml(body ?? "");
  // kubectl's typed generators (create namespace/configmap/secret/…) send protobuf; the HTTPS
  // front carries binary bodies as latin1 strings, one character per byte.
  if (mt && isProtobufContentType(mt)) return decodeProtobufObject(Buffer.from(body ?? "", "latin1"));
  // matches kube-apiserver's negotiation failure for request bodies
  throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** The patch flavour of a PATCH request's Content-Type; 415 otherwise, with kube-apiserver's list. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = PATCH_TYPES[mediaType(contentType)];
  if (!t) {
    throw unsupportedMediaType("the body of the request was in an unknown format - accepted media types include: "
      + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json");
  }
  return t;
}

/** Decodes a patch body: apply patches are YAML (JSON is YAML), the others JSON. 400 when malformed. */
export function decodePatchBody(body: string | undefined, type: PatchType): unknown {
  return type === "apply" ? parseYaml(body ?? "") : parseJson(body ?? "");
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw badRequest("Object 'Kind' is missing in ''");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseYaml(text: string): unknown {
  try {
    return load(text);
  } catch (e) {
    if (e instanceof YAMLException) throw badRequest(`error converting YAML to JSON: ${e.message.split("\n")[0]}`);
    throw badRequest(`error converting YAML to JSON: ${String(e)}`);
  }
}

/** What the response body should be. */
export type OutputKind = "json" | "yaml" | "table" | "metadata";

export interface Negotiated {
  output: OutputKind;
  /** The Content-Type to answer with. */
  contentType: string;
}

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept.split(",").map((part) => {
    const [type, ...rest] = part.split(";");
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
    }
    return { type: type.trim().toLowerCase(), params };
  }).filter((m) => m.type !== "");
}

const JSONISH = new Set(["application/json", "application/*", "*/*"]);

/**
 * Picks the response representation from the Accept header, first acceptable entry wins
 * (kubectl lists Table first, then plain JSON). `as=Table;g=meta.k8s.io;v=v1|v1beta1` →
 * Table; `as=PartialObjectMetadata[List]` → metadata only; JSON or YAML otherwise. Throws
 * 406 when nothing offered is servable (e.g. protobuf only).
 */
export function negotiate(accept: string | undefined): Negotiated {
  if (!accept || accept.trim() === "") return { output: "json", contentType: "application/json" };
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    if (as !== undefined) {
      if (!JSONISH.has(m.type) || m.params.g !== "meta.k8s.io" || !(m.params.v === "v1" || m.params.v === "v1beta1")) continue;
      if (as === "Table") return { output: "table", contentType: "application/json" };
      if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { output: "metadata", contentType: "application/json" };
      continue;
    }
    if (JSONISH.has(m.type)) return { output: "json", contentType: "application/json" };
    if (m.type === "application/yaml") return { output: "yaml", contentType: "application/yaml" };
  }
  throw notAcceptable("only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io");
}
