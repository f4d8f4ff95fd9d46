// Vault keys. DOMAIN §3: platform-managed key (generated, wrapped by a machine secret) or
// customer-managed key (a key file the user supplies; without it nothing is readable).
// Both wrap a random 32-byte vault key kept in <vault>/keys/vault.key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, errnoCode } from "../errors.js";
import { hkdf, unwrapKey, wrapKey } from "./crypto.js";
import type { EngineEncryption } from "../types.js";

export const VAULT_KEY_OBJECT = "keys/vault.key";

export interface VaultKeyFile {
  format: "bkp-vault-key";
  version: 1;
  kind: EngineEncryption["kind"];
  /** base64 salt for HKDF of the wrapping key */
  salt: string;
  nonce: string;
  wrapped: string;
  createdAt: string;
  /**
   * SHA-256 (hex) of kind, salt, nonce and wrapped key: tells a damaged key file from a wrong
   * secret without the secret. Absent in key files written before it existed.
   */
  digest?: string;
}

function keyFileDigest(f: Pick<VaultKeyFile, "kind" | "salt" | "nonce" | "wrapped">): string {
  return createHash("sha256").update(`bkp-vault-key|${f.kind}|${f.salt}|${f.nonce}|${f.wrapped}`).digest("hex");
}

const b64Bytes = (s: unknown): number => (typeof s === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(s) ? Buffer.from(s, "base64").length : -1);

/**
 * Parses a key file's bytes; a file that is not a well-formed bkp key file (bytes altered,
 * truncated) is KEY_FILE_DAMAGED, never reported as a wrong secret.
 */
export function parseKeyFile(raw: Buffer, where: string): VaultKeyFile {
  const damaged = (why: string) =>
    new EngineError(ErrorCodes.KEY_FILE_DAMAGED, `the vault's key file ${where} is damaged (${why}). Run \`bkp repair\` to restore it from its copy (keys/vault.key.copy).`);
  let f: VaultKeyFile;
  try {
    f = JSON.parse(raw.toString("utf8")) as VaultKeyFile;
  } catch {
    throw damaged("it is not valid JSON");
  }
  if (typeof f !== "object" || f === null || f.format !== "bkp-vault-key" || f.version !== 1) throw damaged("its format or version field is wrong");
  if (f.kind !== "platform-key" && f.kind !== "customer-key") throw damaged("its kind field is wrong");
  if (b64Bytes(f.salt) !== 16 || b64Bytes(f.nonce) !== 12 || b64Bytes(f.wrapped) !== 48) throw damaged("its salt, nonce or wrapped key has the wrong length");
  if (f.digest !== undefined && f.digest !== keyFileDigest(f)) throw damaged("its digest does not match its contents");
  return f;
}

export function defaultMachineKeyFile(): string {
  const env = process.env.BKP_MACHINE_SECRET;
  if (env) return path.resolve(env);
  return path.join(os.homedir(), ".config", "bkp", "machine.key");
}

function notAFile(file: string, what: string): EngineError {
  return new EngineError(ErrorCodes.KEY_INVALID, `the ${what} ${file} is a directory, not a key file. Point it at the file that holds the key.`);
}

/**
 * A warning when a key file can be read by others than its owner (as ssh does for private
 * keys): the key is the vault's only protection. Undefined when the file is private or absent.
 */
export function keyFileModeWarning(file: string, what: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || (st.mode & 0o077) === 0) return undefined;
    return `the ${what} ${file} is readable by others (mode ${(st.mode & 0o777).toString(8).padStart(4, "0")}): anyone who can read it can decrypt the vault. Run: chmod 600 ${file}`;
  } catch {
    return undefined;
  }
}

/** The file whose key wraps the vault key, and what to call it in messages. */
export function secretFileOf(src: KeySource): { file: string; what: string } {
  return src.encryption.kind === "customer-key" ? { file: src.encryption.keyFile, what: "customer key file" } : { file: src.machineKeyFile, what: "machine secret" };
}

