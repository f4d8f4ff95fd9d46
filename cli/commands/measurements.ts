// `bkp plan`'s measured figures: the job logs of the vaults a policy set names, read here (the
// analysis stays pure) and turned into the analysis' Measurements. Never fails the plan: a
// vault that cannot be read becomes one note line saying why.
import fs from "node:fs";
import path from "node:path";
import type { ImageFacts } from "../../src/analyze/engine-model.js";
import type { Measurements } from "../../src/analyze/measured.js";
import type { Model, Vault, Vm } from "../../src/model/model.js";
import { backedUpDisks } from "../../src/plan/compile.js";
import type { JobPrediction } from "../../src/plan/vault-facts.js";
import { predictBackup } from "../../src/analyze/prediction.js";
import type { Io } from "../io.js";
import { engineVault, machineKeyFile, snapshotTier } from "./engine-common.js";

/** A VM's disk images, a stat each (no bytes read); undefined when it has none. */
function imageFacts(vm: Vm): ImageFacts[] | undefined {
  const out: ImageFacts[] = [];
  for (const d of backedUpDisks(vm)) {
    if (!d.image) continue;
    try {
      const st = fs.statSync(d.image);
      out.push({ disk: d.name, bytes: st.size, allocatedBytes: Math.min(st.size, st.blocks * 512) });
    } catch {
      // A missing image: bkp backup will say so (lint: image-missing); the plan predicts nothing for it.
    }
  }
  return out.length ? out : undefined;
}

/**
 * What each vault holds for its VMs with local images: their points (manifests and the snapshot
 * tier, no image bytes), as the plan's facts. A VM whose vault does not exist yet has no points.
 */
async function readVaultFacts(model: Model, io: Io, out: Measurements): Promise<void> {
  const withImages = [...model.vms.values()].filter((vm) => vm.protection === "active" && out.images?.has(vm.name) && (vm.vault.path || vm.vault.blob));
  if (!withImages.length) return;
  out.vault = new Map();
  const { listPoints } = await import("../../src/engine/points.js");
  for (const v of new Set(withImages.map((vm) => vm.vault))) {
    const vms = withImages.filter((vm) => vm.vault === v);
    const source = `vault "${v.name}" (${v.blob ?? v.path})`;
    if (!v.blob && !fs.existsSync(path.join(v.path!, "config"))) {
      for (const vm of vms) out.vault.set(vm.name, { source: `${source}, not created yet`, points: 0, disks: [] });
      continue;
    }
    try {
      const tiers = new Map(vms.map((vm) => [vm.name, snapshotTier(vm)]));
      // Expiry is judged by the plan at each run, not now: the clock at 0 lists every snapshot that
      // still exists with the expiry its policy gives it.
      const pts = await listPoints(engineVault(v), {}, { machineKeyFile: machineKeyFile(io), instantRestore: tiers, now: () => new Date(0) });
      for (const vm of vms) {
        const mine = pts.filter((p) => p.vm === vm.name);
        const last = mine[mine.length - 1];
        out.vault.set(vm.name, {
          source,
          points: mine.length,
          ...(mine.length ? { firstPointMs: Date.parse(mine[0].createdAt), lastPointMs: Date.parse(last.createdAt) } : {}),
          ...(last?.snapshot?.expiresAt ? { snapshotUntilMs: Date.parse(last.snapshot.expiresAt) } : {}),
          disks: last ? last.disks.map((d) => d.name) : [],
        });
      }
    } catch {
      // The job log's reading below says why the vault cannot be opened; these VMs fall back to protected-since.
    }
  }
}

export async function readMeasurements(model: Model, io: Io): Promise<Measurements> {
  const out: Measurements = { vms: new Map(), notes: [] };
  for (const vm of model.vms.values()) {
    const img = imageFacts(vm);
    if (img) (out.images ??= new Map()).set(vm.name, img);
  }
  await readVaultFacts(model, io, out);
  // Only vaults that exist on disk (and blob vaults, which cannot be checked without the
  // engine): the engine is loaded only when there is something to read.
  const vaults = [...model.vaults.values()].filter((v) => v.blob || (v.path && fs.existsSync(path.join(v.path, "config"))));
  if (!vaults.length) return out;
  const { readJobLogs } = await import("../../src/engine/job-log.js");
  // The VMs of each vault, grouped once (not one scan of every VM per vault).
  const vmsOf = new Map<Vault, string[]>();
  for (const vm of model.vms.values()) {
    const names = vmsOf.get(vm.vault);
    if (names) names.push(vm.name);
    else vmsOf.set(vm.vault, [vm.name]);
  }
  for (const v of vaults) {
    const names = vmsOf.get(v);
    if (!names) continue;
    try {
      for (const log of await readJobLogs(engineVault(v), names, { machineKeyFile: machineKeyFile(io) })) {
        // Restore drills' records (kind "restore") measure no backup.
        out.vms.set(log.vm, log.records.filter((r) => r.kind !== "restore"));
        for (const p of log.problems) out.notes.push(`vault "${v.name}", VM "${log.vm}": error[${p.code}]: ${p.problem}`);
      }
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      out.notes.push(`vault "${v.name}": its job log cannot be read, so no measured figures for its VMs: ${typeof code === "string" && code.startsWith("BKP") ? `error[${code}]: ` : ""}${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

/**
 * What the plan predicts for a backup of `vm` started at `ms` (read from its vault and images,
 * as bkp plan does), for the job log to keep beside what the job measures. Never fails the
 * backup: a vault that cannot be read gives no prediction.
 */
export async function predictFor(model: Model, vm: Vm, ms: number, io: Io): Promise<JobPrediction | undefined> {
  try {
    const m = await readMeasurements({ ...model, vms: new Map([[vm.name, vm]]) }, io);
    return predictBackup(vm, m, ms, model.assumptions);
  } catch {
    return undefined;
  }
}
