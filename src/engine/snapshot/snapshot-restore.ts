// Restoring from the instant-restore snapshot tier (DOMAIN §4, DESIGN "Snapshot tier"): a disk
// of a point whose snapshot is live is copied from the snapshot file (a reflink where the file
// system has one, else a sparse copy) — no pack of the vault is read. The copy is then checked
// block by block against the point's block maps (xxh3-128 of every block, holes all zero; a VHD
// by its virtual disk and its footer), so a damaged or edited snapshot is never restored as if
// it were the point. Only the point's manifest and block maps are read from the vault.
import fs from "node:fs";
import path from "node:path";
import { EngineError, ErrorCodes, describe } from "../errors.js";
import type { OpenVault } from "../vault/vault.js";
import type { Manifest, ManifestDisk } from "../vault/manifest.js";
import { openObject } from "../vault/crypto.js";
import { HOLE, decodePage, pageObjectName } from "../vault/block-index.js";
import { matchesEntry } from "../vault/delta.js";
import { createFastHasher } from "../image/fast-hash.js";
import { isAllZero, readFully } from "../image/image-reader.js";
import { openTargetWriter } from "../image/block-writer.js";
import type { BlockWriter } from "../image/block-writer.js";
import { VhdError, detectVhd, readVirtual } from "../image/vhd.js";
import type { VhdLayout } from "../image/vhd.js";
import { cloneFile, listSnapshots, snapshotProblem } from "./snapshots.js";
import { ChainError, openChain, resolveChain } from "./snapshot-chain.js";
import type { ChainReader } from "./snapshot-chain.js";
import type { SnapshotDiskRecord, SnapshotRecord, StoredSnapshot } from "./snapshots.js";
import type { SnapshotTier } from "../types.js";

export type LiveSnapshot = StoredSnapshot & { record: SnapshotRecord };

/** The point's snapshot when it is live at `now` (exists, readable, this vault's, not expired); else why not. */
export function liveSnapshotOf(v: OpenVault, m: Manifest, tier: SnapshotTier | undefined, now: Date): { snapshot?: LiveSnapshot; problem?: string } {
  const found = listSnapshots(v.def.path, m.vm).find((s) => s.point === m.id);
  const problem = snapshotProblem(found, m.id, v.config.id, tier, now);
  if (problem || !found?.record) return { problem: problem ?? `the instant-restore snapshot of point ${m.id} is gone` };
  return { snapshot: { ...found, record: found.record } };
}

/** The newest point (of `ms`, oldest first) still in the snapshot tier. */
export function newestInstantPoint(v: OpenVault, ms: readonly Manifest[], tier: SnapshotTier | undefined, now: Date): Manifest | undefined {
  for (let i = ms.length - 1; i >= 0; i--) if (liveSnapshotOf(v, ms[i], tier, now).snapshot) return ms[i];
  return undefined;
}

/**
 * BKP5071: a snapshot file does not match its point. `offset` is the disk byte offset of the
 * first block that differs (or is short), when the bytes rather than the file's layout differ —
 * verify reports it per disk.
 */
export class SnapshotDamagedError extends EngineError {
  readonly offset?: number;
  constructor(message: string, offset?: number) {
    super(ErrorCodes.SNAPSHOT_DAMAGED, message);
    this.name = "SnapshotDamagedError";
    if (offset !== undefined) this.offset = offset;
  }
}

function damaged(m: Manifest, d: Pick<ManifestDisk, "name">, why: string, offset?: number): SnapshotDamagedError {
  return new SnapshotDamagedError(`the instant-restore snapshot of disk "${d.name}" of point ${m.id} ${why}`, offset);
}

/**
 * Why a snapshot's file of a disk cannot be used without reading it (missing, or not the size
 * that was copied); undefined when it looks whole. Shared by restore and verify.
 */
export function snapshotFileProblem(dir: string, rec: SnapshotDiskRecord): string | undefined {
  const file = path.join(dir, rec.file);
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) return `is missing its file ${file}`;
  if (st.size !== rec.bytes) return `has a file of ${st.size} bytes where ${rec.bytes} were copied (${file})`;
  return undefined;
}

