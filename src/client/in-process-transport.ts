// The in-process Transport: requests go straight into an ApiServer's handler, no sockets.
import type { ApiRequest, ApiResponse, Transport } from "./transport.ts";

/** Anything that answers ApiRequests, e.g. the embedded ApiServer. */
export interface RequestHandler {
  handle(req: ApiRequest): Promise<ApiResponse>;
}

/** A Transport that hands every request to `handler`; `target` names it in error messages. */
export function createInProcessTransport(handler: RequestHandler, target = "in-process"): Transport {
  return {
    target,
    request: (req) => handler.handle(req),
  };
}
