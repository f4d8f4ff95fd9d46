import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The fault-injection suite has its own config (vitest.faults.config.ts, npm run test:faults).
    exclude: ["test/faults/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // vitest's default is one worker less than the CPUs: on a 2-CPU machine one test file at a
    // time, while most files wait on child processes, locks, worker threads or the emulator.
    // Every CPU runs a file (BKP_TEST_WORKERS overrides).
    maxWorkers: Number(process.env.BKP_TEST_WORKERS) || Math.max(2, availableParallelism()),
    // A temporary folder per test file, removed after it (nothing left in /tmp).
    setupFiles: ["test/setup.ts"],
    // The engine's worker thread bundled once per run (not compiled by tsx in every thread).
    globalSetup: ["test/global-setup.ts"],
  },
});
