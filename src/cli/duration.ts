// Go duration flags (`30s`, `1m30s`, `1.5h`, `0`) as kubectl's --timeout reads them.
import { UsageError } from "../errors.ts";

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Milliseconds in a Go duration string (time.ParseDuration); a bare "0" is zero. Throws
 * UsageError worded as pflag's for anything else, naming `flag`.
 */
export function parseDuration(value: string, flag: string): number {
  const bad = (): never => {
    throw new UsageError(`invalid argument "${value}" for "${flag}" flag: time: invalid duration "${value}"`);
  };
  const v = value.trim();
  if (v === "0" || v === "+0" || v === "-0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (!m) bad();
  let total = 0;
  for (const part of v.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]];
  }
  return v.startsWith("-") ? -total : total;
}
