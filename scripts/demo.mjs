// `npm run demo`: what a new user sees first — bkp run on every bundled policy set.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const sets = readdirSync("policies").sort().flatMap((e) => {
  const p = join("policies", e);
  if (statSync(p).isDirectory()) return [readdirSync(p).filter((f) => f.endsWith(".bkp")).sort().map((f) => join(p, f))];
  return e.endsWith(".bkp") ? [[p]] : [];
});
let worst = 0;
for (const files of sets) {
  for (const cmd of ["check"]) {
    console.log(`\n$ bkp ${cmd} ${files.join(" ")}`);
    const r = spawnSync(process.execPath, ["dist/bkp.mjs", cmd, ...files], { stdio: "inherit" });
    worst = Math.max(worst, r.status ?? 2);
  }
}
process.exit(worst);
