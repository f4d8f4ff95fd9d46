// `npm run bench [-- NAME...]`: runs scripts/bench/NAME.ts (all of them without a name).
// Benchmarks measure the built CLI (dist/), so build first.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";

const all = readdirSync("scripts/bench").filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const flags = process.argv.slice(2).filter((a) => a.startsWith("-"));
const names = wanted.length ? wanted : all;
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`no benchmark '${n}'; have: ${all.join(", ")}`);
    process.exit(2);
  }
}
const build = spawnSync("npm", ["run", "build", "--silent"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);
let failed = 0;
for (const n of names) {
  console.log(`\n=== bench: ${n} ===`);
  const r = spawnSync("npx", ["tsx", `scripts/bench/${n}.ts`, ...flags], { stdio: "inherit" });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
