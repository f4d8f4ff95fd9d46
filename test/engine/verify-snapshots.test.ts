// verify and the instant-restore snapshot tier, on real images and real backups: healthy
// snapshots are listed; a flipped byte in a snapshot file is found by --read-data only (its size
// is unchanged), with the disk and block offset; a truncated or deleted file and a corrupt
// snapshot.json are found without --read-data; expired snapshots and .tmp- folders are notes.
// Snapshot damage never counts as vault damage (`ok` stays the vault's), and a restore still
// takes the damaged disk from the vault.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import { snapshotRoot } from "../../src/engine/snapshot/snapshots.js";
import type { SnapshotTier, VerifyOptions } from "../../src/engine/types.js";
import { KiB, overwrite, sha, twoDiskVm } from "./helpers.js";
import type { Env } from "./helpers.js";

const BS = 64 * KiB;
const TIER: SnapshotTier = { days: 2, zone: "UTC" };
const day = (d: number, minutes = 0) => DateTime.fromISO("2026-03-01T02:30:00Z", { zone: "UTC" }).plus({ days: d, minutes }).toJSDate();

const setup = () => twoDiskVm(BS);

const backupOpts = (env: Env, at: Date) => ({ machineKeyFile: env.machineKeyFile, blockSize: BS, pageBlocks: 8, packTarget: 256 * KiB, workers: 2, now: () => at, instantRestore: TIER });
const verifyOpts = (env: Env, at: Date, readData = false): VerifyOptions => ({ machineKeyFile: env.machineKeyFile, now: () => at, instantRestore: new Map([["vm1", TIER]]), readData });

/** A snapshot file made writable (they are 0400) and changed by `f`. */
function tamper(file: string, f: (file: string) => void): void {
  fs.chmodSync(file, 0o600);
  f(file);
}

