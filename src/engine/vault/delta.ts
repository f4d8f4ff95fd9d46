// Delta chunks: a changed block whose previous version is in the vault is stored as the grains
// (64 KiB) that differ from a full base chunk, instead of the whole block. DOMAIN §1.7: only the
// changed data is transferred; 2,000 scattered 16 KiB writes over a 2 GiB disk touch most 1 MiB
// blocks but only ~2,000 grains (docs/vault-format.md, "Delta chunks").
//
// A delta's plaintext is [magic | base chunk id (32) | grain bits (u64 LE) | the grains, in
// order]; it is sealed, packed and named (keyed hash of that plaintext) like any other chunk, so
// packs, indexes, verify and repack need nothing new. Deltas apply to full chunks only (a block
// that changes again gets a new delta of every grain that differs from the same base), so a
// restore reads at most two chunks per block.
import type { FastHasher } from "../image/fast-hash.js";
import { GRAIN, SUM_BYTES } from "../snapshot/snapshot-chain.js";

const MAGIC = Buffer.from("BKPD1");
const HEAD = MAGIC.length + 32 + 8;
/** At most 64 grains per block (a u64 of bits): blocks up to 4 MiB take deltas. */
export const MAX_DELTA_GRAINS = 64;
/** A delta is written while it holds at most this share of the block's grains; beyond, the whole block (a new base). */
export const MAX_DELTA_SHARE = 0.5;

const zeroSums = new Map<number, Buffer>();
/** The sum of an all-zero grain of `len` bytes. */
export function zeroSum(fast: FastHasher, len: number): Buffer {
  let z = zeroSums.get(len);
  if (!z) zeroSums.set(len, (z = fast(Buffer.alloc(len)).subarray(0, SUM_BYTES)));
  return z;
}

/** The grain sums of a block (SUM_BYTES per 64 KiB grain, the last one possibly short). */
export function grainSums(fast: FastHasher, data: Uint8Array, isZero: (b: Uint8Array) => boolean): Buffer {
  const n = Math.ceil(data.length / GRAIN);
  const out = Buffer.allocUnsafe(n * SUM_BYTES);
  for (let g = 0; g < n; g++) {
    const grain = data.subarray(g * GRAIN, Math.min((g + 1) * GRAIN, data.length));
    (isZero(grain) ? zeroSum(fast, grain.length) : fast(grain)).copy(out, g * SUM_BYTES, 0, SUM_BYTES);
  }
  return out;
}

/** The change-detection hash of a block whose grain sums are `sums`. */
export const sumsFast = (fast: FastHasher, sums: Uint8Array): Buffer => fast(sums);

/** Bit g set where grain g's sums differ; undefined when the blocks have other grain counts or more than 64 grains. */
export function diffBits(a: Buffer, b: Buffer): bigint | undefined {
  if (a.length !== b.length || a.length / SUM_BYTES > MAX_DELTA_GRAINS) return undefined;
  let bits = 0n;
  for (let g = 0, o = 0; o < a.length; g++, o += SUM_BYTES) if (a.compare(b, o, o + SUM_BYTES, o, o + SUM_BYTES) !== 0) bits |= 1n << BigInt(g);
  return bits;
}

export function popcount(bits: bigint): number {
  let n = 0;
  for (let b = bits; b; b &= b - 1n) n++;
  return n;
}

/** The delta plaintext of the grains `bits` of `block` over `base`. */
export function encodeDelta(base: Buffer, bits: bigint, block: Buffer): Buffer {
  const grains: number[] = [];
  for (let g = 0; g * GRAIN < block.length; g++) if (bits & (1n << BigInt(g))) grains.push(g);
  const size = grains.reduce((s, g) => s + Math.min(GRAIN, block.length - g * GRAIN), 0);
  const out = Buffer.allocUnsafe(HEAD + size);
  MAGIC.copy(out, 0);
  base.copy(out, MAGIC.length);
  out.writeBigUInt64LE(bits, MAGIC.length + 32);
  let o = HEAD;
  for (const g of grains) o += block.copy(out, o, g * GRAIN, Math.min((g + 1) * GRAIN, block.length));
  return out;
}

/** The base id a delta plaintext names (to check it against the block map's). */
export function deltaBase(delta: Buffer): Buffer {
  if (delta.length < HEAD || !delta.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("not a delta chunk");
  return delta.subarray(MAGIC.length, MAGIC.length + 32);
}

/** Writes a delta's grains over `base` (a full block of the same length, modified in place). */
export function applyDelta(delta: Buffer, base: Buffer): Buffer {
  deltaBase(delta);
  const bits = delta.readBigUInt64LE(MAGIC.length + 32);
  let o = HEAD;
  for (let g = 0; g * GRAIN < base.length; g++) {
    if (!(bits & (1n << BigInt(g)))) continue;
    const len = Math.min(GRAIN, base.length - g * GRAIN);
    if (o + len > delta.length) throw new Error("delta chunk is shorter than its grains");
    delta.copy(base, g * GRAIN, o, o + len);
    o += len;
  }
  if (o !== delta.length || bits >> BigInt(Math.ceil(base.length / GRAIN)) !== 0n) throw new Error("delta chunk does not fit its block");
  return base;
}

/** Whether a block's bytes are what a block map entry recorded (its hash: of the grain sums when the entry has them, else of the block). */
export function matchesEntry(fast: FastHasher, e: { fast: Buffer; sums?: Buffer }, data: Uint8Array, isZero: (b: Uint8Array) => boolean): boolean {
  return e.sums ? sumsFast(fast, grainSums(fast, data, isZero)).equals(e.fast) : fast(data).equals(e.fast);
}
