// Label and field selectors: parsing, matching and canonical strings, as k8s.io/apimachinery has them.
import type { Labels } from "./types.ts";

/** A selector string that does not parse; the message is the one kube-apiserver sends (with a 400). */
export class SelectorError extends Error {
  override readonly name = "SelectorError";
}

/** The operator names of k8s.io/apimachinery/pkg/selection. */
export type LabelOperator = "=" | "==" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  /** Sorted and distinct after parsing; one value for =, ==, !=, gt, lt; none for exists and !. */
  values: string[];
}

/** Requirements ANDed together, sorted by key. No requirements selects everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
}

// ---------------------------------------------------------------------------------------------
// Label selectors: the lexer and recursive-descent parser of pkg/labels/selector.go.

const TOK = {
  error: 0, end: 1, closePar: 2, comma: 3, notExists: 4, doubleEquals: 5, equals: 6, gt: 7,
  ident: 8, in: 9, lt: 10, notEquals: 11, notIn: 12, openPar: 13,
} as const;
type Tok = (typeof TOK)[keyof typeof TOK];

const TOKENS: Record<string, Tok> = {
  ")": TOK.closePar, ",": TOK.comma, "!": TOK.notExists, "==": TOK.doubleEquals, "=": TOK.equals,
  ">": TOK.gt, in: TOK.in, "<": TOK.lt, "!=": TOK.notEquals, notin: TOK.notIn, "(": TOK.openPar,
};

// Listed in upstream's order: it appears verbatim in "expected: …" messages.
const BINARY_OPERATORS = ["in", "notin", "=", "==", "!=", "gt", "lt"];

const isWhitespace = (c: string): boolean => c === " " || c === "\t" || c === "\r" || c === "\n";
const isSpecial = (c: string): boolean => c.length === 1 && "=!(),><".includes(c);

function lex(s: string): { tok: Tok; lit: string }[] {
  const out: { tok: Tok; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      out.push({ tok: TOK.end, lit: "" });
      return out;
    }
    if (isSpecial(s[pos]!)) {
      // Longest run of special characters that still forms a token: "!=" but "=" + "(".
      let buf = "";
      let last: { tok: Tok; lit: string } | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        buf += s[pos];
        const t = TOKENS[buf];
        if (t !== undefined) last = { tok: t, lit: buf };
        else if (last) break;
        pos++;
      }
      out.push(last ?? { tok: TOK.error, lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
    const word = s.slice(start, pos);
    out.push({ tok: TOKENS[word] ?? TOK.ident, lit: word });
  }
}

class LabelParser {
  private readonly items: { tok: Tok; lit: string }[];
  private pos = 0;

  constructor(s: string) {
    this.items = lex(s);
  }

  /** In value position the keywords in/notin are plain identifiers: "notin=in" is an equality. */
  private lookahead(values: boolean): [Tok, string] {
    const { tok, lit } = this.items[this.pos]!;
    return [values && (tok === TOK.in || tok === TOK.notIn) ? TOK.ident : tok, lit];
  }

  private consume(values: boolean): [Tok, string] {
    const r = this.lookahead(values);
    this.pos++;
    return r;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const [tok, lit] = this.lookahead(true);
      if (tok === TOK.end) return reqs;
      if (tok !== TOK.ident && tok !== TOK.notExists) {
        throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        throw new SelectorError(`unable to parse requirement: ${(e as Error).message}`);
      }
      const [t, l] = this.consume(true);
      if (t === TOK.end) return reqs;
      if (t !== TOK.comma) throw new SelectorError(`found '${l}', expected: ',' or 'end of string'`);
      const [t2, l2] = this.lookahead(true);
      if (t2 !== TOK.ident && t2 !== TOK.notExists) {
        throw new SelectorError(`found '${l2}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let [tok, key] = this.consume(true);
    let notExists = false;
    if (tok === TOK.notExists) {
      notExists = true;
      [tok, key] = this.consume(true);
    }
    if (tok !== TOK.ident) throw new Error(`found '${key}', expected: identifier`);
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length > 0) throw new Error(invalid("<nil>", key, keyErrs.join("; ")));
    const [next] = this.lookahead(true);
    if (notExists) return newRequirement(key, "!", []);
    if (next === TOK.end || next === TOK.comma) return newRequirement(key, "exists", []);

    const [opTok, opLit] = this.consume(false);
    const op = OPERATOR_OF[opTok];
    if (!op) throw new Error(`found '${opLit}', expected: ${BINARY_OPERATORS.join(", ")}`);
    const values = op === "in" || op === "notin" ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, op, [...values].sort(compare));
  }

  private parseValues(): Set<string> {
    const [tok, lit] = this.consume(true);
    if (tok !== TOK.openPar) throw new Error(`found '${lit}' expected: '('`);
    const [t, l] = this.lookahead(true);
    if (t === TOK.closePar) {
      this.consume(true);
      return new Set([""]);
    }
    if (t !== TOK.ident && t !== TOK.comma) throw new Error(`found '${l}', expected: ',', ')' or identifier`);
    const s = this.parseIdentifiersList();
    if (this.consume(true)[0] !== TOK.closePar) throw new Error(`found '${l}', expected: ')'`);
    return s;
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const [tok, lit] = this.consume(true);
      if (tok === TOK.ident) {
        s.add(lit);
        const [t2, l2] = this.lookahead(true);
        if (t2 === TOK.comma) continue;
        if (t2 === TOK.closePar) return s;
        throw new Error(`found '${l2}', expected: ',' or ')'`);
      }
      if (tok !== TOK.comma) throw new Error(`found '${lit}', expected: ',', or identifier`);
      // An empty slot ("(,a)", "(a,)", "(a,,b)") is the empty string.
      if (s.size === 0) s.add("");
      const [t2] = this.lookahead(true);
      if (t2 === TOK.closePar) {
        s.add("");
        return s;
      }
      if (t2 === TOK.comma) {
        this.consume(true);
        s.add("");
      }
    }
  }

  private parseExactValue(): Set<string> {
    const [t] = this.lookahead(true);
    if (t === TOK.end || t === TOK.comma) return new Set([""]);
    const [tok, lit] = this.consume(true);
    if (tok === TOK.ident) return new Set([lit]);
    throw new Error(`found '${lit}', expected: identifier`);
  }
}

const OPERATOR_OF: Partial<Record<Tok, LabelOperator>> = {
  [TOK.in]: "in", [TOK.equals]: "=", [TOK.doubleEquals]: "==", [TOK.gt]: "gt",
  [TOK.lt]: "lt", [TOK.notIn]: "notin", [TOK.notEquals]: "!=",
};

/** Field error text as field.Error prints it: `<path>: Invalid value: "<value>": <detail>`. */
function invalid(path: string, value: unknown, detail: string): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${detail}`;
}

/** NewRequirement's checks; several failures read like an aggregated error, "[a, b]". */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrs = labelKeyErrors(key);
  if (keyErrs.length > 0) errs.push(invalid("key", key, keyErrs.join("; ")));
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(invalid("values", values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(invalid("values", values, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(invalid("values", values, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(invalid("values", values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = labelValueErrors(v);
    if (vErrs.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, vErrs.join("; ")));
  });
  if (errs.length === 1) throw new Error(errs[0]);
  if (errs.length > 1) throw new Error(`[${errs.join(", ")}]`);
  return { key, operator, values };
}

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Parses a label selector string (`app=web,tier!=db`, `env in (prod,qa)`, `!canary`, `n>3`).
 * Requirements come back sorted by key. Throws SelectorError whose message starts
 * `unable to parse requirement:` or `found '…', expected: …`, exactly as upstream.
 */
export function parseLabelSelector(s: string): LabelSelector {
  const requirements = new LabelParser(s).parse();
  requirements.sort((a, b) => compare(a.key, b.key));
  return { requirements };
}

function hasValue(r: LabelRequirement, v: string): boolean {
  return r.values.includes(v);
}

/** True when every requirement holds for labels (missing labels count as absent keys). */
export function matchesLabels(sel: LabelSelector, labels: Labels | undefined): boolean {
  const ls = labels ?? {};
  for (const r of sel.requirements) {
    const has = Object.hasOwn(ls, r.key);
    const v = has ? ls[r.key]! : "";
    switch (r.operator) {
      case "=":
      case "==":
      case "in":
        if (!has || !hasValue(r, v)) return false;
        break;
      case "!=":
      case "notin":
        if (has && hasValue(r, v)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!":
        if (has) return false;
        break;
      case "gt":
      case "lt": {
        if (!has || r.values.length !== 1) return false;
        const got = parseInt64(v);
        const want = parseInt64(r.values[0]!);
        if (got === undefined || want === undefined) return false;
        if (r.operator === "gt" ? !(got > want) : !(got < want)) return false;
        break;
      }
    }
  }
  return true;
}

function requirementString(r: LabelRequirement): string {
  const prefix = r.operator === "!" ? "!" : "";
  if (r.operator === "exists" || r.operator === "!") return `${prefix}${r.key}`;
  const op = { "=": "=", "==": "==", "!=": "!=", in: " in ", notin: " notin ", gt: ">", lt: "<" }[r.operator];
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort(compare).join(",");
  return r.operator === "in" || r.operator === "notin" ? `${r.key}${op}(${values})` : `${r.key}${op}${values}`;
}

/**
 * The canonical string: requirements joined by ",", set values sorted, `in`/`notin` spaced,
 * e.g. `a=b,c!=d,e>2,!w,x in (abc,def),y notin (jkl),z`. Parsing it gives the same selector.
 */
export function labelSelectorString(sel: LabelSelector): string {
  return sel.requirements.map(requirementString).join(",");
}

/** The selector a plain map means (RC, Service, nodeSelector): every key equals its value. Not validated. */
export function selectorFromSet(set: Labels | undefined): LabelSelector {
  const keys = Object.keys(set ?? {}).sort(compare);
  return { requirements: keys.map((k) => ({ key: k, operator: "=", values: [set![k]!] })) };
}

/** Map-selector semantics: every entry present with exactly that value; an empty map matches all. */
export function matchesSet(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const ls = labels ?? {};
  for (const [k, v] of Object.entries(selector ?? {})) {
    if (!Object.hasOwn(ls, k) || ls[k] !== v) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Label key/value validation (pkg/api/validate/content), kept here so parse errors read exactly as upstream's.

const LABEL_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_NAME_RE = new RegExp(`^${LABEL_NAME_FMT}$`);
const LABEL_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** RegexError: each example written as `'ex', ` and joined with ` or `, as upstream does. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

const byteLength = (s: string): number => Buffer.byteLength(s, "utf8");

/** IsLabelKey: the error texts for a bad label key, none when valid. */
function labelKeyErrors(key: string): string[] {
  const errs: string[] = [];
  let name = key;
  const slash = key.indexOf("/");
  if (slash >= 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (name.includes("/")) {
      return [`a valid label key ${regexError(LABEL_KEY_MSG, LABEL_NAME_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
    }
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else {
      if (byteLength(prefix) > 253) errs.push("prefix part must be no more than 253 bytes");
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) errs.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com")}`);
    }
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > 63) errs.push("name part must be no more than 63 bytes");
  if (!LABEL_NAME_RE.test(name)) errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_NAME_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** IsLabelValue: the error texts for a bad label value (empty is valid), none when valid. */
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push("must be no more than 63 bytes");
  if (value.length > 0 && !LABEL_NAME_RE.test(value)) {
    errs.push(regexError(LABEL_VALUE_MSG, `(${LABEL_NAME_FMT})?`, "MyValue", "my_value", "12345"));
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Field selectors (pkg/fields/selector.go).

export interface FieldRequirement {
  field: string;
  /** "==" in the string is the same as "=". */
  op: "=" | "!=";
  /** Unescaped. */
  value: string;
}

/** Terms ANDed together, in the sorted order of their text. Empty selects everything. */
export type FieldSelector = FieldRequirement[];

// "!=" and "==" are tried before "=" so neither leaves a stray "=" on the value.
const FIELD_OPERATORS = ["!=", "==", "="] as const;

/** Splits on commas not escaped by a backslash; escapes stay in the terms. */
function splitFieldTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") {
      // Upstream formats the rune with %v, which prints its code point ("61" for "=").
      throw new SelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new SelectorError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Escapes `\`, `,` and `=` in a value so it can go into a field selector string. */
export function escapeFieldValue(v: string): string {
  return v.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * Parses `field=value`, `field==value`, `field!=value` terms joined by commas; values may be
 * empty and use `\\`, `\,`, `\=` escapes. No whitespace trimming (upstream does none). Throws
 * SelectorError: `invalid selector: '…'; can't understand '…'` for a term with no operator,
 * `invalid field selector: …` for a bad escape or an unescaped `,`/`=` in a value.
 * Field names are not checked here: which ones a kind supports is the API server's business.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitFieldTerms(s).sort(compare);
  const out: FieldSelector = [];
  for (const part of parts) {
    if (part === "") continue;
    let found: { field: string; op: string; rhs: string } | undefined;
    for (let i = 0; i < part.length && !found; i++) {
      for (const op of FIELD_OPERATORS) {
        if (part.startsWith(op, i)) {
          found = { field: part.slice(0, i), op, rhs: part.slice(i + op.length) };
          break;
        }
      }
    }
    if (!found) throw new SelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    out.push({ field: found.field, op: found.op === "!=" ? "!=" : "=", value: unescapeFieldValue(found.rhs) });
  }
  return out;
}

/** True when every term holds; a field get() does not know reads as "" (as upstream's Fields.Get). */
export function matchesFields(sel: FieldSelector, get: (field: string) => string | undefined): boolean {
  for (const r of sel) {
    const v = get(r.field) ?? "";
    if (r.op === "=" ? v !== r.value : v === r.value) return false;
  }
  return true;
}

/** The canonical string: terms joined by ",", values escaped. */
export function fieldSelectorString(sel: FieldSelector): string {
  return sel.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(",");
}

/** The value a selector requires for field with "=", if it does (e.g. metadata.name for a single-object watch). */
export function fieldRequiresExactMatch(sel: FieldSelector, field: string): string | undefined {
  return sel.find((r) => r.field === field && r.op === "=")?.value;
}
