// Schedule expansion across daylight-saving transitions: no run lost, none doubled.
import { describe, expect, it } from "vitest";
import type { Schedule } from "../../src/model/model.js";
import { expandSchedule } from "../../src/plan/schedule.js";
import { clockFor, utcIso } from "../../src/plan/time.js";

function month(s: Schedule, zone: string, year: number, m: number) {
  const clock = clockFor(zone);
  const from = clock.startOfDay({ year, month: m, day: 1 });
  const to = clock.startOfDay(m === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: m + 1, day: 1 });
  const runs = expandSchedule(s, clock, from, to);
  return { runs, local: runs.map((ms) => clock.localIso(ms)), utc: runs.map(utcIso), days: runs.map((ms) => clock.wall(ms).day) };
}

const daily = (hour: number, minute: number): Schedule => ({ kind: "daily", at: { hour, minute } });

describe("daily schedules over a whole month with a DST transition", () => {
  it("America/New_York, March 2026, daily at 02:30: 31 runs, the one in the gap at 03:00 EDT", () => {
    const r = month(daily(2, 30), "America/New_York", 2026, 3);
    expect(r.runs).toHaveLength(31);
    // One run per local day, every day of the month.
    expect(r.days).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(r.local[6]).toBe("2026-03-07T02:30:00-05:00"); // 07:30Z
    expect(r.local[7]).toBe("2026-03-08T03:00:00-04:00"); // 02:30 does not exist that day
    expect(r.local[8]).toBe("2026-03-09T02:30:00-04:00"); // 06:30Z
    expect(r.utc[6]).toBe("2026-03-07T07:30:00Z");
    expect(r.utc[7]).toBe("2026-03-08T07:00:00Z");
    expect(r.utc[8]).toBe("2026-03-09T06:30:00Z");
  });

  it("America/New_York, November 2026, daily at 01:30: 30 runs, the ambiguous one once (EDT)", () => {
    const r = month(daily(1, 30), "America/New_York", 2026, 11);
    expect(r.runs).toHaveLength(30);
    expect(r.days).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(r.runs).size).toBe(30);
    expect(r.utc[0]).toBe("2026-11-01T05:30:00Z"); // first 01:30 (EDT, -04:00); not again at 06:30Z
    expect(r.utc[1]).toBe("2026-11-02T06:30:00Z"); // EST from here on
    expect(r.local[1]).toBe("2026-11-02T01:30:00-05:00");
  });

  it("Europe/London, March 2026, daily at 01:30: the run in the gap is at 02:00 BST", () => {
    const r = month(daily(1, 30), "Europe/London", 2026, 3);
    expect(r.runs).toHaveLength(31);
    expect(r.days).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(r.local[28]).toBe("2026-03-29T02:00:00+01:00"); // 01:00Z
    expect(r.utc[27]).toBe("2026-03-28T01:30:00Z");
    expect(r.utc[29]).toBe("2026-03-30T00:30:00Z");
  });

  it("Europe/London, October 2026 (its fall-back month) and November 2026", () => {
    const oct = month(daily(1, 30), "Europe/London", 2026, 10);
    expect(oct.runs).toHaveLength(31);
    expect(new Set(oct.days).size).toBe(31);
    expect(oct.utc[24]).toBe("2026-10-25T00:30:00Z"); // 01:30 BST, the first of the two
    expect(oct.utc[25]).toBe("2026-10-26T01:30:00Z");
    // November has no transition in London: 30 runs exactly a day apart.
    const nov = month(daily(1, 30), "Europe/London", 2026, 11);
    expect(nov.runs).toHaveLength(30);
    expect(nov.runs.slice(1).map((ms, i) => ms - nov.runs[i])).toEqual(Array(29).fill(86_400_000));
  });
});

describe("enhanced (hourly) schedules across DST", () => {
  const every4 = (start: number, windowHours: number): Schedule => ({ kind: "hourly", intervalHours: 4, start: { hour: start, minute: 0 }, windowHours });

  it("every 4 hours all day: 6 runs on every day of March and November in New York, never doubled", () => {
    for (const m of [3, 11]) {
      const r = month(every4(0, 24), "America/New_York", 2026, m);
      const days = m === 3 ? 31 : 30;
      expect(r.runs).toHaveLength(6 * days);
      expect(new Set(r.runs).size).toBe(6 * days);
      for (let d = 1; d <= days; d++) expect(r.days.filter((x) => x === d)).toHaveLength(6);
    }
    const mar = month(every4(0, 24), "America/New_York", 2026, 3);
    const onThe8th = mar.local.filter((l) => l.startsWith("2026-03-08"));
    expect(onThe8th).toEqual(["2026-03-08T00:00:00-05:00", "2026-03-08T04:00:00-04:00", "2026-03-08T08:00:00-04:00", "2026-03-08T12:00:00-04:00", "2026-03-08T16:00:00-04:00", "2026-03-08T20:00:00-04:00"]);
  });

  it("a window through the gap: every 4 hours from 22:00 for 8 hours runs 22:00, 03:00 (for 02:00) and 06:00", () => {
    const r = month(every4(22, 8), "America/New_York", 2026, 3);
    const window = r.local.filter((l) => l >= "2026-03-07T22" && l < "2026-03-08T07");
    expect(window).toEqual(["2026-03-07T22:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T06:00:00-04:00"]);
  });

  it("a window of 16 hours from 08:00 runs at 08, 12, 16, 20 and 24 (midnight)", () => {
    const clock = clockFor("UTC");
    const from = clock.startOfDay({ year: 2026, month: 5, day: 1 });
    // The run at 2026-05-01T00:00 is the end of the previous day's window.
    const runs = expandSchedule(every4(8, 16), clock, from, from + 86_400_000 + 1);
    expect(runs.map(utcIso)).toEqual(["2026-05-01T00:00:00Z", "2026-05-01T08:00:00Z", "2026-05-01T12:00:00Z", "2026-05-01T16:00:00Z", "2026-05-01T20:00:00Z", "2026-05-02T00:00:00Z"]);
  });
});

describe("weekly schedules", () => {
  it("weekly on Mon, Wed, Thu at 10:00 in Los Angeles: 13 runs in March 2026, on the right weekdays", () => {
    const s: Schedule = { kind: "weekly", days: [1, 3, 4], at: { hour: 10, minute: 0 } };
    const r = month(s, "America/Los_Angeles", 2026, 3);
    // March 2026: Mondays 2, 9, 16, 23, 30; Wednesdays 4, 11, 18, 25; Thursdays 5, 12, 19, 26.
    expect(r.days).toEqual([2, 4, 5, 9, 11, 12, 16, 18, 19, 23, 25, 26, 30]);
    expect(r.local.every((l) => l.slice(11, 16) === "10:00")).toBe(true);
  });
});
