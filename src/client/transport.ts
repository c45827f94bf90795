// The Transport seam: one HTTP-shaped request in, one response out — over HTTP(S) to a URL,
// or straight into an in-process ApiServer. Watches and followed logs arrive as `stream`.

export interface ApiRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Absolute path without the query, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  /** Query parameters; repeated keys are not needed by the Kubernetes API. */
  query?: Record<string, string>;
  /** Lower-case header names. content-type, accept, authorization… */
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the request, and ends a stream. */
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Whole body, for ordinary responses. */
  body?: string;
  /** Chunked body for watch (newline-delimited JSON) and log follow; ends when the server ends it. */
  stream?: AsyncIterable<string>;
}

/** Resolves for every HTTP status; rejects only when no response arrived (refused, TLS, timeout). */
export interface Transport {
  request(req: ApiRequest): Promise<ApiResponse>;
  /** Human-readable target for error messages, e.g. "127.0.0.1:6443". */
  readonly target: string;
  /** Opens a connection ahead of the first request, which then uses it; failures stay silent. */
  preconnect?(): void;
  close?(): Promise<void>;
}

/** Thrown by a Transport when the server could not be reached at all. */
export class ConnectionError extends Error {
  readonly target: string;
  readonly refused: boolean;
  constructor(target: string, refused: boolean, message: string) {
    super(message);
    this.target = target;
    this.refused = refused;
  }
}
