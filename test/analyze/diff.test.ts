// `bkp cost diff`: per-VM bill changes and the risks a change adds or resolves.
import { readFileSync } from "node:fs";
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
    expect(Object.fromEntries(d.vms.map((v) => [v.name, v.why[0]]))).toEqual({ web: "added", "a2-standard": expect.stringMatching(/^storage \d+(\.\d+)? → \d+(\.\d+)? GB$/) });
    const seed = d.vms.find((v) => v.name === "a2-standard")!;
    expect(seed.new!.storageGB.gt(seed.old!.storageGB)).toBe(true);
    expect(seed.delta.eq(seed.new!.monthlyTotal.sub(seed.old!.monthlyTotal))).toBe(true);
    expect(d.delta.eq(d.newTotal.sub(d.oldTotal))).toBe(true);
    expect(d.oldTotal.eq(before.cost.monthlyTotal)).toBe(true);
  });

  it("risks: moving the schedule out of peak hours resolves BKP3014; the Linux VM adds BKP3013", () => {
    expect(d.resolvedRisks.map((r) => r.code)).toEqual(["BKP3014"]);
    expect(d.newRisks.map((r) => r.code)).toEqual(["BKP3013"]);
  });

  it("the same policy set: nothing changes", () => {
    const same = diffCosts(before, side(SEED));
    expect(same.vms).toEqual([]);
    expect(same.unchanged).toBe(1);
    expect(same.delta.isZero()).toBe(true);
    expect([same.newRisks.length, same.resolvedRisks.length, same.keptRisks]).toEqual([0, 0, 1]);
  });
});
