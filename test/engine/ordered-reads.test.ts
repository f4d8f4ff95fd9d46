// A restore reads a page's chunk records in a known order, past the page cache, a few ahead:
// every range must come back byte for byte as a plain read gives it, whatever its size,
// position or file, a missing pack must fail only the range that needs it, and a restore must
// not leave the packs it read in the machine's cache.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { READS_AHEAD, openOrderedReads } from "../../src/engine/image/ordered-reads.js";
import type { ByteRange } from "../../src/engine/image/ordered-reads.js";
import { KiB, MiB, prng, tempDir } from "./helpers.js";

/** Records as a pack holds them: whole blocks, compressed ones, deltas, a tiny one, one over 2 MiB. */
const RECORD_SIZES = [MiB + 28, 700 * KiB + 5, 44, MiB + 28, 3 * KiB, 64 * KiB + 40, 1_500_000, 17, MiB + 28, 2 * MiB + 100_000, 900_000, MiB + 28];

function packLike(file: string, seed: number): { data: Buffer; records: ByteRange[] } {
  const data = prng(seed, RECORD_SIZES.reduce((s, n) => s + n, 0) + 333); // a trailer that is no whole sector
  fs.writeFileSync(file, data);
  const records: ByteRange[] = [];
  let at = 0;
  for (const length of RECORD_SIZES) {
    records.push({ file, offset: at, length });
    at += length;
  }
  return { data, records };
}

const onDirectFs = (dir: string) => ["ext4", "xfs", "btrfs"].includes(spawnSync("findmnt", ["-n", "-o", "FSTYPE", "-T", dir], { encoding: "utf8" }).stdout?.trim() ?? "");

describe.each([true, false])("ordered reads (direct allowed: %s)", (allowDirect) => {
  it("returns every record of a pack as a plain read does, and a short read past its end", async () => {
    const dir = tempDir();
    const { data, records } = packLike(path.join(dir, "pack"), 1);
    const tail: ByteRange = { file: records[0].file, offset: data.length - 100, length: 4096 };
    const past: ByteRange = { file: records[0].file, offset: data.length + 10, length: 64 };
    const r = openOrderedReads([...records, tail, past], allowDirect);
    try {
      for (const rec of records) expect((await r.next(rec)).equals(data.subarray(rec.offset, rec.offset + rec.length))).toBe(true);
      // A truncated pack reads short: what is there, then nothing.
      expect((await r.next(tail)).equals(data.subarray(data.length - 100))).toBe(true);
      expect((await r.next(past)).length).toBe(0);
      expect(r.direct(records[0].file)).toBe(allowDirect && onDirectFs(dir));
    } finally {
      r.close();
    }
  });

  it("alternates between packs (a delta's base and the delta) and jumps back, each range its own bytes", async () => {
    const dir = tempDir();
    const packs = [1, 2, 3].map((seed) => packLike(path.join(dir, `pack-${seed}`), seed + 10));
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const order: { range: ByteRange; want: Buffer }[] = [];
    for (let k = 0; k < 200; k++) {
      const p = packs[k % 5 === 0 ? rand(packs.length) : k % 2];
      const rec = p.records[rand(p.records.length)];
      const from = rec.offset + rand(Math.max(1, rec.length >> 2));
      const length = Math.min(rec.length - (from - rec.offset), 1 + rand(3 * MiB));
      order.push({ range: { file: rec.file, offset: from, length }, want: p.data.subarray(from, from + length) });
    }
    const r = openOrderedReads(
      order.map((o) => o.range),
      allowDirect,
    );
    try {
      for (const [k, o] of order.entries()) expect((await r.next(o.range)).equals(o.want), `range ${k}: ${path.basename(o.range.file)} @${o.range.offset}+${o.range.length}`).toBe(true);
    } finally {
      r.close();
    }
  });

  it("fails only the range of a missing pack, when its turn comes, with ENOENT", async () => {
    const dir = tempDir();
    const { data, records } = packLike(path.join(dir, "pack"), 2);
    const gone: ByteRange = { file: path.join(dir, "gone"), offset: 0, length: 100 };
    // The missing pack's range is within the first reads ahead: issued early, reported late.
    const order = [records[0], records[1], gone, records[2]];
    const r = openOrderedReads(order, allowDirect);
    try {
      for (const rec of [records[0], records[1]]) expect((await r.next(rec)).equals(data.subarray(rec.offset, rec.offset + rec.length))).toBe(true);
      await expect(r.next(gone)).rejects.toMatchObject({ code: "ENOENT" });
      expect((await r.next(records[2])).equals(data.subarray(records[2].offset, records[2].offset + records[2].length))).toBe(true);
    } finally {
      r.close();
    }
  });
});

it("refuses a range asked out of its order (a caller's bug, never someone else's bytes)", async () => {
  const dir = tempDir();
  const { records } = packLike(path.join(dir, "pack"), 3);
  const r = openOrderedReads(records.slice(0, 3));
  try {
    await expect(r.next(records[1])).rejects.toThrow(/not the one asked for/);
  } finally {
    r.close();
  }
});

describe("ordered reads and the page cache", () => {
  // fincore (util-linux) counts a file's cached pages; tmpfs and the like take no O_DIRECT.
  const measurable = spawnSync("fincore", ["--version"]).status === 0 && onDirectFs(os.tmpdir());
  it.skipIf(!measurable)("leave a pack written past the cache out of it when read direct, and cached when read buffered", async () => {
    const dir = tempDir();
    const cachedBytes = (file: string) => Number(spawnSync("fincore", ["-n", "-b", "-o", "RES", file], { encoding: "utf8" }).stdout.trim());
    const src = path.join(dir, "src");
    fs.writeFileSync(src, prng(3, 8 * MiB));
    const want = fs.readFileSync(src);
    for (const [name, allowDirect] of [
      ["direct", true],
      ["buffered", false],
    ] as const) {
      const file = path.join(dir, name);
      // Written with O_DIRECT by dd, so none of it starts in the cache.
      expect(spawnSync("dd", [`if=${src}`, `of=${file}`, "bs=1M", "oflag=direct", "status=none"]).status).toBe(0);
      expect(cachedBytes(file)).toBe(0);
      const ranges = Array.from({ length: 8 }, (_, k) => ({ file, offset: k * MiB, length: MiB }));
      const r = openOrderedReads(ranges, allowDirect);
      for (const range of ranges) expect((await r.next(range)).equals(want.subarray(range.offset, range.offset + MiB))).toBe(true);
      r.close();
      if (allowDirect) expect(cachedBytes(file)).toBe(0);
      else expect(cachedBytes(file)).toBeGreaterThanOrEqual(8 * MiB);
    }
  });
});

it(`reads at most ${READS_AHEAD} ranges ahead of the one in use, each into its own buffer`, async () => {
  // Ranges of one byte value each: a buffer reused too early would show another range's bytes.
  const dir = tempDir();
  const file = path.join(dir, "pack");
  const n = 3 * READS_AHEAD + 1;
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: n }, (_, k) => Buffer.alloc(MiB, k + 1))));
  const ranges = Array.from({ length: n }, (_, k) => ({ file, offset: k * MiB, length: MiB }));
  const r = openOrderedReads(ranges);
  try {
    for (const range of ranges) {
      const v = await r.next(range);
      // Give reads ahead time to land: none may land in the buffer in use.
      await new Promise((res) => setTimeout(res, 5));
      expect(v.every((b) => b === range.offset / MiB + 1)).toBe(true);
    }
  } finally {
    r.close();
  }
});
