// Content-addressed chunks kept in pack files. A pack holds many encrypted chunks (fewer files
// and fsyncs than a file per chunk); its index is written as a separate object right after the
// pack is committed. A pack without an index is a leftover of an interrupted backup.
import { randomBytes } from "node:crypto";
import { openObject, sealChunk, sealObject } from "./crypto.js";
import type { ObjectWriter, Storage } from "./storage.js";
import { errnoCode } from "../errors.js";
import { locationKey, readDamageRecord } from "./damage-record.js";

export interface ChunkLoc {
  pack: string;
  offset: number;
  /** Stored (encrypted record) length. */
  length: number;
  /** Plaintext length. */
  rawLength: number;
  codec: number;
}

export interface PackEntry extends ChunkLoc {
  id: Buffer;
}

export const PACK_MAGIC = Buffer.from("BKPPACK1");
export const PACK_END = Buffer.from("BKPPEND1");

export const packObjectName = (pack: string) => `packs/${pack.slice(0, 2)}/${pack}`;
export const indexObjectName = (pack: string) => `index/${pack}`;
export const packIdOfName = (name: string) => name.slice(name.lastIndexOf("/") + 1);

const ENTRY = 32 + 8 + 4 + 4 + 1;
const IDX_MAGIC = Buffer.from("BKPI1");

export function encodePackIndex(pack: string, packSize: number, entries: readonly PackEntry[]): Buffer {
  const head = IDX_MAGIC.length + 16 + 8 + 4;
  const b = Buffer.alloc(head + entries.length * ENTRY);
  IDX_MAGIC.copy(b, 0);
  Buffer.from(pack, "hex").copy(b, IDX_MAGIC.length);
  b.writeDoubleLE(packSize, IDX_MAGIC.length + 16);
  b.writeUInt32LE(entries.length, IDX_MAGIC.length + 24);
  let o = head;
  for (const e of entries) {
    e.id.copy(b, o);
    b.writeDoubleLE(e.offset, o + 32);
    b.writeUInt32LE(e.length, o + 40);
    b.writeUInt32LE(e.rawLength, o + 44);
    b[o + 48] = e.codec;
    o += ENTRY;
  }
  return b;
}

export function decodePackIndex(b: Buffer): { pack: string; packSize: number; entries: PackEntry[] } {
  const head = IDX_MAGIC.length + 16 + 8 + 4;
  if (b.length < head || !b.subarray(0, IDX_MAGIC.length).equals(IDX_MAGIC)) throw new Error("not a pack index");
  const pack = b.subarray(IDX_MAGIC.length, IDX_MAGIC.length + 16).toString("hex");
  const packSize = b.readDoubleLE(IDX_MAGIC.length + 16);
  const n = b.readUInt32LE(IDX_MAGIC.length + 24);
  if (b.length !== head + n * ENTRY) throw new Error("pack index has the wrong length");
  const entries: PackEntry[] = new Array(n);
  for (let i = 0, o = head; i < n; i++, o += ENTRY) {
    entries[i] = {
      id: b.subarray(o, o + 32), // a view: every backup loads every index
      pack,
      offset: b.readDoubleLE(o + 32),
      length: b.readUInt32LE(o + 40),
      rawLength: b.readUInt32LE(o + 44),
      codec: b[o + 48],
    };
  }
  return { pack, packSize, entries };
}

export interface CommittedPack {
  pack: string;
  size: number;
  entries: PackEntry[];
}

/**
 * Appends chunks to the current pack and rotates packs at `target` bytes. A committed pack's
 * fsync runs on the thread pool while the caller fills the next one.
 */
export class PackWriter {
  private writer: ObjectWriter | undefined;
  private pack = "";
  private entries: PackEntry[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly storage: Storage,
    private readonly enc: Buffer,
    private readonly target: number,
    private readonly onCommitted: (p: CommittedPack) => void,
  ) {}

  async append(id: Buffer, codec: number, data: Uint8Array, rawLength: number): Promise<number> {
    if (!this.writer) {
      this.pack = randomBytes(16).toString("hex");
      this.writer = this.storage.createWriter(packObjectName(this.pack), { ifAbsent: true });
      this.writer.write(PACK_MAGIC);
      this.entries = [];
    }
    const w = this.writer;
    const offset = w.size;
    for (const piece of sealChunk(this.enc, id, codec, data)) w.write(piece);
    await w.drain();
    const length = w.size - offset;
    this.entries.push({ id, pack: this.pack, offset, length, rawLength, codec });
    if (w.size >= this.target) await this.rotate();
    return length;
  }

