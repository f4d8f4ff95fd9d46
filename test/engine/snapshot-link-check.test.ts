// Issue 13, item 11: a damaged instant-restore snapshot file is never built on by the next
// point's snapshot (neither linked nor a delta's parent); the next snapshot copies the image
// afresh and restores byte-identical.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import { listSnapshots } from "../../src/engine/snapshot/snapshots.js";
import { KiB, MiB, platformEnv, writeImage } from "./helpers.js";

describe("snapshot links (item 11)", () => {
  it("an unchanged image's snapshot builds on the previous one, unless a file of that chain was written after its snapshot", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    const bytes = writeImage(img, "rtrt", MiB);
    const vm = { name: "vm", disks: [{ name: "os", image: img }] };
    const tier = { days: 2, zone: "UTC" };
    const o = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, workers: 2, instantRestore: tier };
    const p1 = (await backupVm(env.vault, vm, o)).point;
    const p2 = await backupVm(env.vault, vm, o);
    expect(p2.snapshot?.disks[0].method).toBe("delta"); // intact: an empty delta on p1's copy
    // Damage the full copy at the root of the chain (p1's), which p2's snapshot reads through.
    const snap = listSnapshots(env.vault.path, "vm").find((s) => s.point === p1);
    const file = path.join(snap?.dir ?? "", snap?.record?.disks[0].file ?? "");
    fs.chmodSync(file, 0o600);
    const b = fs.readFileSync(file);
    b[MiB + 7] ^= 0x10;
    fs.writeFileSync(file, b);
    const p3 = await backupVm(env.vault, vm, o);
    expect(p3.snapshot?.disks[0].method).not.toBe("delta");
    const out = await restoreVm(env.vault, { vm: "vm", point: p3.point, toDir: path.join(env.dir, "o"), from: "snapshot" }, o);
    expect(fs.readFileSync(out.disks[0].path).equals(bytes)).toBe(true);
    const v = await verifyVault(env.vault, { machineKeyFile: env.machineKeyFile, readData: true });
    expect(v.snapshots.find((c) => c.point === p3.point)?.ok).toBe(true);
  });
});
