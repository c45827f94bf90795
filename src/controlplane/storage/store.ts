// The Store contract: revisioned keys with watch, as etcd gives kube-apiserver.
// Keys look like "/pods/default/web-1" or "/nodes/minion-1" (resource/namespace/name).
import type { ApiObject } from "../../api/types.ts";

export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  key: string;
  rev: number;
  /** The object after the write (for DELETED: its last state), resourceVersion = rev. */
  object: ApiObject;
  /** The object before the write (MODIFIED/DELETED), for selector transitions. */
  prev?: ApiObject;
}

export interface ListResult {
  items: ApiObject[];        // sorted by key; metadata.resourceVersion set
  rev: number;               // the store revision the list reflects
}

/**
 * A revisioned key/value store. One global revision counter; every write bumps it and the
 * new value is the object's resourceVersion. Writes resolve only once durable.
 * Objects handed in are not retained (copied). get and the write methods hand out fresh
 * copies; list items and watch events may be deep-frozen objects shared with the store
 * (read-only: copy before changing one), so large lists cost no copying.
 */
export interface Store {
  /** Current revision (the last committed write). */
  rev(): number;
  get(key: string): ApiObject | undefined;
  /** Every object whose key starts with prefix (e.g. "/pods/default/" or "/pods/"). */
  list(prefix: string): ListResult;
  /** Throws StoreError("exists") when the key is taken. Returns the stored copy. */
  create(key: string, obj: ApiObject): Promise<ApiObject>;
  /**
   * Replaces the value. expectedRev (if given) must equal the current one, else
   * StoreError("conflict"); a missing key is StoreError("notfound"). An update that changes
   * nothing keeps the revision and emits no event.
   */
  update(key: string, obj: ApiObject, expectedRev?: number): Promise<ApiObject>;
  /** Removes the key, returning its last state with the deletion's revision. */
  delete(key: string, expectedRev?: number): Promise<ApiObject>;
  /**
   * Events for keys under prefix with rev > fromRev, in order. fromRev older than the
   * retained history → StoreError("compacted", oldest). Returns a function that stops it.
   */
  watch(prefix: string, fromRev: number, onEvent: (e: StoreEvent) => void): () => void;
  /** Oldest revision still replayable by watch. */
  oldestRev(): number;
  close(): Promise<void>;
}

export class StoreError extends Error {
  readonly code: "exists" | "notfound" | "conflict" | "compacted";
  readonly oldest?: number;
  constructor(code: StoreError["code"], message: string, oldest?: number) {
    super(message);
    this.code = code;
    this.oldest = oldest;
  }
}
