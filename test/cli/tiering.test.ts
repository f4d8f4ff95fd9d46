// Archive tiering end to end, run as users run bkp (dist/bkp.mjs): archive after / recommended /
// never through check, cost (text, JSON, Markdown), cost diff, lint and export (docs/domain.md#archive).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "bkp-tiering-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const set = (archive: string, monthly = 24) => `vault "prod" {
  path "vault"
  redundancy LRS
  pricing "book"
}

pricing "book" {
  currency USD
  instance up-to 50 GB 5.00
  instance up-to 500 GB 10.00
  instance per 500 GB 10.00
  storage LRS 0.028 per GB-month
  snapshot 0.05 per GB-month
  archive 0.002 per GB-month
}

policy "long-term" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 30 days
  retain monthly ${monthly} months on first Sun
  ${archive}
}

vm "app" {
  os linux
  policy "long-term"
  vault "prod"
  protected-since 2024-01-01
  disk "os" { role os size 64 GB used 40 GB churn 1 GB per day }
}
`;
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const after = file("after.bkp", set("archive after 3 months"));
const recommended = file("recommended.bkp", set("archive recommended"));
const never = file("never.bkp", set("archive never"));
const COST = ["--from", "2026-06-01", "--months", "1"];

interface CostJson { notes: { code: string; line: number }[]; vms: { archiveGB: string; archiveFee: string; storageGB: string; monthlyTotal: string }[] }
const costJson = (f: string): CostJson => {
  const r = bkp(["cost", f, ...COST, "--format", "json"]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CostJson;
};

describe("archive tiering", () => {
  it("check accepts the three forms", () => {
    for (const f of [after, recommended, never]) expect(bkp(["check", f]).stdout).toContain("no problems");
  });

  it("plan says what happens to the points, in text and JSON", () => {
    const text = bkp(["plan", after, "--days", "1", "--from", "2026-06-01"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("archive: monthly and yearly points move to the archive tier at 3 months old if at least 6 months of their retention remain");
    const json = JSON.parse(bkp(["plan", never, "--days", "1", "--from", "2026-06-01", "--format", "json"]).stdout) as { vms: { archive?: { mode: string } }[] };
    expect(json.vms[0].archive?.mode).toBe("never");
    const short = file("short-plan.bkp", set("archive after 3 months", 8));
    expect(bkp(["plan", short, "--days", "1", "--from", "2026-06-01"]).stdout).toContain("archive: no point ever moves: monthly and yearly points are kept 8 months");
  });

  it("cost bills the archived monthly points at the archive price, as full copies", () => {
    const c = costJson(after);
    // 24 months kept, moved at 3 months: the points aged 3 to 24 months (21) are in archive, 40 GB each.
    expect(Math.round(Number(c.vms[0].archiveGB) / 40)).toBe(21);
    expect(c.vms[0].archiveFee).toBe((Number(c.vms[0].archiveGB) * 0.002).toFixed(2));
    const text = bkp(["cost", after, ...COST]).stdout;
    expect(text).toMatch(/archive GB\s+archive\s+total/);
    expect(bkp(["cost", after, ...COST, "--format", "markdown"]).stdout).toContain("| archive GB | archive |");
  });

  it("archive never and archive recommended bill no archive line; recommended says why (BKP3020)", () => {
    const n = costJson(never);
    expect(n.vms[0].archiveGB).toBe("0");
    expect(n.notes).toEqual([]);
    const r = costJson(recommended);
    expect(r.vms[0].archiveGB).toBe("0");
    expect(r.vms[0].storageGB).toBe(n.vms[0].storageGB);
    expect(r.notes.map((x) => [x.code, x.line])).toEqual([["BKP3020", 22]]);
    expect(bkp(["cost", after, ...COST]).stdout).not.toContain("BKP3020");
  });

  it("cost diff names the tiering change as the cause", () => {
    const r = bkp(["cost", "diff", after, never, ...COST]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("archive tiering after 3 months → never");
    expect(bkp(["cost", "diff", never, recommended, ...COST]).stdout).toContain("archive tiering never → recommended");
  });

  it("lint warns when the retention is too short for any point to move (BKP4071), and only then", () => {
    const short = file("short.bkp", set("archive after 3 months", 8));
    const r = bkp(["lint", short, "--format", "json"]);
    const found = (JSON.parse(r.stdout) as { code: string; line: number; message: string }[]).filter((d) => d.code === "BKP4071");
    expect(found.map((d) => [d.line, d.message])).toEqual([[22, 'no point of policy "long-term" ever moves to archive: its monthly and yearly points are kept 8 months, but a point moves only after 3 months and with 6 months of retention left']]);
    const ok = bkp(["lint", after, "--format", "json"]);
    expect((JSON.parse(ok.stdout) as { code: string }[]).map((d) => d.code)).not.toContain("BKP4071");
  });

  it("exports each mode to the REST body and Terraform, and imports it back", () => {
    const modes: [string, string, string | undefined][] = [[after, "TierAfter", 'mode          = "TierAfter"'], [recommended, "TierRecommended", 'mode = "TierRecommended"'], [never, "DoNotTier", undefined]];
    for (const [f, mode, hcl] of modes) {
      const az = bkp(["export", "azure", f]);
      expect(az.code, az.stderr).toBe(0);
      const body = JSON.parse(az.stdout) as { properties: { tieringPolicy: { ArchivedRP: { tieringMode: string } } } };
      expect(body.properties.tieringPolicy.ArchivedRP.tieringMode).toBe(mode);
      const back = bkp(["import", "azure", "-"], { input: az.stdout });
      expect(back.stdout).toContain(mode === "TierAfter" ? "archive after 3 months" : mode === "TierRecommended" ? "archive recommended" : "archive never");
      const tf = bkp(["export", "terraform", f]);
      expect(tf.code, tf.stderr).toBe(0);
      // azurerm has no DoNotTier mode: no tiering_policy block is the same thing.
      if (hcl) expect(tf.stdout).toContain(hcl);
      else expect(tf.stdout).not.toContain("tiering_policy");
    }
  });
});
