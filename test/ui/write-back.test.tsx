import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { blockOf, KEY, mount, open, SEED, seedWithRetention31, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

function copyOfSeed(): string {
  const dir = mkdtempSync(join(tmpdir(), "bkp-ui-write-"));
  const path = join(dir, "seed.bkp");
  writeFileSync(path, readFileSync(SEED, "utf8"));
  return path;
}

/** What `bkp fmt` makes of a text. */
const formatted = (path: string, text: string) => format(parseFile(path, text)).text;

describe("w: the diff, then y writes the files, changed blocks formatted", () => {
  it("shows the unified diff and writes on y: the edited block formatted, comments kept, the rest as written", async () => {
    const path = copyOfSeed();
    const before = readFileSync(path, "utf8");
    ui = await mount(open([path]), 100, 40);
    await ui.press(KEY.right, "+", "w");
    const lines = ui.lines();
    expect(lines[1]).toContain("write 1 file (changed blocks formatted)? y writes · n or Esc goes back");
    expect(lines).toContain(`--- ${path}`);
    expect(lines).toContain(`+++ ${path}`);
    expect(lines).toContain("-  retain daily 30 days");
    expect(lines).toContain("+  retain daily 31 days");
    // Nothing is written before y.
    expect(readFileSync(path, "utf8")).toBe(before);
    await ui.press("y");
    expect(ui.frame()).toContain(`wrote ${path}`);
    expect(ui.frame()).not.toContain("● unsaved");
    const after = readFileSync(path, "utf8");
    expect(after).toBe(seedWithRetention31(before, path));
    // The policy block in the formatter's layout, its comments kept; the VM block untouched.
    expect(blockOf(after, 'policy "daily" {')).toBe(blockOf(formatted(path, after), 'policy "daily" {'));
    expect(after).toContain("  schedule daily at 02:30  # Standard policy: once a day (Azure takes :00 or :30)\n");
    expect(blockOf(after, 'vm "a2-standard" {')).toBe(blockOf(before, 'vm "a2-standard" {'));
    // The session goes on from what was written: w now has nothing to write.
    await ui.press("w");
    expect(ui.frame()).toContain("no changes to write");
  });

  it("n goes back without writing; the changes stay and can still be undone", async () => {
    const path = copyOfSeed();
    const before = readFileSync(path, "utf8");
    ui = await mount(open([path]));
    await ui.press("+", "w", "n");
    expect(ui.frame()).toContain("not written");
    expect(ui.frame()).toContain("● unsaved");
    expect(readFileSync(path, "utf8")).toBe(before);
    await ui.press("u", "w");
    expect(ui.frame()).toContain("no changes to write");
  });

  it("does not overwrite a file that changed on disk since the session read it", async () => {
    const path = copyOfSeed();
    // Wide enough for the message's whole path on one line (the temp folder's path is long).
    ui = await mount(open([path]), 200, 24);
    await ui.press("+", "w");
    writeFileSync(path, readFileSync(path, "utf8") + "# edited elsewhere\n");
    await ui.press("y");
    expect(ui.message()).toBe(`${path} changed on disk since bkp ui read it; not written (quit and start again to see the new version)`);
    expect(readFileSync(path, "utf8")).toMatch(/# edited elsewhere\n$/);
    expect(readFileSync(path, "utf8")).toContain("schedule daily at 02:30");
  });

  it("q with changes not written asks first: q again quits, Esc stays", async () => {
    const path = copyOfSeed();
    ui = await mount(open([path]));
    await ui.press("+", "q");
    expect(ui.message()).toBe("changes are not written: q quits anyway, w shows the diff to write, Esc stays");
    expect(ui.exited()).toBe(false);
    await ui.press(KEY.esc);
    expect(ui.exited()).toBe(false);
    await ui.press("q", "q");
    expect(ui.exited()).toBe(true);
  });

  it("q quits at once when nothing is unsaved; Ctrl-C always does", async () => {
    ui = await mount(open([SEED]));
    await ui.press("q");
    expect(ui.exited()).toBe(true);
    ui.unmount();
    ui = await mount(open([SEED]));
    await ui.press("+", KEY.ctrlC);
    expect(ui.exited()).toBe(true);
  });
});

describe("what is written", () => {
  it("an inserted attribute gets its own line in the canonical layout", async () => {
    const text = 'vault "vt" { path "x" }\n\n# the policy\npolicy "pol" {\n  schedule daily at 21:00   # late\n  timezone "UTC"\n  retain daily 7 days\n}\n';
    const s = open([{ path: "p.bkp", text: text + 'vm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }\n' }]);
    s.change("a", "redundancy", 1);
    s.change("a", "consistency", 1);
    const [c] = s.changes();
    expect(c.after).toBe('vault "vt" {\n  redundancy RA-GRS\n  path "x"\n}\n\n# the policy\npolicy "pol" {\n  consistency file-system\n  schedule daily at 21:00  # late\n  timezone "UTC"\n  retain daily 7 days\n}\nvm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }\n');
  });
});
