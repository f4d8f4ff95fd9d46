import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { addMonths, civilFromDays, clockFor, daysFromCivil, daysInMonth, formatDuration, parseIsoDate, utcIso, weekdayOfDays } from "../../src/plan/time.js";

describe("civil calendar arithmetic", () => {
  it("round-trips day numbers and knows weekdays", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    // 2026-05-01 is a Friday (ISO weekday 5).
    const d = daysFromCivil(2026, 5, 1);
    expect(civilFromDays(d)).toEqual({ year: 2026, month: 5, day: 1 });
    expect(weekdayOfDays(d)).toBe(5);
    for (let x = -800_000; x < 800_000; x += 997) {
      const c = civilFromDays(x);
      expect(daysFromCivil(c.year, c.month, c.day)).toBe(x);
    }
  });

  it("clamps month arithmetic to the month's length, like luxon", () => {
    expect(addMonths({ year: 2026, month: 1, day: 31 }, 1)).toEqual({ year: 2026, month: 2, day: 28 });
    expect(addMonths({ year: 2024, month: 1, day: 31 }, 1)).toEqual({ year: 2024, month: 2, day: 29 });
    expect(addMonths({ year: 2026, month: 11, day: 30 }, 3)).toEqual({ year: 2027, month: 2, day: 28 });
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(parseIsoDate("2026-02-29")).toBeUndefined();
    expect(parseIsoDate("2026-13-01")).toBeUndefined();
  });

  it("formats durations for people", () => {
    expect(formatDuration(13100)).toBe("3h 38m");
    expect(formatDuration(283.33)).toBe("4m 43s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(2 * 86400 + 3600)).toBe("2d 1h 0m");
  });
});

describe("wall times in a zone, by bkp's daylight-saving rules", () => {
  const ny = clockFor("America/New_York");
  it("agrees with luxon away from transitions", () => {
    const ms = ny.resolveWall({ year: 2026, month: 7, day: 4, hour: 2, minute: 30 });
    expect(ms).toBe(DateTime.fromObject({ year: 2026, month: 7, day: 4, hour: 2, minute: 30 }, { zone: "America/New_York" }).toMillis());
    expect(ny.localIso(ms)).toBe("2026-07-04T02:30:00-04:00");
    expect(utcIso(ms)).toBe("2026-07-04T06:30:00Z");
  });

  it("runs a wall time that does not exist at the first instant after the gap", () => {
    // 2026-03-08: clocks go from 02:00 EST straight to 03:00 EDT; 02:30 never happens.
    const ms = ny.resolveWall({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 });
    expect(ny.localIso(ms)).toBe("2026-03-08T03:00:00-04:00");
    expect(utcIso(ms)).toBe("2026-03-08T07:00:00Z");
    // (luxon alone would shift it by the gap's length, to 03:30.)
  });

  it("runs an ambiguous wall time once, at its first occurrence", () => {
    // 2026-11-01: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    const ms = ny.resolveWall({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 });
    expect(utcIso(ms)).toBe("2026-11-01T05:30:00Z");
    expect(ny.localIso(ms)).toBe("2026-11-01T01:30:00-04:00");
  });

  it("handles London's transitions at 01:00 UTC", () => {
    const ldn = clockFor("Europe/London");
    expect(ldn.localIso(ldn.resolveWall({ year: 2026, month: 3, day: 29, hour: 1, minute: 30 }))).toBe("2026-03-29T02:00:00+01:00");
    expect(utcIso(ldn.resolveWall({ year: 2026, month: 10, day: 25, hour: 1, minute: 30 }))).toBe("2026-10-25T00:30:00Z");
    expect(ldn.localIso(ldn.resolveWall({ year: 2026, month: 12, day: 1, hour: 9, minute: 0 }))).toBe("2026-12-01T09:00:00+00:00");
  });
});
