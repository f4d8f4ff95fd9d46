// Recovery point manifests: one encrypted object per point, committed LAST, so a point exists
// only once everything it references is durable.
import { randomBytes } from "node:crypto";
import { hmac, openObject, sealObject } from "./crypto.js";
import type { Storage } from "./storage.js";
import { errnoCode } from "../errors.js";
import type { ChangeDetection, Consistency } from "../types.js";
import type { VhdRecord } from "../image/vhd.js";
import type { ManifestAde } from "../ade.js";

export interface SourceStat {
  path: string;
  size: number;
  /** Nanosecond timestamps and ids as decimal strings (bigint precision). */
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
  /** The image is a block device: size found by reading, never skipped as unchanged. */
  blockDevice?: boolean;
}

export interface ManifestDisk {
  name: string;
  imageBytes: number;
  source: SourceStat;
  detection: ChangeDetection;
  /** Block map page object names, in disk order. */
  maps: string[];
  /** Set when the image was a VHD: imageBytes is its virtual size; restore writes the same kind. */
  vhd?: VhdRecord;
  stats: { bytesRead: number; bytesChanged: number; bytesStored: number; bytesZero: number; newChunks: number; dedupedChunks: number; deltaChunks?: number };
}

export interface Manifest {
  format: "bkp-point";
  version: 1;
  id: string;
  vm: string;
  vault: string;
  /** Per-VM sequence number: 1 + the parent's; orders points even with equal clocks. */
  seq: number;
  parent?: string;
  createdAt: string;
  consistency: Consistency;
  blockSize: number;
  pageBlocks: number;
  disks: ManifestDisk[];
  /** The VM's ADE BEK, encrypted (DOMAIN §3); absent for VMs without `encryption ade`. */
  ade?: ManifestAde;
}

export function vmFolder(nameKey: Uint8Array, vm: string): string {
  // Keyed so the vault's listing doesn't reveal VM names.
  return hmac(nameKey, Buffer.from(`vm:${vm}`)).toString("hex").slice(0, 32);
}

export const pointObjectName = (folder: string, id: string) => `points/${folder}/${id}`;

export function newPointId(at: Date): string {
  const iso = at.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return `${iso}-${randomBytes(3).toString("hex")}`;
}

export async function writeManifest(storage: Storage, enc: Buffer, nameKey: Buffer, m: Manifest): Promise<void> {
  const name = pointObjectName(vmFolder(nameKey, m.vm), m.id);
  await storage.put(name, sealObject(enc, name, Buffer.from(JSON.stringify(m))));
}

export function parseManifest(enc: Buffer, name: string, raw: Buffer): Manifest {
  const m = JSON.parse(openObject(enc, name, raw).toString("utf8")) as Manifest;
  if (m.format !== "bkp-point" || m.version !== 1) throw new Error(`unsupported point format ${String(m.format)} v${String(m.version)}`);
  if (name.slice(name.lastIndexOf("/") + 1) !== m.id) throw new Error("manifest names another point");
  return m;
}

export interface ManifestRead {
  name: string;
  manifest?: Manifest;
  problem?: string;
}

/**
 * Reads the manifests of one VM (or all). Unreadable ones come back with a problem; one deleted
 * between the listing and its read (a prune expired it, seen by a reader without a read lock,
 * such as `bkp points`) is gone, not damaged, and is left out.
 */
export async function readManifests(storage: Storage, enc: Buffer, nameKey: Buffer, vm?: string): Promise<ManifestRead[]> {
  const names = await storage.list(vm === undefined ? "points" : `points/${vmFolder(nameKey, vm)}`);
  const out: ManifestRead[] = [];
  for (const name of names) {
    try {
      out.push({ name, manifest: parseManifest(enc, name, await storage.get(name)) });
    } catch (e) {
      if (errnoCode(e) === "ENOENT") continue;
      out.push({ name, problem: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}

export function sortPoints(ms: Manifest[]): Manifest[] {
  return [...ms].sort((a, b) => a.seq - b.seq || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}
