// Go text/tabwriter semantics: column blocks, padding, minimum width, remembered widths, ANSI.
import { expect, test } from "vitest";
import { DESCRIBE_LAYOUT, formatColumns, formatTabbed, TABLE_LAYOUT, TabWriter } from "../../src/formatters/tabwriter.ts";

test("table layout: widest cell plus 3, at least 6, last column unpadded", () => {
  expect(formatColumns([["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["web-1", "1/1", "Running", "0", "5m"]], TABLE_LAYOUT))
    .toBe("NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5m\n");
  expect(formatColumns([["A", "B"], ["x", "y"]])).toBe("A     B\nx     y\n");
});

test("describe layout: a column spans only consecutive lines that have it", () => {
  const text = "Name:\tweb-1\nNamespace:\tdefault\nContainers:\n  app:\n    Image:\tnginx\n    Restart Count:\t0\nEvents:\t<none>\n";
  expect(formatTabbed(text, DESCRIBE_LAYOUT)).toBe(
    "Name:       web-1\n" +
    "Namespace:  default\n" +
    "Containers:\n" +
    "  app:\n" +
    "    Image:          nginx\n" +
    "    Restart Count:  0\n" +
    // Consecutive lines with a tab share a block, whatever their indentation (as in Go).
    "Events:             <none>\n");
});

test("empty leading cells are padded (continuation lines)", () => {
  expect(formatTabbed("Labels:\tapp=web\n\ttier=fe\nIP:\t1.2.3.4\n")).toBe(
    "Labels:  app=web\n         tier=fe\nIP:      1.2.3.4\n");
});

test("an inner column aligns only within its own block", () => {
  expect(formatTabbed("Port:\thttp\t80/TCP\nTargetPort:\t8080/TCP\n")).toBe(
    "Port:        http  80/TCP\nTargetPort:  8080/TCP\n");
});

test("ANSI colour codes take no width", () => {
  expect(formatColumns([["NAME", "STATUS"], ["\x1b[32mweb\x1b[0m", "ok"]])).toBe(
    "NAME   STATUS\n\x1b[32mweb\x1b[0m    ok\n");
});

test("remembered widths keep later flushes aligned and only grow", () => {
  const w = new TabWriter(TABLE_LAYOUT);
  w.write("NAME\tSTATUS\nweb-1\tRunning\n");
  expect(w.flush()).toBe("NAME    STATUS\nweb-1   Running\n");
  w.write("a\tPending\n");
  expect(w.flush()).toBe("a       Pending\n");
  w.write("a-much-longer-name\tRunning\n");
  expect(w.flush()).toBe("a-much-longer-name   Running\n");
  w.write("b\tRunning\n");
  expect(w.flush()).toBe("b                    Running\n");
});

test("width counts code points, not bytes", () => {
  expect(formatColumns([["ñame", "x"], ["a", "y"]])).toBe("ñame   x\na      y\n");
});
