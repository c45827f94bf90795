// The Deps seam: everything from outside (IO, clock, randomness, env, config, client) comes
// through here, so tests build the world with testDeps() and read out/err back.
import type { ApiClient } from "./client/api-client.ts";
import type { LoadedConfig } from "./client/kubeconfig.ts";
import type { Transport } from "./client/transport.ts";

export interface Sink {
  write(chunk: string): void;
}

export interface IOStreams {
  in: NodeJS.ReadableStream;
  out: Sink;          // data only
  err: Sink;          // everything else: errors, warnings, progress
  tty: { in: boolean; out: boolean; err: boolean };
  colour: boolean;
  width: number;
}

export interface Clock {
  now(): Date;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Connection flags that override the kubeconfig (kubectl's ConfigFlags). */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  token?: string;
  namespace?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  requestTimeout?: string;
}

export interface Deps {
  io: IOStreams;
  clock: Clock;
  random: () => number;
  env: Readonly<Record<string, string | undefined>>;
  /** argv-level connection flags, set by main before a command runs. */
  flags: ConnectionFlags;
  /** Lazy: `skiff --help` reads no files. Cached per process. */
  config: () => Promise<LoadedConfig>;
  /** Lazy: config + a Transport. Cached per process. */
  client: () => Promise<ApiClient>;
  /** Verbosity (--v); ≥6 shows stack traces and requests. */
  verbosity: number;
  /** Ends long-running commands (get -w, logs -f) early, e.g. from a test; absent means run until done. */
  signal?: AbortSignal;
}

/** A clock on the real time; sleep rejects with the signal's reason when aborted. */
export const realClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const onAbort = (): void => { clearTimeout(t); reject(signal!.reason); };
    const t = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  }),
};

/**
 * Whether to colour output: NO_COLOR (any non-empty value) wins, then FORCE_COLOR (unless
 * "0"/"false"), else only on a terminal that is not TERM=dumb — as chalk and most CLIs decide.
 */
export function decideColour(env: Readonly<Record<string, string | undefined>>, outIsTty: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return outIsTty && env.TERM !== "dumb";
}

/** Caches a lazy async value; a failed attempt is not cached, so a later call retries. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= make().catch((e: unknown) => { p = undefined; throw e; });
    return p;
  };
}

// Command words that never open a connection (`version` does, unless --client).
const LOCAL_COMMANDS = new Set(["help", "completion", "config"]);

/**
 * Whether a command line may need a connection to an API server: false for help, completion
 * scripts, `config`, `version --client` and an empty command line. A guess made before
 * parsing: it only decides what to load early.
 */
export function mayTalkToServer(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  const words = end < 0 ? argv : argv.slice(0, end);
  if (words.includes("--help") || words.includes("-h")) return false;
  const command = words.find((w) => !w.startsWith("-"));
  if (command === undefined || LOCAL_COMMANDS.has(command)) return false;
  return !(command === "version" && words.includes("--client"));
}

// Commands that connect somewhere other than the current context's server, or nowhere.
const NOT_CURRENT_SERVER = new Set(["login", "logout", "cluster", "server", "minion"]);
// Flags that choose another server, credentials or connection settings.
const CONNECTION_FLAG = /^(--kubeconfig|--context|--cluster|--user|-s|--server|--token|--insecure-skip-tls-verify|--certificate-authority|--request-timeout)(=|$)|^-s./;

/**
 * Whether the command will most likely talk to the current context's server with the
 * kubeconfig's own settings, so that its connection may be opened while the command line is
 * parsed: no flag on the line changes the server or the connection.
 */
export function mayPreconnect(argv: readonly string[]): boolean {
  if (!mayTalkToServer(argv)) return false;
  const end = argv.indexOf("--");
  const words = end < 0 ? argv : argv.slice(0, end);
  if (words.some((w) => CONNECTION_FLAG.test(w))) return false;
  return !NOT_CURRENT_SERVER.has(words.find((w) => !w.startsWith("-")) ?? "");
}

/** The process's own Deps, with what only a real process does. */
export interface RealDeps extends Deps {
  /**
   * Opens a connection to the current context's server (kubeconfig settings, no flags) while
   * the command line is still being parsed; client() uses it when the command's settings turn
   * out the same, and closes it otherwise. Never fails.
   */
  preconnect: () => Promise<void>;
}

/**
 * The process's Deps, built once by bin/skiff.ts. config() and client() are lazy and
 * cached, and read `flags` when first called (main sets them first). The kubeconfig loader,
 * HTTP transport and client are imported on first use, so `skiff --help` and
 * `skiff version --client` load neither the network modules nor the control plane.
 */
export function realDeps(): RealDeps {
  const out = process.stdout;
  const err = process.stderr;
  const env = process.env;
  // The transport preconnect() made, with the settings it was made for.
  let early: { connection: string; transport: Transport } | undefined;
  let earlyConfig: LoadedConfig | undefined;
  const load = async (flags: ConnectionFlags): Promise<LoadedConfig> => {
    const { loadKubeConfig } = await import("./client/kubeconfig.ts");
    const { homedir } = process.getBuiltinModule("node:os");
    return loadKubeConfig(env, flags, env.HOME || homedir());
  };
  const deps: RealDeps = {
    io: {
      // Made on first use: most commands never read stdin, and opening it costs start-up time.
      get in(): NodeJS.ReadableStream { return process.stdin; },
      out: { write: (s) => { out.write(s); } },
      err: { write: (s) => { err.write(s); } },
      tty: { in: process.getBuiltinModule("node:tty").isatty(0), out: Boolean(out.isTTY), err: Boolean(err.isTTY) },
      colour: decideColour(env, Boolean(out.isTTY)),
      width: out.columns || Number(env.COLUMNS) || 80,
    },
    clock: realClock,
    random: Math.random,
    env,
    flags: {},
    verbosity: 0,
    config: once(async () => {
      // The kubeconfig preconnect() read serves again unless a flag other than -n changes it.
      const f = deps.flags as Record<string, unknown>;
      if (earlyConfig && Object.keys(f).every((k) => k === "namespace" || f[k] === undefined)) {
        const { withNamespace } = await import("./client/kubeconfig.ts");
        return deps.flags.namespace ? withNamespace(earlyConfig, deps.flags.namespace) : earlyConfig;
      }
      return load(deps.flags);
    }),
    preconnect: async () => {
      try {
        const cfg = await load({});
        earlyConfig = cfg;
        const { createHttpTransport } = await import("./client/http-transport.ts");
        const transport = createHttpTransport(cfg.connection);
        transport.preconnect?.();
        early = { connection: JSON.stringify(cfg.connection), transport };
      } catch {
        // No usable kubeconfig: the command itself will say so, if it needs one.
      }
    },
    client: once(async () => {
      const cfg = await deps.config();
      const [{ createHttpTransport }, { createApiClient }] = await Promise.all([
        import("./client/http-transport.ts"), import("./client/client.ts")]);
      const reuse = early !== undefined && early.connection === JSON.stringify(cfg.connection);
      if (early && !reuse) void early.transport.close?.();
      const transport = reuse ? early!.transport : createHttpTransport(cfg.connection);
      early = undefined;
      return createApiClient(transport, {
        namespace: cfg.namespace,
        server: cfg.connection.server,
        onWarning: (w: string) => deps.io.err.write(`Warning: ${w}\n`),
      });
    }),
  };
  return deps;
}
