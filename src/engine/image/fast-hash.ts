// Fast non-cryptographic 128-bit block hash (xxh3-128, WebAssembly) for change detection.
// DOMAIN §1.7 / §4: "checksums identify blocks changed since the last backup"; this runs at
// memory speed so the keyed SHA-256 id is only computed for blocks that changed.
import type { IHasher } from "hash-wasm";

export type FastHasher = (data: Uint8Array) => Buffer;

type HashWasm = typeof import("hash-wasm");

export async function createFastHasher(): Promise<FastHasher> {
  // Loaded when a hasher is first made: hash-wasm carries every algorithm's WebAssembly, and
  // a backup that finds every image unchanged hashes nothing (−2 ms of startup, docs/benchmarks.md).
  // Its UMD build comes as a CommonJS module: the functions are on `default` when bundled.
  const mod: HashWasm & { default?: HashWasm } = await import("hash-wasm");
  const { createXXHash128 } = mod.default ?? mod;
  const h: IHasher = await createXXHash128();
  return (data) => {
    h.init();
    h.update(data);
    return Buffer.from(h.digest("binary"));
  };
}
