import { afterEach, describe, expect, it } from "vitest";
import { mount, open, SEED, TOUR, type Mounted } from "./helpers.js";

let ui: Mounted | undefined;
afterEach(() => ui?.unmount());

describe("Restore (view 5)", () => {
  it("shows each restore plan's storage accounts, their VMs, rate and predicted time", async () => {
    ui = await mount(open(TOUR));
    await ui.press("5");
    const lines = ui.lines();
    expect(lines[1]).toBe('restore "dr-drill" · 2 VMs · point latest · one VM per account · about 2h 52m');
    expect(lines.find((l) => l.includes("restore-sa-1 "))).toMatch(/restore-sa-1\s+42\.0 MB\/s\s+3\s+47\.0 GB\s+18m 39s\s+a2-standard$/);
    expect(lines.find((l) => l.includes("restore-sa-2 "))).toMatch(/restore-sa-2\s+60\.0 MB\/s\s+2\s+622\.0 GB\s+2h 52m\s+db01$/);
    // Why the rate: the account's throughput, less what other applications use.
    expect(ui.text()).toContain("throughput, 30% used by other applications");
  });

  it("says how to add a restore plan when there is none", async () => {
    ui = await mount(open([SEED]));
    await ui.press("5");
    expect(ui.lines()[1]).toBe("no restore plans");
  });
});
