import { describe, expect, it } from "vitest";
import { ageOf, humanDuration, shortHumanDuration } from "../../src/api/duration.ts";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe("humanDuration", () => {
  it.each([
    [-3 * s, "<invalid>"],
    [-2 * s, "<invalid>"],
    [-1999, "0s"],          // truncated toward zero: -1 s
    [-1 * s, "0s"],
    [-500, "0s"],
    [0, "0s"],
    [999, "0s"],
    [59 * s, "59s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [2 * m + 3 * s, "2m3s"],
    [9 * m + 59 * s, "9m59s"],
    [10 * m, "10m"],
    [10 * m + 59 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [3 * h + 1 * m, "3h1m"],
    [7 * h + 59 * m, "7h59m"],
    [8 * h, "8h"],
    [47 * h, "47h"],
    [2 * d, "2d"],
    [2 * d + 5 * h, "2d5h"],
    [7 * d + 23 * h, "7d23h"],
    [8 * d, "8d"],
    [400 * d, "400d"],
    [729 * d, "729d"],
    [2 * y, "2y"],
    [2 * y + 1 * d, "2y1d"],
    [7 * y + 364 * d, "7y364d"],
    [8 * y, "8y"],
    [9 * y, "9y"],
  ])("%d ms → %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe("shortHumanDuration", () => {
  it.each([
    [-2 * s, "<invalid>"],
    [-1 * s, "0s"],
    [0, "0s"],
    [59 * s, "59s"],
    [60 * s, "1m"],
    [59 * m + 59 * s, "59m"],
    [h, "1h"],
    [23 * h + 59 * m, "23h"],
    [d, "1d"],
    [364 * d, "364d"],
    [365 * d, "1y"],
    [3 * y + 100 * d, "3y"],
  ])("%d ms → %s", (ms, want) => {
    expect(shortHumanDuration(ms)).toBe(want);
  });
});

describe("ageOf", () => {
  const now = new Date("2024-05-01T12:00:00Z");
  it.each([
    [undefined, "<unknown>"],
    ["", "<unknown>"],
    ["not a time", "<unknown>"],
    ["0001-01-01T00:00:00Z", "<unknown>"],
    ["2024-05-01T12:00:00Z", "0s"],
    ["2024-05-01T11:54:48Z", "5m12s"],
    ["2024-05-01T11:00:00Z", "60m"],
    ["2024-04-28T12:00:00Z", "3d"],
    ["2024-05-01T12:00:05Z", "<invalid>"],
  ])("%s → %s", (ts, want) => {
    expect(ageOf(ts, now)).toBe(want);
  });
});
