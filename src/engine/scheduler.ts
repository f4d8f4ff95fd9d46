// `bkp run`'s scheduler: runs the VMs' backups at the instants their policies schedule, until
// stopped. Pure logic over an injected clock, sleep and job runner, so tests simulate days in
// milliseconds; the CLI supplies the real clock, setTimeout and the engine's backupVm.
//
// DOMAIN §1.1: a backup job starts on the schedule the policy sets. The due rule is the one
// `bkp backup` uses (src/plan/due.ts): a VM is due when its policy's latest run at or before now
// has no point (or attempt) made at or after it. At start, missed runs are therefore caught up
// once — not once per missed run — and a VM without points gets its first backup at once.
// Schedules are read in the policy's zone with bkp's DST rules (src/plan/schedule.ts): a run in
// a spring-forward gap runs at the first instant after it, an ambiguous one once.
import { runFleet, type FleetJob } from "./fleet.js";
import type { Vm } from "../model/model.js";
import { isDue, nextRun } from "../plan/due.js";
import { compareText } from "../utils/compare.js";

export interface ScheduledVm {
  vm: Vm;
  /** createdAt (epoch ms) of the VM's newest recovery point; undefined when it has none. */
  latest?: number;
}

/** Why a job runs: the VM's first backup, a run missed while bkp was not running, or on time. */
export type JobReason = "first" | "catch-up" | "scheduled";

export interface ScheduledJob {
  vm: Vm;
  /** The scheduled run (epoch ms) the job serves; undefined for a first backup before any run. */
  run?: number;
  reason: JobReason;
  /** Epoch ms on the scheduler's clock. */
  startedAt: number;
}

export type SchedulerEvent<T> =
  | { kind: "job-start"; job: ScheduledJob }
  | { kind: "job-done"; job: ScheduledJob; outcome: T; finishedAt: number }
  /** Idle until `at`, the next scheduled run (of these VMs); sent when it changes. */
  | { kind: "next"; vms: Vm[]; at: number };

export interface SchedulerOptions<T> {
  vms: readonly ScheduledVm[];
  /** The clock: epoch ms. */
  now(): number;
  /** Waits `ms` (or less: the scheduler re-reads the clock); must return early once `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** Aborted: start no new job; the scheduler returns after the job in progress. */
  signal: AbortSignal;
  /** Runs one backup; reports failures in its outcome rather than throwing. */
  runJob(job: ScheduledJob): Promise<T>;
  onEvent?(e: SchedulerEvent<T>): void;
  /**
   * VMs due together run up to this many at once, with the fleet runner's limits (one writer per
   * vault, disks per storage account; src/engine/fleet.ts). Default 1: one after another.
   */
  fleet?: { concurrency: number; maxDisksPerAccount: number; jobOf(vm: Vm): FleetJob };
  /** Longest single sleep, so a clock that jumps (suspend, NTP) is noticed (default 60 s). */
  maxSleepMs?: number;
}

export interface SchedulerSummary {
  jobs: number;
}

/** Runs jobs at their times until `signal` aborts. */
export async function runScheduler<T>(o: SchedulerOptions<T>): Promise<SchedulerSummary> {
  const maxSleep = o.maxSleepMs ?? 60_000;
  const started = o.now();
  // Per VM: the newest point's creation, then the start of each job this scheduler ran. A
  // failed job counts as done for its run too: it is retried at the next run, not in a loop.
  const handled = new Map<string, number | undefined>(o.vms.map((v) => [v.vm.name, v.latest]));
  let jobs = 0;
  let announced = "";
  while (!o.signal.aborted) {
    const now = o.now();
    const due: { vm: Vm; run?: number; reason: JobReason }[] = [];
    for (const { vm } of o.vms) {
      const latest = handled.get(vm.name);
      const d = isDue(vm, latest, now);
      if (!d.due) continue;
      const reason: JobReason = latest === undefined ? "first" : d.run !== undefined && d.run < started ? "catch-up" : "scheduled";
      due.push({ vm, run: d.run, reason });
    }
    if (due.length) {
      // VMs due together start by scheduled run, then by name: one after another, or with
      // `fleet` several at once within its limits.
      due.sort((a, b) => (a.run ?? -Infinity) - (b.run ?? -Infinity) || compareText(a.vm.name, b.vm.name));
      const runOne = async (d: (typeof due)[number]) => {
        if (o.signal.aborted) return;
        const job: ScheduledJob = { ...d, startedAt: o.now() };
        o.onEvent?.({ kind: "job-start", job });
        handled.set(d.vm.name, job.startedAt);
        const outcome = await o.runJob(job);
        jobs++;
        o.onEvent?.({ kind: "job-done", job, outcome, finishedAt: o.now() });
      };
      const fleet = o.fleet;
      if (fleet && fleet.concurrency > 1) {
        await runFleet(due.map((d) => ({ ...fleet.jobOf(d.vm), d })), fleet, (j) => runOne(j.d));
      } else {
        for (const d of due) await runOne(d);
      }
      announced = "";
      continue;
    }
    let at: number | undefined;
    let next: Vm[] = [];
    for (const { vm } of o.vms) {
      const t = nextRun(vm, now);
      if (t === undefined) continue;
      if (at === undefined || t < at) {
        at = t;
        next = [vm];
      } else if (t === at) next.push(vm);
    }
    if (at === undefined) {
      await o.sleep(maxSleep, o.signal);
      continue;
    }
    const key = `${at}:${next.map((v) => v.name).join("\0")}`;
    if (key !== announced) {
      announced = key;
      o.onEvent?.({ kind: "next", vms: next, at });
    }
    await o.sleep(Math.max(1, Math.min(at - now, maxSleep)), o.signal);
  }
  return { jobs };
}
