// The second copies of a vault's config and key file (docs/vault-format.md, "Config and key
// copies"), and telling a damaged vault from a folder that holds none. A folder that holds any
// vault object is never initialised again: re-keying it would make every earlier point unreadable.
import { openObject, sealObject } from "./crypto.js";
import type { Storage } from "./storage.js";
import { errnoCode } from "../errors.js";

/** The config, sealed with the vault key (AAD = this name): a tampered copy does not open. */
export const CONFIG_COPY = "keys/config.sealed";
/** A byte-identical copy of keys/vault.key (the vault key is wrapped in both). */
export const KEY_COPY = "keys/vault.key.copy";

/** Prefixes that only a vault holds (locks/ is not one: any command may create it). */
const VAULT_PREFIXES = ["keys", "points", "index", "maps", "packs", "jobs"] as const;

/** The kinds of vault objects the folder holds (empty: no vault was ever created there). */
export async function vaultObjectKinds(storage: Storage): Promise<string[]> {
  const out: string[] = [];
  for (const p of VAULT_PREFIXES) if ((await storage.list(p)).length) out.push(`${p}/`);
  return out;
}

export async function getOptional(storage: Storage, name: string): Promise<Buffer | undefined> {
  try {
    return await storage.get(name);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    throw e;
  }
}

export function sealConfig(enc: Buffer, configJson: Buffer): Buffer {
  return sealObject(enc, CONFIG_COPY, configJson);
}

/** The config's bytes from its sealed copy, or undefined when the copy is missing or damaged. */
export async function readConfigCopy(storage: Storage, enc: Buffer): Promise<Buffer | undefined> {
  const raw = await getOptional(storage, CONFIG_COPY);
  if (!raw) return undefined;
  try {
    return openObject(enc, CONFIG_COPY, raw);
  } catch {
    return undefined;
  }
}

/**
 * Writes whichever copy is missing or differs (the caller holds the writer lock): a vault made
 * before copies existed gets them at its next backup.
 */
export async function ensureCopies(storage: Storage, enc: Buffer, configJson: Buffer, keyFileBytes: Buffer): Promise<void> {
  const key = await getOptional(storage, KEY_COPY);
  if (!key || !key.equals(keyFileBytes)) await storage.put(KEY_COPY, keyFileBytes);
  const conf = await readConfigCopy(storage, enc);
  if (!conf || !conf.equals(configJson)) await storage.put(CONFIG_COPY, sealConfig(enc, configJson));
}
