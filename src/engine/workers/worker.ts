// Worker thread entry: backs up, restores or verifies one unit of work at a time.
// DOMAIN §1.7: the disks of a VM are processed in parallel; each disk is also cut into pages so
// both cores stay busy when a VM has a single disk. Bundled as bkp-engine-worker.mjs.
import fs from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { hmac, keysFromTransfer, openChunk, openObject, sealObject } from "../vault/crypto.js";
import type { VaultKeys } from "../vault/crypto.js";
import { compressBlock, decompressBlock } from "../vault/compress.js";
import { createFastHasher } from "../image/fast-hash.js";
import type { FastHasher } from "../image/fast-hash.js";
import { DATA, DELTA, HOLE, decodePage, encodePage, entryChunks, holeEntry, pageObjectName } from "../vault/block-index.js";
import { MAX_DELTA_SHARE, applyDelta, deltaBase, diffBits, encodeDelta, grainSums, matchesEntry, popcount, sumsFast, zeroSum } from "../vault/delta.js";
import type { BlockEntry, BlockPage } from "../vault/block-index.js";
import { PackWriter, packObjectName } from "../vault/chunk-store.js";
import { openVaultStorage } from "../vault/vault-storage.js";
import { EngineError, ErrorCodes, serializeError } from "../errors.js";
import { openTargetWriter } from "../image/block-writer.js";
import { directIoAllowed, openDirect } from "../image/direct-file.js";
import type { DirectFile } from "../image/direct-file.js";
import { isAllZero, readFully } from "../image/image-reader.js";
import { openOrderedReads } from "../image/ordered-reads.js";
import type { OrderedReads } from "../image/ordered-reads.js";
import { readVirtual } from "../image/vhd.js";
import { GRAIN, SUM_BYTES } from "../snapshot/snapshot-chain.js";
import type { VhdLayout } from "../image/vhd.js";
import type {
  BackupTask,
  BackupTaskResult,
  FromWorker,
  SnapshotTarget,
  RestoreTask,
  RestoreTaskResult,
  ToWorker,
  VerifyPackResult,
  VerifyPackTask,
  WireLoc,
  WorkerInit,
} from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("worker.ts must run in a worker thread");
const init = (workerData as { init: WorkerInit }).init;
const keys: VaultKeys = keysFromTransfer(init.keys);
const storage = await openVaultStorage({ path: init.vaultPath, blob: init.blob });
const blockSize = init.blockSize;
/** Bytes read per batch: large sequential reads; one claim round trip per batch. */
const BATCH_BYTES = Math.max(blockSize, 4 * 1024 * 1024);

let hasher: FastHasher | undefined;

// Memory (peak RSS): each block leaves ~2 MiB of off-heap garbage (compressed and encrypted
// copies) that V8 collects only when it sees fit; a collection after every task (a 256 MiB page)
// keeps each worker's footprint near one batch, whatever the image size.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as (o?: { type: "minor" | "major" }) => void;
/** A young-generation collection (about a millisecond): frees the batch's short-lived buffers. */
const collect = () => gc({ type: "minor" });
/** Buffers that lived across an await (a pack write) are promoted; a full collection every 16 MiB stored frees them. */
const MAJOR_EVERY = 16 * 1024 * 1024;
let storedSinceMajor = 0;
function collectStored(bytes: number): void {
  storedSinceMajor += bytes;
  if (storedSinceMajor < MAJOR_EVERY) return collect();
  storedSinceMajor = 0;
  gc({ type: "major" });
}
let reqSeq = 0;
const waiting = new Map<number, (v: unknown) => void>();

const post = (m: FromWorker) => port.postMessage(m);

function request<T>(op: "claim" | "reuse" | "intact" | "locate", ids: string[]): Promise<T> {
  const reqId = ++reqSeq;
  return new Promise<T>((resolve) => {
    waiting.set(reqId, resolve as (v: unknown) => void);
    post({ type: "request", reqId, op, ids });
  });
}

const packs = new PackWriter(storage, keys.enc, init.packTarget, (p) =>
  post({
    type: "pack",
    pack: p.pack,
    size: p.size,
    chunks: p.entries.map((e) => ({ id: e.id.toString("hex"), pack: e.pack, offset: e.offset, length: e.length, rawLength: e.rawLength, codec: e.codec })),
  }),
);