describe("verify checks the instant-restore snapshots", () => {
  it("healthy snapshots: ok and listed, with and without --read-data; expired ones and .tmp- folders are notes", async () => {
    const { env, vm, os, data } = setup();
    const r1 = await backupVm(env.vault, vm, backupOpts(env, day(0)));
    overwrite(data, 0, crypto.randomBytes(100));
    const r2 = await backupVm(env.vault, vm, backupOpts(env, day(0, 60)));

    const cheap = await verifyVault(env.vault, verifyOpts(env, day(1)));
    expect(cheap).toMatchObject({ ok: true, snapshotsOk: true, snapshotBytesChecked: 0, damage: [], notes: [] });
    expect(cheap.snapshots).toEqual([
      { vm: "vm1", point: r1.point, dir: r1.snapshot?.dir, ok: true, disks: ["os", "data"], problems: [] },
      { vm: "vm1", point: r2.point, dir: r2.snapshot?.dir, ok: true, disks: ["os", "data"], problems: [] },
    ]);

    const full = await verifyVault(env.vault, verifyOpts(env, day(1), true));
    expect(full).toMatchObject({ ok: true, snapshotsOk: true, notes: [] });
    expect(full.snapshots.map((s) => s.ok)).toEqual([true, true]);
    // Every block of both snapshots (the os file is shared by a hard link, and read for each point).
    expect(full.snapshotBytesChecked).toBe(2 * (fs.statSync(os).size + fs.statSync(data).size));

    // A temporary folder (a backup killed while writing) and, two days on, the first snapshot expired.
    fs.mkdirSync(path.join(snapshotRoot(env.vault.path), "vm1", `${r2.point}.tmp-99999-abcdef01`));
    const later = await verifyVault(env.vault, verifyOpts(env, day(2, 30)));
    expect(later).toMatchObject({ ok: true, snapshotsOk: true, damage: [] });
    expect(later.snapshots.map((s) => s.point)).toEqual([r2.point]);
    expect(later.notes).toEqual([
      expect.stringMatching(/^1 temporary instant-restore snapshot folder\(s\) \(\S+\.tmp-99999-abcdef01\): .*no restore uses them/),
      `the instant-restore snapshot of point ${r1.point} of VM "vm1" expired at 2026-03-03T02:30:00.000Z and is not deleted yet: no restore uses it; the next backup of the VM or \`bkp prune\` deletes it`,
    ]);
  });

  // fincore (util-linux) counts a file's cached pages; tmpfs and the like take no O_DIRECT.
  const fsType = spawnSync("findmnt", ["-n", "-o", "FSTYPE", "-T", os.tmpdir()], { encoding: "utf8" }).stdout?.trim() ?? "";
  const measurable = spawnSync("fincore", ["--version"]).status === 0 && ["ext4", "xfs", "btrfs"].includes(fsType);
  it.skipIf(!measurable)("--read-data reads a full snapshot copy past the page cache: the machine's cache is left as it was", async () => {
    const { env, vm } = setup();
    const r = await backupVm(env.vault, vm, backupOpts(env, day(0)));
    const file = path.join(r.snapshot?.dir ?? "", "data.raw");
    const cached = () => Number(spawnSync("fincore", ["-n", "-b", "-o", "RES", file], { encoding: "utf8" }).stdout.trim());
    const size = fs.statSync(file).size;
    // The copy was written past the cache too (its short tail aside).
    expect(cached()).toBeLessThan(size / 10);
    const full = await verifyVault(env.vault, verifyOpts(env, day(1), true));
    expect(full).toMatchObject({ ok: true, snapshotsOk: true });
    expect(full.snapshotBytesChecked).toBeGreaterThanOrEqual(size);
    expect(cached()).toBeLessThan(size / 10);
  });

  it("a flipped byte in a snapshot file: --read-data names the disk and the block's offset (BKP5071, the vault intact); without it verify passes; restore takes the disk from the vault", async () => {
    const { env, vm, data } = setup();
    const r = await backupVm(env.vault, vm, backupOpts(env, day(0)));
    const file = path.join(r.snapshot?.dir ?? "", "data.raw");
    const size = fs.statSync(file).size;
    tamper(file, (f) => {
      const b = fs.readFileSync(f);
      b[5 * BS + 123] ^= 0x10;
      fs.writeFileSync(f, b);
    });
    expect(fs.statSync(file).size).toBe(size);

    // Without --read-data: the record and the file's size are all it checks, and both are fine.
    const cheap = await verifyVault(env.vault, verifyOpts(env, day(1)));
    expect(cheap).toMatchObject({ ok: true, snapshotsOk: true });
    expect(cheap.snapshots[0]).toMatchObject({ point: r.point, ok: true, problems: [] });

    const full = await verifyVault(env.vault, verifyOpts(env, day(1), true));
    expect(full.ok).toBe(true); // the vault is not damaged …
    expect(full.damage).toEqual([]);
    expect(full.snapshotsOk).toBe(false); // … its snapshot is
    expect(full.snapshots).toHaveLength(1);
    expect(full.snapshots[0]).toMatchObject({ vm: "vm1", point: r.point, ok: false, disks: ["os", "data"] });
    expect(full.snapshots[0].problems).toEqual([
      {
        code: "BKP5071",
        disk: "data",
        offset: 5 * BS,
        message: `the instant-restore snapshot of disk "data" of point ${r.point} differs from the point in the block at byte ${5 * BS} of the disk (checksum mismatch): it was changed or damaged after the backup; restores take this disk from the vault instead (the vault's copy is intact)`,
      },
    ]);

    const res = await restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: path.join(env.dir, "out"), instantRestore: TIER }, { machineKeyFile: env.machineKeyFile, now: () => day(1) });
    expect(res.disks.map((d) => [d.disk, d.from, d.ok])).toEqual([["os", "snapshot", true], ["data", "vault", true]]);
    expect(sha(path.join(env.dir, "out", "data.raw"))).toBe(sha(data));
  });

  it("a truncated and a deleted snapshot file are found without --read-data", async () => {
    const { env, vm } = setup();
    const r = await backupVm(env.vault, vm, backupOpts(env, day(0)));
    const dir = r.snapshot?.dir ?? "";
    tamper(path.join(dir, "os.img"), (f) => fs.truncateSync(f, 3 * BS));
    fs.rmSync(path.join(dir, "data.raw"));
    for (const readData of [false, true]) {
      const v = await verifyVault(env.vault, verifyOpts(env, day(1), readData));
      expect(v).toMatchObject({ ok: true, snapshotsOk: false, damage: [] });
      expect(v.snapshots[0].problems).toEqual([
        { code: "BKP5071", disk: "os", message: `the instant-restore snapshot of disk "os" of point ${r.point} has a file of ${3 * BS} bytes where ${32 * BS} were copied (${path.join(dir, "os.img")}); restores take this disk from the vault instead (the vault's copy is intact)` },
        { code: "BKP5071", disk: "data", message: `the instant-restore snapshot of disk "data" of point ${r.point} is missing its file ${path.join(dir, "data.raw")}; restores take this disk from the vault instead (the vault's copy is intact)` },
      ]);
    }
  });

  it("a corrupt snapshot.json is reported, not a crash; the other VM's snapshots are still checked", async () => {
    const { env, vm } = setup();
    const r = await backupVm(env.vault, vm, backupOpts(env, day(0)));
    const other = await backupVm(env.vault, { ...vm, name: "vm 2" }, backupOpts(env, day(0, 5)));
    tamper(path.join(r.snapshot?.dir ?? "", "snapshot.json"), (f) => fs.writeFileSync(f, '{"format": "bkp-snapsh'));
    for (const readData of [false, true]) {
      const v = await verifyVault(env.vault, { ...verifyOpts(env, day(1), readData), instantRestore: new Map([["vm1", TIER], ["vm 2", TIER]]) });
      expect(v).toMatchObject({ ok: true, snapshotsOk: false, damage: [] });
      expect(v.snapshots.map((s) => [s.vm, s.point, s.ok])).toEqual([
        ["vm 2", other.point, true],
        ["vm1", r.point, false],
      ]);
      const bad = v.snapshots[1];
      expect(bad.disks).toEqual([]);
      expect(bad.problems).toHaveLength(1);
      expect(bad.problems[0].code).toBe("BKP5071");
      expect(bad.problems[0].disk).toBeUndefined();
      expect(bad.problems[0].message).toMatch(
        new RegExp(`^the instant-restore snapshot of point ${r.point} of VM "vm1" is unreadable: its record snapshot\\.json cannot be read \\(.+\\); restores of the point take its disks from the vault \\(the vault's copy is intact\\), and \`bkp prune\` deletes the snapshot$`),
      );
    }
  });
});
