// Retention in a real vault: a 30-day simulated run (clock injected) of daily backups and
// daily prunes keeps exactly the points src/plan/retention.ts predicts, frees dead packs,
// leaves no damage, and every kept point still restores byte-identically.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault } from "../../src/engine/index.js";
import { pruneVault } from "../../src/engine/prune.js";
import { acquireLock } from "../../src/engine/vault/lock.js";
import { pointFates, pointsAt } from "../../src/plan/retention.js";
import type { RetentionSpec } from "../../src/plan/retention.js";
import { KiB, filesUnder, platformEnv, writeImage } from "./helpers.js";

// `retain daily 7 days` and `retain weekly 2 weeks on Sun`, in UTC.
const SPEC: RetentionSpec = { retention: { daily: { days: 7 }, weekly: { weeks: 2, weekdays: [7] } }, zone: "UTC", instantRestoreDays: 2 };
const BS = 64 * KiB;

describe("prune", () => {
  it("a 30-day run keeps exactly the points the retention functions predict; kept points restore byte-identically", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    writeImage(img, "rtzr", 4 * BS); // 16 blocks of 64 KiB
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    const opts = { machineKeyFile: env.machineKeyFile, blockSize: BS, pageBlocks: 4, packTarget: 32 * KiB, workers: 1 };
    const start = DateTime.fromISO("2026-03-01T02:30:00", { zone: "UTC" });
    const states = new Map<string, Buffer>();
    const times: DateTime[] = [];
    let freed = 0;
    for (let day = 0; day < 30; day++) {
      const t = start.plus({ days: day });
      // Each day one block gets new content: old chunks die as their points expire.
      const fd = fs.openSync(img, "r+");
      fs.writeSync(fd, crypto.randomBytes(BS), 0, BS, (day % 16) * BS);
      fs.closeSync(fd);
      const r = await backupVm(env.vault, vm, { ...opts, now: () => t.toJSDate() });
      states.set(r.point, fs.readFileSync(img));
      times.push(t);
      const p = await pruneVault(env.vault, new Map([["vm1", SPEC]]), { machineKeyFile: env.machineKeyFile, now: () => t.toJSDate() });
      expect(p.gcSkipped).toBeUndefined();
      freed += p.bytesFreed;
    }
    const end = times[times.length - 1];
    const predicted = pointsAt(pointFates(times, SPEC), end).map((f) => f.at.toUTC().toISO());
    const pts = await listPoints(env.vault, { vm: "vm1" }, { machineKeyFile: env.machineKeyFile });
    expect(pts.map((p) => DateTime.fromISO(p.createdAt, { zone: "UTC" }).toISO())).toEqual(predicted);
    // 2026-03-24 … 03-30 by the daily rule, plus the Sundays 03-22 and 03-29 by the weekly one
    // (03-15's weekly expiry was 03-29 02:30).
    expect(pts.map((p) => p.createdAt.slice(5, 10))).toEqual(["03-22", "03-24", "03-25", "03-26", "03-27", "03-28", "03-29", "03-30"]);
    expect(freed).toBeGreaterThan(0);

    const ver = await verifyVault(env.vault, { machineKeyFile: env.machineKeyFile, readData: true });
    expect(ver.damage).toEqual([]);
    expect(ver.ok).toBe(true);
    expect(ver.notes).toEqual([]); // nothing unreferenced is left behind

    for (const p of pts) {
      const out = path.join(env.dir, "restore", p.id);
      const r = await restoreVm(env.vault, { vm: "vm1", point: p.id, toDir: out }, { machineKeyFile: env.machineKeyFile, workers: 1 });
      expect(r.ok).toBe(true);
      expect(fs.readFileSync(path.join(out, "os.img")).equals(states.get(p.id)!)).toBe(true);
    }

    // Pruning again at the same moment changes nothing.
    const again = await pruneVault(env.vault, new Map([["vm1", SPEC]]), { machineKeyFile: env.machineKeyFile, now: () => end.toJSDate() });
    expect([again.expired.length, again.packsDeleted, again.mapsDeleted]).toEqual([0, 0, 0]);
  });

  it("--dry-run deletes nothing; points of VMs without a retention are untouched; a held lock makes prune wait and fail", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "a.img");
    writeImage(img, "rr", BS);
    const t = (d: number) => DateTime.fromISO("2026-03-01T02:30:00", { zone: "UTC" }).plus({ days: d }).toJSDate();
    for (let d = 0; d < 6; d++) {
      fs.writeFileSync(img, crypto.randomBytes(2 * BS));
      await backupVm(env.vault, { name: "a", disks: [{ name: "os", image: img }] }, { machineKeyFile: env.machineKeyFile, blockSize: BS, now: () => t(d) });
      await backupVm(env.vault, { name: "b", disks: [{ name: "os", image: img }] }, { machineKeyFile: env.machineKeyFile, blockSize: BS, now: () => t(d) });
    }
    const spec: RetentionSpec = { retention: { daily: { days: 3 } }, zone: "UTC", instantRestoreDays: 2 };
    const before = fs.readdirSync(env.vault.path, { recursive: true }).length;
    const dry = await pruneVault(env.vault, new Map([["a", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(5), dryRun: true });
    expect(dry.expired).toHaveLength(3);
    expect(dry.kept).toHaveLength(3);
    expect(dry.untouchedVms).toEqual(["b"]);
    expect(dry.packsDeleted).toBe(0); // b still references the same chunks (dedupe across VMs)
    expect(fs.readdirSync(env.vault.path, { recursive: true }).length).toBe(before);
    expect(await listPoints(env.vault, { vm: "a" }, { machineKeyFile: env.machineKeyFile })).toHaveLength(6);

    const lock = await acquireLock(env.vault.path, "test backup", 0);
    try {
      await expect(pruneVault(env.vault, new Map([["a", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(5), lockWaitMs: 100 })).rejects.toThrow(/BKP5010|held|lock/i);
    } finally {
      lock.release();
    }
    const real = await pruneVault(env.vault, new Map([["a", spec], ["b", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(5) });
    expect(real.expired).toHaveLength(6);
    expect(real.packsDeleted).toBeGreaterThan(0);
    expect((await verifyVault(env.vault, { machineKeyFile: env.machineKeyFile, readData: true })).ok).toBe(true);
  });

  it("repacks packs with under 80 % live data: space comes back, kept points restore byte-identically, and --dry-run says why each point is kept", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    fs.writeFileSync(img, crypto.randomBytes(16 * BS));
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    // One pack per backup (1 MiB target > 16 incompressible 64 KiB chunks).
    const opts = { machineKeyFile: env.machineKeyFile, blockSize: BS, pageBlocks: 8, packTarget: 2 * 1024 * KiB, workers: 1 };
    const t = (d: number) => DateTime.fromISO("2026-03-01T02:30:00", { zone: "UTC" }).plus({ days: d }).toJSDate();
    const states = new Map<string, Buffer>();
    for (let d = 0; d < 4; d++) {
      // A quarter of the image changes each day: the first pack's old blocks die with their points.
      const fd = fs.openSync(img, "r+");
      fs.writeSync(fd, crypto.randomBytes(4 * BS), 0, 4 * BS, (d % 4) * 4 * BS);
      fs.closeSync(fd);
      const r = await backupVm(env.vault, vm, { ...opts, now: () => t(d) });
      states.set(r.point, fs.readFileSync(img));
    }
    const packBytes = () => filesUnder(path.join(env.vault.path, "packs")).reduce((n, f) => n + fs.statSync(path.join(env.vault.path, "packs", f)).size, 0);
    const before = packBytes();
    const spec: RetentionSpec = { retention: { daily: { days: 1 } }, zone: "UTC", instantRestoreDays: 2 };
    // Days later, the rules of every point have ended: only the newest is kept, and the dry run says so.
    const dry = await pruneVault(env.vault, new Map([["vm1", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(9), dryRun: true });
    expect(dry.kept.map((p) => p.reason)).toEqual(["the newest point: always kept"]);
    expect(dry.expired.map((p) => p.reason)).toEqual([1, 2, 3].map((d) => `kept by daily until ${t(d).toISOString().replace(".000Z", ".000Z")}`));
    expect(dry.packsToRepack).toBeGreaterThan(0);
    expect(packBytes()).toBe(before);
    // On the day after the last backup that point is kept by its rule, with its date.
    const fresh = await pruneVault(env.vault, new Map([["vm1", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(3), dryRun: true });
    expect(fresh.kept.map((p) => p.reason)).toEqual([`daily until ${t(4).toISOString()}`]);

    const real = await pruneVault(env.vault, new Map([["vm1", spec]]), { machineKeyFile: env.machineKeyFile, now: () => t(9) });
    expect(real.packsRepacked).toBe(dry.packsToRepack);
    expect(real.repackSkipped).toEqual([]);
    // What is left is the newest point's 16 chunks (and pack overhead): the first pack's 12 dead ones are gone.
    expect(packBytes()).toBeLessThan(16 * BS + 64 * KiB);
    expect(before - packBytes()).toBeGreaterThanOrEqual(12 * BS);
    expect(before - packBytes()).toBe(real.bytesFreed);
    const ver = await verifyVault(env.vault, { machineKeyFile: env.machineKeyFile, readData: true });
    expect(ver.damage).toEqual([]);
    expect(ver.notes).toEqual([]);
    const last = real.kept[0].id;
    const out = path.join(env.dir, "after-repack");
    const r = await restoreVm(env.vault, { vm: "vm1", point: last, toDir: out, from: "vault" }, { machineKeyFile: env.machineKeyFile, workers: 1 });
    expect(r.ok).toBe(true);
    expect(fs.readFileSync(path.join(out, "os.img")).equals(states.get(last)!)).toBe(true);
  });
});
