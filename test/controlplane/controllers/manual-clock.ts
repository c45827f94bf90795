// A Clock whose time moves only when a test calls advance(); sleeps resolve as time passes them.
import type { Clock } from "../../../src/deps.ts";

export interface ManualClock extends Clock {
  /** Every delay passed to sleep(), in call order. */
  readonly sleeps: number[];
  /** Sleeps not yet due. */
  readonly pending: number;
  /** Moves time forward, waking each due sleeper in order, and lets their continuations run. */
  advance(ms: number): Promise<void>;
}

export function manualClock(start = "2024-05-01T12:00:00Z"): ManualClock {
  let now = new Date(start).getTime();
  const sleeps: number[] = [];
  let timers: { at: number; resolve: () => void }[] = [];
  const flush = async (): Promise<void> => { for (let i = 0; i < 20; i++) await Promise.resolve(); };
  return {
    sleeps,
    get pending() { return timers.length; },
    now: () => new Date(now),
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) { reject(signal.reason); return; }
        const t = { at: now + ms, resolve };
        timers.push(t);
        signal?.addEventListener("abort", () => { timers = timers.filter((x) => x !== t); reject(signal.reason); }, { once: true });
      });
    },
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.resolve();
        await flush();
      }
      now = target;
      await flush();
    },
  };
}
