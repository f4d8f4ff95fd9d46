// Wall-clock arithmetic in a named zone, without bare Dates.
//
// Schedules and retention are written in wall time ("daily at 02:30", "keep 12 months") in a
// policy's IANA zone. Expanding hundreds of thousands of them through luxon objects is slow
// (~10 µs each), so the hot paths work on epoch milliseconds and civil (y, m, d) numbers and
// ask luxon's IANAZone only for the zone's UTC offset. Results are the same instants luxon
// would give, except for the two DST rules bkp defines (see `resolveWall`).
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from "../utils/luxon.js";

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export interface WallTime extends CivilDate {
  hour: number;
  minute: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number (inverse of `daysFromCivil`). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfDays(days: number): number {
  return ((((days + 3) % 7) + 7) % 7) + 1;
}

export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

/** A date plus whole calendar months, the day clamped to the month's length (Jan 31 + 1 month = Feb 28). */
export function addMonths(d: CivilDate, months: number): CivilDate {
  const index = d.year * 12 + (d.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index - year * 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

export function parseIsoDate(text: string): CivilDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysInMonth(d.year, d.month)) return undefined;
  return d;
}

export function isoDate(d: CivilDate): string {
  return `${String(d.year).padStart(4, "0")}-${pad2(d.month)}-${pad2(d.day)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Epoch ms of wall-clock fields read as if they were UTC. */
function wallMs(w: WallTime): number {
  return daysFromCivil(w.year, w.month, w.day) * MS_PER_DAY + w.hour * MS_PER_HOUR + w.minute * MS_PER_MINUTE;
}

/** A zone that answers offsets quickly: IANAZone is cached by name, offsets memoised by hour. */
export class ZoneClock {
  readonly name: string;
  readonly zone: Zone;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    // UTC has one offset forever: no Intl (ICU's start-up costs a short command 30–150 ms).
    this.zone = name === "UTC" || name === "Etc/UTC" ? FixedOffsetZone.utcInstance : IANAZone.create(name);
  }

  /** UTC offset in minutes at an instant. */
  offset(ms: number): number {
    // Offsets change on minute boundaries; DST transitions fall on whole or half hours in
    // every current zone, so memoising per 15 minutes is exact and keeps Intl calls rare.
    const key = Math.floor(ms / (15 * MS_PER_MINUTE));
    let o = this.cache.get(key);
    if (o === undefined) {
      o = this.zone.offset(ms);
      if (this.cache.size > 200_000) this.cache.clear();
      this.cache.set(key, o);
    }
    return o;
  }

  /** Wall-clock fields of an instant in this zone. */
  wall(ms: number): WallTime & { weekday: number; days: number } {
    const local = ms + this.offset(ms) * MS_PER_MINUTE;
    const days = Math.floor(local / MS_PER_DAY);
    const rest = local - days * MS_PER_DAY;
    const c = civilFromDays(days);
    return { ...c, hour: Math.floor(rest / MS_PER_HOUR), minute: Math.floor((rest % MS_PER_HOUR) / MS_PER_MINUTE), weekday: weekdayOfDays(days), days };
  }

  /**
   * The instant a wall time names in this zone, by bkp's daylight-saving rules:
   * a wall time that does not exist (spring forward) is the first instant after the gap;
   * an ambiguous one (fall back) is its first occurrence, so a job runs once, not twice.
   */
  resolveWall(w: WallTime): number {
    const wall = wallMs(w);
    // Any transition near `wall` is bracketed by the offsets a day and a half around it.
    const before = this.offset(wall - 36 * MS_PER_HOUR);
    const after = this.offset(wall + 36 * MS_PER_HOUR);
    const candidates: number[] = [];
    for (const o of before === after ? [before] : [before, after]) {
      const t = wall - o * MS_PER_MINUTE;
      if (this.offset(t) === o) candidates.push(t);
    }
    if (candidates.length) return Math.min(...candidates);
    // In a gap: the first minute whose offset is the new one.
    const exact = this.offset(wall - before * MS_PER_MINUTE);
    if (exact !== before && exact !== after) {
      // A second transition within the window (rare): fall back to the zone's own answer.
      return wall - exact * MS_PER_MINUTE;
    }
    let lo = wall - after * MS_PER_MINUTE; // before the transition: old offset
    let hi = wall - before * MS_PER_MINUTE; // after it: new offset
    while (hi - lo > MS_PER_MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MS_PER_MINUTE) * MS_PER_MINUTE;
      if (this.offset(mid) === after) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The first instant of a local date (local midnight, or after a gap that swallows it). */
  startOfDay(d: CivilDate): number {
    return this.resolveWall({ ...d, hour: 0, minute: 0 });
  }

  /** ISO 8601 with the zone's offset, e.g. `2026-05-01T02:30:00+09:00`. */
  localIso(ms: number): string {
    const o = this.offset(ms);
    return isoWithOffset(ms + o * MS_PER_MINUTE, o, this.name === "UTC");
  }

  dateTime(ms: number): DateTime {
    return DateTime.fromMillis(ms, { zone: this.zone });
  }
}

const clocks = new Map<string, ZoneClock>();
export function clockFor(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (!c) clocks.set(zone, (c = new ZoneClock(zone)));
  return c;
}

function isoWithOffset(localMs: number, offsetMinutes: number, zulu: boolean): string {
  const days = Math.floor(localMs / MS_PER_DAY);
  const rest = localMs - days * MS_PER_DAY;
  const c = civilFromDays(days);
  const h = Math.floor(rest / MS_PER_HOUR);
  const mi = Math.floor((rest % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((rest % MS_PER_MINUTE) / 1000);
  const base = `${isoDate(c)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  if (zulu) return `${base}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const a = Math.abs(offsetMinutes);
  return `${base}${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** ISO 8601 in UTC, e.g. `2026-04-30T17:30:00Z`. */
export function utcIso(ms: number): string {
  return isoWithOffset(ms, 0, true);
}

/** `2026-05-01 02:30` in a zone, for people. */
export function shortLocal(clock: ZoneClock, ms: number): string {
  const w = clock.wall(ms);
  return `${isoDate(w)} ${pad2(w.hour)}:${pad2(w.minute)}`;
}

export function shortUtc(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY);
  const rest = ms - days * MS_PER_DAY;
  return `${isoDate(civilFromDays(days))} ${pad2(Math.floor(rest / MS_PER_HOUR))}:${pad2(Math.floor((rest % MS_PER_HOUR) / MS_PER_MINUTE))}`;
}

/** `+09:00` style offset of an instant. */
export function offsetText(clock: ZoneClock, ms: number): string {
  const o = clock.offset(ms);
  if (o === 0) return "+00:00";
  const a = Math.abs(o);
  return `${o < 0 ? "-" : "+"}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
}

/** `3h 38m 20s` style; seconds shown only under an hour. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h ${m}m`;
  if (h) return `${h}h ${m}m`;
  return sec ? `${m}m ${sec}s` : `${m}m`;
}
