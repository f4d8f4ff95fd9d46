// Defaults the checker applies where a policy is silent. Each is listed in
// grammar/reference.md ("Defaults"); analysis assumptions are overridable in `assume`.
import Decimal from "decimal.js";
import type { Assumptions, PriceBook } from "./model.js";

export const DEFAULT_TIMEZONE = "UTC";
export const DEFAULT_CONSISTENCY = "application";
/** DOMAIN §1.4: VSS full is the default; copy keeps application logs. */
export const DEFAULT_VSS = "full";
/** Azure creates vaults geo-redundant unless told otherwise. */
export const DEFAULT_REDUNDANCY = "GRS";

const MB = new Decimal(1e6);

export function defaultAssumptions(): Assumptions {
  return {
    transferRateBytesPerSecond: MB.mul(60),
    checksumRateBytesPerSecond: MB.mul(200),
    // DOMAIN §1.7 / §4: at peak times the snapshot-to-vault lag can reach 8 hours.
    peakHours: { from: { hour: 0, minute: 0 }, to: { hour: 6, minute: 0 } },
    peakLagSeconds: new Decimal(8 * 3600),
    prepareSeconds: new Decimal(20 * 60),
    horizonMonths: 12,
    fragmentationFactor: new Decimal(2),
    defaultChurn: { kind: "percent", percent: new Decimal(2) },
    calibrateFromVault: false,
    // Unconfirmed (no DOMAIN figure): a vault starting more VMs than this in one half hour congests.
    congestionVms: 100,
    // Azure counts disk I/O in units of up to 256 KiB; used to turn IOPS into bytes/s.
    restoreIoBytes: new Decimal(256 * 1024),
    // DOMAIN §6: agentless crash-consistent is billed 0.5 PI per VM (preview; GA rate unconfirmed).
    agentlessPiFactor: new Decimal("0.5"),
  };
}

/** The built-in price book (DOMAIN §6 "Price facts"; list prices unconfirmed, overridable). */
export function builtinPriceBook(): PriceBook {
  return {
    name: "azure-default",
    builtin: true,
    currency: "USD",
    unit: "GB",
    unitBytes: new Decimal(1e9),
    instanceTiers: [
      { upTo: new Decimal(50), fee: new Decimal("5.00") },
      { upTo: new Decimal(500), fee: new Decimal("10.00") },
    ],
    instancePer: { block: new Decimal(500), fee: new Decimal("10.00") },
    storagePerUnitMonth: {
      LRS: new Decimal("0.028"),
      ZRS: new Decimal("0.035"),
      GRS: new Decimal("0.056"),
      "RA-GRS": new Decimal("0.0711"),
    },
    snapshotPerUnitMonth: new Decimal("0.05"),
  };
}
