// The instant-restore snapshot tier (DESIGN "Snapshot tier"; DOMAIN §4, §6, §7): each backup
// keeps a point-in-time copy of the VM's images beside the vault for the policy's
// `instant-restore` days. Restores of a point in the tier copy from it instead of the vault
// (snapshot-restore.ts); while the previous point's snapshot exists a backup may skip an
// unchanged image, and without it the backup finds changes by checksum comparison.
//
// Layout (docs/vault-format.md, "Instant-restore snapshots"):
//   <vault>.snapshots/<vm>/<point id>/snapshot.json   the record, written before the folder is committed
//   <vault>.snapshots/<vm>/<point id>/<disk><ext>      plain copies of the images (mode 0400)
//   <vault>.snapshots/<vm>/<point id>.tmp-PID-RAND/    a snapshot being written or deleted
// A snapshot folder is committed (renamed from its temporary name) only after its point's
// manifest is committed, so a killed backup leaves a temporary folder that nothing reads and the
// next lock holder removes; a committed snapshot always belongs to a committed point.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { DateTime } from "../../utils/luxon.js";
import { pointFates } from "../../plan/retention.js";
import { EngineError, ErrorCodes, describe, errnoCode } from "../errors.js";
import { isAllZero, sameFile, statImage } from "../image/image-reader.js";
import { linkable } from "./snapshot-link-check.js";
import type { SourceStat } from "../vault/manifest.js";
import { fsyncDir } from "../vault/storage.js";
import { GRAIN, SUM_BYTES, grainsOf, mergeIntoChild, normalize, recordFiles, writeRecord } from "./snapshot-chain.js";
import type { SnapshotTarget } from "../workers/protocol.js";
import type { BackupOptions, EngineVault, EngineVm, SnapshotMethod, SnapshotReport, SnapshotTier } from "../types.js";

export const SNAPSHOT_RECORD = "snapshot.json";
const TMP_MARK = ".tmp-";
const COPY_BUFFER = 4 * 1024 * 1024;

export interface SnapshotDiskRecord {
  name: string;
  /** File name inside the snapshot folder. */
  file: string;
  /** Size of the file (a VHD's file size, not its virtual size). */
  bytes: number;
  /** The image's identity when it was read for the point (the manifest's `source`). */
  source: SourceStat;
  method: SnapshotMethod;
  linkedFrom?: string;
  /** Grain checksums of the whole image at this point (snapshot-chain.ts): the next backup's delta is against them. */
  sums?: string;
  /** method "delta": the point whose snapshot this one applies on, and the bitmap of the grains `file` holds. */
  parent?: string;
  set?: string;
  /** Deltas over the full copy `file`, oldest first: left by an expiry that merged a parent in, until folded in. */
  overlays?: { file: string; set: string }[];
}

export interface SnapshotRecord {
  format: "bkp-snapshot";
  /** 2 when a disk is a delta or has overlays (version-1 readers must not take a delta for an image). */
  version: 1 | 2;
  vault: string;
  /** The vault's config id: a snapshot folder left by another vault at this path is never used. */
  vaultId: string;
  vm: string;
  point: string;
  createdAt: string;
  instantRestoreDays: number;
  zone: string;
  /** The expiry by the policy when the snapshot was taken; readers given the current policy recompute it. */
  expiresAt: string;
  disks: SnapshotDiskRecord[];
  skipped: { disk: string; reason: string }[];
}

export interface StoredSnapshot {
  point: string;
  dir: string;
  record?: SnapshotRecord;
  problem?: string;
}

/** The folder that holds a vault's snapshots: beside the vault, not in it (plain copies, like Azure's snapshots in the customer's own subscription). */
export function snapshotRoot(vaultPath: string): string {
  return path.join(path.dirname(vaultPath), `${path.basename(vaultPath)}.snapshots`);
}

