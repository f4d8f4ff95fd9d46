// Per-disk block index of a recovery point, cut into pages of `pageBlocks` blocks. Each page is
// a content-addressed, encrypted object, so pages of unchanged disk regions are shared between
// points and memory stays bounded whatever the disk size.
import { hmac, openObject } from "./crypto.js";

export const HOLE = 0;
export const DATA = 1;
/**
 * A block stored as a delta: its chunk holds only the 64 KiB grains that differ from a base
 * chunk (a full block of an earlier point), so a few small writes spread over a disk store
 * their grains, not every block they touch (docs/vault-format.md, "Delta chunks").
 */
export const DELTA = 2;

export interface BlockEntry {
  kind: typeof HOLE | typeof DATA | typeof DELTA;
  /**
   * Change-detection hash (zeros for holes): xxh3-128 of the grain sums when `sums` is set,
   * else (entries written before grain sums) xxh3-128 of the block.
   */
  fast: Buffer;
  /** Keyed chunk id (zeros for holes): the whole block (DATA) or the delta record (DELTA). */
  id: Buffer;
  /** xxh3 of each 64 KiB grain, SUM_BYTES each: what a delta of the next change is cut from. */
  sums?: Buffer;
  /** DELTA: the full chunk the grains apply to. */
  base?: Buffer;
  /** DELTA: which grains (bit g = grain g) the delta chunk holds. */
  bits?: bigint;
}

export interface BlockPage {
  blockSize: number;
  firstBlock: number;
  entries: BlockEntry[];
}

const MAGIC_V1 = Buffer.from("BKPM1");
const MAGIC = Buffer.from("BKPM2");
const HEAD = MAGIC.length + 4 + 8 + 4;
const ENTRY_V1 = 1 + 16 + 32;
const HAS_SUMS = 1;
const ZERO16 = Buffer.alloc(16);
const ZERO32 = Buffer.alloc(32);

export const holeEntry: BlockEntry = { kind: HOLE, fast: ZERO16, id: ZERO32 };

/** The chunks an entry needs to be restored: none for a hole, the delta's base too. */
export function entryChunks(e: BlockEntry): Buffer[] {
  if (e.kind === HOLE) return [];
  return e.kind === DELTA && e.base ? [e.id, e.base] : [e.id];
}

const entryBytes = (e: BlockEntry) => (e.kind === HOLE ? 1 : 2 + 16 + 32 + (e.sums ? 2 + e.sums.length : 0) + (e.kind === DELTA ? 32 + 8 : 0));

/**
 * Page format 2: per entry a kind byte; for data, a flags byte, the fast hash, the chunk id,
 * the grain sums (length-prefixed, when known) and, for a delta, its base id and grain bits.
 */
export function encodePage(p: BlockPage): Buffer {
  const b = Buffer.alloc(HEAD + p.entries.reduce((s, e) => s + entryBytes(e), 0));
  MAGIC.copy(b, 0);
  let o = MAGIC.length;
  b.writeUInt32LE(p.blockSize, o);
  o += 4;
  b.writeDoubleLE(p.firstBlock, o);
  o += 8;
  b.writeUInt32LE(p.entries.length, o);
  o += 4;
  for (const e of p.entries) {
    b[o++] = e.kind;
    if (e.kind === HOLE) continue;
    b[o++] = e.sums ? HAS_SUMS : 0;
    o += e.fast.copy(b, o);
    o += e.id.copy(b, o);
    if (e.sums) {
      b.writeUInt16LE(e.sums.length, o);
      o += 2 + e.sums.copy(b, o + 2);
    }
    if (e.kind === DELTA) {
      if (!e.base || e.bits === undefined) throw new Error("a delta entry needs its base and grain bits");
      o += e.base.copy(b, o);
      b.writeBigUInt64LE(e.bits, o);
      o += 8;
    }
  }
  return b;
}

