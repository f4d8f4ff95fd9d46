// Azure Disk Encryption keys in recovery points (DOMAIN §3): each point of an ADE VM keeps its
// BEK (the disk encryption secret), encrypted. With a KEK the BEK is wrapped by it, so only a
// holder of the KEK can get the BEK back — not the vault key alone ("neither unauthorised users
// nor the service can read them"); a BEK without KEK is protected by the vault key only (the
// sealed manifest it lives in). The KEK itself is never stored.
import fs from "node:fs";
import path from "node:path";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, errnoCode } from "./errors.js";
import { NONCE_BYTES, TAG_BYTES, hkdf } from "./vault/crypto.js";
import { fsyncDirSync } from "./vault/storage.js";

/** A BEK is a small secret (a BitLocker .BEK file or a dm-crypt key file); larger is a mistake. */
export const MAX_BEK_BYTES = 64 * 1024;

/** How a point's BEK is kept (`ade` of the manifest, docs/vault-format.md). */
export interface ManifestAde {
  /** Base name of the BEK file at backup: restore writes `<keys dir>/<bekName>`. */
  bekName: string;
  bekBytes: number;
  /** "kek": wrapped by a key derived from the KEK file (and sealed in the manifest); "vault-key": sealed in the manifest only. */
  wrap: "kek" | "vault-key";
  /** Base name of the KEK file at backup, for messages only (the KEK is never stored). */
  kekName?: string;
  /** base64, wrap "kek": HKDF salt (16 bytes) and GCM nonce (12 bytes). */
  salt?: string;
  nonce?: string;
  /** base64: the BEK itself (vault-key), or AES-256-GCM(BEK) ‖ tag (kek). */
  data: string;
}

/** The key files read at the start of a backup, before the vault is touched. */
export interface AdeSource {
  bekFile: string;
  bek: Buffer;
  kekFile?: string;
  kek?: Buffer;
}

function readKeyFile(vm: string, what: "BEK" | "KEK", file: string): Buffer {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch (e) {
    throw new EngineError(
      ErrorCodes.ADE_KEY_FILE,
      `VM "${vm}" uses Azure Disk Encryption, but its ${what} file ${file} cannot be read (${errnoCode(e) ?? String(e)}). ` +
        `Without it the point could not re-create the disk's keys (docs/domain.md#encryption), so no recovery point was written. ` +
        `Fix the \`encryption ade { ${what.toLowerCase()} "..." }\` path.`,
      { cause: e },
    );
  }
  if (b.length === 0 || (what === "BEK" && b.length > MAX_BEK_BYTES)) {
    throw new EngineError(
      ErrorCodes.ADE_KEY_FILE,
      `VM "${vm}": the ${what} file ${file} is ${b.length === 0 ? "empty" : `${b.length} bytes, more than the ${MAX_BEK_BYTES} a key file can be`}; ` +
        `no recovery point was written. Point \`encryption ade\` at the real key file.`,
    );
  }
  return b;
}

/** Reads the VM's BEK (and KEK) up front: a missing key file fails the backup before any work. */
export function readAdeSource(vm: string, ade: { bek: string; kek?: string }): AdeSource {
  const bek = readKeyFile(vm, "BEK", ade.bek);
  if (ade.kek === undefined) return { bekFile: ade.bek, bek };
  return { bekFile: ade.bek, bek, kekFile: ade.kek, kek: readKeyFile(vm, "KEK", ade.kek) };
}

// The wrapped BEK is bound to its VM and point: a wrapped BEK copied into another point's
// manifest fails to unwrap instead of handing out the wrong key.
const aad = (vm: string, point: string) => Buffer.from(`bkp-ade-bek/v1/${vm}/${point}`);

/** The KEK file's bytes (whatever its format: raw, PEM, JWK) become an AES-256 key by HKDF. */
const kekKey = (kek: Uint8Array, salt: Uint8Array) => hkdf(kek, salt, "bkp/v1/ade-kek");

