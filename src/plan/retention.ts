// Retention: which recovery points a policy keeps, and until when. The one implementation
// that the cost simulation (with scheduled instants) and the engine's prune (with the real
// timestamps of its recovery points) both call.
//
// Rules (DOMAIN §7, Azure's long-term retention):
// - daily N days: every point, kept N days;
// - weekly N weeks on <days>: the first point of each local day that is one of <days>;
// - monthly N months on <ordinal weekdays> | <days of month>: the first point of each matching day;
// - yearly N years in <months> on …: likewise, in the named months;
// - a point kept by several rules lives until the latest of their expiries.
// Days are local days in the policy's zone; expiries are the same wall time N calendar units
// later (resolved by the DST rules of time.ts). A day-of-month that a month lacks (31 in
// April) selects nothing that month; `last` is the month's last day.
// Instant-restore snapshots are kept `instant-restore` days (DOMAIN §6/§7). Archive (DOMAIN §6):
// monthly/yearly points move to the archive tier `archive after` their creation (at least 3
// months) when at least 6 months of retention remain then; archived points are full copies.
import type { DateTime } from "../utils/luxon.js";
import type { MonthlyOn, Policy, Retention } from "../model/model.js";
import { addMonths, civilFromDays, clockFor, daysFromCivil, daysInMonth, type WallTime, type ZoneClock } from "./time.js";

export type RetentionRule = "daily" | "weekly" | "monthly" | "yearly";
export const RULE_BITS: Record<RetentionRule, number> = { daily: 1, weekly: 2, monthly: 4, yearly: 8 };
const RULES: RetentionRule[] = ["daily", "weekly", "monthly", "yearly"];

export interface RetentionSpec {
  retention: Retention;
  /** IANA zone the rules' days are read in. */
  zone: string;
  instantRestoreDays: number;
  archiveAfter?: Policy["archiveAfter"];
}

export function retentionSpec(p: Policy): RetentionSpec {
  return { retention: p.retention, zone: p.zone, instantRestoreDays: p.instantRestoreDays, archiveAfter: p.archiveAfter };
}

/** Fates of points given as epoch milliseconds; arrays are parallel to the input. */
export interface FatesMs {
  /** Bit set of RULE_BITS; 0: no rule keeps the point (it expires when taken). */
  keptBy: Uint8Array;
  /** When the point stops existing: the latest expiry of the rules that keep it. */
  expires: Float64Array;
  /** When its instant-restore snapshot is deleted. */
  snapshotExpires: Float64Array;
  /** When it moves to the archive tier; NaN: never. */
  archiveAt: Float64Array;
  /** Per rule that keeps it, that rule's expiry (NaN where the rule does not keep it). */
  ruleExpires: Record<RetentionRule, Float64Array>;
}

function matchesMonthly(on: MonthlyOn, day: number, weekday: number, monthLength: number): boolean {
  if (on.kind === "days") return on.days.some((d) => (d === "last" ? day === monthLength : d === day));
  if (!(on.weekdays as number[]).includes(weekday)) return false;
  const nth = Math.ceil(day / 7);
  return on.ordinals.some((o) => (o === "last" ? day + 7 > monthLength : o === nth));
}

/** The same wall time `count` calendar units later; `sub` keeps the seconds of real timestamps. */
function plus(clock: ZoneClock, w: WallTime, count: number, unit: "day" | "week" | "month" | "year", sub = 0): number {
  const c = unit === "day" || unit === "week" ? civilFromDays(daysFromCivil(w.year, w.month, w.day) + count * (unit === "week" ? 7 : 1)) : addMonths(w, unit === "year" ? count * 12 : count);
  return clock.resolveWall({ ...c, hour: w.hour, minute: w.minute }) + sub;
}

