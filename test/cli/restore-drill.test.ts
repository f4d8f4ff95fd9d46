// A restore drill for CI: `bkp restore --plan NAME` keeps, per VM, its storage account's
// predicted and measured time in the job log (bkp jobs shows them), and --junit FILE writes the
// drill as a JUnit XML report (a suite per account, a case per VM, failures with their codes).
import crypto from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp, mainVaultAndDailyPolicy } from "../helpers.js";

let dir: string;
let env: Record<string, string>;
const run = (args: string[]) => bkp(args, { cwd: dir, env });

const POLICY = `${mainVaultAndDailyPolicy()}vm "alpha" {
  os linux
  policy "daily"
  vault "main"
  disk "os" { role os size 1 GB used 1 MB image "alpha.img" }
}
vm "bravo" {
  os linux
  policy "daily"
  vault "main"
  disk "os" { role os size 1 GB used 1 MB image "bravo.img" }
}
storage-account "sa-1" { kind general-purpose-v2 throughput 100 MB/s path "out/sa1" }
storage-account "sa-2" { kind general-purpose-v2 throughput 50 MB/s path "out/sa2" }
restore "drill" {
  vms all
  point latest
  into "sa-1", "sa-2"
  spread one-vm-per-account
}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-drill-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  writeFileSync(join(dir, "alpha.img"), crypto.randomBytes(1024 * 1024));
  writeFileSync(join(dir, "bravo.img"), crypto.randomBytes(1024 * 1024));
  writeFileSync(join(dir, "p.bkp"), POLICY);
  expect(run(["backup", "--now", "p.bkp"]).code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tags open and close in order, attributes quoted, only the five XML entities: a well-formed document. */
function wellFormed(xml: string): boolean {
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')) return false;
  const stack: string[] = [];
  const body = xml.slice(xml.indexOf("\n") + 1);
  for (const m of body.matchAll(/<(\/?)([A-Za-z-]+)((?:\s+[A-Za-z-]+="[^"<]*")*)\s*(\/?)>|&(?!amp;|lt;|gt;|quot;|apos;)|<(?![/A-Za-z])/g)) {
    if (m[2] === undefined) return false;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else if (!m[4]) stack.push(m[2]);
  }
  return stack.length === 0;
}

describe("bkp restore --plan as a drill", () => {
  it("--junit writes a JUnit report: a suite per account with its predicted and measured seconds, a case per VM", () => {
    const r = run(["restore", "p.bkp", "--plan", "drill", "--junit", "drill.xml"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`  JUnit report: ${join(dir, "drill.xml")}\n`);
    const xml = readFileSync(join(dir, "drill.xml"), "utf8");
    expect(wellFormed(xml)).toBe(true);
    expect(xml).toMatch(/^<testsuites name="bkp restore --plan drill" tests="2" failures="0" errors="0" time="\d+\.\d{3}">$/m);
    const suites = [...xml.matchAll(/<testsuite name="restore drill into (sa-\d)" tests="1" failures="0"[^>]*>/g)].map((m) => m[1]);
    expect(suites).toEqual(["sa-1", "sa-2"]);
    // Predicted: 1 MB used at 100 MB/s into sa-1 (the spread puts the first VM there), 0.01 s.
    expect(xml).toMatch(/<property name="predictedSeconds" value="0\.010"\/>/);
    expect(xml.match(/<property name="measuredSeconds" value="\d+\.\d{3}"\/>/g)).toHaveLength(2);
    expect(xml.match(/<testcase classname="bkp\.restore\.drill\.sa-\d" name="vm (alpha|bravo)" time="\d+\.\d{3}">/g)).toHaveLength(2);
    expect(xml).toMatch(/disk os: restored and verified, 1048576 bytes from the (snapshot|vault)/);
    expect(xml).not.toContain("<failure");
  });

  it("the drill is in the job log: per VM its account, the account's predicted and measured seconds; plan's backup figures ignore it", () => {
    const jobs = JSON.parse(run(["jobs", "--json", "p.bkp"]).stdout) as { vm: string; kind?: string; status: string; restore?: { plan: string; account: string; accountPredictedSeconds: number; accountSeconds: number; disks: { name: string; ok: boolean }[] }; errorPercent?: number }[];
    const drill = jobs.filter((j) => j.kind === "restore");
    expect(drill.map((j) => [j.vm, j.status, j.restore?.plan, j.restore?.disks.map((d) => [d.name, d.ok])])).toEqual([
      ["alpha", "completed", "drill", [["os", true]]],
      ["bravo", "completed", "drill", [["os", true]]],
    ]);
    expect(new Set(drill.map((j) => j.restore?.account))).toEqual(new Set(["sa-1", "sa-2"]));
    for (const j of drill) {
      expect(j.restore!.accountSeconds).toBeGreaterThan(0);
      expect(j.errorPercent).toBeCloseTo(((j.restore!.accountPredictedSeconds - j.restore!.accountSeconds) / j.restore!.accountSeconds) * 100, 0);
    }
    const table = run(["jobs", "p.bkp"]).stdout;
    expect(table).toMatch(/\n +2 +alpha +main .* completed .* restore +- +restore "drill" into account "sa-\d" \(VM \d+\.\d s\): \d{8}T\d{6}Z-[0-9a-f]{6}\n/);
    // The plan's last run is still the backup (a drill measures no backup).
    const plan = JSON.parse(run(["plan", "--days", "1", "--format", "json", "p.bkp"]).stdout);
    expect(plan.vms[0].measured.last.seq).toBe(1);
  });

  it("--junit without --plan is a usage error", () => {
    const r = run(["restore", "p.bkp", "--vm", "alpha", "--junit", "x.xml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--junit reports a restore drill: give it with --plan NAME");
  });
});
