// Issue 13, items 4-6: images are backed up at their real size and format. A block device is read
// by its real size (not stat's 0); a raw image whose tail looks like a VHD footer stays raw; a
// damaged dynamic VHD (truncated, or a block table entry past the end) is refused with the reason.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, restoreVm } from "../../src/engine/index.js";
import type { EngineError, EngineVm } from "../../src/engine/index.js";
import { KiB, MiB, fastRandom, platformEnv } from "./helpers.js";

const hasQemu = spawnSync("sh", ["-c", "command -v qemu-img && command -v qemu-io"], { stdio: "ignore" }).status === 0;
if (!hasQemu) console.warn("SKIPPED: VHD format tests need qemu-img and qemu-io (Debian qemu-utils)");
const canLoop = process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v losetup && test -e /dev/loop-control"], { stdio: "ignore" }).status === 0;
if (!canLoop) console.warn("SKIPPED: the block device test needs root and losetup (a loop device)");

const o = (env: ReturnType<typeof platformEnv>) => ({ machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, packTarget: MiB, workers: 2, instantRestore: false as const });

async function roundTrip(env: ReturnType<typeof platformEnv>, vm: EngineVm, tag: string): Promise<Buffer> {
  const r = await restoreVm(env.vault, { vm: vm.name, point: "latest", toDir: path.join(env.dir, `out-${tag}`), from: "vault" }, o(env));
  expect(r.disks[0].error).toBeUndefined();
  return fs.readFileSync(r.disks[0].path);
}

describe("block devices (item 4)", () => {
  it.skipIf(!canLoop)("a loop device is backed up by its real size and restores byte-identical; it is read again each time", async () => {
    const env = platformEnv();
    const file = path.join(env.dir, "backing.img");
    const bytes = fastRandom(3 * MiB);
    fs.writeFileSync(file, bytes);
    const dev = execFileSync("losetup", ["-f", "--show", file], { encoding: "utf8" }).trim();
    try {
      const vm = { name: "vm", disks: [{ name: "os", image: dev }] };
      const r = await backupVm(env.vault, vm, o(env));
      expect(r.disks[0].imageBytes).toBe(3 * MiB);
      expect((await roundTrip(env, vm, "a")).equals(bytes)).toBe(true);
      const again = await backupVm(env.vault, vm, o(env));
      expect(again.disks[0].detection).toBe("block-checksum"); // a device's times say nothing
      expect(again.disks[0].bytesRead).toBe(3 * MiB);
    } finally {
      execFileSync("losetup", ["-d", dev]);
    }
  });
});

describe.skipIf(!hasQemu)("VHD recognition and validation (items 5, 6)", () => {
  function fixedFooter(dir: string, size: string): Buffer {
    const p = path.join(dir, `f-${size}.vhd`);
    execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", "subformat=fixed", p, size]);
    const b = fs.readFileSync(p);
    return b.subarray(b.length - 512);
  }

  it("a raw image whose last 512 bytes form a valid fixed-VHD footer is backed up raw: the restore has its exact size and bytes", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    const bytes = Buffer.concat([fastRandom(16 * MiB - 1), fixedFooter(env.dir, "16M")]); // 16 MiB + 511: once taken for a VHD
    fs.writeFileSync(img, bytes);
    const vm = { name: "vm", disks: [{ name: "os", image: img }] };
    const r = await backupVm(env.vault, vm, o(env));
    expect(r.disks[0].imageBytes).toBe(bytes.length);
    expect((await roundTrip(env, vm, "b")).equals(bytes)).toBe(true);
  });

  it("a .vhd file longer than its footer's disk size is refused, and format raw backs it up as it is", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.vhd");
    const bytes = Buffer.concat([fastRandom(2 * MiB), fixedFooter(env.dir, "1M")]);
    fs.writeFileSync(img, bytes);
    const e = (await backupVm(env.vault, { name: "vm", disks: [{ name: "os", image: img }] }, o(env)).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5004");
    expect(e.message).toMatch(/longer than its disk size .* would be lost/);
    const vm = { name: "vm", disks: [{ name: "os", image: img, format: "raw" as const }] };
    await backupVm(env.vault, vm, o(env));
    expect((await roundTrip(env, vm, "c")).equals(bytes)).toBe(true);
  });

  function dynamicVhd(dir: string): string {
    const p = path.join(dir, "d.vhd");
    execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", "subformat=dynamic", p, "32M"]);
    execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xab 0 4M", "-c", "write -P 0x5a 20M 8M", p], { stdio: "ignore" });
    return p;
  }

  it("a dynamic VHD truncated by 8 MiB is refused (as qemu-img refuses it), nothing backed up", async () => {
    const env = platformEnv();
    const p = dynamicVhd(env.dir);
    fs.truncateSync(p, fs.statSync(p).size - 8 * MiB);
    expect(spawnSync("qemu-img", ["info", p]).status).not.toBe(0);
    const e = (await backupVm(env.vault, { name: "vm", disks: [{ name: "os", image: p }] }, o(env)).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5004");
    expect(e.message).toMatch(/block \d+ of the VHD's block allocation table points at byte \d+, past the end of the file/);
    expect(fs.existsSync(path.join(env.vault.path, "points"))).toBe(false);
  });

  it("a dynamic VHD whose block table points past the end of the file is refused", async () => {
    const env = platformEnv();
    const p = dynamicVhd(env.dir);
    const b = fs.readFileSync(p);
    const batAt = Number(b.readBigUInt64BE(512 + 16));
    b.writeUInt32BE(0x00ffffff, batAt + 4 * 3); // block 3: unallocated before, now far past the end
    fs.writeFileSync(p, b);
    const e = (await backupVm(env.vault, { name: "vm", disks: [{ name: "os", image: p }] }, o(env)).catch((x: unknown) => x)) as EngineError;
    expect(e.code).toBe("BKP5004");
    expect(e.message).toMatch(/block 3 of the VHD's block allocation table points at byte \d+, past the end/);
  });
});
