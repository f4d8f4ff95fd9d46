// The compiler: job instants, kinds and tasks per VM, and the consistency each VM gets.
import { describe, expect, it } from "vitest";
import { compilePlan } from "../../src/plan/compile.js";
import { predictConsistency } from "../../src/plan/consistency.js";
import { model, oneVm, VAULT } from "./fixtures.js";
import { readFileSync } from "node:fs";

const seed = () => model(readFileSync("policies/seed-a2-standard.bkp", "utf8"), "policies/seed-a2-standard.bkp");

describe("jobs of the seed policy (daily at 02:30 Asia/Tokyo)", () => {
  const plan = compilePlan(seed(), { from: "2026-05-01", days: 3 });
  it("one job a day at 02:30 Tokyo time, in the zone and in UTC", () => {
    expect(plan.jobs.map((j) => j.run.local)).toEqual(["2026-05-01T02:30:00+09:00", "2026-05-02T02:30:00+09:00", "2026-05-03T02:30:00+09:00"]);
    expect(plan.jobs.map((j) => j.run.utc)).toEqual(["2026-04-30T17:30:00Z", "2026-05-01T17:30:00Z", "2026-05-02T17:30:00Z"]);
  });

  it("a new VM's first job is its initial backup; then incrementals of one day's churn", () => {
    expect(plan.jobs.map((j) => j.kind)).toEqual(["initial", "incremental", "incremental"]);
    expect(plan.jobs[0].firstBackup).toBe(true);
    // Temp disk never backed up: tasks for os, data1, data2 only.
    expect(plan.jobs[0].tasks.map((t) => [t.disk.name, t.transferBytes])).toEqual([["os", 17e9], ["data1", 30e9], ["data2", 0]]);
    // Incremental: os churns 2% of 17 GB = 0.34 GB/day, data1 1 GB/day, data2 2% of 0.
    expect(plan.jobs[1].tasks.map((t) => [t.disk.name, t.transferBytes])).toEqual([["os", 0.34e9], ["data1", 1e9], ["data2", 0]]);
  });
});

const DAILY = "  schedule daily at 02:00\n  timezone \"UTC\"\n  retain daily 7 days";
const DISK = '  disk "os" { role os size 64 GB used 20 GB churn 1 GB per day }';

describe("protection state decides the jobs", () => {
  it("protected-since before the horizon: only incrementals", () => {
    const p = compilePlan(oneVm({ policy: DAILY, disks: DISK, vm: "  protected-since 2026-01-01" }), { from: "2026-05-01", days: 2 });
    expect(p.jobs.map((j) => j.kind)).toEqual(["incremental", "incremental"]);
  });

  it("protected-since inside the horizon: nothing before it, the initial backup on that day", () => {
    const p = compilePlan(oneVm({ policy: DAILY, disks: DISK, vm: "  protected-since 2026-05-03" }), { from: "2026-05-01", days: 5 });
    expect(p.jobs.map((j) => [j.run.utc.slice(0, 10), j.kind])).toEqual([["2026-05-03", "initial"], ["2026-05-04", "incremental"], ["2026-05-05", "incremental"]]);
  });

  it("stopped protection schedules no jobs", () => {
    for (const prot of ["stopped retain-data", "stopped delete-data"]) {
      const p = compilePlan(oneVm({ policy: DAILY, disks: DISK, vm: `  protection ${prot}` }), { from: "2026-05-01", days: 3 });
      expect(p.jobs).toEqual([]);
      expect(p.vms.get("x")!.noJobs).toMatch(/protection stopped/);
    }
  });

  it("a disk added to a protected VM replicates fully on its first job, the others stay incremental", () => {
    const p = compilePlan(oneVm({ policy: DAILY, vm: "  protected-since 2026-01-01", disks: `${DISK}\n  disk "new" { role data size 1 TB used 500 GB added 2026-05-02 }` }), { from: "2026-05-01", days: 3 });
    const tasks = p.jobs.map((j) => j.tasks.map((t) => `${t.disk.name}:${t.kind}${t.added ? "+added" : ""}`).join(" "));
    expect(tasks).toEqual(["os:incremental new:incremental", "os:incremental new:initial+added", "os:incremental new:incremental"]);
    expect(p.jobs[1].tasks[1].transferBytes).toBe(500e9);
  });
});

