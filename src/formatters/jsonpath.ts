// kubectl's JSONPath dialect (client-go util/jsonpath): parser, evaluator and printing rules,
// ported so templates parse, fail and print exactly as they do upstream.
import { goFloat, goJson, goNumber } from "./go-format.ts";

/** A parse or evaluation failure; `message` is client-go's own text (e.g. `unclosed action`). */
export class JsonPathError extends Error {}

interface ListNode { type: "list"; nodes: Node[] }
interface TextNode { type: "text"; text: string }
interface FieldNode { type: "field"; value: string }
interface Param { known: boolean; value: number; derived: boolean }
interface ArrayNode { type: "array"; params: [Param, Param, Param] }
interface FilterNode { type: "filter"; left: ListNode; right: ListNode; operator: string }
interface IntNode { type: "int"; value: number }
interface FloatNode { type: "float"; value: number }
interface BoolNode { type: "bool"; value: boolean }
interface WildcardNode { type: "wildcard" }
interface RecursiveNode { type: "recursive" }
interface UnionNode { type: "union"; nodes: ListNode[] }
interface IdentifierNode { type: "identifier"; name: string }
type Node = ListNode | TextNode | FieldNode | ArrayNode | FilterNode | IntNode | FloatNode | BoolNode
  | WildcardNode | RecursiveNode | UnionNode | IdentifierNode;

/** A parsed template; compile once, execute many times. */
export interface CompiledJsonPath {
  readonly template: string;
  readonly root: ListNode;
}

const EOF = -1;

/** %#U of a rune: `U+002A '*'`. */
function formatRune(r: number): string {
  const hex = `U+${r.toString(16).toUpperCase().padStart(4, "0")}`;
  const ch = String.fromCodePoint(r);
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]/u.test(ch) ? `${hex} '${ch}'` : hex;
}

const isSpace = (r: number): boolean => r === 0x20 || r === 0x09;
const isEndOfLine = (r: number): boolean => r === 0x0d || r === 0x0a;
const isDigitRune = (r: number): boolean => r >= 0 && /\p{Nd}/u.test(String.fromCodePoint(r));
const isAlphaNumeric = (r: number): boolean =>
  r === 0x5f || (r >= 0 && /[\p{L}\p{Nd}]/u.test(String.fromCodePoint(r)));
function isTerminator(r: number): boolean {
  if (isSpace(r) || isEndOfLine(r)) return true;
  return r === EOF || ".,[]$@{}".includes(String.fromCodePoint(r));
}

const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/s;

class Parser {
  private input = "";
  private pos = 0;
  private start = 0;
  private width = 0;
  root: ListNode = { type: "list", nodes: [] };

