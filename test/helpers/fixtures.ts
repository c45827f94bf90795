// The real public templates and manifests in ../shared/fixtures/real (see its SOURCES.md), as
// the tests that process or create them read them.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadAll } from "js-yaml";
import { isTemplate } from "../../src/template/process.ts";
import type { Template } from "../../src/template/types.ts";

const FIXTURES_DIR = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "real");

/** The documents of one fixture file (a JSON file holds one). */
export function loadFixture(file: string): unknown[] {
  const text = readFileSync(join(FIXTURES_DIR, file), "utf8");
  return file.endsWith(".json") ? [JSON.parse(text)] : loadAll(text);
}

/** Every Template of every fixture file, with its file name, in file-name order. */
export function fixtureTemplates(): [string, Template][] {
  return readdirSync(FIXTURES_DIR).sort()
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .flatMap((f) => loadFixture(f).filter(isTemplate).map((t): [string, Template] => [f, t]));
}

/** Values for the parameters that must be supplied: required, with no default and no generator. */
export function requiredValues(t: Template): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of t.parameters ?? []) if (p.required && !p.value && !p.generate) out[p.name] = `supplied-${p.name.toLowerCase().replace(/_/g, "-")}`;
  return out;
}
