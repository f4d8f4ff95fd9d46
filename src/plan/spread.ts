// Restore spreading: assign the VMs of a `restore` block to its storage accounts by its rule
// (one VM per account, or at most N disks per account), balancing predicted restore time, and
// say what the rule cannot satisfy.
//
// Restore model (DOMAIN §4): data is copied from the vault into a storage account; restores
// into one account queue, several accounts restore at once; an account's speed is its IOPS
// and throughput, less what other applications already use (`load`). A VM's disks restore
// into one staging account (as in Azure), so a VM is never split across accounts.
import type { Assumptions, Model, RestorePlanSpec, StorageAccount } from "../model/model.js";
import type { AccountAssignment, RestoreAssignment, RestoreVm, SpreadViolation } from "./types.js";
import { compareText } from "../utils/compare.js";

/** Bytes per second an account gives restores: min(throughput, IOPS × I/O size) × (1 − load). */
export function restoreRate(a: StorageAccount, as: Assumptions): { rate: number; basis: string } {
  const limits: { rate: number; what: string }[] = [];
  if (a.throughputBytesPerSecond) limits.push({ rate: a.throughputBytesPerSecond.toNumber(), what: "throughput" });
  if (a.iops) limits.push({ rate: a.iops * as.restoreIoBytes.toNumber(), what: `${a.iops} IOPS × ${as.restoreIoBytes.div(1024).toString()} KiB` });
  // An account that states neither limit restores at the assumed transfer rate.
  const best = limits.length ? limits.reduce((x, y) => (y.rate < x.rate ? y : x)) : { rate: as.transferRateBytesPerSecond.toNumber(), what: "assumed transfer-rate" };
  const free = 1 - a.loadPercent.toNumber() / 100;
  const loadNote = a.loadPercent.isZero() ? "" : `, ${a.loadPercent.toString()}% used by other applications`;
  return { rate: best.rate * free, basis: `${best.what}${loadNote}` };
}

function restoreVms(spec: RestorePlanSpec): RestoreVm[] {
  return spec.vms.map((vm) => {
    // Only what was backed up comes back: not the temp disk, not excluded disks (DOMAIN §6).
    const disks = vm.disks.filter((d) => d.role !== "temp" && !d.excluded);
    return { vm, disks, bytes: disks.reduce((s, d) => s + d.usedBytes.toNumber(), 0) };
  });
}

export function spreadRestore(spec: RestorePlanSpec, as: Assumptions): RestoreAssignment {
  const violations: SpreadViolation[] = [];
  const accounts: AccountAssignment[] = spec.into.map((account) => {
    const r = restoreRate(account, as);
    return { account, rate: r.rate, rateBasis: r.basis, vms: [], disks: 0, bytes: 0, seconds: 0 };
  });
  const vms = restoreVms(spec).sort((a, b) => b.bytes - a.bytes || compareText(a.vm.name, b.vm.name));
  if (!accounts.length) {
    if (vms.length) violations.push({ kind: "no-accounts", message: `restore "${spec.name}" has no storage account to restore into`, vms: vms.map((v) => v.vm.name) });
    return { spec, accounts, violations, seconds: 0 };
  }
  const finish = (a: AccountAssignment, v: RestoreVm) => (a.rate > 0 ? (a.bytes + v.bytes) / a.rate : Infinity);
  const pickFastest = (pool: AccountAssignment[], v: RestoreVm) =>
    pool.reduce((best, a) => {
      const fa = finish(a, v);
      const fb = finish(best, v);
      return fa < fb || (fa === fb && a.disks < best.disks) ? a : best;
    });
  const max = spec.spread.kind === "max-disks" ? spec.spread.max : Infinity;
  // Largest VM first onto the account that would finish it soonest (LPT scheduling).
  for (const v of vms) {
    let pool: AccountAssignment[];
    if (spec.spread.kind === "one-vm-per-account") {
      const empty = accounts.filter((a) => a.vms.length === 0);
      pool = empty.length ? empty : accounts;
    } else {
      const fits = accounts.filter((a) => a.disks + v.disks.length <= max);
      pool = fits.length ? fits : accounts;
      if (v.disks.length > max) {
        violations.push({ kind: "vm-over-limit", message: `vm "${v.vm.name}" has ${v.disks.length} disks to restore, more than the ${max} per account the rule allows`, vms: [v.vm.name] });
      }
    }
    const a = pickFastest(pool, v);
    a.vms.push(v);
    a.disks += v.disks.length;
    a.bytes += v.bytes;
    a.seconds = a.rate > 0 ? a.bytes / a.rate : Infinity;
  }
  for (const a of accounts) {
    if (spec.spread.kind === "one-vm-per-account" && a.vms.length > 1) {
      violations.push({
        kind: "shared-account",
        account: a.account.name,
        vms: a.vms.map((v) => v.vm.name),
        message: `restore "${spec.name}" puts ${a.vms.length} VMs into storage account "${a.account.name}": ${spec.vms.length} VMs, ${accounts.length} account${accounts.length === 1 ? "" : "s"}`,
      });
    }
    if (a.disks > max && !a.vms.some((v) => v.disks.length > max)) {
      violations.push({ kind: "too-many-disks", account: a.account.name, vms: a.vms.map((v) => v.vm.name), message: `restore "${spec.name}" needs ${a.disks} disks in storage account "${a.account.name}"; the rule allows ${max}` });
    }
  }
  return { spec, accounts, violations, seconds: Math.max(0, ...accounts.map((a) => a.seconds)) };
}

export function spreadRestores(model: Model): RestoreAssignment[] {
  return [...model.restores.values()].map((r) => spreadRestore(r, model.assumptions));
}