/** The manifest record of a point's BEK. */
export function sealAde(src: AdeSource, vm: string, point: string): ManifestAde {
  const bekName = path.basename(src.bekFile);
  if (!src.kek || !src.kekFile) return { bekName, bekBytes: src.bek.length, wrap: "vault-key", data: src.bek.toString("base64") };
  const salt = randomBytes(16);
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv("aes-256-gcm", kekKey(src.kek, salt), nonce);
  c.setAAD(aad(vm, point));
  const data = Buffer.concat([c.update(src.bek), c.final(), c.getAuthTag()]);
  return {
    bekName,
    bekBytes: src.bek.length,
    wrap: "kek",
    kekName: path.basename(src.kekFile),
    salt: salt.toString("base64"),
    nonce: nonce.toString("base64"),
    data: data.toString("base64"),
  };
}

/**
 * The BEK of a point. A KEK-wrapped BEK needs the KEK file: not given or unreadable → refused
 * (ADE_KEK_NEEDED), not the KEK it was wrapped with → ADE_KEK_WRONG. Nothing is written here.
 */
export function openAde(rec: ManifestAde, vm: string, point: string, kekFile: string | undefined): Buffer {
  if (rec.wrap === "vault-key") return Buffer.from(rec.data, "base64");
  if (kekFile === undefined) {
    throw new EngineError(
      ErrorCodes.ADE_KEK_NEEDED,
      `point ${point} of VM "${vm}" holds its BEK wrapped by a KEK (${rec.kekName ?? "the VM's kek"}); only a holder of the KEK may restore it (docs/domain.md#encryption). ` +
        `Give the KEK with --kek FILE. No key was written.`,
    );
  }
  let kek: Buffer;
  try {
    kek = fs.readFileSync(kekFile);
  } catch (e) {
    throw new EngineError(
      ErrorCodes.ADE_KEK_NEEDED,
      `point ${point} of VM "${vm}" holds its BEK wrapped by a KEK, and the KEK file ${kekFile} cannot be read (${errnoCode(e) ?? String(e)}); ` +
        `only a holder of the KEK may restore the BEK (docs/domain.md#encryption). Give the KEK with --kek FILE. No key was written.`,
      { cause: e },
    );
  }
  const ct = Buffer.from(rec.data, "base64");
  try {
    const d = createDecipheriv("aes-256-gcm", kekKey(kek, Buffer.from(rec.salt ?? "", "base64")), Buffer.from(rec.nonce ?? "", "base64"));
    d.setAAD(aad(vm, point));
    d.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - TAG_BYTES)), d.final()]);
  } catch (e) {
    throw new EngineError(
      ErrorCodes.ADE_KEK_WRONG,
      `the KEK file ${kekFile} is not the KEK that wrapped the BEK of point ${point} of VM "${vm}" (${rec.kekName ?? "kek"} at backup; key authentication failed). ` +
        `Use the KEK the VM had when the point was taken. No key was written.`,
      { cause: e },
    );
  }
}

/** Where the BEK of a point goes in a keys folder. */
export function bekTarget(dir: string, rec: ManifestAde): string {
  return path.join(dir, rec.bekName.replace(/[^A-Za-z0-9._-]/g, "_") || "bek");
}

/** Writes the BEK into `dir` (mode 0600: it is a secret), atomically; refuses to overwrite unless asked. */
export function writeBek(dir: string, rec: ManifestAde, bek: Uint8Array, overwrite: boolean): string {
  const target = bekTarget(dir, rec);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!overwrite && fs.existsSync(target)) {
    throw new EngineError(ErrorCodes.TARGET_EXISTS, `restoring the BEK would overwrite ${target}; nothing was written. Choose another --keys folder, or allow overwriting (--force).`);
  }
  const tmp = `${target}.bkp-partial`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, bek);
    fs.fchmodSync(fd, 0o600);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, target);
  fsyncDirSync(dir);
  return target;
}
