// The job log: what each backup job of a VM measured (bytes scanned, changed, stored, seconds
// per disk), kept in the vault so `bkp jobs` can show the history and `bkp plan` can set its
// predictions beside real runs (and calibrate its rates from them, `assume { calibrate
// from-vault }`). One small sealed object per job under `jobs/<vm-folder>/<seq>`, through the
// Storage interface like everything else in a vault; at most JOB_LOG_KEEP records per VM (older
// ones are dropped when a job is appended). Records reveal sizes, so they are encrypted like
// manifests (the object name is the AAD) and VM names stay keyed hashes.
import { EngineError, ErrorCodes, describe, errnoCode, vaultWriteError } from "./errors.js";
import { openObject, sealObject } from "./vault/crypto.js";
import type { VaultKeys } from "./vault/crypto.js";
import { vmFolder } from "./vault/manifest.js";
import type { Storage } from "./vault/storage.js";
import { openVault } from "./vault/vault.js";
import type { ChangeDetection, CommonOptions, Consistency, EngineVault, SnapshotMethod, VmBackupResult } from "./types.js";
import type { JobPrediction } from "../plan/vault-facts.js";

/** Records kept per VM; appending drops the oldest beyond this. */
export const JOB_LOG_KEEP = 100;

/**
 * Azure reports a backup job as Completed, CompletedWithWarnings or Failed; so does the log.
 * Warnings: a disk image was modified while it was read.
 */
export type JobStatus = "completed" | "completed-with-warnings" | "failed";

export interface JobDiskRecord {
  name: string;
  detection: ChangeDetection;
  /** Bytes of the disk (a VHD's virtual size). */
  imageBytes: number;
  /** Bytes read (scanned); 0 when the image was unchanged and not read. */
  bytesRead: number;
  /** Bytes in changed blocks (all data blocks on a full backup). */
  bytesChanged: number;
  /** Bytes newly stored after compression. */
  bytesStored: number;
  /** Bytes of all-zero blocks (holes). */
  bytesZero: number;
  /** Seconds this disk took (disks run in parallel). */
  seconds: number;
  /** Why every block was read and compared (the instant-restore snapshot was gone, DOMAIN §4). */
  detectionReason?: string;
  /** The disk's instant-restore snapshot in this point: how it was made and the space it took. */
  snapshot?: { method: SnapshotMethod; allocatedBytes: number };
}

export interface JobRecord {
  format: "bkp-job";
  version: 1;
  /** Per-VM sequence number: the record's place in the log (also its object name). */
  seq: number;
  vm: string;
  vault: string;
  status: JobStatus;
  /** The recovery point written; absent for a failed job. */
  point?: string;
  /** UTC ISO instants; the start is the point's `createdAt`. */
  startedAt: string;
  finishedAt: string;
  /** The whole job: vault open, scripts, read, write, commit. */
  seconds: number;
  /** Of those, the instant-restore tier's own seconds beside the read (SnapshotReport.seconds). */
  snapshotSeconds?: number;
  /** Of the disks' seconds, the worker threads' start (paid once per job that reads). */
  workerStartSeconds?: number;
  consistency?: Pick<Consistency, "level" | "reason">;
  disks: JobDiskRecord[];
  warnings?: string[];
  error?: { code: string; message: string };
  /** What the plan predicted for this job (bkp backup and bkp run record it), to compare with what it measured. */
  predicted?: JobPrediction;
  /** "restore" for a VM's part of a restore drill (`bkp restore --plan`); absent for a backup. */
  kind?: "restore";
  /** A restore drill's record: the storage account the VM went into, and the account's predicted and measured seconds. */
  restore?: RestoreRecord;
}

export interface RestoreRecord {
  plan: string;
  account: string;
  /** The account's queue, as the analysis predicts it and as it took (its VMs one after another). */
  accountPredictedSeconds: number;
  accountSeconds: number;
  disks: { name: string; bytes: number; from?: "snapshot" | "vault"; ok: boolean }[];
}

export type NewJobRecord = Omit<JobRecord, "format" | "version" | "seq">;

export interface JobRecordProblem {
  object: string;
  code: typeof ErrorCodes.JOB_RECORD_DAMAGED;
  problem: string;
}

export interface JobLogRead {
  vm: string;
  /** Oldest first. */
  records: JobRecord[];
  /** Records that could not be read (damaged, or sealed under another name); reported, never fatal. */
  problems: JobRecordProblem[];
}

const SEQ_DIGITS = 10;
export const jobFolderName = (nameKey: Uint8Array, vm: string) => `jobs/${vmFolder(nameKey, vm)}`;
export const jobObjectName = (folder: string, seq: number) => `${folder}/${String(seq).padStart(SEQ_DIGITS, "0")}`;

