// Vault integrity: structure (every point's manifest, block maps, and chunk references) and,
// with readData, every chunk decrypted and re-checked against its keyed id. Damage is reported
// with the recovery points and disks it affects. Leftovers of interrupted backups are notes.
// Then the instant-restore snapshots beside the vault (snapshot-verify.ts): reported apart from
// the vault's damage, since restores fall back to the vault for a damaged snapshot.
import os from "node:os";
import { performance } from "node:perf_hooks";
import { openVault } from "./vault/vault.js";
import type { OpenVault } from "./vault/vault.js";
import { DEFAULT_LOCK_WAIT_MS } from "./vault/lock.js";
import { acquireVaultReadLock } from "./vault/vault-storage.js";
import { readManifests } from "./vault/manifest.js";
import { openPage, pageChunkIds } from "./vault/block-index.js";
import { loadChunkIndex, packObjectName } from "./vault/chunk-store.js";
import { readPackTrailer, rebuildMissingIndexes } from "./vault/pack-recovery.js";
import { recordDamage } from "./vault/damage-record.js";
import { describe } from "./errors.js";
import { WorkerPool } from "./workers/worker-pool.js";
import { ProgressTracker } from "./progress.js";
import type { VerifyPackResult, VerifyPackTask } from "./workers/protocol.js";
import { scanSnapshotTier } from "./snapshot/snapshots.js";
import { verifySnapshots } from "./snapshot/snapshot-verify.js";
import type { Damage, EngineVault, VerifyOptions, VerifyResult } from "./types.js";

type Affects = Damage["affects"];

function addAffect(a: Affects, vm: string, point: string, disk: string): void {
  const x = a.find((y) => y.vm === vm && y.point === point);
  if (!x) a.push({ vm, point, disks: [disk] });
  else if (!x.disks.includes(disk)) x.disks.push(disk);
}

