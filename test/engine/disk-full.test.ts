// A vault on a full file system (a real, small tmpfs): the backup fails with a clear error,
// leaves no point and no temp files, and earlier points still restore.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault, EngineError } from "../../src/engine/index.js";
import type { EngineVault } from "../../src/engine/types.js";
import { KiB, MiB, filesUnder, tempDir, writeImage } from "./helpers.js";

const mnt = tempDir("bkp-tmpfs-");
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", mnt]).status === 0;
if (!mounted) console.warn(`disk-full test skipped: cannot mount a tmpfs at ${mnt} (needs root)`);
afterAll(() => {
  if (mounted) spawnSync("umount", [mnt]);
});

describe.skipIf(!mounted)("disk full", () => {
  it("fails clearly, writes no point, and keeps earlier points", async () => {
    const dir = tempDir();
    const vault: EngineVault = { name: "small", path: path.join(mnt, "vault"), encryption: { kind: "platform-key" } };
    const machineKeyFile = path.join(dir, "m.key");
    const img = path.join(dir, "i.raw");
    const first = writeImage(img, "rz", MiB);
    const o = { machineKeyFile, blockSize: 64 * KiB, packTarget: 512 * KiB };
    await backupVm(vault, { name: "vm", disks: [{ name: "d", image: img }] }, o);

    writeImage(img, "rr", MiB); // same size, fine
    const big = path.join(dir, "big.raw");
    writeImage(big, "rrrrrrrr", MiB);
    const e = await backupVm(vault, { name: "vm", disks: [{ name: "d", image: img }, { name: "big", image: big }] }, o).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe("BKP5030");
    expect((e as EngineError).message).toMatch(/file system is full .* no recovery point was written.*Free space/);

    expect(await listPoints(vault, {}, { machineKeyFile })).toHaveLength(1);
    expect(filesUnder(vault.path).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const v = await verifyVault(vault, { readData: true, machineKeyFile });
    expect(v.damage).toEqual([]);
    const out = await restoreVm(vault, { vm: "vm", point: "latest", toDir: path.join(dir, "out") }, { machineKeyFile });
    expect(fs.readFileSync(out.disks[0].path).equals(first)).toBe(true);
  });
});

describe.skipIf(!mounted)("a full disk and the instant-restore snapshot (issue 13, item 10)", () => {
  it("when the snapshot beside the vault takes the space the vault needs, the point is kept without a snapshot (BKP5072 warning)", async () => {
    const dir = tempDir();
    for (const f of fs.readdirSync(mnt)) fs.rmSync(path.join(mnt, f), { recursive: true, force: true });
    fs.mkdirSync(path.join(mnt, "b"));
    const vault: EngineVault = { name: "small", path: path.join(mnt, "b", "vault"), encryption: { kind: "platform-key" } };
    const machineKeyFile = path.join(dir, "m.key");
    const img = path.join(dir, "i.raw");
    const bytes = writeImage(img, "rrrr", MiB); // 4 MiB: the vault alone fits in 6 MiB, with a snapshot it does not
    const o = { machineKeyFile, blockSize: 64 * KiB, packTarget: 512 * KiB, instantRestore: { days: 2, zone: "UTC" } };
    const r = await backupVm(vault, { name: "vm", disks: [{ name: "d", image: img }] }, o);
    const warned = [...(r.warnings ?? []), ...(r.snapshot?.warnings ?? [])].join("\n");
    expect(warned).toMatch(/BKP5072: no instant-restore snapshot was kept/);
    const out = await restoreVm(vault, { vm: "vm", point: r.point, toDir: path.join(dir, "out2"), from: "vault" }, { machineKeyFile });
    expect(fs.readFileSync(out.disks[0].path).equals(bytes)).toBe(true);
  });
});

describe.skipIf(!mounted)("a full restore target", () => {
  it("is the target's error (BKP5044), not the vault's: nothing is left in the folder, and the snapshot restore does not fall back to the vault", async () => {
    const dir = tempDir();
    const target = tempDir("bkp-target-");
    expect(spawnSync("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", target]).status).toBe(0);
    try {
      const vault: EngineVault = { name: "v", path: path.join(dir, "vault"), encryption: { kind: "platform-key" } };
      const machineKeyFile = path.join(dir, "m.key");
      const img = path.join(dir, "i.raw");
      writeImage(img, "rrrr", MiB); // 4 MiB of data for a 2 MiB folder
      const tier = { days: 2, zone: "UTC" };
      const b = await backupVm(vault, { name: "vm", disks: [{ name: "d", image: img }] }, { machineKeyFile, instantRestore: tier });
      for (const from of ["vault", "auto"] as const) {
        const toDir = path.join(target, from);
        const r = await restoreVm(vault, { vm: "vm", point: b.point, toDir, from, instantRestore: tier }, { machineKeyFile });
        expect(r.ok).toBe(false);
        expect(r.disks[0].error?.code, from).toBe("BKP5044");
        expect(r.disks[0].error?.message).toMatch(/the restore target's file system is full \(.*\): free space there or restore to another folder .* Nothing was written for this disk\.$/);
        expect(r.disks[0].note ?? "").not.toMatch(/restored from the vault instead/);
        expect(fs.readdirSync(toDir)).toEqual([]);
      }
    } finally {
      spawnSync("umount", [target]);
    }
  });
});
