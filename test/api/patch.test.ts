// Table-driven tests for JSON patch, merge patch, strategic merge patch and the 2-/3-way patch computations.
import { describe, expect, test } from "vitest";
import {
  PatchError, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, createThreeWayMergePatch, createTwoWayMergePatch,
} from "../../src/api/patch.ts";

function patchError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return (e as Error).message;
  }
  throw new Error("expected a PatchError");
}

describe("applyJsonPatch (RFC 6902)", () => {
  test.each([
    ["add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { baz: "qux", foo: "bar" }],
    ["add an array element", { foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }], { foo: ["bar", "qux", "baz"] }],
    ["remove an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
    ["remove an array element", { foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }], { foo: ["bar", "baz"] }],
    ["replace a value", { baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }], { baz: "boo", foo: "bar" }],
    ["move a value", { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } }, [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
      { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } }],
    ["move an array element", { foo: ["all", "grass", "cows", "eat"] }, [{ op: "move", from: "/foo/1", path: "/foo/3" }], { foo: ["all", "cows", "eat", "grass"] }],
    ["test that succeeds", { baz: "qux", foo: ["a", 2, "c"] }, [{ op: "test", path: "/baz", value: "qux" }, { op: "test", path: "/foo/1", value: 2 }],
      { baz: "qux", foo: ["a", 2, "c"] }],
    ["add a nested member", { foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }], { foo: "bar", child: { grandchild: {} } }],
    ["~0 and ~1 escapes", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }, { op: "replace", path: "/~1", value: 8 }], { "/": 8, "~1": 10 }],
    ["append with -", { foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }], { foo: ["bar", ["abc", "def"]] }],
    ["copy", { a: { b: [1] } }, [{ op: "copy", from: "/a/b", path: "/c" }, { op: "add", path: "/c/-", value: 2 }], { a: { b: [1] }, c: [1, 2] }],
    ["replace the root", { a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }], { b: 2 }],
    ["test compares objects regardless of key order", { a: { x: 1, y: [1, { z: 2 }] } }, [{ op: "test", path: "/a", value: { y: [1, { z: 2 }], x: 1 } }],
      { a: { x: 1, y: [1, { z: 2 }] } }],
    ["add to the end by index", { a: [1] }, [{ op: "add", path: "/a/1", value: 2 }], { a: [1, 2] }],
    ["a label key with a slash", { metadata: { labels: {} } }, [{ op: "add", path: "/metadata/labels/app.kubernetes.io~1name", value: "web" }],
      { metadata: { labels: { "app.kubernetes.io/name": "web" } } }],
  ])("%s", (_name, doc, ops, want) => {
    const before = JSON.stringify(doc);
    expect(applyJsonPatch(doc, ops)).toEqual(want);
    expect(JSON.stringify(doc)).toBe(before);
  });

  test.each([
    ["a failing test", { baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], "testing value /baz failed: test failed"],
    ["a string is not a number", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }], "testing value /~01 failed: test failed"],
    ["add under a missing parent", { foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], 'doc is missing path: "/baz/bat"'],
    ["remove a missing member", { foo: "bar" }, [{ op: "remove", path: "/nope" }], 'doc is missing path: "/nope"'],
    ["replace a missing member", { foo: "bar" }, [{ op: "replace", path: "/nope", value: 1 }], 'doc is missing path: "/nope"'],
    ["index past the end", { a: [1] }, [{ op: "add", path: "/a/2", value: 2 }], 'array index 2 out of bounds in path "/a/2"'],
    ["a leading-zero index", { a: [1, 2] }, [{ op: "remove", path: "/a/01" }], 'invalid array index "01" in path "/a/01"'],
    ["remove with -", { a: [1] }, [{ op: "remove", path: "/a/-" }], 'invalid array index "-" in path "/a/-"'],
    ["a pointer without /", { a: 1 }, [{ op: "remove", path: "a" }], 'invalid JSON pointer "a": must be empty or start with "/"'],
    ["an unknown op", { a: 1 }, [{ op: "frobnicate", path: "/a" }], 'unknown patch operation "frobnicate"'],
    ["add without value", { a: 1 }, [{ op: "add", path: "/b" }], 'operation 0 (add): missing "value"'],
    ["move without from", { a: 1 }, [{ op: "move", path: "/b" }], 'operation 0 (move): missing "from"'],
    ["not a list", { a: 1 }, { op: "add" }, "a JSON patch must be a list of operations"],
    ["move into its own child", { a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }], 'cannot move "/a" into its own child "/a/b/c"'],
  ])("%s fails", (_name, doc, ops, message) => {
    expect(patchError(() => applyJsonPatch(doc, ops))).toBe(message);
  });

  test("a failure leaves the document untouched", () => {
    const doc = { a: 1 };
    patchError(() => applyJsonPatch(doc, [{ op: "replace", path: "/a", value: 2 }, { op: "test", path: "/a", value: 3 }]));
    expect(doc).toEqual({ a: 1 });
  });
});

