// The instant-restore tier on a file system with reflinks (XFS with reflink=1, in a loop file):
// each snapshot is a reflink copy of the image (shared extents, no data written), restores come
// back byte-identically, and verify --read-data checks them. Needs root (mount) and mkfs.xfs.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { EngineVault } from "../../src/engine/types.js";
import { KiB, MiB, overwrite, sha, tempDir, writeImage } from "./helpers.js";

const dir = tempDir("bkp-xfs-");
const loopFile = path.join(dir, "xfs.img");
const mnt = path.join(dir, "mnt");
function mountXfs(): string | undefined {
  if (spawnSync("sh", ["-c", "command -v mkfs.xfs"], { stdio: "ignore" }).status !== 0) return "mkfs.xfs is not installed (Debian package xfsprogs)";
  fs.mkdirSync(mnt);
  fs.closeSync(fs.openSync(loopFile, "w"));
  fs.truncateSync(loopFile, 320 * MiB); // XFS's minimum size
  const mk = spawnSync("mkfs.xfs", ["-q", "-m", "reflink=1", "-f", loopFile], { encoding: "utf8" });
  if (mk.status !== 0) return `mkfs.xfs failed: ${mk.stderr.trim()}`;
  const m = spawnSync("mount", ["-o", "loop", loopFile, mnt], { encoding: "utf8" });
  return m.status === 0 ? undefined : `cannot mount a loop file (needs root): ${m.stderr.trim()}`;
}
const whyNot = mountXfs();
if (whyNot) console.warn(`XFS reflink snapshot test skipped: ${whyNot}`);
afterAll(() => {
  if (!whyNot) spawnSync("umount", [mnt]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!!whyNot)("instant-restore snapshots on XFS with reflinks", () => {
  it("each snapshot is a reflink copy; every point restores its bytes from it; verify --read-data is clean", async () => {
    const vault: EngineVault = { name: "x", path: path.join(mnt, "vault"), encryption: { kind: "platform-key" } };
    const img = path.join(mnt, "os.img");
    writeImage(img, "rtzr", MiB);
    const o = { machineKeyFile: path.join(dir, "m.key"), blockSize: 64 * KiB, pageBlocks: 8, instantRestore: { days: 2, zone: "UTC" } };
    const r1 = await backupVm(vault, { name: "vm", disks: [{ name: "os", image: img }] }, o);
    const want1 = sha(img);
    overwrite(img, 5 * 64 * KiB, crypto.randomBytes(64 * KiB));
    const r2 = await backupVm(vault, { name: "vm", disks: [{ name: "os", image: img }] }, o);
    expect([r1.snapshot?.disks[0].method, r2.snapshot?.disks[0].method]).toEqual(["reflink", "reflink"]);
    for (const [r, want] of [[r1, want1], [r2, sha(img)]] as const) {
      const res = await restoreVm(vault, { vm: "vm", point: r.point, toDir: path.join(mnt, `out-${r.point}`), from: "snapshot" }, { machineKeyFile: o.machineKeyFile });
      expect(res.ok).toBe(true);
      expect(sha(res.disks[0].path)).toBe(want);
    }
    const v = await verifyVault(vault, { readData: true, machineKeyFile: o.machineKeyFile });
    expect(v.damage).toEqual([]);
    expect(v.snapshots.map((s) => s.ok)).toEqual([true, true]);
  });

  const noFilefrag = spawnSync("sh", ["-c", "command -v filefrag"], { stdio: "ignore" }).status !== 0;
  if (noFilefrag) console.warn("extent-comparison test skipped: filefrag is not installed (Debian package e2fsprogs)");
  it.skipIf(noFilefrag)("an incremental reads only the blocks whose extents changed since the previous snapshot (extent-compare); every point restores byte-identically from the vault and the snapshot", async () => {
    const vault: EngineVault = { name: "x", path: path.join(mnt, "vault-ec"), encryption: { kind: "platform-key" } };
    const img = path.join(mnt, "ec.img");
    writeImage(img, "rtrtzzrt", 2 * MiB); // 16 MiB: 256 blocks of 64 KiB, two zero stretches
    const o = { machineKeyFile: path.join(dir, "m.key"), blockSize: 64 * KiB, pageBlocks: 64, instantRestore: { days: 2, zone: "UTC" } };
    const vmOf = { name: "vm", disks: [{ name: "os", image: img }] };
    const r1 = await backupVm(vault, vmOf, o);
    const points: [string, string][] = [[r1.point, sha(img)]];
    // Two blocks rewritten and one zero block given data: the image's other extents stay shared.
    overwrite(img, 5 * 64 * KiB + 100, crypto.randomBytes(64 * KiB));
    overwrite(img, 9 * MiB, crypto.randomBytes(4 * KiB));
    const r2 = await backupVm(vault, vmOf, o);
    points.push([r2.point, sha(img)]);
    const d2 = r2.disks[0];
    expect(d2.detection).toBe("extent-compare");
    // Blocks 5, 6 (the write straddles them) and 144: 3 of 256 blocks read, all three changed.
    expect(d2.bytesRead).toBe(3 * 64 * KiB);
    expect(d2.bytesChanged).toBe(3 * 64 * KiB);
    // A write of the same bytes still gives the block new extents: read, compared, found unchanged.
    const same = Buffer.alloc(64 * KiB);
    const fd = fs.openSync(img, "r");
    fs.readSync(fd, same, 0, same.length, 20 * 64 * KiB);
    fs.closeSync(fd);
    overwrite(img, 20 * 64 * KiB, same);
    const r3 = await backupVm(vault, vmOf, o);
    points.push([r3.point, sha(img)]);
    expect([r3.disks[0].detection, r3.disks[0].bytesRead, r3.disks[0].bytesChanged]).toEqual(["extent-compare", 64 * KiB, 0]);
    for (const [point, want] of points) {
      for (const from of ["vault", "snapshot"] as const) {
        const res = await restoreVm(vault, { vm: "vm", point, toDir: path.join(mnt, `ec-${from}-${point}`), from }, { machineKeyFile: o.machineKeyFile });
        expect(res.ok).toBe(true);
        expect(sha(res.disks[0].path)).toBe(want);
      }
    }
    expect((await verifyVault(vault, { readData: true, machineKeyFile: o.machineKeyFile })).damage).toEqual([]);
  });
});
