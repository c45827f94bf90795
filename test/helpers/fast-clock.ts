// A test clock that runs faster than real time, for controller and minion loops.
import type { Clock } from "../../src/deps.ts";

/** A clock running `factor` times faster than real time (sleeps shrink to match). */
export function fastClock(factor: number, start = "2024-05-01T12:00:00Z"): Clock {
  const t0 = new Date(start).getTime();
  const r0 = Date.now();
  return {
    now: () => new Date(t0 + (Date.now() - r0) * factor),
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      if (signal?.aborted) { reject(signal.reason); return; }
      const onAbort = (): void => { clearTimeout(t); reject(signal!.reason); };
      const t = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms / factor);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
  };
}
