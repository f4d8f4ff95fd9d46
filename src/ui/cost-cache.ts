// The bill of a policy set, recomputed in parts. `computeCost` spends most of its time on
// each policy's retention timeline, which every VM of the policy shares; a what-if edit
// changes one policy, one vault or one VM. So the VMs are billed in groups of one policy and
// one vault, each group's report is kept under the source text it depends on, and only the
// groups whose text changed are billed again; the groups' reports are then added up the way
// `computeCost` adds up vaults (bytes and fees are linear in the VMs, so the sums are exact).
// A change of a vault's redundancy changes only the storage price (DOMAIN §6: storage GB ×
// the price book's price for the redundancy), so its groups are re-priced, not billed again.
import Decimal from "decimal.js";
import type { BlockAst } from "../lang/ast.js";
import { computeCost, RISK_CODES, type CostOptions, type CostReport, type MonthCost, type Risk, type VaultCost, type VmCost } from "../analyze/index.js";
import { sumMonths } from "../analyze/billing.js";
import type { Model, Vault, Vm } from "../model/model.js";
import { compareText } from "../utils/compare.js";

/** The text a block was written with, and where (so a moved block counts as changed). */
export type BlockSource = (block: BlockAst) => string;

const ZERO = new Decimal(0);
const STORAGE_ACCOUNT = /\bstorage-account\s+"(?:[^"\\]|\\.)*"/g;
/** Reports kept: the current groups plus a few generations back, so undo finds them again. */
const CAPACITY = 256;

export class CostCache {
  private readonly reports = new Map<string, CostReport>();
  /** The last report of each group whatever its vault's redundancy, to re-price. */
  private readonly byGroup = new Map<string, { vault: Vault; report: CostReport }>();
  /** Groups billed (not found in the cache) by the last `compute`, for tests and the benchmark. */
  lastComputed = 0;
  /** Groups re-priced for another redundancy by the last `compute`. */
  lastRepriced = 0;

  compute(model: Model, source: BlockSource, opts: CostOptions): CostReport {
    const groups = new Map<string, Vm[]>();
    for (const vm of model.vms.values()) {
      const key = `${vm.policy.name}\u0000${vm.vault.name}`;
      const g = groups.get(key);
      if (g) g.push(vm);
      else groups.set(key, [vm]);
    }
    // What every group depends on besides its own blocks: price books and assumptions.
    const shared = model.files.flatMap((f) => f.blocks.filter((b) => b.kind === "pricing" || b.kind === "assume").map(source)).join("\n");
    const parts: CostReport[] = [];
    this.lastComputed = 0;
    this.lastRepriced = 0;
    for (const vms of groups.values()) {
      const { policy, vault } = vms[0];
      const head = [`${opts.from}|${opts.months}`, shared, source(policy.ast)];
      // Where a disk lives (its storage account) is not billed: moving it re-bills nothing.
      const tail = vms.map((v) => source(v.ast).replace(STORAGE_ACCOUNT, ""));
      const key = [...head, source(vault.ast), ...tail].join("\n\u0000");
      const group = [...head, vault.name, ...tail].join("\n\u0000");
      let r = this.reports.get(key);
      if (r) this.reports.delete(key);
      else {
        const prev = this.byGroup.get(group);
        if (prev && onlyRedundancyDiffers(prev.vault, vault)) {
          r = reprice(prev.report, vault);
          this.lastRepriced++;
        } else {
          r = computeCost({ ...model, vms: new Map(vms.map((v) => [v.name, v])), restores: new Map() }, opts);
          this.lastComputed++;
        }
      }
      this.reports.set(key, r);
      this.byGroup.delete(group);
      this.byGroup.set(group, { vault, report: r });
      parts.push(r);
    }
    for (const m of [this.reports, this.byGroup]) while (m.size > CAPACITY) m.delete(m.keys().next().value!);
    if (!parts.length) return computeCost({ ...model, vms: new Map() }, opts);
    return mergeReports(parts, opts);
  }
}

/** Whether two versions of a vault bill alike but for the redundancy's storage price. */
function onlyRedundancyDiffers(a: Vault, b: Vault): boolean {
  const billing = (v: Vault) => JSON.stringify([v.name, v.priceBook.name, v.region, v.path, v.encryption, v.security.softDelete]);
  return billing(a) === billing(b);
}

