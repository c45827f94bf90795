// Test runner settings: two cores, so at most two workers; e2e tests get longer timeouts in-file.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
