// The local engine's timing model: what `bkp backup` will really do for a VM with disk images,
// learned from the VM's own job log (measured.ts) so it follows the engine as it changes.
//
// Per disk, the change-detection path the engine will take (the job log records it per disk):
//   no point of the disk yet (first backup, added disk)  full: every block read, its data stored
//   instant-restore snapshot gone (checksum comparison)  the path the engine took last time that
//                                                        happened, else block-checksum
//   image predicted unchanged (no churn)                 unchanged-file: a stat, nothing read
//   image changed                                        the path the engine last took for a
//                                                        changed image, else block-checksum
// and its seconds:
//   full           nonzero / transfer
//   unchanged-file 0
//   any other path image × share(path) / read-rate(path) + changed × stored-share / stored-rate
//   job            = overhead + the sum over its disks (the disks share the engine's pool of
//                    worker threads, page by page, so their work adds up; no agent, no lag)
//                    + the workers' start when it reads (measured per job, paid once: two disks
//                    do not start the pool twice)
// transfer  = median over full jobs of Σ changed / read phase (the slowest disk's seconds)
// stored-rate = the same jobs' Σ stored / read phase: what a changed block costs is what is
//             compressed, encrypted and written of it, and an incremental stores much less per
//             changed byte than a full backup (a block that changed in a few 64 KiB grains is
//             stored as a delta of those grains)
// stored-share = median bytes stored / bytes changed of the disk's incrementals (else of its
//             full backups)
// read-rate = median over the path's jobs of Σ read / (read phase − Σ stored / stored-rate)
// share     = median bytes read / image bytes of the path's disk backups (1 for block-checksum);
//             for extent-compare, which reads only the changed blocks, bytes read / bytes changed
// overhead  = base + per-byte × nonzero data of the images the job reads, where base = median
//             (job seconds − read phase) of jobs that read nothing (vault, index, commit) and
//             per-byte = median of (job seconds − read phase − base) / that data over jobs that
//             read (the instant-restore snapshot copies each changed image while it is read)
// changed   = churn per day × days since the previous backup, at most the disk's nonzero data;
//             churn is the disk's measured median (bytes changed per day between jobs) when the
//             disk declares none or `calibrate from-vault` is on, else the declared churn (the
//             assumed `churn N%` of a disk that declares none is a share of its nonzero data).
// Rates and overhead are measured only with `calibrate from-vault` (else the assumed rates, no
// overhead); image sizes and the stored share always come from the images and the job log,
// never from `used`.
import type { Assumptions, Disk, Vm } from "../model/model.js";
import { backedUpDisks } from "../plan/compile.js";
import type { DiskTask, Job } from "../plan/types.js";
import type { DetectionPath } from "../plan/vault-facts.js";
import { CALIBRATION_JOBS, completed, median, type MeasuredDisk, type MeasuredJob, type RateSource } from "./measured.js";

const DAY_MS = 86_400_000;

/** A disk's image as the CLI found it (a stat, no bytes read). */
export interface ImageFacts {
  disk: string;
  /** The image's size (a raw image's length). */
  bytes: number;
  /** Allocated bytes (st_blocks × 512, at most the size): the data of a sparse image. */
  allocatedBytes: number;
}

export interface EngineDiskPrediction {
  detection: DetectionPath;
  bytesRead: number;
  bytesChanged: number;
  seconds: number;
}

export interface ChurnSource {
  bytesPerDay: number;
  source: "measured" | "declared" | "assumed";
  samples: number;
}

/** What the engine model knows of one VM, learned once and used for each of its jobs. */
export interface EngineFacts {
  transfer: RateSource;
  /** Stored (compressed) bytes per second of full backups: what sending a changed block costs. */
  stored: RateSource;
  /** Per detection path (other than full and unchanged-file): its read rate. */
  read: Map<string, RateSource>;
  share: Map<string, number>;
  /** Seconds beyond the read phase: a base (jobs that read nothing) and, for jobs that read, per byte of the read images' nonzero data; undefined when not measured. */
  overhead: { none?: number; perReadByte?: number; /** The worker threads' start, once per job that reads. */ workerStart?: number; jobs: number };
  disks: Map<string, { bytes: number; nonZero: number; nonZeroSource: string; churn: ChurnSource; changedPath?: string; forcedPath?: string; storedShare: number }>;
}

