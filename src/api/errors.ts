// Typed API errors: the server builds a Status, the client throws the same Status back.
import type { Status, StatusCause, StatusDetails } from "./types.ts";

/** An error that is a Kubernetes Status (from the server, or built to send to a client). */
export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.status = status;
  }
  get code(): number { return this.status.code; }
  get reason(): string | undefined { return this.status.reason; }
}

export function failure(code: number, reason: string | undefined, message: string, details?: StatusDetails): Status {
  const s: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, code };
  if (reason) s.reason = reason;
  if (details) s.details = details;
  return s;
}

/** `resource` is the qualified plural: "pods", "deployments.apps". */
export const notFound = (resource: string, name: string): ApiError =>
  new ApiError(failure(404, "NotFound", `${resource} "${name}" not found`, { name, ...gk(resource) }));

export const alreadyExists = (resource: string, name: string): ApiError =>
  new ApiError(failure(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, ...gk(resource) }));

export const OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again";

export const conflict = (resource: string, name: string, why = OPTIMISTIC_LOCK): ApiError =>
  new ApiError(failure(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, ...gk(resource) }));

export const badRequest = (message: string): ApiError => new ApiError(failure(400, "BadRequest", message));

export const unauthorized = (): ApiError => new ApiError(failure(401, "Unauthorized", "Unauthorized"));

export const forbidden = (resource: string, name: string | undefined, why: string): ApiError =>
  new ApiError(failure(403, "Forbidden", name ? `${resource} "${name}" is forbidden: ${why}` : `${resource} is forbidden: ${why}`,
    { ...(name ? { name } : {}), ...gk(resource) }));

export const methodNotAllowed = (verb: string, resource: string): ApiError =>
  new ApiError(failure(405, "MethodNotAllowed", `${verb} is not supported on resources of kind "${resource}"`, gk(resource)));

export const gone = (message: string): ApiError => new ApiError(failure(410, "Expired", message));

export const unsupportedMediaType = (message: string): ApiError => new ApiError(failure(415, "UnsupportedMediaType", message));

export const notAcceptable = (message: string): ApiError => new ApiError(failure(406, "NotAcceptable", message));

export const internalError = (err: unknown): ApiError =>
  new ApiError(failure(500, "InternalError", `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`));

export const pathNotFound = (): ApiError => new ApiError(failure(404, "NotFound", "the server could not find the requested resource", {}));

/** Field-level validation error (`field.Error` upstream). */
export interface FieldError {
  type: "FieldValueRequired" | "FieldValueInvalid" | "FieldValueNotSupported" | "FieldValueDuplicate"
    | "FieldValueForbidden" | "FieldValueTooLong" | "FieldValueTooMany" | "FieldValueNotFound" | "InternalError";
  field: string;
  /** The body after "<field>: ", e.g. `Required value`, `Invalid value: "x": detail`. */
  message: string;
}

const quote = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v));

export const fieldRequired = (field: string, detail = ""): FieldError =>
  ({ type: "FieldValueRequired", field, message: detail ? `Required value: ${detail}` : "Required value" });
export const fieldInvalid = (field: string, value: unknown, detail = ""): FieldError =>
  ({ type: "FieldValueInvalid", field, message: `Invalid value: ${quote(value)}${detail ? `: ${detail}` : ""}` });
export const fieldNotSupported = (field: string, value: unknown, supported: string[]): FieldError =>
  ({ type: "FieldValueNotSupported", field, message: `Unsupported value: ${quote(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(", ")}` });
export const fieldDuplicate = (field: string, value: unknown): FieldError =>
  ({ type: "FieldValueDuplicate", field, message: `Duplicate value: ${quote(value)}` });
export const fieldForbidden = (field: string, detail: string): FieldError =>
  ({ type: "FieldValueForbidden", field, message: `Forbidden: ${detail}` });
export const fieldTooLong = (field: string, detail: string): FieldError =>
  ({ type: "FieldValueTooLong", field, message: `Too long: ${detail}` });
export const fieldNotFound = (field: string, value: unknown): FieldError =>
  ({ type: "FieldValueNotFound", field, message: `Not found: ${quote(value)}` });

/** 422 Invalid listing every field error. `qualifiedKind` is "Pod" or "Deployment.apps". */
export function invalid(qualifiedKind: string, name: string, errs: FieldError[], group = ""): ApiError {
  const flat = errs.map((e) => `${e.field}: ${e.message}`);
  const text = flat.length === 1 ? flat[0] : `[${flat.join(", ")}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.message, field: e.field }));
  const kind = qualifiedKind.split(".")[0];
  return new ApiError(failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${text}`,
    { name, ...(group ? { group } : {}), kind, causes }));
}

function gk(resource: string): { group?: string; kind: string } {
  const dot = resource.indexOf(".");
  return dot < 0 ? { kind: resource } : { kind: resource.slice(0, dot), group: resource.slice(dot + 1) };
}

export function isApiError(e: unknown, reason?: string): e is ApiError {
  return e instanceof ApiError && (reason === undefined || e.status.reason === reason);
}
