// `bkp repair`: puts back what can be rebuilt from the vault itself — the config from its sealed
// copy, the key file from its copy (or back), pack indexes from the packs' trailers — then reads
// and checks every chunk (recording damaged ones, so the next backup stores those blocks again)
// and reports which points remain unrestorable and why. Nothing is deleted without `force`, and
// with `dryRun` nothing is written. Holds the writer lock like a backup (it only adds objects,
// so readers run alongside); the check runs after, under a read lock, as `bkp verify` does.
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { DEFAULT_LOCK_WAIT_MS } from "./vault/lock.js";
import { acquireVaultLock, openVaultStorage } from "./vault/vault-storage.js";
import type { Storage } from "./vault/storage.js";
import { deriveKeys, sealObject } from "./vault/crypto.js";
import { EngineError, ErrorCodes, describe } from "./errors.js";
import { CONFIG_OBJECT, DEFAULT_BLOCK_SIZE, FORMAT_VERSION, PAGE_BYTES, openKeyFiles, openVault, parseConfig } from "./vault/vault.js";
import type { VaultConfig } from "./vault/vault.js";
import { VAULT_KEY_OBJECT, defaultMachineKeyFile } from "./vault/keys.js";
import { ensureCopies, getOptional, readConfigCopy, vaultObjectKinds } from "./vault/vault-copies.js";
import { encodePackIndex, indexObjectName, loadChunkIndex, packObjectName } from "./vault/chunk-store.js";
import { readPackTrailer, rebuildMissingIndexes } from "./vault/pack-recovery.js";
import { readManifests } from "./vault/manifest.js";
import { listSnapshots } from "./snapshot/snapshots.js";
import { verifyVault } from "./verify.js";
import type { EngineVault, RepairOptions, RepairResult } from "./types.js";

