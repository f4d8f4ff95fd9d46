// Opens a vault's storage and its locks, a directory or Azure Blob Storage, behind one API.
// The blob backend (and the Azure SDK) loads only for a blob vault.
import { LocalDirStorage, type Storage } from "./storage.js";
import { acquireLock, acquireReadLock, type AcquireOptions, type LockInfo, type ReaderInfo } from "./lock.js";

/** Where a vault's objects are: `blob` (a container URL) when set, else the directory `path`. */
export interface VaultLocation {
  path: string;
  blob?: string;
}

export async function openVaultStorage(loc: VaultLocation, env: Record<string, string | undefined> = process.env): Promise<Storage> {
  if (!loc.blob) return new LocalDirStorage(loc.path);
  const { openBlobStorage } = await import("./blob-location.js");
  return openBlobStorage(loc.blob, env);
}

export interface VaultLock {
  info: LockInfo | ReaderInfo;
  release(): Promise<void>;
}

/**
 * The vault's writer lock (backup, prune): a lock file in a directory vault, a blob lease in a
 * blob vault. On a blob vault shared by hosts a writer waits at least one lease period: another
 * host's backup usually finishes by then, and a holder that died has let go.
 */
export async function acquireVaultLock(loc: VaultLocation, purpose: string, waitMs: number, opts: AcquireOptions = {}): Promise<VaultLock> {
  if (loc.blob) {
    const [{ acquireBlobLock, leaseSeconds }, { openBlobStorage }] = await Promise.all([import("./blob-lock.js"), import("./blob-location.js")]);
    return acquireBlobLock(openBlobStorage(loc.blob, process.env), purpose, Math.max(waitMs, (leaseSeconds() + 5) * 1000), opts);
  }
  const l = await acquireLock(loc.path, purpose, waitMs, opts);
  return { info: l.info, release: async () => l.release() };
}

/** A read lock (restore, verify): excludes a prune, never a backup. */
export async function acquireVaultReadLock(loc: VaultLocation, purpose: string, waitMs: number): Promise<VaultLock> {
  if (loc.blob) {
    const [{ acquireBlobReadLock }, { openBlobStorage }] = await Promise.all([import("./blob-lock.js"), import("./blob-location.js")]);
    return acquireBlobReadLock(openBlobStorage(loc.blob, process.env), purpose, waitMs);
  }
  const l = await acquireReadLock(loc.path, purpose, waitMs);
  return { info: l.info, release: async () => l.release() };
}