/** Reads the machine secret, creating it (0600, folder 0700) when missing. */
export function loadMachineSecret(file: string, create: boolean): Buffer | undefined {
  try {
    return parseKeyBytes(fs.readFileSync(file), file);
  } catch (e) {
    if (errnoCode(e) === "EISDIR") throw notAFile(file, "machine secret");
    if (errnoCode(e) !== "ENOENT") throw e;
  }
  if (!create) return undefined;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(32);
  try {
    fs.writeFileSync(file, secret.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    // Another process created it first: use theirs.
    if (errnoCode(e) === "EEXIST") return parseKeyBytes(fs.readFileSync(file), file);
    throw e;
  }
  return secret;
}

/**
 * Accepted key file contents: exactly 32 raw bytes, or text (surrounding whitespace ignored)
 * of 64 hex digits or base64/base64url of 32 bytes.
 */
export function parseKeyBytes(content: Buffer, file: string): Buffer {
  if (content.length === 32) return Buffer.from(content);
  const text = content.toString("utf8").trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const b = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    if (b.length === 32) return b;
  }
  throw new EngineError(
    ErrorCodes.KEY_INVALID,
    `key file ${file} does not hold a 256-bit key: it must contain exactly 32 random bytes, ` +
      `or 64 hex digits, or the base64 of 32 bytes. Create one with: head -c 32 /dev/urandom > ${file} && chmod 600 ${file}`,
  );
}

export interface KeySource {
  encryption: EngineEncryption;
  vaultName: string;
  machineKeyFile: string;
}

/** The secret that wraps the vault key, per the vault's encryption kind. */
function wrappingSecret(src: KeySource, creating: boolean): Buffer {
  const enc = src.encryption;
  if (enc.kind === "customer-key") {
    let content: Buffer;
    try {
      content = fs.readFileSync(enc.keyFile);
    } catch (e) {
      if (errnoCode(e) === "EISDIR") throw notAFile(enc.keyFile, "customer key file");
      if (errnoCode(e) === "ENOENT" || errnoCode(e) === "EACCES") {
        throw new EngineError(
          ErrorCodes.KEY_MISSING,
          `cannot read the customer key file ${enc.keyFile} (${errnoCode(e)}): vault "${src.vaultName}" uses a customer-managed key, ` +
            `and without it nothing in the vault can be ${creating ? "written" : "read"}. ` +
            `Point the vault's \`encryption customer-key "..."\` at the key file` +
            (creating ? `, or create one: head -c 32 /dev/urandom > ${enc.keyFile} && chmod 600 ${enc.keyFile}` : ""),
          { cause: e },
        );
      }
      throw e;
    }
    return parseKeyBytes(content, enc.keyFile);
  }
  const secret = loadMachineSecret(src.machineKeyFile, creating);
  if (!secret) {
    throw new EngineError(
      ErrorCodes.KEY_MISSING,
      `the machine secret ${src.machineKeyFile} is missing: vault "${src.vaultName}" uses a platform-managed key wrapped by ` +
        `the secret of the machine that created it. Run on that machine, or set BKP_MACHINE_SECRET to a copy of its secret file.`,
    );
  }
  return secret;
}

/** Creates a new vault key and its key file contents. */
export function createVaultKey(src: KeySource, now: Date): { master: Buffer; file: VaultKeyFile } {
  const secret = wrappingSecret(src, true);
  const salt = randomBytes(16);
  const master = randomBytes(32);
  const { nonce, wrapped } = wrapKey(hkdf(secret, salt, "bkp/v1/key-wrap"), master, `bkp-vault-key/${src.encryption.kind}`);
  return {
    master,
    file: withDigest({ format: "bkp-vault-key", version: 1, kind: src.encryption.kind, salt: salt.toString("base64"), nonce, wrapped, createdAt: now.toISOString() }),
  };
}

export function withDigest(f: VaultKeyFile): VaultKeyFile {
  return { ...f, digest: keyFileDigest(f) };
}

/** Opens the vault key; throws a clear error for a missing or wrong key. */
export function openVaultKey(src: KeySource, file: VaultKeyFile): Buffer {
  if (file.kind !== src.encryption.kind) {
    throw new EngineError(
      ErrorCodes.ENCRYPTION_MISMATCH,
      `vault "${src.vaultName}" was created with encryption ${file.kind}, but the policy says ${src.encryption.kind}. ` +
        `The encryption of an existing vault cannot change; restore the policy's encryption setting or use a new vault path.`,
    );
  }
  const secret = wrappingSecret(src, false);
  const master = unwrapKey(hkdf(secret, Buffer.from(file.salt, "base64"), "bkp/v1/key-wrap"), file.nonce, file.wrapped, `bkp-vault-key/${file.kind}`);
  if (!master) {
    const which = src.encryption.kind === "customer-key" ? `the customer key file ${src.encryption.keyFile}` : `the machine secret ${src.machineKeyFile}`;
    throw new EngineError(
      ErrorCodes.KEY_WRONG,
      `${which} does not open vault "${src.vaultName}" (key authentication failed): it is not the key the vault was created with. ` +
        `Use the original key; without it the vault's data cannot be read.`,
    );
  }
  return master;
}