/**
 * Copies disk `d` of point `m` from its snapshot into `partial` and checks it against the
 * point's block maps. Returns the bytes of data blocks (holes excluded). Throws BKP5071 when the
 * snapshot's file is missing or does not match the point; the caller removes `partial`.
 */
export async function restoreDiskFromSnapshot(
  v: OpenVault,
  m: Manifest,
  snap: LiveSnapshot,
  d: ManifestDisk,
  partial: string,
  onBytes: (n: number) => void,
): Promise<number> {
  const rec = snap.record.disks.find((x) => x.name === d.name);
  if (!rec) {
    const why = snap.record.skipped.find((x) => x.disk === d.name)?.reason;
    throw new EngineError(ErrorCodes.SNAPSHOT_NONE, `the instant-restore snapshot of point ${m.id} has no copy of disk "${d.name}"${why ? ` (${why})` : ""}`);
  }
  const problem = snapshotFileProblem(snap.dir, rec);
  if (problem) throw damaged(m, d, problem);
  // A raw disk's copy, delta or merged chain: assembled, checked and written in one pass.
  if (!d.vhd && !(rec.method === "reflink" && !rec.overlays?.length) && rec.method !== "link") {
    const src = chainSource(v, m, snap, d, rec);
    let out: BlockWriter | undefined;
    try {
      // Past the page cache where the file system allows it (direct-file.ts says why); 8 blocks
      // in flight, as this thread also reads the chain.
      const w = (out = openTargetWriter(partial, m.blockSize, { slots: 8, size: d.imageBytes }));
      const n = await checkAgainstPoint(v, m, d, src, onBytes, (data, at) => w.put(data, at));
      await w.close();
      return n;
    } finally {
      await out?.close().catch(() => undefined); // after an error: the first error is the one thrown
      src.close();
    }
  }
  const file = path.join(snap.dir, rec.file);
  try {
    await cloneFile(file, partial);
  } catch (e) {
    throw damaged(m, d, `cannot be read (${describe(e)})`);
  }
  return checkAgainstPoint(v, m, d, partial, onBytes);
}

/**
 * Disk `d`'s image in snapshot `snap` as a reader: the full copy, then the deltas of its chain
 * (snapshot-chain.ts). Throws BKP5071 when a part of the chain is gone or unreadable.
 */
export function chainSource(v: OpenVault, m: Manifest, snap: LiveSnapshot, d: Pick<ManifestDisk, "name">, rec: SnapshotDiskRecord): ChainReader {
  try {
    // Past the page cache: a restore or a verify reads the chain once.
    return openChain(resolveChain(rec.method === "delta" ? listSnapshots(v.def.path, m.vm) : [], snap, rec.name), rec.bytes, true);
  } catch (e) {
    if (e instanceof ChainError) throw damaged(m, d, e.message);
    throw e;
  }
}

/** Blocks a snapshot restore reads ahead of the one it checks and writes. */
const READ_AHEAD = 4;

/**
 * Reads `file` as disk `d` of point `m` and compares every block with the point's block maps
 * (the one implementation: restore checks its copy of a snapshot file, `verify --read-data` the
 * snapshot file itself). Returns the bytes of data blocks (holes excluded). Throws
 * SnapshotDamagedError (BKP5071) at the first mismatch, with its offset when a block differs;
 * BKP5053 when a block map cannot be read (vault damage, not the snapshot's).
 */
