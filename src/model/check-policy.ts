// Checking a policy block against the Azure API's rules (DOMAIN §7) and lowering it.
import type * as A from "../lang/ast.js";
import type { CheckContext } from "./check-context.js";
import { DEFAULT_CONSISTENCY, DEFAULT_TIMEZONE, DEFAULT_VSS } from "./defaults.js";
import {
  HOURLY_INTERVALS, HOURLY_WINDOW, INSTANT_RESTORE_RANGE, MAX_RECOVERY_POINTS, RETENTION_RANGE, WEEKLY_INSTANT_RESTORE_DAYS,
} from "./limits.js";
import type { MonthlyOn, MonthNumber, Policy, Retention, Schedule, TimeOfDay, WeekdayNumber } from "./model.js";
import { clip } from "../lang/suggest.js";
import { closestZone, resolveZone } from "./time-zones.js";
import { toSeconds } from "./units.js";
import { checkAcceptIrreversible } from "./vault-security.js";

const WEEKDAY: Record<A.WeekdayName, WeekdayNumber> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const MONTH: Record<A.MonthName, MonthNumber> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
const ORDINAL = { first: 1, second: 2, third: 3, fourth: 4, last: "last" } as const;

export const weekdayNumber = (w: A.WeekdayName): WeekdayNumber => WEEKDAY[w];

function checkMinutes(ctx: CheckContext, file: string, t: A.TimeOfDay, what: string): void {
  // DOMAIN §7: schedule times are on the hour or half hour; Azure rejects others.
  if (t.minute !== 0 && t.minute !== 30) {
    const down = `${String(t.hour).padStart(2, "0")}:${t.minute < 30 ? "00" : "30"}`;
    ctx.report(file, "BKP2014", t.range, `${what} ${t.text} is not on the hour or half hour; Azure only accepts HH:00 or HH:30`, `write ${down}`, "warning");
  }
}

function wholeHours(ctx: CheckContext, file: string, q: A.Quantity, what: string): number | undefined {
  const u = ctx.unit(file, q, "duration", what, "4 hours");
  if (!u) return undefined;
  const s = toSeconds(u);
  if (!s || !s.mod(3600).isZero()) {
    ctx.report(file, "BKP2013", q.range, `${what} must be a whole number of hours`, "write e.g. 4 hours");
    return undefined;
  }
  return s.div(3600).toNumber();
}

function schedule(ctx: CheckContext, file: string, s: A.ScheduleAst): Schedule | undefined {
  if (s.kind === "daily") {
    checkMinutes(ctx, file, s.at, "schedule time");
    return { kind: "daily", at: { hour: s.at.hour, minute: s.at.minute } };
  }
  if (s.kind === "weekly") {
    checkMinutes(ctx, file, s.at, "schedule time");
    const days = [...new Set(s.days.map((d) => WEEKDAY[d.value]))].sort();
    return { kind: "weekly", days, at: { hour: s.at.hour, minute: s.at.minute } };
  }
  checkMinutes(ctx, file, s.from, "window start");
  const interval = wholeHours(ctx, file, s.every, "the interval");
  const windowHours = wholeHours(ctx, file, s.for, "the window");
  if (interval === undefined || windowHours === undefined) return undefined;
  let ok = true;
  if (!HOURLY_INTERVALS.includes(interval)) {
    ctx.report(file, "BKP2012", s.every.range, `an hourly schedule runs every 4, 6, 8 or 12 hours, not every ${interval}`, `write every ${HOURLY_INTERVALS.reduce((a, b) => (Math.abs(b - interval) < Math.abs(a - interval) ? b : a))} hours`);
    ok = false;
  }
  if (windowHours < HOURLY_WINDOW.min || windowHours > HOURLY_WINDOW.max) {
    ctx.report(file, "BKP2013", s.for.range, `the backup window is ${windowHours} hours; Azure accepts 4 to 24`, "write a window from 4 to 24 hours");
    ok = false;
  } else if (ok && windowHours % interval !== 0) {
    const fit = Math.max(interval, Math.floor(windowHours / interval) * interval);
    ctx.report(file, "BKP2013", s.for.range, `the window of ${windowHours} hours is not a multiple of the ${interval}-hour interval`, `write for ${fit} hours (or ${fit + interval})`);
    ok = false;
  }
  return ok ? { kind: "hourly", intervalHours: interval, start: { hour: s.from.hour, minute: s.from.minute }, windowHours } : undefined;
}

