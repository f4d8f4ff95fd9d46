// Billing (DOMAIN §6) with hand-computed expectations; the arithmetic is next to each one.
import { readFileSync } from "node:fs";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { computeCost, instancePrice, type VmCost } from "../../src/analyze/billing.js";
import { builtinPriceBook } from "../../src/model/defaults.js";
import { model } from "../plan/fixtures.js";

const SEED = readFileSync("policies/seed-a2-standard.bkp", "utf8");
const costOf = (text: string, from = "2026-04-01", months = 1) => computeCost(model(text), { from, months });
const vmOf = (text: string, from?: string, months?: number): VmCost => costOf(text, from, months).vms[0];
const s = (d: Decimal) => d.toString();
const cents = (d: Decimal) => d.toFixed(2, Decimal.ROUND_HALF_UP);

describe("the seed's A2 Standard VM (policies/seed-a2-standard.bkp)", () => {
  const v = vmOf(SEED, "2026-05-01", 12);
  it("protected-instance size is exactly 47 GB: 17 + 30 + 0, the 5 GB on the temp disk not counted", () => {
    expect(s(v.protectedInstanceGB)).toBe("47");
    expect(v.unbilledDisks).toEqual([{ name: "temp", reason: "temp" }]);
  });
  it("one protected instance in the <= 50 GB tier: 5.00 USD with the built-in book", () => {
    expect(s(v.instanceUnits)).toBe("1");
    expect(v.instanceTier).toBe("<= 50 GB");
    expect(cents(v.instanceFee)).toBe("5.00");
    expect(v.book.name).toBe("azure-default");
  });
  it("snapshots: 2 instant-restore days × daily churn (0.34 + 1 + 0 GB) = 2.68 GB at 0.05 USD", () => {
    expect(s(v.snapshotGB)).toBe("2.68");
    expect(s(v.snapshotFee)).toBe("0.134");
  });
});

describe("what counts toward the protected instance", () => {
  it("excluded disks are never billed", () => {
    const text = SEED.replace('disk "data2" { role data size 32 TB used 0 GB }', 'disk "data2" { role data size 32 TB used 0 GB }\n  disk "big" { role data size 4 TB used 900 GB exclude }');
    const v = vmOf(text);
    expect(s(v.protectedInstanceGB)).toBe("47");
    expect(v.unbilledDisks.map((d) => d.reason)).toEqual(["temp", "excluded"]);
  });

  it("1,200 GB used: 3 units (per started 500 GB: 500 + 500 + 200), 30.00 USD", () => {
    const text = SEED.replace("used 17 GB", "used 200 GB").replace("used 30 GB", "used 1000 GB");
    const v = vmOf(text);
    expect(s(v.protectedInstanceGB)).toBe("1200");
    expect(s(v.instanceUnits)).toBe("3");
    expect(cents(v.instanceFee)).toBe("30.00");
    expect(v.instanceTier).toBe("per started 500 GB");
  });

  it("the tier boundaries of the built-in book", () => {
    const book = builtinPriceBook();
    const fee = (gb: string) => [s(instancePrice(new Decimal(gb), book).units), cents(instancePrice(new Decimal(gb), book).fee)];
    expect(fee("50")).toEqual(["1", "5.00"]);
    expect(fee("50.5")).toEqual(["1", "10.00"]);
    expect(fee("500")).toEqual(["1", "10.00"]);
    expect(fee("501")).toEqual(["2", "20.00"]); // Microsoft's estimator: 501 GB is 2 instances
    expect(fee("2000")).toEqual(["4", "40.00"]); // DOMAIN §6's example
  });

  it("agentless crash-consistent: 0.5 units, half the fee", () => {
    const v = vmOf(SEED.replace("consistency application", "type enhanced\n  consistency agentless-crash"));
    expect(s(v.instanceUnits)).toBe("0.5");
    expect(cents(v.instanceFee)).toBe("2.50");
    const custom = vmOf(SEED.replace("consistency application", "type enhanced\n  consistency agentless-crash") + "assume { agentless-pi 0.75 }\n");
    expect(cents(custom.instanceFee)).toBe("3.75");
  });
});

const ONE = (lines: string, disk: string, retain = "  retain daily 30 days") => `vault "vt" { redundancy LRS }
policy "pol" {
  schedule daily at 02:30
  timezone "UTC"
  instant-restore 2 days
${retain}
}
vm "x" {
  os windows
  policy "pol"
  vault "vt"
${lines}
${disk}
}
`;

