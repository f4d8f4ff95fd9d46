// Backing up a VM's disk images into its vault as one recovery point.
import fs from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { EngineError, ErrorCodes, errnoCode, vaultWriteError } from "./errors.js";
import { acquireLock } from "./lock.js";
import { openVault } from "./vault.js";
import type { OpenVault } from "./vault.js";
import { readManifests, newPointId, sortPoints, writeManifest } from "./manifest.js";
import type { Manifest, ManifestDisk, SourceStat } from "./manifest.js";
import { sameFile, statImage } from "./image-reader.js";
import { indexObjectName, loadChunkIndex, packIdOfName } from "./chunk-store.js";
import { WorkerPool } from "./worker-pool.js";
import { ConsistencyFailure, snapshotConsistently } from "./consistency.js";
import { VhdError, detectVhd, vhdRecord } from "./vhd.js";
import type { VhdLayout } from "./vhd.js";
import { readAdeSource, sealAde } from "./ade.js";
import { ProgressTracker, diskKey } from "./progress.js";
import { completedJobRecord, failedJobRecord, logJob } from "./job-log.js";
import type { BackupTask, BackupTaskResult } from "./protocol.js";
import { abortSnapshot, checksumReason, commitSnapshot, finishSnapshot, openSnapshotSession, prepareSnapshot, snapshotTierOf } from "./snapshots.js";
import { onGrainGrid } from "./snapshot-chain.js";
import type { SnapshotSession } from "./snapshots.js";
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
}

