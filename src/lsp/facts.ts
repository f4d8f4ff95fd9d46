// What the hover says about blocks, computed from the checked model with the same code as
// `bkp cost` and `bkp plan`: the bill of one VM, its next jobs and their predicted times, a
// policy's runs and the recovery points its retention keeps.
import Decimal from "decimal.js";
import type { DateTime } from "../utils/luxon.js";
import { computeCost, timePlan, type CostReport } from "../analyze/index.js";
import type { Model, Policy, Vm } from "../model/model.js";
import { compilePlan } from "../plan/compile.js";
import { fatesMs, retentionSpec } from "../plan/retention.js";
import { expandSchedule } from "../plan/schedule.js";
import { MS_PER_DAY, clockFor, offsetText, shortLocal, shortUtc } from "../plan/time.js";
import type { JobKind } from "../plan/types.js";

/** The model cut down to one VM (its policy, vault and the set's price books and assumptions). */
function alone(model: Model, vm: Vm): Model {
  return { ...model, vms: new Map([[vm.name, vm]]), policies: new Map([[vm.policy.name, vm.policy]]), restores: new Map() };
}

/** The VM's bill over the projection (the assume block's horizon) from today's month. */
export function vmBill(model: Model, vm: Vm, now: DateTime): CostReport {
  return computeCost(alone(model, vm), { from: now.toUTC().toISODate()!, months: model.assumptions.horizonMonths });
}

export interface NextJob {
  /** `2026-12-07 02:30 +09:00 (Asia/Tokyo)` */
  local: string;
  /** `2026-12-06 17:30 UTC` */
  utc: string;
  kind: JobKind;
  seconds: number;
  slowest?: string;
}

/** The VM's next jobs (from now, over the next eight days) with their predicted durations. */
export function nextJobs(model: Model, vm: Vm, now: DateTime, count: number): NextJob[] {
  const plan = compilePlan(alone(model, vm), { from: now.toUTC().toISODate()!, days: 8 });
  const timings = timePlan(plan);
  const clock = clockFor(vm.policy.zone);
  const nowMs = now.toMillis();
  return plan.jobs
    .filter((j) => j.run.ms >= nowMs)
    .slice(0, count)
    .map((j) => ({
      local: `${shortLocal(clock, j.run.ms)} ${offsetText(clock, j.run.ms)} (${vm.policy.zoneWritten})`,
      utc: `${shortUtc(j.run.ms)} UTC`,
      kind: j.kind,
      seconds: timings[j.index].durationSeconds,
      slowest: timings[j.index].slowest,
    }));
}

/** The policy's next runs from now, in its zone and in UTC. */
export function nextRuns(p: Policy, now: DateTime, count: number): { local: string; utc: string }[] {
  const clock = clockFor(p.zone);
  const from = now.toMillis();
  return expandSchedule(p.schedule, clock, from, from + 15 * MS_PER_DAY)
    .slice(0, count)
    .map((ms) => ({ local: `${shortLocal(clock, ms)} ${offsetText(clock, ms)}`, utc: `${shortUtc(ms)} UTC` }));
}

const hhmm = (t: { hour: number; minute: number }) => `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
const WEEKDAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export function scheduleWords(p: Policy): string {
  const s = p.schedule;
  if (s.kind === "daily") return `every day at ${hhmm(s.at)}`;
  if (s.kind === "weekly") return `every week on ${s.days.map((d) => WEEKDAY[d]).join(", ")} at ${hhmm(s.at)}`;
  return `every ${s.intervalHours} hours from ${hhmm(s.start)} for ${s.windowHours} hours`;
}

/** Longest retention in days (months and years counted long), to simulate enough history. */
function retentionDays(p: Policy): number {
  const r = p.retention;
  return Math.max(r.daily?.days ?? 0, (r.weekly?.weeks ?? 0) * 7, (r.monthly?.months ?? 0) * 31, (r.yearly?.years ?? 0) * 366, p.instantRestoreDays);
}

/**
 * Recovery points one VM of the policy holds once its retention is full: the policy's runs
 * over its longest retention (and a month more), each kept or expired by the retention rules,
 * counted at now.
 */
export function steadyStatePoints(p: Policy, now: DateTime): number {
  const clock = clockFor(p.zone);
  const to = now.toMillis();
  const runs = expandSchedule(p.schedule, clock, to - (retentionDays(p) + 31) * MS_PER_DAY, to + 1);
  const f = fatesMs(runs, retentionSpec(p));
  let n = 0;
  for (let i = 0; i < runs.length; i++) if (f.expires[i] > to) n++;
  return n;
}

export const gb = (bytes: Decimal) => bytes.div(1e9).toDecimalPlaces(3, Decimal.ROUND_HALF_UP).toString();
