// The typed REST client's contract: generic over the resource table, errors as ApiError.
// Implemented by createApiClient() in ./client.ts over any Transport.
import type { Kinds, Resource, ResourceInfo } from "../api/resources.ts";
import type { ApiList, ApiObject, Table, WatchEvent } from "../api/types.ts";
import type { ApiRequest, ApiResponse } from "./transport.ts";

/**
 * A resolved resource: a row of skiff's table, or one learnt from the server's discovery
 * (then `columns`/`fields` are empty and the server's Table is what gets printed).
 */
export type ResourceRef = Pick<ResourceInfo, "resource" | "kind" | "group" | "version" | "namespaced">
  & Partial<Omit<ResourceInfo, "resource" | "kind" | "group" | "version" | "namespaced">>
  & { /** API verbs from discovery (api-resources -o wide); absent for table rows. */ verbs?: string[] };

/** What a method returns for a table key ("pods" → Pod) or a ref (→ ApiObject). */
export type ObjOf<X> = X extends Resource ? Kinds[X] : ApiObject;

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; the client follows `continue` until the end unless `onePage`. */
  limit?: number;
  continue?: string;
  onePage?: boolean;
  resourceVersion?: string;
}

export interface WriteOptions {
  dryRun?: boolean;                       // → dryRun=All
  fieldManager?: string;
  fieldValidation?: "Ignore" | "Warn" | "Strict";
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: "Foreground" | "Background" | "Orphan";
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WatchOptions {
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  /** Ask for Table-shaped event objects (kubectl get -w in table mode). */
  table?: boolean;
  signal?: AbortSignal;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
  signal?: AbortSignal;
}

export type Target = Resource | ResourceRef;

/** Every method throws ApiError for a Status from the server, ConnectionError when unreachable. */
export interface ApiClient {
  /** Where it talks to, e.g. "https://127.0.0.1:6443". */
  readonly server: string;
  /** Namespace from flags/context ("default" when neither says). */
  readonly namespace: string;

  /** skiff's table first, then the server's discovery; unknown → CliError `the server doesn't have a resource type "x"`. */
  resolve(word: string): Promise<ResourceRef>;
  /** The resource of a manifest's apiVersion + kind (table, then discovery). */
  resolveKind(apiVersion: string, kind: string): Promise<ResourceRef>;
  /** Every resource the server serves (api-resources). */
  discover(): Promise<ResourceRef[]>;
  version(): Promise<Record<string, string>>;

  get<X extends Target>(r: X, ns: string | undefined, name: string): Promise<ObjOf<X>>;
  list<X extends Target>(r: X, ns: string | undefined, opts?: ListOptions): Promise<ApiList<ObjOf<X>>>;
  /** Server-side printing; includeObject "Object" for --sort-by. name → one row. */
  table(r: Target, ns: string | undefined, opts?: ListOptions & { name?: string; includeObject?: "None" | "Metadata" | "Object" }): Promise<Table>;
  create<X extends Target>(r: X, ns: string | undefined, obj: ApiObject, opts?: WriteOptions): Promise<ObjOf<X>>;
  update<X extends Target>(r: X, ns: string | undefined, obj: ApiObject, opts?: WriteOptions): Promise<ObjOf<X>>;
  updateStatus<X extends Target>(r: X, ns: string | undefined, obj: ApiObject, opts?: WriteOptions): Promise<ObjOf<X>>;
  patch<X extends Target>(r: X, ns: string | undefined, name: string, type: PatchType, patch: unknown,
    opts?: WriteOptions & { subresource?: string; force?: boolean }): Promise<ObjOf<X>>;
  /** Returns the object (pods, graceful) or the Status the server sent. */
  delete(r: Target, ns: string | undefined, name: string, opts?: DeleteOptions): Promise<ApiObject>;
  watch<X extends Target>(r: X, ns: string | undefined, opts?: WatchOptions): AsyncIterable<WatchEvent<ObjOf<X>>>;
  getSubresource(r: Target, ns: string | undefined, name: string, sub: string): Promise<ApiObject>;
  putSubresource(r: Target, ns: string | undefined, name: string, sub: string, body: ApiObject): Promise<ApiObject>;
  postSubresource(r: Target, ns: string | undefined, name: string, sub: string, body: ApiObject): Promise<ApiObject>;
  /** Pod logs: the whole text, or (follow) a stream of chunks. */
  logs(ns: string, pod: string, opts?: LogOptions): Promise<string | AsyncIterable<string>>;
  /** Escape hatch: one raw request through the same transport and auth. */
  raw(req: ApiRequest): Promise<ApiResponse>;
}
