import { describe, expect, it } from "vitest";
import { exportAzure } from "../../src/interop/export-azure.js";
import { exportTerraform, hclIdentifier, hclString } from "../../src/interop/export-terraform.js";
import { loadTexts } from "../../src/model/load.js";

function policies(text: string) {
  const set = loadTexts([{ path: "p.bkp", text }]);
  expect(set.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return [...set.model!.policies.values()];
}

describe("export azure", () => {
  it("writes the PUT body with every default made explicit", () => {
    const [p] = policies('policy "plain" {\n  schedule daily at 02:30\n  timezone "Asia/Tokyo"\n  retain daily 30 days\n}\n');
    expect(exportAzure(p).resource).toEqual({
      name: "plain",
      properties: {
        backupManagementType: "AzureIaasVM",
        policyType: "V1",
        instantRpRetentionRangeInDays: 2,
        timeZone: "Tokyo Standard Time",
        schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:30:00Z"] },
        retentionPolicy: {
          retentionPolicyType: "LongTermRetentionPolicy",
          dailySchedule: { retentionTimes: ["2024-01-01T02:30:00Z"], retentionDuration: { count: 30, durationType: "Days" } },
        },
      },
    });
  });

  it.each(["crash", "file-system"])("exports `consistency %s` as the agent-based policy, with a located warning", (level) => {
    const [p] = policies(`policy "expects" {\n  schedule daily at 02:30\n  consistency ${level}\n  retain daily 30 days\n}\n`);
    const out = exportAzure(p);
    expect(out.resource!.properties.snapshotConsistencyType).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.severity, d.file, d.range.start.line])).toEqual([["BKP6101", "warning", "p.bkp", 3]]);
    expect(out.diagnostics[0].message).toContain("agent-based policy");
  });

  it("refuses `vss copy` with BKP6102 at its line", () => {
    const [p] = policies(`policy "vss-copy" {\n  schedule daily at 02:30\n  vss copy\n  retain daily 30 days\n}\n`);
    const out = exportAzure(p);
    expect(out.resource).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.file, d.range.start.line])).toEqual([["BKP6102", "p.bkp", 3]]);
    expect(out.diagnostics[0].hint).toContain("write vss copy in each Windows vm block");
  });

  it("refuses a name Azure does not accept, as check does (BKP2038)", () => {
    const set = loadTexts([{ path: "p.bkp", text: 'policy "x" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\n' }]);
    expect(set.diagnostics.map((d) => d.code)).toEqual(["BKP2038"]);
    const p = set.model!.policies.get("x")!;
    expect(exportAzure(p).diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP6106", 1]]);
  });

  it("writes TierRecommended, retention times and the instant-restore resource group", () => {
    const [p] = policies('policy "smart" {\n  schedule daily at 10:00\n  type enhanced\n  instant-restore-resource-group "rg-snap-" suffix "-01"\n  retain daily 30 days at 08:00\n  retain monthly 12 months on first Sun\n  archive recommended\n}\n');
    const props = exportAzure(p).resource!.properties;
    expect(props.tieringPolicy).toEqual({ ArchivedRP: { tieringMode: "TierRecommended" } });
    expect(props.instantRPDetails).toEqual({ azureBackupRGNamePrefix: "rg-snap-", azureBackupRGNameSuffix: "-01" });
    expect(props.retentionPolicy.dailySchedule!.retentionTimes).toEqual(["2024-01-01T08:00:00Z"]);
    expect(props.retentionPolicy.monthlySchedule!.retentionTimes).toEqual(["2024-01-01T10:00:00Z"]);
  });

  it("refuses a time Azure does not take, at the time", () => {
    const [p] = policies('policy "quarter" {\n  schedule daily at 02:15\n  retain daily 30 days\n}\n');
    expect(exportAzure(p).diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([["BKP6103", 2, 21]]);
  });

  it("keeps a Windows zone name as written and maps IANA names through CLDR", () => {
    const [a, b] = policies('policy "india" {\n  schedule daily at 02:30\n  timezone "India Standard Time"\n  retain daily 30 days\n}\npolicy "new-york" {\n  schedule daily at 02:30\n  timezone "America/New_York"\n  retain daily 30 days\n}\n');
    expect(exportAzure(a).resource!.properties.timeZone).toBe("India Standard Time");
    expect(exportAzure(b).resource!.properties.timeZone).toBe("Eastern Standard Time");
  });
});

