// Builds dist/skiff for the end-to-end tests when it is older than its sources, one builder at a
// time: test files run in parallel, and a build rewriting the executable while another file
// spawns it fails that spawn with ETXTBSY.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** The executable the end-to-end tests run. */
export const SKIFF_BINARY = join(root, "dist", "skiff");
const LOCK = join(root, "dist", ".build-lock");
/** A lock older than this was left by a builder that died: a build takes seconds. */
const STALE_LOCK_MS = 180_000;

function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

function stale(): boolean {
  const sources = Math.max(newest(join(root, "src")), newest(join(root, "bin")));
  return !existsSync(SKIFF_BINARY) || statSync(SKIFF_BINARY).mtimeMs < sources;
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch { /* released meanwhile */ }
    return false;
  }
}

/**
 * Resolves once dist/skiff is at least as new as src/ and bin/, building it (scripts/build.mjs)
 * if needed. Concurrent callers wait for the one that builds; a failed build rejects.
 */
export async function ensureBuilt(): Promise<void> {
  mkdirSync(dirname(LOCK), { recursive: true });
  while (!tryLock()) await new Promise((r) => setTimeout(r, 200));
  try {
    if (stale()) execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "pipe" });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * The environment an end-to-end test runs skiff and kubectl in: everything under `work` (HOME
 * too, so nothing reads or writes the developer's own ~/.kube or ~/.skiff), no colour.
 */
export function isolatedEnv(work: string): Record<string, string> {
  mkdirSync(join(work, "kube-cache"), { recursive: true });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: work,
    SKIFF_HOME: join(work, "skiff-home"),
    KUBECONFIG: join(work, "kubeconfig"),
    KUBECACHEDIR: join(work, "kube-cache"),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
  };
}
