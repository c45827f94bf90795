// Parameter values for `process`/`new-app`: `-p KEY=VALUE` and positional pairs, `--param-file`
// contents (oc's dotenv dialect), duplicate handling, and `-l` label specs, with oc's wording.
import { envVarNameErrors } from "../api/validation.ts";
import { CliError } from "../errors.ts";

/** A parameter or label input oc rejects; printed as `error: <message>`. */
export class ParamError extends CliError {}

/** One `--param-file`: its contents, or the reason it could not be read (in flag order). */
export type ParamFileInput = { name: string; contents: string } | { name: string; error: string };

/** The combined parameter values, and what oc reports about them. */
export interface ParsedParams {
  /** Command-line values first, then file values that did not clash, in input order. */
  values: Record<string, string>;
  /** Keys given more than once on the command line, sorted, each once (a usage error). */
  duplicates: string[];
  /** Lines for stderr: file values ignored because the key was already defined. */
  warnings: string[];
  /**
   * The first parse or read error. oc reports it only after the template has loaded (usage
   * errors win), so it is returned rather than thrown. When set, `values` is empty.
   */
  error?: ParamError;
}

/**
 * Combines command-line `KEY=VALUE` entries with `--param-file` contents the way oc's
 * ParseAndCombineEnvironment does: the value is everything after the first `=`; a key must
 * be an environment-variable name; a command-line value always beats a file value (with a
 * warning); among files the first definition wins. A command-line parse error stops before
 * any file is looked at, and the first unreadable file stops the rest. Pure.
 */
export function combineParams(args: readonly string[], files: readonly ParamFileInput[] = []): ParsedParams {
  const values: Record<string, string> = {};
  const dupes = new Set<string>();
  const warnings: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const errs = envVarNameErrors(key);
    if (errs.length > 0 || eq < 0) {
      return { values: {}, duplicates: [], warnings, error: new ParamError(`invalid parameter assignment in ${goQuote(arg)}, [${errs.join(" ")}]`) };
    }
    if (Object.hasOwn(values, key)) { dupes.add(key); continue; }
    values[key] = arg.slice(eq + 1);
  }
  const duplicates = [...dupes].sort();
  for (const file of files) {
    if ("error" in file) return { values: {}, duplicates, warnings, error: new ParamError(file.error) };
    let fileValues: Map<string, string>;
    try {
      fileValues = parseParamFile(file.contents, file.name);
    } catch (e) {
      if (e instanceof ParamError) return { values: {}, duplicates, warnings, error: e };
      throw e;
    }
    for (const [key, value] of fileValues) {
      if (Object.hasOwn(values, key)) {
        warnings.push(`warning: Template parameter ${goQuote(key)} already defined, ignoring value from file ${goQuote(file.name)}`);
      } else {
        values[key] = value;
      }
    }
  }
  return { values, duplicates, warnings };
}

/** oc's usage error for keys repeated on the command line. */
export function duplicateParamsMessage(duplicates: readonly string[]): string {
  return `The following parameters were provided more than once: ${duplicates.join(", ")}`;
}

/**
 * `--param` values that look like the old comma-separated form (`a=1,b=2`) each get oc's
 * warning line; oc checks every value (positional ones too) once `-p` was used at all.
 */
export function commaSeparationWarnings(values: readonly string[], flag = "--param"): string[] {
  return values.filter((v) => /.*=.*,.*=.*/.test(v))
    .map((v) => `warning: ${flag} no longer accepts comma-separated lists of values. ${goQuote(v)} will be treated as a single key-value pair.`);
}

/**
 * Parses one `--param-file` (name `-` means stdin and is reported as `stdin`). oc's dialect
 * (from godotenv): one `KEY=VALUE` or `KEY: VALUE` per line, no multi-line values; blank lines
 * and lines starting with `#` are skipped; an unquoted ` #` tail is a comment; `export ` before
 * the key is dropped; spaces around key and value are trimmed; a value wrapped in matching
 * `"` or `'` loses the quotes and has `\n`, `\r` and `\<c>` escapes resolved. A later line wins
 * over an earlier one with the same key.
 * Throws ParamError `Cannot read variables from file "<f>": Can't separate key from value`, or
 * `invalid parameter assignment in KEY=VALUE` for a key that is not an env-var name.
 */
