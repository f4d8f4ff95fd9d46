// Retention in the vault: expire recovery points by the policy's rules, then delete what no
// remaining point references. The decision is src/plan/retention.ts's `pruneDecision`, the same
// code the analysis uses, so `bkp plan`'s predicted points and the vault's real points agree.
//
// Space is reclaimed by deleting block-map pages no point uses and packs none of whose chunks a
// point uses, and by repacking (repack.ts) packs whose live chunks are under REPACK_BELOW of
// their bytes: their live chunks move to new packs, committed before the old ones are deleted.
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fsyncDir } from "./vault/storage.js";
import { DateTime } from "../utils/luxon.js";
import { pointFates, pruneDecision } from "../plan/retention.js";
import type { RetentionSpec } from "../plan/retention.js";
import { DEFAULT_LOCK_WAIT_MS } from "./vault/lock.js";
import { acquireVaultLock } from "./vault/vault-storage.js";
import { openVault } from "./vault/vault.js";
import { pointObjectName, readManifests, vmFolder } from "./vault/manifest.js";
import type { Manifest } from "./vault/manifest.js";
import { openObject } from "./vault/crypto.js";
import { pageChunkIds, pageObjectName } from "./vault/block-index.js";
import { decodePackIndex, indexObjectName, packIdOfName, packObjectName } from "./vault/chunk-store.js";
import { rebuildMissingIndexes } from "./vault/pack-recovery.js";
import type { PackEntry } from "./vault/chunk-store.js";
import { REPACK_BELOW, repackPacks } from "./repack.js";
import type { RepackCandidate } from "./repack.js";
import { allocatedBytes, expireSnapshot, expiring, listSnapshots, removeSnapshotLeftovers, snapshotFiles } from "./snapshot/snapshots.js";
import type { StoredSnapshot } from "./snapshot/snapshots.js";
import type { CommonOptions, EngineVault } from "./types.js";

export interface PruneOptions extends CommonOptions {
  /** Decide and report, delete nothing. */
  dryRun?: boolean;
  /**
   * How long to wait for the vault lock — a running backup, then running readers (restore,
   * verify) — before failing with BKP5010 (default 2000 ms, both waits together).
   */
  lockWaitMs?: number;
}

export interface PrunedPoint {
  vm: string;
  id: string;
  createdAt: string;
  /** The retention rules that keep (kept) or kept (expired) the point. */
  keptBy: string[];
  /** When retention lets the point go (ISO, UTC). */
  expires: string;
  /** Why the point is kept or expires, in words: its rules and until when, or "the newest point: always kept" once its rules' dates are past. */
  reason: string;
}

/** An instant-restore snapshot prune deletes (or would, with --dry-run). */
export interface PrunedSnapshot {
  vm: string;
  point: string;
  createdAt?: string;
  reason: string;
  /** Allocated bytes of its files (st_blocks × 512); a file shared with a kept snapshot frees nothing. */
  allocatedBytes: number;
}

export interface PruneResult {
  vault: string;
  dryRun: boolean;
  now: string;
  kept: PrunedPoint[];
  expired: PrunedPoint[];
  /** Instant-restore snapshots deleted: expired by the policy's `instant-restore` days (DOMAIN §6), or of expired points. */
  snapshotsExpired: PrunedSnapshot[];
  /** Snapshots still in the tier afterwards, and the space they take (each file counted once). */
  snapshotsKept: number;
  snapshotBytes: number;
  /** Why some snapshots were not looked at (an unreadable snapshot folder, BKP5073); points are pruned regardless. */
  snapshotProblem?: string;
  /** VMs with points in this vault but no retention given (not in the policy files): untouched. */
  untouchedVms: string[];
  mapsDeleted: number;
  packsDeleted: number;
  bytesFreed: number;
  /** Packs kept because some of their chunks are live (at least REPACK_BELOW of their bytes, or repacking failed), and the bytes of their dead chunks. */
  packsPartlyLive: number;
  bytesReclaimableByRepack: number;
  /** Partly-live packs whose live chunks are under REPACK_BELOW (80 %) of their bytes: rewritten (with --dry-run: would be), and their live bytes. */
  packsToRepack: number;
  bytesToRepack: number;
  /** Packs rewritten and deleted (0 with --dry-run). */
  packsRepacked: number;
  /** Packs that were to be repacked but were kept, and why. */
  repackSkipped: string[];
  /** Why unreferenced data was not removed (damage makes references unknowable). */
  gcSkipped?: string;
  seconds: number;
}