function seqOfName(name: string): number | undefined {
  const m = /\/(\d{10})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The record of a backup that committed its point. */
export function completedJobRecord(r: VmBackupResult, startedAt: Date, predicted?: JobPrediction): NewJobRecord {
  const warnings = r.disks.flatMap((d) => d.warnings.map((w) => `disk "${d.disk}": ${w}`));
  return {
    vm: r.vm,
    vault: r.vault,
    status: warnings.length ? "completed-with-warnings" : "completed",
    point: r.point,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + Math.round(r.seconds * 1000)).toISOString(),
    seconds: r.seconds,
    consistency: { level: r.consistency.level, reason: r.consistency.reason },
    disks: r.disks.map((d) => ({
      name: d.disk,
      detection: d.detection,
      imageBytes: d.imageBytes,
      bytesRead: d.bytesRead,
      bytesChanged: d.bytesChanged,
      bytesStored: d.bytesStored,
      bytesZero: d.bytesZero,
      seconds: d.seconds,
      ...(d.detectionReason ? { detectionReason: d.detectionReason } : {}),
      ...snapshotOf(r, d.disk),
    })),
    ...(r.snapshot?.seconds !== undefined ? { snapshotSeconds: r.snapshot.seconds } : {}),
    ...(r.workerStartSeconds !== undefined ? { workerStartSeconds: r.workerStartSeconds } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(predicted ? { predicted } : {}),
  };
}

function snapshotOf(r: VmBackupResult, disk: string): Pick<JobDiskRecord, "snapshot"> {
  const d = r.snapshot?.disks.find((x) => x.disk === disk);
  return d ? { snapshot: { method: d.method, allocatedBytes: d.allocatedBytes } } : {};
}

/** The code a failed job is recorded with: the engine's, or what a raw I/O error becomes. */
export function failureCode(e: unknown): string {
  if (e instanceof EngineError) return e.code;
  const code = errnoCode(e);
  if (code === "ENOSPC" || code === "EDQUOT" || code === "EACCES" || code === "EROFS") return vaultWriteError(e, "").code;
  return ErrorCodes.INTERNAL;
}

/** The record of a backup that failed after its vault was opened: no point was written. */
export function failedJobRecord(vm: string, vault: string, startedAt: Date, seconds: number, e: unknown, predicted?: JobPrediction): NewJobRecord {
  return {
    vm,
    vault,
    status: "failed",
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(startedAt.getTime() + Math.round(seconds * 1000)).toISOString(),
    seconds,
    disks: [],
    error: { code: failureCode(e), message: describe(e) },
    ...(predicted ? { predicted } : {}),
  };
}

/**
 * Appends a record to the VM's log and drops the oldest beyond `keep`. The caller holds the
 * vault's writer lock (a backup does), so sequence numbers do not collide.
 */
export async function appendJobRecord(storage: Storage, keys: Pick<VaultKeys, "enc" | "name">, rec: NewJobRecord, keep = JOB_LOG_KEEP): Promise<JobRecord> {
  const folder = jobFolderName(keys.name, rec.vm);
  const names = (await storage.list(folder)).filter((n) => seqOfName(n) !== undefined);
  const seqs = names.map((n) => seqOfName(n) ?? 0);
  const seq = (seqs.length ? Math.max(...seqs) : 0) + 1;
  const full: JobRecord = { format: "bkp-job", version: 1, seq, ...rec };
  const name = jobObjectName(folder, seq);
  await storage.put(name, sealObject(keys.enc, name, Buffer.from(JSON.stringify(full))));
  // Bounded: the oldest go once the log is full (names sort in sequence order).
  const all = [...names, name].sort();
  for (const old of all.slice(0, Math.max(0, all.length - Math.max(1, keep)))) await storage.delete(old);
  return full;
}

export function parseJobRecord(enc: Uint8Array, name: string, raw: Uint8Array): JobRecord {
  const r = JSON.parse(openObject(enc, name, raw).toString("utf8")) as JobRecord;
  if (r.format !== "bkp-job" || r.version !== 1) throw new Error(`unsupported job record format ${String(r.format)} v${String(r.version)}`);
  if (seqOfName(name) !== r.seq) throw new Error("the record names another job");
  if (!Array.isArray(r.disks) || typeof r.startedAt !== "string") throw new Error("the record lacks its figures");
  return r;
}

/** Reads a VM's log from an open vault: the last `limit` records (default all), oldest first. */
export async function readJobRecords(storage: Storage, keys: Pick<VaultKeys, "enc" | "name">, vm: string, opts: { limit?: number } = {}): Promise<JobLogRead> {
  let names = (await storage.list(jobFolderName(keys.name, vm))).filter((n) => seqOfName(n) !== undefined);
  if (opts.limit !== undefined) names = names.slice(Math.max(0, names.length - opts.limit));
  const out: JobLogRead = { vm, records: [], problems: [] };
  for (const name of names) {
    try {
      out.records.push(parseJobRecord(keys.enc, name, await storage.get(name)));
    } catch (e) {
      // Deleted between list and get (a concurrent append trimmed it): not a problem.
      if (errnoCode(e) === "ENOENT") continue;
      out.problems.push({ object: name, code: ErrorCodes.JOB_RECORD_DAMAGED, problem: `job record ${name} cannot be read: ${describe(e)}` });
    }
  }
  return out;
}

/**
 * The job logs of some VMs of one vault (opened once, read-only, no lock: records are written
 * whole and atomically). A vault that does not exist yet fails with VAULT_MISSING (BKP5011).
 */
export async function readJobLogs(vault: EngineVault, vms: readonly string[], opts: CommonOptions & { limit?: number } = {}): Promise<JobLogRead[]> {
  const v = await openVault(vault, { create: false, now: new Date(), machineKeyFile: opts.machineKeyFile });
  const out: JobLogRead[] = [];
  for (const vm of vms) out.push(await readJobRecords(v.storage, v.keys, vm, { limit: opts.limit }));
  return out;
}

export async function readJobLog(vault: EngineVault, vm: string, opts: CommonOptions & { limit?: number } = {}): Promise<JobLogRead> {
  return (await readJobLogs(vault, [vm], opts))[0];
}

/**
 * Appends a record, best effort: the job log never fails a backup (its point is committed, or
 * it has already failed). Returns the problem when the record could not be written.
 */
export async function logJob(storage: Storage, keys: Pick<VaultKeys, "enc" | "name">, rec: NewJobRecord): Promise<string | undefined> {
  try {
    await appendJobRecord(storage, keys, rec);
    return undefined;
  } catch (e) {
    return `error[${ErrorCodes.JOB_LOG_WRITE}]: the job log record could not be written (${describe(e)}); the job's result is not in \`bkp jobs\``;
  }
}
