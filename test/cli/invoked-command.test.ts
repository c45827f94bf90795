// invokedCommand: which top-level command main builds alone, and when it needs the whole tree.
import { expect, test } from "vitest";
import { invokedCommand } from "../../src/main.ts";

const specs = [
  { name: "get" }, { name: "cluster" }, { name: "cluster up" }, { name: "config view" },
  { name: "projects", aliases: ["project-list"] }, { name: "config use-context", aliases: ["use"] },
];

test.each([
  [["get", "pods"], "get"],
  [["-n", "kube-system", "get", "pods"], "get"],
  [["--namespace", "get", "config", "view"], "config"],
  [["--namespace=x", "--insecure-skip-tls-verify", "get"], "get"],
  [["-v", "6", "--context", "c", "cluster", "up"], "cluster"],
  [["-nfoo", "get"], "get"],
  [["project-list"], "projects"],
  [["use"], undefined],
  [[], undefined],
  [["-n", "x"], undefined],
  [["get", "--help"], undefined],
  [["-h", "get"], undefined],
  [["help", "get"], undefined],
  [["--", "get"], undefined],
  [["nosuch", "pods"], undefined],
  [["-"], undefined],
])("%j → %s", (argv, want) => {
  expect(invokedCommand(argv, specs)).toBe(want);
});
