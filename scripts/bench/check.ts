// Front-end speed (issue #2): `bkp check` start-up against `node -e 0`, and scale to 10,000 VMs.
//   npm run bench -- check
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { generatePolicySet } from "../gen-policy-set.js";
import { writeFileSync } from "node:fs";
import { medianWall, secs } from "../bench-lib/timing.js";

const BIN = "dist/bkp.mjs";
const node = process.execPath;

function set(vms: number): string[] {
  const dir = join(".bench", `set-${vms}`);
  mkdirSync(dir, { recursive: true });
  for (const f of generatePolicySet(vms, Math.max(1, Math.ceil(vms / 1000)))) writeFileSync(join(dir, f.name), f.text);
  return readdirSync(dir).filter((f) => f.endsWith(".bkp")).map((f) => join(dir, f));
}

const baseline = medianWall(node, ["-e", "0"], 11);
const seed = medianWall(node, [BIN, "check", "policies/seed-a2-standard.bkp"], 11);
const k1 = medianWall(node, [BIN, "check", ...set(1000)], 5);
const k10 = medianWall(node, [BIN, "check", ...set(10000)], 5);

const rows = [
  ["node -e 0", secs(baseline), ""],
  ["bkp check policies/seed-a2-standard.bkp", secs(seed), `${(seed / baseline).toFixed(2)}x node -e 0 (target <= 3x)`],
  ["bkp check, 1,000 VMs", secs(k1), ""],
  ["bkp check, 10,000 VMs", secs(k10), `target < 2 s; 10k/1k = ${(k10 / k1).toFixed(2)} (target <= 12)`],
];
console.log("| what | median wall | note |\n|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
