// Issue 13, item 11: a damaged instant-restore snapshot file is never hard-linked into the next
// point's snapshot; the next snapshot copies the image afresh and restores byte-identical.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import { listSnapshots } from "../../src/engine/snapshots.js";
import { KiB, MiB, platformEnv, writeImage } from "./helpers.js";

describe("snapshot links (item 11)", () => {
  it("an unchanged image links the previous snapshot's file, unless that file was written after its snapshot", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    const bytes = writeImage(img, "rtrt", MiB);
    const vm = { name: "vm", disks: [{ name: "os", image: img }] };
    const tier = { days: 2, zone: "UTC" };
    const o = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, workers: 2, instantRestore: tier };
    await backupVm(env.vault, vm, o);
    const p2 = await backupVm(env.vault, vm, o);
    expect(p2.snapshot?.disks[0].method).toBe("link"); // intact: shared
    const snap = listSnapshots(env.vault.path, "vm").find((s) => s.point === p2.point);
    const file = path.join(snap?.dir ?? "", snap?.record?.disks[0].file ?? "");
    fs.chmodSync(file, 0o600);
    const b = fs.readFileSync(file);
    b[MiB + 7] ^= 0x10;
    fs.writeFileSync(file, b); // damages both snapshots (one inode)
    const p3 = await backupVm(env.vault, vm, o);
    expect(p3.snapshot?.disks[0].method).not.toBe("link");
    const out = await restoreVm(env.vault, { vm: "vm", point: p3.point, toDir: path.join(env.dir, "o"), from: "snapshot" }, o);
    expect(fs.readFileSync(out.disks[0].path).equals(bytes)).toBe(true);
    const v = await verifyVault(env.vault, { machineKeyFile: env.machineKeyFile, readData: true });
    expect(v.snapshots.find((c) => c.point === p3.point)?.ok).toBe(true);
  });
});
