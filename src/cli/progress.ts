// Progress on stderr for long waits: an ora spinner on a terminal, plain `Waiting for …` lines
// elsewhere (pipes, CI logs). stdout is never touched.
import type { IOStreams } from "../deps.ts";

/** A running progress indicator. Every method is safe to call after the indicator has ended. */
export interface Progress {
  /** Changes the text (a spinner redraws; plain output prints a new line only when the text changed). */
  update(text: string): void;
  /** Ends with a success mark and text. */
  succeed(text: string): void;
  /** Ends with a failure mark and text. */
  fail(text: string): void;
  /** Ends silently (the spinner line is cleared). */
  stop(): void;
}

/** Whether a spinner may draw: stderr is a terminal and this is not a CI run (CI=true or CI=1). */
export function spinnerAllowed(io: Pick<IOStreams, "tty">, env: Readonly<Record<string, string | undefined>>): boolean {
  const ci = env.CI;
  return io.tty.err && !(ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false");
}

function plainProgress(io: Pick<IOStreams, "err">, text: string): Progress {
  let last = text;
  let ended = false;
  io.err.write(`${text}\n`);
  return {
    update(t) {
      if (ended || t === last) return;
      last = t;
      io.err.write(`${t}\n`);
    },
    succeed(t) {
      if (ended) return;
      ended = true;
      io.err.write(`${t}\n`);
    },
    fail(t) {
      if (ended) return;
      ended = true;
      io.err.write(`${t}\n`);
    },
    stop() {
      ended = true;
    },
  };
}

/**
 * Starts progress for `text` (e.g. `Waiting for the API server`). On a terminal outside CI an
 * ora spinner draws on the real stderr (ora is imported only then); otherwise `text` is
 * written to io.err as one plain line, and so is each changed text and the final one.
 */
export async function startProgress(io: Pick<IOStreams, "err" | "tty">, text: string,
  env: Readonly<Record<string, string | undefined>> = {}): Promise<Progress> {
  if (!spinnerAllowed(io, env)) return plainProgress(io, text);
  const { default: ora } = await import("ora");
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
  let ended = false;
  const end = (f: () => void): void => {
    if (ended) return;
    ended = true;
    f();
  };
  return {
    update(t) { if (!ended) spinner.text = t; },
    succeed(t) { end(() => spinner.succeed(t)); },
    fail(t) { end(() => spinner.fail(t)); },
    stop() { end(() => spinner.stop()); },
  };
}
