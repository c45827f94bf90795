// Kubernetes resource quantities ("500m", "128Mi", "1G", "1e3") parsed to plain numbers.

/** Upstream's parse error text (resource.ErrFormatWrong). */
export const QUANTITY_FORMAT_MSG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** A string that is not a quantity. */
export class QuantityError extends Error {
  readonly value: string;
  constructor(value: string) {
    super(QUANTITY_FORMAT_MSG);
    this.value = value;
  }
}

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

const QUANTITY_RE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$/;

/** The value of a quantity in base units ("500m" → 0.5, "1Ki" → 1024). Throws QuantityError. */
export function parseQuantity(s: string): number {
  const m = QUANTITY_RE.exec(typeof s === "string" ? s.trim() : String(s));
  if (!m) throw new QuantityError(String(s));
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIXES[m[3] ?? ""]!;
}

/** parseQuantity, or undefined instead of throwing. */
export function tryParseQuantity(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  try {
    return parseQuantity(s);
  } catch {
    return undefined;
  }
}

/** A CPU quantity in millicores, rounded up as MilliValue does ("1" → 1000, "0.1" → 100). */
export function cpuMillis(s: string): number {
  return Math.ceil(roundFloat(parseQuantity(s) * 1000));
}

/** A memory (or any byte) quantity in bytes, rounded up as Value does ("128Mi" → 134217728). */
export function memoryBytes(s: string): number {
  return Math.ceil(roundFloat(parseQuantity(s)));
}

// Binary floating point makes 0.1*1000 = 100.00000000000001; a quantity never has more than
// nanounit precision, so round to that before taking the ceiling.
function roundFloat(v: number): number {
  if (Number.isInteger(v)) return v;
  return Math.round(v * 1e9) / 1e9;
}
