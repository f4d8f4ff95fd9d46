// Restoring several VMs into several storage-account folders at once (a `restore` block).
// DOMAIN §4: restores into different storage accounts run at the same time, restores into one
// account queue — so accounts run in parallel and each account's VMs one after another. Which VM
// goes where is decided by the caller (the analysis' spread); the engine only carries it out.
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { EngineError, ErrorCodes, describe, isEngineError } from "./errors.js";
import { findPoint, restoreVm, restoredFileName } from "./restore.js";
import { DEFAULT_LOCK_WAIT_MS } from "./vault/lock.js";
import { acquireVaultReadLock, type VaultLock } from "./vault/vault-storage.js";
import type { Manifest } from "./vault/manifest.js";
import type { EngineVault, ReaderOptions, RestoreResult, SnapshotTier } from "./types.js";

export interface AccountRestoreJob {
  account: string;
  /** Absolute folder of the account; each VM goes to `<dir>/<vm>/`. */
  dir: string;
  vms: {
    vm: string;
    vault: EngineVault;
    /** point id, "latest", or "instant" (the newest point in the snapshot tier, restored from its snapshot) */
    point: string;
    /** The VM's snapshot tier (its policy's instant-restore days), to judge snapshot expiry. */
    instantRestore?: SnapshotTier;
  }[];
}

export interface VmRestoreOutcome extends Partial<RestoreResult> {
  vm: string;
  /** The VM's folder inside the account's. */
  dir: string;
  ok: boolean;
  error?: { code: string; message: string };
}

export interface AccountRestoreResult {
  account: string;
  dir: string;
  ok: boolean;
  /** Wall time of the account's queue (its VMs one after another). */
  seconds: number;
  vms: VmRestoreOutcome[];
}

/** A VM's folder in an account: VMs sharing an account would otherwise collide on disk names ("os"). */
export function vmFolderIn(accountDir: string, vm: string): string {
  return path.join(accountDir, vm.replace(/[^A-Za-z0-9._-]/g, "_"));
}

/**
 * Restores every VM of every job. All points are found and every target checked first, so an
 * unknown point or a file in the way fails the whole plan before anything is written. One read
 * lock per vault is held for the whole plan: a prune starting between the lookup of the points
 * and their restores could otherwise expire a point the plan has promised (the restores take
 * theirs inside it, sharing this process's reader file).
 */
export async function restoreIntoAccounts(
  jobs: AccountRestoreJob[],
  opts: ReaderOptions & { overwrite?: boolean } = {},
): Promise<{ ok: boolean; seconds: number; accounts: AccountRestoreResult[] }> {
  const t0 = performance.now();
  const vaults = new Map<string, { vault: EngineVault; vms: string[] }>();
  for (const job of jobs) for (const v of job.vms) {
    const key = v.vault.blob ?? v.vault.path;
    vaults.set(key, { vault: v.vault, vms: [...(vaults.get(key)?.vms ?? []), v.vm] });
  }
  const locks: VaultLock[] = [];
  try {
    for (const { vault, vms } of vaults.values()) {
      locks.push(await acquireVaultReadLock(vault, `restore plan of VM${vms.length === 1 ? "" : "s"} ${[...new Set(vms)].map((n) => `"${n}"`).join(", ")}`, opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS));
    }
    return await restorePlanLocked(jobs, opts, t0);
  } finally {
    for (const l of locks) await l.release();
  }
}

async function restorePlanLocked(
  jobs: AccountRestoreJob[],
  opts: ReaderOptions & { overwrite?: boolean },
  t0: number,
): Promise<{ ok: boolean; seconds: number; accounts: AccountRestoreResult[] }> {
  const points = new Map<string, Manifest>();
  const existing: string[] = [];
  for (const job of jobs) {
    for (const v of job.vms) {
      const m = await findPoint(v.vault, v.vm, v.point, { ...opts, instantRestore: v.instantRestore });
      points.set(`${job.account}\0${v.vm}`, m);
      for (const d of m.disks) {
        const target = path.join(vmFolderIn(job.dir, v.vm), restoredFileName(d.name, d.source.path));
        if (fs.existsSync(target)) existing.push(target);
      }
    }
  }
  if (existing.length && !opts.overwrite) {
    throw new EngineError(
      ErrorCodes.TARGET_EXISTS,
      `the restore plan would overwrite ${existing.join(", ")}; nothing was written. Empty those folders, or allow overwriting (--force).`,
    );
  }
  const accounts = await Promise.all(
    jobs.map(async (job): Promise<AccountRestoreResult> => {
      const start = performance.now();
      const vms: VmRestoreOutcome[] = [];
      // One account's restores queue (DOMAIN §4).
      for (const v of job.vms) {
        const dir = vmFolderIn(job.dir, v.vm);
        const m = points.get(`${job.account}\0${v.vm}`);
        try {
          if (!m) throw new Error("point not resolved");
          const r = await restoreVm(v.vault, { vm: v.vm, point: m.id, toDir: dir, overwrite: opts.overwrite, instantRestore: v.instantRestore }, { ...opts });
          vms.push({ ...r, dir });
        } catch (e) {
          // One VM failing does not stop the others: each is reported on its own.
          vms.push({ vm: v.vm, dir, ok: false, error: { code: isEngineError(e) ? e.code : ErrorCodes.INTERNAL, message: describe(e) } });
        }
      }
      return { account: job.account, dir: job.dir, ok: vms.every((v) => v.ok), seconds: (performance.now() - start) / 1000, vms };
    }),
  );
  return { ok: accounts.every((a) => a.ok), seconds: (performance.now() - t0) / 1000, accounts };
}
