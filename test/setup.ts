// Every test file gets its own temporary folder, removed after its last test: os.tmpdir() (and
// so every mkdtemp of the tests) and TMPDIR (inherited by the bkp processes, editors and tmux
// sessions the tests start) point into it. Nothing a test creates is left in /tmp, whether or
// not the test removes it itself (vitest.config.ts: setupFiles).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, inject } from "vitest";

// A worker process runs several files one after another: start from the real temp folder each time.
const root = (process.env.BKP_TEST_TMP_ROOT ??= tmpdir());
const dir = mkdtempSync(join(root, "bkp-test-"));
process.env.TMPDIR = dir;

// The engine's worker, bundled once for the whole run (test/global-setup.ts).
process.env.BKP_ENGINE_WORKER ??= inject("engineWorker");

afterAll(() => {
  process.env.TMPDIR = root;
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});
