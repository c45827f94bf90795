// Gives memory back after a burst. Creating tens of thousands of objects in a minute leaves V8's
// old generation with hundreds of MiB of pages that are mostly empty once the burst's garbage
// is swept; V8 compacts them only when the process goes idle, and a control plane with minions
// heartbeating never does. When the old generation has stopped growing and the last full
// collection found much of it free, one memory-reducing collection (what V8 runs under memory
// pressure) moves the live objects together and returns the empty pages to the system. It
// pauses the process for roughly a second per GiB of live heap, so it runs rarely: only after a
// burst, at most every few minutes.

/** The old generation's size and the part of it in use, in bytes. */
export interface OldSpace {
  size: number;
  used: number;
}

export interface MemoryReducerOptions {
  /** How often to look (default 3 s). */
  intervalMs?: number;
  /** Looks in a row that must find the old generation grown by less than quietGrowthBytes (default 2). */
  quietLooks?: number;
  /** Growth between two looks that still counts as quiet: steady work grows it a little (default 32 MiB). */
  quietGrowthBytes?: number;
  /** Free bytes the old generation must hold before compacting (default 256 MiB). */
  minFreeBytes?: number;
  /** Free share of the old generation before compacting (default 0.4). */
  minFreeRatio?: number;
  /** Least time between two compactions (default 5 minutes). */
  minGapMs?: number;
  /**
   * Old generation size from which, once quiet, it compacts without a full collection having
   * measured its live part since the burst (default 512 MiB): V8 may not run one for minutes.
   */
  speculativeBytes?: number;
  /** Told after each compaction: sizes before and after, and the pause. */
  onCompact?: (before: OldSpace, after: OldSpace, pauseMs: number) => void;
}

type Limits = Required<Pick<MemoryReducerOptions, "minFreeBytes" | "minFreeRatio" | "minGapMs" | "quietLooks" | "speculativeBytes">>;

/**
 * Whether to compact now: the old generation (`size` bytes) has not grown for `quiet` looks in
 * a row (the burst is over), the last compaction is old enough, and either a full collection
 * since the burst left enough of it free (`live` bytes in use just after it) or, with no such
 * measure, it is large.
 */
export function shouldCompact(size: number, live: number | undefined, quiet: number, msSinceLast: number, opts: Limits): boolean {
  if (quiet < opts.quietLooks || msSinceLast < opts.minGapMs) return false;
  if (live === undefined) return size >= opts.speculativeBytes;
  const free = size - live;
  return free >= opts.minFreeBytes && free >= opts.minFreeRatio * size && msSinceLast >= opts.minGapMs;
}

/** The old generation as V8 reports it now. */
export function oldSpace(): OldSpace {
  const v8 = process.getBuiltinModule("node:v8");
  const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === "old_space");
  return { size: s?.space_size ?? 0, used: s?.space_used_size ?? 0 };
}

let gcFunction: ((opts: object) => void) | undefined;

/**
 * One memory-reducing full collection: V8's `gc` with the "last-resort" flavour, which
 * compacts the heap and releases its empty pages. The function exists only with --expose-gc,
 * so that flag is set first; it is read when the context is made.
 */
export function compactHeap(): void {
  if (!gcFunction) {
    process.getBuiltinModule("node:v8").setFlagsFromString("--expose-gc");
    gcFunction = process.getBuiltinModule("node:vm").runInNewContext("gc") as (opts: object) => void;
  }
  gcFunction({ type: "major", execution: "sync", flavor: "last-resort" });
}

/** Starts looking every intervalMs; returns the function that stops it. Nothing it starts keeps the process alive. */
export function startMemoryReducer(opts: MemoryReducerOptions = {}): () => void {
  const limits: Limits = {
    minFreeBytes: opts.minFreeBytes ?? 256 * 1024 * 1024,
    minFreeRatio: opts.minFreeRatio ?? 0.4,
    minGapMs: opts.minGapMs ?? 5 * 60_000,
    quietLooks: opts.quietLooks ?? 2,
    speculativeBytes: opts.speculativeBytes ?? 512 * 1024 * 1024,
  };
  const quietGrowth = opts.quietGrowthBytes ?? 32 * 1024 * 1024;
  // Between full collections "used" counts dead objects too: what the old generation holds
  // live is read just after each one.
  const { PerformanceObserver, constants } = process.getBuiltinModule("node:perf_hooks");
  let live: number | undefined;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) live = oldSpace().used;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  let previous: number | undefined;
  let quiet = 0;
  let last = -Infinity;
  const timer = setInterval(() => {
    const now = oldSpace();
    quiet = previous !== undefined && now.size <= previous + quietGrowth ? quiet + 1 : 0;
    // A measure taken while the old generation still grew says nothing of after the burst.
    if (quiet === 0) live = undefined;
    previous = now.size;
    const at = performance.now();
    if (shouldCompact(now.size, live, quiet, at - last, limits)) {
      compactHeap();
      last = performance.now();
      const after = oldSpace();
      previous = after.size;
      live = after.used;
      quiet = 0;
      opts.onCompact?.(now, after, last - at);
    }
  }, opts.intervalMs ?? 3_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    observer.disconnect();
  };
}
