// kill -9 of a real backup process at random moments: afterwards verify reports no damage,
// earlier points restore byte-identically, and the next backup completes.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault } from "../../src/engine/index.js";
import { KiB, MiB, filesUnder, platformEnv, sha, writeImage } from "./helpers.js";
import { runChild, useBundledWorker, waitExit } from "./child.js";

const TRIALS = 20;

describe("crash safety", () => {
  it(`survives kill -9 at random moments (${TRIALS} trials)`, async () => {
    await useBundledWorker();
    const env = platformEnv();
    const a = path.join(env.dir, "a.raw");
    const b = path.join(env.dir, "b.raw");
    writeImage(a, "rtrtrtrt", MiB);
    writeImage(b, "ttrrzztr", MiB);
    const vm = { name: "vm", disks: [{ name: "a", image: a }, { name: "b", image: b }] };
    // Small blocks and packs: many pack commits, index writes and maps per run, so kills land
    // in every phase (startup, reading, pack commit, index, maps, manifest, after). Blocks of
    // four 64 KiB grains, so small writes are stored as delta chunks over earlier points' blocks.
    const opts = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, pageBlocks: 8, packTarget: 256 * KiB, workers: 2, lockWaitMs: 5000 };
    const expected = new Map<string, { a: string; b: string }>();
    const record = (point: string) => expected.set(point, { a: sha(a), b: sha(b) });

    // Calibrate: how long an uninterrupted child backup takes.
    const t0 = Date.now();
    const first = await waitExit(await runChild("backup", { vault: env.vault, vm, opts }));
    const runMs = Date.now() - t0;
    expect(first.code, first.out + first.err).toBe(0);
    record((JSON.parse(first.out) as { point: string }).point);

    const churn = (file: string) => {
      const fd = fs.openSync(file, "r+");
      for (let i = 0; i < 6; i++) fs.writeSync(fd, crypto.randomBytes(100 * KiB), 0, 100 * KiB, crypto.randomInt(0, 8 * MiB - 100 * KiB));
      for (let i = 0; i < 8; i++) fs.writeSync(fd, crypto.randomBytes(16 * KiB), 0, 16 * KiB, crypto.randomInt(0, 8 * MiB - 16 * KiB));
      fs.closeSync(fd);
    };

    const log: string[] = [];
    let killedMidway = 0;
    let deltas = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      churn(a);
      churn(b);
      const before = new Set((await listPoints(env.vault, { vm: "vm" }, opts)).map((p) => p.id));
      const delay = Math.floor(Math.random() * runMs * 1.1);
      const child = await runChild("backup", { vault: env.vault, vm, opts });
      const exit = waitExit(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      const res = await exit;
      log.push(`trial ${trial}: kill after ${delay} ms -> ${res.signal ?? `exit ${res.code}`}`);
      const after = await listPoints(env.vault, { vm: "vm" }, opts);
      const added = after.filter((p) => !before.has(p.id));
      expect(added.length, log.join("\n")).toBeLessThanOrEqual(1);
      if (added.length) record(added[0].id);
      else killedMidway++;

      // 1. No damage (leftovers are notes, not damage).
      const v = await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile });
      expect(v.damage, log.join("\n")).toEqual([]);
      expect(v.ok).toBe(true);

      // 2. Earlier points restore byte-identically (the newest, and one chosen at random).
      const ids = after.map((p) => p.id);
      for (const id of new Set([ids[ids.length - 1], ids[crypto.randomInt(0, ids.length)]])) {
        const out = path.join(env.dir, `restore-${trial}-${id}`);
        const r = await restoreVm(env.vault, { vm: "vm", point: id, toDir: out }, opts);
        expect(r.ok, log.join("\n")).toBe(true);
        expect({ a: sha(r.disks[0].path), b: sha(r.disks[1].path) }, `${id} ${log.join("\n")}`).toEqual(expected.get(id));
        fs.rmSync(out, { recursive: true });
      }

      // 3. The next backup completes (taking over the dead process's lock) on every other trial;
      //    the others leave the leftovers for the next killed run to meet.
      if (trial % 2 === 1) {
        const next = await backupVm(env.vault, vm, opts);
        record(next.point);
        deltas += next.disks.reduce((s, d) => s + d.deltaChunks, 0);
        const temps = filesUnder(env.vault.path).filter((f) => f.includes(".tmp-"));
        expect(temps).toEqual([]);
      }
    }
    // Most trials must really have interrupted a backup, or this tests little.
    expect(killedMidway, log.join("\n")).toBeGreaterThanOrEqual(TRIALS / 3);
    expect(deltas, "the completed backups stored delta chunks").toBeGreaterThan(0);
    const final = await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile });
    expect(final.ok).toBe(true);
  }, 300_000); // 20 real processes: minutes on a loaded machine
});
