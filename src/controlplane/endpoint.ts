// The record a running control plane leaves in its data dir (endpoint.json): where it listens
// and which process it is. Read by `skiff cluster` without loading the control plane itself.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface EndpointRecord {
  url: string;
  port: number;
  pid: number;
  startedAt: string;
}

export const ENDPOINT_FILE = "endpoint.json";

/** Reads dataDir/endpoint.json, or undefined when absent or unreadable. */
export function readEndpoint(dataDir: string): EndpointRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(join(dataDir, ENDPOINT_FILE), "utf8")) as Partial<EndpointRecord>;
    if (typeof rec.url === "string" && typeof rec.port === "number" && typeof rec.pid === "number") {
      return { url: rec.url, port: rec.port, pid: rec.pid, startedAt: String(rec.startedAt ?? "") };
    }
  } catch { /* absent or half-written: no endpoint */ }
  return undefined;
}
