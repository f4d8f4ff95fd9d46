// A snapshot restore reads a point's image through its chain (the full copy, then each delta's
// grains) past the page cache: every block must come out as the chain defines it, with direct
// reads and without, the short last block included, and the chain's files must stay out of the
// machine's cache.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GRAIN, openChain } from "../../src/engine/snapshot/snapshot-chain.js";
import { MiB, prng, tempDir } from "./helpers.js";

const SIZE = 3 * MiB + 12_345; // a short last block that is no whole sector
const GRAINS = Math.ceil(SIZE / GRAIN);

/** Writes `data` to `file` with O_DIRECT (dd), so none of it starts in the page cache. */
function writeUncached(file: string, data: Buffer): void {
  fs.writeFileSync(`${file}.src`, data);
  const r = spawnSync("dd", [`if=${file}.src`, `of=${file}`, "bs=1M", "oflag=direct", "status=none"]);
  if (r.status !== 0) fs.copyFileSync(`${file}.src`, file); // a file system without O_DIRECT
  fs.rmSync(`${file}.src`);
}

/** A full copy and two deltas (random bytes outside their grains: a wrong owner shows). */
function makeChain(dir: string, holeFirst = false) {
  const want = prng(1, SIZE);
  const full = path.join(dir, "full");
  writeUncached(full, want);
  if (holeFirst) {
    // A sparse copy whose first MiB is a hole (the image's was zeros).
    expect(spawnSync("fallocate", ["--punch-hole", "--offset", "0", "--length", String(MiB), full]).status).toBe(0);
    want.fill(0, 0, MiB);
  }
  const parts: { file: string; set?: string }[] = [{ file: full }];
  for (const [k, every] of [
    [1, 3],
    [2, 5],
  ]) {
    const data = prng(10 + k, SIZE);
    const bits = Buffer.alloc(Math.ceil(GRAINS / 8));
    for (let g = k; g < GRAINS; g += every) {
      bits[g >> 3] |= 1 << (g & 7);
      data.copy(want, g * GRAIN, g * GRAIN, Math.min(SIZE, (g + 1) * GRAIN));
    }
    const file = path.join(dir, `delta-${k}`);
    writeUncached(file, data);
    fs.writeFileSync(`${file}.set`, bits);
    parts.push({ file, set: `${file}.set` });
  }
  return { parts, want };
}

async function readAll(parts: { file: string; set?: string }[], direct: boolean): Promise<Buffer> {
  const r = openChain(parts, SIZE, direct);
  try {
    const bufs = r.buffers(3, MiB);
    const out = Buffer.alloc(SIZE);
    // Three blocks in flight at once, as the restore reads ahead.
    for (let at = 0; at < SIZE; at += 3 * MiB) {
      const reads = [0, 1, 2].map((i) => at + i * MiB).filter((b) => b < SIZE);
      const got = await Promise.all(reads.map((b, i) => r.read(bufs[i], Math.min(MiB, SIZE - b), b)));
      reads.forEach((b, i) => {
        expect(got[i]).toBe(Math.min(MiB, SIZE - b));
        bufs[i].copy(out, b, 0, got[i]);
      });
    }
    return out;
  } finally {
    r.close();
  }
}

const onDirectFs = ["ext4", "xfs", "btrfs"].includes(spawnSync("findmnt", ["-n", "-o", "FSTYPE", "-T", os.tmpdir()], { encoding: "utf8" }).stdout?.trim() ?? "");

describe("snapshot chain reads", () => {
  it.each([true, false])("assemble the image from the full copy and the deltas' grains (direct: %s)", async (direct) => {
    const { parts, want } = makeChain(tempDir());
    expect((await readAll(parts, direct)).equals(want)).toBe(true);
  });

  // Over a hole the kernel may read direct into any address: the alignment guessed there can be
  // wrong, and the reads must still come out right.
  it.skipIf(spawnSync("fallocate", ["--version"]).status !== 0)("assemble the image when the full copy starts with a hole", async () => {
    const dir = tempDir();
    const { parts, want } = makeChain(dir, true);
    // Deltas do not hold the first MiB here: the hole is read through the full copy.
    for (const p of parts.slice(1)) fs.writeFileSync(p.set!, Buffer.from(fs.readFileSync(p.set!).map((b, i) => (i < MiB / GRAIN / 8 ? 0 : b))));
    want.fill(0, 0, MiB);
    expect((await readAll(parts, true)).equals(want)).toBe(true);
  });

  const measurable = onDirectFs && spawnSync("fincore", ["--version"]).status === 0;
  it.skipIf(!measurable)("leave the chain's files out of the page cache when read direct", async () => {
    const { parts, want } = makeChain(tempDir());
    const cached = () => parts.reduce((s, p) => s + Number(spawnSync("fincore", ["-n", "-b", "-o", "RES", p.file], { encoding: "utf8" }).stdout.trim()), 0);
    expect(cached()).toBe(0);
    expect((await readAll(parts, true)).equals(want)).toBe(true);
    // The last block's tail (no whole sector) is read through the cache: one page per part at most.
    expect(cached()).toBeLessThanOrEqual(parts.length * 2 * 4096);
    expect((await readAll(parts, false)).equals(want)).toBe(true);
    expect(cached()).toBeGreaterThan(SIZE);
  });
});