async function loadPage(name: string): Promise<BlockPage> {
  const plain = openObject(keys.enc, name, await storage.get(name));
  if (pageObjectName(keys.mapId, plain) !== name) throw new Error("block map page content does not match its name");
  return decodePage(plain);
}

function blockLen(imageBytes: number, block: number): number {
  return Math.min(blockSize, imageBytes - block * blockSize);
}

/**
 * Snapshot grains go past the page cache in pieces of at most this, this many in flight
 * (direct-file.ts). A full copy writes every data grain of the page: with 256 KiB pieces the
 * worker waited on the disk (tier full backup of the 2 GiB image 4.4 s, 3.4 – 3.5 s with 1 MiB
 * pieces, docs/benchmarks.md); a delta writes only changed grains.
 */
const SNAP_SLOTS = 4;
const snapSlotBytes = (fullCopy: boolean) => (fullCopy ? 1024 * 1024 : 256 * 1024);

/**
 * The point's snapshot of one page, written as the page is read (snapshot-chain.ts): grain
 * checksums for every grain, and the grains a full copy holds (non-zero) or a delta holds
 * (those whose checksum differs from the parent snapshot's).
 */
class PageSnapshot {
  private readonly fd: number;
  private readonly direct: DirectFile | undefined;
  private readonly sums: Buffer;
  private readonly prev?: Buffer;
  private readonly bits?: Buffer;
  private readonly g0: number;

  constructor(
    private readonly snap: SnapshotTarget,
    private readonly pageStart: number,
    pageBytes: number,
    private readonly fast: FastHasher,
  ) {
    const grains = Math.ceil(pageBytes / GRAIN);
    this.g0 = pageStart / GRAIN;
    this.sums = Buffer.alloc(grains * SUM_BYTES);
    if (snap.set && snap.prevSums) {
      this.prev = Buffer.alloc(grains * SUM_BYTES);
      const fd = fs.openSync(snap.prevSums, "r");
      try {
        readFully(fd, this.prev, this.prev.length, this.g0 * SUM_BYTES);
      } finally {
        fs.closeSync(fd);
      }
      this.bits = Buffer.alloc(Math.ceil(grains / 8));
    }
    this.fd = fs.openSync(snap.file, "r+");
    this.direct = directIoAllowed() ? openDirect(snap.file, snapSlotBytes(!snap.set), SNAP_SLOTS) : undefined;
  }

  /** Writes `data[from, to)` at `pos + from`: aligned pieces direct, the rest (an image's short last grain) buffered. */
  private writeRun(data: Buffer, from: number, to: number, pos: number): void {
    for (let off = from; off < to; ) {
      const n = Math.min(to - off, this.direct?.slotBytes ?? to - off);
      if (this.direct?.fits(n, pos + off)) {
        this.direct.put(data.subarray(off, off + n), pos + off);
        off += n;
      } else {
        off += fs.writeSync(this.fd, data, off, to - off, pos + off);
      }
    }
  }

  /** A block equal to the previous point's: a delta keeps the parent's checksums; a full copy needs its bytes. */
  unchanged(data: Buffer, at: number): void {
    if (!this.prev) return this.changed(data, at);
    const o = ((at - this.pageStart) / GRAIN) * SUM_BYTES;
    const n = Math.ceil(data.length / GRAIN) * SUM_BYTES;
    this.prev.copy(this.sums, o, o, o + n);
  }

  /** A block read (`zero`: known all-zero; `sums`: its grain sums, already computed). */
  changed(data: Buffer, at: number, zero = false, sums?: Buffer): void {
    let run = -1;
    const flush = (end: number) => {
      if (run < 0) return;
      this.writeRun(data, run, end, at);
      run = -1;
    };
    for (let o = 0; o < data.length; o += GRAIN) {
      const grain = data.subarray(o, Math.min(o + GRAIN, data.length));
      const isZero = zero || isAllZero(grain);
      const sum = sums ? sums.subarray((o / GRAIN) * SUM_BYTES, (o / GRAIN + 1) * SUM_BYTES) : isZero ? zeroSum(this.fast, grain.length) : this.fast(grain).subarray(0, SUM_BYTES);
      const lg = (at + o - this.pageStart) / GRAIN;
      sum.copy(this.sums, lg * SUM_BYTES);
      let keep = !isZero;
      if (this.prev && this.bits) {
        const same = this.prev.compare(this.sums, lg * SUM_BYTES, (lg + 1) * SUM_BYTES, lg * SUM_BYTES, (lg + 1) * SUM_BYTES) === 0;
        if (!same) this.bits[lg >> 3] |= 1 << (lg & 7);
        keep = keep && !same;
      }
      if (keep) {
        if (run < 0) run = o;
      } else flush(o);
    }
    flush(data.length);
  }

