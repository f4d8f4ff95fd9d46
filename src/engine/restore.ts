// Restoring a recovery point's disk images: byte-identical, sparse, verified as written.
// Each disk is written to a temporary file and renamed into place only when complete, so a
// damaged disk fails loudly without leaving wrong bytes behind; other disks still restore.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { EngineError, ErrorCodes, describe, isEngineError, targetWriteError } from "./errors.js";
import { openVault } from "./vault/vault.js";
import type { OpenVault } from "./vault/vault.js";
import { readManifests, sortPoints } from "./vault/manifest.js";
import type { Manifest } from "./vault/manifest.js";
import { loadChunkIndex } from "./vault/chunk-store.js";
import type { ChunkIndex } from "./vault/chunk-store.js";
import { recordDamage } from "./vault/damage-record.js";
import { WorkerPool } from "./workers/worker-pool.js";
import { ProgressTracker, diskKey } from "./progress.js";
import { defaultWorkers } from "./backup.js";
import { fsyncDirSync } from "./vault/storage.js";
import { isAllZero, readFully } from "./image/image-reader.js";
import { createVhdWriter, layoutFromRecord } from "./image/vhd.js";
import type { VhdRecord } from "./image/vhd.js";
import type { RestoreTask, RestoreTaskResult, WireLoc } from "./workers/protocol.js";
import { openAde, writeBek } from "./ade.js";
import { DEFAULT_LOCK_WAIT_MS } from "./vault/lock.js";
import { acquireVaultReadLock } from "./vault/vault-storage.js";
import { liveSnapshotOf, newestInstantPoint, restoreDiskFromSnapshot } from "./snapshot/snapshot-restore.js";
import type { AdeKeysRequest, AdeKeysResult, DiskRestoreResult, EngineVault, ReaderOptions, RestoreRequest, RestoreResult, SnapshotTier } from "./types.js";

/** Options of the point lookup: "instant" is judged by the VM's snapshot tier at `now`. */
export type FindPointOptions = ReaderOptions & { instantRestore?: SnapshotTier };

/** What a restore's read lock is called in a waiting prune's message. */
export const restorePurpose = (vm: string) => `restore of VM "${vm}"`;

/** File name a disk is restored to: the disk's name plus the source image's extension. */
export function restoredFileName(diskName: string, sourcePath: string): string {
  const safe = diskName.replace(/[^A-Za-z0-9._-]/g, "_");
  const ext = path.extname(sourcePath) || ".img";
  return `${safe}${ext}`;
}

/** Turns a restored virtual disk into a VHD of the recorded kind (the source's footer kept). */
function writeVhd(raw: string, out: string, rec: VhdRecord): void {
  const layout = layoutFromRecord(rec);
  if (rec.kind === "fixed") {
    // A fixed VHD is the virtual disk followed by its footer: the raw file already is the disk.
    const fd = fs.openSync(out, "r+");
    try {
      createVhdWriter(fd, layout).close();
    } finally {
      fs.closeSync(fd);
    }
    return;
  }
  const src = fs.openSync(raw, "r");
  const fd = fs.openSync(out, "w", 0o600);
  try {
    const w = createVhdWriter(fd, layout);
    const buf = Buffer.alloc(layout.blockSize);
    for (let at = 0; at < layout.virtualSize; at += layout.blockSize) {
      const n = Math.min(layout.blockSize, layout.virtualSize - at);
      const data = buf.subarray(0, n);
      if (readFully(src, data, n, at) !== n) throw new Error("the restored virtual disk is short");
      // All-zero VHD blocks stay unallocated, as holes were in the point (DOMAIN: holes stay sparse).
      w.write(at, isAllZero(data) ? undefined : data);
    }
    w.close();
  } finally {
    fs.closeSync(fd);
    fs.closeSync(src);
  }
}

/**
 * A point's manifest, read under a read lock (a prune expiring points meanwhile would make the
 * listing look damaged). The lock is released on return: a caller that goes on reading the
 * point (the CLI's restore) holds its own `acquireReadLock` around both.
 */
