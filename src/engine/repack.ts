// Prune's repacking (docs/vault-format.md, "Prune"): a pack whose live chunks take less than
// REPACK_BELOW of its bytes is rewritten — its live chunks are copied into new packs, the new
// packs and their indexes are committed, and only then is the old pack's index, then the old
// pack, deleted. A crash at any point leaves every live chunk in at least one indexed pack
// (for a while in two, which readers tolerate: the first index listed wins, both copies hold the
// same bytes). Each chunk copied is first authenticated (AES-GCM with its id as AAD): a damaged
// chunk is never copied, and its pack is then kept as it is.
import { openChunk } from "./vault/crypto.js";
import { PackWriter, indexObjectName, packObjectName } from "./vault/chunk-store.js";
import type { PackEntry } from "./vault/chunk-store.js";
import type { OpenVault } from "./vault/vault.js";

/** A partly-live pack is repacked when its live chunks are under this share of its bytes (its dead chunks are 20 % or more). */
export const REPACK_BELOW = 0.8;
/** New packs are closed at this size, like a backup's. */
const PACK_TARGET = 64 * 1024 * 1024;

export interface RepackCandidate {
  pack: string;
  size: number;
  live: PackEntry[];
}

export interface RepackOutcome {
  packsRepacked: number;
  /** Bytes of old packs deleted, minus the bytes of the new packs written. */
  bytesFreed: number;
  bytesCopied: number;
  /** Packs kept as they were, and why (a live chunk failed authentication). */
  skipped: { pack: string; problem: string }[];
}

export async function repackPacks(v: OpenVault, candidates: readonly RepackCandidate[]): Promise<RepackOutcome> {
  const out: RepackOutcome = { packsRepacked: 0, bytesFreed: 0, bytesCopied: 0, skipped: [] };
  if (!candidates.length) return out;
  let written = 0;
  const writer = new PackWriter(v.storage, v.keys.enc, PACK_TARGET, (p) => (written += p.size));
  const copied = new Set<string>();
  const done: RepackCandidate[] = [];
  try {
    for (const c of candidates) {
      // Through the vault's storage (a directory or a blob container), chunk by chunk.
      try {
        for (const e of [...c.live].sort((a, b) => a.offset - b.offset)) {
          const id = e.id.toString("hex");
          if (copied.has(id)) continue;
          const rec = await v.storage.read(packObjectName(c.pack), e.offset, e.length);
          if (rec.length !== e.length) throw new Error(`chunk ${id.slice(0, 16)}… is cut short`);
          const { codec, data } = openChunk(v.keys.enc, e.id, rec);
          await writer.append(e.id, codec, data, e.rawLength);
          copied.add(id);
          out.bytesCopied += e.length;
        }
        done.push(c);
      } catch (err) {
        out.skipped.push({ pack: c.pack, problem: err instanceof Error ? err.message : String(err) });
      }
    }
    // New packs and their indexes are durable before any old one goes.
    await writer.flush();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  for (const c of done) {
    await v.storage.delete(indexObjectName(c.pack));
    await v.storage.delete(packObjectName(c.pack));
    out.packsRepacked++;
    out.bytesFreed += c.size;
  }
  out.bytesFreed -= written;
  return out;
}