  /** Waits for the grains in flight (a write error fails the backup here), then writes the sums. */
  async close(): Promise<void> {
    const fd = this.fd;
    try {
      await this.direct?.close();
      writeAt(this.snap.sums, this.sums, this.g0 * SUM_BYTES);
      if (this.bits && this.snap.set) writeAt(this.snap.set, this.bits, this.g0 / 8);
    } finally {
      // The page's data goes to disk on the thread pool while the next page is read (the
      // snapshot's final fsync, before its record, is what makes it durable).
      fs.fdatasync(fd, () => fs.close(fd, () => undefined));
    }
  }
}

function writeAt(file: string, data: Buffer, at: number): void {
  const fd = fs.openSync(file, "r+");
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off, at + off);
  } finally {
    fs.closeSync(fd);
  }
}

/** The batch's blocks (page indexes) flagged 1 in a per-block array of the page, and passing `also`. */
function flaggedBlocks(flags: Uint8Array, i: number, n: number, also: (b: number) => boolean = () => true): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < n; k++) if (flags[i + k] === 1 && also(i + k)) out.add(i + k);
  return out;
}

/** Reads the batch's runs of blocks not kept into their places in `buf`; false when the image is short. */
function readRuns(fd: number, buf: Buffer, kept: ReadonlySet<number>, i: number, n: number, start: number, want: number): boolean {
  for (let k = 0; k < n; ) {
    if (kept.has(i + k)) {
      k++;
      continue;
    }
    let end = k;
    while (end < n && !kept.has(i + end)) end++;
    const from = k * blockSize;
    const len = Math.min(end * blockSize, want) - from;
    if (readFully(fd, buf.subarray(from, from + len), len, start + from) !== len) return false;
    k = end;
  }
  return true;
}

/**
 * Keeps the previous entries of unchanged, unread blocks. A data block's chunk (and a delta's
 * base) is referenced again only while the vault holds it intact; otherwise that block is read
 * and stored again (the damage is not inherited).
 */
async function keepShared(t: BackupTask, prev: BlockEntry[], entries: BlockEntry[], kept: ReadonlySet<number>, fd: number, res: BackupTaskResult): Promise<void> {
  const data: number[] = [];
  for (const b of kept) {
    const p = prev[b];
    entries[b] = p;
    if (p.kind !== HOLE) data.push(b);
    else res.bytesZero += blockLen(t.imageBytes, t.firstBlock + b);
  }
  if (!data.length) return;
  const ok = await reusable(data.map((b) => prev[b]));
  for (let r = 0; r < data.length; r++) {
    if (ok[r]) continue;
    const b = data[r];
    const len = blockLen(t.imageBytes, t.firstBlock + b);
    const block = Buffer.allocUnsafe(len);
    if (readFully(fd, block, len, (t.firstBlock + b) * blockSize) !== len) throw shrank(t);
    res.bytesRead += len;
    entries[b] = await storeAgain(block, prev[b], res);
  }
}

/**
 * Whether each previous entry may be referenced again. A full chunk: `reuse` (false = the
 * caller stores that same chunk again). A delta: its chunk and its base must both be intact
 * (`intact`, no claim); otherwise the caller stores the block whole under a new id.
 */