describe("applyMergePatch (RFC 7386)", () => {
  test.each([
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    [{ spec: { containers: [{ name: "a" }, { name: "b" }] } }, { spec: { containers: [{ name: "b", image: "x" }] } },
      { spec: { containers: [{ name: "b", image: "x" }] } }],
  ])("%j + %j", (doc, patch, want) => {
    const before = JSON.stringify(doc);
    expect(applyMergePatch(doc, patch)).toEqual(want);
    expect(JSON.stringify(doc)).toBe(before);
  });
});

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: "web" }) => ({ apiVersion: "v1", kind: "Pod", metadata, spec });

describe("applyStrategicMergePatch", () => {
  test.each([
    ["containers merge by name",
      pod({ containers: [{ name: "a", image: "x" }, { name: "b", image: "y" }] }),
      { spec: { containers: [{ name: "b", image: "z" }] } },
      pod({ containers: [{ name: "a", image: "x" }, { name: "b", image: "z" }] })],
    ["a new container is appended",
      pod({ containers: [{ name: "a", image: "x" }] }),
      { spec: { containers: [{ name: "c", image: "w", env: [{ name: "E", value: "1" }] }] } },
      pod({ containers: [{ name: "a", image: "x" }, { name: "c", image: "w", env: [{ name: "E", value: "1" }] }] })],
    ["$patch: delete removes a list element",
      pod({ containers: [{ name: "a" }, { name: "b" }] }),
      { spec: { containers: [{ name: "a", $patch: "delete" }] } },
      pod({ containers: [{ name: "b" }] })],
    ["$patch: replace inside a list replaces it",
      pod({ containers: [{ name: "a" }, { name: "b" }] }),
      { spec: { containers: [{ name: "c", image: "i" }, { $patch: "replace" }] } },
      pod({ containers: [{ name: "c", image: "i" }] })],
    ["$setElementOrder orders a keyed list",
      pod({ containers: [{ name: "a" }, { name: "b" }] }),
      { spec: { "$setElementOrder/containers": [{ name: "c" }, { name: "b" }, { name: "a" }], containers: [{ name: "c" }] } },
      pod({ containers: [{ name: "c" }, { name: "b" }, { name: "a" }] })],
    ["container ports merge by containerPort, env by name, volumeMounts by mountPath",
      pod({ containers: [{ name: "a", ports: [{ containerPort: 80, name: "http" }], env: [{ name: "A", value: "1" }], volumeMounts: [{ mountPath: "/d", name: "v" }] }] }),
      { spec: { containers: [{ name: "a", ports: [{ containerPort: 80, protocol: "TCP" }, { containerPort: 443 }], env: [{ name: "A", value: "2" }, { name: "B", value: "3" }], volumeMounts: [{ mountPath: "/d", readOnly: true }] }] } },
      pod({ containers: [{ name: "a", ports: [{ containerPort: 80, name: "http", protocol: "TCP" }, { containerPort: 443 }], env: [{ name: "A", value: "2" }, { name: "B", value: "3" }], volumeMounts: [{ mountPath: "/d", name: "v", readOnly: true }] }] })],
    ["init containers, volumes, imagePullSecrets by name; hostAliases by ip",
      pod({ initContainers: [{ name: "i", image: "1" }], volumes: [{ name: "v", emptyDir: {} }], imagePullSecrets: [{ name: "s" }], hostAliases: [{ ip: "10.0.0.1", hostnames: ["a"] }] }),
      { spec: { initContainers: [{ name: "i", image: "2" }], volumes: [{ name: "w", emptyDir: {} }], imagePullSecrets: [{ name: "t" }], hostAliases: [{ ip: "10.0.0.1", hostnames: ["b"] }] } },
      pod({ initContainers: [{ name: "i", image: "2" }], volumes: [{ name: "v", emptyDir: {} }, { name: "w", emptyDir: {} }], imagePullSecrets: [{ name: "s" }, { name: "t" }], hostAliases: [{ ip: "10.0.0.1", hostnames: ["b"] }] })],
    ["lists without a merge key are replaced",
      pod({ tolerations: [{ key: "a" }], containers: [{ name: "a", args: ["x", "y"], command: ["sh"] }] }),
      { spec: { tolerations: [{ key: "b" }], containers: [{ name: "a", args: ["z"] }] } },
      pod({ tolerations: [{ key: "b" }], containers: [{ name: "a", args: ["z"], command: ["sh"] }] })],
    ["a Service's spec.ports merge by port",
      { kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
      { kind: "Service", metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443, targetPort: 8443 }] } }],
    ["conditions merge by type",
      { metadata: {}, status: { conditions: [{ type: "Ready", status: "False" }, { type: "PodScheduled", status: "True" }] } },
      { status: { conditions: [{ type: "Ready", status: "True" }] } },
      { metadata: {}, status: { conditions: [{ type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }] } }],
    ["ownerReferences merge by uid",
      { metadata: { ownerReferences: [{ uid: "1", name: "a" }] } },
      { metadata: { ownerReferences: [{ uid: "1", controller: true }, { uid: "2", name: "b" }] } },
      { metadata: { ownerReferences: [{ uid: "1", name: "a", controller: true }, { uid: "2", name: "b" }] } }],
    ["finalizers merge as a set",
      { metadata: { finalizers: ["a", "b"] } },
      { metadata: { finalizers: ["c", "a"] } },
      { metadata: { finalizers: ["a", "b", "c"] } }],
    ["$deleteFromPrimitiveList removes set members",
      { metadata: { finalizers: ["a", "b", "c"] } },
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["a", "c"] } },
      { metadata: { finalizers: ["b"] } }],
    ["null deletes, maps merge",
      { metadata: { labels: { a: "1", b: "2" } } },
      { metadata: { labels: { a: null, c: "3" } } },
      { metadata: { labels: { b: "2", c: "3" } } }],
    ["$patch: replace on a map",
      { metadata: { labels: { a: "1", b: "2" } } },
      { metadata: { labels: { $patch: "replace", x: "1" } } },
      { metadata: { labels: { x: "1" } } }],
    ["$patch: delete on a map",
      pod({ affinity: { nodeAffinity: {} }, nodeName: "m" }),
      { spec: { affinity: { $patch: "delete" } } },
      pod({ nodeName: "m" })],
    ["$retainKeys clears the keys it does not name",
      { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
      { spec: { strategy: { type: "Recreate" } } }],
    ["keyed lists inside an RC's pod template",
      { kind: "ReplicationController", spec: { replicas: 1, template: { metadata: { labels: { app: "w" } }, spec: { containers: [{ name: "a", image: "1", env: [{ name: "A", value: "1" }] }] } } } },
      { spec: { template: { spec: { containers: [{ name: "a", env: [{ name: "B", value: "2" }] }] } } } },
      { kind: "ReplicationController", spec: { replicas: 1, template: { metadata: { labels: { app: "w" } }, spec: { containers: [{ name: "a", image: "1", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }] } } } }],
    ["directives inside a newly added map are applied, not stored",
      { metadata: {} },
      { spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }, { name: "Y", $patch: "delete" }] }], strategy: { $patch: "merge", type: "x", gone: null } } },
      { metadata: {}, spec: { containers: [{ name: "a", env: [{ name: "X", value: "1" }] }], strategy: { type: "x" } } }],
  ])("%s", (_name, doc, patch, want) => {
    const before = JSON.stringify(doc);
    expect(applyStrategicMergePatch(doc, patch)).toEqual(want);
    expect(JSON.stringify(doc)).toBe(before);
  });

  test("schemaPath places a partial document", () => {
    const serviceSpec = { ports: [{ port: 80, targetPort: 8080 }] };
    const patch = { ports: [{ port: 443, targetPort: 8443 }] };
    expect(applyStrategicMergePatch(serviceSpec, patch, "spec")).toEqual({ ports: [{ port: 80, targetPort: 8080 }, { port: 443, targetPort: 8443 }] });
    expect(applyStrategicMergePatch(serviceSpec, patch)).toEqual(patch);
  });

  test.each([
    ["an element without its merge key", { spec: { containers: [{ image: "x" }] } }, 'map: {"image":"x"} does not contain declared merge key: name'],
    ["an unknown $patch", { spec: { $patch: "explode" } }, 'unknown patch type: "explode" in map: {"$patch":"explode"}'],
    ["a primitive in a keyed list", { spec: { containers: ["a"] } }, 'list spec.containers merges by name, but the patch holds "a"'],
  ])("%s fails", (_name, patch, message) => {
    expect(patchError(() => applyStrategicMergePatch(pod({ containers: [{ name: "a" }] }), patch))).toBe(message);
  });
});

