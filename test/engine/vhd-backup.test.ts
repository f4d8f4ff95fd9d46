// VHD images through the engine: backed up as their virtual disk (unallocated VHD blocks are
// holes, never read), restored as a VHD of the same kind that `qemu-img compare` finds identical.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm } from "../../src/engine/index.js";
import { detectVhd } from "../../src/engine/image/vhd.js";
import { MiB, platformEnv } from "./helpers.js";

const hasQemu = spawnSync("sh", ["-c", "command -v qemu-img && command -v qemu-io"], { stdio: "ignore" }).status === 0;
if (!hasQemu) console.warn("SKIPPED: VHD backup/restore tests need qemu-img and qemu-io (Debian qemu-utils; npm test installs it when it can)");

function kindOf(file: string): string | undefined {
  const fd = fs.openSync(file, "r");
  try {
    return detectVhd(fd, fs.statSync(file).size)?.kind;
  } finally {
    fs.closeSync(fd);
  }
}

/** `qemu-img compare` of two VHDs: exit 0 means the disks have identical contents. */
function compare(a: string, b: string): { status: number | null; out: string } {
  const r = spawnSync("qemu-img", ["compare", "-f", "vpc", "-F", "vpc", a, b], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(!hasQemu).each(["fixed", "dynamic"] as const)("a %s VHD image", (subformat) => {
  it("backs up its virtual disk and restores a VHD of the same kind that qemu-img finds identical, also after an incremental change", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.vhd");
    execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", `subformat=${subformat}`, img, "24M"]);
    execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xab 0 1M", "-c", "write -P 0x5a 9M 4k", "-c", "write -P 0x01 17M 512", img], { stdio: "ignore" });
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    const opts = { machineKeyFile: env.machineKeyFile, blockSize: 256 * 1024 };

    const r1 = await backupVm(env.vault, vm, opts);
    const d1 = r1.disks[0];
    const virtualSize = d1.imageBytes;
    expect(virtualSize).toBeGreaterThanOrEqual(24 * MiB);
    if (subformat === "dynamic") {
      // Only the three allocated 2 MiB VHD blocks are read; the rest are holes without reading.
      expect(d1.bytesRead).toBe(3 * 2 * MiB);
      expect(fs.statSync(img).size).toBeLessThan(virtualSize);
    } else {
      expect(d1.bytesRead).toBe(virtualSize);
    }
    expect(d1.bytesChanged).toBe(MiB + 2 * 256 * 1024); // 4 blocks of 1 MiB pattern + 2 odd ones

    const out1 = path.join(env.dir, "r1");
    const rr1 = await restoreVm(env.vault, { vm: "vm1", point: r1.point, toDir: out1 }, { machineKeyFile: env.machineKeyFile });
    expect(rr1.ok).toBe(true);
    const restored1 = path.join(out1, "os.vhd");
    expect(kindOf(restored1)).toBe(subformat);
    const c1 = compare(img, restored1);
    expect(c1.out).toMatch(/identical/i);
    expect(c1.status).toBe(0);
    // The same footer (identity, geometry): the last 512 bytes are equal.
    expect(fs.readFileSync(restored1).subarray(-512).equals(fs.readFileSync(img).subarray(-512))).toBe(true);

    // Keep a copy of the first state, then change the disk: the next point is incremental.
    const first = path.join(env.dir, "first.vhd");
    fs.copyFileSync(img, first);
    execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xcd 13M 64k", img], { stdio: "ignore" });
    const r2 = await backupVm(env.vault, vm, opts);
    expect(r2.disks[0].detection).toBe("block-checksum");
    expect(r2.disks[0].bytesChanged).toBe(256 * 1024);
    const out2 = path.join(env.dir, "r2");
    await restoreVm(env.vault, { vm: "vm1", point: "latest", toDir: out2 }, { machineKeyFile: env.machineKeyFile });
    expect(compare(img, path.join(out2, "os.vhd")).status).toBe(0);
    expect(compare(first, path.join(out2, "os.vhd")).status).toBe(1); // they differ: the comparison is real
    // The first point still restores the first state.
    const out3 = path.join(env.dir, "r3");
    await restoreVm(env.vault, { vm: "vm1", point: r1.point, toDir: out3 }, { machineKeyFile: env.machineKeyFile });
    expect(compare(first, path.join(out3, "os.vhd")).status).toBe(0);
    expect(fs.readdirSync(out3)).toEqual(["os.vhd"]);

    // A small write into data the vault already holds is stored as a delta of its 64 KiB grain
    // (docs/vault-format.md, "Delta chunks"), and the VHD qemu-img reads back is the same.
    const second = path.join(env.dir, "second.vhd");
    fs.copyFileSync(img, second);
    execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xee 300k 16k", img], { stdio: "ignore" });
    const r4 = await backupVm(env.vault, vm, opts);
    expect(r4.disks[0]).toMatchObject({ bytesChanged: 256 * 1024, deltaChunks: 1 });
    expect(r4.disks[0].bytesStored).toBeLessThan(64 * 1024 + 200);
    const out4 = path.join(env.dir, "r4");
    await restoreVm(env.vault, { vm: "vm1", point: r4.point, toDir: out4 }, { machineKeyFile: env.machineKeyFile });
    expect(compare(img, path.join(out4, "os.vhd")).status).toBe(0);
    const out5 = path.join(env.dir, "r5");
    await restoreVm(env.vault, { vm: "vm1", point: r2.point, toDir: out5 }, { machineKeyFile: env.machineKeyFile });
    expect(compare(second, path.join(out5, "os.vhd")).status).toBe(0);
  });
});
