import { afterEach, describe, expect, it } from "vitest";
import { KEY, mount, open, SEED, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

const row = (m: Mounted, name: string) => m.lines().find((l) => l.startsWith(`${name} `))!;

describe("Costs (view 4)", () => {
  it("bills each VM and vault for the projection's last month, as bkp cost does", async () => {
    ui = await mount(open(TOUR), 100, 30);
    await ui.press("4");
    const text = ui.text();
    // The tour's assume block projects 36 months.
    expect(text).toContain("bill for 2029-04, month 36 of the projection from 2026-05");
    expect(row(ui, "a2-standard")).toMatch(/^a2-standard\s+prod\s+47 GB\s+5\.00\s+111\.01 GB\s+6\.22\s+0\.13\s+11\.35$/);
    expect(row(ui, "db01")).toMatch(/^db01\s+prod\s+622 GB\s+20\.00\s+12,584\.68 GB\s+704\.74\s+25\.04\s+749\.79$/);
    expect(row(ui, "legacy-app")).toMatch(/16\.63$/);
    expect(text).toContain('vault "prod" GRS · 3 VMs · 777.76 USD/month');
    expect(text).toContain("total 777.76 USD/month in 2029-04");
  });

  it("draws the month-by-month projection as retention fills up", async () => {
    ui = await mount(open([SEED]), 80, 24);
    await ui.press("4");
    const lines = ui.lines();
    const title = lines.findIndex((l) => l.startsWith("projection, USD/month: 2026-05 … 2027-04"));
    expect(title).toBeGreaterThan(0);
    const chart = lines.slice(title + 1, title + 5);
    // The top row is labelled with the largest month (the last: 11.20), the bottom one 0.
    expect(chart[0]).toMatch(/^\s+11\.20 /);
    expect(chart.at(-1)).toMatch(/^\s+0 █/);
    // Twelve bars; the first month (retention just started) is the lowest.
    const bars = chart[0].slice(11).trim().split(/\s+/);
    expect(bars).toHaveLength(12);
    expect(bars[0] < bars[11]).toBe(true);
  });

  it("shows what the last change did, per VM, per vault and in total", async () => {
    ui = await mount(open(TOUR), 100, 30);
    await ui.press(KEY.right, "+", "4");
    expect(ui.text()).toContain("[retain daily: 31 days]");
    // Every VM of policy "daily" is billed for one more daily point.
    expect(row(ui, "a2-standard")).toMatch(/11\.42\s+\+0\.07$/);
    expect(row(ui, "db01")).toMatch(/761\.94\s+\+12\.15$/);
    expect(row(ui, "legacy-app")).toMatch(/16\.70\s+\+0\.07$/);
    expect(ui.text()).toContain('vault "prod" GRS · 3 VMs · 790.05 USD/month +12.29');
    expect(ui.text()).toContain("last change: retain daily 30 → 31 days +12.29");
  });
});
