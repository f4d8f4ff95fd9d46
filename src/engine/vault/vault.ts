// Opening (or creating) a vault: its config, key file and storage.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, describe, vaultWriteError } from "../errors.js";
import { openVaultStorage } from "./vault-storage.js";
import type { Storage } from "./storage.js";
import { deriveKeys } from "./crypto.js";
import type { VaultKeys } from "./crypto.js";
import { VAULT_KEY_OBJECT, createVaultKey, defaultMachineKeyFile, keyFileModeWarning, openVaultKey, parseKeyFile, secretFileOf } from "./keys.js";
import type { KeySource } from "./keys.js";
import { KEY_COPY, ensureCopies, getOptional, vaultObjectKinds } from "./vault-copies.js";
import type { EngineVault } from "../types.js";

/**
 * Version 2 added block-map format 2 (grain sums, delta entries) and delta chunks. Version 1
 * vaults are read as they are and upgraded by the first lock holder that opens them.
 */
export const FORMAT_VERSION = 2;
const READS_VERSIONS = [1, 2];
/** Default block size, chosen by benchmark (docs/benchmarks.md). */
export const DEFAULT_BLOCK_SIZE = 1024 * 1024;
/** A block map page covers this many bytes of disk: the unit of parallel work too. */
export const PAGE_BYTES = 256 * 1024 * 1024;

export interface VaultConfig {
  format: "bkp-vault";
  version: number;
  id: string;
  blockSize: number;
  pageBlocks: number;
  encryption: EngineVault["encryption"]["kind"];
  createdAt: string;
}

export interface OpenVault {
  def: EngineVault;
  storage: Storage;
  config: VaultConfig;
  keys: VaultKeys;
  /** Problems that do not stop the command (a key file readable by others, a key file read from its copy). */
  warnings: string[];
}

export interface OpenOptions {
  create: boolean;
  blockSize?: number;
  pageBlocks?: number;
  now: Date;
  machineKeyFile?: string;
}

function checkBlockSize(bs: number): number {
  if (!Number.isInteger(bs) || bs < 64 * 1024 || bs > 16 * 1024 * 1024 || (bs & (bs - 1)) !== 0) {
    throw new EngineError(ErrorCodes.VAULT_FORMAT, `block size ${bs} is not a power of two between 64 KiB and 16 MiB`);
  }
  return bs;
}

export const CONFIG_OBJECT = "config";

const repairHint = (def: EngineVault) => `Run \`bkp repair FILE\` (FILE: the policy file naming vault "${def.name}") to restore it from its sealed copy (keys/config.sealed).`;

/** Parses config bytes: another format version is VAULT_FORMAT, anything malformed CONFIG_DAMAGED. */
export function parseConfig(raw: Buffer, def: EngineVault): VaultConfig {
  const damaged = (why: string) => new EngineError(ErrorCodes.CONFIG_DAMAGED, `the config of vault "${def.name}" (${def.path}/config) is damaged: ${why}. ${repairHint(def)}`);
  let c: Partial<VaultConfig>;
  try {
    c = JSON.parse(raw.toString("utf8")) as Partial<VaultConfig>;
  } catch {
    throw damaged("it is not valid JSON");
  }
  if (typeof c !== "object" || c === null) throw damaged("it is not a JSON object");
  if (c.format === "bkp-vault" && typeof c.version === "number" && !READS_VERSIONS.includes(c.version)) {
    throw new EngineError(
      ErrorCodes.VAULT_FORMAT,
      `${def.path} holds vault format ${c.format} version ${c.version}; this bkp reads versions ${READS_VERSIONS.join(" and ")}. Use a matching bkp release.`,
    );
  }
  if (c.format !== "bkp-vault" || typeof c.version !== "number" || !READS_VERSIONS.includes(c.version)) throw damaged("its format or version field is missing or altered");
  if (typeof c.id !== "string" || !/^[0-9a-f]{16}$/.test(c.id)) throw damaged("its id is missing or altered");
  if (typeof c.blockSize !== "number" || typeof c.pageBlocks !== "number" || !Number.isInteger(c.pageBlocks) || c.pageBlocks < 1) throw damaged("its block size or page size is missing or altered");
  try {
    checkBlockSize(c.blockSize);
  } catch {
    throw damaged(`its block size ${c.blockSize} is not one bkp writes`);
  }
  if (c.encryption !== "platform-key" && c.encryption !== "customer-key") throw damaged("its encryption kind is missing or altered");
  return c as VaultConfig;
}

interface OpenedKey {
  master: Buffer;
  /** The key file's bytes that opened the vault. */
  bytes: Buffer;
  /** The primary key file was missing or damaged and its copy opened the vault. */
  fromCopy: boolean;
}

