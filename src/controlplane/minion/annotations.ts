// The pod annotations that steer the simulated runtime (documented in the README under
// "Simulating failures"), and the Go-style durations ("2s", "1m30s", "500ms") they use.

/** Prefix of every simulation annotation. */
export const SIM_PREFIX = "sim.skiff.io/";

/** Parses a Go duration ("300ms", "2s", "1m30s", "1.5h"); undefined when malformed or negative. */
export function parseGoDuration(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === "0") return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let i = 0;
  if (t === "") return undefined;
  while (i < t.length) {
    re.lastIndex = i;
    const m = re.exec(t);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
    i = re.lastIndex;
  }
  return Math.round(total);
}

/** What the annotations ask of one container. Durations in ms. */
export interface SimBehaviour {
  /** Time from binding until the container starts (default: 300–800 ms, random). */
  startDelayMs?: number;
  /** Running but not ready for this long after each start. */
  readyDelayMs?: number;
  /** The container exits with this code … */
  exitCode?: number;
  /** … this long after it started. */
  exitAfterMs?: number;
  /** Image pulls fail (ErrImagePull, then ImagePullBackOff). */
  failImagePull: boolean;
  /** Stopping the container takes this long (capped by the grace period). */
  stopDelayMs?: number;
  /** A log line this often while running. */
  logEveryMs?: number;
  /**
   * The container's whole log, line by line, each at a time after start (`sim.skiff.io/log-script`:
   * a JSON array of `{"at": "1.5s", "text": "…"}`). When set, the runtime writes no lines of its own.
   */
  logScript?: { atMs: number; text: string }[];
}

/** Parses a log script annotation; undefined when absent or malformed. */
export function parseLogScript(s: string | undefined): { atMs: number; text: string }[] | undefined {
  if (s === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  const out: { atMs: number; text: string }[] = [];
  for (const e of v) {
    if (typeof e !== "object" || e === null || typeof (e as { text?: unknown }).text !== "string") return undefined;
    const at = (e as { at?: unknown }).at;
    const atMs = typeof at === "number" ? at : typeof at === "string" ? parseGoDuration(at) : 0;
    if (atMs === undefined || atMs < 0) return undefined;
    out.push({ atMs, text: (e as { text: string }).text });
  }
  return out;
}

/**
 * The behaviour for `container` from the pod's annotations: `sim.skiff.io/<key>.<container>`
 * wins over `sim.skiff.io/<key>`. Malformed values are ignored (the default applies).
 */
export function simBehaviour(annotations: Record<string, string> | undefined, container: string): SimBehaviour {
  const a = annotations ?? {};
  const get = (key: string): string | undefined => a[`${SIM_PREFIX}${key}.${container}`] ?? a[`${SIM_PREFIX}${key}`];
  const code = get("exit-code");
  const exitCode = code !== undefined && /^-?\d+$/.test(code.trim()) ? Number(code.trim()) : undefined;
  let exitAfterMs = parseGoDuration(get("exit-after"));
  // An exit code alone means "exit soon after starting"; an exit time alone means a clean exit.
  if (exitCode !== undefined && exitAfterMs === undefined) exitAfterMs = 1000;
  return {
    startDelayMs: parseGoDuration(get("start-delay")),
    readyDelayMs: parseGoDuration(get("ready-delay")),
    exitCode: exitAfterMs !== undefined ? exitCode ?? 0 : undefined,
    exitAfterMs,
    failImagePull: /^(true|1|yes)$/i.test((get("fail-image-pull") ?? "").trim()),
    stopDelayMs: parseGoDuration(get("stop-delay")),
    logEveryMs: parseGoDuration(get("log-every")),
    logScript: parseLogScript(get("log-script")),
  };
}