describe("checksum comparison when the previous snapshot is gone (DOMAIN §4)", () => {
  const weekly = (days: string) => oneVm({ policy: `  schedule weekly on ${days} at 10:00\n  timezone "UTC"\n  instant-restore 5 days\n  retain weekly 4 weeks on ${days}`, disks: DISK, vm: "  protected-since 2026-01-01" });
  it("weekly on Mon: 7 days between runs, snapshots kept 5: every job compares checksums over all used data", () => {
    const p = compilePlan(weekly("Mon"), { from: "2026-05-01", days: 14 });
    expect(p.jobs.map((j) => j.kind)).toEqual(["checksum-comparison", "checksum-comparison"]);
    // It reads all 20 GB and sends 7 days of churn.
    expect(p.jobs[0].tasks[0]).toMatchObject({ scanBytes: 20e9, transferBytes: 7e9 });
  });
  it("weekly on Mon, Wed, Thu: at most 4 days apart, the snapshot is still there", () => {
    const p = compilePlan(weekly("Mon, Wed, Thu"), { from: "2026-05-01", days: 7 });
    expect(new Set(p.jobs.map((j) => j.kind))).toEqual(new Set(["incremental"]));
    // Thu 2026-04-30 -> Mon 2026-05-04: 4 days of churn.
    expect(p.jobs[0].tasks[0].transferBytes).toBe(4e9);
  });
});

describe("the consistency a VM really gets (DOMAIN §2)", () => {
  const vm = (lines: string, policy = "") =>
    predictConsistency(model(`${VAULT}policy "pol" {\n  schedule daily at 02:00\n  retain daily 7 days\n${policy}\n}\nvm "x" {\n  policy "pol"\n  vault "vt"\n${lines}\n  disk "os" { role os size 64 GB used 20 GB }\n}\n`).vms.get("x")!);
  it.each([
    ["a running Windows VM: VSS, application", "  os windows", "", "application"],
    ["a Linux VM without scripts: file-system", "  os linux", "", "file-system"],
    ["a Linux VM with pre/post scripts: application", '  os linux\n  scripts { pre "f.sh" post "t.sh" }', "", "application"],
    ["a stopped VM: crash", "  os windows\n  state stopped", "", "crash"],
    ["provisioning failed: crash", "  os windows\n  provisioning failed", "", "crash"],
    ["agentless crash-consistent: crash", "  os windows", "  type enhanced\n  consistency agentless-crash", "crash"],
    ["policy asks for file-system", "  os windows", "  consistency file-system", "file-system"],
  ])("%s", (_n, lines, policy, level) => {
    expect(vm(lines, policy).level).toBe(level);
  });
  it("says why, and what lowers it further", () => {
    const c = vm('  os linux\n  scripts { pre "f.sh" continue-on-failure false }');
    expect(c.fallback).toMatch(/crash if a script fails \(continue-on-failure false, single disk\)/);
    expect(vm("  os linux").reason).toMatch(/Linux without pre\/post scripts/);
    expect(vm("  os windows\n  provisioning creating").retried).toBe(true);
  });
});

describe("agentless crash consistency with premium SSD v2 / ultra disks", () => {
  it("says those disks are crash-consistent on their own only", () => {
    const m = model(`${VAULT}policy "pol" {\n  schedule daily at 02:00\n  type enhanced\n  consistency agentless-crash\n  retain daily 7 days\n}\nvm "x" {\n  os linux\n  policy "pol"\n  vault "vt"\n  disk "os" { role os size 64 GB used 20 GB }\n  disk "u" { role data size 1 TB used 20 GB tier ultra }\n}\n`);
    expect(predictConsistency(m.vms.get("x")!).reason).toContain('"u" (premium SSD v2/ultra) not crash-consistent with the other disks');
  });
});
