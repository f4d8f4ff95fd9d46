// Vault cryptography: sub-keys derived from the vault key, keyed ids, AES-256-GCM sealing.
// DOMAIN §3: backups are encrypted at rest; ids are keyed so they don't reveal which
// plaintexts are equal to someone without the key.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";

export interface VaultKeys {
  /** HMAC-SHA-256 key for chunk ids. */
  chunkId: Buffer;
  /** HMAC-SHA-256 key for block-map page ids. */
  mapId: Buffer;
  /** HMAC key that turns VM names into folder names. */
  name: Buffer;
  /** AES-256-GCM key for everything stored. */
  enc: Buffer;
}

export function deriveKeys(master: Uint8Array): VaultKeys {
  const sub = (info: string) => Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `bkp/v1/${info}`, 32));
  return { chunkId: sub("chunk-id"), mapId: sub("map-id"), name: sub("name"), enc: sub("enc") };
}

/** Keys as plain arrays for workerData (Buffers survive structured clone as Uint8Array). */
export function keysFromTransfer(k: Record<keyof VaultKeys, Uint8Array>): VaultKeys {
  return { chunkId: Buffer.from(k.chunkId), mapId: Buffer.from(k.mapId), name: Buffer.from(k.name), enc: Buffer.from(k.enc) };
}

export function hmac(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
}

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** nonce + codec byte + tag */
export const CHUNK_OVERHEAD = NONCE_BYTES + 1 + TAG_BYTES;

/**
 * Encrypts a chunk: returns the pieces to write one after another
 * (nonce | ciphertext of [codec byte, data] | tag), so no joined copy is made.
 */
export function sealChunk(enc: Uint8Array, id: Uint8Array, codec: number, data: Uint8Array): Buffer[] {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv("aes-256-gcm", enc, nonce);
  c.setAAD(id);
  const head = c.update(Buffer.of(codec));
  const body = c.update(data);
  const fin = c.final();
  return fin.length ? [nonce, head, body, fin, c.getAuthTag()] : [nonce, head, body, c.getAuthTag()];
}

/** Decrypts a chunk record; throws on any tampering (GCM authentication). */
export function openChunk(enc: Uint8Array, id: Uint8Array, record: Uint8Array): { codec: number; data: Buffer } {
  if (record.length < CHUNK_OVERHEAD) throw new Error("chunk record too short");
  const nonce = record.subarray(0, NONCE_BYTES);
  const tag = record.subarray(record.length - TAG_BYTES);
  const d = createDecipheriv("aes-256-gcm", enc, nonce);
  d.setAAD(id);
  d.setAuthTag(tag);
  const plain = d.update(record.subarray(NONCE_BYTES, record.length - TAG_BYTES));
  d.final();
  return { codec: plain[0], data: plain.subarray(1) };
}

const OBJ_MAGIC = Buffer.from("BKPE1");

/** Seals a small object (manifest, block map, index); its name is bound in as AAD so objects can't be swapped. */
export function sealObject(enc: Uint8Array, name: string, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv("aes-256-gcm", enc, nonce);
  c.setAAD(Buffer.from(name));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([OBJ_MAGIC, nonce, ct, c.getAuthTag()]);
}

export function openObject(enc: Uint8Array, name: string, sealed: Uint8Array): Buffer {
  const m = OBJ_MAGIC.length;
  if (sealed.length < m + NONCE_BYTES + TAG_BYTES || !Buffer.from(sealed.subarray(0, m)).equals(OBJ_MAGIC)) {
    throw new Error("not a sealed bkp object (wrong header or truncated)");
  }
  const nonce = sealed.subarray(m, m + NONCE_BYTES);
  const d = createDecipheriv("aes-256-gcm", enc, nonce);
  d.setAAD(Buffer.from(name));
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([d.update(sealed.subarray(m + NONCE_BYTES, sealed.length - TAG_BYTES)), d.final()]);
  } catch {
    // GCM's own message ("Unsupported state or unable to authenticate data") names no cause.
    throw new Error("authentication failed: its bytes were altered or truncated, or it was written under another name or vault key");
  }
}

/** Wraps (encrypts) a key with a wrapping key; used for the vault key file. */
export function wrapKey(wrapping: Uint8Array, key: Uint8Array, aad: string): { nonce: string; wrapped: string } {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv("aes-256-gcm", wrapping, nonce);
  c.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([c.update(key), c.final(), c.getAuthTag()]);
  return { nonce: nonce.toString("base64"), wrapped: ct.toString("base64") };
}

/** Returns undefined when the wrapping key is wrong (authentication fails). */
export function unwrapKey(wrapping: Uint8Array, nonceB64: string, wrappedB64: string, aad: string): Buffer | undefined {
  const ct = Buffer.from(wrappedB64, "base64");
  if (ct.length < TAG_BYTES) return undefined;
  try {
    const d = createDecipheriv("aes-256-gcm", wrapping, Buffer.from(nonceB64, "base64"));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(ct.subarray(ct.length - TAG_BYTES));
    return Buffer.concat([d.update(ct.subarray(0, ct.length - TAG_BYTES)), d.final()]);
  } catch {
    return undefined;
  }
}

export function hkdf(secret: Uint8Array, salt: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, salt, info, 32));
}
