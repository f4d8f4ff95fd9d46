// Schedule expansion: the instants a policy's schedule names between two instants, read in
// the policy's zone (DOMAIN §7: schedules are wall times in a named zone; Azure itself does
// not adjust for DST, bkp does, by the rules in time.ts: a missing wall time runs at the first
// instant after the gap, an ambiguous one runs once).
import type { Schedule } from "../model/model.js";
import { MS_PER_DAY, type ZoneClock, civilFromDays } from "./time.js";

/** How many runs one window of an enhanced (hourly) schedule has. */
export function runsPerWindow(s: Extract<Schedule, { kind: "hourly" }>): number {
  // DOMAIN §7: every 4/6/8/12 h within a window; the window's end is a run too, unless the
  // window is a whole day (then the end is the next window's start).
  return Math.floor(s.windowHours / s.intervalHours) + (s.windowHours >= 24 ? 0 : 1);
}

/** Runs in [fromMs, toMs), ascending, each instant once. */
export function expandSchedule(s: Schedule, clock: ZoneClock, fromMs: number, toMs: number): number[] {
  const firstDay = clock.wall(fromMs).days - 2; // hourly windows spill into the next day
  const lastDay = clock.wall(toMs).days + 1;
  const out: number[] = [];
  const push = (day: number, minutes: number) => {
    const d = civilFromDays(day + Math.floor(minutes / 1440));
    const m = minutes % 1440;
    const ms = clock.resolveWall({ ...d, hour: Math.floor(m / 60), minute: m % 60 });
    if (ms >= fromMs && ms < toMs) out.push(ms);
  };
  for (let day = firstDay; day <= lastDay; day++) {
    if (s.kind === "daily") push(day, s.at.hour * 60 + s.at.minute);
    else if (s.kind === "weekly") {
      const wd = ((((day + 3) % 7) + 7) % 7) + 1;
      if ((s.days as number[]).includes(wd)) push(day, s.at.hour * 60 + s.at.minute);
    } else {
      const n = runsPerWindow(s);
      const start = s.start.hour * 60 + s.start.minute;
      for (let k = 0; k < n; k++) push(day, start + k * s.intervalHours * 60);
    }
  }
  out.sort((a, b) => a - b);
  // Two wall times can name one instant only around a DST gap; keep it once.
  return out.filter((ms, i) => i === 0 || ms !== out[i - 1]);
}

/** The longest gap between two runs a schedule can have, for looking back far enough. */
export function maxGapMs(s: Schedule): number {
  return s.kind === "weekly" ? 8 * MS_PER_DAY : 2 * MS_PER_DAY;
}
