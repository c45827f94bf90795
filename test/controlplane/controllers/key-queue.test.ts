// KeyQueue and Backoff: one sync per key, coalescing, dirty re-runs, workers, retries, shutdown.
import { describe, expect, test } from "vitest";
import { Backoff, KeyQueue } from "../../../src/controlplane/controllers/key-queue.ts";
import { manualClock } from "./manual-clock.ts";

interface Deferred { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void }
function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe("KeyQueue", () => {
  test("a key syncs at most once at a time; adds during a sync make exactly one more run", async () => {
    const gates: Deferred[] = [];
    let running = 0;
    let maxRunning = 0;
    const q = new KeyQueue(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      const g = deferred();
      gates.push(g);
      await g.promise;
      running--;
    }, { workers: 4 });
    q.add("default/web");
    await tick();
    expect(gates).toHaveLength(1);
    for (let i = 0; i < 5; i++) q.add("default/web");
    await tick();
    expect(gates).toHaveLength(1);          // still one sync in flight
    gates[0]!.resolve();
    await tick();
    expect(gates).toHaveLength(2);          // the dirty re-run
    gates[1]!.resolve();
    await q.idle();
    expect(gates).toHaveLength(2);
    expect(maxRunning).toBe(1);
  });

  test("bursts of adds to a queued key coalesce into one sync", async () => {
    const seen: string[] = [];
    const block = deferred();
    const q = new KeyQueue(async (key) => {
      seen.push(key);
      if (key === "ns/blocker") await block.promise;
    }, { workers: 1 });
    q.add("ns/blocker");
    for (let i = 0; i < 10; i++) q.add("ns/a");
    q.add("ns/b");
    q.add("ns/a");
    expect(q.length).toBe(2);
    block.resolve();
    await q.idle();
    expect(seen).toEqual(["ns/blocker", "ns/a", "ns/b"]);   // FIFO, one run each
  });

  test.each([1, 2, 3])("never runs more than %i workers at once, and runs every key", async (workers) => {
    let running = 0;
    let maxRunning = 0;
    const done: string[] = [];
    const q = new KeyQueue(async (key) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      running--;
      done.push(key);
    }, { workers });
    for (let i = 0; i < 8; i++) q.add(`ns/k${i}`);
    await q.idle();
    expect(maxRunning).toBe(workers);
    expect(done.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `ns/k${i}`));
  });

  test("a failed sync is retried after 5, 10, 20 ms; success resets the back-off", async () => {
    const clock = manualClock();
    const errors: string[] = [];
    let failuresLeft = 3;
    let runs = 0;
    const q = new KeyQueue(async () => {
      runs++;
      if (failuresLeft-- > 0) throw new Error("boom");
    }, { backoff: new Backoff({ clock }), clock, onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`) });
    q.add("ns/x");
    await tick();
    expect(runs).toBe(1);
    expect(clock.sleeps).toEqual([5]);
    await clock.advance(4);
    expect(runs).toBe(1);
    await clock.advance(1);
    await tick();
    expect(runs).toBe(2);
    await clock.advance(10);
    await tick();
    expect(runs).toBe(3);
    await clock.advance(20);
    await tick();
    expect(runs).toBe(4);
    expect(clock.sleeps).toEqual([5, 10, 20]);
    expect(errors).toEqual(["ns/x: boom", "ns/x: boom", "ns/x: boom"]);
    // Reset: the next failure waits the base delay again.
    failuresLeft = 1;
    q.add("ns/x");
    await tick();
    expect(clock.sleeps).toEqual([5, 10, 20, 5]);
    await q.shutDown();
  });

  test("a sync that throws synchronously is treated as a failure", async () => {
    const clock = manualClock();
    const errors: unknown[] = [];
    const q = new KeyQueue((() => { throw new Error("sync"); }) as unknown as (k: string) => Promise<void>,
      { backoff: new Backoff({ clock }), clock, onError: (_k, e) => errors.push(e) });
    q.add("a/b");
    await q.idle();
    expect(errors).toHaveLength(1);
    expect(clock.pending).toBe(1);           // the retry is waiting
    await q.shutDown();
    expect(clock.pending).toBe(0);           // and shutDown cancelled it
  });

  test("addAfter queues the key when the time has passed", async () => {
    const clock = manualClock();
    const seen: string[] = [];
    const q = new KeyQueue(async (k) => { seen.push(k); }, { clock });
    q.addAfter("ns/later", 10_000);
    await clock.advance(9_999);
    expect(seen).toEqual([]);
    await clock.advance(1);
    await q.idle();
    expect(seen).toEqual(["ns/later"]);
  });

  test("shutDown waits for syncs in flight, drops queued keys and ignores later adds", async () => {
    const gate = deferred();
    const seen: string[] = [];
    let finished = false;
    const q = new KeyQueue(async (k) => {
      seen.push(k);
      if (k === "ns/slow") { await gate.promise; finished = true; }
    }, { workers: 1 });
    q.add("ns/slow");
    q.add("ns/queued");
    await tick();
    let shut = false;
    const p = q.shutDown().then(() => { shut = true; });
    q.add("ns/after");
    await tick();
    expect(shut).toBe(false);
    gate.resolve();
    await p;
    expect(finished).toBe(true);
    expect(seen).toEqual(["ns/slow"]);
    await q.shutDown();                      // idempotent
  });
});

describe("Backoff", () => {
  test("doubles per failure from 5 ms and caps at 1000 s, per key", () => {
    const b = new Backoff();
    const delays = Array.from({ length: 20 }, () => b.when("a"));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(Math.max(...delays)).toBe(1_000_000);
    expect(b.when("b")).toBe(5);
    expect(b.numRequeues("a")).toBe(20);
    b.forget("a");
    expect(b.when("a")).toBe(5);
  });

  test("custom base and cap (informer-style 800 ms → 30 s)", () => {
    const b = new Backoff({ baseMs: 800, capMs: 30_000 });
    expect(Array.from({ length: 7 }, () => b.when("k"))).toEqual([800, 1600, 3200, 6400, 12800, 25600, 30000]);
  });

  test("one pending retry per key; cancelAll drops it", async () => {
    const clock = manualClock();
    const b = new Backoff({ clock });
    let fired = 0;
    b.retryLater("k", () => fired++);
    b.retryLater("k", () => fired++);
    expect(b.isPending("k")).toBe(true);
    await clock.advance(5);
    expect(fired).toBe(1);
    b.retryLater("k", () => fired++);
    b.cancelAll();
    await clock.advance(1000);
    expect(fired).toBe(1);
    expect(b.isPending("k")).toBe(false);
  });
});
