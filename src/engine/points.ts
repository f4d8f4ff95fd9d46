// Listing recovery points.
import { openVault } from "./vault.js";
import { readManifests, sortPoints } from "./manifest.js";
import type { CommonOptions, EngineVault, PointSummary } from "./types.js";

export async function listPoints(vault: EngineVault, query: { vm?: string } = {}, opts: CommonOptions = {}): Promise<PointSummary[]> {
  const v = await openVault(vault, { create: false, now: new Date(), machineKeyFile: opts.machineKeyFile });
  const reads = await readManifests(v.storage, v.keys.enc, v.keys.name, query.vm);
  const ms = sortPoints(reads.flatMap((r) => (r.manifest ? [r.manifest] : [])));
  ms.sort((a, b) => a.vm.localeCompare(b.vm) || a.seq - b.seq);
  return ms.map((m) => ({
    id: m.id,
    vm: m.vm,
    createdAt: m.createdAt,
    consistency: m.consistency,
    disks: m.disks.map((d) => ({ name: d.name, imageBytes: d.imageBytes, bytesStored: d.stats.bytesStored, detection: d.detection })),
    bytesStored: m.disks.reduce((s, d) => s + d.stats.bytesStored, 0),
    ...(m.ade ? { adeKeys: m.ade.wrap === "kek" ? ("bek+kek" as const) : ("bek" as const) } : {}),
  }));
}