function monthlyOn(ctx: CheckContext, file: string, on: A.MonthlyWhenAst | undefined): MonthlyOn | undefined {
  if (!on) return undefined;
  if (on.kind === "days") {
    for (const d of on.days) {
      if (d.value !== "last" && (d.value < 1 || d.value > 31 || !Number.isInteger(d.value))) {
        ctx.report(file, "BKP2031", d.range, `day ${d.value} is not a day of the month`, "write a day from 1 to 31, or last");
        return undefined;
      }
    }
    return { kind: "days", days: on.days.map((d) => d.value) };
  }
  return {
    kind: "weekdays",
    ordinals: on.ordinals.map((o) => ORDINAL[o.value]),
    weekdays: on.weekdays.map((w) => WEEKDAY[w.value]),
  };
}

function retention(ctx: CheckContext, file: string, rules: A.RetainAst[]): Retention {
  const out: Retention = {};
  for (const r of rules) {
    const range = RETENTION_RANGE[r.kind];
    const plural = `${range.unit}s`;
    const q = ctx.unit(file, r.count, "duration", `retain ${r.kind}`, `${range.min === 7 ? 30 : 12} ${plural}`);
    if (!q) continue;
    if (q.unit!.name !== range.unit) {
      ctx.report(file, "BKP2003", q.unit!.range, `retain ${r.kind} counts ${plural}, not ${q.unit!.text}`, `write retain ${r.kind} <n> ${plural}`);
      continue;
    }
    const n = q.number.value;
    if (!n.isInteger()) {
      ctx.report(file, "BKP2010", q.range, `retain ${r.kind} needs a whole number of ${plural}`, `write e.g. ${n.floor().toString()} ${plural}`);
      continue;
    }
    if (!ctx.inRange(file, q, n, range.min, range.max, "BKP2010", `retain ${r.kind}`, `keep ${range.min} to ${range.max} ${plural} (docs/domain.md#azure-limits)`, true)) continue;
    const count = n.toNumber();
    let at: TimeOfDay | undefined;
    if (r.at) {
      checkMinutes(ctx, file, r.at, "retention time");
      at = { hour: r.at.hour, minute: r.at.minute };
    }
    if (r.kind === "daily") out.daily = { days: count, at };
    else if (r.kind === "weekly") out.weekly = { weeks: count, weekdays: (r.weekdays ?? []).map((w) => WEEKDAY[w.value]), at };
    else if (r.kind === "monthly") {
      const on = monthlyOn(ctx, file, r.on);
      if (on) out.monthly = { months: count, on, at };
    } else {
      const on = monthlyOn(ctx, file, r.on);
      if (on) out.yearly = { years: count, months: (r.months ?? []).map((m) => MONTH[m.value]), on, at };
    }
  }
  return out;
}

/** Points the policy keeps at most, to compare with Azure's 9,999 per instance. */
function maxPoints(s: Schedule, r: Retention): number {
  const perDay = s.kind === "hourly" ? Math.floor(s.windowHours / s.intervalHours) + (s.windowHours === 24 ? 0 : 1) : 1;
  return (r.daily?.days ?? 0) * perDay + (r.weekly?.weeks ?? 0) * (r.weekly?.weekdays.length ?? 1) + (r.monthly?.months ?? 0) + (r.yearly?.years ?? 0) * (r.yearly?.months.length ?? 1);
}

/** A retain line was written but not built (already reported): "needs daily retention" would repeat it. */
function malformedRetain(p: A.PolicyAst): boolean {
  return p.syntax.attributes.filter((a) => a.keyword === "retain").length > p.retain.length;
}