async function reusable(es: readonly BlockEntry[]): Promise<boolean[]> {
  const out: boolean[] = new Array(es.length).fill(true);
  const full = es.map((e, i) => (e.kind === DATA ? i : -1)).filter((i) => i >= 0);
  const deltas = es.map((e, i) => (e.kind === DELTA ? i : -1)).filter((i) => i >= 0);
  if (full.length) {
    const ok = await request<boolean[]>("reuse", full.map((i) => es[i].id.toString("hex")));
    full.forEach((i, r) => (out[i] = ok[r]));
  }
  if (deltas.length) {
    const ok = await request<boolean[]>("intact", deltas.flatMap((i) => [es[i].id.toString("hex"), es[i].base!.toString("hex")]));
    deltas.forEach((i, r) => (out[i] = ok[2 * r] && ok[2 * r + 1]));
  }
  return out;
}

/**
 * A block whose previous chunk (or a delta's base) the vault no longer holds intact: stored
 * again from the image, whole. A full chunk was claimed by `reuse`; a delta's block gets a new
 * id, claimed here (it may already be in the vault).
 */
async function storeAgain(data: Buffer, was: BlockEntry, res: BackupTaskResult): Promise<BlockEntry> {
  const sums = grainSums(hasher!, data, isAllZero);
  const id = hmac(keys.chunkId, data);
  const entry: BlockEntry = { kind: DATA, fast: sumsFast(hasher!, sums), id, sums };
  if (was.kind === DELTA) {
    const [store] = await request<boolean[]>("claim", [id.toString("hex")]);
    if (!store) {
      res.dedupedChunks++;
      return entry;
    }
  }
  await storeChunk(id, data, res);
  return entry;
}

/** Compresses a chunk's plaintext, appends it to the worker's pack and counts it. */
async function storeChunk(id: Buffer, plain: Buffer, res: BackupTaskResult): Promise<void> {
  const z = compressBlock(plain);
  await packs.append(id, z.codec, z.data, plain.length);
  res.bytesStored += z.data.length;
  res.newChunks++;
}

const shrank = (t: BackupTask) =>
  new EngineError(
    ErrorCodes.IMAGE_SIZE_CHANGED,
    `image ${t.image} shrank while it was being backed up (expected ${t.imageBytes} bytes). Stop the VM or back up a snapshot of the disk; no recovery point was written.`,
  );

/**
 * The worker's one read buffer, reused by every page task: a new 4 MiB buffer per task left
 * RSS growing with the image (freed buffers of that size are not returned to the system at
 * once). Each batch's blocks are stored (`packs.append` drains) before the next read.
 */
let batch: Buffer | undefined;
const batchBuffer = () => (batch ??= Buffer.allocUnsafe(BATCH_BYTES));

interface Changed {
  i: number;
  data: Buffer;
  fast: Buffer;
  sums: Buffer;
  /** The delta this block may be stored as, if its base is intact. */
  delta?: { base: Buffer; bits: bigint };
}

/**
 * A changed block's delta over the previous point's chunk: the grains that differ from the
 * previous block (and, when that was itself a delta, the grains it held: deltas always apply
 * to a full chunk). Undefined when too many grains changed (the block is stored whole, a new
 * base), or nothing says which grains changed (no previous grain sums).
 */
function deltaOf(p: BlockEntry | undefined, sums: Buffer): Changed["delta"] {
  if (!p || p.kind === HOLE || !p.sums) return undefined;
  const d = diffBits(p.sums, sums);
  if (d === undefined) return undefined;
  const bits = p.kind === DELTA ? d | (p.bits ?? 0n) : d;
  if (bits === 0n || popcount(bits) > (sums.length / SUM_BYTES) * MAX_DELTA_SHARE) return undefined;
  return { base: p.kind === DELTA ? p.base! : p.id, bits };
}