const isReadPath = (p: string) => p !== "full" && p !== "unchanged-file";
/** A path that reads only what changed (extent comparison on a copy-on-write file system). */
const readsChanged = (p: string) => p === "extent-compare";

/** Samples, newest job first, of at most CALIBRATION_JOBS jobs. */
function samples(jobs: MeasuredJob[], f: (d: MeasuredDisk, j: MeasuredJob, i: number) => number | undefined): { values: number[]; jobs: number } {
  const values: number[] = [];
  let used = 0;
  for (let i = jobs.length - 1; i >= 0 && used < CALIBRATION_JOBS; i--) {
    if (!completed(jobs[i])) continue;
    const vs = jobs[i].disks.map((d) => f(d, jobs[i], i)).filter((v): v is number => v !== undefined && Number.isFinite(v) && v >= 0);
    if (!vs.length) continue;
    values.push(...vs);
    used++;
  }
  return { values, jobs: used };
}

function rate(s: { values: number[]; jobs: number }, assumed: number): RateSource {
  const pos = s.values.filter((v) => v > 0);
  return pos.length ? { bytesPerSecond: median(pos), source: "measured", jobs: s.jobs, samples: pos.length } : { bytesPerSecond: assumed, source: "assumed", jobs: 0, samples: 0 };
}

/** The previous completed job before index i (for the days between them). */
function previousCompleted(jobs: MeasuredJob[], i: number): MeasuredJob | undefined {
  for (let k = i - 1; k >= 0; k--) if (completed(jobs[k])) return jobs[k];
  return undefined;
}

/** The newest path the engine took for a disk, among its read paths, with or without a forced checksum comparison. */
function lastPath(jobs: MeasuredJob[], disk: string, forced: boolean): string | undefined {
  for (let i = jobs.length - 1; i >= 0; i--) {
    if (!completed(jobs[i])) continue;
    const d = jobs[i].disks.find((x) => x.name === disk);
    if (d && isReadPath(d.detection) && Boolean(d.detectionReason) === forced && (forced || d.bytesChanged > 0)) return d.detection;
  }
  return undefined;
}

function churnOf(disk: Disk, jobs: MeasuredJob[], as: Assumptions, nonZero: number): ChurnSource {
  // The assumed churn as a share of used data applies to the image's real data, not the declared `used`.
  const assumed = as.defaultChurn.kind === "percent" ? (as.defaultChurn.percent.toNumber() / 100) * nonZero : disk.churnBytesPerDay.toNumber();
  const declared: ChurnSource = disk.churnAssumed ? { bytesPerDay: assumed, source: "assumed", samples: 0 } : { bytesPerDay: disk.churnBytesPerDay.toNumber(), source: "declared", samples: 0 };
  if (!disk.churnAssumed && !as.calibrateFromVault) return declared;
  const s = samples(jobs, (d, j, i) => {
    if (d.name !== disk.name || d.detection === "full") return undefined;
    const prev = previousCompleted(jobs, i);
    const days = prev ? (Date.parse(j.startedAt) - Date.parse(prev.startedAt)) / DAY_MS : Number.NaN;
    return days > 0 ? d.bytesChanged / days : undefined;
  });
  return s.values.length ? { bytesPerDay: median(s.values), source: "measured", samples: s.values.length } : declared;
}

/** The nonzero data of a disk: what the engine measured last time it read the whole image, else the image's allocated bytes. */
function nonZeroOf(disk: string, jobs: MeasuredJob[], image: ImageFacts | undefined): { bytes: number; nonZero: number; source: string } {
  for (let i = jobs.length - 1; i >= 0; i--) {
    const d = completed(jobs[i]) ? jobs[i].disks.find((x) => x.name === disk) : undefined;
    // A whole image read: every block read or known zero (a sparse image's holes are not read).
    if (d && d.detection !== "unchanged-file" && d.bytesZero !== undefined && d.bytesRead + d.bytesZero >= d.imageBytes) return { bytes: image?.bytes ?? d.imageBytes, nonZero: d.imageBytes - d.bytesZero, source: `job ${jobs[i].seq}` };
  }
  return { bytes: image?.bytes ?? 0, nonZero: image ? Math.min(image.allocatedBytes, image.bytes) : 0, source: image ? "the image's allocated blocks" : "no image" };
}

