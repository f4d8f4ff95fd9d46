// `bkp cost` and `bkp cost diff`, run as users run them (dist/bkp.mjs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp, policySets } from "../helpers.js";

const SEED = "policies/seed-a2-standard.bkp";
const tmp = mkdtempSync(join(tmpdir(), "bkp-cost-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("bkp cost on the seed policy", () => {
  it("text: 47 GB, one PI at 5.00 USD, the temp disk not billed, a projection", () => {
    const r = bkp(["cost", "--from", "2026-05-01", "--months", "12", SEED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bkp cost: 1 VM in 1 vault, USD\nthe monthly figures are for 2027-04, the last month of a 12-month projection from 2026-05/);
    expect(r.stdout).toMatch(/\na2-standard +prod +47 +1 +5\.00 /);
    expect(r.stdout).toContain('vm "a2-standard" disk "temp" (temporary disk: never backed up)');
    expect(r.stdout.match(/^  20\d\d-\d\d /gm)).toHaveLength(12);
  });

  it("--format json: the shape DESIGN.md promises, decimals as strings", () => {
    const r = bkp(["cost", "--from", "2026-05-01", "--months", "3", "--format", "json", SEED]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ version: 1, currency: "USD", month: "2026-07", monthlyTotal: expect.stringMatching(/^\d+\.\d\d$/) });
    expect(j.vms[0]).toMatchObject({
      name: "a2-standard",
      protectedInstanceGB: "47",
      instanceUnits: "1",
      instanceFee: "5.00",
      snapshotGB: "2.68",
      snapshotFee: "0.13",
      storageGB: expect.stringMatching(/^\d+(\.\d+)?$/),
      storageFee: expect.stringMatching(/^\d+\.\d\d$/),
      monthlyTotal: j.monthlyTotal,
    });
    expect(j.projection).toHaveLength(3);
    expect(j.vaults[0]).toMatchObject({ name: "prod", redundancy: "GRS", priceBook: "azure-default", monthlyTotal: j.monthlyTotal });
  });

  it("--format markdown", () => {
    const r = bkp(["cost", "--from", "2026-05-01", "--months", "2", "--format", "markdown", SEED]);
    expect(r.stdout).toMatch(/^## bkp cost: \d+\.\d\d USD\/month\n/);
    expect(r.stdout).toContain("| a2-standard | prod | 47 | 1 | 5.00 |");
  });

  it("the projection horizon defaults to the assume block's", () => {
    const p = join(tmp, "h.bkp");
    writeFileSync(p, readFileSync(SEED, "utf8") + "assume { horizon 3 months }\n");
    const j = JSON.parse(bkp(["cost", "--from", "2026-05-01", "--format", "json", p]).stdout);
    expect(j.projection.map((m: { month: string }) => m.month)).toEqual(["2026-05", "2026-06", "2026-07"]);
  });

  it.each(policySets().map((s) => [s.map((f) => f.split("/policies/")[1]).join(" "), s] as const))("every bundled set: %s", (_n, files) => {
    const r = bkp(["cost", "--from", "2026-05-01", "--months", "2", "--format", "json", ...files]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const v of j.vms) expect(Number(v.monthlyTotal)).toBeGreaterThanOrEqual(0);
  });
});

describe("bkp cost diff OLD NEW", () => {
  const oldDir = join(tmp, "old");
  const newDir = join(tmp, "new");
  mkdirSync(oldDir);
  mkdirSync(newDir);
  const seed = readFileSync(SEED, "utf8");
  writeFileSync(join(oldDir, "seed.bkp"), seed);
  writeFileSync(join(newDir, "seed.bkp"), seed.replace("retain daily 30 days", "retain daily 90 days"));

  it("text: the bill before and after, per VM with the reason", () => {
    const r = bkp(["cost", "diff", "--from", "2026-05-01", "--months", "6", oldDir, newDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^bkp cost diff: \d+\.\d\d -> \d+\.\d\d USD\/month in 2026-10: \+\d+\.\d\d USD \(\+\d+\.\d%\)\n/);
    expect(r.stdout).toMatch(/a2-standard +\d+\.\d\d +\d+\.\d\d +\+\d+\.\d\d +retention daily 30 days.*; storage \d+(\.\d+)? → \d+(\.\d+)? GB/);
    expect(r.stdout).toContain("risks: 0 new, 0 resolved, 1 unchanged");
  });

  it("markdown for a pull-request comment", () => {
    const r = bkp(["cost", "diff", "--from", "2026-05-01", "--months", "6", "--format", "markdown", oldDir, newDir]);
    expect(r.stdout).toMatch(/^### bkp cost diff\n\nMonthly bill in 2026-10: \*\*\d+\.\d\d → \d+\.\d\d USD\*\* \(\+\d+\.\d\d USD, \+\d+\.\d%\)\n/);
    expect(r.stdout).toMatch(/\| a2-standard \| \d+\.\d\d \| \d+\.\d\d \| \+\d+\.\d\d \| retention daily .*storage /);
  });

  it("json", () => {
    const j = JSON.parse(bkp(["cost", "diff", "--from", "2026-05-01", "--months", "6", "--format", "json", oldDir, newDir]).stdout);
    expect(j).toMatchObject({ kind: "cost-diff", month: "2026-10", currency: "USD" });
    expect(Number(j.delta)).toBeGreaterThan(0);
    expect(j.vms[0].name).toBe("a2-standard");
  });

  it("needs exactly two policy sets", () => {
    const r = bkp(["cost", "diff", oldDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/takes two policy sets: OLD NEW/);
  });
});
