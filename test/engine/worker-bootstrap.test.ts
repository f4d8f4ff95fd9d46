// The engine run from its TypeScript sources (vitest, tsx) starts its worker threads through
// worker-bootstrap.mjs, which registers tsx. The other tests use the worker bundled once per run
// (test/global-setup.ts); this one takes the sources' path.
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { backupVm, restoreVm } from "../../src/engine/index.js";
import { MiB, platformEnv, sha, writeImage } from "./helpers.js";

const bundled = process.env.BKP_ENGINE_WORKER;
beforeAll(() => {
  delete process.env.BKP_ENGINE_WORKER;
});
afterAll(() => {
  process.env.BKP_ENGINE_WORKER = bundled;
});

it("backs up and restores byte-identically with workers started from the .ts sources", async () => {
  const env = platformEnv();
  const image = path.join(env.dir, "os.raw");
  writeImage(image, "rtz", MiB);
  const vm = { name: "vm", disks: [{ name: "os", image }] };
  const b = await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, now: () => new Date("2026-03-01T02:30:00Z") });
  const r = await restoreVm(env.vault, { vm: "vm", point: b.point, toDir: path.join(env.dir, "out") }, { machineKeyFile: env.machineKeyFile });
  expect(r.ok).toBe(true);
  expect(sha(r.disks[0].path)).toBe(sha(image));
});