/** Learns the engine model of a VM from its job log (oldest first) and its images. */
export function learnEngine(vm: Vm, jobs: MeasuredJob[], images: readonly ImageFacts[], as: Assumptions): EngineFacts {
  const disks = backedUpDisks(vm);
  const cal = as.calibrateFromVault;
  const use = cal ? jobs : [];
  // The engine's disks share one pool of workers: a job's rates are its disks' bytes over its
  // read phase (the slowest disk's seconds, less the worker threads' start, which a job pays
  // once however many disks it reads), one sample per job.
  const readDisks = (j: MeasuredJob) => j.disks.filter((d) => d.detection !== "unchanged-file");
  const rawPhase = (j: MeasuredJob) => Math.max(0, ...j.disks.map((d) => d.seconds));
  const phase = (j: MeasuredJob) => Math.max(0, rawPhase(j) - (j.workerStartSeconds ?? 0));
  const sum = (ds: MeasuredDisk[], k: "bytesRead" | "bytesChanged" | "bytesStored") => ds.reduce((s, d) => s + d[k], 0);
  const perJob = (f: (j: MeasuredJob, ds: MeasuredDisk[]) => number | undefined) =>
    samples(use, (d, j) => (d === j.disks[0] ? f(j, readDisks(j)) : undefined));
  /** One sample per full job (every disk read in full, some data, a read phase). */
  const fullJobs = (f: (j: MeasuredJob, ds: MeasuredDisk[]) => number) =>
    perJob((j, ds) => (ds.length && ds.every((d) => d.detection === "full") && sum(ds, "bytesChanged") > 0 && phase(j) > 0 ? f(j, ds) : undefined));
  const transfer = rate(fullJobs((j, ds) => sum(ds, "bytesChanged") / phase(j)), as.transferRateBytesPerSecond.toNumber());
  // Stored bytes per second of the same jobs; assumed: the transfer rate (nothing saved).
  const stored = rate(fullJobs((j, ds) => sum(ds, "bytesStored") / phase(j)), transfer.bytesPerSecond);
  // The share stored is a fact of the disk's data (how it compresses, how its writes fall in
  // grains), like its churn: learned from the job log whether or not the rates are calibrated.
  const fullShare = samples(jobs, (d) => (d.detection === "full" && d.bytesChanged > 0 ? d.bytesStored / d.bytesChanged : undefined));
  const storedShareOf = (disk: string) => {
    const s = samples(jobs, (d) => (d.name === disk && isReadPath(d.detection) && d.bytesChanged > 0 ? d.bytesStored / d.bytesChanged : undefined));
    return s.values.length ? median(s.values) : fullShare.values.length ? median(fullShare.values) : 1;
  };
  const paths = new Set<string>(["block-checksum"]);
  for (const j of jobs) for (const d of j.disks) if (isReadPath(d.detection)) paths.add(d.detection);
  const read = new Map<string, RateSource>();
  const share = new Map<string, number>();
  const checksum = as.checksumRateBytesPerSecond.toNumber();
  for (const p of paths) {
    const r = perJob((j, ds) => {
      if (!ds.length || !ds.every((d) => d.detection === p) || sum(ds, "bytesRead") <= 0) return undefined;
      const scan = phase(j) - sum(ds, "bytesStored") / stored.bytesPerSecond;
      return scan > 0 ? sum(ds, "bytesRead") / scan : undefined;
    });
    read.set(p, rate(r, read.get("block-checksum")?.bytesPerSecond ?? checksum));
    // Extent comparison reads the changed blocks (and their batch neighbours): its share is of the
    // changed bytes; the other paths read a share of the image.
    const sh = samples(jobs, (d) =>
      d.detection !== p ? undefined : readsChanged(p) ? (d.bytesChanged > 0 ? d.bytesRead / d.bytesChanged : undefined) : d.imageBytes > 0 ? d.bytesRead / d.imageBytes : undefined,
    );
    share.set(p, sh.values.length ? median(sh.values) : 1);
  }
  // Overhead: jobs that read nothing pay a base (vault, index, commit); jobs that read pay more
  // in proportion to the data of the images they read (the snapshot tier copies each changed
  // image while it is read), learned per byte of that data.
  const nonZeroRead = (j: MeasuredJob) => readDisks(j).reduce((s, d) => s + Math.max(0, d.imageBytes - (d.bytesZero ?? 0)), 0);
  const over = (reads: boolean) => {
    const xs: { o: number; nz: number }[] = [];
    for (let i = use.length - 1; i >= 0 && xs.length < CALIBRATION_JOBS; i--) {
      const j = use[i];
      if (completed(j) && j.disks.length && j.disks.some((d) => d.bytesRead > 0) === reads) xs.push({ o: Math.max(0, j.seconds - rawPhase(j)), nz: nonZeroRead(j) });
    }
    return xs;
  };
  const oNone = over(false);
  const base = oNone.length ? median(oNone.map((x) => x.o)) : undefined;
  const oRead = over(true).filter((x) => x.nz > 0);
  const starts = perJob((j, ds) => (j.workerStartSeconds !== undefined && ds.some((x) => x.bytesRead > 0) ? j.workerStartSeconds : undefined));
  const perByte = oRead.length ? median(oRead.map((x) => Math.max(0, x.o - (base ?? 0)) / x.nz)) : undefined;
  const out = new Map<string, EngineFacts["disks"] extends Map<string, infer V> ? V : never>();
  for (const d of disks) {
    const img = images.find((x) => x.disk === d.name);
    const nz = nonZeroOf(d.name, jobs, img);
    out.set(d.name, {
      bytes: nz.bytes,
      nonZero: nz.nonZero,
      nonZeroSource: nz.source,
      churn: churnOf(d, jobs, as, nz.nonZero),
      changedPath: lastPath(jobs, d.name, false),
      forcedPath: lastPath(jobs, d.name, true),
      storedShare: storedShareOf(d.name),
    });
  }
  return {
    transfer,
    stored,
    read,
    share,
    overhead: {
      ...(base !== undefined ? { none: base } : {}),
      ...(perByte !== undefined ? { perReadByte: perByte } : {}),
      ...(starts.values.length ? { workerStart: median(starts.values) } : {}),
      jobs: oRead.length + oNone.length,
    },
    disks: out,
  };
}

