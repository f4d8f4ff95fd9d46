// Fast non-cryptographic 128-bit block hash (xxh3-128, WebAssembly) for change detection.
// DOMAIN §1.7 / §4: "checksums identify blocks changed since the last backup"; this runs at
// memory speed so the keyed SHA-256 id is only computed for blocks that changed.
import { createXXHash128 } from "hash-wasm";
import type { IHasher } from "hash-wasm";

export type FastHasher = (data: Uint8Array) => Buffer;

export async function createFastHasher(): Promise<FastHasher> {
  const h: IHasher = await createXXHash128();
  return (data) => {
    h.init();
    h.update(data);
    return Buffer.from(h.digest("binary"));
  };
}