/** Stores a batch's changed blocks: as deltas where the base is intact, else whole; chunks already in the vault are referenced. */
async function storeChanged(changed: Changed[], entries: BlockEntry[], res: BackupTaskResult): Promise<void> {
  const withDelta = changed.filter((c) => c.delta);
  if (withDelta.length) {
    // Never a new point on damaged data: a delta needs its base intact.
    const ok = await request<boolean[]>("intact", withDelta.map((c) => c.delta!.base.toString("hex")));
    withDelta.forEach((c, r) => {
      if (!ok[r]) c.delta = undefined;
    });
  }
  const plain = changed.map((c) => (c.delta ? encodeDelta(c.delta.base, c.delta.bits, c.data) : c.data));
  const ids = plain.map((b) => hmac(keys.chunkId, b));
  // Ask the main thread which ids are new to the vault (dedupe across disks and VMs).
  const store = await request<boolean[]>("claim", ids.map((id) => id.toString("hex")));
  for (let c = 0; c < changed.length; c++) {
    const ch = changed[c];
    entries[ch.i] = ch.delta
      ? { kind: DELTA, fast: ch.fast, id: ids[c], sums: ch.sums, base: ch.delta.base, bits: ch.delta.bits }
      : { kind: DATA, fast: ch.fast, id: ids[c], sums: ch.sums };
    if (!store[c]) {
      res.dedupedChunks++;
      continue;
    }
    await storeChunk(ids[c], plain[c], res);
    if (ch.delta) res.deltaChunks++;
  }
}

async function backup(t: BackupTask): Promise<BackupTaskResult> {
  hasher ??= await createFastHasher();
  const fast = hasher;
  let prev: BlockEntry[] | undefined;
  let prevDamaged = false;
  if (t.prevMap) {
    try {
      const p = await loadPage(t.prevMap);
      if (p.blockSize === blockSize && p.firstBlock === t.firstBlock) prev = p.entries;
    } catch {
      prev = undefined; // damaged previous map: this page is simply read in full
      prevDamaged = true;
    }
  }
  const res: BackupTaskResult = { map: "", bytesRead: 0, bytesChanged: 0, bytesStored: 0, bytesZero: 0, newChunks: 0, dedupedChunks: 0, deltaChunks: 0 };
  const entries: BlockEntry[] = new Array(t.count);
  // A page copied whole into the snapshot reads half batches: the copy's larger write slots
  // take the memory (peak RSS 148 – 150 MiB with both, 133 – 137 MiB so, and no slower).
  const batchBytes = t.snap && !t.snap.set ? Math.max(blockSize, BATCH_BYTES / 2) : BATCH_BYTES;
  const buf = batchBuffer().subarray(0, Math.min(batchBytes, t.count * blockSize));
  const perBatch = Math.max(1, Math.floor(buf.length / blockSize));
  const fd = fs.openSync(t.image, "r");
  const vhd: VhdLayout | undefined = t.vhd ? { ...t.vhd, footer: Buffer.from(t.vhd.footer) } : undefined;
  const pageStart = t.firstBlock * blockSize;
  const snap = t.snap ? new PageSnapshot(t.snap, pageStart, Math.min(t.count * blockSize, t.imageBytes - pageStart), fast) : undefined;
  try {
    for (let i = 0; i < t.count; i += perBatch) {
      const n = Math.min(perBatch, t.count - i);
      const start = (t.firstBlock + i) * blockSize;
      const want = Math.min(n * blockSize, t.imageBytes - start);
      // Extent comparison: blocks that share their extents with the previous point's reflink
      // snapshot keep their previous entries unread; only the runs of other blocks are read.
      const kept = !vhd && t.shared && prev ? flaggedBlocks(t.shared, i, n, (b) => prev[b] !== undefined) : undefined;
      // A sparse image's holes are zeros without reading them.
      const holes = !vhd && !kept && t.holes ? flaggedBlocks(t.holes, i, n) : undefined;
      if (kept) {
        if (!readRuns(fd, buf, kept, i, n, start, want)) throw shrank(t);
        await keepShared(t, prev!, entries, kept, fd, res);
      } else if (holes) {
        if (!readRuns(fd, buf, holes, i, n, start, want)) throw shrank(t);
      } else if (!vhd && readFully(fd, buf, want, start) !== want) {
        // A raw image is read in one large sequential read per batch (8 MiB).
        throw shrank(t);
      }
      const changed: Changed[] = [];
      const reused: { i: number; data: Buffer; entry: BlockEntry }[] = [];
      for (let k = 0; k < n; k++) {
        if (kept?.has(i + k)) continue;
        const len = blockLen(t.imageBytes, t.firstBlock + i + k);
        const at = start + k * blockSize;
        const data = buf.subarray(k * blockSize, k * blockSize + len);
        // VHD: the virtual disk is read; a block no VHD block backs is a hole without reading.
        if (vhd && !readVirtual(fd, vhd, data, len, at)) {
          entries[i + k] = holeEntry;
          res.bytesZero += len;
          continue;
        }
        if (holes?.has(i + k)) {
          entries[i + k] = holeEntry;
          res.bytesZero += len;
          snap?.changed(data, at, true); // zero grains: sums only, nothing written (data is not looked at)
          continue;
        }
        res.bytesRead += len;
        if (isAllZero(data)) {
          // All-zero blocks become holes: nothing stored, restore seeks over them.
          entries[i + k] = holeEntry;
          res.bytesZero += len;
          snap?.changed(data, at, true);
          continue;
        }
        // One hash pass per block, grain by grain: the block's hash is that of its grain sums,
        // and the sums say which grains a changed block's delta must hold.
        const sums = grainSums(fast, data, isAllZero);
        const h = sumsFast(fast, sums);
        const p = prev?.[i + k];
        if (p && p.kind !== HOLE && (p.sums ? p.sums.equals(sums) : p.fast.equals(fast(data)))) {
          // Unchanged; an entry written before grain sums gains them.
          reused.push({ i: i + k, data, entry: p.sums ? p : { ...p, fast: h, sums } });
          snap?.unchanged(data, at);
          continue;
        }
        snap?.changed(data, at, false, sums);
        res.bytesChanged += len;
        changed.push({ i: i + k, data, fast: h, sums, delta: deltaOf(p, sums) });
      }
      if (reused.length) {
        // An unchanged block's chunk is referenced again only while the vault holds it intact;
        // otherwise it is stored again from the image in hand (the damage is not inherited).
        const ok = await reusable(reused.map((r) => r.entry));
        for (let r = 0; r < reused.length; r++) {
          const u = reused[r];
          entries[u.i] = ok[r] ? u.entry : await storeAgain(u.data, u.entry, res);
        }
      }
      if (changed.length) await storeChanged(changed, entries, res);
      post({ type: "progress", key: t.key, bytes: want });
      collectStored(changed.length ? want : 0);
    }
    await snap?.close();
  } finally {
    fs.closeSync(fd);
  }
  const plain = encodePage({ blockSize, firstBlock: t.firstBlock, entries });
  res.map = pageObjectName(keys.mapId, plain);
  // Written even when an equal page exists (it may be a leftover never made durable); made
  // durable with the packs at "finish", before the manifest.
  if (res.map !== t.prevMap || prevDamaged) await storage.put(res.map, sealObject(keys.enc, res.map, plain), { sync: false });
  return res;
}

