// Backing up a VM's disk images into its vault as one recovery point.
import fs from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { EngineError, ErrorCodes, errnoCode, vaultWriteError } from "./errors.js";
import { acquireVaultLock } from "./vault/vault-storage.js";
import { openVault } from "./vault/vault.js";
import type { OpenVault } from "./vault/vault.js";
import { readManifests, newPointId, sortPoints, writeManifest } from "./vault/manifest.js";
import type { Manifest, ManifestDisk, SourceStat } from "./vault/manifest.js";
import { sameFile, statImage, unchangedWhileRead } from "./image/image-reader.js";
import { isHealthy, loadChunkIndex } from "./vault/chunk-store.js";
import type { ChunkIndex } from "./vault/chunk-store.js";
import { rebuildMissingIndexes } from "./vault/pack-recovery.js";
import type { VaultKeys } from "./vault/crypto.js";
import type { Storage } from "./vault/storage.js";
import { openPage, pageChunkIds } from "./vault/block-index.js";
import { WorkerPool } from "./workers/worker-pool.js";
import { ConsistencyFailure, snapshotConsistently } from "./consistency.js";
import { VhdError, detectVhd, vhdRecord } from "./image/vhd.js";
import type { VhdLayout } from "./image/vhd.js";
import { readAdeSource, sealAde } from "./ade.js";
import { ProgressTracker, diskKey } from "./progress.js";
import { completedJobRecord, failedJobRecord, logJob } from "./job-log.js";
import type { BackupTask, BackupTaskResult } from "./workers/protocol.js";
import { sharedWithPreviousSnapshot } from "./snapshot/snapshot-extents.js";
import { imageHoles } from "./image/extents.js";
import { abortSnapshot, checksumReason, commitSnapshot, finishSnapshot, openSnapshotSession, prepareSnapshot, snapshotTierOf } from "./snapshot/snapshots.js";
import { onGrainGrid } from "./snapshot/snapshot-chain.js";
import type { SnapshotSession } from "./snapshot/snapshots.js";
import type { BackupOptions, ChangeDetection, Consistency, DiskBackupResult, EngineVault, EngineVm, VmBackupResult } from "./types.js";

/** Pack files are closed at this size: few files and fsyncs, bounded loss on a crash. */
export const PACK_TARGET = 64 * 1024 * 1024;

// DOMAIN §2: a copy of disk images as they are, without pre/post scripts, is crash consistent.
const CONSISTENCY: Consistency = { level: "crash", reason: "disk images copied as they were on disk; no pre/post scripts ran" };

/**
 * Runs `take` (the read of the images) as the snapshot of DOMAIN §2: with the model VM, its
 * pre/post scripts run around it and decide the level; without it the copy is crash consistent.
 * A ConsistencyFailure (continue-on-failure false on a multi-disk VM, or a provisioning state
 * the service retries) becomes an EngineError, so no manifest is written and the CLI exits 1.
 */
async function consistentSnapshot<T>(vm: EngineVm, take: () => Promise<T>): Promise<{ outcome: Consistency; result: T }> {
  if (!vm.model) return { outcome: CONSISTENCY, result: await take() };
  try {
    const { outcome, result } = await snapshotConsistently(vm.model, take);
    return { outcome: { level: outcome.level, reason: outcome.reason, scripts: outcome.scripts }, result };
  } catch (e) {
    if (e instanceof ConsistencyFailure) {
      throw new EngineError(ErrorCodes.CONSISTENCY_FAILED, `${e.message}. No recovery point was written.`, { cause: e });
    }
    throw e;
  }
}

interface DiskPlan {
  name: string;
  image: string;
  source: SourceStat;
  /** Bytes backed up: the file's size, or a VHD's virtual size. */
  bytes: number;
  vhd?: VhdLayout;
  detection: ChangeDetection;
  prevMaps?: string[];
  prevDisk?: ManifestDisk;
  /** Why a previous point exists but its snapshot cannot be the base (DOMAIN §4). */
  detectionReason?: string;
  /** extent-compare: per block, 1 when it shares its extents with the previous snapshot (unchanged, not read). */
  shared?: Uint8Array;
  /** A sparse raw image's holes per block (extents.ts): zeros, never read. */
  holes?: Uint8Array;
}

