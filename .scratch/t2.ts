import { readdirSync, readFileSync } from "node:fs";
import { parseFile } from "../src/lang/index.ts";
import { check } from "../src/model/check.ts";
import { computeCost, planAndAnalyze } from "../src/analyze/index.ts";
const dir = "/tmp/set500";
const inputs = readdirSync(dir).map(f => ({ path: dir + "/" + f, text: readFileSync(dir + "/" + f, "utf8") }));
for (let i = 0; i < 6; i++) {
const t0 = performance.now();
const parsed = inputs.map(x => parseFile(x.path, x.text));
const t1 = performance.now();
const c = check(parsed.map(p => p.ast));
const t2 = performance.now();
const a = planAndAnalyze(c.model!, { from: "2026-05-01", days: 2 });
const t3 = performance.now();
const cost = computeCost(c.model!, { from: "2026-05-01", months: 12 });
const t4 = performance.now();
console.log("parse", (t1-t0).toFixed(0), "check", (t2-t1).toFixed(0), "plan2d", (t3-t2).toFixed(0), "cost", (t4-t3).toFixed(0), inputs.map(x=>x.text.length));
}
