// How to run this same program again as a child process (the control plane's server role).
import sea from "node:sea";
import { fileURLToPath } from "node:url";

/** A program and the arguments that come before any subcommand. */
export interface SelfCommand {
  command: string;
  args: string[];
}

/**
 * The command line that starts skiff itself: in the single executable (dist/skiff) that is the
 * executable alone; in development (bin/skiff.ts run by Node 24) it is Node plus that script.
 * Pure apart from reading where this process's executable lives; never throws.
 */
export function selfCommand(): SelfCommand {
  if (sea.isSea()) return { command: process.execPath, args: [] };
  // import.meta.url is this file (src/cli/self.ts) in development, so bin/ is two levels up.
  const script = fileURLToPath(new URL("../../bin/skiff.ts", import.meta.url));
  // the same flag bin/skiff passes: node:sqlite is still marked experimental on Node 24
  return { command: process.execPath, args: ["--disable-warning=ExperimentalWarning", script] };
}

/** skiff's own version, e.g. "0.1.0": baked in by the build, read from package.json otherwise. */
export function selfVersion(): string {
  return typeof SKIFF_VERSION === "string" ? SKIFF_VERSION : devVersion();
}

declare const SKIFF_VERSION: string | undefined;

function devVersion(): string {
  // Loaded lazily: only development builds reach this, the executable has the version baked in.
  const { readFileSync } = process.getBuiltinModule("node:fs");
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** The embedded cluster's data dir: $SKIFF_HOME, else ~/.skiff. */
export function skiffHome(env: Readonly<Record<string, string | undefined>>, home: string): string {
  return env.SKIFF_HOME || `${home.replace(/\/+$/, "")}/.skiff`;
}
