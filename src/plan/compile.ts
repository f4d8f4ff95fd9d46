// The compiler: Model + horizon -> Plan. Schedules are expanded once per policy (all of its
// VMs share the instants); each VM's jobs then pick their kind from the VM's protection state.
import type { Disk, Model, Policy, Vm } from "../model/model.js";
import { predictConsistency } from "./consistency.js";
import { expandSchedule, maxGapMs } from "./schedule.js";
import { spreadRestores } from "./spread.js";
import { MS_PER_DAY, civilFromDays, clockFor, daysFromCivil, parseIsoDate, utcIso, type CivilDate } from "./time.js";
import { PLAN_VERSION, type DiskTask, type Job, type JobKind, type Plan, type PolicyRuns, type Run, type VmSchedule } from "./types.js";
import { compareText } from "../utils/compare.js";
import { factsText, type VmVaultFacts } from "./vault-facts.js";

export interface CompileOptions {
  /** ISO date (YYYY-MM-DD) the horizon starts. */
  from: string;
  /** Days in the horizon. */
  days: number;
  /**
   * Per VM name, what its local vault holds (read by the caller through the engine). A VM here
   * is planned from its points, not from `protected-since`.
   */
  vault?: ReadonlyMap<string, VmVaultFacts>;
}

export function backedUpDisks(vm: Vm): Disk[] {
  // DOMAIN §6: the temporary disk is never backed up; excluded disks (selective backup) neither.
  return vm.disks.filter((d) => d.role !== "temp" && !d.excluded);
}

export function policyRuns(policy: Policy, from: CivilDate, days: number): PolicyRuns {
  const clock = clockFor(policy.zone);
  const fromMs = clock.startOfDay(from);
  const toMs = clock.startOfDay(civilFromDays(daysFromCivil(from.year, from.month, from.day) + days));
  const ms = expandSchedule(policy.schedule, clock, fromMs - maxGapMs(policy.schedule), toMs + maxGapMs(policy.schedule));
  const runs: Run[] = [];
  let snapshotExpiry = Number.NaN;
  for (let i = 0; i < ms.length; i++) {
    const t = ms[i];
    runs.push({
      index: i,
      ms: t,
      local: clock.localIso(t),
      utc: utcIso(t),
      gapMs: i ? t - ms[i - 1] : Number.NaN,
      nextGapMs: i + 1 < ms.length ? ms[i + 1] - t : Number.NaN,
      // DOMAIN §4: without the previous backup's snapshot, changes are found by checksums.
      snapshotGone: i > 0 && snapshotExpiry <= t,
    });
    const w = clock.wall(t);
    // Snapshots are kept `instant-restore` calendar days (DOMAIN §6/§7).
    snapshotExpiry = clock.resolveWall({ ...civilFromDays(w.days + policy.instantRestoreDays), hour: w.hour, minute: w.minute });
  }
  const first = firstRunAtOrAfter(runs, fromMs);
  return { policy, clock, runs, first, end: firstRunAtOrAfter(runs, toMs), fromMs, toMs };
}

