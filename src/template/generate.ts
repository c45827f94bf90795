// The template parameter generator `generate: expression`: `[ranges]{n}` groups in `from` become
// n random characters, byte for byte as library-go's ExpressionValueGenerator does it.

/** A bad `from` expression; the message is upstream's wording (typo included). */
export class GeneratorError extends Error {}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMERALS = "0123456789";
const SYMBOLS = "~!@#$%^&*()-_+={}[]\\|<,>.?/\"';:`";
/** The ordered alphabet ranges are looked up in: letters, digits, then symbols. */
const ASCII = ALPHABET + NUMERALS + SYMBOLS;

// The three patterns are upstream's, unchanged: their odd corners (a bare `[ab]` pair counts as the
// range a-b; `[a]{3}` is malformed) are what real clusters do.
const GENERATORS_RE = /\[([a-zA-Z0-9\-\\]+)\](\{([0-9]+)\})/;
const RANGE_RE = /([\\]?[a-zA-Z0-9]-?[a-zA-Z0-9]?)/g;
const EXPRESSION_RE = /\[(\\w|\\d|\\a|\\A)|([a-zA-Z0-9]-[a-zA-Z0-9])+\]/;

const INT64_MAX = 9223372036854775807n;

/**
 * Expands every `[ranges]{n}` group of `expression` with characters drawn by `random` (a
 * uniform source in [0, 1)); all other text is copied. Items: `x-y` ranges, `\w` (letters,
 * digits, `_`), `\d`, `\a` (letters, digits), `\A` (symbols). Exactly as upstream, the last
 * character of an `x-y` range is never produced (`[0-9]` yields 0–8) and groups are searched
 * again from the start after each replacement. Pure apart from calling `random`.
 * Throws GeneratorError: `malformed expresion syntax: [..]`, `range must be within [1-255]
 * characters (n)`, `invalid range specified: x-y`.
 */
export function generateFromExpression(expression: string, random: () => number): string {
  let out = expression;
  for (;;) {
    const m = GENERATORS_RE.exec(out);
    if (!m) return out;
    const group = m[0];
    const brace = group.lastIndexOf("{");
    const ranges = group.slice(0, brace);
    if (!EXPRESSION_RE.test(ranges)) throw new GeneratorError(`malformed expresion syntax: ${ranges}`);
    const length = parseCount(group.slice(brace + 1, group.length - 1));
    if (!(length > 0n && length <= 255n)) throw new GeneratorError(`range must be within [1-255] characters (${length})`);
    const alphabet = removeDuplicateChars(alphabetOf(ranges));
    // Upstream panics here (rand.Intn(0)), e.g. for `[a-a]{3}`; an error is kinder.
    if (alphabet.length === 0) throw new GeneratorError(`empty character range: ${ranges}`);
    let generated = "";
    for (let i = 0; i < Number(length); i++) generated += alphabet[intn(random, alphabet.length)];
    out = out.slice(0, m.index) + generated + out.slice(m.index + group.length);
  }
}

// strconv.Atoi on an all-digit string: an overflow clamps to the int64 maximum.
function parseCount(digits: string): bigint {
  const n = BigInt(digits);
  return n > INT64_MAX ? INT64_MAX : n;
}

function alphabetOf(ranges: string): string {
  let alphabet = "";
  for (const m of ranges.matchAll(RANGE_RE)) {
    const item = m[0];
    const first = item[0];
    const last = item[item.length - 1];
    switch (first + last) {
      case "\\w": alphabet += ALPHABET + NUMERALS + "_"; break;
      case "\\d": alphabet += NUMERALS; break;
      case "\\a": alphabet += ALPHABET + NUMERALS; break;
      case "\\A": alphabet += SYMBOLS; break;
      default: alphabet += alphabetSlice(first, last);
    }
  }
  return alphabet;
}

// Upstream slices [index(from), lastIndex(to)): the end character is excluded.
function alphabetSlice(from: string, to: string): string {
  const left = ASCII.indexOf(from);
  const right = ASCII.lastIndexOf(to);
  if (left > right) throw new GeneratorError(`invalid range specified: ${from}-${to}`);
  return ASCII.slice(left, right);
}

// Upstream's in-place de-duplication, which moves the last character into each hole; the
// resulting order decides which character a given random draw picks.
function removeDuplicateChars(input: string): string {
  const data = [...input];
  let length = data.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (data[i] === data[j]) {
        data[j] = data[length];
        data.length = length;
        length--;
        j--;
      }
    }
  }
  return data.join("");
}

/** rand.Intn(n) from a [0, 1) source. */
function intn(random: () => number, n: number): number {
  const i = Math.floor(random() * n);
  return i >= n ? n - 1 : i < 0 ? 0 : i;
}