  parse(text: string): ListNode {
    this.input = text;
    this.root = { type: "list", nodes: [] };
    this.pos = 0;
    this.start = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consumeText(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.input.startsWith("{", this.pos)) {
        if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
        this.parseLeftDelim(cur);
        return;
      }
      if (this.next() === EOF) break;
    }
    if (this.pos > this.start) cur.nodes.push({ type: "text", text: this.consumeText() });
  }

  private parseLeftDelim(cur: ListNode): void {
    this.pos += 1;
    this.consumeText();
    const node: ListNode = { type: "list", nodes: [] };
    cur.nodes.push(node);
    this.parseInsideAction(node);
  }

  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.input.slice(this.pos);
      if (rest.startsWith("}")) return this.parseRightDelim();
      if (rest.startsWith("[?(")) return this.parseFilter(cur);
      if (rest.startsWith("..")) return this.parseRecursive(cur);
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new JsonPathError("unclosed action");
      if (r === 0x20 || r === 0x40 /* @ */ || r === 0x24 /* $ */) {
        this.consumeText();
        continue;
      }
      if (r === 0x5b /* [ */) return this.parseArray(cur);
      if (r === 0x22 || r === 0x27) return this.parseQuote(cur, r);
      if (r === 0x2e /* . */) return this.parseField(cur);
      if (r === 0x2b || r === 0x2d || isDigitRune(r)) {
        this.backup();
        return this.parseNumber(cur);
      }
      if (isAlphaNumeric(r)) {
        this.backup();
        return this.parseIdentifier(cur);
      }
      throw new JsonPathError(`unrecognized character in action: ${formatRune(r)}`);
    }
  }

  private parseRightDelim(): void {
    this.pos += 1;
    this.consumeText();
    this.parseText(this.root);
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (isTerminator(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (value === "true" || value === "false") cur.nodes.push({ type: "bool", value: value === "true" });
    else cur.nodes.push({ type: "identifier", name: value });
    this.parseInsideAction(cur);
  }

  private parseRecursive(cur: ListNode): void {
    const last = cur.nodes[cur.nodes.length - 1];
    if (last?.type === "recursive") throw new JsonPathError("invalid multiple recursive descent");
    this.pos += 2;
    this.consumeText();
    cur.nodes.push({ type: "recursive" });
    if (isAlphaNumeric(this.peek())) return this.parseField(cur);
    this.parseInsideAction(cur);
  }

  private parseNumber(cur: ListNode): void {
    let r = this.peek();
    if (r === 0x2b || r === 0x2d) this.next();
    for (;;) {
      r = this.next();
      if (r !== 0x2e && !isDigitRune(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consumeText();
    if (/^[+-]?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))) {
      cur.nodes.push({ type: "int", value: Number(value) });
    } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(value)) {
      cur.nodes.push({ type: "float", value: Number(value) });
    } else {
      throw new JsonPathError(`cannot parse number ${value}`);
    }
    this.parseInsideAction(cur);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError("unterminated array");
      if (r === 0x5d) break;
    }
    let text = this.consumeText();
    text = text.slice(1, -1);
    if (text === "*") text = ":";

    const parts = text.split(",");
    if (parts.length > 1) {
      const union: ListNode[] = parts.map((s) => parseAction(`[${s.replace(/^ +| +$/g, "")}]`));
      cur.nodes.push({ type: "union", nodes: union });
      return this.parseInsideAction(cur);
    }

    const dict = DICT_KEY.exec(text);
    if (dict) {
      for (const node of parseAction(`.${dict[1]}`).nodes) cur.nodes.push(node);
      return this.parseInsideAction(cur);
    }

    const m = SLICE.exec(text);
    if (!m) throw new JsonPathError(`invalid array index ${text}`);
    const groups = [m[1] ?? "", m[2] ?? "", m[3] ?? ""];
    const params: [Param, Param, Param] = [
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
      { known: false, value: 0, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      let v = groups[i];
      if (v !== "") {
        if (i > 0) v = v.slice(1);
        if (i > 0 && v === "") {
          params[i].known = false;
        } else {
          params[i].known = true;
          if (!/^[+-]?[0-9]+$/.test(v)) throw new JsonPathError(`array index ${v} is not a number`);
          params[i].value = Number(v);
        }
      } else if (i === 1) {
        params[i] = { known: true, value: params[0].value + 1, derived: true };
      }
    }
    cur.nodes.push({ type: "array", params });
    this.parseInsideAction(cur);
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consumeText();
    let begin = false;
    let end = false;
    let pair = 0;
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError("unterminated filter");
      if (r === 0x22 || r === 0x27) {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== "\\" && r === pair) end = true;
      } else if (r === 0x29 && begin === end) {
        break;
      }
    }
    if (this.next() !== 0x5d) throw new JsonPathError("unclosed array expect ]");
    const text = this.consumeText().slice(0, -2);
    const m = FILTER.exec(text);
    if (!m) {
      cur.nodes.push({ type: "filter", left: parseAction(text), right: { type: "list", nodes: [] }, operator: "exists" });
    } else {
      cur.nodes.push({ type: "filter", left: parseAction(m[1]), right: parseAction(m[3]), operator: m[2] });
    }
    this.parseInsideAction(cur);
  }

  private parseQuote(cur: ListNode, end: number): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new JsonPathError("unterminated quoted string");
      if (r === 0x5c) {
        const n = this.next();
        if (n !== EOF && n !== 0x0a) continue;
        break;
      }
      if (r === end) break;
    }
    const value = this.consumeText();
    let s: string;
    try {
      s = unquoteExtend(value);
    } catch {
      throw new JsonPathError(`unquote string ${value} error invalid syntax`);
    }
    cur.nodes.push({ type: "text", text: s });
    this.parseInsideAction(cur);
  }

  private parseField(cur: ListNode): void {
    this.consumeText();
    while (this.advance());
    const value = this.consumeText();
    if (value === "*") cur.nodes.push({ type: "wildcard" });
    else cur.nodes.push({ type: "field", value: value.replaceAll("\\", "") });
    this.parseInsideAction(cur);
  }

  private advance(): boolean {
    const r = this.next();
    if (r === 0x5c) {
      this.next();
    } else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

/** client-go's parseAction: `{text}` parsed on its own, returning the action's list. */
function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\",
};

