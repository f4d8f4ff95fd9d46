// `bkp import azure` and `bkp export azure|terraform`, run as users run them (dist/bkp.mjs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp, ROOT } from "../helpers.js";

const FIX = "test/interop/fixtures";
const tmp = mkdtempSync(join(tmpdir(), "bkp-interop-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("bkp import azure", () => {
  it.each(["valid/put-v1-daily.json", "valid/resource-v1-weekly.json", "valid/list-array.json", "valid/list-value.json", "valid/example-wrapper.json"])(
    "imports %s to formatted .bkp on standard output",
    (f) => {
      const r = bkp(["import", "azure", `${FIX}/${f}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^# Azure VM backup policies imported/);
      expect(r.stderr).toMatch(/^imported \d polic(y|ies) from /);
      // The output is already formatted: bkp fmt changes nothing.
      const fmt = bkp(["fmt", "--check", "-"], { input: r.stdout });
      expect(fmt.code).toBe(0);
    },
  );

  it("writes -o OUT.bkp, which bkp check accepts", () => {
    const out = join(tmp, "all.bkp");
    const r = bkp(["import", "azure", `${FIX}/valid/put-v1-daily.json`, `${FIX}/valid/list-array.json`, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`imported 4 policies from ${FIX}/valid/put-v1-daily.json, ${FIX}/valid/list-array.json into ${out}`);
    expect(bkp(["check", out]).code).toBe(0);
  });

  it("reads standard input with -", () => {
    const r = bkp(["import", "azure", "-"], { input: readFileSync(join(ROOT, FIX, "valid/list-value.json")) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('policy "v2-weekly-crash-archive" {');
  });

  it("imports what Azure would reject, and bkp check reports it at its line with the JSON path", () => {
    const out = join(tmp, "rejected.bkp");
    const r = bkp(["import", "azure", `${FIX}/rejected/weekly-instant-restore-2.json`, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`note: bkp check finds 1 error in the result`);
    const lines = readFileSync(out, "utf8").split("\n");
    const line = lines.findIndex((l) => l.startsWith("  instant-restore 2 days")) + 1;
    const c = bkp(["check", "--format", "json", out]);
    expect(c.code).toBe(1);
    const diags = JSON.parse(c.stdout) as { code: string; line: number; message: string }[];
    expect(diags).toEqual([expect.objectContaining({ code: "BKP2018", line, message: expect.stringContaining("(from Azure JSON at properties.instantRpRetentionRangeInDays)") })]);
  });

  it("reports malformed JSON located in the JSON file, writes nothing, exits 1", () => {
    const out = join(tmp, "never.bkp");
    const r = bkp(["import", "azure", `${FIX}/invalid/unknown-field.json`, "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[BKP6003]: unknown field properties.retentionPolicy.dailySchedule.retentionDurration");
    expect(r.stderr).toContain(`--> ${FIX}/invalid/unknown-field.json:14:9`);
    expect(r.stderr).toContain('help: did you mean "retentionDuration"?');
    expect(r.stderr).toContain("nothing written");
    expect(() => readFileSync(out)).toThrow();
  });

  it("exits 2 on usage errors and unreadable files", () => {
    expect(bkp(["import"]).code).toBe(2);
    expect(bkp(["import", "gcp", "x.json"]).code).toBe(2);
    expect(bkp(["import", "azure"]).code).toBe(2);
    const missing = bkp(["import", "azure", "no/such.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot find 'no/such.json'");
    expect(bkp(["import", "azure", FIX]).code).toBe(2);
  });

  it("imports an ARM quickstart template with its parameters file (names after the '/', expressions resolved)", () => {
    const dir = "test/fixtures/azure-corpus/arm";
    const r = bkp(["import", "azure", `${dir}/daily-backup-policy-create.azuredeploy.json`, "--parameters", `${dir}/daily-backup-policy-create.azuredeploy.parameters.json`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('policy "DailyBackupPolicy1" {');
    expect(r.stdout).toMatch(/schedule daily at 05:30 +# azure: resources\[1\]\.properties\.schedulePolicy\.scheduleRunTimes\[0\]/);
    expect(r.stdout).toContain("retain daily 104 days");
    expect(r.stdout).toContain("retain yearly 10 years in Jan, Mar, Aug on day 1");
    // Without the parameters file, a parameter with no default is a located error naming the flag.
    const bare = bkp(["import", "azure", `${dir}/daily-backup-policy-create.azuredeploy.json`]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain("error[BKP6009]: parameter 'vaultName' has no value and no defaultValue");
    expect(bare.stderr).toContain("--parameters PARAMETERS.json");
  });

  it("imports the 200 response of a REST GET/List example ($filter and all), and a list that mixes good and bad policies partially", () => {
    const list = bkp(["import", "azure", "test/fixtures/azure-corpus/rest/2025-08-01-v2-List-Policies.json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('policy "v2-daily-policy" {');
    expect(list.stdout).toContain("retain daily 1 day at 02:00");
    const f = join(tmp, "partial.json");
    const policies = JSON.parse(readFileSync(join(ROOT, FIX, "valid/list-array.json"), "utf8")) as { properties: Record<string, unknown> }[];
    policies[0].properties.colour = "blue";
    writeFileSync(f, JSON.stringify(policies, null, 2));
    const out = join(tmp, "partial.bkp");
    const r = bkp(["import", "azure", f, "-o", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[BKP6003]: unknown field [0].properties.colour");
    expect(r.stderr).toContain("imported 2 policies");
    expect(bkp(["check", out]).code).toBe(0);
  });

  it("exits 1 when a file holds no VM policy", () => {
    const f = join(tmp, "sql.json");
    writeFileSync(f, JSON.stringify([{ name: "sql", properties: { backupManagementType: "AzureWorkload" } }]));
    const r = bkp(["import", "azure", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("warning[BKP6020]");
    expect(r.stderr).toContain("no Azure VM policy found");
  });
});

describe("bkp export", () => {
  it("export azure prints the PUT body of one policy, which imports back to the same policy", () => {
    const r = bkp(["export", "azure", "policies/seed-a2-standard.bkp"]);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { properties: { timeZone: string; policyType: string } };
    expect(Object.keys(body)).toEqual(["properties"]);
    expect(body.properties).toMatchObject({ backupManagementType: "AzureIaasVM", policyType: "V1", timeZone: "Tokyo Standard Time" });
    const json = join(tmp, "daily.json");
    writeFileSync(json, r.stdout);
    const back = bkp(["import", "azure", json]);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain('policy "daily" {');
    expect(back.stdout).toContain("retain yearly 5 years in Jan on first Sun");
  });

  it("export azure prints a list for several policies, and --policy picks some", () => {
    const all = bkp(["export", "azure", "test/interop/fixtures/roundtrip.bkp"]);
    expect(all.code, all.stderr).toBe(0);
    expect((JSON.parse(all.stdout) as { name: string }[]).map((p) => p.name)).toEqual(["hourly-crash", "enhanced-weekly", "enhanced-daily", "standard-defaults"]);
    const two = bkp(["export", "azure", "test/interop/fixtures/roundtrip.bkp", "--policy", "enhanced-daily", "--policy", "hourly-crash"]);
    expect((JSON.parse(two.stdout) as { name: string }[]).map((p) => p.name)).toEqual(["enhanced-daily", "hourly-crash"]);
  });

  it("export terraform prints azurerm_backup_policy_vm resources", () => {
    const r = bkp(["export", "terraform", "policies/seed-a2-standard.bkp", "--resource-group", "rg-prod", "--vault", "rsv-prod"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^resource "azurerm_backup_policy_vm" "daily" \{\n {2}name {27}= "daily"\n/);
    expect(r.stdout).toContain('  retention_yearly {\n    count    = 5\n    months   = ["January"]\n    weekdays = ["Sunday"]\n    weeks    = ["First"]\n  }\n');
  });

  it("a setting Azure cannot hold is a located error, exit 1, nothing on standard output", () => {
    const r = bkp(["export", "azure", "policies/web-fleet/10-vaults-policies.bkp", "policies/web-fleet/20-frontends.bkp", "policies/web-fleet/30-api.bkp", "policies/web-fleet/40-batch.bkp", "--policy", "web-api"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[BKP6102]");
    expect(r.stderr).toMatch(/--> policies\/web-fleet\/10-vaults-policies\.bkp:\d+:\d+/);
  });

  it("export terraform --vms writes azurerm_backup_protected_vm for the VMs of the exported policies", () => {
    const f = join(tmp, "vms.bkp");
    writeFileSync(f, 'vault "vt" { redundancy LRS }\npolicy "nightly" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\nvm "app-01" {\n  os linux\n  policy "nightly"\n  vault "vt"\n  disk "os" { role os size 64 GB used 10 GB }\n  disk "cache" { role data size 256 GB used 90 GB lun 2 exclude }\n}\n');
    const r = bkp(["export", "terraform", f, "--vms", "--resource-group", "rg", "--vault", "rsv"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('resource "azurerm_backup_protected_vm" "app-01" {');
    expect(r.stdout).toContain("  exclude_disk_luns   = [2]\n");
    expect(bkp(["export", "azure", f, "--vms"]).code).toBe(2);
  });

  it("--policy exports its policy even when another policy has errors", () => {
    const two = join(tmp, "two.bkp");
    writeFileSync(two, 'policy "good-one" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\npolicy "bad-one" {\n  schedule daily at 02:30\n  retain daily 1 day\n}\n');
    const r = bkp(["export", "azure", two, "--policy", "good-one"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ properties: { backupManagementType: "AzureIaasVM" } });
    expect(r.stderr).toContain("1 error in other policies ignored");
    expect(bkp(["export", "azure", two, "--policy", "bad-one"]).code).toBe(1);
  });

  it("a policy set with errors is not exported (exit 1); usage errors exit 2", () => {
    const bad = join(tmp, "bad.bkp");
    writeFileSync(bad, 'policy "pol-x" {\n  schedule daily at 02:30\n  retain daily 1 day\n}\n');
    const r = bkp(["export", "azure", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[BKP2010]");
    expect(r.stderr).toContain("nothing exported");
    expect(bkp(["export"]).code).toBe(2);
    expect(bkp(["export", "pulumi", bad]).code).toBe(2);
    expect(bkp(["export", "azure", "policies/seed-a2-standard.bkp", "--policy", "nope"]).code).toBe(2);
    expect(bkp(["export", "azure", "policies/seed-a2-standard.bkp", "--vault", "v"]).code).toBe(2);
    expect(bkp(["export", "azure", "no/such.bkp"]).code).toBe(2);
  });
});