export async function verifyVault(vault: EngineVault, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const t0 = performance.now();
  const now = (opts.now ?? (() => new Date()))();
  const v = await openVault(vault, { create: false, now, machineKeyFile: opts.machineKeyFile });
  // A read lock: a prune deleting a manifest's packs meanwhile would look like damage.
  const lock = await acquireVaultReadLock(vault, `verify of vault "${vault.name}"`, opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  try {
    return await verifyOpen(v, opts, t0, now);
  } finally {
    await lock.release();
  }
}

async function verifyOpen(v: OpenVault, opts: VerifyOptions, t0: number, now: Date): Promise<VerifyResult> {
  const vault = v.def;
  const { storage, keys } = v;
  const damage: Damage[] = [];
  const notes: string[] = [...v.warnings];
  // Listed before the manifests are read: a backup commits a snapshot only after its point's
  // manifest, so every snapshot listed here has its manifest among those read below.
  const snapshotScan = scanSnapshotTier(vault.path);
  // Manifests before pack indexes: a backup commits a pack, then its index, then (last) the
  // manifest, so every chunk a manifest read here references is in an index read after it — a
  // backup running alongside never looks like damage.
  const reads = await readManifests(storage, keys.enc, keys.name);
  const index = await loadChunkIndex(storage, keys.enc);
  for (const d of index.damaged) damage.push({ kind: "index", object: d.object, problem: `${d.problem}; \`bkp repair\` rebuilds it from its pack`, affects: [] });

  // Packs: present, and as long as their index says.
  const badPacks = new Map<string, Damage>();
  for (const [pack, problem] of index.badPacks) {
    const dmg: Damage = { kind: "pack", object: packObjectName(pack), problem, affects: [] };
    badPacks.set(pack, dmg);
    damage.push(dmg);
  }
  // Packs without an index: read-only here (the next backup or `bkp repair` writes the index).
  const orphans = await rebuildMissingIndexes(storage, keys.enc, false);
  const inOrphan = new Map<string, string>();
  for (const t of orphans.rebuilt) for (const e of t.entries) inOrphan.set(e.id.toString("hex"), t.pack);
  if (orphans.rebuilt.length) notes.push(`${orphans.rebuilt.length} pack file(s) without an index (a lost index, or a backup interrupted between pack and index): their trailers are intact; the next backup or \`bkp repair\` rebuilds their indexes`);
  for (const u of orphans.unreadable) damage.push({ kind: "pack", object: u.object, problem: `it has no index and ${u.problem}; its chunks are unknown (kept; \`bkp repair --force\` deletes it)`, affects: [] });

  // With readData: every chunk of every (present) pack decrypted and re-checked.
  const badChunks = new Map<string, Damage>();
  let chunksChecked = 0;
  let bytesChecked = 0;
  if (opts.readData) {
    const byPack = new Map<string, VerifyPackTask["chunks"]>();
    for (const [id, loc] of index.chunks) {
      if (badPacks.has(loc.pack)) continue;
      let l = byPack.get(loc.pack);
      if (!l) byPack.set(loc.pack, (l = []));
      l.push({ id, ...loc });
    }
    const found: { id: string; pack: string; problem: string }[] = [];
    // Each pack's header and trailer (the copy of its index that repairs rely on).
    for (const pack of byPack.keys()) {
      await readPackTrailer(storage, keys.enc, packObjectName(pack)).catch((e: unknown) =>
        damage.push({ kind: "pack", object: packObjectName(pack), problem: `${describe(e)} (its chunks are checked one by one below)`, affects: [] }),
      );
    }
    const tasks: VerifyPackTask[] = [...byPack].map(([pack, chunks]) => ({ type: "verify-pack", key: "vault", pack, chunks }));
    const total = tasks.reduce((s, t) => s + t.chunks.reduce((a, c) => a + c.length, 0), 0);
    const tracker = new ProgressTracker(opts.onProgress);
    tracker.add("vault", vault.name, "*", "verify", total);
    if (tasks.length) {
      const pool = new WorkerPool(
        Math.max(1, Math.min(opts.workers ?? defaultVerifyWorkers(), tasks.length)),
        { vaultPath: vault.path, blob: vault.blob, keys, blockSize: v.config.blockSize, packTarget: 0 },
        { request: () => [], progress: (k, b) => tracker.advance(k, b) },
      );
      try {
        const out = await pool.runAll<VerifyPackResult>(tasks, vault.path);
        out.forEach((r, i) => {
          if (!r.ok) return;
          chunksChecked += tasks[i].chunks.length;
          bytesChecked += r.result.bytes;
          for (const b of r.result.bad) {
            const dmg: Damage = { kind: "chunk", object: `${packObjectName(tasks[i].pack)}#${b.id}`, problem: b.problem, affects: [] };
            badChunks.set(b.id, dmg);
            damage.push(dmg);
            found.push({ id: b.id, pack: tasks[i].pack, problem: b.problem });
          }
        });
        // Recorded so the next backup stores those blocks again instead of referencing them.
        if (opts.recordDamage !== false) await recordDamage(storage, keys.enc, found, "verify", now).catch((e: unknown) => notes.push(`the damage found could not be recorded in the vault (${describe(e)}); run \`bkp repair\``));
      } finally {
        await pool.close();
      }
    }
  }

  // Points: manifests, their block maps, and the chunks those reference.
  const folderVm = new Map<string, string>();
  for (const r of reads) if (r.manifest) folderVm.set(r.name.split("/")[1], r.manifest.vm);
  const mapCache = new Map<string, { ids: string[] } | { problem: string }>();
  const missingChunks = new Map<string, Damage>();
  let points = 0;
  const referenced = new Set<string>();
  for (const r of reads) {
    const id = r.name.slice(r.name.lastIndexOf("/") + 1);
    if (!r.manifest) {
      const vm = folderVm.get(r.name.split("/")[1]) ?? "(unknown VM)";
      damage.push({ kind: "manifest", object: r.name, problem: r.problem ?? "unreadable", affects: [{ vm, point: id, disks: ["(all)"] }] });
      continue;
    }
    points++;
    const m = r.manifest;
    for (const d of m.disks) {
      for (const map of d.maps) {
        let entry = mapCache.get(map);
        if (!entry) {
          try {
            const plain = openPage(keys, map, await storage.get(map));
            entry = { ids: [...new Set(pageChunkIds(plain))] };
          } catch (e) {
            entry = { problem: e instanceof Error ? e.message : String(e) };
          }
          mapCache.set(map, entry);
        }
        if ("problem" in entry) {
          let dmg = damage.find((x) => x.kind === "block-map" && x.object === map);
          if (!dmg) damage.push((dmg = { kind: "block-map", object: map, problem: entry.problem, affects: [] }));
          addAffect(dmg.affects, m.vm, m.id, d.name);
          continue;
        }
        for (const cid of entry.ids) {
          referenced.add(cid);
          const loc = index.chunks.get(cid);
          if (!loc) {
            let dmg = missingChunks.get(cid);
            if (!dmg) {
              const orphan = inOrphan.get(cid);
              const problem = orphan ? `no pack index lists it; pack ${orphan} holds it (its index is lost): \`bkp repair\` rebuilds the index` : "missing: no pack index lists it";
              dmg = { kind: "chunk", object: `chunk ${cid}`, problem, affects: [] };
              missingChunks.set(cid, dmg);
              damage.push(dmg);
            }
            addAffect(dmg.affects, m.vm, m.id, d.name);
            continue;
          }
          const pk = badPacks.get(loc.pack);
          if (pk) addAffect(pk.affects, m.vm, m.id, d.name);
          const bc = badChunks.get(cid);
          if (bc) addAffect(bc.affects, m.vm, m.id, d.name);
        }
      }
    }
  }
  let unreferenced = 0;
  for (const id of index.chunks.keys()) if (!referenced.has(id)) unreferenced++;
  if (unreferenced) notes.push(`${unreferenced} chunk(s) referenced by no recovery point (from interrupted backups): reclaimable by prune`);

  const snaps = await verifySnapshots({
    v,
    scan: snapshotScan,
    reads,
    damage,
    readData: !!opts.readData,
    tiers: opts.instantRestore,
    now,
    tracker: new ProgressTracker(opts.onProgress),
  });
  notes.push(...snaps.notes);
  return {
    vault: vault.name,
    ok: damage.length === 0,
    readData: !!opts.readData,
    points,
    chunksChecked,
    bytesChecked,
    seconds: (performance.now() - t0) / 1000,
    damage,
    notes,
    snapshots: snaps.checks,
    snapshotsOk: snaps.checks.every((c) => c.ok),
    snapshotBytesChecked: snaps.bytesChecked,
  };
}

function defaultVerifyWorkers(): number {
  return Math.min(4, os.availableParallelism());
}