/** A name as a file name: letters, digits, '-' and '_' kept, every other byte %XX (injective, never "." or ".."). */
export function safeName(name: string): string {
  let out = "";
  for (const b of Buffer.from(name, "utf8")) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function vmSnapshotDir(vaultPath: string, vm: string): string {
  return path.join(snapshotRoot(vaultPath), safeName(vm));
}

/** The tier a backup uses: the option, else the model VM's policy, else none (DOMAIN §7: instant restore is a policy setting). */
export function snapshotTierOf(vm: EngineVm, opts: Pick<BackupOptions, "instantRestore">): SnapshotTier | undefined {
  if (opts.instantRestore === false) return undefined;
  if (opts.instantRestore) return opts.instantRestore;
  const p = vm.model?.policy;
  return p ? { days: p.instantRestoreDays, zone: p.zone } : undefined;
}

/** When a snapshot taken at `createdAt` expires: the same wall time `days` calendar days later in the zone — retention.ts's rule, so `bkp plan` predicts the same instants. */
export function snapshotExpiry(createdAt: string, tier: SnapshotTier): Date {
  const [f] = pointFates([DateTime.fromISO(createdAt, { zone: tier.zone })], { retention: {}, zone: tier.zone, instantRestoreDays: tier.days });
  return f.snapshotExpires.toJSDate();
}

export function effectiveExpiry(rec: SnapshotRecord, tier: SnapshotTier | undefined): Date {
  return tier ? snapshotExpiry(rec.createdAt, tier) : new Date(rec.expiresAt);
}

/** Why a stored snapshot cannot be used at `now`, or undefined when it is live. */
export function snapshotProblem(s: StoredSnapshot | undefined, point: string, vaultId: string, tier: SnapshotTier | undefined, now: Date): string | undefined {
  if (!s) return `the instant-restore snapshot of point ${point} is gone`;
  if (!s.record) return `the instant-restore snapshot of point ${point} is unreadable (${s.problem ?? "?"})`;
  if (s.record.vaultId !== vaultId) return `the instant-restore snapshot of point ${point} belongs to another vault`;
  const exp = effectiveExpiry(s.record, tier);
  if (exp.getTime() <= now.getTime()) return `the instant-restore snapshot of point ${point} expired at ${exp.toISOString()}`;
  return undefined;
}

function readRecord(dir: string, point: string, vm: string): SnapshotRecord {
  const rec = JSON.parse(fs.readFileSync(path.join(dir, SNAPSHOT_RECORD), "utf8")) as SnapshotRecord;
  if (rec.format !== "bkp-snapshot" || (rec.version !== 1 && rec.version !== 2)) throw new Error(`unsupported snapshot format ${String(rec.format)} v${String(rec.version)}`);
  if (rec.point !== point || rec.vm !== vm) throw new Error("the record names another point or VM");
  if (!Array.isArray(rec.disks)) throw new Error("the record lists no disks");
  return rec;
}

/** The committed snapshots of a VM (temporary folders are skipped), oldest first. */
export function listSnapshots(vaultPath: string, vm: string): StoredSnapshot[] {
  const base = vmSnapshotDir(vaultPath, vm);
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return [];
    throw snapshotIoError(base, e);
  }
  const out: StoredSnapshot[] = [];
  for (const point of names.sort()) {
    if (point.includes(TMP_MARK)) continue;
    const dir = path.join(base, point);
    try {
      if (!fs.statSync(dir).isDirectory()) continue;
      out.push({ point, dir, record: readRecord(dir, point, vm) });
    } catch (e) {
      out.push({ point, dir, problem: describe(e) });
    }
  }
  return out;
}

/** The VM name a folder name stands for (safeName's inverse), or undefined when no safeName gives it. */
export function vmOfFolder(folder: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < folder.length; i++) {
    const hex = folder[i] === "%" ? folder.slice(i + 1, i + 3) : "";
    if (/^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(folder.charCodeAt(i) & 0xff);
    }
  }
  const vm = Buffer.from(bytes).toString("utf8");
  // Round trip: anything safeName could not have written (a stray file, "x.y") is no VM's folder.
  return safeName(vm) === folder ? vm : undefined;
}

export interface SnapshotTierScan {
  /** Per VM folder, its committed snapshots (readable or not). */
  vms: { vm: string; snapshots: StoredSnapshot[] }[];
  /** Temporary folders (`.tmp-`): snapshots being written or deleted, or leftovers of killed runs. */
  temporary: string[];
  /** Entries of the snapshot folder that no backup writes (named as no VM's folder would be). */
  strays: string[];
  /** Folders that cannot be listed (BKP5073), with why: their snapshots are unknown. */
  unreadable: { vm?: string; dir: string; problem: string }[];
}

