// Server-side Table rendering as kubectl get prints it.
import { expect, test } from "vitest";
import type { Table, TableColumnDefinition } from "../../src/api/types.ts";
import { compileJsonPath } from "../../src/formatters/jsonpath.ts";
import { createWatchTablePrinter, noResourcesMessage, printTable } from "../../src/formatters/table.ts";

const col = (name: string, priority = 0, format = ""): TableColumnDefinition =>
  ({ name, type: "string", format, description: "", priority });

const podColumns = [col("Name", 0, "name"), col("Ready"), col("Status"), col("Restarts"), col("Age"),
  col("IP", 1), col("Node", 1), col("Nominated Node", 1), col("Readiness Gates", 1)];

function podRow(name: string, ns: string, cells: unknown[], labels: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    cells: [name, ...cells],
    object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name, namespace: ns, labels }, ...extra },
  };
}

function podTable(): Table {
  return {
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: { resourceVersion: "4101" }, columnDefinitions: podColumns,
    rows: [
      podRow("web-1", "default", ["1/1", "Running", 0, "5m", "10.244.0.7", "node-1", "<none>", "<none>"], { app: "web", tier: "fe" }),
      podRow("db-0", "data", ["0/1", "Pending", 3, "12s", null, null, "<none>", "<none>"], { app: "db" }),
    ],
  };
}

test("default columns, upper-cased headers, wide columns hidden", () => {
  expect(printTable(podTable())).toBe(
    "NAME    READY   STATUS    RESTARTS   AGE\n" +
    "web-1   1/1     Running   0          5m\n" +
    "db-0    0/1     Pending   3          12s\n");
});

test("-o wide adds priority-1 columns; nil cells print empty", () => {
  expect(printTable(podTable(), { wide: true })).toBe(
    "NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES\n" +
    "web-1   1/1     Running   0          5m    10.244.0.7   node-1   <none>           <none>\n" +
    "db-0    0/1     Pending   3          12s                         <none>           <none>\n");
});

test("-A, -L, --show-labels and --no-headers", () => {
  expect(printTable(podTable(), { namespaceColumn: true, labelColumns: ["app.kubernetes.io/name", "app"], showLabels: true }))
    .toBe(
      "NAMESPACE   NAME    READY   STATUS    RESTARTS   AGE   NAME   APP   LABELS\n" +
      "default     web-1   1/1     Running   0          5m           web   app=web,tier=fe\n" +
      "data        db-0    0/1     Pending   3          12s          db    app=db\n");
  expect(printTable(podTable(), { noHeaders: true })).toBe(
    "web-1   1/1   Running   0     5m\n" +
    "db-0    0/1   Pending   3     12s\n");
});

test("several types: kind prefix, own header each, blank line between", () => {
  const svc: Table = {
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {},
    columnDefinitions: [col("Name", 0, "name"), col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), col("Age"), col("Selector", 1)],
    rows: [{ cells: ["web", "ClusterIP", "10.96.0.12", "<none>", "80/TCP", "3d", "app=web"] }],
  };
  const deploy: Table = {
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {},
    columnDefinitions: [col("Name", 0, "name"), col("Age")], rows: [{ cells: ["web", "1h"] }],
  };
  expect(printTable([{ table: podTable(), kindPrefix: "pod" }, { table: svc, kindPrefix: "service" },
    { table: deploy, kindPrefix: "deployment.apps" }], { showKind: true })).toBe(
    "NAME        READY   STATUS    RESTARTS   AGE\n" +
    "pod/web-1   1/1     Running   0          5m\n" +
    "pod/db-0    0/1     Pending   3          12s\n" +
    "\n" +
    "NAME          TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE\n" +
    "service/web   ClusterIP   10.96.0.12   <none>        80/TCP    3d\n" +
    "\n" +
    "NAME                  AGE\n" +
    "deployment.apps/web   1h\n");
});

test("tables of one type merge under one header; empty tables print nothing", () => {
  const one = (name: string): Table => ({ ...podTable(), rows: [podTable().rows[name === "web-1" ? 0 : 1]] });
  expect(printTable([one("web-1"), one("db-0")])).toBe(
    "NAME    READY   STATUS    RESTARTS   AGE\n" +
    "web-1   1/1     Running   0          5m\n" +
    "db-0    0/1     Pending   3          12s\n");
  expect(printTable({ ...podTable(), rows: [] })).toBe("");
});

test("cells are cut at a newline and control characters escaped", () => {
  const t: Table = {
    kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {},
    columnDefinitions: [col("Name", 0, "name"), col("Message"), col("Ok"), col("N")],
    rows: [{ cells: ["e1", "first line\nsecond", true, 2.5] }, { cells: ["e2", "bell\x1b[31m", false, 10] }],
  };
  expect(printTable(t)).toBe(
    "NAME   MESSAGE         OK      N\n" +
    "e1     first line...   true    2.5\n" +
    "e2     bell^[[31m      false   10\n");
});

test("--sort-by sorts rows on their objects (numbers, natural strings, missing first)", () => {
  const t = podTable();
  t.rows = [
    podRow("web-10", "default", ["1/1", "Running", 0, "1m"], {}, { spec: { priority: 5 } }),
    podRow("web-9", "default", ["1/1", "Running", 0, "1m"], {}, { spec: { priority: 1 } }),
    podRow("web-2", "default", ["1/1", "Running", 0, "1m"]),
  ];
  expect(printTable(t, { sortBy: compileJsonPath("{.metadata.name}") }).split("\n").map((l) => l.split(" ")[0]))
    .toEqual(["NAME", "web-2", "web-9", "web-10", ""]);
  expect(printTable(t, { sortBy: compileJsonPath("{.spec.priority}") }).split("\n").map((l) => l.split(" ")[0]))
    .toEqual(["NAME", "web-2", "web-9", "web-10", ""]);
});

test("watch: header once, widths kept, EVENT column, events without column definitions", () => {
  const p = createWatchTablePrinter({});
  expect(p.printRows(podTable(), "ADDED")).toBe(
    "EVENT      NAME    READY   STATUS    RESTARTS   AGE\n" +
    "ADDED      web-1   1/1     Running   0          5m\n" +
    "ADDED      db-0    0/1     Pending   3          12s\n");
  const event: Table = { ...podTable(), columnDefinitions: [], rows: [podTable().rows[1]] };
  event.rows[0].cells = ["db-0", "1/1", "Running", 3, "40s"];
  expect(p.printRows(event, "MODIFIED")).toBe("MODIFIED   db-0    1/1     Running   3          40s\n");
  const plain = createWatchTablePrinter({});
  plain.printRows(podTable());
  expect(plain.printRows({ ...podTable(), rows: [podRow("a", "default", ["0/1", "ContainerCreating", 0, "0s"])] }))
    .toBe("a       0/1     ContainerCreating   0          0s\n");
});

test("no resources message", () => {
  expect(noResourcesMessage("default")).toBe("No resources found in default namespace.");
  expect(noResourcesMessage(undefined)).toBe("No resources found");
});
