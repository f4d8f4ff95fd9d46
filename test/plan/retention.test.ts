// Retention: which recovery points exist when, under daily/weekly/monthly/yearly rules.
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import type { Retention } from "../../src/model/model.js";
import { pointFates, pointsAt, pruneDecision, type RetentionSpec } from "../../src/plan/retention.js";

const utc = (iso: string) => DateTime.fromISO(iso, { zone: "UTC" });
/** One point a day at 02:30 UTC from `first`, `n` days. */
const daily = (first: string, n: number) => Array.from({ length: n }, (_, i) => utc(`${first}T02:30:00`).plus({ days: i }));
const iso = (d: DateTime | undefined) => d?.toUTC().toISO({ suppressMilliseconds: true });

const GFS: Retention = {
  daily: { days: 7 },
  weekly: { weeks: 4, weekdays: [7] },
  monthly: { months: 3, on: { kind: "weekdays", ordinals: [1], weekdays: [7] } },
  yearly: { years: 2, months: [1], on: { kind: "weekdays", ordinals: [1], weekdays: [7] } },
};
const spec = (retention: Retention, extra: Partial<RetentionSpec> = {}): RetentionSpec => ({ retention, zone: "UTC", instantRestoreDays: 2, ...extra });

describe("grandfather-father-son retention", () => {
  const points = daily("2026-01-01", 120);
  const fates = pointFates(points, spec(GFS));
  const at = (d: string) => fates.find((f) => iso(f.at) === `${d}T02:30:00Z`)!;

  it("a point kept by several rules lives until the latest of their expiries", () => {
    // 2026-01-04 is the first Sunday of January 2026: daily, weekly, monthly and yearly.
    const p = at("2026-01-04");
    expect(p.keptBy).toEqual(["daily", "weekly", "monthly", "yearly"]);
    expect(iso(p.expiries.daily)).toBe("2026-01-11T02:30:00Z"); // + 7 days
    expect(iso(p.expiries.weekly)).toBe("2026-02-01T02:30:00Z"); // + 4 weeks
    expect(iso(p.expiries.monthly)).toBe("2026-04-04T02:30:00Z"); // + 3 months
    expect(iso(p.expiries.yearly)).toBe("2028-01-04T02:30:00Z"); // + 2 years
    expect(iso(p.expires)).toBe("2028-01-04T02:30:00Z");
    expect(iso(p.snapshotExpires)).toBe("2026-01-06T02:30:00Z"); // instant restore: 2 days
  });

  it("weekdays and ordinals select the right days", () => {
    expect(at("2026-01-05").keptBy).toEqual(["daily"]); // a Monday
    expect(at("2026-01-11").keptBy).toEqual(["daily", "weekly"]); // the second Sunday
    expect(at("2026-02-01").keptBy).toEqual(["daily", "weekly", "monthly"]); // first Sunday of February, not January
    expect(iso(at("2026-02-01").expires)).toBe("2026-05-01T02:30:00Z");
  });

  it("lists the points that exist on a date", () => {
    const alive = pointsAt(fates, utc("2026-03-01T12:00:00")).map((f) => iso(f.at)!.slice(0, 10));
    // daily (7 days): 02-23 … 03-01 (02-22's point expired at 03-01 02:30);
    // weekly (4 weeks) Sundays 02-08, 02-15, 02-22 (02-01's weekly expiry was 03-01 02:30);
    // monthly (3 months): 01-04 and 02-01 (03-01 is also daily); yearly: 01-04.
    expect(alive).toEqual(["2026-01-04", "2026-02-01", "2026-02-08", "2026-02-15", "2026-02-22", "2026-02-23", "2026-02-24", "2026-02-25", "2026-02-26", "2026-02-27", "2026-02-28", "2026-03-01"]);
  });

  it("works on real recovery point times, in any order and off schedule", () => {
    const real = [utc("2026-03-02T02:41:07"), utc("2026-03-01T02:33:59"), utc("2026-03-01T14:00:00")];
    const f = pointFates(real, spec(GFS));
    // 2026-03-01 is the first Sunday of March: its first point is the weekly/monthly one; the second point that day is daily only.
    expect(f[1].keptBy).toEqual(["daily", "weekly", "monthly"]);
    expect(f[2].keptBy).toEqual(["daily"]);
    expect(f[0].keptBy).toEqual(["daily"]);
    expect(iso(f[1].expires)).toBe("2026-06-01T02:33:59Z");
  });
});

