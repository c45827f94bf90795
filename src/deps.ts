// The Deps seam: everything from outside (IO, clock, randomness, env, config, client) comes
// through here, so tests build the world with testDeps() and read out/err back.
import type { ApiClient } from "./client/api-client.ts";
import type { LoadedConfig } from "./client/kubeconfig.ts";

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
}
