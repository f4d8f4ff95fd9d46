import { readdirSync, readFileSync } from "node:fs";
import { loadTexts } from "../src/model/load.ts";
import { computeCost, planAndAnalyze } from "../src/analyze/index.ts";
const dir = "/tmp/set500";
const inputs = readdirSync(dir).map(f => ({ path: dir + "/" + f, text: readFileSync(dir + "/" + f, "utf8") }));
for (let i = 0; i < 4; i++) {
let t = performance.now();
const set = loadTexts(inputs);
const t1 = performance.now();
const a = planAndAnalyze(set.model!, { from: "2026-05-01", days: 7 });
const t2 = performance.now();
const c = computeCost(set.model!, { from: "2026-05-01", months: 12 });
const t3 = performance.now();
console.log("load", (t1-t).toFixed(0), "plan", (t2-t1).toFixed(0), "cost", (t3-t2).toFixed(0), a.plan.jobs.length, c.monthlyTotal.toString(), a.risks.length);
}
