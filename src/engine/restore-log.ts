// A restore drill's records in the job log (`bkp restore --plan`): per VM, the storage account
// it was restored into and that account's predicted and measured seconds, beside the backups'
// records. Appended under the vault's writer lock, after the restores released their read locks,
// so sequence numbers never collide with a backup's; best effort, like every job log record.
import { acquireLock } from "./vault/lock.js";
import { describe } from "./errors.js";
import { appendJobRecord, type NewJobRecord } from "./job-log.js";
import { openVault } from "./vault/vault.js";
import type { CommonOptions, EngineVault } from "./types.js";

/** Appends the records of one vault; returns a problem line when they could not be written. */
export async function logRestores(vault: EngineVault, records: NewJobRecord[], opts: CommonOptions & { lockWaitMs?: number } = {}): Promise<string | undefined> {
  if (!records.length) return undefined;
  try {
    const lock = await acquireLock(vault.path, `restore drill records of ${records.length} VM(s)`, opts.lockWaitMs ?? 30_000);
    try {
      const v = await openVault(vault, { create: false, now: new Date(), machineKeyFile: opts.machineKeyFile });
      for (const r of records) await appendJobRecord(v.storage, v.keys, r);
    } finally {
      lock.release();
    }
    return undefined;
  } catch (e) {
    return `the restore drill's job log records could not be written to vault "${vault.name}" (${describe(e)})`;
  }
}
