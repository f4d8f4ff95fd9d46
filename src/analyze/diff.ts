// `bkp cost diff OLD NEW`: what a policy change does to the monthly bill (per VM) and to the
// risks. VMs are matched by name, risks by code and subject.
import Decimal from "decimal.js";
import type { CostReport, VmCost } from "./billing.js";
import type { Risk } from "./risks.js";
import { billCauses } from "./diff-causes.js";
import type { IrreversibleChange } from "./irreversible.js";

export interface VmDiff {
  name: string;
  old?: VmCost;
  new?: VmCost;
  /** New monthly total − old (a missing side counts as 0). */
  delta: Decimal;
  /** What changed, for people: its causes first ("redundancy LRS → GRS"), then the billed figures ("storage 108.28 → 158.83 GB"). */
  why: string[];
}

export interface CostDiff {
  month: string;
  currency: string;
  oldTotal: Decimal;
  newTotal: Decimal;
  delta: Decimal;
  /** VMs whose bill or figures changed, largest change first. */
  vms: VmDiff[];
  unchanged: number;
  newRisks: Risk[];
  resolvedRisks: Risk[];
  /** Risks present on both sides. */
  keptRisks: number;
  /**
   * Totals and deltas are in whole cents, so the VM deltas and `rounding` add up to `delta`
   * exactly: each VM's bill is rounded to the cent, the totals are rounded once.
   */
  rounding: Decimal;
  /** Changes Azure cannot undo (irreversible.ts), acknowledged or not. */
  irreversible: IrreversibleChange[];
}

const ZERO = new Decimal(0);
const gb = (x: Decimal) => x.toDecimalPlaces(2).toString();
const money = (x: Decimal) => x.toFixed(2, Decimal.ROUND_HALF_UP);

const cents = (x: Decimal) => x.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

function why(a: VmCost, b: VmCost): string[] {
  const out = billCauses(a.vm, b.vm);
  if (a.lifecycle !== b.lifecycle) out.push(`${a.lifecycle} → ${b.lifecycle}`);
  if (!a.protectedInstanceGB.eq(b.protectedInstanceGB)) out.push(`protected instance ${gb(a.protectedInstanceGB)} → ${gb(b.protectedInstanceGB)} GB`);
  if (!a.instanceUnits.eq(b.instanceUnits)) out.push(`PI units ${a.instanceUnits} → ${b.instanceUnits}`);
  else if (money(a.instanceFee) !== money(b.instanceFee)) out.push(`PI fee ${money(a.instanceFee)} → ${money(b.instanceFee)}`);
  if (gb(a.storageGB) !== gb(b.storageGB)) out.push(`storage ${gb(a.storageGB)} → ${gb(b.storageGB)} GB`);
  if (gb(a.archiveGB) !== gb(b.archiveGB)) out.push(`archive ${gb(a.archiveGB)} → ${gb(b.archiveGB)} GB`);
  if (gb(a.snapshotGB) !== gb(b.snapshotGB)) out.push(`snapshots ${gb(a.snapshotGB)} → ${gb(b.snapshotGB)} GB`);
  // Nothing in the VM changed but its bill: the horizon or the price book's tiers moved it.
  if (!out.length && money(a.monthlyTotal) !== money(b.monthlyTotal)) out.push("bill changed with no change to this VM (the billed month or shared prices)");
  return out;
}

const riskKey = (r: Risk) => `${r.code}|${r.subject}`;

export function diffCosts(before: { cost: CostReport; risks: Risk[] }, after: { cost: CostReport; risks: Risk[] }, irreversible: IrreversibleChange[] = []): CostDiff {
  const oldVms = new Map(before.cost.vms.map((v) => [v.vm.name, v]));
  const newVms = new Map(after.cost.vms.map((v) => [v.vm.name, v]));
  const names = [...new Set([...oldVms.keys(), ...newVms.keys()])].sort();
  const vms: VmDiff[] = [];
  let unchanged = 0;
  for (const name of names) {
    const a = oldVms.get(name);
    const b = newVms.get(name);
    const delta = cents(b?.monthlyTotal ?? ZERO).sub(cents(a?.monthlyTotal ?? ZERO));
    const reasons = a && b ? why(a, b) : [a ? "removed" : "added"];
    if (!reasons.length) {
      unchanged++;
      continue;
    }
    vms.push({ name, old: a, new: b, delta, why: reasons });
  }
  vms.sort((x, y) => y.delta.abs().cmp(x.delta.abs()) || (x.name < y.name ? -1 : 1));
  const oldKeys = new Set(before.risks.map(riskKey));
  const newKeys = new Set(after.risks.map(riskKey));
  const oldTotal = cents(before.cost.monthlyTotal);
  const newTotal = cents(after.cost.monthlyTotal);
  const delta = newTotal.sub(oldTotal);
  return {
    month: after.cost.month,
    currency: after.cost.currency,
    oldTotal,
    newTotal,
    delta,
    rounding: delta.sub(vms.reduce((s, v) => s.add(v.delta), ZERO)),
    vms,
    unchanged,
    newRisks: after.risks.filter((r) => !oldKeys.has(riskKey(r))),
    resolvedRisks: before.risks.filter((r) => !newKeys.has(riskKey(r))),
    keptRisks: after.risks.filter((r) => oldKeys.has(riskKey(r))).length,
    irreversible,
  };
}
