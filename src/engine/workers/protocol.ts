// Messages between the engine's main thread and its worker threads (plain, cloneable data).
import type { SerializedError } from "../errors.js";
import type { BackupStats } from "../types.js";

export interface WorkerInit {
  vaultPath: string;
  /** A blob vault's container URL (credentials come from the environment the worker inherits). */
  blob?: string;
  keys: { chunkId: Uint8Array; mapId: Uint8Array; name: Uint8Array; enc: Uint8Array };
  blockSize: number;
  packTarget: number;
}

export interface BackupTask {
  type: "backup";
  key: string;
  image: string;
  imageBytes: number;
  firstBlock: number;
  count: number;
  /** Block map page of the previous point covering the same blocks. */
  prevMap?: string;
  /**
   * Set when the image is a VHD: blocks are read from its virtual disk (imageBytes is the
   * virtual size) and unallocated VHD blocks are holes, never read.
   */
  vhd?: { kind: "fixed" | "dynamic"; virtualSize: number; footer: Uint8Array; blockSize: number; bat: Uint32Array; bitmapSize: number };
  /** Where to write the point's instant-restore snapshot of a raw image while reading it (snapshots.ts prepareSnapshot). */
  snap?: SnapshotTarget;
  /**
   * Extent comparison (extents.ts): per block of the page, 1 when the block shares its extents
   * with the previous point's reflink snapshot — unchanged, its previous entry is kept unread.
   */
  shared?: Uint8Array;
  /** Per block of the page, 1 when the raw image holds no data there (a hole, extents.ts): zeros, not read. */
  holes?: Uint8Array;
}

/** A raw disk's snapshot files, written by the backup workers (snapshot-chain.ts). */
export interface SnapshotTarget {
  /** The full sparse copy, or (with `set`) the delta file; sized as the image. */
  file: string;
  /** Grain checksums of the whole image. */
  sums: string;
  /** Delta only: the bitmap of grains written to `file`, and the parent snapshot's grain checksums. */
  set?: string;
  prevSums?: string;
}

/** A page's block map object and what reading the page measured. */
export interface BackupTaskResult extends BackupStats {
  map: string;
}

export interface RestoreTask {
  type: "restore";
  key: string;
  map: string;
  /** File to write into (already created at its final size). */
  file: string;
  imageBytes: number;
  firstBlock: number;
}

export interface RestoreTaskResult {
  bytesWritten: number;
}

export interface WireLoc {
  pack: string;
  offset: number;
  length: number;
  rawLength: number;
  codec: number;
}

export interface VerifyPackTask {
  type: "verify-pack";
  key: string;
  pack: string;
  chunks: (WireLoc & { id: string })[];
}

export interface VerifyPackResult {
  bad: { id: string; problem: string }[];
  bytes: number;
}

export type Task = BackupTask | RestoreTask | VerifyPackTask;

export type ToWorker =
  | { type: "task"; task: Task }
  | { type: "reply"; reqId: number; result: unknown }
  | { type: "finish" };

export type FromWorker =
  | { type: "ready" }
  | { type: "request"; reqId: number; op: "claim" | "reuse" | "intact" | "locate"; ids: string[] }
  | { type: "progress"; key: string; bytes: number }
  | { type: "pack"; pack: string; size: number; chunks: (WireLoc & { id: string })[] }
  | { type: "done"; result: unknown }
  | { type: "finished" }
  | { type: "error"; error: SerializedError };
