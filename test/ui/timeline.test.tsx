import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE, mount, open, SEED, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

/** The chart part of a VM's row (after its name column). */
function chart(lines: string[], name: string): string {
  // The hour ruler is the line under the title.
  const start = lines[2].indexOf("00");
  return lines.find((l) => l.startsWith(`${name} `))!.slice(start);
}

describe("Timeline (view 2)", () => {
  it("draws each job as a bar from its start for its predicted length, in the policy's zone, with peak hours shaded", async () => {
    ui = await mount(open([SEED]), 108, 24);
    await ui.press("2");
    const lines = ui.lines();
    expect(lines[1]).toContain("day 1 of 7: 2026-05-01 · 24 h in each VM's policy zone");
    const row = chart(lines, "a2-standard");
    // 96 columns of 15 minutes: the first backup starts at 02:30 Tokyo time (column 10) and
    // takes 3h 38m (about 15 columns); 00:00-06:00 is peak time, shaded where no job runs.
    expect(row.slice(0, 10)).toBe("░".repeat(10));
    expect(row.slice(10, 25)).toBe("█".repeat(15));
    expect(row.slice(25).trim()).toBe("");
    expect(ui.frame()).toContain("░ peak hours 00:00–06:00");
  });

  it("highlights a job over 24 hours and jobs that run into the next backup", async () => {
    ui = await mount(open([FIXTURE]), 103, 24);
    await ui.press("2");
    const lines = ui.lines();
    // "big": its first backup starts at noon UTC and runs 1d 22h: over 24 h from noon on.
    expect(chart(lines, "big").slice(48).trim()).toBe("▓".repeat(48));
    // "churny": every 4 h, each job longer than the gap to the next: overlapping all day.
    expect(chart(lines, "churny")).toBe("▒".repeat(96));
    expect(chart(lines, "web-1").trim()).toMatch(/^░+\s+█$/);
    expect(ui.frame()).toContain("▒ runs into its next backup");
    expect(ui.frame()).toContain("▓ over 24 h");
  });

  it("[ and ] page through the days of the plan", async () => {
    ui = await mount(open([FIXTURE]), 103, 24);
    await ui.press("2", "]");
    expect(ui.lines()[1]).toContain("day 2 of 7: 2026-05-02");
    // Day 2: "big" is still in its first backup (it started yesterday at noon).
    expect(chart(ui.lines(), "big")).toBe("▓".repeat(96));
    await ui.press("[", "[");
    expect(ui.lines()[1]).toContain("day 1 of 7: 2026-05-01");
  });

  it("v adds the jobs up per vault", async () => {
    ui = await mount(open([FIXTURE]), 103, 24);
    await ui.press("2", "v");
    expect(ui.lines()[1]).toContain("jobs running at once per vault, UTC");
    // Four VMs of vault "main" run at noon UTC (the most at once); "churny" runs all day.
    expect(ui.lines().find((l) => l.startsWith("main "))).toMatch(/█.* 4$/);
  });
});
