// `-o json` and `-o yaml`: kubectl's JSON (4-space indent, sorted keys) and a YAML emitter that
// reproduces gopkg.in/yaml.v2 (what sigs.k8s.io/yaml, and so kubectl, prints) byte for byte.
import type { ApiObject } from "../api/types.ts";
import { goFloat, goJson, goNumber, yamlKeyCompare } from "./go-format.ts";

/** The wrapper kubectl prints around several objects (or any list result). */
export function listOf(items: readonly unknown[]): Record<string, unknown> {
  return { apiVersion: "v1", items: [...items], kind: "List", metadata: { resourceVersion: "" } };
}

/** kubectl's `-o json` text for one value: sorted keys, 4-space indent, trailing newline. */
export function toJson(value: unknown): string {
  return `${goJson(value, "    ")}\n`;
}

/** kubectl's `-o yaml` text for one value (one document, no `---`, trailing newline). */
export function toYaml(value: unknown): string {
  const e = new YamlEmitter();
  e.document(value);
  return e.text();
}

/** Stateful printers mirroring kubectl's: YAML separates every document after the first by `---`. */
export class JsonPrinter {
  /** One object prints bare; `list` (a get without a single name) wraps everything in a List. */
  print(objs: readonly ApiObject[], list: boolean): string {
    if (!list && objs.length === 1) return toJson(objs[0]);
    if (!list) return objs.map(toJson).join("");
    return toJson(listOf(objs));
  }
}

export class YamlPrinter {
  private count = 0;

  print(objs: readonly ApiObject[], list: boolean): string {
    if (list) return this.one(listOf(objs));
    return objs.map((o) => this.one(o)).join("");
  }

  private one(value: unknown): string {
    this.count++;
    return `${this.count > 1 ? "---\n" : ""}${toYaml(value)}`;
  }
}

// ---- the emitter: gopkg.in/yaml.v2 (libyaml) decisions for JSON-shaped data ----

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isBreak = (c: number): boolean => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlankz = (c: number | undefined): boolean =>
  c === undefined || c === 0x20 || c === 0x09 || isBreak(c) || c === 0;
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

const BASE60 = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const RESOLVE_MAP = new Set([
  "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
  "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
  "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
  "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
]);

function goParseInt(s: string, unsigned: boolean): boolean {
  let body = s;
  if (/^[+-]/.test(body)) {
    if (unsigned) return false;
    body = body.slice(1);
  }
  let digits: RegExp;
  let limit: bigint;
  let text = body;
  let radix = 10;
  if (/^0[xX]/.test(body)) { radix = 16; text = body.slice(2); digits = /^[0-9a-fA-F]+$/; }
  else if (/^0[oO]/.test(body)) { radix = 8; text = body.slice(2); digits = /^[0-7]+$/; }
  else if (/^0[bB]/.test(body)) { radix = 2; text = body.slice(2); digits = /^[01]+$/; }
  else if (/^0[0-9]/.test(body)) { radix = 8; text = body.slice(1); digits = /^[0-7]+$/; }
  else digits = /^[0-9]+$/;
  if (!digits.test(text)) return false;
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
  const n = BigInt(prefix + text);
  limit = unsigned ? 2n ** 64n - 1n : s.startsWith("-") ? 2n ** 63n : 2n ** 63n - 1n;
  return n <= limit;
}

function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?))?$/.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(Number(m[1]), month, 0)).getUTCDate()) return false;
  const h = Number(m[4] ?? m[7] ?? 0);
  const mi = Number(m[5] ?? m[8] ?? 0);
  const se = Number(m[6] ?? m[9] ?? 0);
  return h < 24 && mi < 60 && se < 60;
}

