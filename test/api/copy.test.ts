// deepCopy: a full, unfrozen, unshared copy of JSON-shaped API objects.
import { expect, test } from "vitest";
import { deepCopy, jsonCopy } from "../../src/api/copy.ts";

test("copies nested objects and arrays without sharing or freezing", () => {
  const pod = Object.freeze({
    metadata: Object.freeze({ name: "a", labels: Object.freeze({ app: "x" }) }),
    spec: Object.freeze({ containers: Object.freeze([Object.freeze({ name: "c", ports: Object.freeze([{ containerPort: 80 }]) })]) }),
    status: null, n: 3, ok: true, gone: undefined,
  });
  const c = deepCopy(pod);
  expect(c).toStrictEqual(pod);
  expect(Object.isFrozen(c) || Object.isFrozen(c.metadata) || Object.isFrozen(c.spec.containers[0])).toBe(false);
  expect(c.metadata).not.toBe(pod.metadata);
  expect(c.spec.containers[0]!.ports).not.toBe(pod.spec.containers[0]!.ports);
  expect("gone" in c).toBe(true);
  (c.metadata.labels as { app: string }).app = "y";
  expect(pod.metadata.labels.app).toBe("x");
});

test("keeps scalars and the types of non-plain objects", () => {
  expect(deepCopy(null)).toBeNull();
  expect(deepCopy("s")).toBe("s");
  const when = new Date(0);
  const copied = deepCopy({ when });
  expect(copied.when).toBeInstanceOf(Date);
  expect(copied.when).not.toBe(when);
  expect(copied.when.getTime()).toBe(0);
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: [1, { b: 2 }] });
  expect(deepCopy(bare)).toEqual({ a: [1, { b: 2 }] });
});

test("jsonCopy gives what a JSON round trip gives", () => {
  const status = { phase: "Running", podIP: undefined, conditions: [{ type: "Ready", status: "True", reason: undefined }],
    list: [1, undefined, "x"], nested: { a: { b: null } }, when: new Date(0) };
  const copied = jsonCopy(status);
  expect(copied).toStrictEqual(JSON.parse(JSON.stringify(status)));
  expect(copied.conditions[0]).not.toBe(status.conditions[0]);
});
