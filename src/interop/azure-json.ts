// The REST shapes of an Azure VM backup policy, as bkp writes them (field names from
// Azure/azure-rest-api-specs, specification/recoveryservicesbackup, bms.json 2024-04-01:
// ProtectionPolicyResource, AzureIaaSVMProtectionPolicy, SimpleSchedulePolicy,
// SimpleSchedulePolicyV2, HourlySchedule, DailySchedule, WeeklySchedule,
// LongTermRetentionPolicy, Daily/Weekly/Monthly/YearlyRetentionSchedule, WeeklyRetentionFormat,
// DailyRetentionFormat, Day, RetentionDuration, TieringPolicy). The importer reads the same
// fields from a located JSON tree (json-locate.ts) rather than through these types, because
// it must report every field it does not know.

export type DayOfWeek = "Sunday" | "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday";
export type WeekOfMonth = "First" | "Second" | "Third" | "Fourth" | "Last";
export type MonthOfYear =
  | "January" | "February" | "March" | "April" | "May" | "June"
  | "July" | "August" | "September" | "October" | "November" | "December";
export type DurationType = "Days" | "Weeks" | "Months" | "Years";

export interface RetentionDuration {
  count: number;
  durationType: DurationType;
}

export interface HourlySchedule {
  interval: number;
  scheduleWindowStartTime: string;
  scheduleWindowDuration: number;
}

export interface SimpleSchedulePolicy {
  schedulePolicyType: "SimpleSchedulePolicy";
  scheduleRunFrequency: "Daily" | "Weekly";
  scheduleRunDays?: DayOfWeek[];
  scheduleRunTimes: string[];
}

export interface SimpleSchedulePolicyV2 {
  schedulePolicyType: "SimpleSchedulePolicyV2";
  scheduleRunFrequency: "Hourly" | "Daily" | "Weekly";
  hourlySchedule?: HourlySchedule;
  dailySchedule?: { scheduleRunTimes: string[] };
  weeklySchedule?: { scheduleRunDays: DayOfWeek[]; scheduleRunTimes: string[] };
}

export interface WeeklyRetentionFormat {
  daysOfTheWeek: DayOfWeek[];
  weeksOfTheMonth: WeekOfMonth[];
}

export interface DailyRetentionFormat {
  daysOfTheMonth: { date: number; isLast: boolean }[];
}

export interface MonthlyRetentionSchedule {
  retentionScheduleFormatType: "Daily" | "Weekly";
  retentionScheduleDaily?: DailyRetentionFormat;
  retentionScheduleWeekly?: WeeklyRetentionFormat;
  retentionTimes: string[];
  retentionDuration: RetentionDuration;
}

export interface YearlyRetentionSchedule extends MonthlyRetentionSchedule {
  monthsOfYear: MonthOfYear[];
}

export interface LongTermRetentionPolicy {
  retentionPolicyType: "LongTermRetentionPolicy";
  dailySchedule?: { retentionTimes: string[]; retentionDuration: RetentionDuration };
  weeklySchedule?: { daysOfTheWeek: DayOfWeek[]; retentionTimes: string[]; retentionDuration: RetentionDuration };
  monthlySchedule?: MonthlyRetentionSchedule;
  yearlySchedule?: YearlyRetentionSchedule;
}

export interface TieringPolicy {
  tieringMode: "TierAfter" | "TierRecommended" | "DoNotTier";
  duration?: number;
  durationType?: DurationType;
}

export interface AzureIaaSVMProtectionPolicy {
  backupManagementType: "AzureIaasVM";
  policyType: "V1" | "V2";
  instantRpRetentionRangeInDays: number;
  timeZone: string;
  snapshotConsistencyType?: "OnlyCrashConsistent";
  schedulePolicy: SimpleSchedulePolicy | SimpleSchedulePolicyV2;
  retentionPolicy: LongTermRetentionPolicy;
  tieringPolicy?: { ArchivedRP: TieringPolicy };
  /** The resource group Azure keeps instant-restore snapshots in: prefix + a number + suffix. */
  instantRPDetails?: { azureBackupRGNamePrefix: string; azureBackupRGNameSuffix?: string };
}

/** The body of `PUT …/vaults/{vault}/backupPolicies/{policy}`. */
export interface ProtectionPolicyPutBody {
  properties: AzureIaaSVMProtectionPolicy;
}

/** A policy as `GET`/`az backup policy list` returns it (the name is read-only in a PUT). */
export interface ProtectionPolicyResource extends ProtectionPolicyPutBody {
  name: string;
  type?: string;
}

export const RESOURCE_TYPE = "Microsoft.RecoveryServices/vaults/backupPolicies";

/** bkp's weekday names in luxon order (1 = Monday), and Azure's. */
export const DAY_OF_WEEK: readonly DayOfWeek[] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
export const BKP_WEEKDAY = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export const MONTH_OF_YEAR: readonly MonthOfYear[] = [
  "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
];
export const BKP_MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
export const WEEK_OF_MONTH: readonly WeekOfMonth[] = ["First", "Second", "Third", "Fourth", "Last"];
export const BKP_ORDINAL = ["first", "second", "third", "fourth", "last"] as const;

export const DURATION_UNIT: Record<DurationType, "days" | "weeks" | "months" | "years"> = {
  Days: "days",
  Weeks: "weeks",
  Months: "months",
  Years: "years",
};

/**
 * The date Azure's time-of-day fields are written on. Azure ignores the date and reads the
 * time in the policy's timeZone; any fixed date will do, and a fixed one keeps output stable.
 */
export const TIME_ANCHOR_DATE = "2024-01-01";

export function azureTime(hour: number, minute: number): string {
  return `${TIME_ANCHOR_DATE}T${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00Z`;
}