describe("export terraform", () => {
  it("prints azurerm_backup_policy_vm as terraform fmt would", () => {
    const ps = policies(`policy "web!1" {
  schedule every 6 hours from 08:00 for 12 hours
  timezone "W. Europe Standard Time"
  instant-restore 9 days
  retain daily 20 days
  retain weekly 4 weeks on Sun
  retain monthly 6 months on day 1, last
  retain yearly 2 years in Jan on first Sun
  archive after 3 months
}
`);
    expect(exportTerraform(ps, { resourceGroupName: "rg-prod", recoveryVaultName: "rsv-prod" }).text).toBe(`resource "azurerm_backup_policy_vm" "web_1" {
  name                           = "web!1"
  resource_group_name            = "rg-prod"
  recovery_vault_name            = "rsv-prod"
  policy_type                    = "V2"
  timezone                       = "W. Europe Standard Time"
  instant_restore_retention_days = 9

  backup {
    frequency     = "Hourly"
    time          = "08:00"
    hour_interval = 6
    hour_duration = 12
  }

  retention_daily {
    count = 20
  }

  retention_weekly {
    count    = 4
    weekdays = ["Sunday"]
  }

  retention_monthly {
    count             = 6
    days              = [1]
    include_last_days = true
  }

  retention_yearly {
    count    = 2
    months   = ["January"]
    weekdays = ["Sunday"]
    weeks    = ["First"]
  }

  tiering_policy {
    archived_restore_point {
      mode          = "TierAfter"
      duration      = 3
      duration_type = "Months"
    }
  }
}
`);
  });

  it("writes agentless-crash, which azurerm cannot say, as an azapi_resource with the REST body", () => {
    const ps = policies('policy "crash-only" {\n  schedule daily at 02:30\n  type enhanced\n  consistency agentless-crash\n  retain daily 30 days\n}\n');
    const out = exportTerraform(ps);
    expect(out.diagnostics.map((d) => [d.code, d.severity, d.range.start.line])).toEqual([["BKP6105", "warning", 1]]);
    expect(out.text).toContain('resource "azapi_resource" "crash-only" {');
    expect(out.text).toContain('type      = "Microsoft.RecoveryServices/vaults/backupPolicies@2024-10-01"');
    expect(out.text).toContain('snapshotConsistencyType       = "OnlyCrashConsistent"');
  });

  it("writes the instant-restore resource group and TierRecommended", () => {
    const ps = policies('policy "smart" {\n  schedule daily at 10:00\n  instant-restore-resource-group "rg-snap-"\n  retain daily 30 days\n  retain monthly 12 months on first Sun\n  archive recommended\n}\n');
    const text = exportTerraform(ps).text!;
    expect(text).toContain('  instant_restore_resource_group {\n    prefix = "rg-snap-"\n  }\n');
    expect(text).toContain('    archived_restore_point {\n      mode = "TierRecommended"\n    }\n');
  });

  it("escapes strings and labels for HCL", () => {
    expect(hclString('a"b\\c${x}%{y}')).toBe('"a\\"b\\\\c$${x}%%{y}"');
    expect(hclIdentifier("1st policy.v2")).toBe("_1st_policy_v2");
  });
});

describe("export terraform --vms: protected VMs and selective disk backup by LUN", () => {
  const set = (disks: string) =>
    loadTexts([{ path: "v.bkp", text: `vault "vt" { redundancy LRS }\npolicy "nightly" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\nvm "db-01" {\n  os linux\n  policy "nightly"\n  vault "vt"\n  disk "os" { role os size 64 GB used 10 GB }\n${disks}\n}\n` }]);

  it("writes azurerm_backup_protected_vm with exclude_disk_luns for the excluded disks", () => {
    const s = set('  disk "data" { role data size 1 TB used 100 GB lun 0 }\n  disk "scratch" { role data size 1 TB used 500 GB lun 3 exclude }\n  disk "logs" { role data size 128 GB used 10 GB lun 1 exclude }');
    expect(s.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const out = exportTerraform([...s.model!.policies.values()], { vms: [...s.model!.vms.values()] });
    expect(out.text).toContain(`resource "azurerm_backup_protected_vm" "db-01" {
  resource_group_name = var.resource_group_name
  recovery_vault_name = var.recovery_vault_name
  source_vm_id        = var.vm_ids["db-01"]
  backup_policy_id    = azurerm_backup_policy_vm.nightly.id
  exclude_disk_luns   = [1, 3]
}
`);
  });

  it("refuses an excluded data disk without a LUN, at its exclude", () => {
    const s = set('  disk "scratch" { role data size 1 TB used 500 GB exclude }');
    const out = exportTerraform([...s.model!.policies.values()], { vms: [...s.model!.vms.values()] });
    expect(out.text).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP6107", 11]]);
  });

  it("checks LUNs: data disks only, 0 to 63, one disk per LUN", () => {
    const codes = (disks: string) => set(disks).diagnostics.map((d) => [d.code, d.message]);
    expect(codes('  disk "a" { role data size 1 TB used 1 GB lun 64 }')).toEqual([["BKP2041", "LUN 64 is not a LUN; Azure numbers data disks 0 to 63"]]);
    expect(codes('  disk "a" { role data size 1 TB used 1 GB lun 2 }\n  disk "b" { role data size 1 TB used 1 GB lun 2 }')).toEqual([["BKP2041", 'vm "db-01" has two disks at LUN 2 ("a" and "b")']]);
    expect(codes('  disk "t" { role temp size 1 TB used 1 GB lun 1 }')).toEqual([["BKP2041", 'only data disks have a LUN; disk "t" is the temp disk']]);
  });
});
