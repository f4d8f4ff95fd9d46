// Extent comparison: the local counterpart of Azure's snapshot diff (docs/domain.md#timing).
// Where the previous point's instant-restore snapshot is a reflink copy of the image, the two
// files share their physical extents until the image is written: a copy-on-write file system
// (XFS with reflink, btrfs) gives every rewritten range new blocks. A block whose bytes sit at
// the same physical place in both files did not change and need not be read.
//
// The extents come from the FIEMAP ioctl through `filefrag` (e2fsprogs, on every Debian and
// most Linux systems; Node has no ioctl). `-s` syncs the file first, so no range is still
// delayed-allocated; `-b1` prints bytes. Any doubt — filefrag missing or failing, an extent
// without a known location — means "read it": the comparison can only skip reading, never
// decide that a block changed less than it did.
import fs from "node:fs";
import { childProcess } from "../lazy-builtin.js";

export interface Extent {
  /** Byte offset in the file. */
  logical: number;
  /** Byte offset on the device; comparable between files of one file system. */
  physical: number;
  length: number;
  /** The location is not a stable physical place (delayed allocation, inline or encoded data). */
  unknown: boolean;
  /** Allocated but never written (preallocated): reads as zeros. */
  unwritten?: boolean;
}

// " ext: logical_offset: physical_offset: length: expected: flags:" rows, e.g.
//    1:   655360..  786431:    8486912..   8617983: 131072:     753664: last,shared,eof
const ROW = /^\s*\d+:\s*(\d+)\.\.\s*(\d+):\s*(\d+)\.\.\s*(\d+):\s*(\d+):(?:\s*\d+:)?\s*(.*)$/;
const UNSTABLE = ["unknown_loc", "delalloc", "encoded", "data_inline", "not_aligned"];

/** Parses `filefrag -e -b1` output into extents (sorted by logical offset). */
export function parseFilefrag(out: string): Extent[] {
  const extents: Extent[] = [];
  for (const line of out.split("\n")) {
    const m = ROW.exec(line);
    if (!m) continue;
    const flags = m[6].split(",").map((f) => f.trim());
    const unknown = flags.some((f) => UNSTABLE.includes(f));
    extents.push({ logical: Number(m[1]), physical: Number(m[3]), length: Number(m[5]), unknown, ...(flags.includes("unwritten") && !unknown ? { unwritten: true } : {}) });
  }
  return extents.sort((a, b) => a.logical - b.logical);
}

/** The file's extents, or undefined when they cannot be known (no filefrag, no FIEMAP). */
export function fileExtents(file: string): Promise<Extent[] | undefined> {
  return new Promise((resolve) => {
    let out = "";
    let child;
    try {
      child = childProcess().spawn("filefrag", ["-e", "-s", "-b1", file], { stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      return resolve(undefined);
    }
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (s: string) => (out += s));
    child.on("error", () => resolve(undefined));
    child.on("close", (code) => resolve(code === 0 && /extents? found/.test(out) ? parseFilefrag(out) : undefined));
  });
}

/**
 * Per block of `bytes`/`blockSize`: 1 when every byte of the block is at the same physical
 * place in both files (or a hole in both), so its content is the previous snapshot's.
 */
export function sharedBlocks(image: readonly Extent[], snapshot: readonly Extent[], bytes: number, blockSize: number): Uint8Array {
  const blocks = Math.ceil(bytes / blockSize);
  const shared = new Uint8Array(blocks).fill(1);
  // Sweep both extent lists over the file: each stretch where the mapping differs marks its blocks.
  const cuts = new Set<number>([0, bytes]);
  for (const e of [...image, ...snapshot]) {
    if (e.logical < bytes) cuts.add(e.logical);
    if (e.logical + e.length < bytes) cuts.add(e.logical + e.length);
  }
  const points = [...cuts].sort((a, b) => a - b);
  let ia = 0;
  let ib = 0;
  const at = (list: readonly Extent[], i: number, x: number): { i: number; e?: Extent } => {
    while (i < list.length && list[i].logical + list[i].length <= x) i++;
    return { i, e: i < list.length && list[i].logical <= x ? list[i] : undefined };
  };
  for (let p = 0; p + 1 < points.length; p++) {
    const from = points[p];
    const to = points[p + 1];
    const a = at(image, ia, from);
    const b = at(snapshot, ib, from);
    ia = a.i;
    ib = b.i;
    const same =
      (!a.e && !b.e) ||
      (!!a.e && !!b.e && !a.e.unknown && !b.e.unknown && a.e.physical - a.e.logical === b.e.physical - b.e.logical);
    if (same) continue;
    for (let k = Math.floor(from / blockSize); k < Math.ceil(to / blockSize); k++) shared[k] = 0;
  }
  return shared;
}

/**
 * Per block of `bytes`/`blockSize`: 1 when no extent holding data overlaps the block — a hole
 * or preallocated space, which reads as zeros — so it need not be read.
 */
export function holeBlocks(extents: readonly Extent[], bytes: number, blockSize: number): Uint8Array {
  const blocks = Math.ceil(bytes / blockSize);
  const holes = new Uint8Array(blocks).fill(1);
  for (const e of extents) {
    if (e.unwritten || e.logical >= bytes || e.length <= 0) continue;
    const last = Math.min(blocks - 1, Math.floor((Math.min(bytes, e.logical + e.length) - 1) / blockSize));
    for (let k = Math.floor(e.logical / blockSize); k <= last; k++) holes[k] = 0;
  }
  return holes;
}

/**
 * The holes of a sparse raw image, per block (holeBlocks), or undefined when it has none worth
 * knowing (fully allocated: no `filefrag` is run) or its extents cannot be known. Reading a
 * hole costs a zeroed page-cache page per 4 KiB; skipping holes keeps a mostly empty disk's
 * backup proportional to its data (docs/benchmarks.md, "Memory").
 */
export async function imageHoles(image: string, bytes: number, blockSize: number): Promise<Uint8Array | undefined> {
  const st = fs.statSync(image, { throwIfNoEntry: false });
  if (!st?.isFile() || st.blocks * 512 >= Math.min(st.size, bytes) || st.size < bytes) return undefined;
  const ext = await fileExtents(image);
  return ext && holeBlocks(ext, bytes, blockSize);
}