/** The image's VHD layout, or undefined for a raw image; a damaged VHD is an error. */
function vhdOf(vmName: string, disk: string, image: string, size: number): VhdLayout | undefined {
  const fd = fs.openSync(image, "r");
  try {
    return detectVhd(fd, size);
  } catch (e) {
    if (e instanceof VhdError) throw new EngineError(ErrorCodes.IMAGE_READ, `disk "${disk}" of VM "${vmName}": ${image}: ${e.message}. Nothing was backed up.`);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

export function defaultWorkers(disks: number): number {
  // DOMAIN §1.7: disks in parallel (4 disks -> 4 streams), and at least one thread per core.
  return Math.min(8, Math.max(os.availableParallelism(), disks));
}

export function latestManifest(ms: Manifest[]): Manifest | undefined {
  const s = sortPoints(ms);
  return s[s.length - 1];
}

export async function backupVm(vault: EngineVault, vm: EngineVm, opts: BackupOptions = {}): Promise<VmBackupResult> {
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
  const lock = await acquireLock(vault.path, `backup of VM ${vm.name}`, opts.lockWaitMs ?? 2000);
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
    // The instant-restore snapshot tier (snapshots.ts): the previous point's snapshot decides the detection.
    const tier = snapshotTierOf(vm, opts);
    if (tier) snaps = await openSnapshotSession(vault, config.id, vm.name, tier, now, prev?.id, reads.map((r) => r.name.slice(r.name.lastIndexOf("/") + 1)));
    const id = newPointId(now);
    // DOMAIN §2: the engine's snapshot is the read of the images: their state is pinned from the
    // first stat to the last block read, so pre/post scripts run around exactly that window.
    const readImages = async () => {
      const sameLayout = prev !== undefined && prev.blockSize === config.blockSize && prev.pageBlocks === config.pageBlocks;
      const plans: DiskPlan[] = vm.disks.map((d) => {
        const source = statImage(vm.name, d.name, d.image);
        const vhd = vhdOf(vm.name, d.name, d.image, source.size);
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
        const gone = pd && sameLayout && sameFormat ? checksumReason(snaps, d.name) : undefined;
        if (pd && sameLayout && sameFormat && !gone && sameFile(pd.source, source)) return { ...base, detection: "unchanged-file", prevMaps: pd.maps, prevDisk: pd };
        if (pd && sameLayout && sameFormat) return { ...base, detection: "block-checksum", prevMaps: pd.maps, prevDisk: pd, ...(gone ? { detectionReason: gone } : {}) };
        return { ...base, detection: "full" };
      });
      // The point's snapshot (snapshots.ts) is copied while the workers read the images.
      const snapTargets = snaps
        ? await prepareSnapshot(snaps, id, now.toISOString(), plans.map((p) => ({ name: p.name, image: p.image, source: p.source, unchanged: p.detection === "unchanged-file", copy: !!p.vhd || !onGrainGrid(config.blockSize, config.pageBlocks), bytes: p.bytes })))
        : undefined;

      const tracker = new ProgressTracker(opts.onProgress);
      for (const p of plans) tracker.add(diskKey(vm.name, p.name), vm.name, p.name, "backup", p.bytes);
      const perDisk = new Map<string, { maps: string[]; stats: ManifestDisk["stats"]; seconds: number; warnings: string[] }>();
      const toRead = plans.filter((p) => p.detection !== "unchanged-file");
      for (const p of plans) {
        if (p.detection === "unchanged-file") {
          perDisk.set(p.name, { maps: p.prevMaps ?? [], stats: { bytesRead: 0, bytesChanged: 0, bytesStored: 0, bytesZero: 0, newChunks: 0, dedupedChunks: 0 }, seconds: 0, warnings: [] });
          tracker.complete(diskKey(vm.name, p.name));
        }
      }

      if (toRead.length) {
        const index = await loadChunkIndex(storage, keys.enc);
        // A pack without an index is what a killed backup leaves; no point can reference it.
        for (const name of await storage.list("packs")) {
          const pack = packIdOfName(name);
          if (!index.packs.has(pack) && (await storage.size(indexObjectName(pack))) === undefined) await storage.delete(name);
        }
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
            tasks.push({
              type: "backup",
              key: diskKey(vm.name, p.name),
              image: p.image,
              imageBytes: p.bytes,
              vhd: p.vhd,
              firstBlock,
              count: Math.min(config.pageBlocks, blocks - firstBlock),
              prevMap: p.prevMaps?.[page],
              snap: snapTargets?.get(p.name),
            });
            taskDisk.push(p.name);
          }
        }
        const started = new Map<string, number>();
        for (const p of toRead) {
          perDisk.set(p.name, { maps: [], stats: { bytesRead: 0, bytesChanged: 0, bytesStored: 0, bytesZero: 0, newChunks: 0, dedupedChunks: 0 }, seconds: 0, warnings: [] });
          started.set(p.name, performance.now());
        }
        const size = Math.max(1, Math.min(opts.workers ?? defaultWorkers(toRead.length), tasks.length));
        pool = new WorkerPool(
          size,
          { vaultPath: vault.path, keys: keys, blockSize: config.blockSize, packTarget: opts.packTarget ?? PACK_TARGET },
          {
            request: (op, ids) => {
              if (op !== "claim") throw new Error("unexpected request");
              return ids.map((id) => {
                if (index.chunks.has(id) || claimed.has(id)) return false;
                claimed.add(id);
                return true;
              });
            },
            progress: (key, bytes) => tracker.advance(key, bytes),
          },
        );
        if (tasks.length) {
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
          d.seconds = (performance.now() - (started.get(p.name) ?? 0)) / 1000;
          const after = statImage(vm.name, p.name, p.image);
          // A dynamic VHD's file may grow; its virtual size is re-checked instead.
          const afterBytes = p.vhd ? (vhdOf(vm.name, p.name, p.image, after.size)?.virtualSize ?? -1) : after.size;
          if (afterBytes !== p.bytes) {
            throw new EngineError(ErrorCodes.IMAGE_SIZE_CHANGED, `image ${p.image} changed size while it was being backed up; no recovery point was written. Back up a stopped VM or a snapshot.`);
          }
          if (!sameFile(after, p.source)) d.warnings.push(`image ${p.image} was modified while it was read: this point may not be consistent`);
          tracker.complete(diskKey(vm.name, p.name));
        }
        await pool.close();
        pool = undefined;
      }
      // The point's snapshot is complete before the post-script runs.
      await finishSnapshot(snaps);
      return { plans, perDisk };
    };
    const { outcome, result: snap } = await consistentSnapshot(vm, readImages);
    const { plans, perDisk } = snap;

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
    const snapshot = snaps ? await commitSnapshot(snaps) : undefined;
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
        return { disk: p.name, image: p.image, imageBytes: p.bytes, detection: p.detection, ...d.stats, seconds: d.seconds, warnings: d.warnings, ...(p.detectionReason ? { detectionReason: p.detectionReason } : {}) };
      }),
      ...(snapshot ? { snapshot } : {}),
    };
    // The job log (job-log.ts): what this job measured, once its point is committed.
    const jobLogProblem = await logJob(storage, keys, completedJobRecord(result, now));
    return jobLogProblem ? { ...result, jobLogProblem } : result;
  } catch (e) {
    if (pool) await pool.close().catch(() => undefined);
    pool = undefined;
    await abortSnapshot(snaps);
    if (v) await v.storage.removeTemporaries().catch(() => undefined);
    // A job that failed with its vault open is logged too (no point; the error's code).
    if (v) await logJob(v.storage, v.keys, failedJobRecord(vm.name, vault.name, now, (performance.now() - t0) / 1000, e));
    const code = errnoCode(e);
    if (!(e instanceof EngineError) && (code === "ENOSPC" || code === "EDQUOT" || code === "EACCES" || code === "EROFS")) throw vaultWriteError(e, vault.path);
    throw e;
  } finally {
    if (pool) await pool.close().catch(() => undefined);
    lock.release();
  }
}
