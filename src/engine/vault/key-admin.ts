// Vault key administration (`bkp key show|export|import|rotate`). A vault's data is encrypted
// with its random vault key; <vault>/keys/vault.key holds that key wrapped by a secret (the
// machine secret for platform-key vaults, the customer key file otherwise). Export writes the
// vault key itself (a recovery key); import and rotate re-wrap it — no data is rewritten.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { hkdf, wrapKey } from "./crypto.js";
import { EngineError, ErrorCodes, errnoCode } from "../errors.js";
import { VAULT_KEY_OBJECT, defaultMachineKeyFile, loadMachineSecret, openVaultKey, parseKeyBytes, withDigest, type KeySource, type VaultKeyFile } from "./keys.js";
import { DEFAULT_LOCK_WAIT_MS } from "./lock.js";
import { listPoints } from "../points.js";
import type { Storage } from "./storage.js";
import type { EngineVault } from "../types.js";
import { KEY_COPY } from "./vault-copies.js";
import { acquireVaultLock, openVaultStorage } from "./vault-storage.js";

export interface KeyInfo {
  vault: string;
  /** <vault>/keys/vault.key */
  keyFile: string;
  kind: EngineVault["encryption"]["kind"];
  /** The secret that wraps the vault key: the machine secret or the customer key file. */
  wrappedBy: string;
  createdAt: string;
  /** Whether that secret opens the vault key here. */
  opens: boolean;
  problem?: string;
}

/** Where the key file is, for messages: a path in a directory vault, an object of a blob vault. */
const keyPath = (v: EngineVault) => (v.blob ? `${v.blob.split("?")[0]}/${VAULT_KEY_OBJECT}` : path.join(v.path, VAULT_KEY_OBJECT));
const sourceOf = (v: EngineVault, machineKeyFile?: string): KeySource => ({ encryption: v.encryption, vaultName: v.name, machineKeyFile: machineKeyFile ?? defaultMachineKeyFile() });
const wrapper = (src: KeySource) => (src.encryption.kind === "customer-key" ? src.encryption.keyFile : src.machineKeyFile);

async function readKeyBytes(v: EngineVault, storage: Storage): Promise<Buffer> {
  try {
    return await storage.get(VAULT_KEY_OBJECT);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") throw new EngineError(ErrorCodes.VAULT_MISSING, `vault "${v.name}" has no key yet: ${v.blob ?? v.path} is not a bkp vault (its first \`bkp backup\` creates it)`);
    throw e;
  }
}

async function readKeyFile(v: EngineVault): Promise<VaultKeyFile> {
  return JSON.parse((await readKeyBytes(v, await openVaultStorage(v))).toString("utf8")) as VaultKeyFile;
}

/**
 * Writes the key file and its copy (each an atomic put): the copy must never keep opening the
 * vault with a secret the key was rotated away from.
 */
async function writeKeyFile(storage: Storage, bytes: Buffer): Promise<void> {
  await storage.put(VAULT_KEY_OBJECT, bytes);
  await storage.put(KEY_COPY, bytes);
}

/** The vault key wrapped by `secret`, as a key file (the format `openVaultKey` reads). */
function wrapped(secret: Buffer, master: Buffer, kind: VaultKeyFile["kind"], createdAt: string): VaultKeyFile {
  const salt = randomBytes(16);
  const { nonce, wrapped: w } = wrapKey(hkdf(secret, salt, "bkp/v1/key-wrap"), master, `bkp-vault-key/${kind}`);
  return { format: "bkp-vault-key", version: 1, kind, salt: salt.toString("base64"), nonce, wrapped: w, createdAt };
}

export async function keyInfo(v: EngineVault, machineKeyFile?: string): Promise<KeyInfo> {
  const src = sourceOf(v, machineKeyFile);
  const file = await readKeyFile(v);
  const info: KeyInfo = { vault: v.name, keyFile: keyPath(v), kind: file.kind, wrappedBy: wrapper(src), createdAt: file.createdAt, opens: true };
  try {
    openVaultKey(src, file);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { ...info, opens: false, problem: e.message };
  }
  return info;
}

/** Writes the vault key (64 hex digits, mode 0600) to `out`, which must not exist. */
export async function exportKey(v: EngineVault, out: string, machineKeyFile?: string): Promise<void> {
  const master = openVaultKey(sourceOf(v, machineKeyFile), await readKeyFile(v));
  try {
    fs.writeFileSync(out, master.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if (errnoCode(e) === "EEXIST") throw new EngineError(ErrorCodes.KEY_INVALID, `${out} already exists; bkp key export never overwrites a key file: name a new file`);
    throw e;
  }
}

/** Re-wraps the vault key with `secret`, under the vault's lock; checks the vault still opens. */
async function rewrap(v: EngineVault, master: Buffer, secret: Buffer, src: KeySource, now: Date): Promise<void> {
  const lock = await acquireVaultLock(v, "key", DEFAULT_LOCK_WAIT_MS);
  try {
    const storage = await openVaultStorage(v);
    const before = await readKeyBytes(v, storage);
    const copyBefore = await storage.get(KEY_COPY).catch(() => undefined);
    const old = JSON.parse(before.toString("utf8")) as VaultKeyFile;
    await writeKeyFile(storage, Buffer.from(JSON.stringify(withDigest(wrapped(secret, master, old.kind, old.createdAt)), undefined, 2) + "\n"));
    // The recovery points must decrypt with the key as now wrapped, or nothing changes.
    // A wrong vault key finds no point (their names are keyed by it): a vault holding data must list some.
    const points = await listPoints({ ...v, encryption: src.encryption }, {}, { machineKeyFile: src.machineKeyFile, now: () => now }).catch(() => undefined);
    const holdsData = (await storage.list("packs")).length > 0;
    if (points === undefined || (points.length === 0 && holdsData)) {
      await storage.put(VAULT_KEY_OBJECT, before);
      if (copyBefore) await storage.put(KEY_COPY, copyBefore);
      throw new EngineError(ErrorCodes.KEY_WRONG, `that key does not open vault "${v.name}": none of its recovery points decrypt with it; the vault's key is unchanged`);
    }
  } finally {
    await lock.release();
  }
}

/** Imports a recovery key (from `bkp key export`): the vault key is wrapped by this machine's secret (or the customer key). */
export async function importKey(v: EngineVault, from: string, now: Date, machineKeyFile?: string): Promise<void> {
  const src = sourceOf(v, machineKeyFile);
  const master = parseKeyBytes(fs.readFileSync(from), from);
  const secret = src.encryption.kind === "customer-key" ? parseKeyBytes(fs.readFileSync(src.encryption.keyFile), src.encryption.keyFile) : loadMachineSecret(src.machineKeyFile, true)!;
  await rewrap(v, master, secret, src, now);
}

/**
 * Rotates the secret that wraps the vault key: `to` is the new machine secret (created when
 * missing) or the new customer key file. Only keys/vault.key is rewritten.
 */
export async function rotateKey(v: EngineVault, to: string, now: Date, machineKeyFile?: string): Promise<void> {
  const src = sourceOf(v, machineKeyFile);
  const master = openVaultKey(src, await readKeyFile(v));
  const secret = src.encryption.kind === "customer-key" ? parseKeyBytes(fs.readFileSync(to), to) : loadMachineSecret(to, true)!;
  const next: KeySource = src.encryption.kind === "customer-key" ? { ...src, encryption: { kind: "customer-key", keyFile: to } } : { ...src, machineKeyFile: to };
  await rewrap(v, master, secret, next, now);
}
