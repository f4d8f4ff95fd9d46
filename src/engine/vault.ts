// Opening (or creating) a vault: its config, key file and storage.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, errnoCode, vaultWriteError } from "./errors.js";
import { openVaultStorage } from "./vault-storage.js";
import type { Storage } from "./storage.js";
import { deriveKeys } from "./crypto.js";
import type { VaultKeys } from "./crypto.js";
import { VAULT_KEY_OBJECT, createVaultKey, defaultMachineKeyFile, openVaultKey } from "./keys.js";
import type { VaultKeyFile } from "./keys.js";
import type { EngineVault } from "./types.js";

export const FORMAT_VERSION = 1;
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

async function readJson<T>(storage: Storage, name: string): Promise<T | undefined> {
  try {
    return JSON.parse((await storage.get(name)).toString("utf8")) as T;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw new EngineError(ErrorCodes.VAULT_FORMAT, `vault object ${name} is unreadable: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Opens a vault. With `create` (the caller holds the lock) a missing vault is initialised. */
export async function openVault(def: EngineVault, opts: OpenOptions): Promise<OpenVault> {
  const storage = await openVaultStorage(def);
  const src = { encryption: def.encryption, vaultName: def.name, machineKeyFile: opts.machineKeyFile ?? defaultMachineKeyFile() };
  let config = await readJson<VaultConfig>(storage, "config");
  if (!config) {
    if (!opts.create) {
      throw new EngineError(
        ErrorCodes.VAULT_MISSING,
        `vault "${def.name}" has no backups yet: ${def.path} is not a bkp vault. Run \`bkp backup\` first, or check the vault's path.`,
      );
    }
    const blockSize = checkBlockSize(opts.blockSize ?? DEFAULT_BLOCK_SIZE);
    const { master, file } = createVaultKey(src, opts.now);
    config = {
      format: "bkp-vault",
      version: FORMAT_VERSION,
      id: randomBytes(8).toString("hex"),
      blockSize,
      pageBlocks: opts.pageBlocks ?? Math.max(1, Math.floor(PAGE_BYTES / blockSize)),
      encryption: def.encryption.kind,
      createdAt: opts.now.toISOString(),
    };
    try {
      // Key first, config last: a vault exists once its config is committed.
      await storage.put(VAULT_KEY_OBJECT, Buffer.from(JSON.stringify(file, undefined, 2) + "\n"));
      await storage.put("config", Buffer.from(JSON.stringify(config, undefined, 2) + "\n"));
    } catch (e) {
      throw vaultWriteError(e, def.path);
    }
    return { def, storage, config, keys: deriveKeys(master) };
  }
  if (config.format !== "bkp-vault" || config.version !== FORMAT_VERSION) {
    throw new EngineError(
      ErrorCodes.VAULT_FORMAT,
      `${def.path} holds vault format ${String(config.format)} version ${String(config.version)}; this bkp reads version ${FORMAT_VERSION}. Use a matching bkp release.`,
    );
  }
  const keyFile = await readJson<VaultKeyFile>(storage, VAULT_KEY_OBJECT);
  if (!keyFile) {
    throw new EngineError(
      ErrorCodes.KEY_MISSING,
      `vault "${def.name}" has lost its key file ${def.path}/${VAULT_KEY_OBJECT}: nothing in it can be decrypted. Restore that file from a copy.`,
    );
  }
  return { def, storage, config, keys: deriveKeys(openVaultKey(src, keyFile)) };
}

export function vaultDirExists(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
