// Vault key administration (`bkp key show|export|import|rotate`). A vault's data is encrypted
// with its random vault key; <vault>/keys/vault.key holds that key wrapped by a secret (the
// machine secret for platform-key vaults, the customer key file otherwise). Export writes the
// vault key itself (a recovery key); import and rotate re-wrap it — no data is rewritten.
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { hkdf, wrapKey } from "./crypto.js";
import { EngineError, ErrorCodes, errnoCode } from "./errors.js";
import { VAULT_KEY_OBJECT, defaultMachineKeyFile, loadMachineSecret, openVaultKey, parseKeyBytes, type KeySource, type VaultKeyFile } from "./keys.js";
import { acquireLock, DEFAULT_LOCK_WAIT_MS } from "./lock.js";
import { listPoints } from "./points.js";
import type { EngineVault } from "./types.js";

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

const keyPath = (v: EngineVault) => path.join(v.path, VAULT_KEY_OBJECT);
const sourceOf = (v: EngineVault, machineKeyFile?: string): KeySource => ({ encryption: v.encryption, vaultName: v.name, machineKeyFile: machineKeyFile ?? defaultMachineKeyFile() });
const wrapper = (src: KeySource) => (src.encryption.kind === "customer-key" ? src.encryption.keyFile : src.machineKeyFile);

function readKeyFile(v: EngineVault): VaultKeyFile {
  try {
    return JSON.parse(fs.readFileSync(keyPath(v), "utf8")) as VaultKeyFile;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") throw new EngineError(ErrorCodes.VAULT_MISSING, `vault "${v.name}" has no key yet: ${v.path} is not a bkp vault (its first \`bkp backup\` creates it)`);
    throw e;
  }
}

/** Writes the key file atomically (a torn key file would lose the vault). */
function writeKeyFile(v: EngineVault, file: VaultKeyFile): void {
  const tmp = `${keyPath(v)}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(file, undefined, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, keyPath(v));
}

/** The vault key wrapped by `secret`, as a key file (the format `openVaultKey` reads). */
function wrapped(secret: Buffer, master: Buffer, kind: VaultKeyFile["kind"], createdAt: string): VaultKeyFile {
  const salt = randomBytes(16);
  const { nonce, wrapped: w } = wrapKey(hkdf(secret, salt, "bkp/v1/key-wrap"), master, `bkp-vault-key/${kind}`);
  return { format: "bkp-vault-key", version: 1, kind, salt: salt.toString("base64"), nonce, wrapped: w, createdAt };
}

export function keyInfo(v: EngineVault, machineKeyFile?: string): KeyInfo {
  const src = sourceOf(v, machineKeyFile);
  const file = readKeyFile(v);
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
export function exportKey(v: EngineVault, out: string, machineKeyFile?: string): void {
  const master = openVaultKey(sourceOf(v, machineKeyFile), readKeyFile(v));
  try {
    fs.writeFileSync(out, master.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if (errnoCode(e) === "EEXIST") throw new EngineError(ErrorCodes.KEY_INVALID, `${out} already exists; bkp key export never overwrites a key file: name a new file`);
    throw e;
  }
}

/** Whether the vault has stored data (packs), so that it must have recovery points to list. */
function holdsData(v: EngineVault): boolean {
  try {
    return fs.readdirSync(path.join(v.path, "packs")).length > 0;
  } catch {
    return false;
  }
}

/** Re-wraps the vault key with `secret`, under the vault's lock; checks the vault still opens. */
async function rewrap(v: EngineVault, master: Buffer, secret: Buffer, src: KeySource, now: Date): Promise<void> {
  const lock = await acquireLock(v.path, "key", DEFAULT_LOCK_WAIT_MS);
  const before = fs.readFileSync(keyPath(v));
  try {
    const old = JSON.parse(before.toString("utf8")) as VaultKeyFile;
    writeKeyFile(v, wrapped(secret, master, old.kind, old.createdAt));
    // The recovery points must decrypt with the key as now wrapped, or nothing changes.
    // A wrong vault key finds no point (their names are keyed by it): a vault holding data must list some.
    const points = await listPoints({ ...v, encryption: src.encryption }, {}, { machineKeyFile: src.machineKeyFile, now: () => now }).catch(() => undefined);
    if (points === undefined || (points.length === 0 && holdsData(v))) {
      fs.writeFileSync(keyPath(v), before);
      throw new EngineError(ErrorCodes.KEY_WRONG, `that key does not open vault "${v.name}": none of its recovery points decrypt with it; the vault's key is unchanged`);
    }
  } finally {
    lock.release();
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
  const master = openVaultKey(src, readKeyFile(v));
  const secret = src.encryption.kind === "customer-key" ? parseKeyBytes(fs.readFileSync(to), to) : loadMachineSecret(to, true)!;
  const next: KeySource = src.encryption.kind === "customer-key" ? { ...src, encryption: { kind: "customer-key", keyFile: to } } : { ...src, machineKeyFile: to };
  await rewrap(v, master, secret, next, now);
}
