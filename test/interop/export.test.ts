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

  it.each([
    ["consistency crash", "BKP6101", 3, "write consistency application"],
    ["consistency file-system", "BKP6101", 3, "write consistency application"],
    ["vss copy", "BKP6102", 3, "write vss copy in each Windows vm block"],
  ])("refuses `%s` with %s at its line", (line, code, at, instead) => {
    const [p] = policies(`policy "x" {\n  schedule daily at 02:30\n  ${line}\n  retain daily 30 days\n}\n`);
    const out = exportAzure(p);
    expect(out.resource).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.file, d.range.start.line])).toEqual([[code, "p.bkp", at]]);
    expect(out.diagnostics[0].hint).toContain(instead);
  });

  it("refuses a time Azure does not take, at the time", () => {
    const [p] = policies('policy "x" {\n  schedule daily at 02:15\n  retain daily 30 days\n}\n');
    expect(exportAzure(p).diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([["BKP6103", 2, 21]]);
  });

  it("keeps a Windows zone name as written and maps IANA names through CLDR", () => {
    const [a, b] = policies('policy "a" {\n  schedule daily at 02:30\n  timezone "India Standard Time"\n  retain daily 30 days\n}\npolicy "b" {\n  schedule daily at 02:30\n  timezone "America/New_York"\n  retain daily 30 days\n}\n');
    expect(exportAzure(a).resource!.properties.timeZone).toBe("India Standard Time");
    expect(exportAzure(b).resource!.properties.timeZone).toBe("Eastern Standard Time");
  });
});

describe("export terraform", () => {
  it("prints azurerm_backup_policy_vm as terraform fmt would", () => {
    const ps = policies(`policy "web 1" {
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
  name                           = "web 1"
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

  it("refuses agentless-crash, which the provider cannot express", () => {
    const ps = policies('policy "c" {\n  schedule daily at 02:30\n  consistency agentless-crash\n  retain daily 30 days\n}\n');
    expect(exportTerraform(ps).diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP6105", 3]]);
  });

  it("escapes strings and labels for HCL", () => {
    expect(hclString('a"b\\c${x}%{y}')).toBe('"a\\"b\\\\c$${x}%%{y}"');
    expect(hclIdentifier("1st policy.v2")).toBe("_1st_policy_v2");
  });
});