/** strconv.Unquote, extended (as client-go does) to single-quoted strings of any length. */
function unquoteExtend(s: string): string {
  if (s.length < 2) throw new Error("syntax");
  const quote = s[0];
  if (quote !== s[s.length - 1] || (quote !== '"' && quote !== "'")) throw new Error("syntax");
  const body = s.slice(1, -1);
  if (!body.includes("\\") && !body.includes(quote)) return body;
  let out = "";
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === quote) throw new Error("syntax");
    if (c !== "\\") {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new Error("syntax");
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === "'" || e === '"') {
      if (e !== quote) throw new Error("syntax");
      out += e;
      i += 2;
    } else if (e === "x" || e === "u" || e === "U") {
      const n = e === "x" ? 2 : e === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new Error("syntax");
      const v = parseInt(hex, 16);
      if (e === "x") out += Buffer.from([v]).toString("latin1");
      else {
        if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) throw new Error("syntax");
        out += String.fromCodePoint(v);
      }
      i += 2 + n;
    } else if (e >= "0" && e <= "7") {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) throw new Error("syntax");
      out += String.fromCharCode(parseInt(oct, 8));
      i += 4;
    } else {
      throw new Error("syntax");
    }
  }
  return out;
}

/**
 * Parses a template (`{.items[*].metadata.name}`, literal text around actions).
 * Throws JsonPathError with client-go's message on a syntax error.
 */
export function compileJsonPath(template: string): CompiledJsonPath {
  return { template, root: new Parser().parse(template) };
}

const RELAXED = /^\{\.?([^{}]+)\}$|^\.?([^{}]+)$/s;

/**
 * kubectl's RelaxedJSONPathExpression (custom columns, --sort-by): `metadata.name`,
 * `.metadata.name`, `{metadata.name}` and `{.metadata.name}` all become `{.metadata.name}`.
 * Throws JsonPathError for anything else.
 */
export function relaxedJsonPath(expr: string): string {
  if (expr.length === 0) return expr;
  const m = RELAXED.exec(expr);
  if (!m) {
    throw new JsonPathError(
      "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
  }
  return `{.${m[1] || m[2]}}`;
}

// ---- evaluation ----

/** A float64 from a template literal (`2.5`): compares only with other floats, as in Go. */
class GoFloat {
  readonly value: number;
  constructor(value: number) { this.value = value; }
}

type Value = unknown;
const isMap = (v: Value): v is Record<string, Value> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);
const isNil = (v: Value): boolean => v === null || v === undefined;

function children(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.keys(v).sort().map((k) => v[k]);
  if (typeof v === "string") return [...Buffer.from(v, "utf8")];
  return [];
}

function goTypeName(v: Value): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (v instanceof GoFloat) return "float64";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

type Kind = "bool" | "int" | "float" | "string" | "invalid" | "other";
function basicKind(v: Value): Kind {
  if (v instanceof GoFloat) return "float";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "string";
  if (typeof v === "boolean") return "bool";
  if (v === null || v === undefined) return "invalid";
  return "other";
}
const numOf = (v: Value): number => (v instanceof GoFloat ? v.value : (v as number));

// client-go's fork of text/template's comparisons, which filters call: nil, maps and lists
// are "invalid type for comparison"; int64 against float64 is "incompatible types".
function comparableKind(v: Value): Kind {
  const k = basicKind(v);
  if (k === "invalid" || k === "other") throw new JsonPathError("invalid type for comparison");
  return k;
}
function templateEq(a: Value, b: Value): boolean {
  const ka = comparableKind(a);
  const kb = comparableKind(b);
  if (ka !== kb) throw new JsonPathError("incompatible types for comparison");
  if (ka === "int" || ka === "float") return numOf(a) === numOf(b);
  return a === b;
}
function templateLt(a: Value, b: Value): boolean {
  const ka = comparableKind(a);
  const kb = comparableKind(b);
  if (ka !== kb) throw new JsonPathError("incompatible types for comparison");
  if (ka === "bool") throw new JsonPathError("invalid type for comparison");
  if (ka === "string") return (a as string) < (b as string);
  return numOf(a) < numOf(b);
}
const templateLe = (a: Value, b: Value): boolean => templateLt(a, b) || templateEq(a, b);

