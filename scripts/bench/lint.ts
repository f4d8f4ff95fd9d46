// Linter speed (issue #4): 200 generated policy files of 50 VMs each in one run, and
// `bkp lint` on the seed against `node -e 0`.   npm run bench -- lint
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatePolicySet } from "../gen-policy-set.js";
import { medianWall, secs } from "../bench-lib/timing.js";

const dir = join(".bench", "lint-200x50");
mkdirSync(dir, { recursive: true });
for (const f of generatePolicySet(200 * 50, 200)) writeFileSync(join(dir, f.name), f.text);
const files = readdirSync(dir).filter((f) => f.endsWith(".bkp")).map((f) => join(dir, f));

const baseline = medianWall(process.execPath, ["-e", "0"], 11);
const seed = medianWall(process.execPath, ["dist/bkp.mjs", "lint", "policies/seed-a2-standard.bkp"], 11);
const big = medianWall(process.execPath, ["dist/bkp.mjs", "lint", ...files], 5);
console.log("| what | median wall | note |\n|---|---|---|");
console.log(`| node -e 0 | ${secs(baseline)} | |`);
console.log(`| bkp lint policies/seed-a2-standard.bkp | ${secs(seed)} | ${(seed / baseline).toFixed(2)}x node -e 0 (target <= 3x) |`);
console.log(`| bkp lint, ${files.length - 1} files x 50 VMs (+ common.bkp) | ${secs(big)} | target < 2 s |`);
