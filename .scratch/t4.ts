import { readdirSync, readFileSync } from "node:fs";
import { parseFile } from "../src/lang/index.ts";
import { check } from "../src/model/check.ts";
import { computeCost } from "../src/analyze/index.ts";
const dir = "/tmp/set500";
const inputs = readdirSync(dir).map(f => ({ path: dir + "/" + f, text: readFileSync(dir + "/" + f, "utf8") }));
const parsed = inputs.map(x => parseFile(x.path, x.text));
const m = check(parsed.map(p => p.ast)).model!;
const vms = [...m.vms.values()].filter(v => v.policy.name === "every-4h");
const sub = { ...m, vms: new Map(vms.map(v => [v.name, v])) };
const one = { ...m, vms: new Map(vms.slice(0,1).map(v => [v.name, v])) };
for (let i = 0; i < 20; i++) { const t = performance.now(); computeCost(sub, { from: "2026-05-01", months: 12 }); const t1 = performance.now(); computeCost(one, { from: "2026-05-01", months: 12 }); console.log((t1 - t).toFixed(0), (performance.now()-t1).toFixed(0)); }