/**
 * Expires points and removes unreferenced data. `retention` maps VM names to their policy's
 * retention; points of other VMs are left alone. Holds the vault's writer lock throughout, so a
 * concurrent backup waits (or fails with BKP5010) instead of reusing a chunk being deleted; the
 * lock is marked to exclude readers, and prune starts only once no restore or verify is reading
 * (else BKP5010 naming them), so none of them finds a manifest, map or pack gone half-way.
 */
export async function pruneVault(vault: EngineVault, retention: ReadonlyMap<string, RetentionSpec>, opts: PruneOptions = {}): Promise<PruneResult> {
  const t0 = performance.now();
  const now = (opts.now ?? (() => new Date()))();
  const dry = !!opts.dryRun;
  const v = await openVault(vault, { create: false, now, machineKeyFile: opts.machineKeyFile });
  // A dry run deletes nothing, so it need not keep readers out.
  const lock = await acquireVaultLock(vault, dry ? "prune --dry-run" : "prune", opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS, { excludeReaders: !dry });
  try {
    const { storage, keys } = v;
    if (!dry) await storage.removeTemporaries();
    const reads = await readManifests(storage, keys.enc, keys.name);
    const byVm = new Map<string, Manifest[]>();
    for (const r of reads) if (r.manifest) byVm.set(r.manifest.vm, [...(byVm.get(r.manifest.vm) ?? []), r.manifest]);

    const kept: PrunedPoint[] = [];
    const expired: PrunedPoint[] = [];
    const live: Manifest[] = [];
    const untouchedVms: string[] = [];
    for (const [vm, ms] of [...byVm].sort((a, b) => a[0].localeCompare(b[0]))) {
      const spec = retention.get(vm);
      if (!spec) {
        untouchedVms.push(vm);
        live.push(...ms);
        continue;
      }
      const times = ms.map((m) => DateTime.fromISO(m.createdAt, { zone: spec.zone }));
      const fates = pointFates(times, spec);
      const d = pruneDecision(times, spec, DateTime.fromJSDate(now, { zone: spec.zone }));
      const row = (i: number, keep: boolean): PrunedPoint => {
        const expires = fates[i].expires.toUTC().toISO() ?? "";
        const rules = fates[i].keptBy.join(", ");
        // A date already past keeps nothing: a kept point whose rules have ended is the newest.
        const ruleKeeps = fates[i].keptBy.length > 0 && fates[i].expires.toMillis() > now.getTime();
        const reason = keep ? (ruleKeeps ? `${rules} until ${expires}` : "the newest point: always kept") : rules ? `kept by ${rules} until ${expires}` : "kept by no rule";
        return { vm, id: ms[i].id, createdAt: ms[i].createdAt, keptBy: fates[i].keptBy, expires, reason };
      };
      for (const i of d.keep) {
        kept.push(row(i, true));
        live.push(ms[i]);
      }
      for (const i of d.expire) expired.push(row(i, false));
    }
    kept.sort((a, b) => a.vm.localeCompare(b.vm) || a.createdAt.localeCompare(b.createdAt));
    expired.sort((a, b) => a.vm.localeCompare(b.vm) || a.createdAt.localeCompare(b.createdAt));
    // The snapshot tier first (Azure deletes a point's snapshot before the point): per VM of the
    // policy, snapshots past the policy's instant-restore days, of expiring points, or of gone ones.
    const snapshotsExpired: PrunedSnapshot[] = [];
    const keptSnapshots: StoredSnapshot[] = [];
    let snapshotProblem: string | undefined;
    try {
      if (!dry) await removeSnapshotLeftovers(vault.path);
      const expiredIds = new Set(expired.map((p) => `${p.vm}\0${p.id}`));
      for (const [vm, ms] of [...byVm].sort((a, b) => a[0].localeCompare(b[0]))) {
        const spec = retention.get(vm);
        if (!spec) continue;
        const snaps = listSnapshots(vault.path, vm);
        const points = new Set(reads.filter((r) => r.name.startsWith(`points/${vmFolder(keys.name, vm)}/`)).map((r) => r.name.slice(r.name.lastIndexOf("/") + 1)));
        const going = expiring(snaps, points, v.config.id, { days: spec.instantRestoreDays, zone: spec.zone }, now, new Set(ms.filter((m) => expiredIds.has(`${vm}\0${m.id}`)).map((m) => m.id)));
        const goingDirs = new Set(going.map((g) => g.snapshot.dir));
        keptSnapshots.push(...snaps.filter((x) => !goingDirs.has(x.dir)));
        for (const g of going) {
          snapshotsExpired.push({ vm, point: g.snapshot.point, ...(g.createdAt ? { createdAt: g.createdAt } : {}), reason: g.reason, allocatedBytes: allocatedBytes(snapshotFiles(g.snapshot)) });
          if (!dry) await expireSnapshot(vault.path, vm, g.snapshot);
        }
      }
    } catch (e) {
      snapshotProblem = `instant-restore snapshots were not pruned: ${e instanceof Error ? e.message : String(e)}`;
    }
    // Then the manifests, before any data: from here on the points are gone, and whatever the
    // data deletion below leaves after a crash is only unreferenced objects, which the next prune removes.
    if (!dry && expired.length) {
      const folders = new Set<string>();
      for (const p of expired) {
        folders.add(vmFolder(keys.name, p.vm));
        await storage.delete(pointObjectName(vmFolder(keys.name, p.vm), p.id));
      }
      // The deletions must be durable before any data goes: a manifest that came back after a
      // machine crash would reference deleted packs.
      for (const f of folders) await storage.syncFolder(`points/${f}`);
    }

    const res: PruneResult = {
      vault: vault.name,
      dryRun: dry,
      now: now.toISOString(),
      kept,
      expired,
      snapshotsExpired,
      snapshotsKept: keptSnapshots.length,
      snapshotBytes: allocatedBytes(keptSnapshots.flatMap(snapshotFiles)),
      ...(snapshotProblem ? { snapshotProblem } : {}),
      untouchedVms,
      mapsDeleted: 0,
      packsDeleted: 0,
      bytesFreed: 0,
      packsPartlyLive: 0,
      bytesReclaimableByRepack: 0,
      packsToRepack: 0,
      bytesToRepack: 0,
      packsRepacked: 0,
      repackSkipped: [],
      seconds: 0,
    };
    const damaged = reads.filter((r) => !r.manifest);
    if (damaged.length) {
      res.gcSkipped = `${damaged.length} recovery point manifest(s) cannot be read, so what they reference is unknown; no data was deleted (run \`bkp verify\`)`;
    } else {
      await collect(v, live, dry, res);
    }
    res.seconds = (performance.now() - t0) / 1000;
    return res;
  } finally {
    await lock.release();
  }
}

