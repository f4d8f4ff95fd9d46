// Block map pages: format 2 (grain sums, delta entries) round-trips; format 1 pages written by
// earlier releases still decode; the chunk ids a page needs include a delta's base; a damaged
// page is an error, never a shorter list of chunks.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { DATA, DELTA, decodePage, encodePage, holeEntry, pageChunkIds } from "../../src/engine/vault/block-index.js";
import { encodePageV1 } from "./helpers.js";
import type { BlockEntry } from "../../src/engine/vault/block-index.js";

const rnd = (n: number) => crypto.randomBytes(n);
const data = (sums = true): BlockEntry => ({ kind: DATA, fast: rnd(16), id: rnd(32), ...(sums ? { sums: rnd(16 * 8) } : {}) });
const delta = (): BlockEntry => ({ kind: DELTA, fast: rnd(16), id: rnd(32), sums: rnd(16 * 8), base: rnd(32), bits: (1n << 3n) | (1n << 63n) });

describe("block map pages", () => {
  it("format 2 round-trips holes, data with and without grain sums, and deltas with their base and grain bits", () => {
    const entries = [data(), holeEntry, delta(), data(false), holeEntry];
    const page = { blockSize: 1 << 20, firstBlock: 256, entries };
    const b = encodePage(page);
    expect(b.subarray(0, 5).toString()).toBe("BKPM2");
    const back = decodePage(b);
    expect(back.blockSize).toBe(1 << 20);
    expect(back.firstBlock).toBe(256);
    expect(back.entries.map((e) => [e.kind, e.id.toString("hex"), e.fast.toString("hex"), e.sums?.toString("hex"), e.base?.toString("hex"), e.bits])).toEqual(
      entries.map((e) => [e.kind, e.id.toString("hex"), e.fast.toString("hex"), e.sums?.toString("hex"), e.base?.toString("hex"), e.bits]),
    );
    // The chunks a restore of this page reads: each data chunk, and a delta with its base.
    expect(pageChunkIds(b)).toEqual([entries[0].id, entries[2].id, entries[2].base!, entries[3].id].map((x) => x.toString("hex")));
  });

  it("format 1 pages (before grain sums) still decode, and list their chunks", () => {
    const entries = [data(false), holeEntry, data(false)];
    const b = encodePageV1({ blockSize: 1 << 20, firstBlock: 0, entries });
    expect(b.subarray(0, 5).toString()).toBe("BKPM1");
    const back = decodePage(b).entries;
    expect(back.map((e) => [e.kind, e.id.toString("hex"), e.fast.toString("hex"), e.sums])).toEqual(entries.map((e) => [e.kind, e.id.toString("hex"), e.fast.toString("hex"), undefined]));
    expect(pageChunkIds(b)).toEqual([entries[0].id.toString("hex"), entries[2].id.toString("hex")]);
  });

  it("a truncated, extended or altered page is an error", () => {
    const b = encodePage({ blockSize: 1 << 20, firstBlock: 0, entries: [data(), delta()] });
    expect(() => decodePage(b.subarray(0, b.length - 1))).toThrow(/wrong length/);
    expect(() => pageChunkIds(Buffer.concat([b, Buffer.of(0)]))).toThrow(/wrong length/);
    const bad = Buffer.from(b);
    bad[22] = 7; // the first entry's kind
    expect(() => decodePage(bad)).toThrow(/bad block map entry/);
    expect(() => decodePage(Buffer.from("BKPM9 and more bytes than a header"))).toThrow(/not a block map page/);
  });
});
