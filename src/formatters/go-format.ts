// Go's value formatting as kubectl's printers inherit it: fmt's %v and %#v, encoding/json,
// and the two string orders kubectl sorts by (sortorder.NaturalLess, yaml.v2's key order).

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Go's strconv.FormatFloat(v, 'g', -1, 64) (what %v prints for a float64). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  const [mantissa, expText] = v.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return String(v);
}

/** A JSON number as Go holds it after decoding: integral values are int64, others float64. */
export function goNumber(v: number): string {
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? BigInt(v).toString() : goFloat(v);
}

/** fmt.Sprint / %v of a decoded JSON value: `map[a:1 b:x]`, `[a b]`, `<nil>`. */
export function goSprint(v: Json): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number") return goNumber(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(" ")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(byteLess);
    return `map[${keys.map((k) => `${k}:${goSprint(v[k])}`).join(" ")}]`;
  }
  return String(v);
}

/** %#v of a decoded JSON value (kubectl prints it when a JSONPath template fails). */
export function goSyntax(v: Json): string {
  if (v === null || v === undefined) return "interface {}(nil)";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Number.isInteger(v) ? goNumber(v) : goFloat(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSyntax).join(", ")}}`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort(byteLess);
    return `map[string]interface {}{${keys.map((k) => `${JSON.stringify(k)}:${goSyntax(v[k])}`).join(", ")}}`;
  }
  return String(v);
}

/** Byte-order comparison (Go's `<` on strings; UTF-16 order equals it outside surrogates). */
export function byteLess(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Recursively sorts object keys in byte order, as Go's encoding/json does for maps. */
export function sortKeysDeep(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (isObject(v)) {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(v).sort(byteLess)) if (v[k] !== undefined) out[k] = sortKeysDeep(v[k]);
    return out;
  }
  return v;
}

/**
 * encoding/json output for a decoded object: map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped (Go's HTML-safe default), `indent` like json.MarshalIndent (no trailing newline).
 */
export function goJson(v: Json, indent = ""): string {
  const text = JSON.stringify(sortKeysDeep(v), null, indent) ?? "null";
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** github.com/fvbommel/sortorder NaturalLess: digit runs compare as numbers, digits first. */
export function naturalLess(s1: string, s2: string): boolean {
  const a = Buffer.from(s1, "utf8");
  const b = Buffer.from(s2, "utf8");
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c1 = a[i];
    const c2 = b[j];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i++;
      j++;
      continue;
    }
    while (i < a.length && a[i] === 48) i++;
    while (j < b.length && b[j] === 48) j++;
    const nz1 = i;
    const nz2 = j;
    while (i < a.length && isDigit(a[i])) i++;
    while (j < b.length && isDigit(b[j])) j++;
    const len1 = i - nz1;
    const len2 = j - nz2;
    if (len1 !== len2) return len1 < len2;
    const n1 = a.subarray(nz1, i).toString("latin1");
    const n2 = b.subarray(nz2, j).toString("latin1");
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return a.length < b.length;
}

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isUnicodeDigit = (c: string): boolean => /\p{Nd}/u.test(c);

/** gopkg.in/yaml.v2's map key order (keyList.Less) for string keys: letters after others, digit runs numerically. */
export function yamlKeyCompare(x: string, y: string): number {
  if (x === y) return 0;
  return yamlKeyLess(x, y) ? -1 : 1;
}

function yamlKeyLess(x: string, y: string): boolean {
  const ar = [...x];
  const br = [...y];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isUnicodeDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isUnicodeDigit(ar[ai]); ai++) an = an * 10 + (ar[ai].codePointAt(0)! - 48);
    for (; bi < br.length && isUnicodeDigit(br[bi]); bi++) bn = bn * 10 + (br[bi].codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}