/** Everything in a vault's snapshot folder, for `bkp verify`; never throws. */
export function scanSnapshotTier(vaultPath: string): SnapshotTierScan {
  const root = snapshotRoot(vaultPath);
  const scan: SnapshotTierScan = { vms: [], temporary: [], strays: [], unreadable: [] };
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch (e) {
    if (errnoCode(e) !== "ENOENT") scan.unreadable.push({ dir: root, problem: snapshotIoError(root, e).message });
    return scan;
  }
  for (const name of names.sort()) {
    const dir = path.join(root, name);
    const vm = vmOfFolder(name);
    if (vm === undefined || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
      scan.strays.push(dir);
      continue;
    }
    try {
      const inside = fs.readdirSync(dir).sort();
      scan.temporary.push(...inside.filter((n) => n.includes(TMP_MARK)).map((n) => path.join(dir, n)));
      scan.vms.push({ vm, snapshots: listSnapshots(vaultPath, vm) });
    } catch (e) {
      scan.unreadable.push({ vm, dir, problem: e instanceof EngineError ? e.message : snapshotIoError(dir, e).message });
    }
  }
  return scan;
}

function snapshotIoError(where: string, e: unknown): EngineError {
  return new EngineError(ErrorCodes.SNAPSHOT_IO, `cannot read the instant-restore snapshot folder ${where}: ${describe(e)}. Check its permissions.`, { cause: e });
}

/** Allocated bytes of files (st_blocks × 512), each inode counted once: hard links share. */
export function allocatedBytes(files: readonly string[]): number {
  const seen = new Set<string>();
  let sum = 0;
  for (const f of files) {
    const st = fs.statSync(f, { throwIfNoEntry: false });
    if (!st) continue;
    const key = `${st.dev}:${st.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sum += st.blocks * 512;
  }
  return sum;
}

export function snapshotFiles(s: StoredSnapshot): string[] {
  return (s.record?.disks ?? []).flatMap((d) => recordFiles(s.dir, d));
}

const NO_REFLINK = new Set(["ENOTSUP", "EOPNOTSUPP", "EXDEV", "EINVAL", "ENOSYS", "ENOTTY", "EBADF", "EPERM"]);

/** Snapshot files are read-only for their owner: a snapshot is a copy of a point, not a disk to use (hard links share one file between points). */
export const SNAPSHOT_FILE_MODE = 0o400;

/**
 * Copies `src` to `dst` (with `mode`): a reflink where the file system has one (the copy shares
 * the extents until either side changes), else a sparse copy — all-zero runs of 64 KiB stay
 * holes (Node's copyFile writes holes out as zeros on file systems without reflinks). The copy
 * is fsynced. Returns how it was made and the bytes written as data.
 */
export async function cloneFile(src: string, dst: string, mode = 0o600): Promise<{ method: "reflink" | "sparse-copy"; dataBytes: number }> {
  try {
    await fsp.copyFile(src, dst, fs.constants.COPYFILE_FICLONE_FORCE);
    await fsp.chmod(dst, mode);
    const fh = await fsp.open(dst, "r");
    try {
      await fh.sync();
      return { method: "reflink", dataBytes: (await fh.stat()).size };
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (!NO_REFLINK.has(errnoCode(e) ?? "")) throw e;
    await fsp.rm(dst, { force: true });
  }
  return { method: "sparse-copy", dataBytes: await sparseCopy(src, dst, mode) };
}

async function sparseCopy(src: string, dst: string, mode: number): Promise<number> {
  const inp = await fsp.open(src, "r");
  let out: fsp.FileHandle | undefined;
  try {
    out = await fsp.open(dst, "w", mode);
    const size = (await inp.stat()).size;
    await out.truncate(size);
    const buf = Buffer.allocUnsafe(COPY_BUFFER);
    let data = 0;
    for (let at = 0; at < size; ) {
      const want = Math.min(buf.length, size - at);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await inp.read(buf, got, want - got, at + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== want) throw new Error(`${src} shrank while it was copied`);
      let run = -1;
      const flush = async (end: number) => {
        if (run < 0 || !out) return;
        let done = run;
        while (done < end) done += (await out.write(buf, done, end - done, at + done)).bytesWritten;
        data += end - run;
        run = -1;
      };
      for (let o = 0; o < want; o += GRAIN) {
        const n = Math.min(GRAIN, want - o);
        if (isAllZero(buf.subarray(o, o + n))) await flush(o);
        else if (run < 0) run = o;
      }
      await flush(want);
      at += want;
    }
    await out.sync();
    return data;
  } finally {
    await inp.close();
    await out?.close();
  }
}

async function mkdirDurable(dir: string): Promise<void> {
  if (fs.existsSync(dir)) return;
  const parent = path.dirname(dir);
  if (parent !== dir) await mkdirDurable(parent);
  try {
    await fsp.mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if (errnoCode(e) !== "EEXIST") throw e;
  }
  await fsyncDir(parent);
}

/** Deletes a snapshot folder: renamed to a temporary name first, so a crash leaves only a leftover. */
export async function deleteSnapshot(s: StoredSnapshot): Promise<void> {
  const tmp = `${s.dir}${TMP_MARK}del-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await fsp.rename(s.dir, tmp);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return;
    throw e;
  }
  await fsyncDir(path.dirname(s.dir));
  await fsp.rm(tmp, { recursive: true, force: true });
}

