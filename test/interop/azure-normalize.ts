// Equivalence of Azure VM policy properties, shared by the round-trip tests (the fixtures'
// and the corpus'): the normalisations docs/azure-interop.md documents, and nothing else.
import type { Policy } from "../../src/model/model.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const TIME_KEYS = new Set(["scheduleruntimes", "retentiontimes", "schedulewindowstarttime"]);
const ENUM_LISTS = new Set(["schedulerundays", "daysoftheweek", "weeksofthemonth", "monthsofyear"]);
const IGNORED = new Set(["protecteditemscount", "resourceguardoperationrequests"]);

/** The time of day of an Azure date-time: what Azure reads (in the policy's timeZone). */
const hhmm = (s: string) => /T(\d{2}:\d{2})/.exec(s)![1];

/**
 * Property names lower-cased (Azure reads them case-insensitively: `instantRpDetails` is
 * `instantRPDetails`), nulls, empty objects and read-only counters dropped, date-times reduced
 * to their time of day, day/month lists as sets, and the defaults Azure applies made explicit
 * (policyType from the schedule type, instant restore 2 / 7 days and 5 for a standard weekly
 * policy, timeZone UTC, the duration beside TierRecommended/DoNotTier,
 * scheduleWeeklyFrequency 0 = unset, a last day's date = 0).
 */
export function normalize(props: Json): Json {
  const strip = (v: Json, key = ""): Json | undefined => {
    if (v === null || IGNORED.has(key)) return undefined;
    if (TIME_KEYS.has(key)) return Array.isArray(v) ? v.map((t) => hhmm(t as string)) : hhmm(v as string);
    if (Array.isArray(v)) {
      const items = v.map((x) => strip(x)).filter((x): x is Json => x !== undefined);
      return ENUM_LISTS.has(key) ? [...new Set(items as string[])].sort() : items;
    }
    if (typeof v === "object") {
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) {
        const lk = k.toLowerCase();
        const s = strip(x, lk);
        if (s !== undefined && !(typeof s === "object" && s !== null && !Array.isArray(s) && Object.keys(s).length === 0)) out[lk] = s;
      }
      return out;
    }
    return v;
  };
  const p = strip(props) as { [k: string]: Json };
  const sched = p.schedulepolicy as { [k: string]: Json };
  p.policytype ??= sched.schedulepolicytype === "SimpleSchedulePolicyV2" ? "V2" : "V1";
  p.instantrpretentionrangeindays ??= sched.schedulerunfrequency === "Weekly" && p.policytype === "V1" ? 5 : p.policytype === "V2" ? 7 : 2;
  p.timezone ??= "UTC";
  if (sched.scheduleweeklyfrequency === 0) delete sched.scheduleweeklyfrequency;
  const tier = p.tieringpolicy as { [k: string]: { [k: string]: Json } } | undefined;
  const mode = tier?.archivedrp?.tieringmode;
  if (mode === "DoNotTier" || mode === "TierRecommended") tier!.archivedrp = { tieringmode: mode };
  const ret = p.retentionpolicy as { [k: string]: { [k: string]: Json } };
  for (const k of ["monthlyschedule", "yearlyschedule"]) {
    const days = (ret[k]?.retentionscheduledaily as { daysofthemonth?: { date: number; islast?: boolean }[] } | undefined)?.daysofthemonth;
    if (days) (ret[k].retentionscheduledaily as { [k: string]: Json }).daysofthemonth = days.map((d) => (d.islast ? { date: 0, islast: true } : { date: d.date, islast: false }));
    // The inactive format is ignored by Azure (import warns, BKP6021).
    const fmt = ret[k]?.retentionscheduleformattype;
    if (fmt === "Weekly") delete ret[k].retentionscheduledaily;
    if (fmt === "Daily") delete ret[k].retentionscheduleweekly;
  }
  // retentionTimes absent = the schedule's time (what Azure and export write).
  const sub = (sched.dailyschedule ?? sched.weeklyschedule) as { [k: string]: Json } | undefined;
  const hourly = sched.hourlyschedule as { [k: string]: Json } | undefined;
  const at = ((sched.scheduleruntimes ?? sub?.scheduleruntimes) as string[] | undefined)?.[0] ?? (hourly?.schedulewindowstarttime as string | undefined);
  for (const k of ["dailyschedule", "weeklyschedule", "monthlyschedule", "yearlyschedule"]) if (ret[k] && !ret[k].retentiontimes && at) ret[k].retentiontimes = [at];
  // Azure ignores scheduleRunDays on a Daily schedule (import warns, BKP6021).
  if (sched.schedulerunfrequency === "Daily") delete sched.schedulerundays;
  return p;
}

/**
 * A policy's meaning: everything but source positions and the zone's spelling; a level the
 * plan merely expects (file-system, crash) is exported as the agent-based policy, which is
 * `application` (docs/azure-interop.md, "What export normalises").
 */
export function meaning(p: Policy) {
  const { ast: _ast, zoneWritten: _written, ...rest } = p;
  return { ...rest, consistency: p.consistency === "file-system" || p.consistency === "crash" ? "application" : p.consistency };
}

