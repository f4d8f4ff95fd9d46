// Linter speed (issue #4): 200 generated policy files of 50 VMs each in one run, and
// `bkp lint` on the seed against `node -e 0`.   npm run bench -- lint
//
// The seed's ratio is taken pair by pair (node -e 0, then bkp lint, 21 times) and the median of
// the ratios reported: on a shared machine the load drifts between runs, and a ratio of two
// medians taken minutes apart drifts with it.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { generatePolicySet } from "../gen-policy-set.js";
import { median, medianWall, secs, wall } from "../bench-lib/timing.js";

const dir = join(".bench", "lint-200x50");
mkdirSync(dir, { recursive: true });
for (const f of generatePolicySet(200 * 50, 200)) writeFileSync(join(dir, f.name), f.text);
const files = readdirSync(dir).filter((f) => f.endsWith(".bkp")).map((f) => join(dir, f));

const node = process.execPath;
const seedArgs = ["dist/bkp.mjs", "lint", "policies/seed-a2-standard.bkp"];
wall(node, seedArgs);
const pairs = Array.from({ length: 21 }, () => {
  const base = wall(node, ["-e", "0"]);
  return { base, seed: wall(node, seedArgs) };
});
const baseline = median(pairs.map((p) => p.base));
const seed = median(pairs.map((p) => p.seed));
const ratio = median(pairs.map((p) => p.seed / p.base));
const big = medianWall(node, ["dist/bkp.mjs", "lint", ...files], 5);

// Heap the linted set keeps (after a full GC), in a process of its own.
const heap = spawnSync(node, ["--expose-gc", "--import", "tsx", "scripts/bench-lib/heap-after-load.ts", ...files], { encoding: "utf8" });
const heapMb = heap.status === 0 ? heap.stdout.trim() : `failed: ${heap.stderr.slice(0, 200)}`;

console.log("| what | median wall | note |\n|---|---|---|");
console.log(`| node -e 0 | ${secs(baseline)} | |`);
console.log(`| bkp lint policies/seed-a2-standard.bkp | ${secs(seed)} | ${ratio.toFixed(2)}x node -e 0, median of 21 paired runs (target <= 3x) |`);
console.log(`| bkp lint, ${files.length - 1} files x 50 VMs (+ common.bkp) | ${secs(big)} | target < 2 s |`);
console.log(`| heap after loading those 10,000 VMs | ${heapMb} MB | after a full GC |`);
