// Packs read on their own, without their index object: the header and the trailer (the pack's
// own copy of its index). A pack at its final name was committed whole (written to a temporary
// name, fsynced, renamed), so a pack without an index object is one whose index was lost or not
// yet written when a backup was killed: its index is rebuilt from the trailer, never the pack
// deleted (a committed point may reference its chunks).
import { openObject, sealObject } from "./crypto.js";
import { PACK_END, PACK_MAGIC, decodePackIndex, encodePackIndex, indexObjectName, packIdOfName } from "./chunk-store.js";
import type { PackEntry } from "./chunk-store.js";
import type { Storage } from "./storage.js";
import { describe } from "../errors.js";

export interface PackTrailer {
  pack: string;
  size: number;
  entries: PackEntry[];
}

/** Reads and checks a pack's header and trailer; throws with what is wrong. */
export async function readPackTrailer(storage: Storage, enc: Buffer, name: string): Promise<PackTrailer> {
  const pack = packIdOfName(name);
  const size = await storage.size(name);
  if (size === undefined) throw new Error("pack file is missing");
  const tailLen = 4 + PACK_END.length;
  if (size < PACK_MAGIC.length + tailLen) throw new Error(`pack file is truncated (${size} bytes)`);
  const head = await storage.read(name, 0, PACK_MAGIC.length);
  if (!head.equals(PACK_MAGIC)) throw new Error("pack header is damaged");
  const tail = await storage.read(name, size - tailLen, tailLen);
  if (!tail.subarray(4).equals(PACK_END)) throw new Error("pack end marker is damaged or the pack is truncated");
  const len = tail.readUInt32LE(0);
  if (len > size - PACK_MAGIC.length - tailLen) throw new Error("pack trailer length is damaged");
  let plain: Buffer;
  try {
    plain = openObject(enc, `pack-trailer/${pack}`, await storage.read(name, size - tailLen - len, len));
  } catch (e) {
    throw new Error(`pack trailer does not authenticate (${describe(e)})`);
  }
  const idx = decodePackIndex(plain);
  if (idx.pack !== pack) throw new Error("pack trailer names another pack");
  return { pack, size, entries: idx.entries };
}

export interface IndexRebuild {
  rebuilt: PackTrailer[];
  /** Index-less packs whose trailer cannot be read: kept, their chunks unknown. */
  unreadable: { object: string; problem: string }[];
}

/**
 * Rebuilds the index object of every pack that has none, from its trailer (only the writer-lock
 * holder, and not with `write: false`, writes). Never deletes anything.
 */
export async function rebuildMissingIndexes(storage: Storage, enc: Buffer, write: boolean): Promise<IndexRebuild> {
  const indexed = new Set((await storage.list("index")).map(packIdOfName));
  const out: IndexRebuild = { rebuilt: [], unreadable: [] };
  for (const name of await storage.list("packs")) {
    const pack = packIdOfName(name);
    if (indexed.has(pack)) continue;
    try {
      const t = await readPackTrailer(storage, enc, name);
      if (write) await storage.put(indexObjectName(pack), sealObject(enc, indexObjectName(pack), encodePackIndex(pack, t.size, t.entries)));
      out.rebuilt.push(t);
    } catch (e) {
      out.unreadable.push({ object: name, problem: describe(e) });
    }
  }
  return out;
}
