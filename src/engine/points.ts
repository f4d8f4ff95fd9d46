// Listing recovery points.
import { openVault } from "./vault/vault.js";
import { readManifests, sortPoints } from "./vault/manifest.js";
import { allocatedBytes, effectiveExpiry, listSnapshots, snapshotFiles, snapshotProblem } from "./snapshot/snapshots.js";
import type { StoredSnapshot } from "./snapshot/snapshots.js";
import type { CommonOptions, EngineVault, PointSummary, SnapshotTier } from "./types.js";

export interface ListPointsOptions extends CommonOptions {
  /** Each VM's snapshot tier, to judge snapshot expiry by the current policy (default: the expiry recorded with each snapshot). */
  instantRestore?: ReadonlyMap<string, SnapshotTier>;
}

export async function listPoints(vault: EngineVault, query: { vm?: string } = {}, opts: ListPointsOptions = {}): Promise<PointSummary[]> {
  const now = (opts.now ?? (() => new Date()))();
  const v = await openVault(vault, { create: false, now, machineKeyFile: opts.machineKeyFile });
  const reads = await readManifests(v.storage, v.keys.enc, v.keys.name, query.vm);
  const ms = sortPoints(reads.flatMap((r) => (r.manifest ? [r.manifest] : [])));
  ms.sort((a, b) => a.vm.localeCompare(b.vm) || a.seq - b.seq);
  const snaps = new Map<string, StoredSnapshot[]>();
  const snapshotsOf = (vm: string) => {
    let s = snaps.get(vm);
    if (!s) {
      try {
        s = listSnapshots(vault.path, vm);
      } catch {
        s = []; // an unreadable snapshot folder (BKP5073) hides the tier, not the points
      }
      snaps.set(vm, s);
    }
    return s;
  };
  return ms.map((m) => {
    // DOMAIN §4: a point is in the instant-restore tier while its snapshot exists and has not expired.
    const tier = opts.instantRestore?.get(m.vm);
    const s = snapshotsOf(m.vm).find((x) => x.point === m.id);
    const live = s?.record && !snapshotProblem(s, m.id, v.config.id, tier, now) ? s.record : undefined;
    return {
      id: m.id,
      vm: m.vm,
      createdAt: m.createdAt,
      consistency: m.consistency,
      disks: m.disks.map((d) => ({ name: d.name, imageBytes: d.imageBytes, bytesStored: d.stats.bytesStored, detection: d.detection })),
      bytesStored: m.disks.reduce((s, d) => s + d.stats.bytesStored, 0),
      ...(m.ade ? { adeKeys: m.ade.wrap === "kek" ? ("bek+kek" as const) : ("bek" as const) } : {}),
      ...(live && s
        ? { snapshot: { expiresAt: effectiveExpiry(live, tier).toISOString(), disks: live.disks.map((d) => d.name), allocatedBytes: allocatedBytes(snapshotFiles(s)) } }
        : {}),
    };
  });
}
