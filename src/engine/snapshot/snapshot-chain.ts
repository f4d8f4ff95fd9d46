// Incremental instant-restore snapshots (docs/vault-format.md, "Instant-restore snapshots"): a
// raw disk's snapshot is either a full sparse copy, or a *delta* — only the 64 KiB grains that
// changed since its parent snapshot (the previous point's), written sparse at their image
// offsets, with a bitmap of which grains it holds. Every snapshot also keeps the grain
// checksums of its whole image (`sums`), which the next backup compares with to write its delta.
// Reading a point's image assembles its chain: the oldest full copy, then each delta's grains.
// Expiring a snapshot merges it into its child (mergeIntoChild), so space stays image + churn.
import fs from "node:fs";
import path from "node:path";
import { errnoCode } from "../errors.js";
import { readFully, readFullyAsync } from "../image/image-reader.js";
import { DIRECT_ALIGN, alignedOffset, directIoAllowed, probeAlignment } from "../image/direct-file.js";
import type { SnapshotDiskRecord, SnapshotRecord, StoredSnapshot } from "./snapshots.js";
import { fsyncDirSync } from "../vault/storage.js";

/** Granularity of snapshot deltas: a changed grain is stored whole. */
export const GRAIN = 64 * 1024;
/** Bytes of one grain checksum (the first 8 bytes of its xxh3-128). */
export const SUM_BYTES = 8;

export const grainsOf = (bytes: number) => Math.ceil(bytes / GRAIN);

/** Workers can write a disk's snapshot when blocks are whole grains and each page whole bytes of the grain bitmap. */
export const onGrainGrid = (blockSize: number, pageBlocks: number) => blockSize % GRAIN === 0 && (blockSize * pageBlocks) % (8 * GRAIN) === 0;

/** One file of a chain and the grains it holds (undefined set: all — the full copy). */
interface ChainPart {
  file: string;
  set?: string;
}

export class ChainError extends Error {}

/** The parts of a disk's image in snapshot `snap`, oldest first: a full copy, then deltas. */
export function resolveChain(snaps: readonly StoredSnapshot[], snap: StoredSnapshot & { record: SnapshotRecord }, disk: string): ChainPart[] {
  const byPoint = new Map(snaps.map((s) => [s.point, s]));
  const parts: ChainPart[] = [];
  let cur: StoredSnapshot = snap;
  for (let hops = 0; ; hops++) {
    const rec = cur.record?.disks.find((d) => d.name === disk);
    if (!rec) throw new ChainError(`its chain breaks at the snapshot of point ${cur.point}, which has no copy of the disk`);
    if (rec.method !== "delta") {
      parts.unshift(...(rec.overlays ?? []).map((o) => ({ file: path.join(cur.dir, o.file), set: path.join(cur.dir, o.set) })));
      parts.unshift({ file: path.join(cur.dir, rec.file) });
      return parts;
    }
    parts.unshift({ file: path.join(cur.dir, rec.file), set: path.join(cur.dir, rec.set ?? "") });
    const parent = rec.parent ? byPoint.get(rec.parent) : undefined;
    if (!parent?.record || parent.record.vaultId !== snap.record.vaultId || hops > 10000) throw new ChainError(`needs the snapshot of point ${rec.parent ?? "?"}, which is gone or unreadable`);
    cur = parent;
  }
}

export function readBitmap(file: string, grains: number): Buffer {
  const b = fs.readFileSync(file);
  if (b.length < Math.ceil(grains / 8)) throw new ChainError(`its grain map ${file} is short`);
  return b;
}

export const bitSet = (b: Buffer, g: number) => (b[g >> 3] & (1 << (g & 7))) !== 0;

/** Reads a disk's image at a point through its chain; files are opened up front (a concurrent expiry may unlink them). */
export interface ChainReader {
  size: number;
  /**
   * `count` buffers of `bytes` for `read`: aligned for O_DIRECT when the chain's files are read
   * past the page cache (as a restore reads them: once, and not worth the machine's cache).
   */
  buffers(count: number, bytes: number): Buffer[];
  /** Reads on the thread pool, so the next blocks are read while one is checked and written. */
  read(buf: Buffer, len: number, at: number): Promise<number>;
  close(): void;
}

/**
 * Opens a chain's files; `direct` also opens each for O_DIRECT reads (where the file system
 * takes them), used for whole-sector pieces into the reader's own aligned buffers.
 */
