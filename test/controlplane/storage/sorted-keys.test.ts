// SortedKeys against a plain sorted array, through enough changes to split and empty chunks.
import { expect, test } from "vitest";
import { SortedKeys } from "../../../src/controlplane/storage/sorted-keys.ts";

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

test("stays equal to a sorted array through random adds and deletes", () => {
  const random = rng(7);
  const keys = new SortedKeys(["/registry/pods/b", "/registry/pods/a", "/registry/pods/a"]);
  const model = new Set(["/registry/pods/a", "/registry/pods/b"]);
  for (let step = 0; step < 20_000; step++) {
    const k = `/registry/${random() < 0.5 ? "events" : "pods"}/ns${Math.floor(random() * 3)}/${Math.floor(random() * 3000)}`;
    if (random() < 0.7) expect(keys.add(k)).toBe(!model.has(k)), model.add(k);
    else expect(keys.delete(k)).toBe(model.has(k)), model.delete(k);
  }
  const sorted = [...model].sort();
  expect(keys.size).toBe(sorted.length);
  expect([...keys.from()]).toEqual(sorted);
  const prefix = "/registry/pods/ns1/";
  const listed: string[] = [];
  for (const k of keys.from(prefix)) {
    if (!k.startsWith(prefix)) break;
    listed.push(k);
  }
  expect(listed).toEqual(sorted.filter((k) => k.startsWith(prefix)));
  expect(keys.has(sorted[0]!)).toBe(true);
  expect(keys.has("/registry/zzz")).toBe(false);
});

test("empty, single and past-the-end cases", () => {
  const keys = new SortedKeys();
  expect([...keys.from("a")]).toEqual([]);
  expect(keys.delete("a")).toBe(false);
  expect(keys.add("m")).toBe(true);
  expect(keys.add("a")).toBe(true);
  expect(keys.add("z")).toBe(true);
  expect([...keys.from("n")]).toEqual(["z"]);
  expect([...keys.from("zz")]).toEqual([]);
  for (const k of ["a", "m", "z"]) expect(keys.delete(k)).toBe(true);
  expect(keys.size).toBe(0);
  expect([...keys.from()]).toEqual([]);
  expect(keys.add("b")).toBe(true);
  expect([...keys.from()]).toEqual(["b"]);
});