describe("days of the month", () => {
  it("'last' is each month's last day; a day a month lacks selects nothing that month", () => {
    const points = daily("2026-01-01", 181);
    const f = pointFates(points, spec({ daily: { days: 7 }, monthly: { months: 12, on: { kind: "days", days: [31, "last"] } } }));
    const monthly = f.filter((x) => x.keptBy.includes("monthly")).map((x) => iso(x.at)!.slice(0, 10));
    expect(monthly).toEqual(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]);
  });

  it("yearly by day of month in named months", () => {
    const points = daily("2026-01-01", 365);
    const f = pointFates(points, spec({ daily: { days: 7 }, yearly: { years: 3, months: [3, 9], on: { kind: "days", days: [15] } } }));
    const yearly = f.filter((x) => x.keptBy.includes("yearly"));
    expect(yearly.map((x) => iso(x.at)!.slice(0, 10))).toEqual(["2026-03-15", "2026-09-15"]);
    expect(iso(yearly[0].expires)).toBe("2029-03-15T02:30:00Z");
  });
});

describe("time zones", () => {
  it("days are the policy's local days, and expiries keep the wall time across DST", () => {
    const ny = (s: string) => DateTime.fromISO(s, { zone: "America/New_York" });
    // Saturday 2026-03-07 23:30 local is Sunday 04:30 UTC: a Saturday point, not a Sunday one.
    const f = pointFates([ny("2026-03-07T23:30"), ny("2026-03-08T03:00")], { retention: { daily: { days: 7 }, weekly: { weeks: 1, weekdays: [7] } }, zone: "America/New_York", instantRestoreDays: 2 });
    expect(f[0].keptBy).toEqual(["daily"]);
    expect(f[1].keptBy).toEqual(["daily", "weekly"]);
    // 7 days later at the same wall time, across the switch to EDT: 23:30 local, 03:30Z.
    expect(f[0].expires.setZone("America/New_York").toISO({ suppressMilliseconds: true })).toBe("2026-03-14T23:30:00-04:00");
  });
});

describe("archive tier (DOMAIN §6)", () => {
  it("moves monthly/yearly points after `archive after`, only with 6 months of retention left", () => {
    const points = daily("2026-01-01", 40);
    const keep12 = pointFates(points, spec({ daily: { days: 7 }, monthly: { months: 12, on: { kind: "days", days: [1] } } }, { archiveAfter: { count: 3, unit: "month" } }));
    expect(iso(keep12[0].archiveAt)).toBe("2026-04-01T02:30:00Z"); // 3 months old, 9 months left
    expect(keep12[1].archiveAt).toBeUndefined(); // a daily point never moves
    const keep6 = pointFates(points, spec({ daily: { days: 7 }, monthly: { months: 6, on: { kind: "days", days: [1] } } }, { archiveAfter: { count: 3, unit: "month" } }));
    expect(keep6[0].archiveAt).toBeUndefined(); // only 3 months would be left
  });
});

describe("prune", () => {
  it("expires points whose retention has run out, never the newest", () => {
    const points = daily("2026-01-01", 10);
    const d = pruneDecision(points, spec({ daily: { days: 7 } }), utc("2026-01-10T12:00:00"));
    // Points of 01-01 and 01-02 expired at 01-08 and 01-09 02:30; 01-03's expires 01-10 02:30 too.
    expect(d.expire).toEqual([0, 1, 2]);
    expect(d.keep).toEqual([3, 4, 5, 6, 7, 8, 9]);
    const late = pruneDecision(points, spec({ daily: { days: 7 } }), utc("2027-01-01T00:00:00"));
    expect(late.keep).toEqual([9]);
  });
});
