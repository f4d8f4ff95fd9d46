// The Azure service timing model of a backup job (DOMAIN §1.7, §4); VMs with local images are
// timed by the local engine's model instead (engine-model.ts, timeEngineJob below). Durations are seconds as plain numbers:
// they are predictions, never billed.
//
//   job      = prepare (first backup only) + snapshot-to-vault lag + slowest disk
//   disk     = initial:              used / transfer-rate
//              incremental:          changed × f / transfer-rate
//              checksum-comparison:  used / checksum-rate + changed × f / transfer-rate
//   changed  = churn per day × days since the previous backup (at most the disk's used data)
//   f        = fragmentation factor for `pattern scattered` disks, else 1
//   lag      = snapshot taken inside peak hours: until peak hours end, at most peak-lag
// Disks of a VM transfer in parallel (DOMAIN §1.7), so the slowest disk decides.
// With `assume { calibrate from-vault }` a VM's transfer and checksum rates come from its job
// log instead (measured.ts): timePlan takes them per VM.
import type { Assumptions } from "../model/model.js";
import type { Calibration } from "./measured.js";
import type { DiskTask, Job, Plan, PolicyRuns } from "../plan/types.js";
import { civilFromDays, type ZoneClock } from "../plan/time.js";
import type { TimingModel } from "../plan/vault-facts.js";
import { engineOverhead, predictEngineDisk, readNonZero, type EngineDiskPrediction, type EngineFacts } from "./engine-model.js";

export interface DiskTiming {
  task: DiskTask;
  seconds: number;
  /** Local-engine model: the detection path and the bytes the engine will read and change. */
  engine?: EngineDiskPrediction;
}

export interface JobTiming {
  /** azure-service (this file's formulas) or local-engine (engine-model.ts, VMs with images). */
  model: TimingModel;
  /** Local engine: the measured seconds beyond the slowest disk (vault, snapshot, commit); 0 otherwise. */
  overheadSeconds: number;
  prepareSeconds: number;
  lagSeconds: number;
  /** The slowest disk's time. */
  transferSeconds: number;
  durationSeconds: number;
  disks: DiskTiming[];
  /** Name of the slowest disk. */
  slowest?: string;
}

export function diskSeconds(t: DiskTask, as: Assumptions, rates = ratesOf(as)): number {
  const f = t.disk.pattern === "scattered" ? rates.fragmentation : 1;
  if (t.kind === "initial") return t.transferBytes / rates.transfer;
  const send = (t.transferBytes * f) / rates.transfer;
  return t.kind === "checksum-comparison" ? t.scanBytes / rates.checksum + send : send;
}

interface Rates {
  transfer: number;
  checksum: number;
  fragmentation: number;
}

function ratesOf(as: Assumptions): Rates {
  return { transfer: as.transferRateBytesPerSecond.toNumber(), checksum: as.checksumRateBytesPerSecond.toNumber(), fragmentation: as.fragmentationFactor.toNumber() };
}

/** Seconds between a snapshot and the start of its transfer (DOMAIN §1.7: up to peak-lag at peak times). */
export function lagSeconds(clock: ZoneClock, snapshotMs: number, as: Assumptions): number {
  const from = as.peakHours.from.hour * 60 + as.peakHours.from.minute;
  const to = as.peakHours.to.hour * 60 + as.peakHours.to.minute;
  if (from === to) return 0;
  const w = clock.wall(snapshotMs);
  const m = w.hour * 60 + w.minute;
  const inside = from < to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return 0;
  const endDay = from > to && m >= from ? w.days + 1 : w.days;
  const endMs = clock.resolveWall({ ...civilFromDays(endDay), hour: as.peakHours.to.hour, minute: as.peakHours.to.minute });
  return Math.min(Math.max(0, (endMs - snapshotMs) / 1000), as.peakLagSeconds.toNumber());
}

/**
 * Times every job of a plan (parallel to plan.jobs); jobs of the same shape share the work.
 * `calibration` gives some VMs measured rates in place of the assumed ones.
 */
