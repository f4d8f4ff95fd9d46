// Public, plain-data types of the engine. The CLI and the policy model build these;
// results are what `--json` prints, so they hold only JSON-safe values.
import type { Vm } from "../model/model.js";
import type { JobPrediction } from "../plan/vault-facts.js";

export interface EngineDisk {
  name: string;
  /** Absolute path of the disk image (a raw or VHD file, or a block device). */
  image: string;
  /**
   * The image's format. Default: a VHD when the file name ends in `.vhd` and it carries a valid
   * VHD footer consistent with its size, else raw (a raw image is never resized).
   */
  format?: "raw" | "vhd";
}

export interface EngineVm {
  name: string;
  disks: EngineDisk[];
  /**
   * The policy model's VM (scripts, state, provisioning, OS, requested consistency). With it the
   * backup runs pre/post scripts around its snapshot and records the level DOMAIN §2 gives;
   * without it a point is recorded crash consistent (a bare copy of the images).
   */
  model?: Vm;
  /**
   * Azure Disk Encryption key files (absolute paths; DOMAIN §3): every point stores the BEK,
   * wrapped by the KEK when there is one. Defaults to `model.ade`.
   */
  ade?: { bek: string; kek?: string };
}

export type EngineEncryption =
  | { kind: "platform-key" }
  | { kind: "customer-key"; /** absolute path */ keyFile: string };

export interface EngineVault {
  name: string;
  /**
   * Absolute path of the vault directory; for a blob vault, the local folder beside which the
   * instant-restore snapshot tier is kept (`<path>.snapshots`).
   */
  path: string;
  /** Azure Blob Storage container URL holding the vault's objects instead of `path`. */
  blob?: string;
  encryption: EngineEncryption;
}

/**
 * How a backup found a disk's changes (DOMAIN §1.7, §4): the image's stat unchanged (nothing read); extents shared
 * with the previous point's reflink snapshot (only the other blocks read, extents.ts); every
 * block read and its checksum compared; or a full read (no previous point of the disk).
 */
export type ChangeDetection = "unchanged-file" | "extent-compare" | "block-checksum" | "full";

/**
 * The instant-restore snapshot tier of a VM's policy (DOMAIN §4, §6, §7): each backup keeps a
 * point-in-time copy of the images beside the vault for `days` days (src/engine/snapshot/snapshots.ts).
 */
export interface SnapshotTier {
  /** The policy's `instant-restore` days. */
  days: number;
  /** IANA zone: a snapshot expires at the same wall time `days` calendar days later, as `bkp plan` computes. */
  zone: string;
}

/** How a disk's snapshot was made: a reflink (shared extents), a sparse copy, or a hard link to the previous point's snapshot of an unchanged image. */
export type SnapshotMethod = "reflink" | "sparse-copy" | "link" | "delta";

/** What a backup did in the snapshot tier. */
export interface SnapshotReport {
  /** This point's snapshot folder; absent when no snapshot was kept (see skipped and warnings). */
  dir?: string;
  expiresAt?: string;
  disks: {
    disk: string;
    method: SnapshotMethod;
    /** Allocated bytes of the snapshot file (st_blocks × 512; a link or reflink shares them). */
    allocatedBytes: number;
    /** For method "link": the point whose snapshot file this one shares; for "delta": the point whose snapshot it applies on. */
    linkedFrom?: string;
  }[];
  /** Disks without a snapshot in this point, and why. */
  skipped: { disk: string; reason: string }[];
  /** Snapshots this backup deleted: expired by the policy (DOMAIN §6), or left without a point. */
  expired: { point: string; reason: string }[];
  /** The VM's snapshots after this backup, and the space they take (each file counted once). */
  live: number;
  allocatedBytes: number;
  warnings: string[];
  /**
   * Seconds the tier took beside the read: preparing the copies (reflinks, files), waiting for
   * a VHD's copy, making them durable, committing and expiring. Deltas and sparse copies that the
   * workers write while they read are part of the disks' seconds.
   */
  seconds?: number;
}

export interface ProgressEvent {
  vm: string;
  disk: string;
  phase: "backup" | "restore" | "verify";
  bytesDone: number;
  bytesTotal: number;
}

export interface CommonOptions {
  /** Called often (per few MiB) with per-disk progress; keep it cheap. */
  onProgress?: (event: ProgressEvent) => void;
  /** Clock for tests. */
  now?: () => Date;
  /** Path of the machine secret that wraps platform keys (default: $BKP_MACHINE_SECRET or ~/.config/bkp/machine.key). */
  machineKeyFile?: string;
  /** Worker threads to use (default: max(cores, disks), at most 8). */
  workers?: number;
}

