// invokedCommand: which top-level command main builds alone, and when it needs the whole tree.
import { expect, test } from "vitest";
import { mayPreconnect, mayTalkToServer } from "../../src/deps.ts";
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

// mayTalkToServer: whether bin/skiff.ts loads node:tls (and starts reading root certificates) up front.
test.each([
  [["get", "pods"], true],
  [["-n", "x", "describe", "pod/a"], true],
  [["version"], true],
  [["version", "--client"], false],
  [["get", "pods", "--help"], false],
  [["help", "get"], false],
  [["completion", "bash"], false],
  [["config", "view"], false],
  [[], false],
  [["logs", "p", "--", "--help"], true],
])("mayTalkToServer(%j) is %s", (argv, expected) => {
  expect(mayTalkToServer(argv)).toBe(expected);
});

// mayPreconnect: whether bin/skiff.ts opens the current context's connection before parsing.
test.each([
  [["get", "pods"], true],
  [["-n", "x", "get", "pods"], true],
  [["get", "pods", "--context", "other"], false],
  [["get", "pods", "--server=https://elsewhere:6443"], false],
  [["-shttps://elsewhere:6443", "get", "pods"], false],
  [["--kubeconfig", "/tmp/k", "get", "pods"], false],
  [["login", "https://api.example.com:6443"], false],
  [["cluster", "up"], false],
  [["version", "--client"], false],
  [["logs", "p", "--", "--server"], true],
])("mayPreconnect(%j) is %s", (argv, expected) => {
  expect(mayPreconnect(argv)).toBe(expected);
});