class Evaluator {
  private inRange = 0;
  private beginRange = 0;
  private endRange = 0;
  private lastEndNode: Node | undefined;
  private readonly allowMissingKeys: boolean;

  constructor(allowMissingKeys: boolean) {
    this.allowMissingKeys = allowMissingKeys;
  }

  findResults(data: Value, nodes: Node[]): Value[][] {
    const full: Value[][] = [];
    const cur = [data];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      const results = this.walk(cur, node);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEndNode = node;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        const rest = nodes.slice(i + 1);
        if (results.length > 0) {
          for (const value of results) full.push(...this.findResults(value, rest));
        } else {
          this.findResults(null, rest);
        }
        this.inRange--;
        for (let k = i + 1; k < nodes.length; k++) {
          if (nodes[k] === this.lastEndNode) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(values: Value[], node: Node): Value[] {
    switch (node.type) {
      case "list": return this.evalList(values, node);
      case "text": return [node.text];
      case "field": return this.evalField(values, node);
      case "array": return this.evalArray(values, node);
      case "filter": return this.evalFilter(values, node);
      case "int": return values.map(() => node.value);
      case "float": return values.map(() => new GoFloat(node.value));
      case "bool": return values.map(() => node.value);
      case "wildcard": return this.evalWildcard(values);
      case "recursive": return this.evalRecursive(values);
      case "union": return node.nodes.flatMap((l) => this.evalList(values, l));
      case "identifier": return this.evalIdentifier(values, node);
    }
  }

  private evalList(values: Value[], node: ListNode): Value[] {
    let cur = values;
    for (const n of node.nodes) cur = this.walk(cur, n);
    return cur;
  }

  private evalIdentifier(values: Value[], node: IdentifierNode): Value[] {
    switch (node.name) {
      case "range":
        this.beginRange++;
        return values;
      case "end":
        if (this.inRange > 0) {
          this.endRange++;
          return [];
        }
        throw new JsonPathError("not in range, nothing to end");
      default:
        throw new JsonPathError(`unrecognized identifier ${node.name}`);
    }
  }

  private evalField(values: Value[], node: FieldNode): Value[] {
    const results: Value[] = [];
    if (values.length === 0) return results;
    for (const v of values) {
      if (isNil(v)) continue;
      if (isMap(v) && Object.hasOwn(v, node.value)) results.push(v[node.value]);
    }
    if (results.length === 0 && !this.allowMissingKeys) throw new JsonPathError(`${node.value} is not found`);
    return results;
  }

  private evalArray(values: Value[], node: ArrayNode): Value[] {
    const result: Value[] = [];
    for (const v of values) {
      if (isNil(v)) continue;
      if (!Array.isArray(v)) throw new JsonPathError(`${goTypeName(v)} is not array or slice`);
      const p = node.params.map((x) => ({ ...x }));
      const len = v.length;
      if (!p[0].known) p[0].value = 0;
      if (p[0].value < 0) p[0].value += len;
      if (!p[1].known) p[1].value = len;
      if (p[1].value < 0 || (p[1].value === 0 && p[1].derived)) p[1].value += len;
      if (p[1].value === p[0].value) return result;
      if (p[0].value >= len || p[0].value < 0) {
        throw new JsonPathError(`array index out of bounds: index ${p[0].value}, length ${len}`);
      }
      if (p[1].value > len || p[1].value < 0) {
        throw new JsonPathError(`array index out of bounds: index ${p[1].value - 1}, length ${len}`);
      }
      if (p[0].value > p[1].value) {
        throw new JsonPathError(`starting index ${p[0].value} is greater than ending index ${p[1].value}`);
      }
      const slice = v.slice(p[0].value, p[1].value);
      let step = 1;
      if (p[2].known) {
        if (p[2].value <= 0) throw new JsonPathError("step must be > 0");
        step = p[2].value;
      }
      for (let i = 0; i < slice.length; i += step) if (!isNil(slice[i])) result.push(slice[i]);
    }
    return result;
  }

  private evalWildcard(values: Value[]): Value[] {
    const results: Value[] = [];
    for (const v of values) if (!isNil(v)) results.push(...children(v));
    return results;
  }

  private evalRecursive(values: Value[]): Value[] {
    const result: Value[] = [];
    for (const v of values) {
      if (isNil(v)) continue;
      const kids = children(v);
      if (kids.length !== 0) {
        result.push(v);
        result.push(...this.evalRecursive(kids));
      }
    }
    return result;
  }

  private evalFilter(values: Value[], node: FilterNode): Value[] {
    const results: Value[] = [];
    for (const v of values) {
      if (!Array.isArray(v)) {
        throw new JsonPathError(`${isNil(v) ? "<invalid reflect.Value>" : goTypeName(v)} is not array or slice and cannot be filtered`);
      }
      for (const item of v) {
        const temp = [item];
        if (node.operator === "exists") {
          let lefts: Value[] = [];
          try {
            lefts = this.evalList(temp, node.left);
          } catch {
            lefts = [];
          }
          if (lefts.length > 0) results.push(item);
          continue;
        }
        const lefts = this.evalList(temp, node.left);
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JsonPathError("can only compare one element at a time");
        const rights = this.evalList(temp, node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JsonPathError("can only compare one element at a time");
        const left = lefts[0];
        const right = rights[0];
        let pass: boolean;
        switch (node.operator) {
          case "<": pass = templateLt(left, right); break;
          case ">": pass = !templateLe(left, right); break;
          case "==": pass = templateEq(left, right); break;
          case "!=": pass = !templateEq(left, right); break;
          case "<=": pass = templateLe(left, right); break;
          case ">=": pass = !templateLt(left, right); break;
          default: throw new JsonPathError(`unrecognized filter operator ${node.operator}`);
        }
        if (pass) results.push(item);
      }
    }
    return results;
  }
}

/** Turns template-literal floats back into plain numbers for JSON output. */
function plain(v: Value): Value {
  return v instanceof GoFloat ? v.value : v;
}

function resultText(v: Value): string {
  if (v instanceof GoFloat) return goFloat(v.value);
  if (v === null || v === undefined) return "null";
  if (typeof v === "object") return goJson(v);
  if (typeof v === "number") return goNumber(v);
  return String(v);
}

/** Options for one execution. */
export interface JsonPathExecOptions {
  /** kubectl's --allow-missing-template-keys (default true): missing fields print nothing. */
  allowMissingKeys?: boolean;
}

/**
 * Every action's results, in template order (client-go's FindResults): one inner array per
 * action or literal, range bodies repeated per element. Throws JsonPathError.
 */
export function findJsonPathResults(compiled: CompiledJsonPath, data: unknown,
  opts: JsonPathExecOptions = {}): unknown[][] {
  const ev = new Evaluator(opts.allowMissingKeys ?? true);
  return ev.findResults(data, compiled.root.nodes).map((r) => r.map(plain));
}

/**
 * Runs a template against decoded JSON and returns the text kubectl prints: each action's results
 * joined by one space, strings raw, objects/arrays as compact JSON, null as `null`.
 * Throws JsonPathError (e.g. `foo is not found` when allowMissingKeys is false).
 */
export function executeJsonPath(compiled: CompiledJsonPath, data: unknown, opts: JsonPathExecOptions = {}): string {
  const ev = new Evaluator(opts.allowMissingKeys ?? true);
  return ev.findResults(data, compiled.root.nodes).map((results) => results.map(resultText).join(" ")).join("");
}

/** `-o jsonpath-as-json`: each action's results as one 4-space-indented JSON array plus newline. */
export function jsonPathAsJson(compiled: CompiledJsonPath, data: unknown, opts: JsonPathExecOptions = {}): string {
  const ev = new Evaluator(opts.allowMissingKeys ?? true);
  return ev.findResults(data, compiled.root.nodes).map((results) => `${goJson(results.map(plain), "    ")}\n`).join("");
}
