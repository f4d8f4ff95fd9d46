// Predicted vs actual: the engine's job log (what real backups of a VM measured) beside the
// timing model, and the model's rates calibrated from it (`assume { calibrate from-vault }`).
// Pure: the CLI reads the job logs from the vaults and passes them in as Measurements.
//
// The model (timing.ts, DOMAIN §1.7, §4) sends a disk's data at the transfer rate and, when
// changes must be found by checksums, reads the disk at the checksum rate:
//   full (initial)        changed / transfer
//   block-checksum        read / checksum + changed × f / transfer
//   unchanged-file        0 (the engine reads nothing)
//   other detections      changed × f / transfer (incremental)
// Disks run in parallel, so a job takes as long as its slowest disk. Calibration inverts the
// same formulas on measured disks: transfer = changed / seconds of full backups; checksum =
// read / (seconds − changed × f / transfer) of block-checksum backups; each the median over the
// VM's last CALIBRATION_JOBS jobs that measured it.
import type { Assumptions, Disk, Vm } from "../model/model.js";
import type { JobPrediction, VmVaultFacts } from "../plan/vault-facts.js";
import type { ImageFacts } from "./engine-model.js";
import { predictionErrors, type PredictionErrors } from "./prediction.js";

export interface MeasuredDisk {
  name: string;
  /** How the engine found changes: full, block-checksum, unchanged-file (or a newer kind). */
  detection: string;
  imageBytes: number;
  bytesRead: number;
  bytesChanged: number;
  bytesStored: number;
  /** Bytes of all-zero blocks (absent in old records). */
  bytesZero?: number;
  seconds: number;
  /** Set when every block was read because the instant-restore snapshot was gone. */
  detectionReason?: string;
}

export interface MeasuredJob {
  seq: number;
  status: "completed" | "completed-with-warnings" | "failed";
  point?: string;
  /** UTC ISO. */
  startedAt: string;
  finishedAt: string;
  /** The whole job (vault open, scripts, read, write, commit). */
  seconds: number;
  /** Of the disks' seconds, the engine's worker threads' start (absent in older records). */
  workerStartSeconds?: number;
  disks: MeasuredDisk[];
  error?: { code: string; message: string };
  /** What the plan predicted for this job, when the job was started by bkp backup or bkp run. */
  predicted?: JobPrediction;
}

/** What the CLI read from the vaults' job logs. */
export interface Measurements {
  /** Per VM name, its jobs oldest first. A VM missing here has no job log (no vault yet, no path). */
  vms: Map<string, MeasuredJob[]>;
  /** One line per vault (or record) that could not be read, and why. */
  notes: string[];
  /** Per VM name (VMs with local images whose vault could be opened): its points. */
  vault?: Map<string, VmVaultFacts>;
  /** Per VM name: its disks' images as found on disk (a stat each). */
  images?: Map<string, ImageFacts[]>;
}

/** Jobs (newest first) whose samples a calibrated rate is the median of. */
export const CALIBRATION_JOBS = 10;

export interface RateSource {
  /** Bytes per second per disk. */
  bytesPerSecond: number;
  source: "measured" | "assumed";
  /** Jobs (and disk samples) it was measured from; 0 when assumed. */
  jobs: number;
  samples: number;
}

export interface Calibration {
  transfer: RateSource;
  checksum: RateSource;
}

export interface LastRun {
  job: MeasuredJob;
  /** The slowest disk's seconds: what the model's transfer part predicts. */
  transferSeconds: number;
  /** The model's seconds for the data this job moved, at the rates the plan uses for the VM. */
  predictedSeconds: number;
  disks: { disk: MeasuredDisk; predictedSeconds: number }[];
  bytesRead: number;
  bytesChanged: number;
  bytesStored: number;
}

export interface VmMeasured {
  /** Whether the VM's job log was read (false: no vault yet, no vault path, or an unreadable vault — see the notes). */
  logRead: boolean;
  /** Records in the VM's job log. */
  jobs: number;
  /** The newest job that completed. */
  last?: LastRun;
  /** The newest job, when it failed. */
  lastFailure?: MeasuredJob;
  /** Set with `assume { calibrate from-vault }`: the rates the VM's timings use and where they come from. */
  calibration?: Calibration;
  /** How far the predictions recorded with its last jobs were from what they measured. */
  errors?: PredictionErrors;
}