describe("backup storage from the retention simulation", () => {
  it("30 days of daily retention at 2 GB/day: 100 GB + 29 increments × 2 GB = 158 GB every day of April", () => {
    // Each day's end holds the 30 points of the last 30 days: the oldest carries the full 100 GB,
    // the 29 others 2 GB of churn each.
    const v = vmOf(ONE("  protected-since 2026-01-01", '  disk "os" { role os size 1 TB used 100 GB churn 2 GB per day }'));
    expect(s(v.storageGB)).toBe("158");
    expect(s(v.storageFee)).toBe("4.424"); // 158 × 0.028 (LRS)
    expect(s(v.snapshotGB)).toBe("4"); // 2 days × 2 GB
    expect(cents(v.instanceFee)).toBe("10.00"); // 100 GB: the <= 500 GB tier
    expect(cents(v.monthlyTotal)).toBe("14.62"); // 10 + 4.424 + 0.20
  });

  it("retention fills up month by month for a new VM", () => {
    const c = costOf(ONE("", '  disk "os" { role os size 1 TB used 100 GB churn 2 GB per day }'), "2026-04-01", 3);
    const storage = c.projection.map((m) => m.storageGB.toFixed(2));
    // April: first backup 04-01; day k's end holds k+1 points: (30 × 100 + 2 × (0+1+…+29)) / 30 = 129 GB.
    // May: full 30-point window from 05-01 on (points of 04-02 … 05-01 at the end of 05-01): 158 GB.
    expect(storage).toEqual(["129.00", "158.00", "158.00"]);
  });

  it("a weekly rule keeps older Sundays on top of the 30 daily points", () => {
    // At the end of April day D the daily rule holds D-29 … D (30 points) and the weekly rule
    // (12 weeks = 84 days) adds the Sundays D-83 … D-30: 7 or 8 of them, 232 over April's 30 days
    // (e.g. on 04-30: 02-08, 02-15, … 03-29 = 8). Storage = 100 + 2 × (points − 1):
    // (30 × 158 + 2 × 232) / 30 = 5,204 / 30 = 173.47 GB.
    const v = vmOf(ONE("  protected-since 2026-01-01", '  disk "os" { role os size 1 TB used 100 GB churn 2 GB per day }', "  retain daily 30 days\n  retain weekly 12 weeks on Sun"), "2026-04-01", 1);
    expect(v.storageGB.toFixed(2)).toBe("173.47");
    expect(v.storageGB.mul(30).toDecimalPlaces(10).toString()).toBe("5204");
  });
});

describe("lifecycle (DOMAIN §6)", () => {
  it("first protected mid-month: PI prorated by days, storage and snapshots from the first backup", () => {
    // protected-since 2026-04-16: 15 of April's 30 days.
    const v = vmOf(ONE("  protected-since 2026-04-16", '  disk "os" { role os size 1 TB used 47 GB churn 1 GB per day }'));
    expect(v.daysBilled).toBe(15);
    expect(cents(v.instanceFee)).toBe("2.50"); // 5.00 × 15 / 30
    // Day-ends 04-16 … 04-30 hold 1 … 15 points: Σ (47 + k) for k = 0 … 14 = 705 + 105 = 810 GB-days / 30 = 27 GB.
    expect(s(v.storageGB)).toBe("27");
    // Snapshots ramp: 1 GB on the first day, then 2 GB (2 days kept): (1 + 14 × 2) / 30 GB.
    expect(v.snapshotGB.mul(30).toString()).toBe("29");
    expect(cents(v.monthlyTotal)).toBe("3.30"); // 2.50 + 27 × 0.028 + 29/30 × 0.05
  });

  it("stopped, data retained: billed all month at the last backup's size, storage held as it was", () => {
    // Points held on 04-01 00:00: those of 03-02 … 03-31 (30 points): 61 + 29 × 1 = 90 GB.
    const v = vmOf(ONE("  protected-since 2026-01-01\n  protection stopped retain-data", '  disk "os" { role os size 1 TB used 61 GB churn 1 GB per day }'), "2026-04-01", 2);
    expect(v.lifecycle).toBe("stopped-retain-data");
    expect(cents(v.instanceFee)).toBe("10.00"); // 61 GB: <= 500 GB tier, full month
    expect(s(v.storageGB)).toBe("90");
    expect(s(v.snapshotGB)).toBe("0"); // no new backups, no snapshots
    expect(cents(v.monthlyTotal)).toBe("12.52"); // 10 + 90 × 0.028
  });

  it("stopped, data deleted: nothing", () => {
    const v = vmOf(ONE("  protected-since 2026-01-01\n  protection stopped delete-data", '  disk "os" { role os size 1 TB used 61 GB }'));
    expect(cents(v.monthlyTotal)).toBe("0.00");
    expect(s(v.storageGB)).toBe("0");
  });

  it("not yet protected within the projection: nothing", () => {
    const v = vmOf(ONE("  protected-since 2027-01-01", '  disk "os" { role os size 1 TB used 61 GB }'));
    expect(v.lifecycle).toBe("not-yet-protected");
    expect(cents(v.monthlyTotal)).toBe("0.00");
  });
});