function corrupt(id: string, why: string): EngineError {
  return new EngineError(ErrorCodes.CHUNK_CORRUPT, `chunk ${id.slice(0, 16)}… is damaged (${why})`);
}

/**
 * Blob vaults: a chunk is read from an 8 MiB window of its pack, and the next window is fetched
 * while this one is used — chunks of a disk lie mostly in order, so restores and verifies make
 * a few large ranged GETs instead of one round trip per chunk.
 */
const WINDOW = 8 * 1024 * 1024;
const windows = new Map<string, Promise<Buffer>>();
function fetchWindow(pack: string, start: number): Promise<Buffer> {
  const key = `${pack}@${start}`;
  let w = windows.get(key);
  if (!w) {
    w = storage.read(packObjectName(pack), start, WINDOW);
    w.catch(() => undefined);
    windows.set(key, w);
    // Keep the current and the prefetched window per pack at most.
    for (const k of windows.keys()) if (windows.size > 4 && k !== key) windows.delete(k);
  }
  return w;
}

async function readBlobRecord(loc: WireLoc): Promise<Buffer> {
  const start = Math.floor(loc.offset / WINDOW) * WINDOW;
  if (loc.offset + loc.length > start + WINDOW) return storage.read(packObjectName(loc.pack), loc.offset, loc.length);
  const w = await fetchWindow(loc.pack, start);
  if (w.length === WINDOW) fetchWindow(loc.pack, start + WINDOW);
  return w.subarray(loc.offset - start, loc.offset - start + loc.length);
}

const packFile = (pack: string) => `${init.vaultPath}/${packObjectName(pack)}`;