export interface BackupOptions extends CommonOptions {
  /** How long a second writer waits for the vault lock before failing (default 2000 ms). */
  lockWaitMs?: number;
  /** Block size for a NEW vault (bytes, power of two, 64 KiB..16 MiB). Ignored for existing vaults. */
  blockSize?: number;
  /** Blocks per block-map page for a NEW vault (default: 256 MiB of disk); tests use small pages. */
  pageBlocks?: number;
  /** Bytes at which pack files are closed (default 64 MiB); tests use small packs. */
  packTarget?: number;
  /**
   * The instant-restore snapshot tier. Default: the model VM's policy (`instant-restore` days,
   * its zone); without a model VM, none. `false` turns it off.
   */
  instantRestore?: SnapshotTier | false;
  /** What the plan predicted for this job: kept in its job log record beside what it measured. */
  prediction?: JobPrediction;
}

/** What reading a disk (or one page of it) measured. */
export interface BackupStats {
  /** Bytes of the image actually read (0 on the unchanged-file path). */
  bytesRead: number;
  /** Bytes in blocks whose fast hash differed from the previous point (all data blocks on a full backup). */
  bytesChanged: number;
  /** Bytes of new chunks written to the vault after compression (before encryption overhead). */
  bytesStored: number;
  /** Bytes of all-zero blocks, kept as holes. */
  bytesZero: number;
  newChunks: number;
  dedupedChunks: number;
  /** Of the new chunks, those stored as deltas: the grains a block changed in, over a full chunk of an earlier point. */
  deltaChunks: number;
}

export interface DiskBackupResult extends BackupStats {
  disk: string;
  image: string;
  imageBytes: number;
  detection: ChangeDetection;
  seconds: number;
  warnings: string[];
  /**
   * Set when a previous point exists but its instant-restore snapshot of this disk is gone
   * (expired, deleted, never taken): every block was read and compared by checksum (DOMAIN §4).
   */
  detectionReason?: string;
}

export interface VmBackupResult {
  vm: string;
  vault: string;
  point: string;
  createdAt: string;
  consistency: Consistency;
  /** ADE keys stored in the point (DOMAIN §3). */
  adeKeys?: "bek+kek" | "bek";
  seconds: number;
  disks: DiskBackupResult[];
  /** The snapshot tier's part of the job (only when the VM has one). */
  snapshot?: SnapshotReport;
  /** Seconds the engine's worker threads took to start (within every read disk's seconds; absent when no disk was read). */
  workerStartSeconds?: number;
  /** Set when the job log record could not be written (BKP5076); the point is committed regardless. */
  jobLogProblem?: string;
  /** The vault's own warnings: a key file readable by others, a key file read from its copy. */
  warnings?: string[];
}

/** One pre/post script run of a backup (DOMAIN §2). */
export interface ScriptRunRecord {
  which: "pre" | "post";
  path: string;
  /** Tries made (1 + retries used); 0 when it was not run (see failure). */
  attempts: number;
  ok: boolean;
  failure?: string;
  seconds: number;
}

export interface Consistency {
  level: "application" | "file-system" | "crash";
  reason: string;
  /** The scripts that ran (or were refused) around the snapshot; absent in points written before scripts were supported. */
  scripts?: ScriptRunRecord[];
}

export interface PointSummary {
  id: string;
  vm: string;
  createdAt: string;
  consistency: Consistency;
  disks: { name: string; imageBytes: number; bytesStored: number; detection: ChangeDetection }[];
  /** Bytes newly stored by this point (after compression). */
  bytesStored: number;
  /** ADE keys the point holds (DOMAIN §3): the BEK wrapped by a KEK, or the BEK under the vault key only. */
  adeKeys?: "bek+kek" | "bek";
  /** Set while the point is in the instant-restore snapshot tier (its snapshot exists and has not expired). */
  snapshot?: { expiresAt: string; disks: string[]; /** st_blocks × 512 of its files (a file shared with another point's snapshot counts in both) */ allocatedBytes: number };
}

export interface RestoreRequest {
  vm: string;
  /** Point id, "latest", or "instant" (the newest point still in the instant-restore snapshot tier). */
  point: string;
  /** Directory to write `<disk>.img` files into (absolute). */
  toDir: string;
  overwrite?: boolean;
  /** Restore only these disks (default: all). */
  disks?: string[];
  /**
   * Where the data comes from: "auto" (default) — the point's instant-restore snapshot when it
   * has one (a damaged snapshot disk falls back to the vault, with a note), else the vault;
   * "snapshot" — only the snapshot (an error without one); "vault" — only the vault.
   */
  from?: "auto" | "snapshot" | "vault";
  /** The VM's snapshot tier, to judge expiry by the current policy (default: the expiry recorded with each snapshot). */
  instantRestore?: SnapshotTier;
}

