// How a command is declared: flags → complete (fill in, may read config) → validate (pure) → run.
import type { Command } from "commander";
import type { Deps } from "../deps.ts";

/** Help groups, as `oc --help` groups its commands. */
export type CommandGroup =
  | "Basic Commands" | "Build and Deploy Commands" | "Application Management Commands"
  | "Troubleshooting and Debugging Commands" | "Advanced Commands" | "Settings Commands"
  | "Other Commands";

export interface CommandSpec<F = Record<string, unknown>, O = unknown> {
  /** "get", or space-separated for nested commands: "cluster up", "config view". */
  name: string;
  aliases?: string[];
  summary: string;
  group: CommandGroup;
  /** commander argument spec, e.g. "[args...]" or "<name>". */
  args?: string;
  /** Real, copy-pasteable examples shown by --help. */
  examples?: string[];
  hidden?: boolean;
  /** Adds this command's own flags (connection flags are global and added by main). */
  flags?: (c: Command) => Command;
  /** Turns argv into options; throws UsageError for bad input. May read config. */
  complete(args: string[], flags: F, deps: Deps): Promise<O> | O;
  /** Pure checks of flag combinations. */
  validate?(o: O): void;
  run(o: O, deps: Deps): Promise<void>;
}

/** Only aids type inference. */
export function defineCommand<F, O>(spec: CommandSpec<F, O>): CommandSpec<F, O> {
  return spec;
}