export function openChain(parts: readonly ChainPart[], size: number, direct = false): ChainReader {
  const grains = grainsOf(size);
  const fds: number[] = [];
  try {
    for (const p of parts) fds.push(fs.openSync(p.file, "r"));
  } catch (e) {
    for (const fd of fds) fs.closeSync(fd);
    throw new ChainError(`cannot open ${errnoCode(e) === "ENOENT" ? "a missing file" : "a file"} of its chain (${String(e)})`);
  }
  // owner[g]: the newest part holding grain g (0 = the full copy).
  const owner = new Uint16Array(grains);
  for (let i = 1; i < parts.length; i++) {
    const bits = readBitmap(parts[i].set ?? "", grains);
    for (let g = 0; g < grains; g++) if (bitSet(bits, g)) owner[g] = i;
  }
  /** The run of grains from `pos` held by one part: [part, end). */
  const run = (pos: number, at: number, len: number): [number, number] => {
    const g = Math.floor(pos / GRAIN);
    const o = owner[g];
    let end = Math.min(at + len, (g + 1) * GRAIN);
    for (let h = g + 1; end < at + len && owner[h] === o; h++) end = Math.min(at + len, (h + 1) * GRAIN);
    return [o, end];
  };
  /** Per part: its O_DIRECT descriptor, once `buffers` has given out aligned ones; undefined: buffered. */
  const directFds: (number | undefined)[] = [];
  /** The memory `buffers` gave out, and the offset into it the device takes for O_DIRECT (undefined: buffered reads). */
  let slabMemory: ArrayBufferLike | undefined;
  let alignedAt: number | undefined;
  return {
    size,
    buffers(count, bytes) {
      if (!direct || !directIoAllowed() || bytes % DIRECT_ALIGN !== 0 || directFds.length) return Array.from({ length: count }, () => Buffer.alloc(bytes));
      const slab = Buffer.allocUnsafeSlow(count * bytes + DIRECT_ALIGN);
      for (const p of parts) {
        try {
          directFds.push(fs.openSync(p.file, fs.constants.O_RDONLY | fs.constants.O_DIRECT));
        } catch {
          directFds.push(undefined);
        }
      }
      // The address the device takes: a probe write beside the chain (a read of the full copy
      // where that folder is not writable; over a hole the kernel may not check the address, and
      // a wrong guess shows as EINVAL on a later read: the chain is then read buffered).
      const probe = directFds[0];
      alignedAt = probe === undefined ? undefined : (probeAlignment(path.dirname(parts[0].file), slab) ?? alignedOffset((k) => fs.readSync(probe, slab, k, DIRECT_ALIGN, 0)));
      const off = alignedAt ?? 0;
      // Zeroed, as Buffer.alloc's: a short read leaves no stale bytes behind.
      slab.fill(0);
      slabMemory = slab.buffer;
      return Array.from({ length: count }, (_, i) => slab.subarray(off + i * bytes, off + (i + 1) * bytes));
    },
    async read(buf, len, at) {
      const alignedBuf = alignedAt !== undefined && buf.buffer === slabMemory && (buf.byteOffset - alignedAt) % DIRECT_ALIGN === 0;
      let done = 0;
      while (done < len) {
        const pos = at + done;
        const [o, end] = run(pos, at, len);
        const piece = end - pos;
        const dfd = alignedBuf && pos % DIRECT_ALIGN === 0 && piece % DIRECT_ALIGN === 0 ? directFds[o] : undefined;
        let n: number;
        try {
          n = await readFullyAsync(dfd ?? fds[o], buf.subarray(done), piece, pos);
        } catch (e) {
          if (dfd === undefined || errnoCode(e) !== "EINVAL") throw e;
          alignedAt = undefined; // the kernel refused a direct read: the chain is read buffered from now on
          n = await readFullyAsync(fds[o], buf.subarray(done), piece, pos);
        }
        // A delta file is sized as the image (holes read as zeros); short only if truncated.
        if (n !== piece) return done + n;
        done += n;
      }
      return done;
    },
    close() {
      for (const fd of [...fds, ...directFds]) if (fd !== undefined) fs.closeSync(fd);
    },
  };
}

/** Copies the grains of `src` marked in `bits` (and not excluded) into `dst` at the same offsets; returns bytes copied. */
function copyGrains(src: string, dst: string, bits: Buffer, grains: number, size: number, skip?: Buffer): number {
  const from = fs.openSync(src, "r");
  const to = fs.openSync(dst, "r+");
  const buf = Buffer.allocUnsafe(GRAIN);
  let copied = 0;
  try {
    for (let g = 0; g < grains; g++) {
      if (!bitSet(bits, g) || (skip && bitSet(skip, g))) continue;
      const at = g * GRAIN;
      const len = Math.min(GRAIN, size - at);
      if (readFully(from, buf, len, at) !== len) throw new ChainError(`${src} is short`);
      let off = 0;
      while (off < len) off += fs.writeSync(to, buf, off, len - off, at + off);
      copied += len;
    }
    fs.fsyncSync(to);
  } finally {
    fs.closeSync(from);
    fs.closeSync(to);
  }
  return copied;
}

/** Writes a file durably under its final name (temporary name, fsync, rename, fsync of the folder). */
export function writeDurable(file: string, data: Uint8Array, mode = 0o400): void {
  const tmp = `${file}.new`;
  fs.rmSync(tmp, { force: true });
  const fd = fs.openSync(tmp, "w", mode);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDirSync(path.dirname(file));
}