  /** Closes the current pack; keeps at most one commit in flight to bound dirty data. */
  private async rotate(): Promise<void> {
    const w = this.writer;
    if (!w) return;
    this.writer = undefined;
    const pack = this.pack;
    const entries = this.entries;
    // The trailer repeats the index inside the pack, so an index can be rebuilt from packs alone.
    const trailer = sealObject(this.enc, `pack-trailer/${pack}`, encodePackIndex(pack, 0, entries));
    w.write(trailer);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(trailer.length);
    w.write(len);
    w.write(PACK_END);
    const size = w.size;
    const done = w
      .commit()
      .then(() => this.storage.put(indexObjectName(pack), sealObject(this.enc, indexObjectName(pack), encodePackIndex(pack, size, entries))))
      .then(() => this.onCommitted({ pack, size, entries }));
    done.catch(() => undefined); // observed by flush()
    this.pending.push(done);
    while (this.pending.length > 1) await this.pending.shift();
  }

  /** Commits everything written so far. */
  async flush(): Promise<void> {
    await this.rotate();
    while (this.pending.length) await this.pending.shift();
  }

  async abort(): Promise<void> {
    const w = this.writer;
    this.writer = undefined;
    if (w) await w.abort().catch(() => undefined);
    await Promise.allSettled(this.pending.splice(0));
  }
}

export interface ChunkIndex {
  /** chunk id -> its location; an intact copy is preferred over a damaged one or one in a bad pack. */
  chunks: Map<string, ChunkLoc>;
  /** pack id -> size recorded in its index */
  packs: Map<string, number>;
  damaged: { object: string; problem: string }[];
  /** Indexed packs that are missing or not the size their index records. */
  badPacks: Map<string, string>;
  /** Chunk copies the damage record names (locationKey). */
  damagedLocs: Set<string>;
}

/** True when the chunk has a copy not known to be damaged, in a pack that is present and whole. */
export function isHealthy(index: ChunkIndex, id: string): boolean {
  // The usual vault: no pack missing or truncated, nothing on the damage record (a backup asks this of every chunk of the previous point).
  if (index.badPacks.size === 0 && index.damagedLocs.size === 0) return index.chunks.has(id);
  const loc = index.chunks.get(id);
  return loc !== undefined && !index.badPacks.has(loc.pack) && !index.damagedLocs.has(locationKey(loc.pack, id));
}

/**
 * Loads every pack index of the vault (damaged index objects are reported, not fatal), then the
 * pack listing (after the indexes: a pack is committed before its index, so every index seen has
 * its pack listed) and the damage record. Every indexed pack's size is checked (a stat each), so
 * a chunk with a copy in a truncated pack and another intact one is read from the intact one.
 */
export async function loadChunkIndex(storage: Storage, enc: Buffer): Promise<ChunkIndex> {
  const chunks = new Map<string, ChunkLoc>();
  const packs = new Map<string, number>();
  const damaged: { object: string; problem: string }[] = [];
  const loaded: PackEntry[][] = [];
  for (const name of await storage.list("index")) {
    let raw: Buffer;
    try {
      raw = await storage.get(name);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") continue; // removed meanwhile
      throw e;
    }
    try {
      const idx = decodePackIndex(openObject(enc, name, raw));
      if (idx.pack !== packIdOfName(name)) throw new Error("index names another pack");
      packs.set(idx.pack, idx.packSize);
      loaded.push(idx.entries);
    } catch (e) {
      damaged.push({ object: name, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  const onDisk = new Set((await storage.list("packs")).map(packIdOfName));
  const badPacks = new Map<string, string>();
  for (const [pack, size] of packs) {
    if (!onDisk.has(pack)) badPacks.set(pack, "missing");
    else {
      const actual = await storage.size(packObjectName(pack));
      if (actual === undefined) badPacks.set(pack, "missing");
      else if (actual !== size) badPacks.set(pack, `truncated or grown: ${actual} bytes, index says ${size}`);
    }
  }
  const damagedLocs = new Set((await readDamageRecord(storage, enc)).chunks.map((c) => locationKey(c.pack, c.id)));
  const good = (pack: string, id: string) => !badPacks.has(pack) && !damagedLocs.has(locationKey(pack, id));
  for (const entries of loaded) {
    for (const e of entries) {
      const key = e.id.toString("hex");
      const had = chunks.get(key);
      if (!had || (!good(had.pack, key) && good(e.pack, key))) chunks.set(key, { pack: e.pack, offset: e.offset, length: e.length, rawLength: e.rawLength, codec: e.codec });
    }
  }
  return { chunks, packs, damaged, badPacks, damagedLocs };
}
