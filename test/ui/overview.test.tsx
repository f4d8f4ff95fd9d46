import { readFileSync } from "node:fs";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "../../src/ui/app.js";
import { Session } from "../../src/ui/session.js";
import { FIXTURE, KEY, mount, open, SEED, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

describe("Overview (view 1)", () => {
  it("shows the seed's VM: 47 GB protected, one PI, its bill, next backup in Tokyo time, duration, consistency, worst risk", async () => {
    ui = await mount(open([SEED]));
    const lines = ui.lines();
    expect(lines[0]).toMatch(/\[1 Overview\].*11\.20 USD\/month/);
    const row = lines.find((l) => l.startsWith("a2-standard"))!;
    // PI size, PIs, monthly cost, next backup (02:30 in Asia/Tokyo), predicted duration, consistency, risk.
    expect(row).toMatch(/a2-standard\s+daily\s+47 GB\s+1\s+11\.20\s+05-01 02:30\s+3h 38m\s+app\s+i BKP3014/);
    expect(lines.find((l) => l.startsWith("total"))).toMatch(/total\s+1 VM\s+47 GB\s+1\s+11\.20\s+0E 0W 1i/);
    // The selected VM's details: zone, the next job's kind, the consistency's reason.
    expect(ui.text()).toContain('a2-standard: policy "daily" in Asia/Tokyo, vault "prod" GRS · next 2026-05-01 02:30 initial, 3h 38m (slowest disk data1) · application: VSS full backup');
  });

  it("fits 80x24: 23 lines (one short of the screen) of at most 80 columns", async () => {
    ui = await mount(open(TOUR), 80, 24);
    const lines = ui.lines();
    expect(lines).toHaveLength(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    // Every column is there at 80 columns (short headers).
    expect(lines[1]).toMatch(/^VM\s+policy\s+PI\s+PIs\s+USD\s+next\s+takes\s+cons\.\s+risk$/);
  });

  it("lists every VM of a set by name and moves the selection with the arrow keys", async () => {
    ui = await mount(open(TOUR));
    const names = ui.lines().slice(2, 5).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(["a2-standard", "db01", "legacy-app"]);
    expect(ui.frame()).toContain("a2-standard: policy");
    await ui.press(KEY.down);
    expect(ui.frame()).toContain('db01: policy "daily"');
    // The edit bar follows the selection.
    expect(ui.frame()).toContain('what if: vm "db01"');
    await ui.press(KEY.down, KEY.down);
    // A stopped VM has no next backup; the details say why.
    expect(ui.lines().find((l) => l.startsWith("legacy-app"))).toMatch(/legacy-app\s+daily\s+61 GB\s+1\s+\S+\s+-\s+-/);
    expect(ui.text()).toContain("protection stopped, data retained");
  });

  it("shows the worst risk of each VM, coloured by severity in the terminal", async () => {
    ui = await mount(open([FIXTURE]));
    const row = (name: string) => ui!.lines().find((l) => l.startsWith(name))!;
    expect(row("churny")).toMatch(/E BKP3004$/);
    expect(row("big")).toMatch(/W BKP3003$/);
    expect(row("web-1")).toMatch(/W BKP3007$/);
  });

  it("scrolls a long list so that the selection stays on screen", async () => {
    const vms = Array.from({ length: 40 }, (_, i) => `vm "vm-${String(i).padStart(2, "0")}" { os linux policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }`).join("\n");
    const text = `vault "vt" { redundancy LRS }\npolicy "pol" { schedule daily at 21:00 timezone "UTC" consistency file-system retain daily 7 days }\n${vms}\n`;
    ui = await mount(open([{ path: "many.bkp", text }]));
    expect(ui.frame()).toContain("vm-00");
    expect(ui.frame()).not.toContain("vm-39");
    await ui.press(KEY.end);
    expect(ui.frame()).toContain("vm-39");
    expect(ui.frame()).not.toMatch(/^vm-00 /m);
    expect(ui.lines().find((l) => l.startsWith("total"))).toContain("40 VMs");
  });

  it("comes up before the bill is computed, then fills it in", async () => {
    const r = Session.open([{ path: SEED, text: readFileSync(SEED, "utf8") }], { from: "2026-05-01", days: 7 }, true);
    if (!r.ok) throw new Error("seed does not check");
    const ink = render(<App session={r.session} size={{ columns: 100, rows: 24 }} />);
    const first = ink.frames[0];
    expect(first).toContain("computing the bill…");
    expect(first).toMatch(/a2-standard\s+daily\s+…\s+…\s+…\s+05-01 02:30\s+3h 38m/);
    await new Promise((res) => setTimeout(res, 30));
    expect(ink.lastFrame()).toMatch(/a2-standard\s+daily\s+47 GB\s+1\s+11\.20\s+05-01 02:30/);
    expect(ink.lastFrame()).toContain("11.20 USD/month");
    ink.unmount();
  });
});
