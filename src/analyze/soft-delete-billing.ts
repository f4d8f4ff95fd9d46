// Soft delete beyond the free 14 days (docs/domain.md#vault-security): a VM whose protection is
// stopped with its data deleted keeps that data soft-deleted for the vault's retention; the
// days beyond 14 incur regular backup charges. bkp bills them as one-off charges, as if the
// data was deleted on the projection's first day: the VM's protected-instance fee and the
// storage of one full copy of its billed disks, prorated per day of that month.
import Decimal from "decimal.js";
import type { Model } from "../model/model.js";
import { SOFT_DELETE_DAYS } from "../model/vault-security.js";
import { daysInMonth, parseIsoDate } from "../plan/time.js";
import { compareText } from "../utils/compare.js";
import { instancePrice } from "./billing.js";

export interface SoftDeleteCharge {
  vm: string;
  vault: string;
  currency: string;
  /** The vault's soft-delete retention, and the days of it that are billed. */
  retentionDays: number;
  billedDays: number;
  protectedInstanceGB: Decimal;
  instanceFee: Decimal;
  storageGB: Decimal;
  storageFee: Decimal;
  total: Decimal;
  /** Why it is billed, for people. */
  reason: string;
}

/** One-off soft-delete charges of the VMs stopped with delete-data (`from`: the projection's first day). */
export function softDeleteCharges(model: Model, from: string): SoftDeleteCharge[] {
  const day = parseIsoDate(from);
  if (!day) throw new Error(`not an ISO date: ${from}`);
  const dim = daysInMonth(day.year, day.month);
  const out: SoftDeleteCharge[] = [];
  for (const vm of [...model.vms.values()].sort((a, b) => compareText(a.name, b.name))) {
    const sd = vm.vault.security.softDelete;
    if (vm.protection !== "stopped-delete-data" || sd.state === "off" || sd.days <= SOFT_DELETE_DAYS.free) continue;
    const book = vm.vault.priceBook;
    const billedDays = sd.days - SOFT_DELETE_DAYS.free;
    let bytes = new Decimal(0);
    for (const d of vm.disks) if (d.role !== "temp" && !d.excluded) bytes = bytes.add(d.usedBytes);
    const size = bytes.div(book.unitBytes);
    const factor = vm.policy.consistency === "agentless-crash" ? model.assumptions.agentlessPiFactor : new Decimal(1);
    const share = new Decimal(billedDays).div(dim);
    const instanceFee = instancePrice(size, book, factor).fee.mul(share);
    const storageGB = size.mul(share);
    const storageFee = storageGB.mul(book.storagePerUnitMonth[vm.vault.redundancy] ?? 0);
    out.push({
      vm: vm.name,
      vault: vm.vault.name,
      currency: book.currency,
      retentionDays: sd.days,
      billedDays,
      protectedInstanceGB: size,
      instanceFee,
      storageGB,
      storageFee,
      total: instanceFee.add(storageFee),
      reason: `vm "${vm.name}" is stopped with its data deleted: vault "${vm.vault.name}" keeps it soft-deleted ${sd.days} days, and the ${billedDays} days beyond the free ${SOFT_DELETE_DAYS.free} are billed at regular rates (PI and storage of ${size.toDecimalPlaces(2).toString()} ${book.unit}, ${billedDays}/${dim} of a month; docs/domain.md#vault-security)`,
    });
  }
  return out;
}