/**
 * The image's VHD layout, or undefined for a raw image; a damaged VHD is an error. A VHD is
 * recognised by its name (`.vhd`) or the disk's `format vhd`, then by its footer (checksum, and
 * a size consistent with the file): a raw image whose tail happens to look like a footer stays
 * raw, its size unchanged.
 */
function vhdOf(vmName: string, disk: string, image: string, size: number, format?: "raw" | "vhd"): VhdLayout | undefined {
  if (format === "raw" || (format !== "vhd" && !/\.vhd$/i.test(image))) return undefined;
  const fd = fs.openSync(image, "r");
  try {
    const layout = detectVhd(fd, size);
    if (!layout && format === "vhd") throw new VhdError("the disk says `format vhd` but the image has no VHD footer");
    return layout;
  } catch (e) {
    if (e instanceof VhdError) throw new EngineError(ErrorCodes.IMAGE_READ, `disk "${disk}" of VM "${vmName}": ${image}: ${e.message}. Nothing was backed up.`);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** Why a previous point's disk cannot be reused as it is (a damaged block map, a chunk not intact), or undefined. */
async function damagedBase(storage: Storage, keys: VaultKeys, index: ChunkIndex, maps: readonly string[]): Promise<string | undefined> {
  for (const map of maps) {
    let plain: Buffer;
    try {
      plain = openPage(keys, map, await storage.get(map));
    } catch (e) {
      return `block map ${map}: ${e instanceof Error ? e.message : String(e)}`;
    }
    for (const id of pageChunkIds(plain)) if (!isHealthy(index, id)) return `chunk ${id.slice(0, 16)}… is missing or damaged`;
  }
  return undefined;
}

/** A disk's figures before anything is read. */
const noStats = (): ManifestDisk["stats"] => ({ bytesRead: 0, bytesChanged: 0, bytesStored: 0, bytesZero: 0, newChunks: 0, dedupedChunks: 0, deltaChunks: 0 });

export function defaultWorkers(disks: number): number {
  // DOMAIN §1.7: disks in parallel (4 disks -> 4 streams), and at least one thread per core.
  return Math.min(8, Math.max(os.availableParallelism(), disks));
}

export function latestManifest(ms: Manifest[]): Manifest | undefined {
  const s = sortPoints(ms);
  return s[s.length - 1];
}

/**
 * Backs up a VM as one recovery point. A snapshot that cannot be written is only a warning
 * (BKP5072): when the file system fills up while the instant-restore copies are written beside
 * the vault (they compete for the same space), the backup runs again without a snapshot.
 */
export async function backupVm(vault: EngineVault, vm: EngineVm, opts: BackupOptions = {}): Promise<VmBackupResult> {
  try {
    return await backupOnce(vault, vm, opts);
  } catch (e) {
    if (!snapshotTierOf(vm, opts) || !(e instanceof EngineError) || e.code !== ErrorCodes.DISK_FULL) throw e;
    const r = await backupOnce(vault, vm, { ...opts, instantRestore: false });
    const why = `${ErrorCodes.SNAPSHOT_WRITE}: no instant-restore snapshot was kept: the file system filled up while it was written beside the vault, so the point was backed up again without one; the next backup finds changes by checksum comparison`;
    return { ...r, warnings: [...(r.warnings ?? []), why] };
  }
}

async function backupOnce(vault: EngineVault, vm: EngineVm, opts: BackupOptions): Promise<VmBackupResult> {
  const t0 = performance.now();
  const now = (opts.now ?? (() => new Date()))();
  // Fail fast on a missing image, before touching the vault.
  for (const d of vm.disks) statImage(vm.name, d.name, d.image);
  // DOMAIN §3: an ADE VM's point must carry its BEK; a missing key file fails now, with no point.
  const adeSpec = vm.ade ?? vm.model?.ade;
  const ade = adeSpec ? readAdeSource(vm.name, adeSpec) : undefined;
  const names = new Set<string>();
  for (const d of vm.disks) {
    if (names.has(d.name)) throw new EngineError(ErrorCodes.INTERNAL, `VM "${vm.name}" names disk "${d.name}" twice`);
    names.add(d.name);
  }
  try {
    fs.mkdirSync(vault.path, { recursive: true });
  } catch (e) {
    throw vaultWriteError(e, vault.path);
  }
  const lock = await acquireVaultLock(vault, `backup of VM ${vm.name}`, opts.lockWaitMs ?? 2000);
  let v: OpenVault | undefined;
  let pool: WorkerPool | undefined;
  let snaps: SnapshotSession | undefined;
  try {
    v = await openVault(vault, { create: true, blockSize: opts.blockSize, pageBlocks: opts.pageBlocks, now, machineKeyFile: opts.machineKeyFile });
    const { storage, config, keys } = v;
    // Leftovers of an interrupted run: only the lock holder may remove them.
    await storage.removeTemporaries();
    const reads = await readManifests(storage, keys.enc, keys.name, vm.name);
    const prev = latestManifest(reads.flatMap((r) => (r.manifest ? [r.manifest] : [])));
    // A pack without an index (a lost index, or a backup killed between the two) gets its index
    // back from its trailer: never deleted, a committed point may reference it.
    await rebuildMissingIndexes(storage, keys.enc, true);
    // What the vault holds intact: a chunk in a missing or truncated pack, or named by the damage
    // record, is stored again from the image rather than referenced by the new point.
    const index = await loadChunkIndex(storage, keys.enc);
    // The instant-restore snapshot tier (snapshots.ts): the previous point's snapshot decides the detection.
    const tier = snapshotTierOf(vm, opts);
    if (tier) snaps = await openSnapshotSession(vault, config.id, vm.name, tier, now, prev?.id, reads.map((r) => r.name.slice(r.name.lastIndexOf("/") + 1)));
    const id = newPointId(now);
    // DOMAIN §2: the engine's snapshot is the read of the images: their state is pinned from the
    // first stat to the last block read, so pre/post scripts run around exactly that window.
    // A previous point whose block maps or chunks are damaged is no base to skip reading from.
    const unhealthy = new Map<string, string>();
    for (const pd of prev?.disks ?? []) {
      const why = await damagedBase(storage, keys, index, pd.maps);
      if (why) unhealthy.set(pd.name, `the previous point ${prev?.id ?? ""} of this disk is damaged (${why}): every block was read and damaged chunks stored again`);
    }
    // The tier's own seconds, beside the read: preparing copies, making them durable, committing.
    let snapSeconds = 0;
    /** Seconds the worker threads took to start: part of every disk's seconds, paid once per job. */
    let workerStart: number | undefined;
    const readImages = async () => {
      const sameLayout = prev !== undefined && prev.blockSize === config.blockSize && prev.pageBlocks === config.pageBlocks;
      const plans: DiskPlan[] = vm.disks.map((d) => {
        const source = statImage(vm.name, d.name, d.image);
        const vhd = vhdOf(vm.name, d.name, d.image, source.size, d.format);
        // A VHD is backed up as its virtual disk: its size is the disk's, not the file's (a
        // dynamic VHD's file grows as blocks are allocated).
        const bytes = vhd ? vhd.virtualSize : source.size;
        const pd = prev?.disks.find((x) => x.name === d.name);
        if (pd && pd.imageBytes !== bytes) {
          throw new EngineError(
            ErrorCodes.IMAGE_SIZE_CHANGED,
            `disk "${d.name}" of VM "${vm.name}": image ${d.image} is ${bytes} bytes${vhd ? " (VHD virtual size)" : ""} but was ${pd.imageBytes} bytes in point ${prev?.id}. ` +
              `A disk keeps its size within its backup chain; restore the image to its size, or give the resized disk a new name in the policy so it starts a new chain. Nothing was backed up.`,
          );
        }
        const base = { name: d.name, image: d.image, source, bytes, vhd };
        // Same format as before (raw, or the same VHD kind): otherwise the chain starts afresh.
        const sameFormat = pd !== undefined && pd.vhd?.kind === vhd?.kind;
        // DOMAIN §4: with a snapshot tier, an unchanged image is skipped only while the previous
        // point's snapshot exists; without it, every block is read and compared by checksum.
        const gone = pd && sameLayout && sameFormat ? (checksumReason(snaps, d.name) ?? unhealthy.get(d.name)) : undefined;
        if (pd && sameLayout && sameFormat && !gone && sameFile(pd.source, source)) return { ...base, detection: "unchanged-file", prevMaps: pd.maps, prevDisk: pd };
        if (pd && sameLayout && sameFormat) return { ...base, detection: "block-checksum", prevMaps: pd.maps, prevDisk: pd, ...(gone ? { detectionReason: gone } : {}) };
        return { ...base, detection: "full" };
      });
      // The point's snapshot (snapshots.ts) is copied while the workers read the images.
      const tPrepare = performance.now();
      const snapTargets = snaps
        ? await prepareSnapshot(snaps, id, now.toISOString(), plans.map((p) => ({ name: p.name, image: p.image, source: p.source, unchanged: p.detection === "unchanged-file", copy: !!p.vhd || !onGrainGrid(config.blockSize, config.pageBlocks), bytes: p.bytes })))
        : undefined;
      snapSeconds += (performance.now() - tPrepare) / 1000;
      // DOMAIN §4: with the previous snapshot at hand, a copy-on-write file system tells which
      // blocks changed without reading them (extent comparison, snapshot-extents.ts).
      await Promise.all(
        plans.map(async (p) => {
          if (p.detection !== "block-checksum" || p.detectionReason || p.vhd) return;
          const shared = await sharedWithPreviousSnapshot(snaps, p.name, p.image, p.bytes, config.blockSize);
          if (shared) Object.assign(p, { detection: "extent-compare", shared });
        }),
      );
      // A sparse raw image's holes are zeros: not read (extents.ts, imageHoles).
      await Promise.all(
        plans.map(async (p) => {
          if (p.detection === "unchanged-file" || p.detection === "extent-compare" || p.vhd) return;
          const holes = await imageHoles(p.image, p.bytes, config.blockSize);
          if (holes) p.holes = holes;
        }),
      );

      const tracker = new ProgressTracker(opts.onProgress);
      for (const p of plans) tracker.add(diskKey(vm.name, p.name), vm.name, p.name, "backup", p.bytes);
      const perDisk = new Map<string, { maps: string[]; stats: ManifestDisk["stats"]; seconds: number; warnings: string[] }>();
      const changedWhileRead: string[] = [];
      const toRead = plans.filter((p) => p.detection !== "unchanged-file");
      for (const p of plans) {
        if (p.detection === "unchanged-file") {
          perDisk.set(p.name, { maps: p.prevMaps ?? [], stats: noStats(), seconds: 0, warnings: [] });
          tracker.complete(diskKey(vm.name, p.name));
        }
      }

      if (toRead.length) {
        const claimed = new Set<string>();
        const tasks: BackupTask[] = [];
        const taskDisk: string[] = [];
        const pagesOf = (p: DiskPlan) => Math.ceil(Math.ceil(p.bytes / config.blockSize) / config.pageBlocks);
        const maxPages = Math.max(...toRead.map(pagesOf));
        // Round-robin over disks so all disks of the VM progress in parallel.
        for (let page = 0; page < maxPages; page++) {
          for (const p of toRead) {
            const blocks = Math.ceil(p.bytes / config.blockSize);
            const firstBlock = page * config.pageBlocks;
            if (firstBlock >= blocks) continue;
            const count = Math.min(config.pageBlocks, blocks - firstBlock);
            // A copy of the page's part of a per-block array: a view would send the whole disk's array to the worker.
            const pagePart = (perBlock: Uint8Array) => perBlock.slice(firstBlock, firstBlock + count);
            tasks.push({
              type: "backup",
              key: diskKey(vm.name, p.name),
              image: p.image,
              imageBytes: p.bytes,
              vhd: p.vhd,
              firstBlock,
              count,
              prevMap: p.prevMaps?.[page],
              snap: snapTargets?.get(p.name),
              ...(p.shared ? { shared: pagePart(p.shared) } : {}),
              ...(p.holes ? { holes: pagePart(p.holes) } : {}),
            });
            taskDisk.push(p.name);
          }
        }
        for (const p of toRead) perDisk.set(p.name, { maps: [], stats: noStats(), seconds: 0, warnings: [] });
        // The disks are read together, page by page: they share the read phase's start.
        const tRead = performance.now();
        const size = Math.max(1, Math.min(opts.workers ?? defaultWorkers(toRead.length), tasks.length));
        pool = new WorkerPool(
          size,
          { vaultPath: vault.path, blob: vault.blob, keys: keys, blockSize: config.blockSize, packTarget: opts.packTarget ?? PACK_TARGET },
          {
            request: (op, ids) => {
              // claim: true = this worker stores the chunk; reuse (an unchanged block's chunk of
              // the previous point): true = it may be referenced, false = this worker stores it;
              // intact (a delta's chunk or base): whether it may be referenced, claiming nothing.
              if (op === "intact") return ids.map((id) => claimed.has(id) || isHealthy(index, id));
              if (op !== "claim" && op !== "reuse") throw new Error("unexpected request");
              return ids.map((id) => {
                if (claimed.has(id) || isHealthy(index, id)) return op === "reuse";
                claimed.add(id);
                return op === "claim";
              });
            },
            progress: (key, bytes) => tracker.advance(key, bytes),
          },
        );
        if (tasks.length) {
          await pool.ready().catch(() => undefined); // a failed start is reported by runAll
          workerStart = (performance.now() - tRead) / 1000;
          const results = await pool.runAll<BackupTaskResult>(tasks, vault.path);
          await pool.finish(vault.path);
          results.forEach((r, i) => {
            if (!r.ok) return;
            const d = perDisk.get(taskDisk[i]);
            if (!d) return;
            d.maps.push(r.result.map);
            for (const k of Object.keys(d.stats) as (keyof ManifestDisk["stats"])[]) d.stats[k] += r.result[k as keyof BackupTaskResult] as number;
          });
        }
        for (const p of toRead) {
          const d = perDisk.get(p.name);
          if (!d) continue;
          d.seconds = (performance.now() - tRead) / 1000;
          const after = statImage(vm.name, p.name, p.image);
          // A dynamic VHD's file may grow; its virtual size is re-checked instead.
          const afterBytes = p.vhd ? (vhdOf(vm.name, p.name, p.image, after.size, "vhd")?.virtualSize ?? -1) : after.size;
          if (afterBytes !== p.bytes) {
            throw new EngineError(ErrorCodes.IMAGE_SIZE_CHANGED, `image ${p.image} changed size while it was being backed up; no recovery point was written. Back up a stopped VM or a snapshot.`);
          }
          if (!unchangedWhileRead(after, p.source)) {
            d.warnings.push(`image ${p.image} was modified while it was read: this point may not be consistent`);
            changedWhileRead.push(p.image);
          }
          tracker.complete(diskKey(vm.name, p.name));
        }
        await pool.close();
        pool = undefined;
      }
      // The point's snapshot is complete before the post-script runs.
      const tFinish = performance.now();
      await finishSnapshot(snaps);
      snapSeconds += (performance.now() - tFinish) / 1000;
      return { plans, perDisk, changedWhileRead };
    };
    const { outcome: scripted, result: snap } = await consistentSnapshot(vm, readImages);
    const { plans, perDisk, changedWhileRead } = snap;
    // An image written to while it was read is a copy of no single moment: crash consistent at best.
    const outcome: Consistency = changedWhileRead.length && scripted.level !== "crash"
      ? { ...scripted, level: "crash", reason: `${changedWhileRead.join(", ")} changed while ${changedWhileRead.length === 1 ? "it was" : "they were"} read, so the copy is not ${scripted.level} consistent (${scripted.reason})` }
      : scripted;

    const manifest: Manifest = {
      format: "bkp-point",
      version: 1,
      id,
      vm: vm.name,
      vault: vault.name,
      seq: (prev?.seq ?? 0) + 1,
      parent: prev?.id,
      createdAt: now.toISOString(),
      consistency: outcome,
      blockSize: config.blockSize,
      pageBlocks: config.pageBlocks,
      disks: plans.map((p) => {
        const d = perDisk.get(p.name);
        if (!d) throw new Error("missing disk result");
        return { name: p.name, imageBytes: p.bytes, source: p.source, detection: p.detection, maps: d.maps, stats: d.stats, ...(p.vhd ? { vhd: vhdRecord(p.vhd) } : {}) };
      }),
      // Inside the sealed manifest: the BEK is under the vault key, and under the KEK too when there is one.
      ...(ade ? { ade: sealAde(ade, vm.name, id) } : {}),
    };
    // The manifest is committed last: only now does the point exist.
    await writeManifest(storage, keys.enc, keys.name, manifest);
    // A snapshot is committed after its point, so every committed snapshot has one; expired ones go.
    const tCommit = performance.now();
    const committed = snaps ? await commitSnapshot(snaps) : undefined;
    const snapshot = committed && { ...committed, seconds: snapSeconds + (performance.now() - tCommit) / 1000 };
    const result: VmBackupResult = {
      vm: vm.name,
      vault: vault.name,
      point: id,
      createdAt: manifest.createdAt,
      consistency: outcome,
      ...(ade ? { adeKeys: ade.kek ? ("bek+kek" as const) : ("bek" as const) } : {}),
      seconds: (performance.now() - t0) / 1000,
      disks: plans.map((p): DiskBackupResult => {
        const d = perDisk.get(p.name);
        if (!d) throw new Error("missing disk result");
        return { disk: p.name, image: p.image, imageBytes: p.bytes, detection: p.detection, ...d.stats, deltaChunks: d.stats.deltaChunks ?? 0, seconds: d.seconds, warnings: d.warnings, ...(p.detectionReason ? { detectionReason: p.detectionReason } : {}) };
      }),
      ...(snapshot ? { snapshot } : {}),
      ...(workerStart !== undefined ? { workerStartSeconds: workerStart } : {}),
      ...(v.warnings.length ? { warnings: v.warnings } : {}),
    };
    // The job log (job-log.ts): what this job measured, once its point is committed.
    const jobLogProblem = await logJob(storage, keys, completedJobRecord(result, now, opts.prediction));
    return jobLogProblem ? { ...result, jobLogProblem } : result;
  } catch (e) {
    if (pool) await pool.close().catch(() => undefined);
    pool = undefined;
    await abortSnapshot(snaps);
    if (v) await v.storage.removeTemporaries().catch(() => undefined);
    // A job that failed with its vault open is logged too (no point; the error's code).
    if (v) await logJob(v.storage, v.keys, failedJobRecord(vm.name, vault.name, now, (performance.now() - t0) / 1000, e, opts.prediction));
    const code = errnoCode(e);
    if (!(e instanceof EngineError) && (code === "ENOSPC" || code === "EDQUOT" || code === "EACCES" || code === "EROFS")) throw vaultWriteError(e, vault.path);
    throw e;
  } finally {
    if (pool) await pool.close().catch(() => undefined);
    await lock.release();
  }
}