/** The engine's path, bytes and seconds for one disk task of a job. */
export function predictEngineDisk(f: EngineFacts, task: DiskTask, gapMs: number): EngineDiskPrediction {
  const d = f.disks.get(task.disk.name);
  if (!d) return { detection: "no-image", bytesRead: 0, bytesChanged: 0, seconds: 0 };
  const transfer = f.transfer.bytesPerSecond;
  if (task.kind === "initial") return { detection: "full", bytesRead: d.bytes, bytesChanged: d.nonZero, seconds: d.nonZero / transfer };
  const days = Number.isFinite(gapMs) ? gapMs / DAY_MS : 0;
  const changed = Math.min(d.churn.bytesPerDay * days, d.nonZero);
  const forced = task.kind === "checksum-comparison";
  if (!forced && changed <= 0) return { detection: "unchanged-file", bytesRead: 0, bytesChanged: 0, seconds: 0 };
  const path = (forced ? d.forcedPath : d.changedPath) ?? "block-checksum";
  const bytesRead = Math.min(d.bytes, (readsChanged(path) ? changed : d.bytes) * (f.share.get(path) ?? 1));
  const r = f.read.get(path)?.bytesPerSecond ?? f.read.get("block-checksum")!.bytesPerSecond;
  return { detection: path, bytesRead, bytesChanged: changed, seconds: bytesRead / r + (changed * d.storedShare) / f.stored.bytesPerSecond };
}

/** The job's seconds beyond its read phase, for the nonzero data of the images it reads (0: it reads none). */
export function engineOverhead(f: EngineFacts, readNonZero: number): number {
  const base = f.overhead.none ?? 0;
  return readNonZero > 0 ? base + (f.overhead.workerStart ?? 0) + (f.overhead.perReadByte ?? 0) * readNonZero : base;
}

/** The nonzero data of the images a job's predicted disks read. */
export function readNonZero(f: EngineFacts, disks: readonly { name: string; bytesRead: number }[]): number {
  return disks.reduce((s, d) => s + (d.bytesRead > 0 ? (f.disks.get(d.name)?.nonZero ?? 0) : 0), 0);
}

/** Whether the engine model applies to a job of this VM: some backed-up disk has a local image. */
export function hasImages(job: Pick<Job, "tasks">): boolean {
  return job.tasks.some((t) => t.disk.image !== undefined);
}
