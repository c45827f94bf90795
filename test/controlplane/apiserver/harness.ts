// Test harness for the resource handler: a real SQLite store in a temp dir, a settable clock, seeded randomness.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiObject } from "../../../src/api/types.ts";
import type { ApiRequest, ApiResponse } from "../../../src/client/transport.ts";
import { createApiServer, type ApiServer, type ApiServerOptions } from "../../../src/controlplane/apiserver/api-server.ts";
import { openSqliteStore } from "../../../src/controlplane/storage/sqlite-store.ts";
import type { Store } from "../../../src/controlplane/storage/store.ts";

export interface Reply {
  status: number;
  headers: Record<string, string>;
  // Parsed JSON body (any: tests poke at arbitrary fields).
  body: any;
  text?: string;
  res: ApiResponse;
}

export interface Harness {
  server: ApiServer;
  store: Store;
  dir: string;
  setNow(iso: string): void;
  call(method: ApiRequest["method"], path: string, opts?: { body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Reply>;
  close(): Promise<void>;
}

/** Deterministic random source (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startHarness(extra: Partial<ApiServerOptions> = {}, storeOpts?: { historySize?: number }): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "skiff-apiserver-"));
  const store = openSqliteStore(join(dir, "state.db"), storeOpts);
  let now = new Date("2024-05-01T12:00:00Z");
  const server = createApiServer({ store, clock: { now: () => now }, random: seeded(42), bookmarkIntervalMs: 30, ...extra });
  await server.ready;
  return {
    server, store, dir,
    setNow(iso) {
      now = new Date(iso);
    },
    async call(method, path, opts = {}) {
      const body = opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      const res = await server.handle({ method, path, query: opts.query, headers: opts.headers, body, signal: opts.signal });
      let parsed: unknown;
      if (res.body !== undefined && res.headers["content-type"] === "application/json") parsed = JSON.parse(res.body);
      return { status: res.status, headers: res.headers, body: parsed, text: res.body, res };
    },
    async close() {
      server.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function pod(name: string, extra: Partial<ApiObject> & { labels?: Record<string, string> } = {}): ApiObject {
  const { labels, ...rest } = extra;
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: "app", image: "nginx:1.25" }] },
    ...rest,
  };
}

export function rc(name: string, replicas: number, selector: Record<string, string> = { app: name }): ApiObject {
  return {
    apiVersion: "v1", kind: "ReplicationController",
    metadata: { name },
    spec: {
      replicas, selector,
      template: { metadata: { labels: selector }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } },
    },
  };
}

/** Reads watch lines from a stream until `count` events arrived (or the stream ended). */
export async function readEvents(it: AsyncIterator<string>, count: number, timeoutMs = 3000): Promise<any[]> {
  const out: any[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out after ${out.length} of ${count} events: ${JSON.stringify(out.map((e) => e.type))}`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      it.next(),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), left);
      }),
    ]);
    clearTimeout(timer);
    if (r === "timeout") throw new Error(`timed out after ${out.length} of ${count} events: ${JSON.stringify(out.map((e) => e.type))}`);
    if (r.done) break;
    for (const line of r.value.split("\n")) if (line.trim()) out.push(JSON.parse(line));
  }
  return out;
}