export async function checkAgainstPoint(
  v: OpenVault,
  m: Manifest,
  d: ManifestDisk,
  src: string | ChainReader,
  onBytes: (n: number) => void,
  sink?: (data: Buffer, at: number) => void,
): Promise<number> {
  const fast = await createFastHasher();
  const reader = typeof src === "string" ? undefined : src;
  const fd = typeof src === "string" ? fs.openSync(src, "r") : -1;
  try {
    const size = reader ? reader.size : fs.fstatSync(fd).size;
    let vhd: VhdLayout | undefined;
    if (d.vhd && !reader) {
      try {
        vhd = detectVhd(fd, size);
      } catch (e) {
        if (e instanceof VhdError) throw damaged(m, d, `is not a readable VHD (${e.message})`);
        throw e;
      }
      if (!vhd || vhd.kind !== d.vhd.kind || vhd.virtualSize !== d.imageBytes) throw damaged(m, d, `is not the ${d.vhd.kind} VHD of ${d.imageBytes} virtual bytes the point holds`);
      const footer = Buffer.alloc(512);
      if (readFully(fd, footer, 512, size - 512) !== 512 || !footer.equals(Buffer.from(d.vhd.footer, "base64"))) throw damaged(m, d, "has a VHD footer other than the point's");
    } else if (size !== d.imageBytes) {
      throw damaged(m, d, `is ${size} bytes where the point's image is ${d.imageBytes}`);
    }
    const bs = m.blockSize;
    // Reads run ahead of the check and the write (a chain on the thread pool, READ_AHEAD blocks;
    // a VHD or a single file as before), one buffer per block in flight and one in hand.
    const bufs = reader ? reader.buffers(READ_AHEAD + 1, bs) : [Buffer.alloc(bs)];
    let dataBytes = 0;
    for (let page = 0; page < d.maps.length; page++) {
      const name = d.maps[page];
      let entries: ReturnType<typeof decodePage>["entries"];
      try {
        const plain = openObject(v.keys.enc, name, await v.storage.get(name));
        if (pageObjectName(v.keys.mapId, plain) !== name) throw new Error("content does not match its name");
        const p = decodePage(plain);
        if (p.blockSize !== bs || p.firstBlock !== page * m.pageBlocks) throw new Error("the page describes other blocks");
        entries = p.entries;
      } catch (e) {
        throw new EngineError(ErrorCodes.BLOCK_MAP_DAMAGED, `block map ${name} of point ${m.id} cannot be read (${describe(e)}), so disk "${d.name}" cannot be checked; run \`bkp verify\``);
      }
      const atOf = (k: number) => (page * m.pageBlocks + k) * bs;
      const lenOf = (k: number) => Math.min(bs, d.imageBytes - atOf(k));
      // A restore (sink) leaves holes unwritten: they are zeros by construction, whatever the snapshot holds there.
      const toRead: number[] = [];
      for (let k = 0; k < entries.length; k++) {
        if (sink && entries[k].kind === HOLE) onBytes(lenOf(k));
        else toRead.push(k);
      }
      const ahead = new Map<number, Promise<number>>();
      const start = (r: number): void => {
        if (!reader || r >= toRead.length || ahead.has(r)) return;
        const k = toRead[r];
        const p = reader.read(bufs[r % bufs.length].subarray(0, lenOf(k)), lenOf(k), atOf(k));
        p.catch(() => undefined); // observed when its block's turn comes
        ahead.set(r, p);
      };
      try {
        for (let r = 0; r < toRead.length; r++) {
          for (let a = r + 1; a <= r + READ_AHEAD; a++) start(a);
          const k = toRead[r];
          const at = atOf(k);
          const len = lenOf(k);
          const data = bufs[r % bufs.length].subarray(0, len);
          const e = entries[k];
          let got: number;
          if (vhd) {
            readVirtual(fd, vhd, data, len, at); // an unallocated VHD block reads as zeros
            got = len;
          } else if (reader) got = await (ahead.get(r) ?? reader.read(data, len, at));
          else got = readFully(fd, data, len, at);
          ahead.delete(r);
          if (got !== len) throw damaged(m, d, `is short: it ends before byte ${at + len} of the disk`, at);
          const ok = e.kind === HOLE ? isAllZero(data) : matchesEntry(fast, e, data, isAllZero);
          if (!ok) throw damaged(m, d, `differs from the point in the block at byte ${at} of the disk (checksum mismatch): it was changed or damaged after the backup`, at);
          if (e.kind !== HOLE) {
            dataBytes += len;
            sink?.(data, at);
          }
          onBytes(len);
        }
      } finally {
        await Promise.allSettled(ahead.values()); // nothing in flight on the chain's files when they close
      }
    }
    return dataBytes;
  } finally {
    if (!reader) fs.closeSync(fd);
  }
}