/**
 * A chunk's sealed record: the next of the task's ordered reads in a directory vault (the
 * records of a page are read in the order the task needs them, some ahead), a ranged GET in a
 * blob vault.
 */
async function readRecord(reads: OrderedReads | undefined, id: Buffer, loc: WireLoc): Promise<Buffer> {
  const missing = () => new EngineError(ErrorCodes.CHUNK_MISSING, `pack ${loc.pack} holding chunk ${id.toString("hex").slice(0, 16)}… is missing`);
  if (!reads) {
    // A blob vault (orderedReads gives none).
    try {
      const rec = await readBlobRecord(loc);
      if (rec.length === 0 && (await storage.size(packObjectName(loc.pack))) === undefined) throw missing();
      return rec;
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") throw missing();
      throw e;
    }
  }
  try {
    return await reads.next({ file: packFile(loc.pack), offset: loc.offset, length: loc.length });
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") throw missing();
    throw e;
  }
}

/** The task's reads of `locs` in order, past the page cache where it can (a directory vault), or undefined (a blob vault). */
function orderedReads(locs: readonly WireLoc[]): OrderedReads | undefined {
  return init.blob ? undefined : openOrderedReads(locs.map((l) => ({ file: packFile(l.pack), offset: l.offset, length: l.length })));
}

/**
 * Reads, decrypts and decompresses one chunk. `checkId` re-computes its keyed id from the
 * plaintext (verify); a restore instead checks the whole block it builds against the block map
 * (see restore).
 */
async function readChunk(reads: OrderedReads | undefined, id: Buffer, loc: WireLoc, checkId = true): Promise<Buffer> {
  const rec = await readRecord(reads, id, loc);
  if (rec.length !== loc.length) throw corrupt(id.toString("hex"), "pack is truncated");
  let opened: { codec: number; data: Buffer };
  try {
    opened = openChunk(keys.enc, id, rec);
  } catch {
    throw corrupt(id.toString("hex"), "decryption failed: bytes were altered");
  }
  let plain: Buffer;
  try {
    plain = decompressBlock(opened.codec, opened.data, loc.rawLength);
  } catch {
    throw corrupt(id.toString("hex"), "cannot decompress");
  }
  if (plain.length !== loc.rawLength || (checkId && !hmac(keys.chunkId, plain).equals(id))) throw corrupt(id.toString("hex"), "content does not match its id");
  return plain;
}

/** A delta entry's block: its base chunk with the delta's grains written over it (the block is checked by the caller). */
async function readDeltaBlock(reads: OrderedReads | undefined, e: BlockEntry, locOf: (id: Buffer) => WireLoc): Promise<Buffer> {
  const base = e.base!;
  const block = await readChunk(reads, base, locOf(base), false);
  const delta = await readChunk(reads, e.id, locOf(e.id), false);
  try {
    if (!deltaBase(delta).equals(base)) throw new Error("it names another base chunk than the block map");
    return applyDelta(delta, block);
  } catch (err) {
    throw corrupt(e.id.toString("hex"), err instanceof Error ? err.message : String(err));
  }
}

