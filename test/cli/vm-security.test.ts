// Trusted Launch and confidential VMs, and agentless crash-consistent (OnlyCrashConsistent)
// policies, run as users run bkp (dist/bkp.mjs): check, plan, lint and export
// (docs/azure-model.md "Trusted Launch and confidential VMs", "Consistency", "Disk types").
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "bkp-vm-security-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const POLICIES = `policy "nightly" {
  schedule daily at 02:30
  retain daily 30 days
}

policy "crash-only" {
  schedule every 4 hours from 08:00 for 12 hours
  consistency agentless-crash
  retain daily 30 days
}

policy "enhanced-app" {
  schedule every 4 hours from 08:00 for 12 hours
  retain daily 30 days
}
`;
const vm = (name: string, security: string, policy: string, disks = "") => `vm "${name}" {
  os linux
  security ${security}
  policy "${policy}"
  vault "prod"
  disk "os" { role os size 64 GB used 20 GB }
${disks}}
`;
const write = (name: string, region: string, vms: string) => {
  const p = join(tmp, name);
  writeFileSync(p, `vault "prod" {\n  path "vault"\n  region "${region}"\n}\n\n${POLICIES}\n${vms}`);
  return p;
};
interface Diag { code: string; severity: string; line: number; message: string }
const checkJson = (f: string): Diag[] => JSON.parse(bkp(["check", f, "--format", "json"]).stdout) as Diag[];

describe("security type", () => {
  it("a confidential VM under an agentless crash-consistent policy is an error at its security line (BKP2080)", () => {
    const f = write("cvm-crash.bkp", "UAE North", vm("cvm", "confidential", "crash-only"));
    const r = bkp(["check", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[BKP2080]");
    expect(checkJson(f).map((d) => [d.code, d.line])).toEqual([["BKP2080", 24]]);
  });

  it("a confidential VM warns on a standard policy (BKP2083) and outside the preview's regions (BKP2082); fine on an enhanced policy in UAE North", () => {
    const bad = write("cvm-std.bkp", "UK South", vm("cvm", "confidential", "nightly"));
    expect(bkp(["check", bad]).code).toBe(0);
    expect(checkJson(bad).map((d) => [d.code, d.severity])).toEqual([["BKP2082", "warning"], ["BKP2083", "warning"]]);
    const good = write("cvm-ok.bkp", "UAE North", vm("cvm", "confidential", "enhanced-app"));
    expect(checkJson(good)).toEqual([]);
  });

  it("a Trusted Launch VM on a standard policy is a warning naming the tools that can deploy it (BKP2081)", () => {
    const f = write("tl.bkp", "UK South", vm("tl", "trusted-launch", "nightly") + "\n" + vm("tl2", "trusted-launch", "enhanced-app"));
    const d = checkJson(f);
    expect(d.map((x) => [x.code, x.line])).toEqual([["BKP2081", 24]]);
    expect(d[0].message).toContain("REST API 2025-01-01");
  });

  it("an unknown security type is a parse error with the choices", () => {
    const f = write("typo.bkp", "UK South", vm("x", "trusted", "nightly"));
    const r = bkp(["check", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/'standard'.*'trusted-launch'.*'confidential'|trusted-launch/s);
  });

  it("export writes the policies and the protected VMs (the security type is the VM's, not the backup's)", () => {
    const f = write("tl-export.bkp", "UAE North", vm("cvm", "confidential", "enhanced-app"));
    const tf = bkp(["export", "terraform", f, "--vms"]);
    expect(tf.code, tf.stderr).toBe(0);
    expect(tf.stdout).toContain('resource "azurerm_backup_protected_vm"');
  });
});

describe("agentless crash-consistent (OnlyCrashConsistent)", () => {
  it("needs an enhanced policy (BKP2040)", () => {
    const p = join(tmp, "std-crash.bkp");
    writeFileSync(p, 'policy "std-crash" {\n  schedule daily at 02:30\n  consistency agentless-crash\n  retain daily 30 days\n}\n');
    expect(checkJson(p).map((d) => [d.code, d.line])).toEqual([["BKP2040", 3]]);
  });

  it("plan does not promise crash consistency across disks for premium SSD v2 disks; export and import keep it", () => {
    const f = write("occ.bkp", "UK South", vm("db", "standard", "crash-only", '  disk "fast" { role data size 256 GB used 100 GB tier premium-v2 lun 0 }\n  disk "logs" { role data size 256 GB used 10 GB lun 1 }\n'));
    const plan = bkp(["plan", f, "--days", "1", "--from", "2026-12-06"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('"fast" (premium SSD v2/ultra) not crash-consistent with the other disks');
    const az = bkp(["export", "azure", f, "--policy", "crash-only"]);
    expect(az.code, az.stderr).toBe(0);
    expect((JSON.parse(az.stdout) as { properties: { snapshotConsistencyType: string } }).properties.snapshotConsistencyType).toBe("OnlyCrashConsistent");
    expect(bkp(["import", "azure", "-"], { input: az.stdout }).stdout).toMatch(/consistency agentless-crash/);
  });
});