/** Opens the vault key from keys/vault.key, or from its copy when that one is missing or damaged. */
export async function openKeyFiles(storage: Storage, src: KeySource, def: EngineVault): Promise<OpenedKey> {
  const primary = await getOptional(storage, VAULT_KEY_OBJECT);
  const copy = await getOptional(storage, KEY_COPY);
  const attempt = (raw: Buffer, name: string): Buffer => openVaultKey(src, parseKeyFile(raw, `${def.path}/${name}`));
  let first: unknown;
  if (primary) {
    try {
      return { master: attempt(primary, VAULT_KEY_OBJECT), bytes: primary, fromCopy: false };
    } catch (e) {
      if (!(e instanceof EngineError) || (e.code !== ErrorCodes.KEY_FILE_DAMAGED && e.code !== ErrorCodes.KEY_WRONG)) throw e;
      first = e;
    }
  }
  if (copy && (!primary || !copy.equals(primary))) {
    try {
      return { master: attempt(copy, KEY_COPY), bytes: copy, fromCopy: true };
    } catch (e) {
      if (!(e instanceof EngineError) || (e.code !== ErrorCodes.KEY_FILE_DAMAGED && e.code !== ErrorCodes.KEY_WRONG)) throw e;
      first ??= e;
    }
  }
  if (first) throw first;
  throw new EngineError(
    ErrorCodes.KEY_MISSING,
    `vault "${def.name}" has lost its key file ${def.path}/${VAULT_KEY_OBJECT} (and its copy): nothing in it can be decrypted. Restore that file from a copy.`,
  );
}

/**
 * Opens a vault. With `create` (the caller holds the lock) a folder without any vault object is
 * initialised; a folder that holds vault objects but no config is damaged (CONFIG_MISSING), never
 * initialised again. The lock holder also writes missing copies and heals a damaged key file.
 */
export async function openVault(def: EngineVault, opts: OpenOptions): Promise<OpenVault> {
  const storage = await openVaultStorage(def);
  const src: KeySource = { encryption: def.encryption, vaultName: def.name, machineKeyFile: opts.machineKeyFile ?? defaultMachineKeyFile() };
  const raw = await getOptional(storage, CONFIG_OBJECT).catch((e: unknown) => {
    throw new EngineError(ErrorCodes.VAULT_IO, `cannot read ${def.path}/config: ${describe(e)}`, { cause: e });
  });
  const secret = secretFileOf(src);
  const modeWarning = keyFileModeWarning(secret.file, secret.what);
  const warnings = modeWarning ? [modeWarning] : [];
  if (!raw) {
    const kinds = await vaultObjectKinds(storage);
    if (kinds.length) {
      throw new EngineError(
        ErrorCodes.CONFIG_MISSING,
        `vault "${def.name}" has lost its config (${def.path}/config) but holds vault objects (${kinds.join(", ")}): it is damaged, not new, ` +
          `so bkp will not create a vault there (a new key would make every earlier point unreadable). ${repairHint(def)}`,
      );
    }
    if (!opts.create) {
      throw new EngineError(
        ErrorCodes.VAULT_MISSING,
        `vault "${def.name}" has no backups yet: ${def.path} is not a bkp vault. Run \`bkp backup\` first, or check the vault's path.`,
      );
    }
    return createVault(def, storage, src, opts, warnings);
  }
  let config = parseConfig(raw, def);
  const key = await openKeyFiles(storage, src, def);
  const keys = deriveKeys(key.master);
  if (key.fromCopy) warnings.push(`the vault's key file ${def.path}/${VAULT_KEY_OBJECT} is missing or damaged; its copy opened the vault${opts.create ? " and was written back" : ": run `bkp repair`"}`);
  if (opts.create) {
    try {
      if (key.fromCopy) await storage.put(VAULT_KEY_OBJECT, key.bytes);
      if (config.version < FORMAT_VERSION) {
        // Upgrade before anything of the new version is written: the copy first, then the
        // config (a kill between the two leaves a version-1 config, upgraded at the next open).
        config = { ...config, version: FORMAT_VERSION };
        const upgraded = Buffer.from(JSON.stringify(config, undefined, 2) + "\n");
        await ensureCopies(storage, keys.enc, upgraded, key.bytes);
        await storage.put(CONFIG_OBJECT, upgraded);
        warnings.push(`vault "${def.name}" was upgraded to format version ${FORMAT_VERSION} (delta chunks); bkp releases that read only version 1 cannot open it`);
      } else await ensureCopies(storage, keys.enc, raw, key.bytes);
    } catch (e) {
      throw vaultWriteError(e, def.path);
    }
  }
  return { def, storage, config, keys, warnings };
}

async function createVault(def: EngineVault, storage: Storage, src: KeySource, opts: OpenOptions, warnings: string[]): Promise<OpenVault> {
  const blockSize = checkBlockSize(opts.blockSize ?? DEFAULT_BLOCK_SIZE);
  const { master, file } = createVaultKey(src, opts.now);
  const config: VaultConfig = {
    format: "bkp-vault",
    version: FORMAT_VERSION,
    id: randomBytes(8).toString("hex"),
    blockSize,
    pageBlocks: opts.pageBlocks ?? Math.max(1, Math.floor(PAGE_BYTES / blockSize)),
    encryption: def.encryption.kind,
    createdAt: opts.now.toISOString(),
  };
  const keys = deriveKeys(master);
  const keyBytes = Buffer.from(JSON.stringify(file, undefined, 2) + "\n");
  const configBytes = Buffer.from(JSON.stringify(config, undefined, 2) + "\n");
  try {
    // Key and copies first, config last: a vault exists once its config is committed.
    await storage.put(VAULT_KEY_OBJECT, keyBytes);
    await ensureCopies(storage, keys.enc, configBytes, keyBytes);
    await storage.put(CONFIG_OBJECT, configBytes);
  } catch (e) {
    throw vaultWriteError(e, def.path);
  }
  return { def, storage, config, keys, warnings };
}

export function vaultDirExists(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
