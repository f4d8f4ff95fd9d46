import { readdirSync, readFileSync } from "node:fs";
import { parseFile } from "../src/lang/index.ts";
import { check } from "../src/model/check.ts";
import { compilePlan } from "../src/plan/index.ts";
import { timePlan, findRisks, computeCost } from "../src/analyze/index.ts";
const dir = "/tmp/set500";
const inputs = readdirSync(dir).map(f => ({ path: dir + "/" + f, text: readFileSync(dir + "/" + f, "utf8") }));
const res: Record<string, number[]> = {};
const rec = (k: string, t: number) => (res[k] ??= []).push(t);
for (let i = 0; i < 15; i++) {
  let t = performance.now();
  const parsed = inputs.map(x => parseFile(x.path, x.text)); rec("parse", performance.now() - t); t = performance.now();
  const big = parseFile(inputs[1].path, inputs[1].text.slice(0, 300)); rec("parse-block", performance.now() - t); t = performance.now();
  const m = check(parsed.map(p => p.ast)).model!; rec("check", performance.now() - t); t = performance.now();
  for (const days of [2, 7]) {
    const plan = compilePlan(m, { from: "2026-05-01", days }); rec("compile" + days, performance.now() - t); t = performance.now();
    const tim = timePlan(plan); rec("time" + days, performance.now() - t); t = performance.now();
    findRisks(plan, tim); rec("risks" + days, performance.now() - t); t = performance.now();
  }
  computeCost(m, { from: "2026-05-01", months: 12 }); rec("cost", performance.now() - t); t = performance.now();
}
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k.padEnd(12), "min", v[0].toFixed(1), "med", v[v.length >> 1].toFixed(1)); }
