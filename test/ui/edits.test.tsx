import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE, KEY, mount, open, SEED, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

/** Moves the edit bar's focus to a field by its label. */
async function focus(m: Mounted, label: string): Promise<void> {
  await m.press("1", ...Array(15).fill(KEY.left));
  for (let i = 0; i < 20 && !m.frame().includes(`[${label}:`); i++) await m.press(KEY.right);
  expect(m.frame()).toContain(`[${label}:`);
}

const row = (m: Mounted, name: string) => m.lines().find((l) => l.startsWith(`${name} `))!;

describe("what-if edits: the frame shows the new figures at once; u undoes", () => {
  it("retention count: retain daily 30 -> 31 days costs 0.06 a month more", async () => {
    ui = await mount(open([SEED]));
    await focus(ui, "retain daily");
    await ui.press("+");
    expect(row(ui, "a2-standard")).toMatch(/47 GB\s+1\s+11\.26/);
    expect(ui.lines()[0]).toContain("11.26 USD/month");
    expect(ui.frame()).toContain("[retain daily: 31 days]");
    expect(ui.frame()).toContain("retain daily 30 → 31 days · 11.20 → 11.26 USD/month (+0.06)");
    expect(ui.frame()).toContain("● unsaved");
    await ui.press("u");
    expect(row(ui, "a2-standard")).toMatch(/47 GB\s+1\s+11\.20/);
    expect(ui.frame()).toContain("[retain daily: 30 days]");
    expect(ui.frame()).toContain("undid retain daily 30 → 31 days · 11.26 → 11.20 USD/month (−0.06)");
    expect(ui.frame()).not.toContain("● unsaved");
  });

  it("retention below Azure's minimum is refused with the checker's reason; nothing changes", async () => {
    ui = await mount(open([FIXTURE]));
    await ui.press(KEY.down); // "churny": every 4 hours, retain daily 7 days
    await focus(ui, "retain daily");
    await ui.press("-");
    expect(ui.frame()).toMatch(/not applied: retain daily 7 → 6 days — /);
    expect(ui.frame()).toContain("[retain daily: 7 days]");
    expect(ui.frame()).not.toContain("● unsaved");
  });

  it("schedule time +30 min: the next backup moves to 03:00 and, less of it in peak hours, takes 30 min less", async () => {
    ui = await mount(open([SEED]));
    expect(row(ui, "a2-standard")).toMatch(/05-01 02:30\s+3h 38m/);
    await ui.press("+");
    expect(row(ui, "a2-standard")).toMatch(/05-01 03:00\s+3h 8m/);
    expect(ui.frame()).toContain("[schedule: daily 03:00]");
    await ui.press("-", "-");
    expect(row(ui, "a2-standard")).toMatch(/05-01 02:00\s+4h 8m/);
    await ui.press("u", "u", "u");
    expect(row(ui, "a2-standard")).toMatch(/05-01 02:30\s+3h 38m/);
  });

  it("instant-restore days: 2 -> 3 days of snapshots cost 0.06 more; the Costs view shows the change", async () => {
    ui = await mount(open([SEED]));
    await focus(ui, "instant restore");
    await ui.press("+");
    expect(ui.frame()).toContain("[instant restore: 3 days]");
    expect(row(ui, "a2-standard")).toMatch(/11\.26/);
    await ui.press("4");
    expect(row(ui, "a2-standard")).toMatch(/11\.26\s+\+0\.06$/);
    expect(ui.frame()).toContain("last change: instant restore 2 → 3 days +0.06");
    await ui.press("u");
    expect(row(ui, "a2-standard")).toMatch(/11\.20\s+−0\.06$/);
  });

  it("consistency: file-system instead of application shows in the consistency column and the details", async () => {
    ui = await mount(open([SEED]));
    await focus(ui, "consistency");
    await ui.press("+");
    expect(row(ui, "a2-standard")).toMatch(/\sfs\s+i BKP3014$/);
    expect(ui.text()).toContain("file-system: the policy asks for");
    expect(ui.frame()).toContain("consistency application → file-system · bill unchanged");
    await ui.press("u");
    expect(row(ui, "a2-standard")).toMatch(/\sapp\s+i BKP3014$/);
  });

  it("redundancy of the vault: RA-GRS instead of GRS raises the storage price", async () => {
    ui = await mount(open([SEED]));
    await focus(ui, "redundancy");
    await ui.press("+");
    expect(ui.frame()).toContain("[redundancy: RA-GRS]");
    expect(row(ui, "a2-standard")).toMatch(/47 GB\s+1\s+12\.83/);
    expect(ui.frame()).toContain("redundancy GRS → RA-GRS · 11.20 → 12.83 USD/month (+1.63)");
    await ui.press("-", "-");
    expect(ui.frame()).toContain("[redundancy: ZRS]");
    expect(row(ui, "a2-standard")).toMatch(/47 GB\s+1\s+8\.92/);
  });

  it("moving a disk to another storage account: the account no longer holds more than 5 disks, the risk goes", async () => {
    ui = await mount(open([FIXTURE]));
    await ui.press(KEY.down, KEY.down); // web-1
    expect(row(ui, "web-1")).toMatch(/W BKP3007$/);
    await focus(ui, "disk os account");
    expect(ui.frame()).toContain("[disk os account: sa-1]");
    await ui.press("+");
    expect(ui.frame()).toContain("[disk os account: sa-2]");
    expect(ui.frame()).toContain("disk os account sa-1 → sa-2 · bill unchanged · risks 4 → 3");
    expect(row(ui, "web-1")).toMatch(/\s-$/);
    await ui.press("u");
    expect(row(ui, "web-1")).toMatch(/W BKP3007$/);
  });

  it("an attribute the policy does not write is added: consistency on a policy that relies on the default", async () => {
    const text = 'vault "vt" { path "x" }\npolicy "pol" { schedule daily at 21:00 timezone "UTC" retain daily 7 days }\nvm "a" { os windows policy "pol" vault "vt" disk "os" { role os size 64 GB used 10 GB } }\n';
    const s = open([{ path: "p.bkp", text }]);
    ui = await mount(s);
    await focus(ui, "consistency");
    await ui.press("+");
    expect(row(ui, "a")).toMatch(/\sfs\s/);
    expect(s.changes()[0].after).toContain("  consistency file-system\n");
  });
});