export async function repairVault(vault: EngineVault, opts: RepairOptions = {}): Promise<RepairResult> {
  const t0 = performance.now();
  const now = (opts.now ?? (() => new Date()))();
  const dry = !!opts.dryRun;
  const res: RepairResult = { vault: vault.name, dryRun: dry, actions: [], left: [], unrestorable: [], ok: false, seconds: 0 };
  const act = (what: string, object: string) => res.actions.push({ what, object, done: !dry });
  const lock = await acquireVaultLock(vault, dry ? "repair --dry-run" : "repair", opts.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  try {
    const storage = await openVaultStorage(vault);
    await repairConfigAndKey(vault, storage, opts, now, dry, act);
    if (!dry) await storage.removeTemporaries();
    if (dry && (await getOptional(storage, CONFIG_OBJECT)) === undefined) {
      res.left.push("the config is missing: the dry run stops here (the checks below need it)");
      return done(res, t0);
    }
    const v = await openVault(vault, { create: !dry, now, machineKeyFile: opts.machineKeyFile });
    const { keys } = v;
    // Indexes: missing ones from the trailers, damaged ones rewritten from the trailers.
    const orphans = await rebuildMissingIndexes(storage, keys.enc, !dry);
    for (const t of orphans.rebuilt) act("rebuilt the lost pack index from the pack's trailer", indexObjectName(t.pack));
    const index = await loadChunkIndex(storage, keys.enc);
    for (const d of index.damaged) {
      const pack = d.object.slice(d.object.lastIndexOf("/") + 1);
      try {
        const t = await readPackTrailer(storage, keys.enc, packObjectName(pack));
        if (!dry) await storage.put(d.object, sealObject(keys.enc, d.object, encodePackIndex(pack, t.size, t.entries)));
        act(`rewrote the damaged pack index (${d.problem}) from the pack's trailer`, d.object);
      } catch (e) {
        await forceOrLeave(res, dry, opts.force, d.object, `damaged (${d.problem}) and its pack's trailer is unreadable too (${describe(e)})`, () => storage.delete(d.object));
      }
    }
    for (const [pack, problem] of index.badPacks) {
      if (problem !== "missing") {
        res.left.push(`${packObjectName(pack)} is ${problem}: its intact chunks stay readable; the next backup stores the others again while the images still hold them`);
        continue;
      }
      await forceOrLeave(res, dry, opts.force, indexObjectName(pack), `the index of pack ${pack}, which is missing`, () => storage.delete(indexObjectName(pack)));
    }
    for (const u of orphans.unreadable) await forceOrLeave(res, dry, opts.force, u.object, `a pack without an index whose trailer is unreadable (${u.problem}): its chunks are unknown`, () => storage.delete(u.object));
  } finally {
    await lock.release();
  }
  // Every chunk read and checked; damage found is recorded (not in a dry run).
  const check = await verifyVault(vault, { machineKeyFile: opts.machineKeyFile, readData: true, now: () => now, recordDamage: !dry, lockWaitMs: opts.lockWaitMs, onProgress: opts.onProgress });
  for (const d of check.damage) {
    for (const a of d.affects) res.unrestorable.push({ vm: a.vm, point: a.point, disks: a.disks, why: `${d.kind} ${d.object}: ${d.problem}` });
    if (!d.affects.length) res.left.push(`${d.kind} ${d.object}: ${d.problem}`);
  }
  if (check.damage.some((d) => d.kind === "chunk" || d.kind === "pack")) {
    res.left.push("damaged or missing chunks are recorded: the next backup of each affected disk stores them again from its image (while the image still holds the same data)");
  }
  res.ok = check.ok && res.left.length === 0;
  return done(res, t0);
}

function done(res: RepairResult, t0: number): RepairResult {
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

async function forceOrLeave(res: RepairResult, dry: boolean, force: boolean | undefined, object: string, what: string, del: () => Promise<void>): Promise<void> {
  if (!force) {
    res.left.push(`${object}: ${what}; kept (\`bkp repair --force\` deletes it)`);
    return;
  }
  if (!dry) await del();
  res.actions.push({ what: `deleted ${what}`, object, done: !dry });
}

/** The config and key file: each put back from its copy, or its copy from it. */
async function repairConfigAndKey(
  vault: EngineVault,
  storage: Storage,
  opts: RepairOptions,
  now: Date,
  dry: boolean,
  act: (what: string, object: string) => void,
): Promise<void> {
  const src = { encryption: vault.encryption, vaultName: vault.name, machineKeyFile: opts.machineKeyFile ?? defaultMachineKeyFile() };
  const raw = await getOptional(storage, CONFIG_OBJECT);
  if (!raw && !(await vaultObjectKinds(storage)).length) {
    throw new EngineError(ErrorCodes.VAULT_MISSING, `vault "${vault.name}" has no backups yet: ${vault.path} holds no vault objects, so there is nothing to repair.`);
  }
  const key = await openKeyFiles(storage, src, vault);
  const keys = deriveKeys(key.master);
  if (key.fromCopy) {
    if (!dry) await storage.put(VAULT_KEY_OBJECT, key.bytes);
    act("restored the key file from its copy", VAULT_KEY_OBJECT);
  }
  let good: Buffer | undefined = raw;
  if (raw) {
    try {
      parseConfig(raw, vault);
    } catch (e) {
      if (!(e instanceof EngineError) || e.code !== ErrorCodes.CONFIG_DAMAGED) throw e;
      good = undefined;
    }
  }
  if (!good) {
    good = (await readConfigCopy(storage, keys.enc)) ?? (await reconstructConfig(vault, storage, keys, now, act));
    if (!dry) await storage.put(CONFIG_OBJECT, good);
    act(raw ? "restored the damaged config from its sealed copy" : "restored the lost config from its sealed copy", CONFIG_OBJECT);
  }
  if (!dry) await ensureCopies(storage, keys.enc, good, key.bytes);
}

/** Without a config copy: the layout from the points' manifests, the id from the snapshots beside the vault. */
async function reconstructConfig(vault: EngineVault, storage: Storage, keys: ReturnType<typeof deriveKeys>, now: Date, act: (what: string, object: string) => void): Promise<Buffer> {
  const ms = (await readManifests(storage, keys.enc, keys.name)).flatMap((r) => (r.manifest ? [r.manifest] : []));
  const m = ms[0];
  const blockSize = m?.blockSize ?? DEFAULT_BLOCK_SIZE;
  const snapId = ms.flatMap((x) => listSnapshots(vault.path, x.vm)).find((s) => s.record)?.record?.vaultId;
  const config: VaultConfig = {
    format: "bkp-vault",
    version: FORMAT_VERSION,
    id: snapId ?? randomBytes(8).toString("hex"),
    blockSize,
    pageBlocks: m?.pageBlocks ?? Math.max(1, Math.floor(PAGE_BYTES / blockSize)),
    encryption: vault.encryption.kind,
    createdAt: now.toISOString(),
  };
  act(`the config's sealed copy is missing too: rebuilt the config from the points' layout${snapId ? " and the snapshots' vault id" : " (new vault id: instant-restore snapshots taken before count as another vault's)"}`, CONFIG_OBJECT);
  return Buffer.from(JSON.stringify(config, undefined, 2) + "\n");
}
