// `bkp plan`'s measured figures: the job logs of the vaults a policy set names, read here (the
// analysis stays pure) and turned into the analysis' Measurements. Never fails the plan: a
// vault that cannot be read becomes one note line saying why.
import fs from "node:fs";
import path from "node:path";
import type { Measurements } from "../../src/analyze/measured.js";
import type { Model, Vault } from "../../src/model/model.js";
import type { Io } from "../io.js";
import { engineVault, machineKeyFile } from "./engine-common.js";

export async function readMeasurements(model: Model, io: Io): Promise<Measurements> {
  const out: Measurements = { vms: new Map(), notes: [] };
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
        out.vms.set(log.vm, log.records);
        for (const p of log.problems) out.notes.push(`vault "${v.name}", VM "${log.vm}": error[${p.code}]: ${p.problem}`);
      }
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      out.notes.push(`vault "${v.name}": its job log cannot be read, so no measured figures for its VMs: ${typeof code === "string" && code.startsWith("BKP") ? `error[${code}]: ` : ""}${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
