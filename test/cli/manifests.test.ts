// loadManifests: files, directories, stdin, multi-document YAML, JSON, Lists, and parse errors with lines.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { loadManifests } from "../../src/cli/manifests.ts";

let dir: string;
const noStdin = async (): Promise<string> => { throw new Error("stdin not expected"); };
const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "skiff-manifests-"));
  await writeFile(join(dir, "two.yaml"), `${pod("a")}---\n${pod("b")}---\n`);
  await writeFile(join(dir, "list.json"), JSON.stringify({ apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Service", metadata: { name: "s" } }] }));
  await writeFile(join(dir, "notes.txt"), "not a manifest");
  await mkdir(join(dir, "sub"));
  await writeFile(join(dir, "sub", "c.yml"), pod("c"));
  await writeFile(join(dir, "bad.yaml.broken"), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: 1\n");
  await writeFile(join(dir, "bad.json.broken"), '{\n  "kind": "Pod",\n  "metadata": {"name": "x",}\n}\n');
  await writeFile(join(dir, "nokind.yaml.broken"), "apiVersion: v1\nmetadata:\n  name: x\n");
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const names = (ms: { source: string; objects: { kind?: string; metadata: { name?: string } }[] }[]) =>
  ms.map((m) => [m.source.replace(dir, "D"), m.objects.map((o) => `${o.kind}/${o.metadata.name}`)]);

test("a file with several documents; empty documents are skipped", async () => {
  expect(names(await loadManifests([join(dir, "two.yaml")], { stdin: noStdin }))).toEqual([["D/two.yaml", ["Pod/a", "Pod/b"]]]);
});

test("a directory: its .json/.yaml/.yml files in name order; -R descends", async () => {
  expect(names(await loadManifests([dir], { stdin: noStdin }))).toEqual([
    ["D/list.json", ["Service/s"]], ["D/two.yaml", ["Pod/a", "Pod/b"]]]);
  expect(names(await loadManifests([dir], { recursive: true, stdin: noStdin }))).toEqual([
    ["D/list.json", ["Service/s"]], ["D/sub/c.yml", ["Pod/c"]], ["D/two.yaml", ["Pod/a", "Pod/b"]]]);
});

test("- reads stdin, named STDIN", async () => {
  expect(names(await loadManifests(["-"], { stdin: async () => pod("in") }))).toEqual([["STDIN", ["Pod/in"]]]);
});

test.each<[string, string]>([
  ["missing", 'the path "D/missing" does not exist'],
  ["bad.yaml.broken", "error parsing D/bad.yaml.broken: error converting YAML to JSON: yaml: line 5: bad indentation of a mapping entry"],
  ["bad.json.broken", "error parsing D/bad.json.broken: json: line 3: "],
  ["nokind.yaml.broken", `unable to decode "D/nokind.yaml.broken": Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'`],
])("%s", async (file, message) => {
  const err = await loadManifests([join(dir, file)], { stdin: noStdin }).catch((e: Error) => e);
  expect(err).toBeInstanceOf(Error);
  const text = (err as Error).message.replaceAll(dir, "D");
  expect(text).not.toContain("\n");
  expect(text.startsWith(message)).toBe(true);
});
