// Per-disk block index of a recovery point, cut into pages of `pageBlocks` blocks. Each page is
// a content-addressed, encrypted object, so pages of unchanged disk regions are shared between
// points and memory stays bounded whatever the disk size.
import { hmac, openObject } from "./crypto.js";

export const HOLE = 0;
export const DATA = 1;

export interface BlockEntry {
  kind: typeof HOLE | typeof DATA;
  /** xxh3-128 of the block (zeros for holes). */
  fast: Buffer;
  /** Keyed chunk id (zeros for holes). */
  id: Buffer;
}

export interface BlockPage {
  blockSize: number;
  firstBlock: number;
  entries: BlockEntry[];
}

const MAGIC = Buffer.from("BKPM1");
const HEAD = MAGIC.length + 4 + 8 + 4;
const ENTRY = 1 + 16 + 32;
const ZERO16 = Buffer.alloc(16);
const ZERO32 = Buffer.alloc(32);

export const holeEntry: BlockEntry = { kind: HOLE, fast: ZERO16, id: ZERO32 };

export function encodePage(p: BlockPage): Buffer {
  const b = Buffer.alloc(HEAD + ENTRY * p.entries.length);
  MAGIC.copy(b, 0);
  let o = MAGIC.length;
  b.writeUInt32LE(p.blockSize, o);
  o += 4;
  b.writeDoubleLE(p.firstBlock, o);
  o += 8;
  b.writeUInt32LE(p.entries.length, o);
  o += 4;
  for (const e of p.entries) {
    b[o] = e.kind;
    e.fast.copy(b, o + 1);
    e.id.copy(b, o + 17);
    o += ENTRY;
  }
  return b;
}

export function decodePage(b: Buffer): BlockPage {
  if (b.length < HEAD || !b.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error("not a block map page");
  let o = MAGIC.length;
  const blockSize = b.readUInt32LE(o);
  const firstBlock = b.readDoubleLE(o + 4);
  const count = b.readUInt32LE(o + 12);
  o = HEAD;
  if (b.length !== HEAD + count * ENTRY) throw new Error("block map page has the wrong length");
  const entries: BlockEntry[] = new Array(count);
  for (let i = 0; i < count; i++, o += ENTRY) {
    const kind = b[o];
    if (kind !== HOLE && kind !== DATA) throw new Error("bad block map entry");
    entries[i] = kind === HOLE ? holeEntry : { kind: DATA, fast: Buffer.from(b.subarray(o + 1, o + 17)), id: Buffer.from(b.subarray(o + 17, o + 49)) };
  }
  return { blockSize, firstBlock, entries };
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
