// Azure PowerShell's policy objects, as `Get-AzRecoveryServicesBackupProtectionPolicy … |
// ConvertTo-Json -Depth 10` prints them (docs/azure-interop.md "PowerShell"), rewritten into the
// REST resource shape the importer reads. The shape is Az.RecoveryServices' model classes
// (src/RecoveryServices/RecoveryServices.Backup.Models in Azure/azure-powershell: AzureVmPolicy,
// SimpleSchedulePolicy(V2), LongTermRetentionPolicy, TieringPolicy, CommonModels/Enums.cs).
// Every rewritten value keeps the source range of the PowerShell value it comes from, so a
// problem is still reported at the right line of the user's file.
import type { Range } from "../lang/diagnostics.js";
import type { InteropCode } from "./codes.js";
import { member, type JsonEntry, type JsonNode, type JsonObject } from "./json-locate.js";

type Report = (code: InteropCode, range: Range, message: string, hint: string) => void;

/** A PowerShell policy object: SchedulePolicy and RetentionPolicy at the top, no REST "properties". */
export function isPowerShellPolicy(obj: JsonObject): boolean {
  return !member(obj, "properties") && member(obj, "schedulePolicy") !== undefined && member(obj, "retentionPolicy") !== undefined;
}

// ConvertTo-Json writes enums as numbers unless -EnumsAsStrings: the values of Enums.cs and
// System.DayOfWeek.
const ENUMS = {
  ScheduleRunType: ["", "Daily", "Weekly", "Hourly"],
  RetentionScheduleFormat: ["", "Daily", "Weekly"],
  PSPolicyType: ["", "Standard", "Enhanced"],
  TieringMode: ["", "TierRecommended", "TierAllEligible", "DoNotTier"],
  WeekOfMonth: ["", "First", "Second", "Third", "Fourth", "Last"],
  Month: ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
  DayOfWeek: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
  BackupManagementType: ["", "AzureVM", "SCDPM", "AzureBackupServer", "AzureSQL", "AzureStorage", "AzureWorkload", "MAB", "NA"],
} as const;

/** PowerShell's BackupManagementType names, as the REST API spells them. */
const REST_BMT: Record<string, string> = { AzureVM: "AzureIaasVM", SCDPM: "DPM", AzureSQL: "AzureSql" };

const DEPTH_HINT = "PowerShell's ConvertTo-Json stops at depth 2 by default and writes deeper objects as text: run `… | ConvertTo-Json -Depth 10`";