describe("createTwoWayMergePatch", () => {
  test.each([
    ["no change", { a: 1, b: [1] }, { b: [1], a: 1 }, true, {}],
    ["label changed and removed", { metadata: { labels: { a: "1", b: "2" } } }, { metadata: { labels: { a: "3" } } }, true,
      { metadata: { labels: { a: "3", b: null } } }],
    ["container image changed", pod({ containers: [{ name: "w", image: "1" }, { name: "s", image: "x" }] }), pod({ containers: [{ name: "w", image: "2" }, { name: "s", image: "x" }] }), true,
      { spec: { containers: [{ name: "w", image: "2" }] } }],
    ["container removed", pod({ containers: [{ name: "w" }, { name: "s" }] }), pod({ containers: [{ name: "w" }] }), true,
      { spec: { containers: [{ name: "s", $patch: "delete" }] } }],
    ["env var added", pod({ containers: [{ name: "w", env: [{ name: "A", value: "1" }] }] }), pod({ containers: [{ name: "w", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }] }), true,
      { spec: { containers: [{ name: "w", env: [{ name: "B", value: "2" }] }] } }],
    ["finalizers", { metadata: { finalizers: ["a", "b"] } }, { metadata: { finalizers: ["a", "c"] } }, true,
      { metadata: { finalizers: ["c"], "$deleteFromPrimitiveList/finalizers": ["b"] } }],
    ["unkeyed list replaced", pod({ containers: [{ name: "w", args: ["a"] }] }), pod({ containers: [{ name: "w", args: ["a", "b"] }] }), true,
      { spec: { containers: [{ name: "w", args: ["a", "b"] }] } }],
    ["merge patch replaces lists whole", pod({ containers: [{ name: "w", image: "1" }] }), pod({ containers: [{ name: "w", image: "2" }] }), false,
      { spec: { containers: [{ name: "w", image: "2" }] } }],
    ["type change", { a: { b: 1 } }, { a: "x" }, true, { a: "x" }],
  ])("%s", (_name, original, modified, strategic, want) => {
    const patch = createTwoWayMergePatch(original, modified, strategic);
    expect(patch).toEqual(want);
    const apply = strategic ? applyStrategicMergePatch : applyMergePatch;
    expect(apply(original, patch)).toEqual(modified);
  });
});

