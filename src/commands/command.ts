// How a command is declared: flags → complete (fill in, may read config) → validate (pure) → run.
import type { Command } from "commander";
import type { Deps } from "../deps.ts";

/** Help groups, as `oc --help` groups its commands. */
export type CommandGroup =
  | "Basic Commands" | "Build and Deploy Commands" | "Application Management Commands"
  | "Troubleshooting and Debugging Commands" | "Advanced Commands" | "Settings Commands"
  | "Other Commands";

/**
 * What shell completion offers for a command's positional arguments (`skiff __complete`).
 * Commands without it fall back to the table in src/cli/completion/args.ts, then to nothing.
 * - "resource-then-names": a resource type (or a comma list, or `type/name` pairs), then
 *   names of that type from the server — `get pods <TAB>`, `get pod/<TAB>`.
 * - `{ resource }`: names of one resource — `logs <TAB>` (pods); `max` caps how many
 *   positionals complete (`logs POD [CONTAINER]` completes only the first).
 * - `{ resources }`: like "resource-then-names" but only these types (and their short names)
 *   — `rollout status dc/<TAB>`, `scale rc/<TAB>`.
 * - `{ kubeconfig }`: names from the kubeconfig — `config use-context <TAB>`.
 * - `{ values }`: a fixed list — `completion <TAB>` (bash, zsh).
 * - "none": nothing (and no file names).
 */
export type CompleteArgs =
  | "resource-then-names"
  | "none"
  | { resource: string; max?: number }
  | { resources: string[] }
  | { kubeconfig: "contexts" | "clusters" | "users"; max?: number }
  | { values: string[]; max?: number };

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
  /** What shell completion offers for the positional arguments (see CompleteArgs). */
  completeArgs?: CompleteArgs;
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
