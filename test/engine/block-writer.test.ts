// Restored blocks are written past the page cache where the file system allows it, and the
// bytes, the holes and any write error come out the same as with buffered writes.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, verifyVault } from "../../src/engine/index.js";
import { openBlockWriter } from "../../src/engine/image/block-writer.js";
import { PROBE_PREFIX } from "../../src/engine/image/direct-file.js";
import { KiB, MiB, filesUnder, platformEnv, prng, tempDir } from "./helpers.js";

/** Blocks 0, 2 and 5 of 1 MiB, and a short last block, into a sized (sparse) file. */
async function writeSample(file: string, allowDirect: boolean) {
  const size = 6 * MiB + 3000;
  fs.writeFileSync(file, "");
  fs.truncateSync(file, size);
  const w = openBlockWriter(file, MiB, allowDirect);
  const blocks: [number, Buffer][] = [
    [0, prng(1, MiB)],
    [2, prng(2, MiB)],
    [5, prng(3, MiB)],
    [6, prng(4, 3000)],
  ];
  for (const [b, data] of blocks) {
    await w.write(data, b * MiB);
    data.fill(0); // the writer copied what it needs: the caller may reuse its buffer at once
  }
  await w.close();
  const want = Buffer.alloc(size);
  for (const [b] of blocks) prng(b === 0 ? 1 : b === 2 ? 2 : b === 5 ? 3 : 4, b === 6 ? 3000 : MiB).copy(want, b * MiB);
  return { direct: w.direct, want };
}

describe("block writer", () => {
  it("writes past the page cache on this machine's file system, byte-identical, holes left sparse", async () => {
    const dir = tempDir();
    const file = path.join(dir, "disk.raw");
    const { direct, want } = await writeSample(file, true);
    // ext4, XFS and btrfs take O_DIRECT: there the writer must use it.
    const fsType = spawnSync("findmnt", ["-n", "-o", "FSTYPE", "-T", dir], { encoding: "utf8" }).stdout?.trim() ?? "";
    if (["ext4", "xfs", "btrfs"].includes(fsType)) expect(direct).toBe(true);
    else console.warn(`the test folder is on '${fsType || "?"}': O_DIRECT ${direct ? "was" : "was not"} used`);
    expect(fs.readFileSync(file).equals(want)).toBe(true);
    // Blocks 1, 3 and 4 were never written: not allocated (3 MiB of 6).
    expect(fs.statSync(file).blocks * 512).toBeLessThan(4 * MiB + 64 * KiB);
    expect(fs.readdirSync(dir)).toEqual(["disk.raw"]); // the alignment probe left nothing behind
  });

  it("buffered writes give the same file", async () => {
    const file = path.join(tempDir(), "disk.raw");
    const { direct, want } = await writeSample(file, false);
    expect(direct).toBe(false);
    expect(fs.readFileSync(file).equals(want)).toBe(true);
  });

  it("a write the kernel refuses is reported, not lost (direct and buffered)", async () => {
    for (const allowDirect of [true, false]) {
      const file = path.join(tempDir(), "disk.raw");
      fs.writeFileSync(file, "");
      fs.truncateSync(file, MiB);
      const w = openBlockWriter(file, MiB, allowDirect);
      // 1 PiB: past the largest file the file system allows (EFBIG / EINVAL).
      const err = await w
        .write(prng(5, MiB), 2 ** 50)
        .then(() => w.close())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await w.close(); // closing again after the error does nothing
      expect((err as NodeJS.ErrnoException | undefined)?.code, `allowDirect ${allowDirect}`).toMatch(/EFBIG|EINVAL/);
    }
  });

  it("a probe file left in a vault by a killed run is a temporary: never taken for a pack, removed by the next backup", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.raw");
    fs.writeFileSync(img, prng(7, 3 * MiB));
    const vm = { name: "vm1", disks: [{ name: "os", image: img }] };
    const o = { machineKeyFile: env.machineKeyFile };
    await backupVm(env.vault, vm, o);
    const packDir = path.dirname(filesUnder(env.vault.path).map((f) => path.join(env.vault.path, f)).find((f) => f.includes(`${path.sep}packs${path.sep}`))!);
    const stray = path.join(packDir, `${PROBE_PREFIX}12345-abcdef`);
    fs.writeFileSync(stray, Buffer.alloc(4096));
    expect((await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile })).ok).toBe(true);
    await backupVm(env.vault, vm, o);
    expect(fs.existsSync(stray)).toBe(false);
  });
});

