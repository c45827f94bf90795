// The memory reducer: when it decides to compact, and that the compaction it runs is real.
import { expect, test } from "vitest";
import { compactHeap, oldSpace, shouldCompact, startMemoryReducer } from "../../src/controlplane/memory-reducer.ts";

const MiB = 1024 * 1024;
const limits = { minFreeBytes: 256 * MiB, minFreeRatio: 0.4, minGapMs: 300_000, quietLooks: 2, speculativeBytes: 512 * MiB };

test.each([
  ["burst over, half free", 900 * MiB, 400 * MiB, 2, Infinity, true],
  ["no full collection since the burst, large", 900 * MiB, undefined, 2, Infinity, true],
  ["no full collection since the burst, small", 400 * MiB, undefined, 2, Infinity, false],
  ["no full collection since the burst, compacted a minute ago", 900 * MiB, undefined, 2, 60_000, false],
  ["not quiet for long enough", 900 * MiB, 400 * MiB, 1, Infinity, false],
  ["still growing", 950 * MiB, 400 * MiB, 0, Infinity, false],
  ["too little free in bytes", 400 * MiB, 200 * MiB, 5, Infinity, false],
  ["too little free as a share", 2000 * MiB, 1500 * MiB, 5, Infinity, false],
  ["compacted a minute ago", 900 * MiB, 400 * MiB, 5, 60_000, false],
  ["compacted five minutes ago", 900 * MiB, 400 * MiB, 5, 300_000, true],
])("%s", (_what, size, live, quiet, sinceLast, expected) => {
  expect(shouldCompact(size, live, quiet, sinceLast, limits)).toBe(expected);
});

test("compactHeap gives back the pages a burst left mostly empty", () => {
  let keep: object[] = [];
  for (let i = 0; i < 300_000; i++) keep.push({ name: `pod-${i}`, labels: { app: "bench", i: String(i) }, spec: [i, i + 1] });
  keep = keep.filter((_, i) => i % 8 === 0);    // the burst's garbage: seven in eight die
  compactHeap();                                 // first call also sets the flag up
  const settled = oldSpace();
  for (let i = 0; i < 300_000; i++) keep.push({ name: `pod-${i}`, labels: { app: "bench", i: String(i) }, spec: [i, i + 1] });
  keep = keep.filter((_, i) => i % 8 === 0);
  const before = oldSpace();
  compactHeap();
  const after = oldSpace();
  expect(keep.length).toBeGreaterThan(0);
  expect(after.used).toBeLessThanOrEqual(before.used);
  expect(after.size).toBeLessThan(before.size);
  expect(after.size - after.used).toBeLessThan(64 * MiB);
  expect(settled.size).toBeGreaterThan(0);
});

test("startMemoryReducer compacts once the old generation stops growing, once per gap, and stops when told", async () => {
  const seen: number[] = [];
  const stop = startMemoryReducer({ intervalMs: 20, quietLooks: 2, minFreeBytes: 0, minFreeRatio: 0, minGapMs: 60_000, speculativeBytes: 0,
    onCompact: (_before, after, ms) => seen.push(after.size, ms) });
  try {
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.length).toBe(2);                  // once: the next is at least a minute away
    expect(seen[0]).toBeGreaterThan(0);
  } finally {
    stop();
  }
});
