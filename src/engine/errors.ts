// Errors a user can cause carry a stable code and a message that says what is wrong, why,
// and what to do; the CLI prints them without a stack trace.

export const ErrorCodes = {
  IMAGE_MISSING: "BKP5001",
  IMAGE_NOT_FILE: "BKP5002",
  IMAGE_SIZE_CHANGED: "BKP5003",
  IMAGE_READ: "BKP5004",
  LOCK_HELD: "BKP5010",
  VAULT_MISSING: "BKP5011",
  VAULT_FORMAT: "BKP5012",
  /** The folder holds vault objects but its config is gone: damage, never a new vault (`bkp repair`). */
  CONFIG_MISSING: "BKP5013",
  /** The vault's config does not parse or lacks its fields (`bkp repair` restores it from its sealed copy). */
  CONFIG_DAMAGED: "BKP5014",
  KEY_MISSING: "BKP5020",
  KEY_INVALID: "BKP5021",
  KEY_WRONG: "BKP5022",
  ENCRYPTION_MISMATCH: "BKP5023",
  /** An ADE BEK/KEK file named by the VM cannot be read at backup (DOMAIN §3). */
  ADE_KEY_FILE: "BKP5024",
  /** The given KEK does not unwrap the point's BEK. */
  ADE_KEK_WRONG: "BKP5025",
  /** The point's BEK is KEK-wrapped and no readable KEK was given. */
  ADE_KEK_NEEDED: "BKP5026",
  /** Keys were asked for, but the point holds no ADE keys. */
  ADE_NO_KEYS: "BKP5027",
  /** The vault's key file is damaged (not the wrong secret): its copy, or `bkp repair`, restores it. */
  KEY_FILE_DAMAGED: "BKP5028",
  DISK_FULL: "BKP5030",
  VAULT_IO: "BKP5031",
  POINT_NOT_FOUND: "BKP5040",
  NO_POINTS: "BKP5041",
  TARGET_EXISTS: "BKP5042",
  DISK_NOT_IN_POINT: "BKP5043",
  /** The restore target cannot be written (its file system is full, permissions, I/O): the vault is not at fault. */
  TARGET_WRITE: "BKP5044",
  CHUNK_CORRUPT: "BKP5050",
  CHUNK_MISSING: "BKP5051",
  MANIFEST_DAMAGED: "BKP5052",
  BLOCK_MAP_DAMAGED: "BKP5053",
  /** `bkp repair` found damage it cannot fix without deleting (it deletes only with --force) or at all. */
  REPAIR_INCOMPLETE: "BKP5054",
  CONSISTENCY_FAILED: "BKP5060",
  /** A restore needs an instant-restore snapshot (`--point instant`, `--from snapshot`) and there is none. */
  SNAPSHOT_NONE: "BKP5070",
  /** An instant-restore snapshot file is missing or does not match its point's checksums. */
  SNAPSHOT_DAMAGED: "BKP5071",
  /** A snapshot could not be written; the backup's recovery point is kept (reported as a warning). */
  SNAPSHOT_WRITE: "BKP5072",
  /** The snapshot folder cannot be read or cleaned up (permissions, I/O). */
  SNAPSHOT_IO: "BKP5073",
  /** A job log record cannot be decrypted or parsed (src/engine/job-log.ts). */
  JOB_RECORD_DAMAGED: "BKP5075",
  /** The job log record of a finished backup could not be written; the recovery point itself is committed. */
  JOB_LOG_WRITE: "BKP5076",
  /** `bkp run` has no VM it could back up (none protected with disk images). */
  RUN_NOTHING_TO_SCHEDULE: "BKP5077",
  /** Azure Storage refused the credential (or none was found) for a blob vault. */
  BLOB_AUTH: "BKP5080",
  /** The blob vault's container does not exist. */
  BLOB_CONTAINER: "BKP5081",
  /** Azure Storage could not be reached, or kept failing, after the SDK's retries. */
  BLOB_UNREACHABLE: "BKP5082",
  /** The vault's blob URL cannot be used (not an https/http URL of a container). */
  BLOB_URL: "BKP5083",
  INTERNAL: "BKP5090",
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class EngineError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EngineError";
    this.code = code;
  }
}

export function isEngineError(e: unknown): e is EngineError {
  return e instanceof EngineError;
}

export function errnoCode(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string"
    ? (e as { code: string }).code
    : undefined;
}

/** Turns a raw fs error while writing the vault into a user-facing error. */
export function vaultWriteError(e: unknown, vaultPath: string): EngineError {
  if (isEngineError(e)) return e;
  const code = errnoCode(e);
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new EngineError(
      ErrorCodes.DISK_FULL,
      `the vault's file system is full (${vaultPath}): the backup was stopped and no recovery point was written. ` +
        `Free space there or move the vault, then run the backup again; earlier points are intact.`,
      { cause: e },
    );
  }
  return new EngineError(
    ErrorCodes.VAULT_IO,
    `cannot write to the vault at ${vaultPath}: ${describe(e)}. No recovery point was written; check the path's permissions and file system.`,
    { cause: e },
  );
}

/** Turns a raw fs error while writing a restored image in `dir` into a user-facing error. */
export function targetWriteError(e: unknown, dir: string): EngineError {
  if (isEngineError(e)) return e;
  const code = errnoCode(e);
  return new EngineError(
    ErrorCodes.TARGET_WRITE,
    code === "ENOSPC" || code === "EDQUOT"
      ? `the restore target's file system is full (${dir}): free space there or restore to another folder (--to DIR)`
      : `cannot write the restored image in ${dir} (${describe(e)}): check the folder's permissions and file system`,
    { cause: e },
  );
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Plain-data form for crossing a worker boundary and for `--json`. */
export interface SerializedError {
  code?: string;
  message: string;
  errno?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (isEngineError(e)) return { code: e.code, message: e.message };
  return { message: describe(e), errno: errnoCode(e) };
}

export function deserializeError(s: SerializedError, vaultPath: string): Error {
  if (s.code) return new EngineError(s.code as ErrorCode, s.message);
  if (s.errno === "ENOSPC" || s.errno === "EDQUOT") {
    return vaultWriteError(Object.assign(new Error(s.message), { code: s.errno }), vaultPath);
  }
  return Object.assign(new Error(s.message), s.errno ? { code: s.errno } : {});
}
