// Plan and cost speed (issue #3): `bkp plan --days 30` and `bkp cost` on generated sets of
// 1,000 and 10,000 VMs, median of 3 runs each (after a warm-up), and the 10k/1k ratio.
//   npm run bench -- plan
// Targets: each under 3 s at 10,000 VMs; time(10,000) / time(1,000) <= 12.
// Writes the table and the command into docs/benchmarks.md ("Plan and cost"; other sections kept).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { medianWall, secs } from "../bench-lib/timing.js";
import { generatePolicySet } from "../gen-policy-set.js";

const BIN = "dist/bkp.mjs";
const node = process.execPath;
const FROM = "2026-05-01";

function set(vms: number): string[] {
  const dir = join(".bench", `set-${vms}`);
  mkdirSync(dir, { recursive: true });
  for (const f of generatePolicySet(vms, Math.max(1, Math.ceil(vms / 1000)))) writeFileSync(join(dir, f.name), f.text);
  return readdirSync(dir).filter((f) => f.endsWith(".bkp")).map((f) => join(dir, f));
}

const sets = { 1000: set(1000), 10000: set(10000) };
const t = (vms: 1000 | 10000, cmd: string[]) => medianWall(node, [BIN, ...cmd, ...sets[vms]], 3);
const r = {
  plan1: t(1000, ["plan", "--from", FROM, "--days", "30"]),
  plan10: t(10000, ["plan", "--from", FROM, "--days", "30"]),
  cost1: t(1000, ["cost", "--from", FROM]),
  cost10: t(10000, ["cost", "--from", FROM]),
  check10: t(10000, ["check"]),
};
const ok = (x: boolean) => (x ? "ok" : "MISSED");
const rows = [
  ["bkp plan --days 30", secs(r.plan1), secs(r.plan10), (r.plan10 / r.plan1).toFixed(2), `${ok(r.plan10 < 3)} (< 3 s), ${ok(r.plan10 / r.plan1 <= 12)} (ratio <= 12)`],
  ["bkp cost (12 months)", secs(r.cost1), secs(r.cost10), (r.cost10 / r.cost1).toFixed(2), `${ok(r.cost10 < 3)} (< 3 s), ${ok(r.cost10 / r.cost1 <= 12)} (ratio <= 12)`],
  ["bkp check (for reference: loading the set)", "", secs(r.check10), "", ""],
];
const table = ["| command | 1,000 VMs | 10,000 VMs | 10k / 1k | target |", "|---|---|---|---|---|", ...rows.map((x) => `| ${x.join(" | ")} |`)].join("\n");
console.log(table);

const file = join("docs", "benchmarks.md");
const heading = "## Plan and cost";
const section = `${heading}

Command: \`npm run bench -- plan\` (${new Date().toISOString().slice(0, 10)}; ${cpus().length} cores, Node ${process.versions.node}).
Generated sets (\`scripts/gen-policy-set.ts\`, 4 policies incl. an enhanced 4-hourly one, 0-3 data
disks per VM); \`--from ${FROM}\`; output to /dev/null; median wall time of 3 runs after a warm-up.
The 10,000-VM month is 531,600 jobs (61 MB of text). Loading and checking the set (the front end)
is most of each figure.

${table}

`;
let doc = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
const start = doc.search(/^## Plan and cost\s*$/m);
if (start >= 0) {
  const next = doc.slice(start + heading.length).search(/^## /m);
  doc = doc.slice(0, start) + section + (next >= 0 ? doc.slice(start + heading.length + next) : "");
} else doc = `${doc.trimEnd()}\n\n${section}`;
mkdirSync("docs", { recursive: true });
writeFileSync(file, doc);
console.log(`\nwritten to ${file}`);
