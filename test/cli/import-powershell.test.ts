// `bkp import azure` reads Azure PowerShell's policy objects (`Get-AzRecoveryServicesBackupProtectionPolicy
// | ConvertTo-Json -Depth 10`), run as users run bkp (dist/bkp.mjs). The fixtures follow
// Az.RecoveryServices' model classes (AzureVmPolicy, SimpleSchedulePolicy(V2), LongTermRetentionPolicy,
// TieringPolicy, Enums.cs): enums as numbers (ConvertTo-Json's default) or names (-EnumsAsStrings),
// dates as PowerShell 7 ISO text or Windows PowerShell 5.1 "\/Date(ms)\/".
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

const FIX = "test/interop/fixtures/powershell";
const tmp = mkdtempSync(join(tmpdir(), "bkp-ps-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("bkp import azure: PowerShell output", () => {
  it("an Enhanced hourly policy with numeric enums: schedule, zone, retention, tiering (TierAllEligible) and the snapshot resource group", () => {
    const out = join(tmp, "hourly.bkp");
    const r = bkp(["import", "azure", `${FIX}/enhanced-hourly.json`, "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    const check = bkp(["check", out]);
    expect(check.code, check.stdout).toBe(0);
    const az = bkp(["export", "azure", out]);
    expect(az.code, az.stderr).toBe(0);
    const p = (JSON.parse(az.stdout) as { properties: Record<string, unknown> }).properties;
    expect(p).toMatchObject({
      policyType: "V2",
      timeZone: "India Standard Time",
      instantRpRetentionRangeInDays: 7,
      schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicyV2", scheduleRunFrequency: "Hourly", hourlySchedule: { interval: 4, scheduleWindowDuration: 16 } },
      retentionPolicy: { dailySchedule: { retentionDuration: { count: 30 } }, weeklySchedule: { daysOfTheWeek: ["Sunday"] }, monthlySchedule: { retentionScheduleWeekly: { weeksOfTheMonth: ["First"] } } },
      tieringPolicy: { ArchivedRP: { tieringMode: "TierAfter", duration: 3, durationType: "Months" } },
      instantRPDetails: { azureBackupRGNamePrefix: "rg-backup-snapshots-", azureBackupRGNameSuffix: "-irp" },
    });
  });

  it("a list from Windows PowerShell 5.1 (enum names, \\/Date(ms)\\/ dates): the enabled retention schedules only", () => {
    const r = bkp(["import", "azure", `${FIX}/standard-list-ps51.json`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("imported 2 policies");
    const daily = r.stdout.split('policy "DefaultPolicy"')[1].split("}")[0];
    expect(daily).toContain("schedule daily at 23:30");
    expect(daily).toContain('timezone "W. Europe Standard Time"');
    expect(daily).toContain("retain monthly 60 months on day 1, last");
    expect(daily).toContain("retain yearly 10 years in Jan on first Sun");
    // IsWeeklyScheduleEnabled false: the WeeklySchedule object beside it is not applied.
    expect(daily).not.toContain("retain weekly");
    expect(r.stdout).toContain("schedule weekly on Sat at 22:30");
    expect(bkp(["check", "-"], { input: r.stdout }).code).toBe(0);
  });

  it("ConvertTo-Json without -Depth (objects cut to text) is a located error that says to add -Depth", () => {
    const r = bkp(["import", "azure", `${FIX}/depth-2.json`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[BKP6030\]: RetentionPolicy\.DailySchedule is text/);
    expect(r.stderr).toContain("depth-2.json:15:22");
    expect(r.stderr).toContain("ConvertTo-Json -Depth 10");
  });
});
