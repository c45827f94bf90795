// -o json / -o yaml output, byte for byte against kubectl (yaml.v2 emitter rules).
import { expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import { JsonPrinter, toJson, toYaml, YamlPrinter } from "../../src/formatters/json-yaml.ts";

const pod: ApiObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web-1", namespace: "default", uid: "6f1c2f0e-1111-4c1a-9d7e-2b3c4d5e6f70",
    resourceVersion: "4100", creationTimestamp: "2024-05-01T12:00:07Z",
    labels: { app: "web", "app.kubernetes.io/name": "web" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"v1","kind":"Pod"}\n' },
  },
  spec: {
    containers: [{
      name: "app", image: "nginx:1.25", ports: [{ containerPort: 80, protocol: "TCP" }],
      command: ["sh", "-c", "echo hello: world"], env: [{ name: "DEBUG", value: "true" }], resources: {},
    }],
    nodeName: "node-1", tolerations: [], priority: 0, enableServiceLinks: true,
  },
  status: { phase: "Running", podIP: "10.244.0.7", startTime: "2024-05-01T12:00:07Z", message: null },
};

test("yaml: sorted keys, unindented lists, ambiguous strings quoted, literal blocks", () => {
  expect(toYaml(pod)).toBe(`apiVersion: v1
kind: Pod
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Pod"}
  creationTimestamp: "2024-05-01T12:00:07Z"
  labels:
    app: web
    app.kubernetes.io/name: web
  name: web-1
  namespace: default
  resourceVersion: "4100"
  uid: 6f1c2f0e-1111-4c1a-9d7e-2b3c4d5e6f70
spec:
  containers:
  - command:
    - sh
    - -c
    - 'echo hello: world'
    env:
    - name: DEBUG
      value: "true"
    image: nginx:1.25
    name: app
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
  enableServiceLinks: true
  nodeName: node-1
  priority: 0
  tolerations: []
status:
  message: null
  phase: Running
  podIP: 10.244.0.7
  startTime: "2024-05-01T12:00:07Z"
`);
});

test.each<[string, unknown, string]>([
  ["yaml 1.1 booleans and nulls", { a: "yes", b: "off", c: "~", d: "", e: "null", f: "y" },
    'a: "yes"\nb: "off"\nc: "~"\nd: ""\ne: "null"\nf: "y"\n'],
  ["numbers and number-like strings", { a: "0x1F", b: "1e3", c: "1_000", d: "12:30", e: "1.2.3", f: ".5", g: "08", h: 2.5, i: 1e21 },
    'a: "0x1F"\nb: "1e3"\nc: "1_000"\nd: "12:30"\ne: 1.2.3\nf: ".5"\ng: "08"\nh: 2.5\ni: 1e+21\n'],
  ["indicators force single quotes", { a: "*x", b: "- x", c: "a #b", d: "-", e: "it's", f: "{x}", g: "x: y" },
    "a: '*x'\nb: '- x'\nc: 'a #b'\nd: '-'\ne: it's\nf: '{x}'\ng: 'x: y'\n"],
  ["control characters force double quotes", { a: "tab\there", b: "trailing ", c: "ünïcode" },
    'a: "tab\\there"\nb: \'trailing \'\nc: ünïcode\n'],
  ["multi-line strings", { a: "one\ntwo", b: "one\ntwo\n", c: "x\n\n" }, "a: |-\n  one\n  two\nb: |\n  one\n  two\nc: |+\n  x\n\n"],
  ["nested lists and empty collections", { a: [[1, 2], [], {}], b: [{ x: { z: 1 } }] },
    "a:\n- - 1\n  - 2\n- []\n- {}\nb:\n- x:\n    z: 1\n"],
  ["yaml.v2 key order: non-letters before letters, digit runs numerically", { aB: 1, a_b: 2, item10: 3, item9: 4 },
    "a_b: 2\naB: 1\nitem9: 4\nitem10: 3\n"],
  ["long plain strings fold past column 80", {
    message: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.",
  }, "message: '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane:\n  }, 2 Insufficient cpu.'\n"],
])("yaml %s", (_name, value, want) => {
  expect(toYaml(value)).toBe(want);
});

test("json: 4-space indent, sorted keys, HTML-safe escapes, trailing newline", () => {
  expect(toJson({ kind: "Pod", apiVersion: "v1", metadata: { name: "a&b" }, spec: { x: [], y: {}, z: "<none>" } })).toBe(`{
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "a\\u0026b"
    },
    "spec": {
        "x": [],
        "y": {},
        "z": "\\u003cnone\\u003e"
    }
}
`);
});

test("lists wrap in a List; one named object prints bare", () => {
  const a: ApiObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "a" } };
  const json = new JsonPrinter();
  expect(json.print([a], false)).toBe('{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {\n        "name": "a"\n    }\n}\n');
  expect(new YamlPrinter().print([a], true)).toBe(
    "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
  expect(new YamlPrinter().print([], true)).toBe("apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
});

test("yaml printed object by object is separated by ---", () => {
  const y = new YamlPrinter();
  const a: ApiObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "a" } };
  expect(y.print([a], false)).toBe("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n");
  expect(y.print([a], false)).toBe("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n");
});