export function parseParamFile(contents: string, name: string): Map<string, string> {
  const shown = name === "-" ? "stdin" : name;
  const env = new Map<string, string>();
  for (const line of scanLines(contents)) {
    if (isIgnoredLine(line)) continue;
    const parsed = parseLine(line);
    if (typeof parsed === "string") throw new ParamError(`Cannot read variables from file ${goQuote(shown)}: ${parsed}`);
    env.set(parsed[0], parsed[1]);
  }
  for (const [key, value] of env) {
    if (envVarNameErrors(key).length > 0) throw new ParamError(`invalid parameter assignment in ${key}=${value}`);
  }
  return env;
}

/**
 * Parses `-l k=v,k2=v2` as kubectl's generate.ParseLabels does (no label-syntax validation).
 * Throws ParamError `error parsing labels: unexpected label spec: <item>` or
 * `error parsing labels: unexpected empty label key` (or `no label spec passed` for "").
 */
export function parseLabels(spec: string): Record<string, string> {
  const fail = (why: string): never => { throw new ParamError(`error parsing labels: ${why}`); };
  if (spec.length === 0) fail("no label spec passed");
  const labels: Record<string, string> = {};
  for (const item of spec.split(",")) {
    const kv = item.split("=");
    if (kv.length !== 2) fail(`unexpected label spec: ${item}`);
    if (kv[0].length === 0) fail("unexpected empty label key");
    labels[kv[0]] = kv[1];
  }
  return labels;
}

// bufio.ScanLines: split on \n, drop one trailing \r per line, no empty token after a final \n.
function scanLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

function isIgnoredLine(line: string): boolean {
  const trimmed = trimChars(line, " \n\t");
  return trimmed.length === 0 || trimmed.startsWith("#");
}

// Returns [key, value] or the parse error text.
function parseLine(input: string): [string, string] | string {
  let line = input;
  if (line.length === 0) return "zero length string";
  if (line.includes("#")) {
    // Drops comments but keeps hashes inside quotes, with godotenv's segment-counting rule.
    let open = false;
    const keep: string[] = [];
    for (const segment of line.split("#")) {
      if (count(segment, "\"") === 1 || count(segment, "'") === 1) {
        if (open) { open = false; keep.push(segment); } else { open = true; }
      }
      if (keep.length === 0 || open) keep.push(segment);
    }
    line = keep.join("#");
  }
  const firstEquals = line.indexOf("=");
  const firstColon = line.indexOf(":");
  const sep = firstColon !== -1 && (firstColon < firstEquals || firstEquals === -1) ? ":" : "=";
  const at = line.indexOf(sep);
  if (at < 0) return "Can't separate key from value";
  let key = line.slice(0, at);
  if (key.startsWith("export")) key = key.slice("export".length);
  key = trimChars(key, " ");
  return [key, parseValue(line.slice(at + 1))];
}

function parseValue(raw: string): string {
  let value = trimChars(raw, " ");
  if (value.length > 1) {
    const first = value[0];
    if (first === value[value.length - 1] && (first === "\"" || first === "'")) {
      value = value.slice(1, -1).replace(/\\[^\n]/gu, (m) => {
        const c = m.slice(1);
        return c === "n" ? "\n" : c === "r" ? "\r" : c;
      });
    }
  }
  return value;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

function trimChars(s: string, chars: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && chars.includes(s[start])) start++;
  while (end > start && chars.includes(s[end - 1])) end--;
  return s.slice(start, end);
}

/** Go's %q for the strings oc quotes in these messages. */
export function goQuote(s: string): string {
  let out = "\"";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\"" || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\v") out += "\\v";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}
