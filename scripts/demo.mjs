// `npm run demo`: what a new user sees first — bkp run on every bundled policy set.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const sets = readdirSync("policies").sort().flatMap((e) => {
  const p = join("policies", e);
  if (statSync(p).isDirectory()) return [readdirSync(p).filter((f) => f.endsWith(".bkp")).sort().map((f) => join(p, f))];
  return e.endsWith(".bkp") ? [[p]] : [];
});
// check must pass; plan and cost show what a user learns (plan exits 1 when it predicts an
// error-severity risk, which is information here, not a failure of the demo).
let failed = 0;
for (const files of sets) {
  for (const args of [["check"], ["plan", "--days", "2"], ["cost"]]) {
    console.log(`\n$ bkp ${args.join(" ")} ${files.join(" ")}`);
    const r = spawnSync(process.execPath, ["dist/bkp.mjs", ...args, ...files], { stdio: "inherit" });
    if (args[0] === "check" && r.status !== 0) failed++;
    if (r.status === 2) failed++;
  }
}
process.exit(failed ? 1 : 0);
