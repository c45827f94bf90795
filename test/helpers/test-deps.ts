// testDeps(): a Deps with captured output, a fixed clock, chosen env and stdin — no process state.
import { Readable } from "node:stream";
import type { ApiClient } from "../../src/client/api-client.ts";
import type { LoadedConfig } from "../../src/client/kubeconfig.ts";
import { CliError } from "../../src/errors.ts";
import type { Deps } from "../../src/deps.ts";

export interface TestDepsOptions {
  /** Pretend every stream is a terminal (colour stays off unless FORCE_COLOR is in env). */
  tty?: boolean;
  /** Fixed "now" (ISO string); the clock does not move. Default: the real time. */
  now?: string;
  env?: Record<string, string | undefined>;
  /** What the command reads from stdin. */
  stdin?: string;
  width?: number;
  /** Builds the client; receives the deps so it can read `deps.flags.namespace`. */
  client?: (deps: Deps) => Promise<ApiClient>;
  /** Builds the config; default: namespace from -n, else "default". */
  config?: (deps: Deps) => Promise<LoadedConfig>;
  random?: () => number;
  /** Handed to the command as deps.signal (ends get -w and friends). */
  signal?: AbortSignal;
}

export interface TestDeps {
  deps: Deps;
  /** Everything written to stdout so far. */
  readonly out: string;
  /** Everything written to stderr so far. */
  readonly err: string;
}

/** A world for one command run: output captured in memory, nothing read from the process. */
export function testDeps(opts: TestDepsOptions = {}): TestDeps {
  let out = "";
  let err = "";
  const tty = opts.tty ?? false;
  const env = { ...(opts.env ?? {}) };
  const fixed = opts.now ? new Date(opts.now) : undefined;
  const deps: Deps = {
    io: {
      in: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
      out: { write: (s) => { out += s; } },
      err: { write: (s) => { err += s; } },
      tty: { in: tty, out: tty, err: tty },
      colour: env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0",
      width: opts.width ?? 80,
    },
    clock: {
      now: () => (fixed ? new Date(fixed) : new Date()),
      sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
        if (signal?.aborted) { reject(signal.reason); return; }
        const t = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }, { once: true });
      }),
    },
    random: opts.random ?? (() => 0.5),
    env,
    flags: {},
    verbosity: 0,
    signal: opts.signal,
    config: async () => (opts.config ? opts.config(deps)
      : { namespace: deps.flags.namespace ?? "default", currentContext: "test" } as unknown as LoadedConfig),
    client: async () => {
      if (!opts.client) throw new CliError("no cluster in this test");
      return opts.client(deps);
    },
  };
  return {
    deps,
    get out() { return out; },
    get err() { return err; },
  };
}
