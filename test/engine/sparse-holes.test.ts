// A sparse raw image's holes (and preallocated, never-written ranges) are zeros: a backup
// does not read them, and every point still restores byte-identically and sparse.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm, verifyVault } from "../../src/engine/index.js";
import { MiB, overwrite, platformEnv, prng } from "./helpers.js";

const hasFilefrag = spawnSync("sh", ["-c", "command -v filefrag && command -v fallocate"]).status === 0;
if (!hasFilefrag) console.warn("sparse-holes: filefrag or fallocate missing (e2fsprogs, util-linux): hole skipping is not tested");

describe.skipIf(!hasFilefrag)("sparse images", () => {
  it("reads only the blocks that hold data; holes and preallocated space restore as zeros, sparse", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.raw");
    fs.writeFileSync(img, "");
    fs.truncateSync(img, 64 * MiB);
    overwrite(img, 3 * MiB, prng(1, MiB)); // block 3
    overwrite(img, 40 * MiB + 4096, prng(2, 10_000)); // part of block 40
    expect(spawnSync("fallocate", ["-o", String(50 * MiB), "-l", String(4 * MiB), img]).status).toBe(0); // blocks 50-53: unwritten
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    const o = { machineKeyFile: env.machineKeyFile };

    const p1 = await backupVm(env.vault, vm, o);
    expect(p1.disks[0]).toMatchObject({ detection: "full", bytesRead: 2 * MiB, bytesZero: 62 * MiB });
    const v1 = fs.readFileSync(img);

    // Data written into a hole is found by the next backup (the image's extents are taken anew).
    overwrite(img, 20 * MiB, prng(3, 300_000));
    const p2 = await backupVm(env.vault, vm, o);
    expect(p2.disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 3 * MiB, newChunks: 1 });
    const v2 = fs.readFileSync(img);

    for (const [point, want] of [[p1.point, v1], [p2.point, v2]] as const) {
      const r = await restoreVm(env.vault, { vm: "vm1", point, toDir: path.join(env.dir, point) }, o);
      expect(r.ok, r.disks[0].error?.message).toBe(true);
      expect(fs.readFileSync(r.disks[0].path).equals(want)).toBe(true);
      expect(fs.statSync(r.disks[0].path).blocks * 512).toBeLessThan(4 * MiB); // the holes stay holes
    }
    expect((await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile })).ok).toBe(true);
  });

  it("with the instant-restore tier, the snapshot of a sparse image holds its data only and restores identically", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.raw");
    fs.writeFileSync(img, "");
    fs.truncateSync(img, 32 * MiB);
    overwrite(img, 5 * MiB, prng(4, 2 * MiB));
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    const o = { machineKeyFile: env.machineKeyFile, instantRestore: { days: 2, zone: "UTC" } };
    const p = await backupVm(env.vault, vm, o);
    expect(p.disks[0]).toMatchObject({ bytesRead: 2 * MiB, bytesZero: 30 * MiB });
    expect(p.snapshot?.allocatedBytes).toBeLessThan(3 * MiB);
    const r = await restoreVm(env.vault, { vm: "vm1", point: "instant", from: "snapshot", toDir: path.join(env.dir, "out"), instantRestore: o.instantRestore }, o);
    expect(r.ok, r.disks[0].error?.message).toBe(true);
    expect(fs.readFileSync(r.disks[0].path).equals(fs.readFileSync(img))).toBe(true);
  });
});
