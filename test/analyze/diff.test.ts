// `bkp cost diff`: per-VM bill changes and the risks a change adds or resolves.
import { readFileSync } from "node:fs";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { computeCost, diffCosts, planAndAnalyze } from "../../src/analyze/index.js";
import { model } from "../plan/fixtures.js";

const SEED = readFileSync("policies/seed-a2-standard.bkp", "utf8");
const side = (text: string) => {
  const m = model(text);
  return { cost: computeCost(m, { from: "2026-04-01", months: 3 }), risks: planAndAnalyze(m, { from: "2026-04-01", days: 7 }).risks };
};

describe("cost diff", () => {
  const before = side(SEED);
  const after = side(
    SEED.replace("retain daily 30 days", "retain daily 60 days").replace("schedule daily at 02:30", "schedule daily at 12:30") +
      'vm "web" {\n  os linux\n  policy "daily"\n  vault "prod"\n  disk "os" { role os size 64 GB used 20 GB }\n}\n',
  );
  const d = diffCosts(before, after);

  it("longer retention: the seed VM's storage grows; the new VM is listed as added", () => {
    const seed = d.vms.find((v) => v.name === "a2-standard")!;
    expect(d.vms.find((v) => v.name === "web")!.why).toEqual(["added"]);
    // Causes first (what was edited), then the billed figures it moved.
    expect(seed.why[0]).toBe("schedule");
    expect(seed.why[1]).toMatch(/^retention daily 30 days, .* → daily 60 days, /);
    expect(seed.why).toContainEqual(expect.stringMatching(/^storage \d+(\.\d+)? → \d+(\.\d+)? GB$/));
    expect(seed.new!.storageGB.gt(seed.old!.storageGB)).toBe(true);
    expect(d.delta.eq(d.newTotal.sub(d.oldTotal))).toBe(true);
    expect(d.oldTotal.toFixed(2)).toBe(before.cost.monthlyTotal.toFixed(2, 4));
  });

  it("risks: moving the schedule out of peak hours resolves BKP3014; the Linux VM adds BKP3013", () => {
    expect(d.resolvedRisks.map((r) => r.code)).toEqual(["BKP3014"]);
    expect(d.newRisks.map((r) => r.code)).toEqual(["BKP3013"]);
  });

  it("a change of redundancy alone names redundancy for every VM, and the deltas add up to the cent", () => {
    const fleet = ["10-vaults-policies", "20-frontends", "30-api", "40-batch"].map((f) => readFileSync(`policies/web-fleet/${f}.bkp`, "utf8")).join("\n");
    const grs = side(fleet);
    const lrs = side(fleet.replace("redundancy GRS", "redundancy LRS"));
    const r = diffCosts(lrs, grs);
    expect(r.vms.length).toBe(12);
    for (const v of r.vms) expect(v.why, v.name).toEqual(["redundancy LRS → GRS"]);
    // In cents: every VM's delta is new − old as shown, and they sum (with the rounding line) to the total's.
    for (const v of r.vms) expect(v.delta.toFixed(2), v.name).toBe(new Decimal(v.new!.monthlyTotal.toFixed(2, 4)).sub(v.old!.monthlyTotal.toFixed(2, 4)).toFixed(2));
    const sum = r.vms.reduce((s, v) => s.add(v.delta), r.rounding);
    expect(sum.toFixed(2)).toBe(r.delta.toFixed(2));
    expect(r.delta.toFixed(2)).toBe(r.newTotal.sub(r.oldTotal).toFixed(2));
    expect(r.rounding.abs().lte(0.05)).toBe(true);
  });

  it("the same policy set: nothing changes", () => {
    const same = diffCosts(before, side(SEED));
    expect(same.vms).toEqual([]);
    expect(same.unchanged).toBe(1);
    expect(same.delta.isZero()).toBe(true);
    expect([same.newRisks.length, same.resolvedRisks.length, same.keptRisks]).toEqual([0, 0, 1]);
  });
});
