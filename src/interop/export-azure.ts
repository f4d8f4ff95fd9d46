// `bkp export azure`: a checked policy -> the body of PUT …/backupPolicies/{policy}.
//
// Export works from the lowered model (defaults applied, units normalised), so every value
// Azure needs is written explicitly: the policy type, the instant-restore days, the time zone.
// What the language can say but an Azure VM policy cannot hold is a located error in the .bkp
// (codes BKP61xx), never a silent approximation.
import type { Diagnostic, Range } from "../lang/diagnostics.js";
import type { MonthlyOn, Policy } from "../model/model.js";
import { azurePolicyNameProblem } from "../model/check-policy.js";
import { resolveZone } from "../model/time-zones.js";
import {
  azureTime, DAY_OF_WEEK, MONTH_OF_YEAR, WEEK_OF_MONTH,
  type AzureIaaSVMProtectionPolicy, type DurationType, type LongTermRetentionPolicy, type MonthlyRetentionSchedule,
  type ProtectionPolicyResource, type SimpleSchedulePolicy, type SimpleSchedulePolicyV2,
} from "./azure-json.js";
import { INTEROP_CODES, type InteropCode } from "./codes.js";

export type ExportTarget = "azure" | "terraform";

export interface AzureExport {
  /** Undefined when the policy cannot be expressed (see diagnostics). */
  resource?: ProtectionPolicyResource;
  diagnostics: Diagnostic[];
}

const DURATION: Record<"day" | "week" | "month" | "year", DurationType> = { day: "Days", week: "Weeks", month: "Months", year: "Years" };

/**
 * What of `policy` Azure cannot hold (located errors), and what export normalises (located
 * warnings: the export still succeeds). Terraform's gaps are not problems: the Terraform
 * export writes such a policy as an `azapi_resource` (export-terraform.ts).
 */
export function exportProblems(policy: Policy, _target: ExportTarget = "azure"): Diagnostic[] {
  const ast = policy.ast;
  const out: Diagnostic[] = [];
  const report = (code: InteropCode, range: Range, message: string, hint: string) =>
    out.push({ code, severity: INTEROP_CODES[code].severity, file: ast.file, range, message, hint });
  const where = `policy "${policy.name}"`;

  if (policy.consistency === "file-system" || policy.consistency === "crash") {
    // The level is what the plan expects (a stopped VM, a Linux VM without scripts); Azure's
    // agent-based policy is what produces it, so export writes that (docs/azure-interop.md).
    report(
      "BKP6101", ast.consistency?.range ?? ast.name.range,
      `${where} expects ${policy.consistency}-consistent points; Azure has no setting for that level, so it is exported as the agent-based policy (which falls back to ${policy.consistency} consistency by itself)`,
      "nothing to do; write consistency agentless-crash instead if you want Azure's crash-consistent policy (snapshotConsistencyType OnlyCrashConsistent, enhanced policies)",
    );
  }
  if (policy.vss === "copy") {
    report(
      "BKP6102", ast.vss?.range ?? ast.name.range,
      `${where} sets vss copy, but Azure has no policy setting for it: the VSS copy option is set on each Windows VM`,
      "remove vss from the policy and write vss copy in each Windows vm block that needs it",
    );
  }
  const nameProblem = azurePolicyNameProblem(policy.name);
  if (nameProblem) report("BKP6106", ast.name.range, `the policy name "${policy.name}" ${nameProblem}`, "rename the policy: 3 to 150 letters, digits, '-', '_' or '!', starting with a letter");
  const s = ast.schedule;
  const t = s?.kind === "hourly" ? s.from : s?.at;
  if (t && t.minute !== 0 && t.minute !== 30) {
    report("BKP6103", t.range, `${where} runs at ${t.text}; Azure accepts only times on the hour or half hour`, `write ${String(t.hour).padStart(2, "0")}:${t.minute < 30 ? "00" : "30"}`);
  }
  if (!azureZone(policy)) {
    report(
      "BKP6104", ast.timezone?.range ?? ast.name.range,
      `time zone "${policy.zoneWritten}" has no Windows time zone name, and Azure takes only those (CLDR windowsZones)`,
      'write a zone with a Windows equivalent, e.g. "Asia/Tokyo" ("Tokyo Standard Time") or "UTC"',
    );
  }
  return out;
}

/** The Windows zone name Azure takes: as written when it is one, else CLDR's for the IANA zone. */
export function azureZone(policy: Policy): string | undefined {
  const z = resolveZone(policy.zoneWritten);
  return z.ok ? z.windows : undefined;
}

export function exportAzure(policy: Policy): AzureExport {
  const diagnostics = exportProblems(policy, "azure");
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return { resource: { name: policy.name, properties: azureProperties(policy) }, diagnostics };
}