export function timePlan(plan: Plan, calibration?: ReadonlyMap<string, Calibration>, engine?: ReadonlyMap<string, EngineFacts>): JobTiming[] {
  const as = plan.model.assumptions;
  const assumed = ratesOf(as);
  const prepare = as.prepareSeconds.toNumber();
  const out: JobTiming[] = new Array(plan.jobs.length);
  // Lag depends only on the run (and the preparation on a first backup): one array per policy.
  const lagsOf = new Map<string, Float64Array>();
  for (const pr of plan.policies.values()) lagsOf.set(pr.policy.name, new Float64Array(pr.runs.length).fill(Number.NaN));
  for (const s of plan.vms.values()) {
    if (!s.jobs.length) continue;
    const pr = plan.policies.get(s.vm.policy.name)!;
    const lags = lagsOf.get(pr.policy.name)!;
    const eng = engine?.get(s.vm.name);
    if (eng) {
      for (const job of s.jobs) out[job.index] = timeEngineJob(job, eng);
      continue;
    }
    const cal = calibration?.get(s.vm.name);
    const rates = cal ? { ...assumed, transfer: cal.transfer.bytesPerSecond, checksum: cal.checksum.bytesPerSecond } : assumed;
    // A VM's jobs have a handful of shapes; timings are shared between jobs (never mutate them).
    const shapes: { tasks: DiskTask[]; disks: DiskTiming[]; transfer: number; slowest?: string; byLag: Map<number, JobTiming> }[] = [];
    for (const job of s.jobs) {
      let shape = shapes.find((x) => x.tasks === job.tasks);
      if (!shape) {
        const disks = job.tasks.map((task) => ({ task, seconds: diskSeconds(task, as, rates) }));
        let slowest: DiskTiming | undefined;
        for (const d of disks) if (!slowest || d.seconds > slowest.seconds) slowest = d;
        shapes.push((shape = { tasks: job.tasks, disks, transfer: slowest?.seconds ?? 0, slowest: slowest?.task.disk.name, byLag: new Map() }));
      }
      let prep = 0;
      let lag: number;
      if (job.firstBackup) {
        // The snapshot is taken after the preparation (DOMAIN §1.3, §4).
        prep = prepare;
        lag = lagSeconds(pr.clock, job.run.ms + prep * 1000, as);
      } else {
        lag = lags[job.run.index];
        if (Number.isNaN(lag)) lags[job.run.index] = lag = lagSeconds(pr.clock, job.run.ms, as);
      }
      const key = prep * 1e7 + lag;
      let timing = shape.byLag.get(key);
      if (!timing) shape.byLag.set(key, (timing = { model: "azure-service", overheadSeconds: 0, prepareSeconds: prep, lagSeconds: lag, transferSeconds: shape.transfer, durationSeconds: prep + lag + shape.transfer, disks: shape.disks, slowest: shape.slowest }));
      out[job.index] = timing;
    }
  }
  return out;
}

export function timeJob(job: Job, pr: PolicyRuns, as: Assumptions): JobTiming {
  const disks = job.tasks.map((task) => ({ task, seconds: diskSeconds(task, as) }));
  const transfer = Math.max(0, ...disks.map((d) => d.seconds));
  const prep = job.firstBackup ? as.prepareSeconds.toNumber() : 0;
  const lag = lagSeconds(pr.clock, job.run.ms + prep * 1000, as);
  const slowest = disks.reduce<DiskTiming | undefined>((a, d) => (!a || d.seconds > a.seconds ? d : a), undefined);
  return { model: "azure-service", overheadSeconds: 0, prepareSeconds: prep, lagSeconds: lag, transferSeconds: transfer, durationSeconds: prep + lag + transfer, disks, slowest: slowest?.task.disk.name };
}

/** A job of a VM with local images, by the local engine's model (engine-model.ts): no agent, no lag. */
export function timeEngineJob(job: Pick<Job, "tasks" | "gapMs">, f: EngineFacts): JobTiming {
  const disks: DiskTiming[] = job.tasks.map((task) => {
    const engine = predictEngineDisk(f, task, job.gapMs);
    return { task, seconds: engine.seconds, engine };
  });
  let slowest: DiskTiming | undefined;
  for (const d of disks) if (!slowest || d.seconds > slowest.seconds) slowest = d;
  // The disks share the engine's workers: their work adds up (engine-model.ts).
  const transfer = disks.reduce((x, d) => x + d.seconds, 0);
  const overhead = engineOverhead(f, readNonZero(f, disks.map((d) => ({ name: d.task.disk.name, bytesRead: d.engine?.bytesRead ?? 0 }))));
  return { model: "local-engine", overheadSeconds: overhead, prepareSeconds: 0, lagSeconds: 0, transferSeconds: transfer, durationSeconds: overhead + transfer, disks, slowest: slowest?.task.disk.name };
}
