// Gives memory back after a burst. Creating tens of thousands of objects in a minute leaves V8's
// old generation with hundreds of MiB of pages that are mostly empty once the burst's garbage
// is swept; V8 compacts them only when the process goes idle, and a control plane with minions
// heartbeating never does. When the old generation has stopped growing and much of it is free,
// one memory-reducing collection (what V8 runs under memory pressure) moves the live objects
// together and returns the empty pages to the system. It pauses the process for roughly a
// second per GiB of live heap, so it runs rarely: only after a burst, at most every few minutes.

/** The old generation's size and the part of it in use, in bytes. */
export interface OldSpace {
  size: number;
  used: number;
}

export interface MemoryReducerOptions {
  /** How often to look (default 10 s). */
  intervalMs?: number;
  /** Free bytes the old generation must hold before compacting (default 256 MiB). */
  minFreeBytes?: number;
  /** Free share of the old generation before compacting (default 0.4). */
  minFreeRatio?: number;
  /** Least time between two compactions (default 5 minutes). */
  minGapMs?: number;
  /** Told after each compaction: sizes before and after, and the pause. */
  onCompact?: (before: OldSpace, after: OldSpace, pauseMs: number) => void;
}

/**
 * Whether to compact now: the old generation did not grow since the last look (the burst is
 * over), enough of it is free, and the last compaction is old enough.
 */
export function shouldCompact(now: OldSpace, previous: OldSpace | undefined, msSinceLast: number,
  opts: Required<Pick<MemoryReducerOptions, "minFreeBytes" | "minFreeRatio" | "minGapMs">>): boolean {
  if (previous === undefined || now.size > previous.size) return false;
  const free = now.size - now.used;
  return free >= opts.minFreeBytes && free >= opts.minFreeRatio * now.size && msSinceLast >= opts.minGapMs;
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

/** Starts looking every intervalMs; returns the function that stops it. The timer never keeps the process alive. */
export function startMemoryReducer(opts: MemoryReducerOptions = {}): () => void {
  const limits = {
    minFreeBytes: opts.minFreeBytes ?? 256 * 1024 * 1024,
    minFreeRatio: opts.minFreeRatio ?? 0.4,
    minGapMs: opts.minGapMs ?? 5 * 60_000,
  };
  let previous: OldSpace | undefined;
  let last = -Infinity;
  const timer = setInterval(() => {
    const now = oldSpace();
    const at = performance.now();
    if (shouldCompact(now, previous, at - last, limits)) {
      compactHeap();
      last = performance.now();
      previous = oldSpace();
      opts.onCompact?.(now, previous, last - at);
      return;
    }
    previous = now;
  }, opts.intervalMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