export function decodePage(b: Buffer): BlockPage {
  const v1 = b.length >= HEAD && b.subarray(0, MAGIC_V1.length).equals(MAGIC_V1);
  if (b.length < HEAD || (!v1 && !b.subarray(0, MAGIC.length).equals(MAGIC))) throw new Error("not a block map page");
  let o = MAGIC.length;
  const blockSize = b.readUInt32LE(o);
  const firstBlock = b.readDoubleLE(o + 4);
  const count = b.readUInt32LE(o + 12);
  o = HEAD;
  if (v1) return { blockSize, firstBlock, entries: decodeV1(b, count) };
  const bad = () => new Error("bad block map entry");
  const need = (n: number) => {
    if (o + n > b.length) throw new Error("block map page has the wrong length");
  };
  const entries: BlockEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    need(1);
    const kind = b[o++];
    if (kind === HOLE) {
      entries[i] = holeEntry;
      continue;
    }
    if (kind !== DATA && kind !== DELTA) throw bad();
    need(1 + 16 + 32);
    const flags = b[o++];
    if (flags & ~HAS_SUMS) throw bad();
    const e: BlockEntry = { kind, fast: Buffer.from(b.subarray(o, o + 16)), id: Buffer.from(b.subarray(o + 16, o + 48)) };
    o += 48;
    if (flags & HAS_SUMS) {
      need(2);
      const n = b.readUInt16LE(o);
      need(2 + n);
      e.sums = Buffer.from(b.subarray(o + 2, o + 2 + n));
      o += 2 + n;
    }
    if (kind === DELTA) {
      need(40);
      e.base = Buffer.from(b.subarray(o, o + 32));
      e.bits = b.readBigUInt64LE(o + 32);
      o += 40;
    }
    entries[i] = e;
  }
  if (o !== b.length) throw new Error("block map page has the wrong length");
  return { blockSize, firstBlock, entries };
}

/** Format 1 (before grain sums and deltas): fixed entries of kind, fast hash and chunk id. */
function decodeV1(b: Buffer, count: number): BlockEntry[] {
  if (b.length !== HEAD + count * ENTRY_V1) throw new Error("block map page has the wrong length");
  const entries: BlockEntry[] = new Array(count);
  for (let i = 0, o = HEAD; i < count; i++, o += ENTRY_V1) {
    const kind = b[o];
    if (kind !== HOLE && kind !== DATA) throw new Error("bad block map entry");
    entries[i] = kind === HOLE ? holeEntry : { kind: DATA, fast: Buffer.from(b.subarray(o + 1, o + 17)), id: Buffer.from(b.subarray(o + 17, o + 49)) };
  }
  return entries;
}

/** Encodes a page in format 1 (tests: a vault written before format 2). */
export function encodePageV1(p: BlockPage): Buffer {
  const b = Buffer.alloc(HEAD + ENTRY_V1 * p.entries.length);
  MAGIC_V1.copy(b, 0);
  b.writeUInt32LE(p.blockSize, 5);
  b.writeDoubleLE(p.firstBlock, 9);
  b.writeUInt32LE(p.entries.length, 17);
  let o = HEAD;
  for (const e of p.entries) {
    if (e.kind === DELTA) throw new Error("format 1 has no delta entries");
    b[o] = e.kind;
    e.fast.copy(b, o + 1);
    e.id.copy(b, o + 17);
    o += ENTRY_V1;
  }
  return b;
}

/** Object name of a page: keyed hash of its plaintext (equal pages share one object). */
export function pageObjectName(mapIdKey: Uint8Array, plain: Uint8Array): string {
  const id = hmac(mapIdKey, plain).toString("hex");
  return `maps/${id.slice(0, 2)}/${id}`;
}

/** Opens a sealed page object and checks that its name is its plaintext's keyed hash. */
export function openPage(keys: { enc: Uint8Array; mapId: Uint8Array }, name: string, sealed: Uint8Array): Buffer {
  const plain = openObject(keys.enc, name, sealed);
  if (pageObjectName(keys.mapId, plain) !== name) throw new Error("content does not match its name");
  return plain;
}