async function restore(t: RestoreTask): Promise<RestoreTaskResult> {
  hasher ??= await createFastHasher();
  const fast = hasher;
  let page: BlockPage;
  try {
    page = await loadPage(t.map);
  } catch (e) {
    throw new EngineError(ErrorCodes.BLOCK_MAP_DAMAGED, `block map ${t.map} is damaged or missing (${e instanceof Error ? e.message : String(e)})`);
  }
  const dataIdx: number[] = [];
  page.entries.forEach((e, i) => e.kind !== HOLE && dataIdx.push(i));
  const wanted = [...new Set(dataIdx.flatMap((i) => entryChunks(page.entries[i]).map((id) => id.toString("hex"))))];
  const found = await request<(WireLoc | null)[]>("locate", wanted);
  const locs = new Map(wanted.map((id, k) => [id, found[k]]));
  const locOf = (id: Buffer): WireLoc => {
    const loc = locs.get(id.toString("hex"));
    if (!loc) throw new EngineError(ErrorCodes.CHUNK_MISSING, `chunk ${id.toString("hex").slice(0, 16)}… is not in the vault's index`);
    return loc;
  };
  // The records in the order the loop below reads them (a delta's base, then the delta); up to
  // the first chunk the index lacks, where the loop stops with its error.
  const order: WireLoc[] = [];
  try {
    for (const i of dataIdx) {
      const e = page.entries[i];
      if (e.kind === DELTA) order.push(locOf(e.base!)); // readDeltaBlock reads the base first
      order.push(locOf(e.id));
    }
  } catch {
    // reported by the loop when it reaches that block
  }
  const reads = orderedReads(order);
  const out = openTargetWriter(t.file, blockSize);
  let written = 0;
  let sinceProgress = 0;
  try {
    for (let k = 0; k < dataIdx.length; k++) {
      const i = dataIdx[k];
      const e = page.entries[i];
      const plain = e.kind === DELTA ? await readDeltaBlock(reads, e, locOf) : await readChunk(reads, e.id, locOf(e.id), false);
      const block = page.firstBlock + i;
      if (plain.length !== blockLen(t.imageBytes, block)) throw corrupt(e.id.toString("hex"), "wrong length for its block");
      // End to end: the block as built (decrypted, decompressed, a delta applied) must hash as
      // the backup hashed it when it read the image. Each record's authenticity and its binding
      // to its chunk id are GCM's (the id is the AAD), so the keyed id is not computed again
      // here (verify --read-data does): this hash costs less than half of that one.
      if (!matchesEntry(fast, e, plain, isAllZero)) {
        throw new EngineError(ErrorCodes.CHUNK_CORRUPT, `block ${block} (offset ${block * blockSize}) does not match the hash the backup took of it: chunk ${e.id.toString("hex").slice(0, 16)}…${e.kind === DELTA ? " over its base" : ""} or the block map is damaged`);
      }
      // Holes are never written: the file was sized up front, so they stay sparse.
      await out.write(plain, block * blockSize);
      written += plain.length;
      sinceProgress += plain.length;
      if (sinceProgress >= BATCH_BYTES) {
        post({ type: "progress", key: t.key, bytes: sinceProgress });
        sinceProgress = 0;
        collect();
      }
    }
    await out.close();
  } finally {
    await out.close().catch(() => undefined); // after an error: the error thrown is the first one
    reads?.close();
  }
  const pageBytes = page.entries.reduce((s, _e, i) => s + blockLen(t.imageBytes, page.firstBlock + i), 0);
  post({ type: "progress", key: t.key, bytes: pageBytes - (written - sinceProgress) });
  return { bytesWritten: written };
}

async function verifyPack(t: VerifyPackTask): Promise<VerifyPackResult> {
  const bad: { id: string; problem: string }[] = [];
  const chunks = [...t.chunks].sort((a, b) => a.offset - b.offset);
  const reads = orderedReads(chunks);
  let bytes = 0;
  try {
    for (const c of chunks) {
      try {
        await readChunk(reads, Buffer.from(c.id, "hex"), c);
      } catch (e) {
        bad.push({ id: c.id, problem: e instanceof Error ? e.message : String(e) });
        if (e instanceof EngineError && e.code === ErrorCodes.CHUNK_MISSING) {
          for (const rest of t.chunks) if (rest.id !== c.id) bad.push({ id: rest.id, problem: e.message });
          break;
        }
      }
      bytes += c.length;
      post({ type: "progress", key: t.key, bytes: c.length });
    }
  } finally {
    reads?.close();
  }
  return { bad, bytes };
}

port.on("message", (m: ToWorker) => {
  if (m.type === "reply") {
    const r = waiting.get(m.reqId);
    waiting.delete(m.reqId);
    r?.(m.result);
    return;
  }
  if (m.type === "finish") {
    packs
      .flush()
      .then(() => storage.syncPending())
      .then(
      () => post({ type: "finished" }),
      (e: unknown) => post({ type: "error", error: serializeError(e) }),
    );
    return;
  }
  const t = m.task;
  const run = t.type === "backup" ? backup(t) : t.type === "restore" ? restore(t) : verifyPack(t);
  run.then(
    (result) => {
      gc({ type: "major" }); // after each 256 MiB page: the page's map and leftovers
      post({ type: "done", result });
    },
    (e: unknown) => post({ type: "error", error: serializeError(e) }),
  );
});
post({ type: "ready" });