export function checkPolicy(ctx: CheckContext, p: A.PolicyAst): Policy | undefined {
  const file = p.file;
  if (!p.schedule && !ctx.attempted(p.syntax, "schedule")) {
    ctx.report(file, "BKP2007", p.name.range, `policy "${p.name.value}" has no schedule`, "add e.g. schedule daily at 02:30");
  }
  const sched = p.schedule ? schedule(ctx, file, p.schedule) : undefined;

  // DOMAIN §7: hourly schedules exist only in Enhanced (V2) policies.
  // Judge by what was written, so an invalid hourly schedule does not also make the policy standard.
  checkAcceptIrreversible(ctx, file, p.acceptIrreversible, "policy");
  let type: Policy["type"] = p.schedule?.kind === "hourly" ? "enhanced" : "standard";
  if (p.type) {
    if (p.type.value === "standard" && sched?.kind === "hourly") {
      ctx.report(file, "BKP2024", p.type.range, `policy "${p.name.value}" is standard, but an hourly schedule needs an enhanced policy`, "write type enhanced, or remove the type line");
    }
    type = p.type.value === "enhanced" ? "enhanced" : type;
  }

  let zone = "UTC";
  const zoneWritten = p.timezone?.value ?? DEFAULT_TIMEZONE;
  if (p.timezone) {
    const z = resolveZone(p.timezone.value);
    if (!z.ok) {
      const guess = closestZone(p.timezone.value);
      ctx.report(file, "BKP2022", p.timezone.range, `unknown time zone "${clip(p.timezone.value)}"`, guess ? `did you mean "${guess}"?` : 'write an IANA name such as "Asia/Tokyo" or a Windows name such as "Tokyo Standard Time"');
    } else if (!z.windows) {
      // Azure takes Windows zone names only; a zone CLDR gives none cannot be deployed.
      ctx.report(file, "BKP2037", p.timezone.range, `time zone "${p.timezone.value}" has no Windows name, and Azure takes only Windows zone names (docs/azure-model.md "Time zones")`, 'write a city zone such as "Europe/Paris" or "America/Los_Angeles", or a Windows name such as "W. Europe Standard Time"');
    } else zone = z.iana;
  }
  checkPolicyName(ctx, p);
  if (p.consistency?.value === "agentless-crash" && type !== "enhanced") {
    // snapshotConsistencyType OnlyCrashConsistent exists for Enhanced (V2) policies only.
    ctx.report(file, "BKP2040", p.consistency.range, `policy "${p.name.value}" is standard, but agentless crash-consistent backup (OnlyCrashConsistent) needs an enhanced policy (docs/azure-model.md "Consistency")`, "write type enhanced, or consistency application");
  }
  const irg = p.instantRestoreResourceGroup;
  if (irg) checkResourceGroupAffix(ctx, file, irg.prefix, irg.suffix);

  const ret = retention(ctx, file, p.retain);
  const retainAst = (k: A.RetainAst["kind"]) => p.retain.find((r) => r.kind === k);

  // DOMAIN §7: weekly schedules have no daily retention and need weekly retention;
  // hourly and daily schedules need daily retention.
  if (sched?.kind === "weekly" || p.schedule?.kind === "weekly") {
    const daily = retainAst("daily");
    if (daily) ctx.report(file, "BKP2015", daily.keyword, "a weekly schedule cannot keep daily recovery points", "remove the retain daily line, or schedule daily");
    if (!retainAst("weekly")) ctx.report(file, "BKP2016", p.schedule!.range, "a weekly schedule needs weekly retention", `add e.g. retain weekly 12 weeks on ${p.schedule!.kind === "weekly" ? p.schedule!.days.map((d) => d.value).join(", ") : "Sun"}`);
    const days = sched?.kind === "weekly" ? sched.days : [];
    const checkDays = (ws: A.Word<A.WeekdayName>[] | undefined, what: string) => {
      for (const w of ws ?? []) {
        if (days.length && !days.includes(WEEKDAY[w.value])) {
          ctx.report(file, "BKP2035", w.range, `${what} keeps points of ${w.value}, but the schedule backs up only on ${p.schedule!.kind === "weekly" ? p.schedule!.days.map((d) => d.value).join(", ") : ""}`, "name only scheduled days");
        }
      }
    };
    checkDays(retainAst("weekly")?.weekdays, "retain weekly");
    for (const k of ["monthly", "yearly"] as const) {
      const r = retainAst(k);
      if (r?.on?.kind === "weekdays") checkDays(r.on.weekdays, `retain ${k}`);
    }
  } else if (p.schedule && !retainAst("daily") && !malformedRetain(p)) {
    ctx.report(file, "BKP2017", p.schedule.range, `a ${p.schedule.kind} schedule needs daily retention`, "add e.g. retain daily 30 days");
  }

  // DOMAIN §7: instant restore 1..5 days (standard), 1..30 (enhanced). A Standard weekly policy
  // keeps snapshots exactly 5 days; an Enhanced weekly policy takes the enhanced range
  // (docs/azure-model.md "Instant restore").
  const irRange = INSTANT_RESTORE_RANGE[type];
  const fixedWeekly = p.schedule?.kind === "weekly" && type === "standard";
  let instantRestoreDays: number = fixedWeekly ? WEEKLY_INSTANT_RESTORE_DAYS : irRange.default;
  if (p.instantRestore) {
    const q = ctx.unit(file, p.instantRestore, "duration", "instant-restore", "2 days");
    if (q && q.unit!.name !== "day") {
      ctx.report(file, "BKP2003", q.unit!.range, `instant-restore counts days, not ${q.unit!.text}`, "write e.g. instant-restore 2 days");
    } else if (q) {
      const n = q.number.value;
      if (!n.isInteger()) ctx.report(file, "BKP2011", q.range, "instant-restore needs a whole number of days", "write e.g. 2 days");
      else if (fixedWeekly && !n.eq(WEEKLY_INSTANT_RESTORE_DAYS)) {
        ctx.report(file, "BKP2018", q.range, `a weekly schedule in a standard policy keeps instant-restore snapshots exactly 5 days, not ${n}`, "write instant-restore 5 days (Azure rejects anything else for standard weekly policies), or type enhanced (1 to 30 days)");
      } else if (ctx.inRange(file, q, n, irRange.min, irRange.max, "BKP2011", `instant-restore for a ${type} policy`, `write ${irRange.min} to ${irRange.max} days`, true)) {
        instantRestoreDays = n.toNumber();
      }
    }
  }

  let archiveAfter: Policy["archiveAfter"];
  if (p.archiveAfter) {
    const q = ctx.unit(file, p.archiveAfter, "duration", "archive after", "3 months");
    if (q) {
      const u = q.unit!.name;
      if (u !== "day" && u !== "week" && u !== "month" && u !== "year") {
        ctx.report(file, "BKP2003", q.unit!.range, `archive after counts days, weeks, months or years, not ${q.unit!.text}`, "write e.g. archive after 3 months");
      } else {
        archiveAfter = { count: q.number.value.toNumber(), unit: u };
        const days = q.number.value.mul({ day: 1, week: 7, month: 30, year: 365 }[u]);
        // DOMAIN §6: only points at least 3 months old move to archive.
        if (days.lt(90)) ctx.report(file, "BKP2032", q.range, `points can move to archive only after 3 months, not ${q.number.text} ${q.unit!.text}`, "write archive after 3 months or more");
        if (!ret.monthly && !ret.yearly) ctx.report(file, "BKP2032", p.archiveAfter.range, "archive moves monthly and yearly points, but this policy keeps neither", "add retain monthly or retain yearly, or remove archive");
      }
    }
  }
  if (p.archiveRecommended && !ret.monthly && !ret.yearly) {
    ctx.report(file, "BKP2032", p.archiveRecommended.range, "archive recommended moves monthly and yearly points, but this policy keeps neither", "add retain monthly or retain yearly, or remove archive");
  }

  if (!sched) return undefined;
  const points = maxPoints(sched, ret);
  if (points > MAX_RECOVERY_POINTS) {
    ctx.report(file, "BKP2029", p.name.range, `policy "${p.name.value}" keeps up to ${points} recovery points; Azure keeps at most ${MAX_RECOVERY_POINTS} per protected instance`, "shorten the daily or weekly retention", "warning");
  }

  return {
    name: p.name.value,
    ast: p,
    type,
    schedule: sched,
    zone,
    zoneWritten,
    instantRestoreDays,
    consistency: p.consistency?.value ?? DEFAULT_CONSISTENCY,
    vss: p.vss?.value ?? DEFAULT_VSS,
    retention: ret,
    archiveAfter,
    archiveRecommended: p.archiveRecommended !== undefined,
    archiveNever: p.archiveNever !== undefined,
    instantRestoreResourceGroup: p.instantRestoreResourceGroup && { prefix: p.instantRestoreResourceGroup.prefix.value, suffix: p.instantRestoreResourceGroup.suffix?.value },
  };
}