interface Rates {
  transfer: number;
  checksum: number;
  fragmentation: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function diskOf(vm: Vm, name: string): Disk | undefined {
  return vm.disks.find((d) => d.name === name);
}

/** f: scattered changes transfer slower (DOMAIN §4); a disk no longer in the policy counts as sequential. */
function fragmentation(vm: Vm, disk: string, rates: Rates): number {
  return diskOf(vm, disk)?.pattern === "scattered" ? rates.fragmentation : 1;
}

/** The model's seconds for one measured disk (the formulas at the top). */
export function predictDisk(vm: Vm, d: MeasuredDisk, rates: Rates): number {
  if (d.detection === "unchanged-file") return 0;
  if (d.detection === "full") return d.bytesChanged / rates.transfer;
  const send = (d.bytesChanged * fragmentation(vm, d.name, rates)) / rates.transfer;
  return d.detection === "block-checksum" ? d.bytesRead / rates.checksum + send : send;
}

export const completed = (j: MeasuredJob) => j.status !== "failed";

/** Samples of one rate from the newest jobs that have any, at most CALIBRATION_JOBS jobs. */
function sampleRate(jobs: MeasuredJob[], sample: (d: MeasuredDisk) => number | undefined): { values: number[]; jobs: number } {
  const values: number[] = [];
  let used = 0;
  for (let i = jobs.length - 1; i >= 0 && used < CALIBRATION_JOBS; i--) {
    if (!completed(jobs[i])) continue;
    const vs = jobs[i].disks.map(sample).filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
    if (!vs.length) continue;
    values.push(...vs);
    used++;
  }
  return { values, jobs: used };
}

/** The VM's rates from its job log (oldest first), each falling back to the assumption when nothing measured it. */
export function calibrate(vm: Vm, jobs: MeasuredJob[], as: Assumptions): Calibration {
  const assumed = { transfer: as.transferRateBytesPerSecond.toNumber(), checksum: as.checksumRateBytesPerSecond.toNumber(), fragmentation: as.fragmentationFactor.toNumber() };
  const t = sampleRate(jobs, (d) => (d.detection === "full" && d.bytesChanged > 0 && d.seconds > 0 ? d.bytesChanged / d.seconds : undefined));
  const transfer: RateSource = t.values.length ? { bytesPerSecond: median(t.values), source: "measured", jobs: t.jobs, samples: t.values.length } : { bytesPerSecond: assumed.transfer, source: "assumed", jobs: 0, samples: 0 };
  const c = sampleRate(jobs, (d) => {
    if (d.detection !== "block-checksum" || d.bytesRead <= 0 || d.seconds <= 0) return undefined;
    // The read time is what is left once the changed blocks' transfer is taken out.
    const scan = d.seconds - (d.bytesChanged * fragmentation(vm, d.name, assumed)) / transfer.bytesPerSecond;
    return scan > 0 ? d.bytesRead / scan : undefined;
  });
  const checksum: RateSource = c.values.length ? { bytesPerSecond: median(c.values), source: "measured", jobs: c.jobs, samples: c.values.length } : { bytesPerSecond: assumed.checksum, source: "assumed", jobs: 0, samples: 0 };
  return { transfer, checksum };
}

/** The newest completed job beside the model's prediction for the data it moved. */
export function lastRun(vm: Vm, jobs: MeasuredJob[], rates: Rates): LastRun | undefined {
  let job: MeasuredJob | undefined;
  for (let i = jobs.length - 1; i >= 0 && !job; i--) if (completed(jobs[i])) job = jobs[i];
  if (!job) return undefined;
  const disks = job.disks.map((disk) => ({ disk, predictedSeconds: predictDisk(vm, disk, rates) }));
  const sum = (k: "bytesRead" | "bytesChanged" | "bytesStored") => job.disks.reduce((s, d) => s + d[k], 0);
  return {
    job,
    // Disks in parallel (DOMAIN §1.7): the slowest decides, measured and predicted alike.
    transferSeconds: Math.max(0, ...job.disks.map((d) => d.seconds)),
    predictedSeconds: Math.max(0, ...disks.map((d) => d.predictedSeconds)),
    disks,
    bytesRead: sum("bytesRead"),
    bytesChanged: sum("bytesChanged"),
    bytesStored: sum("bytesStored"),
  };
}

/**
 * Per VM: its job log summarised beside the model and, with `calibrate from-vault`, the rates
 * its timings use. VMs without a job log get an entry only when calibration was asked for (it
 * says the rates are assumed).
 */
export function measureVms(vms: Iterable<Vm>, m: Measurements, as: Assumptions): Map<string, VmMeasured> {
  const out = new Map<string, VmMeasured>();
  const base: Rates = { transfer: as.transferRateBytesPerSecond.toNumber(), checksum: as.checksumRateBytesPerSecond.toNumber(), fragmentation: as.fragmentationFactor.toNumber() };
  for (const vm of vms) {
    const jobs = m.vms.get(vm.name);
    if (!jobs && !as.calibrateFromVault) continue;
    const list = jobs ?? [];
    const calibration = as.calibrateFromVault ? calibrate(vm, list, as) : undefined;
    const rates = calibration ? { ...base, transfer: calibration.transfer.bytesPerSecond, checksum: calibration.checksum.bytesPerSecond } : base;
    const newest = list[list.length - 1];
    const errors = predictionErrors(list);
    out.set(vm.name, {
      logRead: jobs !== undefined,
      jobs: list.length,
      last: lastRun(vm, list, rates),
      ...(newest && !completed(newest) ? { lastFailure: newest } : {}),
      ...(calibration ? { calibration } : {}),
      ...(errors ? { errors } : {}),
    });
  }
  return out;
}
