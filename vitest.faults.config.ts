import { defineConfig } from "vitest/config";

// The fault-injection suite (test/faults): slow, so apart from the main `vitest run`;
// `npm test` runs it after the main suite, `npm run test:faults` alone.
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
    // A temporary folder per test file, removed after it (nothing left in /tmp).
    setupFiles: ["test/setup.ts"],
    // The engine's worker thread bundled once per run (not compiled by tsx in every thread).
    globalSetup: ["test/global-setup.ts"],
  },
});