/** A group's report (one vault) with storage priced for the vault's redundancy now. */
export function reprice(r: CostReport, vault: Vault): CostReport {
  const price = vault.priceBook.storagePerUnitMonth[vault.redundancy] ?? ZERO;
  const month = (m: MonthCost): MonthCost => {
    const storageFee = m.storageGB.mul(price);
    return { ...m, storageFee, total: m.instanceFee.add(storageFee).add(m.archiveFee).add(m.snapshotFee) };
  };
  const vms = r.vms.map((v) => {
    const storageFee = v.storageGB.mul(price);
    return { ...v, vault, storageFee, monthlyTotal: v.instanceFee.add(storageFee).add(v.archiveFee).add(v.snapshotFee) };
  });
  const vaults = r.vaults.map((v) => {
    const projection = v.projection.map(month);
    return { ...v, vault, projection, monthlyTotal: projection[projection.length - 1].total };
  });
  const projection = r.projection.map(month);
  // Soft-deleted data is billed at the storage price too (soft-delete-billing.ts).
  const softDelete = r.softDelete.map((c) => {
    const storageFee = c.storageGB.mul(price);
    return { ...c, storageFee, total: c.instanceFee.add(storageFee) };
  });
  return { ...r, vms, vaults, projection, softDelete, monthlyTotal: projection[projection.length - 1]?.total ?? ZERO };
}

/** Adds up reports of disjoint sets of VMs into one, as `computeCost` would have made it. */
export function mergeReports(parts: CostReport[], opts: CostOptions): CostReport {
  const vms: VmCost[] = parts.flatMap((p) => p.vms).sort((a, b) => compareText(a.vm.name, b.vm.name));
  const byVault = new Map<string, VaultCost[]>();
  for (const p of parts) for (const v of p.vaults) byVault.set(v.vault.name, [...(byVault.get(v.vault.name) ?? []), v]);
  const months = parts[0].projection.map((m) => m.month);
  const last = months.length - 1;
  const vaults: VaultCost[] = [...byVault.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([, vs]) => {
      const projection = months.map((m, i) => sumMonths(m, vs.map((v) => v.projection[i])));
      return { vault: vs[0].vault, currency: vs[0].currency, vms: vs.reduce((n, v) => n + v.vms, 0), monthlyTotal: projection[last].total, projection };
    });
  // As computeCost: the currency most vaults use is the headline one; others are reported beside it.
  const byCurrency = new Map<string, VaultCost[]>();
  for (const v of vaults) byCurrency.set(v.currency, [...(byCurrency.get(v.currency) ?? []), v]);
  const currencies = [...byCurrency.keys()].sort((a, b) => byCurrency.get(b)!.length - byCurrency.get(a)!.length || a.localeCompare(b));
  const total = (vs: VaultCost[]) => months.map((m, i) => sumMonths(m, vs.map((v) => v.projection[i])));
  const projection = total(byCurrency.get(currencies[0]) ?? []);
  const notes = new Map<string, Risk>();
  for (const p of parts) {
    for (const n of p.notes) {
      if (n.code === "BKP3017") continue;
      const key = `${n.code}|${n.subject}`;
      const prev = notes.get(key);
      notes.set(key, prev ? { ...prev, vms: [...new Set([...prev.vms, ...n.vms])].sort() } : n);
    }
  }
  if (currencies.length > 1) {
    notes.set("BKP3017", { code: "BKP3017", severity: RISK_CODES.BKP3017.severity, vms: [], subject: currencies.join(","), message: `vaults are priced in ${currencies.join(", ")}; totals are given per currency, not converted`, hint: "use price books in one currency to get one total" });
  }
  return {
    from: opts.from,
    months: opts.months,
    month: months[last],
    currency: currencies[0] ?? "USD",
    monthlyTotal: projection[last]?.total ?? ZERO,
    otherCurrencies: currencies.slice(1).map((c) => ({ currency: c, monthlyTotal: total(byCurrency.get(c)!)[last].total })),
    vms,
    vaults,
    softDelete: parts.flatMap((p) => p.softDelete).sort((a, b) => compareText(a.vm, b.vm)),
    projection,
    notes: [...notes.values()],
  };
}

