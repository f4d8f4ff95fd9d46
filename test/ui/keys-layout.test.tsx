import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KEY_HELP } from "../../src/ui/keymap.js";
import { ROOT } from "../helpers.js";
import { FIXTURE, KEY, mount, open, SEED, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

describe("keys and layout", () => {
  it("? lists every key; Esc closes the list", async () => {
    ui = await mount(open([SEED]), 100, 30);
    await ui.press("?");
    const text = ui.frame();
    for (const k of KEY_HELP) {
      expect(text).toContain(k.keys);
      expect(text).toContain(k.what);
    }
    await ui.press(KEY.esc);
    expect(ui.lines()[1]).toMatch(/^VM\s+policy/);
  });

  it("docs/ui.md lists every key the session knows, as the help does", () => {
    const doc = readFileSync(join(ROOT, "docs/ui.md"), "utf8");
    for (const k of KEY_HELP) {
      expect(doc, k.keys).toContain(k.what);
      for (const key of k.keys.split(/\s+/)) expect(doc, k.keys).toContain(`\`${key}\``);
    }
  });

  it("Tab and Shift-Tab cycle the views, numbers jump to them", async () => {
    ui = await mount(open([SEED]));
    const active = () => /\[(\d) (\w+)\]/.exec(ui!.lines()[0])![2];
    expect(active()).toBe("Overview");
    await ui.press(KEY.tab);
    expect(active()).toBe("Timeline");
    await ui.press(KEY.tab, KEY.tab, KEY.tab, KEY.tab);
    expect(active()).toBe("Overview");
    await ui.press(KEY.shiftTab);
    expect(active()).toBe("Restore");
    await ui.press("3");
    expect(active()).toBe("Risks");
  });

  it("every view fits 80x24: 23 lines of at most 80 columns", async () => {
    ui = await mount(open(TOUR), 80, 24);
    for (const key of ["1", "2", "3", "4", "5", "?"]) {
      await ui.press(KEY.esc, key);
      const lines = ui.lines();
      expect(lines, `view ${key}`).toHaveLength(23);
      for (const l of lines) expect(l.length, `view ${key}: ${l}`).toBeLessThanOrEqual(80);
    }
  });

  it("follows a resize: a taller, wider terminal shows more rows and full column names", async () => {
    const vms = Array.from({ length: 60 }, (_, i) => `vm "vm-${String(i).padStart(2, "0")}" { os linux policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }`).join("\n");
    const text = `vault "vt" { redundancy LRS }\npolicy "pol" { schedule daily at 21:00 timezone "UTC" consistency file-system retain daily 7 days }\n${vms}\n`;
    ui = await mount(open([{ path: "many.bkp", text }]), 80, 24);
    const shown = () => ui!.lines().filter((l) => /^vm-\d\d /.test(l)).length;
    expect(shown()).toBe(15);
    await ui.resize(140, 50);
    expect(ui.lines()).toHaveLength(49);
    expect(shown()).toBe(41);
    expect(ui.lines()[1]).toMatch(/^VM\s+policy\s+PI size\s+PIs\s+USD\/month\s+next backup\s+takes\s+consistency\s+risk$/);
    await ui.resize(50, 10);
    expect(ui.frame()).toContain("terminal too small: 50x10, bkp ui needs 60x12");
  });

  it("PgDn and End move by pages and to the last VM; the edit bar follows", async () => {
    ui = await mount(open([FIXTURE]));
    await ui.press(KEY.end);
    expect(ui.frame()).toContain('what if: vm "web-2"');
    await ui.press("g");
    expect(ui.frame()).toContain('what if: vm "big"');
  });
});