export function writeRecord(dir: string, rec: SnapshotRecord): void {
  writeDurable(path.join(dir, "snapshot.json"), Buffer.from(JSON.stringify(rec, undefined, 2) + "\n"));
}

/** Links `src` as `dst` (replacing a leftover of an interrupted merge). */
function relink(src: string, dst: string): void {
  fs.rmSync(dst, { force: true });
  fs.linkSync(src, dst);
}

function writable<T>(file: string, f: () => T): T {
  fs.chmodSync(file, 0o600);
  try {
    return f();
  } finally {
    fs.chmodSync(file, 0o400);
  }
}

/**
 * Makes `child` (whose disks may be deltas on `parent`) independent of `parent`, which is about
 * to be deleted. Crash-safe at every step: files are patched only where the record in force
 * ignores them, and each record is replaced atomically.
 * - parent's disk a delta: the parent's grains the child lacks are copied into the child's delta
 *   file, then the record names the grandparent and the union of both grain maps.
 * - parent's disk a full copy: it is hard-linked into the child's folder and the record makes the
 *   child "that full copy + its own delta as an overlay"; normalize() later folds the overlay in.
 */
export function mergeIntoChild(parent: StoredSnapshot & { record: SnapshotRecord }, child: StoredSnapshot & { record: SnapshotRecord }): void {
  const rec: SnapshotRecord = JSON.parse(JSON.stringify(child.record)) as SnapshotRecord;
  let changed = false;
  for (const d of rec.disks) {
    if (d.method !== "delta" || d.parent !== parent.point) continue;
    const p = parent.record.disks.find((x) => x.name === d.name);
    if (!p) continue; // the chain was already broken: the child cannot be read either way
    changed = true;
    const size = d.bytes;
    const grains = grainsOf(size);
    if (p.method === "delta") {
      const mine = readBitmap(path.join(child.dir, d.set ?? ""), grains);
      const theirs = readBitmap(path.join(parent.dir, p.set ?? ""), grains);
      const file = path.join(child.dir, d.file);
      writable(file, () => copyGrains(path.join(parent.dir, p.file), file, theirs, grains, size, mine));
      const union = Buffer.alloc(mine.length);
      for (let i = 0; i < union.length; i++) union[i] = mine[i] | (theirs[i] ?? 0);
      const setName = `${d.file}.${p.parent ?? "base"}.set`;
      writeDurable(path.join(child.dir, setName), union);
      d.set = setName;
      d.parent = p.parent;
    } else {
      const base = `${d.file}.base`;
      relink(path.join(parent.dir, p.file), path.join(child.dir, base));
      const overlays = (p.overlays ?? []).map((o, i) => {
        const f = `${d.file}.ov${i}`;
        relink(path.join(parent.dir, o.file), path.join(child.dir, f));
        relink(path.join(parent.dir, o.set), path.join(child.dir, `${f}.set`));
        return { file: f, set: `${f}.set` };
      });
      fsyncDirSync(child.dir);
      const own = { file: d.file, set: d.set ?? "" };
      d.method = p.method === "reflink" ? "reflink" : "sparse-copy";
      d.file = base;
      d.overlays = [...overlays, own];
      delete d.parent;
      delete d.set;
    }
  }
  if (changed) {
    writeRecord(child.dir, rec);
    child.record = rec;
  }
}

/**
 * Folds a snapshot's overlays into its full copy when no other snapshot shares that file (link
 * count 1): the copy is patched with each overlay in order (repeating this after a crash gives
 * the same bytes), then the record drops the overlays, then their files go. Returns whether the
 * record changed.
 */
export function normalize(s: StoredSnapshot & { record: SnapshotRecord }): boolean {
  const rec: SnapshotRecord = JSON.parse(JSON.stringify(s.record)) as SnapshotRecord;
  const drop: string[] = [];
  for (const d of rec.disks) {
    if (!d.overlays?.length) continue;
    const file = path.join(s.dir, d.file);
    if (fs.statSync(file).nlink !== 1) continue;
    const grains = grainsOf(d.bytes);
    writable(file, () => {
      for (const o of d.overlays ?? []) copyGrains(path.join(s.dir, o.file), file, readBitmap(path.join(s.dir, o.set), grains), grains, d.bytes);
    });
    for (const o of d.overlays) drop.push(o.file, o.set);
    delete d.overlays;
  }
  if (!drop.length) return false;
  writeRecord(s.dir, rec);
  s.record = rec;
  for (const f of drop) fs.rmSync(path.join(s.dir, f), { force: true });
  return true;
}

/** Every file a snapshot's record names (for space totals: each inode is counted once). */
export function recordFiles(dir: string, d: SnapshotDiskRecord): string[] {
  const names = [d.file, d.sums, d.set, ...(d.overlays ?? []).flatMap((o) => [o.file, o.set])];
  return names.filter((n): n is string => !!n).map((n) => path.join(dir, n));
}
