// Change detection by extent comparison (extents.ts) against the previous point's snapshot, the
// tier's fast path on a copy-on-write file system (docs/domain.md#timing: Azure finds an
// incremental's changes from the snapshot difference instead of reading the disk).
import fs from "node:fs";
import path from "node:path";
import { fileExtents, sharedBlocks } from "../image/extents.js";
import type { SnapshotSession } from "./snapshots.js";

/**
 * Per block of the image, 1 when it shares its extents with the previous point's snapshot of
 * the disk (unchanged); undefined when extents cannot decide: no reflink snapshot to compare
 * with, another file system, or no FIEMAP. The caller then reads every block.
 *
 * Sound because two different files of one file system share a physical block only through a
 * reflink, and a copy-on-write file system gives every write to a shared block a new block.
 * This run's snapshot must itself be a reflink (the file system has them), and the previous
 * one a reflink or a hard link of one (an unchanged re-run's), with no overlays.
 */
export async function sharedWithPreviousSnapshot(s: SnapshotSession | undefined, disk: string, image: string, bytes: number, blockSize: number): Promise<Uint8Array | undefined> {
  const base = s?.base;
  const now = s?.pending?.record.disks.find((d) => d.name === disk);
  const prev = base?.record.disks.find((d) => d.name === disk);
  if (!base || now?.method !== "reflink" || !prev || (prev.method !== "reflink" && prev.method !== "link") || prev.overlays?.length) return undefined;
  const file = path.join(base.dir, prev.file);
  const [a, b] = [fs.statSync(image, { throwIfNoEntry: false }), fs.statSync(file, { throwIfNoEntry: false })];
  if (!a || !b || a.dev !== b.dev || a.ino === b.ino || a.size !== bytes || b.size !== bytes) return undefined;
  const [ei, es] = await Promise.all([fileExtents(image), fileExtents(file)]);
  if (!ei || !es) return undefined;
  return sharedBlocks(ei, es, bytes, blockSize);
}
