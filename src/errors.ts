// CLI-only errors: bad argv, and commands that pass an exit code through.
/** Bad flags or arguments; printed as `error: <msg>` plus a help hint; exit 1. */
export class UsageError extends Error {
  readonly command?: string;
  constructor(message: string, command?: string) { super(message); this.command = command; }
}

/** Ends the command with `code`, printing `message` (if any) to stderr as is. */
export class ExitCodeError extends Error {
  readonly code: number;
  constructor(code: number, message = "") { super(message); this.code = code; }
}

/** A failure already worded for the user: printed as `error: <msg>` (no stack), exit 1. */
export class CliError extends Error {}