describe("independence", () => {
  it("a VM's bill does not depend on the other VMs of its policy (earlier or later first backups)", () => {
    const disk = '  disk "os" { role os size 1 TB used 100 GB churn 2 GB per day }';
    const alone = vmOf(ONE("  protected-since 2026-03-10", disk), "2026-04-01", 2);
    const withOthers = costOf(
      ONE("  protected-since 2026-03-10", disk) + ['vm "early" {\n  os linux\n  policy "pol"\n  vault "vt"\n  protected-since 2025-06-01\n' + disk + "\n}\n", 'vm "late" {\n  os linux\n  policy "pol"\n  vault "vt"\n' + disk + "\n}\n"].join(""),
      "2026-04-01",
      2,
    ).vms.find((v) => v.vm.name === "x")!;
    expect(withOthers.storageGB.eq(alone.storageGB)).toBe(true);
    expect(withOthers.monthlyTotal.eq(alone.monthlyTotal)).toBe(true);
  });
});

describe("price books", () => {
  it("a user's book in GiB overrides the built-in one", () => {
    const text = ONE("  protected-since 2026-01-01", '  disk "os" { role os size 1 TiB used 64 GiB churn 0 GB per day }').replace('vault "vt" { redundancy LRS }', 'vault "vt" { redundancy LRS pricing "ea" }\npricing "ea" {\n  currency EUR\n  unit GiB\n  instance up-to 64 GiB 4.00\n  instance per 100 GiB 9.00\n  storage LRS 0.02 per GB-month\n  snapshot 0.04 per GB-month\n}');
    const c = costOf(text);
    const v = c.vms[0];
    expect(c.currency).toBe("EUR");
    expect(s(v.protectedInstanceGB)).toBe("64"); // 64 GiB in GiB units
    expect(cents(v.instanceFee)).toBe("4.00");
    expect(s(v.storageGB)).toBe("64"); // no churn: one full copy
    expect(cents(v.storageFee)).toBe("1.28");
  });
});

describe("archive tier (DOMAIN §6)", () => {
  const text = (book: string) =>
    ONE("  protected-since 2026-01-01", '  disk "os" { role os size 1 TB used 100 GB churn 0 GB per day }', "  retain daily 7 days\n  retain monthly 12 months on day 1\n  archive after 3 months").replace(
      'vault "vt" { redundancy LRS }',
      `vault "vt" { redundancy LRS pricing "b" }\npricing "b" {\n  instance up-to 500 GB 10.00\n  storage LRS 0.028 per GB-month\n  snapshot 0.05 per GB-month\n${book}}`,
    );
  it("an archived point is a full copy at the archive price", () => {
    // The 2026-01-01 point moves on 04-01 02:30 (3 months old, 9 months left): every April day-end
    // holds it in the archive: 100 GB. The Feb and Mar points move in May and June.
    const v = vmOf(text("  archive 0.002 per GB-month\n"));
    expect(s(v.archiveGB)).toBe("100");
    expect(s(v.archiveFee)).toBe("0.2");
  });
  it("without an archive price the points stay in backup storage, and a note says so", () => {
    const c = costOf(text(""));
    expect(s(c.vms[0].archiveGB)).toBe("0");
    expect(c.notes.map((n) => n.code)).toEqual(["BKP3016"]);
  });
});

describe("totals", () => {
  it("per vault and overall, in the headline month", () => {
    const c = costOf(SEED, "2026-05-01", 12);
    expect(c.month).toBe("2027-04");
    expect(c.vaults.map((v) => [v.vault.name, cents(v.monthlyTotal)])).toEqual([["prod", cents(c.vms[0].monthlyTotal)]]);
    expect(cents(c.monthlyTotal)).toBe(cents(c.vms[0].monthlyTotal));
    expect(c.projection).toHaveLength(12);
    expect(c.projection[11].total.eq(c.monthlyTotal)).toBe(true);
  });
});
