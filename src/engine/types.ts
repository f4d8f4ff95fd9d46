// Public, plain-data types of the engine. The CLI and the policy model build these;
// results are what `--json` prints, so they hold only JSON-safe values.
import type { Vm } from "../model/model.js";

export interface EngineDisk {
  name: string;
  /** Absolute path of the raw disk image. */
  image: string;
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
  /** Absolute path of the vault directory. */
  path: string;
  encryption: EngineEncryption;
}

/** How a disk's changes were found (DOMAIN §1.7, §4). */
export type ChangeDetection = "unchanged-file" | "block-checksum" | "full";

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
}

export interface DiskBackupResult {
  disk: string;
  image: string;
  imageBytes: number;
  detection: ChangeDetection;
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
  seconds: number;
  warnings: string[];
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
}

export interface RestoreRequest {
  vm: string;
  /** Point id, or "latest". */
  point: string;
  /** Directory to write `<disk>.img` files into (absolute). */
  toDir: string;
  overwrite?: boolean;
  /** Restore only these disks (default: all). */
  disks?: string[];
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

export interface VerifyOptions extends CommonOptions {
  readData?: boolean;
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
  /** Not damage: leftovers of interrupted backups, reclaimable later. */
  notes: string[];
}
