// A long watch must not keep what it has already delivered: informers watch for the life of the
// control plane, so anything retained per event grows without bound.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { expect, test } from "vitest";
import { createApiClient } from "../../src/client/client.ts";
import { createInProcessTransport } from "../../src/client/in-process-transport.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const EVENTS = 2_000;
const PADDING = "x".repeat(50_000);

test("a watch with an abort signal does not retain delivered chunks", async () => {
  const t = createInProcessTransport({
    handle: async () => ({
      status: 200, headers: {},
      stream: (async function* () {
        // Each chunk is a fresh 50 kB string, as a real stream's are.
        for (let i = 0; i < EVENTS; i++) yield `{"type":"MODIFIED","object":{"metadata":{"name":"p${i}","annotations":{"pad":"${PADDING}${i}"}}}}\n`;
      })(),
    }),
  });
  const client = createApiClient(t, { namespace: "default", server: "in-process" });
  const ac = new AbortController();
  gc();
  const before = process.memoryUsage().heapUsed;
  let seen = 0;
  let mid = 0;
  for await (const ev of client.watch("pods", "default", { signal: ac.signal })) {
    expect(ev.object.metadata.name).toBe(`p${seen}`);
    seen++;
    if (seen === EVENTS) {
      // Still inside the watch (the abort listener is live): what it delivered must be collectable.
      gc();
      mid = process.memoryUsage().heapUsed;
    }
  }
  expect(seen).toBe(EVENTS);
  // 2,000 chunks of 50 kB are 100 MB: kept, they would show; released, the heap barely moves.
  expect(mid - before).toBeLessThan(20 * 1024 * 1024);
});