export async function findPoint(vault: EngineVault, vm: string, point: string, opts: FindPointOptions = {}): Promise<Manifest> {
  const now = (opts.now ?? (() => new Date()))();
  const v = await openVault(vault, { create: false, now, machineKeyFile: opts.machineKeyFile });
  const lock = await acquireVaultReadLock(vault, restorePurpose(vm), opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  try {
    return await findPointIn(v, vm, point, opts.instantRestore, now);
  } finally {
    await lock.release();
  }
}

async function findPointIn(v: OpenVault, vm: string, point: string, tier: SnapshotTier | undefined, now: Date): Promise<Manifest> {
  const vault = v.def;
  const reads = await readManifests(v.storage, v.keys.enc, v.keys.name, vm);
  const ok = sortPoints(reads.flatMap((r) => (r.manifest ? [r.manifest] : [])));
  if (point === "instant") {
    // DOMAIN §4: instant restore is the newest point whose snapshot is still kept.
    const m = newestInstantPoint(v, ok, tier, now);
    if (m) return m;
    const last = ok[ok.length - 1];
    throw new EngineError(
      ErrorCodes.SNAPSHOT_NONE,
      `VM "${vm}" has no recovery point in the instant-restore snapshot tier of vault "${vault.name}"` +
        (last ? ` (${liveSnapshotOf(v, last, tier, now).problem ?? "its newest point has no snapshot"}). Restore from the vault with --point latest (${last.id}).` : `: it has no recovery points. Run \`bkp backup\` first.`),
    );
  }
  if (point === "latest") {
    const last = ok[ok.length - 1];
    if (!last) {
      throw new EngineError(
        reads.length ? ErrorCodes.MANIFEST_DAMAGED : ErrorCodes.NO_POINTS,
        reads.length
          ? `VM "${vm}" has ${reads.length} recovery point(s) in vault "${vault.name}", but none is readable; run \`bkp verify\` to see the damage.`
          : `VM "${vm}" has no recovery points in vault "${vault.name}". Run \`bkp backup\` first, or check the VM name.`,
      );
    }
    return last;
  }
  const m = ok.find((x) => x.id === point);
  if (m) return m;
  const damaged = reads.find((r) => !r.manifest && r.name.endsWith(`/${point}`));
  if (damaged) {
    throw new EngineError(ErrorCodes.MANIFEST_DAMAGED, `recovery point ${point} of VM "${vm}" is damaged (${damaged.problem}); restore another point (see \`bkp points\`).`);
  }
  throw new EngineError(
    ErrorCodes.POINT_NOT_FOUND,
    `VM "${vm}" has no recovery point ${point} in vault "${vault.name}". Known points: ${ok.map((x) => x.id).join(", ") || "none"}.`,
  );
}

export async function restoreVm(vault: EngineVault, req: RestoreRequest, opts: ReaderOptions = {}): Promise<RestoreResult> {
  const t0 = performance.now();
  const now = (opts.now ?? (() => new Date()))();
  const v = await openVault(vault, { create: false, now, machineKeyFile: opts.machineKeyFile });
  // Held from the manifest's read to the last byte written: a prune must not delete the point's
  // maps or packs — nor its snapshot folder beside the vault, which only the vault's lock holders
  // delete — while this restore still needs them (the target would be left half-written).
  const lock = await acquireVaultReadLock(vault, restorePurpose(req.vm), opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  try {
    return await restoreLocked(v, req, opts, now, t0);
  } finally {
    await lock.release();
  }
}

async function restoreLocked(v: OpenVault, req: RestoreRequest, opts: ReaderOptions, now: Date, t0: number): Promise<RestoreResult> {
  const vault = v.def;
  const m = await findPointIn(v, req.vm, req.point, req.instantRestore, now);
  const wanted = req.disks ? m.disks.filter((d) => req.disks?.includes(d.name)) : m.disks;
  for (const want of req.disks ?? []) {
    if (!m.disks.some((d) => d.name === want)) {
      throw new EngineError(ErrorCodes.DISK_NOT_IN_POINT, `point ${m.id} of VM "${req.vm}" has no disk "${want}"; it has ${m.disks.map((d) => d.name).join(", ")}.`);
    }
  }
  fs.mkdirSync(req.toDir, { recursive: true });
  const wantedTargets = wanted.map((d) => path.join(req.toDir, restoredFileName(d.name, d.source.path)));
  if (!req.overwrite) {
    const existing = wantedTargets.filter((t) => fs.existsSync(t));
    if (existing.length) {
      throw new EngineError(
        ErrorCodes.TARGET_EXISTS,
        `restore would overwrite ${existing.join(", ")}; nothing was written. Choose another target folder, or allow overwriting (--force).`,
      );
    }
  }
  const tracker = new ProgressTracker(opts.onProgress);
  // Instant restore (DOMAIN §4): disks of a point in the snapshot tier come from its snapshot;
  // the rest (and, with from "auto", a disk whose snapshot copy is damaged) from the vault.
  const fromSnapshot = await restoreFromSnapshot(v, m, wanted, wantedTargets, req, now, tracker);
  const disks = wanted.filter((d) => !fromSnapshot.get(d.name)?.done);
  const targets = disks.map((d) => wantedTargets[wanted.indexOf(d)]);
  // No disk left for the vault: not even its pack indexes are read.
  const index = disks.length ? await loadChunkIndex(v.storage, v.keys.enc) : undefined;
  const partials = targets.map((t) => `${t}.bkp-partial`);
  // The virtual disk is restored raw first; a dynamic VHD is then built from that raw file
  // (its blocks must be laid out in order behind its BAT), a fixed one just gets its footer.
  const raws = disks.map((d, i) => (d.vhd?.kind === "dynamic" ? `${partials[i]}.raw` : partials[i]));
  const tasks: RestoreTask[] = [];
  const taskDisk: number[] = [];
  disks.forEach((d, i) => {
    tracker.add(diskKey(req.vm, d.name), req.vm, d.name, "restore", d.imageBytes);
    // Sized up front: blocks never written (holes) stay sparse.
    const fd = fs.openSync(raws[i], "w", 0o600);
    fs.ftruncateSync(fd, d.imageBytes);
    fs.closeSync(fd);
  });
  const maxPages = Math.max(0, ...disks.map((d) => d.maps.length));
  for (let page = 0; page < maxPages; page++) {
    disks.forEach((d, i) => {
      const map = d.maps[page];
      if (map === undefined) return;
      tasks.push({ type: "restore", key: diskKey(req.vm, d.name), map, file: raws[i], imageBytes: d.imageBytes, firstBlock: page * m.pageBlocks });
      taskDisk.push(i);
    });
  }
  const results: DiskRestoreResult[] = disks.map((d, i) => {
    const note = fromSnapshot.get(d.name)?.note;
    return { disk: d.name, path: targets[i], ok: true, imageBytes: d.imageBytes, bytesWritten: 0, seconds: 0, from: "vault" as const, ...(note ? { note } : {}) };
  });
  let pool: WorkerPool | undefined;
  try {
    if (tasks.length) {
      pool = new WorkerPool(
        Math.max(1, Math.min(opts.workers ?? defaultWorkers(disks.length), tasks.length)),
        { vaultPath: vault.path, blob: vault.blob, keys: v.keys, blockSize: m.blockSize, packTarget: 0 },
        {
          request: (_op, ids) => ids.map((id): WireLoc | null => index?.chunks.get(id) ?? null),
          progress: (key, bytes) => tracker.advance(key, bytes),
        },
      );
      const out = await pool.runAll<RestoreTaskResult>(tasks, vault.path, true);
      if (index) await recordRestoreDamage(v, index, out.flatMap((r) => (r.ok ? [] : [r.error])), now);
      out.forEach((r, i) => {
        const d = results[taskDisk[i]];
        if (r.ok) d.bytesWritten += r.result.bytesWritten;
        else if (d.ok) {
          d.ok = false;
          const e = r.error;
          d.error = {
            code: isEngineError(e) ? e.code : ErrorCodes.INTERNAL,
            message: notRestored(d.disk, m.id, describe(e), isEngineError(e) && e.code === ErrorCodes.TARGET_WRITE ? undefined : "try another point (see `bkp verify --read-data`)"),
          };
        }
      });
    }
  } catch (e) {
    for (const p of [...partials, ...raws]) fs.rmSync(p, { force: true });
    throw e;
  } finally {
    await pool?.close();
  }
  disks.forEach((d, i) => {
    const r = results[i];
    if (!r.ok || !d.vhd) return;
    try {
      writeVhd(raws[i], partials[i], d.vhd);
    } catch (e) {
      r.ok = false;
      r.error = { code: ErrorCodes.INTERNAL, message: `disk "${d.name}" of point ${m.id}: cannot write the VHD: ${describe(e)}` };
    } finally {
      if (raws[i] !== partials[i]) fs.rmSync(raws[i], { force: true });
    }
  });
  results.forEach((r, i) => {
    if (r.ok) {
      const fd = fs.openSync(partials[i], "r+");
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(partials[i], r.path);
      tracker.complete(diskKey(req.vm, r.disk));
    } else {
      fs.rmSync(partials[i], { force: true });
    }
    r.seconds = (performance.now() - t0) / 1000;
  });
  fsyncDirSync(req.toDir);
  // In the point's disk order, whichever way each came back.
  const all = wanted.map((d): DiskRestoreResult => {
    const r = fromSnapshot.get(d.name)?.done ?? results[disks.indexOf(d)];
    if (!r) throw new Error(`disk ${d.name} has no restore result`);
    return r;
  });
  return { vm: req.vm, point: m.id, ok: all.every((r) => r.ok), seconds: (performance.now() - t0) / 1000, disks: all };
}

/**
 * The snapshot side of a restore. Per disk: `done` — restored from the snapshot (or, with from
 * "snapshot", failed there); otherwise the vault restores it, with `note` saying why when the
 * snapshot could not be used.
 */
async function restoreFromSnapshot(
  v: OpenVault,
  m: Manifest,
  disks: readonly Manifest["disks"][number][],
  targets: readonly string[],
  req: RestoreRequest,
  now: Date,
  tracker: ProgressTracker,
): Promise<Map<string, { done?: DiskRestoreResult; note?: string }>> {
  const out = new Map<string, { done?: DiskRestoreResult; note?: string }>();
  const mode = req.from ?? "auto";
  if (mode === "vault" || !disks.length) return out;
  let found: ReturnType<typeof liveSnapshotOf>;
  try {
    found = liveSnapshotOf(v, m, req.instantRestore, now);
  } catch (e) {
    // An unreadable snapshot folder (BKP5073): "auto" restores from the vault and says why.
    if (mode === "snapshot") throw e;
    for (const d of disks) out.set(d.name, { note: `${describe(e)}; restored from the vault instead` });
    return out;
  }
  const { snapshot, problem } = found;
  if (!snapshot) {
    if (mode === "snapshot") {
      throw new EngineError(ErrorCodes.SNAPSHOT_NONE, `point ${m.id} of VM "${req.vm}" cannot be restored from its instant-restore snapshot: ${problem ?? "there is none"}. Nothing was written; restore it from the vault (--from vault).`);
    }
    return out;
  }
  await Promise.all(
    disks.map(async (d, i) => {
      const t0 = performance.now();
      const key = diskKey(req.vm, d.name);
      tracker.add(key, req.vm, d.name, "restore", d.imageBytes);
      const partial = `${targets[i]}.bkp-partial`;
      try {
        const bytesWritten = await restoreDiskFromSnapshot(v, m, snapshot, d, partial, (n) => tracker.advance(key, n));
        try {
          const fd = fs.openSync(partial, "r+");
          fs.fsyncSync(fd);
          fs.closeSync(fd);
          fs.renameSync(partial, targets[i]);
        } catch (e) {
          throw targetWriteError(e, req.toDir);
        }
        tracker.complete(key);
        out.set(d.name, { done: { disk: d.name, path: targets[i], ok: true, imageBytes: d.imageBytes, bytesWritten, seconds: (performance.now() - t0) / 1000, from: "snapshot" } });
      } catch (e) {
        fs.rmSync(partial, { force: true });
        const code = isEngineError(e) ? e.code : ErrorCodes.INTERNAL;
        const failed = (message: string) => ({ done: { disk: d.name, path: targets[i], ok: false, imageBytes: d.imageBytes, bytesWritten: 0, seconds: (performance.now() - t0) / 1000, from: "snapshot" as const, error: { code, message } } });
        // A full target is at fault, not the snapshot: the vault would meet the same folder.
        if (code === ErrorCodes.TARGET_WRITE) out.set(d.name, failed(notRestored(d.name, m.id, describe(e))));
        else if (mode === "snapshot") out.set(d.name, failed(`${describe(e)}. Nothing was written for this disk; restore it from the vault (--from vault).`));
        else out.set(d.name, { note: `${describe(e)}; restored from the vault instead` });
      }
    }),
  );
  fsyncDirSync(req.toDir);
  return out;
}

/** Why a disk of a point was not restored, and what to do (`hint`), for the disk's result. */
function notRestored(disk: string, point: string, why: string, hint?: string): string {
  return `disk "${disk}" of point ${point} cannot be restored: ${why}. Nothing was written for this disk${hint ? `; ${hint}` : ""}.`;
}

/**
 * The BEK of a point, unwrapped but not written: callers check the KEK before writing anything
 * (a wrong KEK must leave no file behind — neither the key nor the disks).
 */
export function pointBek(m: Manifest, kekFile: string | undefined): Buffer {
  if (!m.ade) {
    throw new EngineError(
      ErrorCodes.ADE_NO_KEYS,
      `point ${m.id} of VM "${m.vm}" holds no ADE keys: the VM had no \`encryption ade\` when it was backed up. Nothing was written.`,
    );
  }
  return openAde(m.ade, m.vm, m.id, kekFile);
}

/** Writes an unwrapped BEK of point `m` into `dir` (0600). */
export function writePointBek(m: Manifest, bek: Uint8Array, dir: string, overwrite = false): AdeKeysResult {
  if (!m.ade) throw new EngineError(ErrorCodes.ADE_NO_KEYS, `point ${m.id} of VM "${m.vm}" holds no ADE keys`);
  const file = writeBek(dir, m.ade, bek, overwrite);
  return { vm: m.vm, point: m.id, path: file, bytes: bek.length, wrap: m.ade.wrap };
}

/**
 * DOMAIN §3: restores a point's BEK (e.g. to re-create a lost BEK before restoring the VM). A
 * KEK-wrapped BEK comes back only with the right KEK; otherwise an error and no file.
 */
export async function restoreAdeKeys(vault: EngineVault, req: AdeKeysRequest, opts: ReaderOptions = {}): Promise<AdeKeysResult> {
  const m = await findPoint(vault, req.vm, req.point, opts);
  return writePointBek(m, pointBek(m, req.kekFile), req.toDir, req.overwrite);
}

/**
 * A chunk a restore found damaged goes to the vault's damage record, so the next backup of its
 * disk stores that block again (damage-record.ts). Best effort: a restore never fails for it.
 */
async function recordRestoreDamage(v: OpenVault, index: ChunkIndex, errors: readonly unknown[], now: Date): Promise<void> {
  const found: { id: string; pack: string; problem: string }[] = [];
  for (const e of errors) {
    if (!isEngineError(e) || e.code !== ErrorCodes.CHUNK_CORRUPT) continue;
    const prefix = /chunk ([0-9a-f]{16})… is damaged/.exec(e.message)?.[1];
    if (!prefix) continue;
    for (const [id, loc] of index.chunks) if (id.startsWith(prefix)) found.push({ id, pack: loc.pack, problem: e.message });
  }
  await recordDamage(v.storage, v.keys.enc, found, "restore", now).catch(() => undefined);
}