/** The policy's properties; only call for a policy without export problems. */
export function azureProperties(policy: Policy): AzureIaaSVMProtectionPolicy {
  const s = policy.schedule;
  const at = s.kind === "hourly" ? s.start : s.at;
  const time = azureTime(at.hour, at.minute);
  /** retentionTimes: the schedule's time unless the policy keeps Azure's own (`retain … at`). */
  const times = (t?: { hour: number; minute: number }) => [t ? azureTime(t.hour, t.minute) : time];
  const v2 = policy.type === "enhanced";

  let schedulePolicy: SimpleSchedulePolicy | SimpleSchedulePolicyV2;
  const days = s.kind === "weekly" ? s.days.map((d) => DAY_OF_WEEK[d - 1]) : [];
  if (!v2) {
    // The checker only lets a standard policy be daily or weekly.
    schedulePolicy = s.kind === "weekly"
      ? { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Weekly", scheduleRunDays: days, scheduleRunTimes: [time] }
      : { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: [time] };
  } else if (s.kind === "hourly") {
    schedulePolicy = {
      schedulePolicyType: "SimpleSchedulePolicyV2",
      scheduleRunFrequency: "Hourly",
      hourlySchedule: { interval: s.intervalHours, scheduleWindowStartTime: time, scheduleWindowDuration: s.windowHours },
    };
  } else if (s.kind === "weekly") {
    schedulePolicy = { schedulePolicyType: "SimpleSchedulePolicyV2", scheduleRunFrequency: "Weekly", weeklySchedule: { scheduleRunDays: days, scheduleRunTimes: [time] } };
  } else {
    schedulePolicy = { schedulePolicyType: "SimpleSchedulePolicyV2", scheduleRunFrequency: "Daily", dailySchedule: { scheduleRunTimes: [time] } };
  }

  const r = policy.retention;
  const retentionPolicy: LongTermRetentionPolicy = { retentionPolicyType: "LongTermRetentionPolicy" };
  if (r.daily) retentionPolicy.dailySchedule = { retentionTimes: times(r.daily.at), retentionDuration: { count: r.daily.days, durationType: "Days" } };
  if (r.weekly) {
    retentionPolicy.weeklySchedule = {
      daysOfTheWeek: r.weekly.weekdays.map((d) => DAY_OF_WEEK[d - 1]),
      retentionTimes: times(r.weekly.at),
      retentionDuration: { count: r.weekly.weeks, durationType: "Weeks" },
    };
  }
  if (r.monthly) retentionPolicy.monthlySchedule = { ...monthlyFormat(r.monthly.on), retentionTimes: times(r.monthly.at), retentionDuration: { count: r.monthly.months, durationType: "Months" } };
  if (r.yearly) {
    retentionPolicy.yearlySchedule = {
      monthsOfYear: r.yearly.months.map((m) => MONTH_OF_YEAR[m - 1]),
      ...monthlyFormat(r.yearly.on),
      retentionTimes: times(r.yearly.at),
      retentionDuration: { count: r.yearly.years, durationType: "Years" },
    };
  }

  const props: AzureIaaSVMProtectionPolicy = {
    backupManagementType: "AzureIaasVM",
    policyType: v2 ? "V2" : "V1",
    instantRpRetentionRangeInDays: policy.instantRestoreDays,
    timeZone: azureZone(policy)!,
    schedulePolicy,
    retentionPolicy,
  };
  if (policy.consistency === "agentless-crash") props.snapshotConsistencyType = "OnlyCrashConsistent";
  if (policy.archiveAfter) {
    props.tieringPolicy = { ArchivedRP: { tieringMode: "TierAfter", duration: policy.archiveAfter.count, durationType: DURATION[policy.archiveAfter.unit] } };
  } else if (policy.archiveRecommended || policy.archiveNever) {
    props.tieringPolicy = { ArchivedRP: { tieringMode: policy.archiveNever ? "DoNotTier" : "TierRecommended" } };
  }
  const rg = policy.instantRestoreResourceGroup;
  if (rg) props.instantRPDetails = { azureBackupRGNamePrefix: rg.prefix, ...(rg.suffix !== undefined ? { azureBackupRGNameSuffix: rg.suffix } : {}) };
  return props;
}

function monthlyFormat(on: MonthlyOn): Pick<MonthlyRetentionSchedule, "retentionScheduleFormatType" | "retentionScheduleDaily" | "retentionScheduleWeekly"> {
  if (on.kind === "days") {
    return {
      retentionScheduleFormatType: "Daily",
      // Azure writes the last day as date 0 with isLast (as the portal and Terraform do).
      retentionScheduleDaily: { daysOfTheMonth: on.days.map((d) => (d === "last" ? { date: 0, isLast: true } : { date: d, isLast: false })) },
    };
  }
  return {
    retentionScheduleFormatType: "Weekly",
    retentionScheduleWeekly: {
      daysOfTheWeek: on.weekdays.map((d) => DAY_OF_WEEK[d - 1]),
      weeksOfTheMonth: on.ordinals.map((o) => WEEK_OF_MONTH[o === "last" ? 4 : o - 1]),
    },
  };
}