/** The REST-shaped resource for a PowerShell policy object, or undefined (reported). */
export function fromPowerShell(obj: JsonObject, report: Report): JsonObject | undefined {
  let ok = true;
  const fail = (node: JsonNode, message: string, hint: string) => {
    report("BKP6030", node.range, message, hint);
    ok = false;
  };
  const at = (o: JsonObject, key: string): JsonNode | undefined => {
    const e = member(o, key);
    return e && e.value.kind !== "null" ? e.value : undefined;
  };
  /** A nested object; text in its place is ConvertTo-Json's depth cut. */
  const object = (o: JsonObject, key: string, where: string): JsonObject | undefined => {
    const v = at(o, key);
    if (!v) return undefined;
    if (v.kind === "object") return v;
    if (v.kind === "string") fail(v, `${where} is text ("${v.value.slice(0, 60)}…"), not an object: the JSON was cut short`, DEPTH_HINT);
    else fail(v, `${where} should be an object`, DEPTH_HINT);
    return undefined;
  };
  const name = (v: JsonNode, e: keyof typeof ENUMS): JsonNode => {
    if (v.kind !== "number") return v;
    const s = ENUMS[e][v.value];
    return s ? str(v.range, s) : v;
  };
  const names = (v: JsonNode | undefined, e: keyof typeof ENUMS): JsonNode | undefined => (v?.kind === "array" ? { ...v, items: v.items.map((x) => name(x, e)) } : v);
  const times = (v: JsonNode | undefined): JsonNode | undefined => (v?.kind === "array" ? { ...v, items: v.items.map(dateTime) } : v);

  const props: JsonEntry[] = [];
  const put = (entries: JsonEntry[], key: string, value: JsonNode | undefined, keyRange?: Range) => {
    if (value) entries.push({ key, keyRange: keyRange ?? value.range, value });
  };

  const bmt = at(obj, "backupManagementType");
  if (bmt) {
    const n = name(bmt, "BackupManagementType");
    put(props, "backupManagementType", n.kind === "string" ? str(n.range, REST_BMT[n.value] ?? n.value) : n);
  }
  const sub = at(obj, "policySubType");
  const subName = sub && name(sub, "PSPolicyType");
  if (subName?.kind === "string") put(props, "policyType", str(subName.range, subName.value === "Enhanced" ? "V2" : subName.value === "Standard" ? "V1" : subName.value));
  put(props, "instantRpRetentionRangeInDays", at(obj, "snapshotRetentionInDays"));
  put(props, "snapshotConsistencyType", at(obj, "snapshotConsistencyType"));
  put(props, "protectedItemsCount", at(obj, "protectedItemsCount"));

  // The schedule: SimpleSchedulePolicyV2 has Hourly/Daily/WeeklySchedule objects.
  const sp = object(obj, "schedulePolicy", "SchedulePolicy");
  if (sp) {
    const s: JsonEntry[] = [];
    const v2 = ["hourlySchedule", "dailySchedule", "weeklySchedule"].some((k) => at(sp, k));
    put(s, "schedulePolicyType", str(sp.range, v2 ? "SimpleSchedulePolicyV2" : "SimpleSchedulePolicy"));
    const freq = at(sp, "scheduleRunFrequency");
    put(s, "scheduleRunFrequency", freq && name(freq, "ScheduleRunType"));
    if (v2) {
      const h = object(sp, "hourlySchedule", "SchedulePolicy.HourlySchedule");
      if (h) {
        const he: JsonEntry[] = [];
        put(he, "interval", at(h, "interval"));
        const start = at(h, "windowStartTime");
        put(he, "scheduleWindowStartTime", start && dateTime(start));
        put(he, "scheduleWindowDuration", at(h, "windowDuration"));
        put(s, "hourlySchedule", objectNode(h.range, he));
      }
      const d = object(sp, "dailySchedule", "SchedulePolicy.DailySchedule");
      if (d) put(s, "dailySchedule", objectNode(d.range, entries([["scheduleRunTimes", times(at(d, "scheduleRunTimes"))]])));
      const w = object(sp, "weeklySchedule", "SchedulePolicy.WeeklySchedule");
      if (w) put(s, "weeklySchedule", objectNode(w.range, entries([["scheduleRunDays", names(at(w, "scheduleRunDays"), "DayOfWeek")], ["scheduleRunTimes", times(at(w, "scheduleRunTimes"))]])));
    } else {
      put(s, "scheduleRunDays", names(at(sp, "scheduleRunDays"), "DayOfWeek"));
      put(s, "scheduleRunTimes", times(at(sp, "scheduleRunTimes")));
    }
    put(props, "schedulePolicy", objectNode(sp.range, s));
    put(props, "timeZone", at(sp, "scheduleRunTimeZone"));
  }

  // Retention: IsXScheduleEnabled selects the sub-schedules Azure applies.
  const rp = object(obj, "retentionPolicy", "RetentionPolicy");
  if (rp) {
    const rr: JsonEntry[] = [];
    put(rr, "retentionPolicyType", str(rp.range, "LongTermRetentionPolicy"));
    const enabled = (k: string) => {
      const v = at(rp, `is${k}ScheduleEnabled`);
      return v?.kind === "boolean" ? v.value : at(rp, `${k}Schedule`) !== undefined;
    };
    const duration = (o: JsonObject, key: string, type: string): JsonNode | undefined => {
      const n = at(o, key);
      return n && objectNode(n.range, entries([["count", n], ["durationType", str(n.range, type)]]));
    };
    const format = (o: JsonObject, where: string): [string, JsonNode | undefined][] => {
      const out: [string, JsonNode | undefined][] = [];
      const ft = at(o, "retentionScheduleFormatType");
      out.push(["retentionScheduleFormatType", ft && name(ft, "RetentionScheduleFormat")]);
      const daily = object(o, "retentionScheduleDaily", `${where}.RetentionScheduleDaily`);
      if (daily) {
        const days = at(daily, "daysOfTheMonth");
        const items = days?.kind === "array" ? days.items.map((x) => (x.kind === "object" ? objectNode(x.range, entries([["date", at(x, "date")], ["isLast", at(x, "isLast")]])) : x)) : undefined;
        out.push(["retentionScheduleDaily", objectNode(daily.range, entries([["daysOfTheMonth", days && items ? { kind: "array", range: days.range, items } : days]]))]);
      }
      const weekly = object(o, "retentionScheduleWeekly", `${where}.RetentionScheduleWeekly`);
      if (weekly) out.push(["retentionScheduleWeekly", objectNode(weekly.range, entries([["daysOfTheWeek", names(at(weekly, "daysOfTheWeek"), "DayOfWeek")], ["weeksOfTheMonth", names(at(weekly, "weeksOfTheMonth"), "WeekOfMonth")]]))]);
      return out;
    };
    const schedule = (k: "Daily" | "Weekly" | "Monthly" | "Yearly"): JsonObject | undefined => (enabled(k) ? object(rp, `${k}Schedule`, `RetentionPolicy.${k}Schedule`) : undefined);
    const daily = schedule("Daily");
    if (daily) put(rr, "dailySchedule", objectNode(daily.range, entries([["retentionTimes", times(at(daily, "retentionTimes"))], ["retentionDuration", duration(daily, "durationCountInDays", "Days")]])));
    const weekly = schedule("Weekly");
    if (weekly) put(rr, "weeklySchedule", objectNode(weekly.range, entries([["daysOfTheWeek", names(at(weekly, "daysOfTheWeek"), "DayOfWeek")], ["retentionTimes", times(at(weekly, "retentionTimes"))], ["retentionDuration", duration(weekly, "durationCountInWeeks", "Weeks")]])));
    const monthly = schedule("Monthly");
    if (monthly) put(rr, "monthlySchedule", objectNode(monthly.range, entries([...format(monthly, "RetentionPolicy.MonthlySchedule"), ["retentionTimes", times(at(monthly, "retentionTimes"))], ["retentionDuration", duration(monthly, "durationCountInMonths", "Months")]])));
    const yearly = schedule("Yearly");
    if (yearly) put(rr, "yearlySchedule", objectNode(yearly.range, entries([["monthsOfYear", names(at(yearly, "monthsOfYear"), "Month")], ...format(yearly, "RetentionPolicy.YearlySchedule"), ["retentionTimes", times(at(yearly, "retentionTimes"))], ["retentionDuration", duration(yearly, "durationCountInYears", "Years")]])));
    put(props, "retentionPolicy", objectNode(rp.range, rr));
  }

  // Tiering: PowerShell calls TierAfter "TierAllEligible".
  const tp = object(obj, "tieringPolicy", "TieringPolicy");
  if (tp) {
    const mode = at(tp, "tieringMode");
    const m = mode && name(mode, "TieringMode");
    const restMode = m?.kind === "string" ? str(m.range, m.value === "TierAllEligible" ? "TierAfter" : m.value) : m;
    const after = restMode?.kind === "string" && restMode.value === "TierAfter";
    const dur = at(tp, "tierAfterDuration");
    const durType = at(tp, "tierAfterDurationType");
    put(props, "tieringPolicy", objectNode(tp.range, entries([["ArchivedRP", objectNode(tp.range, entries([["tieringMode", restMode], ["duration", after ? dur : undefined], ["durationType", after ? durType : undefined]]))]])));
  }

  const rg = at(obj, "azureBackupRGName");
  if (rg) put(props, "instantRPDetails", objectNode(rg.range, entries([["azureBackupRGNamePrefix", rg], ["azureBackupRGNameSuffix", at(obj, "azureBackupRGNameSuffix")]])));

  if (!ok) return undefined;
  const out: JsonEntry[] = [];
  const n = member(obj, "name");
  if (n) out.push({ key: "name", keyRange: n.keyRange, value: n.value });
  out.push({ key: "properties", keyRange: obj.range, value: objectNode(obj.range, props) });
  return objectNode(obj.range, out);
}

function str(range: Range, value: string): JsonNode {
  return { kind: "string", range, value };
}

function objectNode(range: Range, list: JsonEntry[]): JsonObject {
  return { kind: "object", range, entries: list };
}

function entries(pairs: [string, JsonNode | undefined][]): JsonEntry[] {
  return pairs.filter((p): p is [string, JsonNode] => p[1] !== undefined).map(([key, value]) => ({ key, keyRange: value.range, value }));
}

/**
 * A DateTime as ConvertTo-Json writes it: ISO text (PowerShell 7), "\/Date(ms)\/" (Windows
 * PowerShell 5.1), or {"value": …, "DateTime": …} when the value carries display properties.
 */
function dateTime(v: JsonNode): JsonNode {
  if (v.kind === "object") {
    const inner = member(v, "value");
    return inner ? dateTime(inner.value) : v;
  }
  if (v.kind !== "string") return v;
  const ms = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(v.value);
  if (ms) return str(v.range, new Date(Number(ms[1])).toISOString().replace(/\.000Z$/, "Z"));
  return v;
}