export interface AdeKeysRequest {
  vm: string;
  /** Point id, or "latest". */
  point: string;
  /** Folder the BEK is written into (mode 0600). */
  toDir: string;
  /** The KEK file; required when the point's BEK is KEK-wrapped. */
  kekFile?: string;
  overwrite?: boolean;
}

export interface AdeKeysResult {
  vm: string;
  point: string;
  /** The written BEK file. */
  path: string;
  bytes: number;
  wrap: "kek" | "vault-key";
}

export interface DiskRestoreResult {
  disk: string;
  path: string;
  ok: boolean;
  imageBytes: number;
  bytesWritten: number;
  seconds: number;
  /** Where the bytes came from: the point's instant-restore snapshot, or the vault. */
  from?: "snapshot" | "vault";
  /** E.g. why a damaged snapshot was passed over for the vault. */
  note?: string;
  /** Set when this disk failed; other disks are still restored. */
  error?: { code: string; message: string };
}

export interface RestoreResult {
  vm: string;
  point: string;
  ok: boolean;
  seconds: number;
  disks: DiskRestoreResult[];
}

/** Options of the vault's readers (restore, verify): they wait for a running prune, not for backups. */
export interface ReaderOptions extends CommonOptions {
  /** How long to wait while a prune holds the vault before failing with BKP5010 (default 2000 ms). */
  lockWaitMs?: number;
}

export interface VerifyOptions extends ReaderOptions {
  /** Also read every chunk, and every block of every live instant-restore snapshot. */
  readData?: boolean;
  /** Write damaged chunks found to the vault's damage record (default true; `repair --dry-run` writes nothing). */
  recordDamage?: boolean;
  /** Per VM name, its snapshot tier, to judge snapshot expiry by the current policy (default: the expiry recorded with each snapshot). */
  instantRestore?: ReadonlyMap<string, SnapshotTier>;
}

/** A problem of one instant-restore snapshot: restores use the vault instead; the vault is not affected. */
export interface SnapshotProblem {
  /** BKP5071 (snapshot damaged) or BKP5073 (its folder cannot be read). */
  code: string;
  /** The disk concerned; absent when the whole snapshot is (its record, its point). */
  disk?: string;
  /** With readData: the disk byte offset of the first block that differs from the point. */
  offset?: number;
  message: string;
}

/** verify's finding for one live (not expired) snapshot beside the vault. */
export interface SnapshotCheck {
  vm: string;
  /** The point id, or "(all)" when the VM's snapshot folder cannot be read. */
  point: string;
  dir: string;
  ok: boolean;
  /** Disks whose copy was checked: present with its size, and with readData every block. */
  disks: string[];
  problems: SnapshotProblem[];
}

export interface Damage {
  /** What is damaged: an object of the vault. */
  kind: "manifest" | "block-map" | "chunk" | "pack" | "index" | "key" | "config";
  object: string;
  problem: string;
  /** Recovery points and their disks that cannot be fully restored because of it. */
  affects: { vm: string; point: string; disks: string[] }[];
}

export interface VerifyResult {
  vault: string;
  ok: boolean;
  readData: boolean;
  points: number;
  chunksChecked: number;
  bytesChecked: number;
  seconds: number;
  damage: Damage[];
  /** Not damage: leftovers of interrupted backups, reclaimable later; expired snapshots not yet deleted. */
  notes: string[];
  /** The live instant-restore snapshots beside the vault, oldest first per VM. `ok` above is the vault's alone. */
  snapshots: SnapshotCheck[];
  /** No live snapshot has a problem (a damaged one is BKP5071: restore uses the vault for it). */
  snapshotsOk: boolean;
  /** Bytes of snapshot files read and compared with their points (readData). */
  snapshotBytesChecked: number;
}

export interface RepairOptions extends ReaderOptions {
  /** Report what would be done; write and delete nothing. */
  dryRun?: boolean;
  /** Also delete what cannot be repaired and only stands in the way (an index of a missing pack, a pack whose chunks are unknown). */
  force?: boolean;
}

export interface RepairResult {
  vault: string;
  dryRun: boolean;
  /** What was put back (or, with dryRun, would be: done false). */
  actions: { what: string; object: string; done: boolean }[];
  /** Damage repair could not fix, and what would. */
  left: string[];
  /** Recovery point disks that cannot be restored after the repair, and why. */
  unrestorable: { vm: string; point: string; disks: string[]; why: string }[];
  /** The vault verifies clean after the repair. */
  ok: boolean;
  seconds: number;
}
