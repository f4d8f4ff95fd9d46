import { readdirSync, readFileSync } from "node:fs";
import { parseFile } from "../src/lang/index.ts";
import { check } from "../src/model/check.ts";
import { computeCost, planAndAnalyze } from "../src/analyze/index.ts";
const dir = "/tmp/set500";
const inputs = readdirSync(dir).map(f => ({ path: dir + "/" + f, text: readFileSync(dir + "/" + f, "utf8") }));
const parsed = inputs.map(x => parseFile(x.path, x.text));
const c = check(parsed.map(p => p.ast));
const m = c.model!;
const byPolicy = new Map<string, any[]>();
for (const vm of m.vms.values()) byPolicy.set(vm.policy.name, [...(byPolicy.get(vm.policy.name) ?? []), vm]);
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  computeCost(m, { from: "2026-05-01", months: 12 });
  const t1 = performance.now();
  const one = { ...m, vms: new Map([[...m.vms][0]]) };
  computeCost(one, { from: "2026-05-01", months: 12 });
  const t2 = performance.now();
  const parts = [...byPolicy].map(([p, vms]) => { const s = performance.now(); computeCost({ ...m, vms: new Map(vms.map(v => [v.name, v])) }, { from: "2026-05-01", months: 12 }); return p + ":" + vms.length + ":" + (performance.now() - s).toFixed(0); });
  console.log("all", (t1 - t0).toFixed(0), "one", (t2 - t1).toFixed(0), parts.join(" "));
}
