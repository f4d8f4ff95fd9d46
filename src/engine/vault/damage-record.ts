// The vault's damage record: chunk copies found damaged (by `verify --read-data`, a restore,
// or `bkp repair`), so later backups re-store those blocks from the image instead of pointing new
// points at a damaged copy, and readers prefer another, intact copy. A sealed object
// (AAD = its name); an unreadable record counts as empty (the next finder writes it anew).
import { openObject, sealObject } from "./crypto.js";
import type { Storage } from "./storage.js";
import { errnoCode } from "../errors.js";

export const DAMAGE_OBJECT = "damage";

export interface DamagedChunk {
  /** Chunk id (hex). */
  id: string;
  /** Pack holding the damaged copy. */
  pack: string;
  problem: string;
  foundAt: string;
  /** The command that found it: "verify", "restore", "repair". */
  by: string;
}

export interface DamageRecord {
  format: "bkp-damage";
  version: 1;
  chunks: DamagedChunk[];
}

const empty = (): DamageRecord => ({ format: "bkp-damage", version: 1, chunks: [] });

export const locationKey = (pack: string, id: string) => `${pack}:${id}`;

export async function readDamageRecord(storage: Storage, enc: Buffer): Promise<DamageRecord> {
  let raw: Buffer;
  try {
    raw = await storage.get(DAMAGE_OBJECT);
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return empty();
    throw e;
  }
  try {
    const r = JSON.parse(openObject(enc, DAMAGE_OBJECT, raw).toString("utf8")) as DamageRecord;
    return r.format === "bkp-damage" && r.version === 1 && Array.isArray(r.chunks) ? r : empty();
  } catch {
    return empty();
  }
}

/** Adds damaged chunk copies to the record (re-read first, so a concurrent finder's entries stay). */
export async function recordDamage(storage: Storage, enc: Buffer, found: readonly Omit<DamagedChunk, "foundAt" | "by">[], by: string, now: Date): Promise<void> {
  if (!found.length) return;
  const rec = await readDamageRecord(storage, enc);
  const known = new Set(rec.chunks.map((c) => locationKey(c.pack, c.id)));
  let added = 0;
  for (const f of found) {
    if (known.has(locationKey(f.pack, f.id))) continue;
    known.add(locationKey(f.pack, f.id));
    rec.chunks.push({ ...f, foundAt: now.toISOString(), by });
    added++;
  }
  if (added) await writeDamageRecord(storage, enc, rec);
}

export async function writeDamageRecord(storage: Storage, enc: Buffer, rec: DamageRecord): Promise<void> {
  await storage.put(DAMAGE_OBJECT, sealObject(enc, DAMAGE_OBJECT, Buffer.from(JSON.stringify(rec))));
}
