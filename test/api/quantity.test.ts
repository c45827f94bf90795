import { describe, expect, it } from "vitest";
import { cpuMillis, memoryBytes, parseQuantity, QuantityError, tryParseQuantity } from "../../src/api/quantity.ts";

describe("parseQuantity", () => {
  it.each([
    ["1", 1], ["0", 0], ["500m", 0.5], ["1.5", 1.5], [".5", 0.5], ["100n", 1e-7], ["5u", 5e-6],
    ["1k", 1000], ["1M", 1e6], ["1G", 1e9], ["2T", 2e12], ["1P", 1e15], ["1E", 1e18],
    ["1Ki", 1024], ["128Mi", 134217728], ["1Gi", 1073741824], ["1Ti", 2 ** 40], ["1e3", 1000],
    ["1E3", 1000], ["2e-3", 0.002], ["+4", 4], ["-1", -1],
  ])("%s → %d", (s, want) => {
    expect(parseQuantity(s)).toBeCloseTo(want, 12);
  });

  it.each(["", "abc", "1KB", "1 Mi", "Mi", "1.2.3", "1e", "1ki", "--1"])("rejects %j", (s) => {
    expect(() => parseQuantity(s)).toThrow(QuantityError);
    expect(tryParseQuantity(s)).toBeUndefined();
  });

  it("carries upstream's error text", () => {
    expect(() => parseQuantity("abc")).toThrow("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  });
});

describe("cpuMillis / memoryBytes", () => {
  it.each([["500m", 500], ["1", 1000], ["0.1", 100], ["2.5", 2500], ["1m", 1], ["100u", 1]])("cpu %s → %d", (s, want) => {
    expect(cpuMillis(s)).toBe(want);
  });
  it.each([["128Mi", 134217728], ["1G", 1e9], ["1Ki", 1024], ["500m", 1], ["16393264Ki", 16393264 * 1024]])("memory %s → %d", (s, want) => {
    expect(memoryBytes(s)).toBe(want);
  });
});
