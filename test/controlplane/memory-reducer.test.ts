// The memory reducer: when it decides to compact, and that the compaction it runs is real.
import { expect, test } from "vitest";
import { compactHeap, oldSpace, shouldCompact } from "../../src/controlplane/memory-reducer.ts";

const MiB = 1024 * 1024;
const limits = { minFreeBytes: 256 * MiB, minFreeRatio: 0.4, minGapMs: 300_000 };

test.each([
  ["first look: nothing to compare with", { size: 900 * MiB, used: 400 * MiB }, undefined, Infinity, false],
  ["burst over, half free", { size: 900 * MiB, used: 400 * MiB }, { size: 900 * MiB, used: 500 * MiB }, Infinity, true],
  ["still growing", { size: 950 * MiB, used: 400 * MiB }, { size: 900 * MiB, used: 500 * MiB }, Infinity, false],
  ["shrinking counts as over", { size: 880 * MiB, used: 400 * MiB }, { size: 900 * MiB, used: 500 * MiB }, Infinity, true],
  ["too little free in bytes", { size: 400 * MiB, used: 200 * MiB }, { size: 400 * MiB, used: 200 * MiB }, Infinity, false],
  ["too little free as a share", { size: 2000 * MiB, used: 1500 * MiB }, { size: 2000 * MiB, used: 1500 * MiB }, Infinity, false],
  ["compacted a minute ago", { size: 900 * MiB, used: 400 * MiB }, { size: 900 * MiB, used: 400 * MiB }, 60_000, false],
  ["compacted five minutes ago", { size: 900 * MiB, used: 400 * MiB }, { size: 900 * MiB, used: 400 * MiB }, 300_000, true],
])("%s", (_what, now, previous, sinceLast, expected) => {
  expect(shouldCompact(now, previous, sinceLast, limits)).toBe(expected);
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
