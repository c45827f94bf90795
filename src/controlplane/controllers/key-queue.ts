// The controllers' work queue: KeyQueue runs at most one sync per key at a time, coalesces
// bursts of adds, re-runs a key changed mid-sync, and retries failures with a per-key Backoff.
import { realClock, type Clock } from "../../deps.ts";

export interface BackoffOptions {
  /** First delay in ms; client-go's default controller rate limiter starts at 5 ms. */
  baseMs?: number;
  /** Largest delay in ms; client-go caps at 1000 s. */
  capMs?: number;
  /** Timers come from here (sleep with an AbortSignal), so tests can drive time. */
  clock?: Clock;
}

/**
 * Per-key exponential back-off, as client-go's ItemExponentialFailureRateLimiter: the n-th
 * consecutive failure of a key waits base × 2^(n−1), capped. `forget` resets a key after a
 * success. At most one retry per key is pending at a time.
 */
export class Backoff {
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly clock: Clock;
  private readonly failures = new Map<string, number>();
  private readonly pending = new Map<string, AbortController>();

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 5;
    this.capMs = opts.capMs ?? 1_000_000;
    this.clock = opts.clock ?? realClock;
  }

  /** The delay for the key's next retry; counts one more failure. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap is reached, so Math.min is enough.
    return Math.min(this.baseMs * 2 ** n, this.capMs);
  }

  /** How many consecutive failures the key has had. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Counts a failure and calls `fn` after the key's delay (unless cancelled). One pending retry per key. */
  retryLater(key: string, fn: () => void): void {
    const delay = this.when(key);
    if (this.pending.has(key)) return;
    const ac = new AbortController();
    this.pending.set(key, ac);
    this.clock.sleep(delay, ac.signal).then(
      () => { this.pending.delete(key); fn(); },
      () => { if (this.pending.get(key) === ac) this.pending.delete(key); },
    );
  }

  /** Resets the key's failure count (after a successful sync); a pending retry still fires. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Whether a retry for the key is waiting. */
  isPending(key: string): boolean {
    return this.pending.has(key);
  }

  /** Drops every pending retry; failure counts stay. */
  cancelAll(): void {
    for (const ac of this.pending.values()) ac.abort();
    this.pending.clear();
  }
}

export interface KeyQueueOptions {
  /** How many keys may sync at once (default 2). */
  workers?: number;
  /** Retry policy for failed syncs (default: 5 ms doubling to 1000 s on the real clock). */
  backoff?: Backoff;
  /** Timers for addAfter, and for the default back-off (default: the real clock). */
  clock?: Clock;
  /** Told about every failed sync (the key is retried regardless). */
  onError?: (key: string, err: unknown) => void;
}

/**
 * A de-duplicating work queue of object keys (`namespace/name`). Guarantees: a key is never
 * synced by two workers at once; adding a queued key is a no-op (bursts coalesce); adding a
 * key that is syncing makes it run once more afterwards; a sync that rejects is retried with
 * the key's back-off, and one that resolves resets it. Keys run in FIFO order.
 */
export class KeyQueue {
  private readonly sync: (key: string) => Promise<void>;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly workers: number;
  private readonly onError: ((key: string, err: unknown) => void) | undefined;
  private readonly queued = new Set<string>();   // insertion-ordered, so also the FIFO
  private readonly busy = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();    // changed mid-sync: run once more afterwards
  private readonly delayed = new Set<AbortController>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(sync: (key: string) => Promise<void>, opts: KeyQueueOptions = {}) {
    this.sync = sync;
    this.backoff = opts.backoff ?? new Backoff({ clock: opts.clock });
    this.clock = opts.clock ?? realClock;
    this.workers = Math.max(1, opts.workers ?? 2);
    this.onError = opts.onError;
  }

  /** Queues the key (no-op when already queued or after shutDown). */
  add(key: string): void {
    if (this.stopped) return;
    if (this.busy.has(key)) this.dirty.add(key);
    else this.queued.add(key);
    this.pump();
  }

  /** Queues the key after `ms` (periodic resyncs, "check again in 10 s"). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) { this.add(key); return; }
    const ac = new AbortController();
    this.delayed.add(ac);
    this.clock.sleep(ms, ac.signal).then(
      () => { this.delayed.delete(ac); this.add(key); },
      () => { this.delayed.delete(ac); },
    );
  }

  /** Queues the key after its back-off delay, counting a failure (what a failed sync does). */
  addRateLimited(key: string): void {
    if (this.stopped) return;
    this.backoff.retryLater(key, () => this.add(key));
  }

  /** Resets the key's back-off. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  /** Keys waiting to run (not counting those syncing or waiting for a retry). */
  get length(): number {
    return this.queued.size;
  }

  /** Keys syncing right now. */
  get active(): number {
    return this.busy.size;
  }

  /** Resolves once nothing is queued or syncing (pending retries and addAfter timers aside). */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.busy.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops the queue: later adds are ignored, queued keys and pending retries are dropped, and
   * the returned promise resolves once every sync in flight has finished. Idempotent.
   */
  async shutDown(): Promise<void> {
    this.stopped = true;
    this.queued.clear();
    this.dirty.clear();
    this.backoff.cancelAll();
    for (const ac of this.delayed) ac.abort();
    this.delayed.clear();
    while (this.busy.size > 0) await Promise.allSettled([...this.busy.values()]);
    this.wakeIdle();
  }

  private pump(): void {
    for (const key of this.queued) {
      if (this.busy.size >= this.workers) return;
      this.queued.delete(key);
      this.busy.set(key, this.run(key));
    }
    this.wakeIdle();
  }

  private async run(key: string): Promise<void> {
    try {
      await Promise.resolve().then(() => this.sync(key));
      this.backoff.forget(key);
    } catch (err) {
      this.onError?.(key, err);
      if (!this.stopped) this.backoff.retryLater(key, () => this.add(key));
    } finally {
      this.busy.delete(key);
      if (this.dirty.delete(key) && !this.stopped) this.add(key);
      else this.pump();
    }
  }

  private wakeIdle(): void {
    if (this.queued.size > 0 || this.busy.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