/** Removes temporary snapshot folders (interrupted writes and deletions); only the vault's lock holder may call it. */
export async function removeSnapshotLeftovers(vaultPath: string): Promise<number> {
  const root = snapshotRoot(vaultPath);
  let removed = 0;
  let vms: string[];
  try {
    vms = fs.readdirSync(root);
  } catch {
    return 0;
  }
  for (const vm of vms) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(root, vm));
    } catch {
      continue;
    }
    for (const n of names) {
      if (!n.includes(TMP_MARK)) continue;
      await fsp.rm(path.join(root, vm, n), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// The backup's side: one session per backup job, holding the vault lock throughout.

export interface SnapshotSession {
  vault: EngineVault;
  vaultId: string;
  vm: string;
  tier: SnapshotTier;
  now: Date;
  /** Ids of the VM's committed points (manifest objects, readable or not). */
  points: Set<string>;
  /** The previous point's snapshot while it is live. */
  base?: StoredSnapshot & { record: SnapshotRecord };
  /** Why the previous point's snapshot cannot be the base (when there is a previous point). */
  baseProblem?: string;
  /** The uncommitted snapshot; `ready` once finishSnapshot wrote its record. */
  pending?: { tmp: string; final: string; record: SnapshotRecord; ready: boolean };
  /** The copy in progress (startSnapshot); never rejects. */
  taking?: Promise<void>;
  skipped: { disk: string; reason: string }[];
  warnings: string[];
}

/**
 * Starts the tier's part of a backup: removes leftovers of killed runs and finds the previous
 * point's snapshot. `prev` is the VM's latest point, `points` the ids of all its points.
 */
export async function openSnapshotSession(
  vault: EngineVault,
  vaultId: string,
  vm: string,
  tier: SnapshotTier,
  now: Date,
  prev: string | undefined,
  points: Iterable<string>,
): Promise<SnapshotSession> {
  const s: SnapshotSession = { vault, vaultId, vm, tier, now, points: new Set(points), skipped: [], warnings: [] };
  try {
    await removeSnapshotLeftovers(vault.path);
    if (prev) {
      const found = listSnapshots(vault.path, vm).find((x) => x.point === prev);
      s.baseProblem = snapshotProblem(found, prev, vaultId, tier, now);
      if (!s.baseProblem && found?.record) s.base = { ...found, record: found.record };
    }
  } catch (e) {
    if (prev) s.baseProblem = `the instant-restore snapshot of point ${prev} cannot be read (${describe(e)})`;
  }
  return s;
}

/**
 * Why this disk's changes must be found by checksum comparison although the previous point is
 * the base (DOMAIN §4: without the previous backup's snapshot, every block is read and its
 * checksum compared); undefined when the previous point's snapshot of the disk is usable.
 */
export function checksumReason(s: SnapshotSession | undefined, disk: string): string | undefined {
  if (!s) return undefined;
  const suffix = ": changes found by checksum comparison, every block read (docs/domain.md#timing)";
  if (s.baseProblem) return s.baseProblem + suffix;
  const base = s.base;
  if (!base) return undefined;
  const d = base.record.disks.find((x) => x.name === disk);
  if (!d) {
    const why = base.record.skipped.find((x) => x.disk === disk)?.reason;
    return `the instant-restore snapshot of point ${base.point} has no copy of disk "${disk}"${why ? ` (${why})` : ""}${suffix}`;
  }
  const st = fs.statSync(path.join(base.dir, d.file), { throwIfNoEntry: false });
  if (!st) return `the instant-restore snapshot of point ${base.point} has lost its file of disk "${disk}"${suffix}`;
  if (st.size !== d.bytes) return `the instant-restore snapshot of point ${base.point} has a file of disk "${disk}" of the wrong size${suffix}`;
  return undefined;
}

export interface SnapshotDiskInput {
  name: string;
  image: string;
  /** The image's identity when its read began (the manifest's `source`). */
  source: SourceStat;
  /** The image was not read (unchanged-file): the previous snapshot's file can be linked. */
  unchanged: boolean;
  /** The snapshot is a copy of the file, not written by the workers: a VHD (they read its virtual disk), or blocks not on the grain grid. */
  copy: boolean;
  /** Bytes the workers read: the file's size for a raw image. */
  bytes: number;
}

const emptyFile = (file: string, size: number) => {
  const fd = fs.openSync(file, "w", 0o600);
  try {
    fs.ftruncateSync(fd, size);
  } finally {
    fs.closeSync(fd);
  }
};

/** Whether a disk record can be the parent of a delta: it has grain checksums of its image. */
const chainable = (d: SnapshotDiskRecord | undefined, bytes: number): d is SnapshotDiskRecord & { sums: string } => !!d?.sums && d.bytes === bytes;

/**
 * Prepares the point's snapshot in a temporary folder before the workers read the images, per
 * disk: unchanged since a chainable parent — an empty delta (its checksums a hard link of the
 * parent's); a raw image where the file system has reflinks — a reflink copy; other raw images —
 * files the workers fill as they read (a delta on the previous point's snapshot when it has
 * checksums, else a full sparse copy); a VHD — a copy of the file, made meanwhile (as before
 * deltas, a link when unchanged). Returns the workers' targets per disk. Never throws: a failure
 * is a warning and the point has no snapshot.
 */
export async function prepareSnapshot(s: SnapshotSession, point: string, createdAt: string, disks: readonly SnapshotDiskInput[]): Promise<Map<string, SnapshotTarget>> {
  const targets = new Map<string, SnapshotTarget>();
  const base = vmSnapshotDir(s.vault.path, s.vm);
  const tmp = path.join(base, `${point}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`);
  const record: SnapshotRecord = {
    format: "bkp-snapshot",
    version: 1,
    vault: s.vault.name,
    vaultId: s.vaultId,
    vm: s.vm,
    point,
    createdAt,
    instantRestoreDays: s.tier.days,
    zone: s.tier.zone,
    expiresAt: snapshotExpiry(createdAt, s.tier).toISOString(),
    disks: [],
    skipped: s.skipped,
  };
  try {
    await mkdirDurable(base);
    await fsp.mkdir(tmp, { mode: 0o700 });
    s.pending = { tmp, final: path.join(base, point), record, ready: false };
    const copies: Promise<SnapshotDiskRecord>[] = [];
    for (const d of disks) {
      const stem = safeName(d.name);
      const file = `${stem}${path.extname(d.image) || ".img"}`;
      const dst = path.join(tmp, file);
      const prev = s.base?.record.disks.find((x) => x.name === d.name);
      const common = { name: d.name, file, source: d.source };
      // A parent whose files were written after its record (damage) is never built on: the
      // snapshot is copied afresh instead (snapshot-link-check.ts).
      const sound = !!s.base && !!prev && chainIntact(s.vault.path, s.vm, s.base.dir, d.name);
      if (d.unchanged && s.base && sound && chainable(prev, d.bytes)) {
        if (sameFile(prev.source, d.source)) {
          // The same bytes as the parent: an empty delta, no new space.
          emptyFile(dst, d.bytes);
          await fsp.chmod(dst, SNAPSHOT_FILE_MODE);
          await fsp.writeFile(path.join(tmp, `${stem}.set`), Buffer.alloc(Math.ceil(grainsOf(d.bytes) / 8)), { mode: SNAPSHOT_FILE_MODE });
          await fsp.link(path.join(s.base.dir, prev.sums), path.join(tmp, `${stem}.sums`));
          record.disks.push({ ...common, bytes: d.bytes, method: "delta", parent: s.base.point, set: `${stem}.set`, sums: `${stem}.sums` });
          continue;
        }
      }
      if (!d.copy && !d.unchanged) {
        try {
          await fsp.copyFile(d.image, dst, fs.constants.COPYFILE_FICLONE_FORCE);
          await fsp.chmod(dst, SNAPSHOT_FILE_MODE);
          record.disks.push({ ...common, bytes: d.bytes, method: "reflink" });
          continue;
        } catch (e) {
          if (!NO_REFLINK.has(errnoCode(e) ?? "")) throw e;
          await fsp.rm(dst, { force: true });
        }
        const delta = s.base && sound && chainable(prev, d.bytes);
        emptyFile(dst, d.bytes);
        emptyFile(path.join(tmp, `${stem}.sums`), grainsOf(d.bytes) * SUM_BYTES);
        if (delta) emptyFile(path.join(tmp, `${stem}.set`), Math.ceil(grainsOf(d.bytes) / 8));
        targets.set(d.name, {
          file: dst,
          sums: path.join(tmp, `${stem}.sums`),
          ...(delta && s.base && prev?.sums ? { set: path.join(tmp, `${stem}.set`), prevSums: path.join(s.base.dir, prev.sums) } : {}),
        });
        record.disks.push({
          ...common,
          bytes: d.bytes,
          sums: `${stem}.sums`,
          ...(delta && s.base ? { method: "delta" as const, parent: s.base.point, set: `${stem}.set` } : { method: "sparse-copy" as const }),
        });
        continue;
      }
      copies.push(
        (async (): Promise<SnapshotDiskRecord> => {
          if (d.unchanged && s.base && prev && sound && sameFile(prev.source, d.source)) {
            try {
              // The same bytes as the previous snapshot: share its file (both are read-only copies).
              await fsp.link(path.join(s.base.dir, prev.file), dst);
              return { ...common, bytes: fs.statSync(dst).size, method: "link", linkedFrom: s.base.point };
            } catch {
              // copied below
            }
          }
          const method = (await cloneFile(d.image, dst, SNAPSHOT_FILE_MODE)).method;
          return { ...common, bytes: fs.statSync(dst).size, method };
        })(),
      );
    }
    // The VHD copies run while the workers read the images (the page cache serves both).
    s.taking = Promise.all(copies).then(
      (r) => {
        record.disks.push(...r);
        record.disks.sort((a, b) => disks.findIndex((x) => x.name === a.name) - disks.findIndex((x) => x.name === b.name));
      },
      (e: unknown) => failPending(s, e, base),
    );
  } catch (e) {
    targets.clear();
    await failPending(s, e, base);
  }
  return targets;
}

/**
 * Whether every file a disk's snapshot chain reads (the snapshot's own file, its overlays, and
 * each parent's up to the full copy) is as its record left it: one written later is damage, and
 * the next snapshot is never built on it (snapshot-link-check.ts).
 */
function chainIntact(vaultPath: string, vm: string, dir: string, disk: string): boolean {
  const byPoint = new Map(listSnapshots(vaultPath, vm).map((x) => [x.point, x]));
  for (let at: string | undefined = dir, guard = 0; at && guard < 10_000; guard++) {
    let rec: SnapshotRecord;
    try {
      rec = JSON.parse(fs.readFileSync(path.join(at, SNAPSHOT_RECORD), "utf8")) as SnapshotRecord;
    } catch {
      return false;
    }
    const d = rec.disks.find((x) => x.name === disk);
    if (!d) return false;
    for (const f of [d.file, ...(d.overlays ?? []).map((o) => o.file)]) if (!linkable(at, f, SNAPSHOT_RECORD)) return false;
    at = d.parent ? byPoint.get(d.parent)?.dir : undefined;
    if (d.parent && !at) return false;
  }
  return true;
}

async function failPending(s: SnapshotSession, e: unknown, where: string): Promise<void> {
  const tmp = s.pending?.tmp;
  s.pending = undefined;
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  s.warnings.push(snapshotWriteWarning(e, where));
}

/**
 * Completes the snapshot after the read, still inside the consistency window (before the
 * post-script): files the workers wrote are fsynced and made read-only; a copy is kept only if
 * its image's identity (size, times, inode) is still the one recorded when the read began — then
 * the copy and the point hold the same bytes; the record is written and the temporary folder
 * made durable. Never throws.
 */
export async function finishSnapshot(s: SnapshotSession | undefined): Promise<void> {
  if (!s) return;
  await s.taking;
  s.taking = undefined;
  const p = s.pending;
  if (!p || p.ready) return;
  try {
    const kept: SnapshotDiskRecord[] = [];
    for (const d of p.record.disks) {
      let after: SourceStat | undefined;
      try {
        after = statImage(s.vm, d.name, d.source.path);
      } catch {
        after = undefined;
      }
      if (after && sameFile(after, d.source)) {
        kept.push(d);
        continue;
      }
      for (const f of recordFiles(p.tmp, d)) await fsp.rm(f, { force: true });
      s.skipped.push({ disk: d.name, reason: "the image changed while it was backed up, so a copy would not match the point" });
    }
    p.record.disks = kept;
    if (!kept.length) {
      s.pending = undefined;
      await fsp.rm(p.tmp, { recursive: true, force: true });
      return;
    }
    // Files the workers wrote and reflinks: durable, then read-only like every snapshot file.
    await Promise.all(
      kept.flatMap((d) => (d.method === "link" ? [] : [d.file, d.sums, d.set]).filter((f): f is string => !!f)).map(async (f) => {
        const fh = await fsp.open(path.join(p.tmp, f), "r");
        try {
          await fh.sync();
          await fh.chmod(SNAPSHOT_FILE_MODE);
        } finally {
          await fh.close();
        }
      }),
    );
    if (kept.some((d) => d.method === "delta" || d.overlays)) p.record.version = 2;
    writeRecord(p.tmp, p.record);
    p.ready = true;
  } catch (e) {
    await failPending(s, e, path.dirname(p.tmp));
  }
}

function snapshotWriteWarning(e: unknown, where: string): string {
  const code = errnoCode(e);
  const why = code === "ENOSPC" || code === "EDQUOT" ? `the file system of ${where} is full` : describe(e);
  return `${ErrorCodes.SNAPSHOT_WRITE}: no instant-restore snapshot was kept (${why}); the recovery point is in the vault, and the next backup finds changes by checksum comparison`;
}

/** Drops an uncommitted snapshot (the backup failed). */
export async function abortSnapshot(s: SnapshotSession | undefined): Promise<void> {
  await s?.taking;
  if (!s?.pending) return;
  const { tmp } = s.pending;
  s.pending = undefined;
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Deletes a snapshot that goes (expired, its point gone, …): first each later snapshot whose
 * delta applies on it is made independent of it (snapshot-chain.ts mergeIntoChild), then the
 * folder is deleted, then the children's overlays are folded into their now unshared full copies.
 */
export async function expireSnapshot(vaultPath: string, vm: string, stale: StoredSnapshot): Promise<void> {
  const children: (StoredSnapshot & { record: SnapshotRecord })[] = [];
  const all = listSnapshots(vaultPath, vm);
  // The record as it is now: an earlier expiry may have merged a parent into this snapshot.
  const x = all.find((s) => s.dir === stale.dir) ?? stale;
  if (x.record) {
    const parent = { ...x, record: x.record };
    for (const c of all) {
      if (!c.record || !c.record.disks.some((d) => d.method === "delta" && d.parent === x.point)) continue;
      const child = { ...c, record: c.record };
      mergeIntoChild(parent, child);
      children.push(child);
    }
  }
  await deleteSnapshot(x);
  for (const c of children) normalize(c);
}

/**
 * After the point's manifest is committed: commits its snapshot (rename + fsync), then expires
 * the VM's snapshots the policy no longer keeps (DOMAIN §6: up to n+1 exist, the newest taken
 * before the oldest goes) and any whose point is gone, and reports the space they take.
 */
export async function commitSnapshot(s: SnapshotSession): Promise<SnapshotReport> {
  await finishSnapshot(s);
  const report: SnapshotReport = { disks: [], skipped: s.skipped, expired: [], live: 0, allocatedBytes: 0, warnings: s.warnings };
  const p = s.pending;
  s.pending = undefined;
  if (p) {
    try {
      await fsp.rename(p.tmp, p.final);
      await fsyncDir(path.dirname(p.final));
      report.dir = p.final;
      report.expiresAt = p.record.expiresAt;
      for (const d of p.record.disks) {
        report.disks.push({
          disk: d.name,
          method: d.method,
          allocatedBytes: allocatedBytes(recordFiles(p.final, d)),
          ...(d.linkedFrom ? { linkedFrom: d.linkedFrom } : {}),
          ...(d.parent ? { linkedFrom: d.parent } : {}),
        });
      }
    } catch (e) {
      await fsp.rm(p.tmp, { recursive: true, force: true }).catch(() => undefined);
      report.warnings.push(snapshotWriteWarning(e, path.dirname(p.final)));
    }
  }
  try {
    const points = new Set([...s.points, ...(p ? [p.record.point] : [])]);
    for (const x of expiring(listSnapshots(s.vault.path, s.vm), points, s.vaultId, s.tier, s.now, new Set())) {
      await expireSnapshot(s.vault.path, s.vm, x.snapshot);
      report.expired.push({ point: x.snapshot.point, reason: x.reason });
    }
    // Overlays an interrupted expiry left are folded in now.
    for (const x of listSnapshots(s.vault.path, s.vm)) if (x.record?.disks.some((d) => d.overlays?.length)) normalize({ ...x, record: x.record });
    const live = listSnapshots(s.vault.path, s.vm).filter((x) => !snapshotProblem(x, x.point, s.vaultId, s.tier, s.now));
    report.live = live.length;
    report.allocatedBytes = allocatedBytes(live.flatMap(snapshotFiles));
  } catch (e) {
    report.warnings.push(`${ErrorCodes.SNAPSHOT_IO}: expired instant-restore snapshots were not deleted (${describe(e)}); the next backup or prune tries again`);
  }
  return report;
}


export interface ExpiringSnapshot {
  snapshot: StoredSnapshot;
  reason: string;
  /** The recorded creation time, when the record is readable. */
  createdAt?: string;
}

/**
 * The snapshots of one VM that go: expired by the tier (DOMAIN §6), of a point that is gone or
 * expiring now (a point's snapshot never outlives it), of another vault, or unreadable.
 */
export function expiring(
  snaps: readonly StoredSnapshot[],
  points: ReadonlySet<string>,
  vaultId: string,
  tier: SnapshotTier,
  now: Date,
  expiringPoints: ReadonlySet<string>,
): ExpiringSnapshot[] {
  const out: ExpiringSnapshot[] = [];
  for (const snapshot of snaps) {
    const r = snapshot.record;
    let reason: string | undefined;
    if (!r) reason = `unreadable (${snapshot.problem ?? "?"})`;
    else if (r.vaultId !== vaultId) reason = "left by another vault at this path";
    else if (!points.has(snapshot.point)) reason = "its recovery point is gone";
    else if (expiringPoints.has(snapshot.point)) reason = "its recovery point expires";
    else {
      const exp = effectiveExpiry(r, tier);
      if (exp.getTime() <= now.getTime()) reason = `expired at ${exp.toISOString()} (instant-restore ${tier.days} day${tier.days === 1 ? "" : "s"})`;
    }
    if (reason) out.push({ snapshot, reason, ...(r ? { createdAt: r.createdAt } : {}) });
  }
  return out;
}
