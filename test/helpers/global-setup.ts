// vitest globalSetup: runs once before any test file. The end-to-end files all run dist/skiff,
// so it is built here, once, before they start in parallel (two builds racing on one file, or a
// spawn while the file is rewritten, leave a broken executable or fail with ETXTBSY).
import { ensureBuilt } from "./ensure-built.ts";

export async function setup(): Promise<void> {
  await ensureBuilt();
}

export function teardown(): void {}