/** The fates of points (any order; need not be scheduled instants: real timestamps work). */
export function fatesMs(points: ArrayLike<number>, spec: RetentionSpec): FatesMs {
  const n = points.length;
  const clock = clockFor(spec.zone);
  const r = spec.retention;
  const out: FatesMs = {
    keptBy: new Uint8Array(n),
    expires: new Float64Array(n),
    snapshotExpires: new Float64Array(n),
    archiveAt: new Float64Array(n).fill(NaN),
    ruleExpires: { daily: new Float64Array(n).fill(NaN), weekly: new Float64Array(n).fill(NaN), monthly: new Float64Array(n).fill(NaN), yearly: new Float64Array(n).fill(NaN) },
  };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a] - points[b]);
  let lastDay = Number.NaN;
  let lastWeek = Number.NaN;
  for (const i of order) {
    const ms = points[i];
    const w = clock.wall(ms);
    const sub = ((ms % 60_000) + 60_000) % 60_000;
    // Weekly/monthly/yearly rules keep the first point of a day (one per day, as in Azure).
    const firstOfDay = w.days !== lastDay;
    lastDay = w.days;
    const weekStart = w.days - (w.weekday - 1);
    const firstOfWeek = weekStart !== lastWeek;
    lastWeek = weekStart;
    let bits = 0;
    if (r.daily) {
      bits |= 1;
      out.ruleExpires.daily[i] = plus(clock, w, r.daily.days, "day", sub);
    }
    if (firstOfDay) {
      // Without named days a weekly rule keeps the first point of each ISO week.
      if (r.weekly && (r.weekly.weekdays.length ? (r.weekly.weekdays as number[]).includes(w.weekday) : firstOfWeek)) {
        bits |= 2;
        out.ruleExpires.weekly[i] = plus(clock, w, r.weekly.weeks, "week", sub);
      }
      const monthLength = daysInMonth(w.year, w.month);
      if (r.monthly && matchesMonthly(r.monthly.on, w.day, w.weekday, monthLength)) {
        bits |= 4;
        out.ruleExpires.monthly[i] = plus(clock, w, r.monthly.months, "month", sub);
      }
      if (r.yearly && (r.yearly.months.length === 0 || (r.yearly.months as number[]).includes(w.month)) && matchesMonthly(r.yearly.on, w.day, w.weekday, monthLength)) {
        bits |= 8;
        out.ruleExpires.yearly[i] = plus(clock, w, r.yearly.years, "year", sub);
      }
    }
    out.keptBy[i] = bits;
    let expires = ms;
    for (const rule of RULES) if (bits & RULE_BITS[rule]) expires = Math.max(expires, out.ruleExpires[rule][i]);
    out.expires[i] = expires;
    out.snapshotExpires[i] = plus(clock, w, spec.instantRestoreDays, "day", sub);
    if (spec.archiveAfter && bits & (RULE_BITS.monthly | RULE_BITS.yearly)) {
      // DOMAIN §6: only monthly/yearly points, at least 3 months old, with at least 6 months
      // of retention left when they move.
      const a = spec.archiveAfter;
      const moveAt = Math.max(plus(clock, w, a.count, a.unit, sub), plus(clock, w, 3, "month", sub));
      const sixMonthsLater = plus(clock, clock.wall(moveAt), 6, "month", sub);
      if (sixMonthsLater <= expires) out.archiveAt[i] = moveAt;
    }
  }
  return out;
}

/** One point's fate, with luxon instants in the policy's zone (the engine's view). */
export interface PointFate {
  /** Index of the point in the input. */
  index: number;
  at: DateTime;
  keptBy: RetentionRule[];
  expiries: Partial<Record<RetentionRule, DateTime>>;
  /** The point exists while at <= t < expires. */
  expires: DateTime;
  snapshotExpires: DateTime;
  archiveAt?: DateTime;
}

export function pointFates(points: readonly DateTime[], spec: RetentionSpec): PointFate[] {
  const clock = clockFor(spec.zone);
  const ms = points.map((p) => p.toMillis());
  const f = fatesMs(ms, spec);
  return points.map((_, i) => {
    const keptBy = RULES.filter((rule) => f.keptBy[i] & RULE_BITS[rule]);
    const expiries: Partial<Record<RetentionRule, DateTime>> = {};
    for (const rule of keptBy) expiries[rule] = clock.dateTime(f.ruleExpires[rule][i]);
    return {
      index: i,
      at: clock.dateTime(ms[i]),
      keptBy,
      expiries,
      expires: clock.dateTime(f.expires[i]),
      snapshotExpires: clock.dateTime(f.snapshotExpires[i]),
      archiveAt: Number.isNaN(f.archiveAt[i]) ? undefined : clock.dateTime(f.archiveAt[i]),
    };
  });
}

/** The points that exist at an instant: taken at or before it, not yet expired. */
export function pointsAt(fates: readonly PointFate[], at: DateTime): PointFate[] {
  const t = at.toMillis();
  return fates.filter((f) => f.at.toMillis() <= t && t < f.expires.toMillis());
}

/**
 * What prune does at `now`: the points whose retention has run out, and those kept. The
 * newest point is always kept (a VM is never left without a recovery point by retention).
 */
export function pruneDecision(points: readonly DateTime[], spec: RetentionSpec, now: DateTime): { keep: number[]; expire: number[] } {
  const f = fatesMs(points.map((p) => p.toMillis()), spec);
  const t = now.toMillis();
  let newest = -1;
  for (let i = 0; i < points.length; i++) if (points[i].toMillis() <= t && (newest < 0 || points[i].toMillis() > points[newest].toMillis())) newest = i;
  const keep: number[] = [];
  const expire: number[] = [];
  for (let i = 0; i < points.length; i++) (f.expires[i] <= t && i !== newest ? expire : keep).push(i);
  return { keep, expire };
}