/**
 * Azure's rule for VM backup policy names, as the azurerm provider validates them
 * (backup_policy_vm_resource.go: `^[a-zA-Z][-_!a-zA-Z0-9]{2,149}$`): 3 to 150 characters,
 * letters, digits, `-`, `_` and `!`, starting with a letter (docs/azure-model.md "Policy
 * names"). A name such as "vault/policy" (an ARM child name) is not a policy name.
 */
const POLICY_NAME = /^[A-Za-z][-_!A-Za-z0-9]{2,149}$/;

export function azurePolicyNameProblem(name: string): string | undefined {
  if (POLICY_NAME.test(name)) return undefined;
  if (name.includes("/")) return "contains '/' (an ARM template names a policy vault/policy; the policy's name is the part after the '/')";
  if (name.length < 3 || name.length > 150) return `is ${name.length} character${name.length === 1 ? "" : "s"} long; Azure takes 3 to 150`;
  if (!/^[A-Za-z]/.test(name)) return "does not start with a letter";
  return "has characters other than letters, digits, '-', '_' and '!'";
}

function checkPolicyName(ctx: CheckContext, p: A.PolicyAst): void {
  const name = p.name.value;
  const problem = azurePolicyNameProblem(name);
  if (!problem) return;
  const fixed = name.split("/").pop()!.replace(/[^A-Za-z0-9_!-]/g, "-").replace(/^[^A-Za-z]+/, "");
  // Every name Azure refuses is an error here, short ones ("p") included: a policy that passes
  // `bkp check` must export and deploy (export's BKP6106 is the same rule), so CI cannot go green
  // on a policy Azure would refuse (issue #14).
  const hint = fixed.length >= 3 ? fixed.slice(0, 150) : fixed ? `${fixed}-policy` : "daily-policy";
  ctx.report(p.file, "BKP2038", p.name.range, `policy name "${name}" ${problem} (docs/azure-model.md "Policy names")`, `rename it, e.g. "${hint}"`);
}

/** Azure's resource-group names: up to 90 characters of letters, digits, `_ - . ( )`, not ending in `.`. */
function checkResourceGroupAffix(ctx: CheckContext, file: string, prefix: A.Str, suffix: A.Str | undefined): void {
  for (const [s, what] of [[prefix, "prefix"], [suffix, "suffix"]] as const) {
    if (!s) continue;
    if (what === "prefix" && !s.value) ctx.report(file, "BKP2039", s.range, "the instant-restore resource group prefix is empty", 'write a prefix such as "rg-backup-snapshots-"');
    else if (!/^[A-Za-z0-9_.()-]*$/.test(s.value)) ctx.report(file, "BKP2039", s.range, `the resource group ${what} "${s.value}" has characters Azure does not allow in resource group names`, "use letters, digits, '_', '-', '.', '(' and ')'");
  }
  if (prefix.value.length + (suffix?.value.length ?? 0) + 1 > 90) ctx.report(file, "BKP2039", prefix.range, "prefix and suffix make a resource group name longer than Azure's 90 characters", "shorten the prefix or the suffix");
}
