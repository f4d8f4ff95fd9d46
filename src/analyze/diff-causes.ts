// Why a VM's bill changed between two policy sets: the inputs of the bill that differ
// (redundancy, price book, retention, schedule, instant-restore days, archive tiering,
// consistency, lifecycle, disks), named as a reviewer would say them.
import type Decimal from "decimal.js";
import type { Disk, Policy, Vm } from "../model/model.js";

const GB = 1e9;
const size = (b: Decimal) => `${b.div(GB).toDecimalPlaces(1).toString()} GB`;
/** Equal in meaning: source positions (ast, range, syntax) are not compared. */
const meaning = (x: unknown) => JSON.stringify(x, (k, v: unknown) => (k === "ast" || k === "range" || k === "syntax" ? undefined : v));
const same = (a: unknown, b: unknown) => meaning(a) === meaning(b);

function retentionText(vm: Vm): string {
  const r = vm.policy.retention;
  const parts = [r.daily && `daily ${r.daily.days} days`, r.weekly && `weekly ${r.weekly.weeks} weeks`, r.monthly && `monthly ${r.monthly.months} months`, r.yearly && `yearly ${r.yearly.years} years`];
  return parts.filter(Boolean).join(", ") || "none";
}

function diskCauses(a: Disk[], b: Disk[]): string[] {
  const out: string[] = [];
  const before = new Map(a.map((d) => [d.name, d]));
  const after = new Map(b.map((d) => [d.name, d]));
  for (const [name, d] of after) {
    const o = before.get(name);
    if (!o) {
      out.push(`disk "${name}" added (${size(d.usedBytes)} used)`);
      continue;
    }
    if (!o.usedBytes.eq(d.usedBytes)) out.push(`disk "${name}" used ${size(o.usedBytes)} → ${size(d.usedBytes)}`);
    if (!o.churnBytesPerDay.eq(d.churnBytesPerDay)) out.push(`disk "${name}" churn ${size(o.churnBytesPerDay)} → ${size(d.churnBytesPerDay)} per day`);
    if (o.excluded !== d.excluded) out.push(`disk "${name}" ${d.excluded ? "excluded" : "included"}`);
    if (o.role !== d.role) out.push(`disk "${name}" role ${o.role} → ${d.role}`);
  }
  for (const name of before.keys()) if (!after.has(name)) out.push(`disk "${name}" removed`);
  return out;
}

/** The inputs of the VM's bill that differ, old → new. */
export function billCauses(a: Vm, b: Vm): string[] {
  const out: string[] = [];
  if (a.vault.name !== b.vault.name) out.push(`vault ${a.vault.name} → ${b.vault.name}`);
  if (a.vault.redundancy !== b.vault.redundancy) out.push(`redundancy ${a.vault.redundancy} → ${b.vault.redundancy}`);
  if (a.vault.priceBook.name !== b.vault.priceBook.name) out.push(`price book ${a.vault.priceBook.name} → ${b.vault.priceBook.name}`);
  else if (!same(a.vault.priceBook, b.vault.priceBook)) out.push(`price book ${b.vault.priceBook.name}'s prices`);
  if (a.policy.name !== b.policy.name) out.push(`policy ${a.policy.name} → ${b.policy.name}`);
  if (!same(a.policy.schedule, b.policy.schedule) || a.policy.zone !== b.policy.zone) out.push("schedule");
  if (!same(a.policy.retention, b.policy.retention)) out.push(`retention ${retentionText(a)} → ${retentionText(b)}`);
  if (a.policy.instantRestoreDays !== b.policy.instantRestoreDays) out.push(`instant-restore ${a.policy.instantRestoreDays} → ${b.policy.instantRestoreDays} days`);
  if (tieringText(a.policy) !== tieringText(b.policy)) out.push(`archive tiering ${tieringText(a.policy)} → ${tieringText(b.policy)}`);
  if (a.policy.consistency !== b.policy.consistency) out.push(`consistency ${a.policy.consistency} → ${b.policy.consistency}`);
  if (a.state !== b.state) out.push(`state ${a.state} → ${b.state}`);
  if (a.protection !== b.protection) out.push(`protection ${a.protection} → ${b.protection}`);
  if (a.protectedSince !== b.protectedSince) out.push(`protected since ${a.protectedSince ?? "-"} → ${b.protectedSince ?? "-"}`);
  out.push(...diskCauses(a.disks, b.disks));
  return out;
}

/** A policy's archive tiering in words: after N units, recommended, never, or off (no line). */
function tieringText(p: Policy): string {
  if (p.archiveAfter) return `after ${p.archiveAfter.count} ${p.archiveAfter.unit}${p.archiveAfter.count === 1 ? "" : "s"}`;
  return p.archiveRecommended ? "recommended" : p.archiveNever ? "never" : "off";
}