/** Deletes the block-map pages and packs no live point references (counted only when dry). */
async function collect(v: Awaited<ReturnType<typeof openVault>>, live: Manifest[], dry: boolean, res: PruneResult): Promise<void> {
  const { storage, keys } = v;
  const liveMaps = new Set(live.flatMap((m) => m.disks.flatMap((d) => d.maps)));
  const liveChunks = new Set<string>();
  for (const map of liveMaps) {
    let plain: Buffer;
    try {
      plain = openObject(keys.enc, map, await storage.get(map));
      if (pageObjectName(keys.mapId, plain) !== map) throw new Error("content does not match its name");
    } catch (e) {
      res.gcSkipped = `block map ${map} of a kept point cannot be read (${e instanceof Error ? e.message : String(e)}), so the chunks it references are unknown; no data was deleted (run \`bkp verify\`)`;
      return;
    }
    // A delta's base is live while the delta is: restoring the block reads both.
    for (const id of pageChunkIds(plain)) liveChunks.add(id);
  }
  // Packs without an index get it back from their trailer first (a lost index is not garbage:
  // kept points may reference the pack); one whose trailer is unreadable is kept (pack-recovery.ts).
  const orphans = await rebuildMissingIndexes(storage, keys.enc, !dry);
  // Packs: read every index first; a damaged one stops the collection (its chunks are unknown).
  const packs: { pack: string; size: number; liveBytes: number; deadBytes: number; live: boolean; liveEntries: PackEntry[] }[] = [];
  const indexNames = [...new Set([...(await storage.list("index")), ...orphans.rebuilt.map((t) => indexObjectName(t.pack))])];
  for (const name of indexNames) {
    const orphan = orphans.rebuilt.find((t) => indexObjectName(t.pack) === name);
    let idx: ReturnType<typeof decodePackIndex>;
    try {
      idx = orphan ? { pack: orphan.pack, packSize: orphan.size, entries: orphan.entries } : decodePackIndex(openObject(keys.enc, name, await storage.get(name)));
      if (idx.pack !== packIdOfName(name)) throw new Error("index names another pack");
    } catch (e) {
      res.gcSkipped = `pack index ${name} cannot be read (${e instanceof Error ? e.message : String(e)}); no data was deleted (run \`bkp verify\`)`;
      return;
    }
    let liveBytes = 0;
    let deadBytes = 0;
    const liveEntries: PackEntry[] = [];
    for (const e of idx.entries) {
      if (liveChunks.has(e.id.toString("hex"))) {
        liveBytes += e.length;
        liveEntries.push(e);
      } else deadBytes += e.length;
    }
    packs.push({ pack: idx.pack, size: idx.packSize, liveBytes, deadBytes, live: liveBytes > 0, liveEntries });
  }
  for (const name of await storage.list("maps")) {
    if (liveMaps.has(name)) continue;
    res.mapsDeleted++;
    if (!dry) await storage.delete(name);
  }
  const toRepack: RepackCandidate[] = [];
  for (const p of packs) {
    if (p.live) {
      if (p.deadBytes && p.liveBytes < REPACK_BELOW * p.size) {
        toRepack.push({ pack: p.pack, size: p.size, live: p.liveEntries });
        res.packsToRepack++;
        res.bytesToRepack += p.liveBytes;
      } else if (p.deadBytes) {
        res.packsPartlyLive++;
        res.bytesReclaimableByRepack += p.deadBytes;
      }
      continue;
    }
    res.packsDeleted++;
    res.bytesFreed += p.size;
    if (!dry) {
      // Index first: a crash in between leaves an index-less pack, which backups remove.
      await storage.delete(indexObjectName(p.pack));
      await storage.delete(packObjectName(p.pack));
    }
  }
  // Index-less packs left now are those with an unreadable trailer: their chunks are unknown, so
  // they are kept (`bkp verify` reports them, `bkp repair --force` deletes them).
  // Last, the partly-live packs under the threshold: rewritten, then deleted (repack.ts).
  if (dry) {
    res.bytesFreed += toRepack.reduce((n, p) => n + p.size - p.live.reduce((m, e) => m + e.length, 0), 0);
    return;
  }
  const r = await repackPacks(v, toRepack);
  res.bytesFreed += r.bytesFreed;
  res.packsRepacked = r.packsRepacked;
  for (const x of r.skipped) {
    res.packsPartlyLive++;
    res.repackSkipped.push(`pack ${x.pack} was not repacked: ${x.problem} (run \`bkp verify --read-data\`)`);
  }
}