/** yaml.v2's resolve(): would this text, written plain, read back as something other than a string? */
function resolvesToNonString(s: string): boolean {
  if (s === "") return true;
  const c = s[0];
  let hint = "";
  if (c === "+" || c === "-") hint = "S";
  else if (c >= "0" && c <= "9") hint = "D";
  else if ("yYnNtTfFoO~".includes(c)) hint = "M";
  else if (c === ".") hint = ".";
  if (hint === "") return false;
  if (RESOLVE_MAP.has(s)) return true;
  if (hint === "M") return false;
  if (hint === ".") return /^\.([0-9]+([eE][-+]?[0-9]+)?)$/.test(s) || /^\.[0-9]*$/.test(s) && s.length > 1;
  if (isTimestamp(s)) return true;
  const plain = s.replaceAll("_", "");
  if (goParseInt(plain, false) || goParseInt(plain, true)) return true;
  if (YAML_FLOAT.test(plain)) return true;
  if (/^0b[01]+$/.test(plain) || /^-0b[01]+$/.test(plain)) return true;
  return false;
}

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar, block context only (JSON data is never flow here). */
function analyze(cps: number[]): Analysis {
  if (cps.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;

  const str = String.fromCodePoint(...cps.slice(0, 3));
  if (cps.length >= 3 && (str === "---" || str === "...")) {
    blockIndicators = true;
  }
  let precededByWhitespace = true;
  let followedByWhitespace = isBlankz(cps[1]);
  for (let i = 0; i < cps.length; i++) {
    // Flow indicators matter only in flow context, which JSON-shaped data never uses here.
    const ch = String.fromCodePoint(cps[i]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) blockIndicators = true;
      else if ((ch === "?" || ch === ":" || ch === "-") && followedByWhitespace) blockIndicators = true;
    } else if ((ch === ":" && followedByWhitespace) || (ch === "#" && precededByWhitespace)) {
      blockIndicators = true;
    }
    const c = cps[i];
    if (!isPrintable(c)) specialCharacters = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
    followedByWhitespace = isBlankz(cps[i + 2]);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

const DOUBLE_ESCAPES: Record<number, string> = {
  0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r",
  0x1b: "e", 0x22: '"', 0x5c: "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
};

class YamlEmitter {
  private out: string[] = [];
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;

  text(): string {
    return this.out.join("");
  }

  document(v: unknown): void {
    this.node(v, false);
    this.indent = -1;
    this.writeIndent();
  }

  private put(s: string): void {
    this.out.push(s);
    this.column += [...s].length;
  }

  private putBreak(): void {
    this.out.push("\n");
    this.column = 0;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private indicator(s: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    this.put(s);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** Emits any value; `mappingContext` marks a value directly under a mapping key. */
  private node(v: unknown, mappingContext: boolean, simpleKey = false): void {
    if (Array.isArray(v)) {
      if (v.length === 0) return this.flowEmpty("[]");
      return this.sequence(v, mappingContext);
    }
    if (isObj(v)) {
      const keys = Object.keys(v).filter((k) => v[k] !== undefined);
      if (keys.length === 0) return this.flowEmpty("{}");
      return this.mapping(v, keys);
    }
    this.scalar(v, simpleKey);
  }

  private flowEmpty(text: string): void {
    this.indicator(text, true, false, false);
  }

  private sequence(items: unknown[], mappingContext: boolean): void {
    const saved = this.indent;
    const indentless = mappingContext && !this.indention;
    if (this.indent < 0) this.indent = 0;
    else if (!indentless) this.indent += BEST_INDENT;
    for (const item of items) {
      this.writeIndent();
      this.indicator("-", true, false, true);
      this.node(item === undefined ? null : item, false);
    }
    this.indent = saved;
  }

  private mapping(obj: Record<string, unknown>, keys: string[]): void {
    const saved = this.indent;
    if (this.indent < 0) this.indent = 0;
    else this.indent += BEST_INDENT;
    for (const key of keys.sort(yamlKeyCompare)) {
      this.writeIndent();
      this.scalar(key, true);
      this.indicator(":", false, false, false);
      this.node(obj[key], true);
    }
    this.indent = saved;
  }

  private scalar(v: unknown, simpleKey: boolean): void {
    const saved = this.indent;
    this.indent = this.indent < 0 ? 0 : this.indent + BEST_INDENT;
    if (typeof v === "string") this.string(v, simpleKey);
    else this.plain(scalarText(v), false);
    this.indent = saved;
  }

  private string(s: string, simpleKey: boolean): void {
    let style: "plain" | "single" | "double" | "literal";
    if (s.includes("\n")) style = "literal";
    else if (resolvesToNonString(s) || BASE60.test(s)) style = "double";
    else style = "plain";
    const cps = [...s].map((c) => c.codePointAt(0)!);
    const a = analyze(cps);
    if (style === "plain") {
      if (!a.blockPlainAllowed) style = "single";
      if (cps.length === 0 && simpleKey) style = "single";
    }
    if (style === "single" && !a.singleQuotedAllowed) style = "double";
    if (style === "literal" && (!a.blockAllowed || simpleKey)) style = "double";
    const allowBreaks = !simpleKey;
    switch (style) {
      case "plain": return this.plain(s, allowBreaks);
      case "single": return this.singleQuoted(cps, allowBreaks);
      case "double": return this.doubleQuoted(cps, allowBreaks);
      case "literal": return this.literal(cps);
    }
  }

  private plain(s: string, allowBreaks: boolean): void {
    const cps = [...s].map((c) => c.codePointAt(0)!);
    if (cps.length > 0 && !this.whitespace) this.put(" ");
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && cps[i + 1] !== 0x20) this.writeIndent();
        else this.put(" ");
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out.push(String.fromCodePoint(c));
      this.column = 0;
    }
  }

  private singleQuoted(cps: number[], allowBreaks: boolean): void {
    this.indicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1 && cps[i + 1] !== 0x20) {
          this.writeIndent();
        } else {
          this.put(" ");
        }
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.put(String.fromCodePoint(c));
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.indicator("'", false, false, false);
  }

  private doubleQuoted(cps: number[], allowBreaks: boolean): void {
    this.indicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (!isPrintable(c) || c === 0xfeff || isBreak(c) || c === 0x22 || c === 0x5c) {
        const short = DOUBLE_ESCAPES[c];
        if (short !== undefined) this.put(`\\${short}`);
        else {
          const [p, w] = c <= 0xff ? ["x", 2] : c <= 0xffff ? ["u", 4] : ["U", 8];
          this.put(`\\${p}${c.toString(16).toUpperCase().padStart(w as number, "0")}`);
        }
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== cps.length - 1) {
          this.writeIndent();
          if (cps[i + 1] === 0x20) this.put("\\");
        } else {
          this.put(" ");
        }
        spaces = true;
      } else {
        this.put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.indicator('"', false, false, false);
  }

  private literal(cps: number[]): void {
    this.indicator("|", true, false, false);
    if (cps[0] === 0x20 || isBreak(cps[0])) this.indicator(String(BEST_INDENT), false, false, false);
    const n = cps.length;
    if (n === 0 || !isBreak(cps[n - 1])) this.indicator("-", false, false, false);
    else if (n === 1 || isBreak(cps[n - 2])) this.indicator("+", false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(String.fromCodePoint(c));
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return ".nan";
    if (v === Infinity) return ".inf";
    if (v === -Infinity) return "-.inf";
    return Number.isInteger(v) ? goNumber(v) : goFloat(v);
  }
  return String(v);
}
