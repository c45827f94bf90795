// Reading -f manifests: files, directories (-R), stdin; multi-document YAML and JSON; Lists flattened.
import { readdir, readFile as fsReadFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { ApiObject } from "../api/types.ts";
import { CliError } from "../errors.ts";
import { groupifyObject } from "../template/legacy.ts";

export interface ManifestOptions {
  /** Descend into subdirectories of a directory argument (-R). */
  recursive?: boolean;
  /** Reads all of stdin, for the path "-". */
  stdin: () => Promise<string>;
  /** Reads one file as UTF-8 (defaults to the file system). */
  readFile?: (path: string) => Promise<string>;
}

/** The objects of one source: a file path, or "STDIN" as kubectl names it in errors. */
export interface Manifest {
  source: string;
  objects: ApiObject[];
}

const EXTENSIONS = [".json", ".yaml", ".yml"];

/** Reads a whole stream as UTF-8. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream as AsyncIterable<string | Buffer>) text += typeof chunk === "string" ? chunk : chunk.toString("utf8");
  return text;
}

/**
 * Loads every object named by `paths`, in order: a file as is, a directory's .json/.yaml/.yml
 * files sorted by name (subdirectories too with `recursive`), "-" from stdin. Throws
 * CliError `the path "x" does not exist` for a missing path, and one-line parse errors
 * `error parsing FILE: … line N: …` (kubectl's wording), before anything is sent.
 */
export async function loadManifests(paths: string[], opts: ManifestOptions): Promise<Manifest[]> {
  const read = opts.readFile ?? ((p: string) => fsReadFile(p, "utf8"));
  const files: { source: string; read: () => Promise<string> }[] = [];
  for (const p of paths) {
    if (p === "-") {
      files.push({ source: "STDIN", read: opts.stdin });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      throw new CliError(`the path "${p}" does not exist`);
    }
    if (!isDir) {
      files.push({ source: p, read: () => read(p) });
      continue;
    }
    for (const f of await walk(p, opts.recursive ?? false)) files.push({ source: f, read: () => read(f) });
  }
  const out: Manifest[] = [];
  for (const f of files) out.push({ source: f.source, objects: await parseManifest(await f.read(), f.source) });
  return out;
}

async function walk(dir: string, recursive: boolean): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...await walk(p, true));
    } else if (EXTENSIONS.some((x) => e.name.endsWith(x))) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Parses one manifest text (JSON, or YAML with `---` documents) into objects, flattening
 * `List` kinds and skipping empty documents. Throws CliError worded as kubectl's decoder.
 */
export async function parseManifest(text: string, source: string): Promise<ApiObject[]> {
  const docs: unknown[] = [];
  if (/^\s*[{[]/.test(text)) {
    try {
      docs.push(JSON.parse(text));
    } catch (e) {
      throw new CliError(`error parsing ${source}: json: ${await jsonErrorLine(text, e)}`);
    }
  } else {
    const yaml = await import("js-yaml");
    try {
      docs.push(...yaml.loadAll(text));
    } catch (e) {
      const mark = (e as { mark?: { line?: number } }).mark;
      const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
      const where = mark?.line !== undefined ? `line ${mark.line + 1}: ` : "";
      throw new CliError(`error parsing ${source}: error converting YAML to JSON: yaml: ${where}${reason}`);
    }
  }
  const objects: ApiObject[] = [];
  for (const doc of docs) flatten(doc, source, objects);
  return objects;
}

function flatten(doc: unknown, source: string, out: ApiObject[]): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new CliError(`error parsing ${source}: error unmarshaling JSON: json: cannot unmarshal ${Array.isArray(doc) ? "array" : typeof doc} into Go value of type map[string]interface {}`);
  }
  const o = doc as Record<string, unknown>;
  if (Object.keys(o).length === 0) return;
  if (typeof o.kind !== "string" || o.kind === "") {
    throw new CliError(`unable to decode "${source}": Object 'Kind' is missing in '${JSON.stringify(o)}'`);
  }
  if (o.kind.endsWith("List") && Array.isArray(o.items)) {
    for (const item of o.items) flatten(item, source, out);
    return;
  }
  o.metadata ??= {};
  // Legacy `apiVersion: v1` OpenShift kinds (the old /oapi/v1 form) go to their API group, as oc maps them.
  groupifyObject(o);
  out.push(o as ApiObject);
}

/** "line N: message" for a JSON syntax error: V8's own position, else the YAML parser's mark. */
async function jsonErrorLine(text: string, e: unknown): Promise<string> {
  const msg = e instanceof Error ? e.message : String(e);
  const v8 = /\(line (\d+) column \d+\)/.exec(msg);
  const short = msg.replace(/ in JSON at position \d+.*$/s, "").replace(/, ".*" is not valid JSON$/s, "");
  if (v8) return `line ${v8[1]}: ${short}`;
  const pos = /at position (\d+)/.exec(msg);
  if (pos) return `line ${text.slice(0, Number(pos[1])).split("\n").length}: ${short}`;
  try {
    const yaml = await import("js-yaml");
    yaml.loadAll(text);
  } catch (ye) {
    const line = (ye as { mark?: { line?: number } }).mark?.line;
    if (line !== undefined) return `line ${line + 1}: ${short}`;
  }
  return `line ${text.trimEnd().split("\n").length}: ${short}`;
}
