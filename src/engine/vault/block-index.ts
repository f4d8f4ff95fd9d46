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

/** Where one data or delta entry's fields are in a format-2 page. */
interface EntryAt {
  kind: typeof DATA | typeof DELTA;
  /** Offset of the fast hash (the chunk id follows it). */
  at: number;
  sums?: { at: number; length: number };
  /** DELTA: offset of the base id (the grain bits follow it). */
  base?: number;
}

/** Checks a page's header; walks a format-2 page's entries (holes as undefined). Format 1: undefined. */
function scanPage(b: Buffer, visit: (e: EntryAt | undefined, i: number) => void): { blockSize: number; firstBlock: number; count: number; v1: boolean } {
  const v1 = b.length >= HEAD && b.subarray(0, MAGIC_V1.length).equals(MAGIC_V1);
  if (b.length < HEAD || (!v1 && !b.subarray(0, MAGIC.length).equals(MAGIC))) throw new Error("not a block map page");
  const head = { blockSize: b.readUInt32LE(MAGIC.length), firstBlock: b.readDoubleLE(MAGIC.length + 4), count: b.readUInt32LE(MAGIC.length + 12), v1 };
  if (v1) return head;
  let o = HEAD;
  const need = (n: number) => {
    if (o + n > b.length) throw new Error("block map page has the wrong length");
  };
  for (let i = 0; i < head.count; i++) {
    need(1);
    const kind = b[o++];
    if (kind === HOLE) {
      visit(undefined, i);
      continue;
    }
    if (kind !== DATA && kind !== DELTA) throw new Error("bad block map entry");
    need(1 + 16 + 32);
    const flags = b[o++];
    if (flags & ~HAS_SUMS) throw new Error("bad block map entry");
    const e: EntryAt = { kind, at: o };
    o += 48;
    if (flags & HAS_SUMS) {
      need(2);
      const n = b.readUInt16LE(o);
      need(2 + n);
      e.sums = { at: o + 2, length: n };
      o += 2 + n;
    }
    if (kind === DELTA) {
      need(40);
      e.base = o;
      o += 40;
    }
    visit(e, i);
  }
  if (o !== b.length) throw new Error("block map page has the wrong length");
  return head;
}

export function decodePage(b: Buffer): BlockPage {
  const entries: BlockEntry[] = [];
  const head = scanPage(b, (at, i) => {
    if (!at) return void (entries[i] = holeEntry);
    // Views into the page, not copies: a backup decodes every page of the previous point.
    const e: BlockEntry = { kind: at.kind, fast: b.subarray(at.at, at.at + 16), id: b.subarray(at.at + 16, at.at + 48) };
    if (at.sums) e.sums = b.subarray(at.sums.at, at.sums.at + at.sums.length);
    if (at.base !== undefined) {
      e.base = b.subarray(at.base, at.base + 32);
      e.bits = b.readBigUInt64LE(at.base + 32);
    }
    entries[i] = e;
  });
  return { blockSize: head.blockSize, firstBlock: head.firstBlock, entries: head.v1 ? decodeV1(b, head.count) : entries };
}

/**
 * The hex ids of the chunks a page's entries need (a delta's base too), in entry order,
 * without building the entries: prune, verify and every backup's damage check read every
 * page of a point and need only these.
 */
export function pageChunkIds(b: Buffer): string[] {
  const ids: string[] = [];
  const head = scanPage(b, (at) => {
    if (!at) return;
    ids.push(b.toString("hex", at.at + 16, at.at + 48));
    if (at.base !== undefined) ids.push(b.toString("hex", at.base, at.base + 32));
  });
  return head.v1 ? decodeV1(b, head.count).flatMap((e) => entryChunks(e).map((id) => id.toString("hex"))) : ids;
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