/** Index of the first run at or after `ms` (runs ascending). */
function firstRunAtOrAfter(runs: Run[], ms: number): number {
  let lo = 0;
  let hi = runs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[mid].ms < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function vmSchedule(vm: Vm, pr: PolicyRuns, facts?: VmVaultFacts): Omit<VmSchedule, "state"> & { firstIndex: number } {
  const jobs: Job[] = [];
  if (vm.protection === "stopped-delete-data") return { vm, jobs, firstIndex: -1, noJobs: "protection stopped, data deleted" };
  if (vm.protection === "stopped-retain-data") return { vm, jobs, firstIndex: -1, noJobs: "protection stopped, data retained: no new backups" };
  if (facts) {
    // The vault knows: points mean a protected VM (incremental from its newest point); none, a first backup.
    if (facts.points && facts.firstPointMs !== undefined) return { vm, jobs, firstIndex: -Infinity, firstBackupMs: facts.firstPointMs };
    if (pr.first >= pr.end) return { vm, jobs, firstIndex: -1, noJobs: "no scheduled run in the horizon" };
    return { vm, jobs, firstIndex: pr.first, firstBackupMs: pr.runs[pr.first].ms };
  }
  if (vm.protectedSince) {
    const startMs = pr.clock.startOfDay(parseIsoDate(vm.protectedSince)!);
    if (startMs < pr.runs[0]?.ms) return { vm, jobs, firstIndex: -Infinity, firstBackupMs: startMs };
    const i = firstRunAtOrAfter(pr.runs, startMs);
    if (i >= pr.end) return { vm, jobs, firstIndex: -1, noJobs: `first backup (protected-since ${vm.protectedSince}) is after the horizon` };
    return { vm, jobs, firstIndex: i, firstBackupMs: pr.runs[i].ms };
  }
  // Without protected-since the VM is new: its first run in the horizon is its first backup.
  if (pr.first >= pr.end) return { vm, jobs, firstIndex: -1, noJobs: "no scheduled run in the horizon" };
  return { vm, jobs, firstIndex: pr.first, firstBackupMs: pr.runs[pr.first].ms };
}

/** A disk's sizes as plain numbers (predictions, never billed), converted once per VM. */
interface DiskSizes {
  used: number;
  churnPerDay: number;
}

/** Changed bytes of a disk over a gap: churn per day × days (DOMAIN §4, only changed blocks move), never more than its data. */
function changedBytes(d: DiskSizes, gapMs: number): number {
  return Math.min(d.churnPerDay * (gapMs / MS_PER_DAY), d.used);
}

function tasksFor(disks: Disk[], sizes: DiskSizes[], kind: JobKind, gapMs: number, addedMask: boolean[]): DiskTask[] {
  return disks.map((d, i) => {
    const used = sizes[i].used;
    if (kind === "initial" || addedMask[i]) return { disk: d, kind: "initial", added: kind !== "initial", transferBytes: used, scanBytes: 0 };
    const changed = changedBytes(sizes[i], gapMs);
    if (kind === "checksum-comparison") return { disk: d, kind, added: false, transferBytes: changed, scanBytes: used };
    return { disk: d, kind, added: false, transferBytes: changed, scanBytes: 0 };
  });
}

/**
 * The first run after a vault's newest point: when the point is newer than the run before it
 * (a backup ran since), the gap and the snapshot are the point's; otherwise the schedule's.
 */
function afterPoint(f: VmVaultFacts, run: Run): { gapMs: number; snapshotGone: boolean } | undefined {
  if (f.lastPointMs === undefined || f.lastPointMs >= run.ms) return undefined;
  const prevRun = Number.isNaN(run.gapMs) ? -Infinity : run.ms - run.gapMs;
  if (f.lastPointMs < prevRun) return undefined;
  return { gapMs: run.ms - f.lastPointMs, snapshotGone: f.snapshotUntilMs === undefined || f.snapshotUntilMs <= run.ms };
}

export function compilePlan(model: Model, opts: CompileOptions): Plan {
  const from = parseIsoDate(opts.from);
  if (!from) throw new Error(`not an ISO date: ${opts.from}`);
  const policies = new Map<string, PolicyRuns>();
  for (const p of model.policies.values()) policies.set(p.name, policyRuns(p, from, opts.days));

  const vms = new Map<string, VmSchedule>();
  const perRun = new Map<PolicyRuns, Job[][]>();
  for (const pr of policies.values()) perRun.set(pr, pr.runs.map(() => []));
  const names = [...model.vms.keys()].sort();
  for (const name of names) {
    const vm = model.vms.get(name)!;
    const pr = policies.get(vm.policy.name)!;
    const facts = opts.vault?.get(name);
    const s = vmSchedule(vm, pr, facts);
    vms.set(name, { vm, firstBackupMs: s.firstBackupMs, noJobs: s.noJobs, jobs: s.jobs, state: factsText(facts, vm.protectedSince), ...(facts ? { vault: facts } : {}) });
    if (s.noJobs) continue;
    const disks = backedUpDisks(vm);
    const sizes = disks.map((d) => ({ used: d.usedBytes.toNumber(), churnPerDay: d.churnBytesPerDay.toNumber() }));
    // The run at which each disk added to a protected VM replicates fully (DOMAIN §4).
    const addedAt = disks.map((d) => (d.added ? firstRunAtOrAfter(pr.runs, pr.clock.startOfDay(parseIsoDate(d.added)!)) : -1));
    const consistency = predictConsistency(vm);
    // Jobs of the same shape share their task list: the key is the kind and the gap.
    const memo = { initial: new Map<number, DiskTask[]>(), incremental: new Map<number, DiskTask[]>(), "checksum-comparison": new Map<number, DiskTask[]>() };
    const noneAdded = disks.map(() => false);
    const anyAdded = addedAt.some((a) => a >= 0);
    const lists = perRun.get(pr)!;
    const start = Math.max(pr.first, s.firstIndex);
    for (let i = start; i < pr.end; i++) {
      const run = pr.runs[i];
      const firstBackup = i === s.firstIndex;
      // The first job after the vault's newest point: its gap and its snapshot are the point's.
      const after = i === start && !firstBackup && facts ? afterPoint(facts, run) : undefined;
      const gapMs = firstBackup ? Number.NaN : (after?.gapMs ?? run.gapMs);
      const snapshotGone = after ? after.snapshotGone : run.snapshotGone;
      const kind: JobKind = firstBackup ? "initial" : snapshotGone ? "checksum-comparison" : "incremental";
      let tasks: DiskTask[] | undefined;
      // A disk the vault has no point of replicates fully at the first job (DOMAIN §4: new disk).
      const newInVault = after ? disks.map((d) => !facts!.disks.includes(d.name)) : undefined;
      if (newInVault?.some((x) => x)) tasks = tasksFor(disks, sizes, kind, gapMs, newInVault);
      else if (anyAdded && !firstBackup && !facts && addedAt.includes(i)) tasks = tasksFor(disks, sizes, kind, gapMs, addedAt.map((a) => a === i));
      else {
        const gap = firstBackup ? 0 : gapMs;
        tasks = memo[kind].get(gap);
        if (!tasks) memo[kind].set(gap, (tasks = tasksFor(disks, sizes, kind, gap, noneAdded)));
      }
      const job: Job = { index: -1, vm, run, kind, firstBackup, tasks, consistency, gapMs };
      lists[i].push(job);
      s.jobs.push(job);
    }
  }

  // Merge the per-run job lists in instant order; VMs are already in name order within a run.
  const groups: { ms: number; jobs: Job[] }[] = [];
  for (const [pr, lists] of perRun) for (let i = pr.first; i < pr.end; i++) if (lists[i].length) groups.push({ ms: pr.runs[i].ms, jobs: lists[i] });
  groups.sort((a, b) => a.ms - b.ms);
  const jobs: Job[] = [];
  for (let g = 0; g < groups.length; g++) {
    let h = g;
    while (h + 1 < groups.length && groups[h + 1].ms === groups[g].ms) h++;
    if (h === g) for (const j of groups[g].jobs) (j.index = jobs.length), jobs.push(j);
    else {
      const merged = groups.slice(g, h + 1).flatMap((x) => x.jobs).sort((a, b) => compareText(a.vm.name, b.vm.name));
      for (const j of merged) (j.index = jobs.length), jobs.push(j);
    }
    g = h;
  }

  return { version: PLAN_VERSION, from: opts.from, days: opts.days, model, policies, vms, jobs, restores: spreadRestores(model) };
}

/**
 * The job a backup of `vm` started at `ms` is, by its vault's facts (as the plan would schedule
 * it): bkp backup and bkp run predict it before they run it, and record the prediction.
 */
export function jobAt(vm: Vm, facts: VmVaultFacts | undefined, ms: number): Pick<Job, "kind" | "firstBackup" | "tasks" | "gapMs"> {
  const disks = backedUpDisks(vm);
  const sizes = disks.map((d) => ({ used: d.usedBytes.toNumber(), churnPerDay: d.churnBytesPerDay.toNumber() }));
  if (!facts?.points || facts.lastPointMs === undefined) return { kind: "initial", firstBackup: true, tasks: tasksFor(disks, sizes, "initial", 0, disks.map(() => false)), gapMs: Number.NaN };
  const gapMs = Math.max(0, ms - facts.lastPointMs);
  const kind: JobKind = facts.snapshotUntilMs === undefined || facts.snapshotUntilMs <= ms ? "checksum-comparison" : "incremental";
  return { kind, firstBackup: false, tasks: tasksFor(disks, sizes, kind, gapMs, disks.map((d) => !facts.disks.includes(d.name))), gapMs };
}
