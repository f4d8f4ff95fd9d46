import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE, KEY, mount, open, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

describe("Risks (view 3)", () => {
  it("lists every finding with severity, code and file:line, most severe first", async () => {
    ui = await mount(open([FIXTURE]), 100, 24);
    await ui.press("3");
    const lines = ui.lines();
    expect(lines[1]).toMatch(/^5 findings: 1 error, 3 warnings, 1 note/);
    const rows = lines.slice(2, 7).map((l) => l.split(/\s+/).slice(0, 3).join(" "));
    // Each points at the line to change: the VM, the disk's churn, the account, the schedule.
    expect(rows).toEqual([
      "error BKP3004 timeline.bkp:34",
      "warning BKP3002 timeline.bkp:39",
      "warning BKP3003 timeline.bkp:27",
      "warning BKP3007 timeline.bkp:24",
      "note BKP3014 timeline.bkp:17",
    ]);
    expect(lines[2]).toMatch(/vm "churny": backup at 2026-05-01 00:00 UTC is predicted to take 10/);
  });

  it("Enter explains the selected risk: its kind, the whole message, the source line and what to do; Esc closes", async () => {
    ui = await mount(open(TOUR), 100, 30);
    await ui.press("3", KEY.down);
    expect(ui.lines()[3]).toMatch(/^warning BKP3010 20-more-forms\.bkp:53/);
    await ui.press(KEY.enter);
    const text = ui.text();
    expect(text).toContain("warning[BKP3010] premium disk with instant restore has under 50% free for its first backup");
    expect(text).toContain('vm "db01": premium disk "data" (40% free) with instant restore has under 50% free space for the first backup');
    expect(text).toMatch(/--> \S*policies\/language-tour\/20-more-forms\.bkp:53:10/);
    expect(text).toMatch(/53 \|\s+free 40%/);
    expect(text).toContain("help: keep 50% of the allocated storage free until the first backup completes");
    expect(text).toContain("VMs (1): db01");
    await ui.press(KEY.esc);
    expect(ui.text()).toContain("3 findings: 0 errors, 2 warnings, 1 note");
  });

  it("selecting a risk makes its VM the one edits apply to, so the risk can be fixed from the list", async () => {
    ui = await mount(open([FIXTURE]), 100, 24);
    await ui.press("3");
    expect(ui.text()).toContain('what if: vm "churny"');
    await ui.press(KEY.down, KEY.down);
    expect(ui.text()).toContain('what if: vm "big"');
  });
});