describe("createThreeWayMergePatch (kubectl apply)", () => {
  const lastApplied = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web", labels: { app: "web", stale: "yes" } },
    spec: { containers: [{ name: "web", image: "nginx:1.24", env: [{ name: "A", value: "1" }] }, { name: "sidecar", image: "busybox" }] },
  };
  const file = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web", labels: { app: "web" } },
    spec: { containers: [{ name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }] },
  };
  const live = {
    apiVersion: "v1", kind: "Pod",
    metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "7", labels: { app: "web", stale: "yes", team: "ops" },
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" } },
    spec: {
      containers: [
        { name: "web", image: "nginx:1.24", env: [{ name: "A", value: "1" }], imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" },
        { name: "sidecar", image: "busybox", imagePullPolicy: "Always" },
      ],
      restartPolicy: "Always", nodeName: "minion-1",
    },
    status: { phase: "Running" },
  };

  test("pod: image change, removed label, added env var, removed container", () => {
    const patch = createThreeWayMergePatch(lastApplied, file, live, true);
    expect(patch).toEqual({
      metadata: { labels: { stale: null } },
      spec: { containers: [
        { name: "sidecar", $patch: "delete" },
        { name: "web", image: "nginx:1.25", env: [{ name: "B", value: "2" }] },
      ] },
    });
    expect(applyStrategicMergePatch(live, patch)).toEqual({
      ...live,
      metadata: { ...live.metadata, labels: { app: "web", team: "ops" } },
      spec: {
        ...live.spec,
        containers: [{ name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }, { name: "B", value: "2" }], imagePullPolicy: "IfNotPresent", terminationMessagePath: "/dev/termination-log" }],
      },
    });
  });

  test("replication controller: the same changes inside the pod template, and replicas", () => {
    const rc = (replicas: number, labels: Record<string, string>, containers: unknown[], extra: Record<string, unknown> = {}) => ({
      apiVersion: "v1", kind: "ReplicationController", metadata: { name: "web", ...extra },
      spec: { replicas, selector: { app: "web" }, template: { metadata: { labels }, spec: { containers } } },
    });
    const original = rc(2, { app: "web", stale: "yes" }, [{ name: "web", image: "nginx:1.24" }]);
    const modified = rc(3, { app: "web" }, [{ name: "web", image: "nginx:1.25", env: [{ name: "B", value: "2" }] }]);
    const current = rc(2, { app: "web", stale: "yes" }, [{ name: "web", image: "nginx:1.24", imagePullPolicy: "IfNotPresent" }], { uid: "u" });
    const patch = createThreeWayMergePatch(original, modified, current, true);
    expect(patch).toEqual({
      spec: { replicas: 3, template: { metadata: { labels: { stale: null } }, spec: { containers: [{ name: "web", image: "nginx:1.25", env: [{ name: "B", value: "2" }] }] } } },
    });
    expect(applyStrategicMergePatch(current, patch)).toEqual(
      rc(3, { app: "web" }, [{ name: "web", image: "nginx:1.25", imagePullPolicy: "IfNotPresent", env: [{ name: "B", value: "2" }] }], { uid: "u" }));
  });

  test("unchanged file against a defaulted live object gives an empty patch", () => {
    expect(createThreeWayMergePatch(lastApplied, lastApplied, live, true)).toEqual({});
  });

  test("fields someone else changed are reset only when the file sets them", () => {
    const original = { spec: { replicas: 2, paused: false } };
    const current = { spec: { replicas: 5, paused: false, minReadySeconds: 3 } };
    expect(createThreeWayMergePatch(original, original, current, true)).toEqual({ spec: { replicas: 2 } });
  });

  test("no last-applied configuration: nothing is deleted", () => {
    expect(createThreeWayMergePatch(undefined, { metadata: { labels: { a: "1" } } }, { metadata: { labels: { b: "2" } } }, true))
      .toEqual({ metadata: { labels: { a: "1" } } });
  });

  test("finalizers removed from the file are deleted from the set, others kept", () => {
    const patch = createThreeWayMergePatch({ metadata: { finalizers: ["a", "b"] } }, { metadata: { finalizers: ["a"] } },
      { metadata: { finalizers: ["a", "b", "x"] } }, true);
    expect(patch).toEqual({ metadata: { "$deleteFromPrimitiveList/finalizers": ["b"] } });
    expect(applyStrategicMergePatch({ metadata: { finalizers: ["a", "b", "x"] } }, patch)).toEqual({ metadata: { finalizers: ["a", "x"] } });
  });

  test("merge patch (strategic false) replaces lists whole and still deletes fields", () => {
    const patch = createThreeWayMergePatch(lastApplied, file, live, false);
    expect(patch).toEqual({ metadata: { labels: { stale: null } }, spec: { containers: file.spec.containers } });
    const applied = applyMergePatch(live, patch) as typeof live;
    expect(applied.spec.containers).toEqual(file.spec.containers);
    expect(applied.metadata.labels).toEqual({ app: "web", team: "ops" });
  });
});
