// Reading a known sequence of byte ranges (a page's chunk records, in the order a restore or a
// verify needs them) past the page cache (O_DIRECT), a few ranges read ahead on the thread pool
// while the current one is decrypted. A restore reads each pack once: through the page cache
// every 4 KiB takes a fresh page, which on a virtual machine whose free memory the host
// reclaims is a large share of the read's cost (direct-file.ts, docs/benchmarks.md "Engine"),
// and packs read once have no business evicting the machine's cache.
//
// Only the ranges asked for are read (each widened to whole sectors): windows of a pack read
// ahead were tried first and read twice the bytes where a restore alternates between the packs
// of a base and of its deltas. The buffers live in one slab per thread, reused from page to
// page (fresh buffers per read raised a restore's peak RSS by 70 MiB).
import fs from "node:fs";
import { DIRECT_ALIGN, alignedOffset, directIoAllowed } from "./direct-file.js";
import { readFullyAsync } from "./image-reader.js";

/** Ranges in flight ahead of the one being used. */
export const READS_AHEAD = 4;

export interface ByteRange {
  file: string;
  offset: number;
  length: number;
}

export interface OrderedReads {
  /**
   * The next range's bytes (fewer at the file's end): a view valid until the next call. The
   * caller names the range it expects (a mismatch is a bug, thrown). A range whose file is
   * missing throws ENOENT when its turn comes.
   */
  next(expected: ByteRange): Promise<Buffer>;
  /** True when `file` (one of the ranges') is read past the page cache. */
  direct(file: string): boolean;
  /** Closes the files once no read is in flight (the slab then goes back to the thread's pool). */
  close(): void;
}

interface Handle {
  fd: number;
  direct: boolean;
  /** The direct descriptor after the kernel refused a read on it (EINVAL): closed with the others. */
  retired?: number;
}

/** One slab per thread, and the offset its address needs for O_DIRECT, per device. */
let pooled: { buf: Buffer; at: Map<number, number | undefined> } | undefined;

const alignDown = (n: number) => n - (n % DIRECT_ALIGN);
const alignUp = (n: number) => alignDown(n + DIRECT_ALIGN - 1);

/** Reads `ranges` in their order; `allowDirect: false` reads through the page cache (read-ahead stays). */
export function openOrderedReads(ranges: readonly ByteRange[], allowDirect = directIoAllowed()): OrderedReads {
  const slots = READS_AHEAD + 1;
  // Room for the longest range widened to whole sectors at both ends.
  const slotBytes = alignUp(ranges.reduce((m, r) => Math.max(m, r.length), 0) + 2 * DIRECT_ALIGN);
  const need = slots * slotBytes + DIRECT_ALIGN;
  const slab = pooled && pooled.buf.length >= need ? pooled : { buf: Buffer.allocUnsafeSlow(need), at: new Map<number, number | undefined>() };
  if (slab === pooled) pooled = undefined;
  const handles = new Map<string, Handle>();
  /** The slab offset of slot 0: the O_DIRECT alignment, fixed before the first read. */
  let base: number | undefined;
  const slotBuf = (i: number) => slab.buf.subarray((base ?? 0) + (i % slots) * slotBytes, (base ?? 0) + ((i % slots) + 1) * slotBytes);

  const handle = (file: string): Handle => {
    const known = handles.get(file);
    if (known) return known;
    const fd = fs.openSync(file, "r");
    let h: Handle = { fd, direct: false };
    // The alignment probe reads into the slab: only before the first read is issued.
    if (allowDirect && (base !== undefined || handles.size === 0)) {
      let dfd: number | undefined;
      try {
        const opened = (dfd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_DIRECT));
        const dev = fs.fstatSync(opened).dev;
        if (!slab.at.has(dev) && base === undefined) slab.at.set(dev, alignedOffset((k) => fs.readSync(opened, slab.buf, k, DIRECT_ALIGN, 0)));
        const at = slab.at.get(dev);
        base ??= at;
        if (at !== undefined && at === base) {
          fs.closeSync(fd);
          h = { fd: dfd, direct: true };
          dfd = undefined;
        }
      } catch {
        // O_DIRECT refused by this file system: buffered reads.
      } finally {
        if (dfd !== undefined) fs.closeSync(dfd);
      }
    }
    base ??= 0;
    handles.set(file, h);
    return h;
  };

  /** Range i into its slot: [the view's start in the slot, bytes read]. */
  const readRange = async (i: number): Promise<[number, number]> => {
    const r = ranges[i];
    const h = handle(r.file);
    const start = alignDown(r.offset);
    const buf = slotBuf(i).subarray(0, alignUp(r.offset + r.length) - start);
    const { fd, direct } = h;
    let n: number;
    try {
      n = await readFullyAsync(fd, buf, buf.length, start);
    } catch (e) {
      if (!direct || (e as NodeJS.ErrnoException).code !== "EINVAL") throw e;
      // The kernel refused this direct read: this file is read buffered from now on.
      if (h.fd === fd) Object.assign(h, { fd: fs.openSync(r.file, "r"), direct: false, retired: fd });
      n = await readFullyAsync(h.fd, buf, buf.length, start);
    }
    return [r.offset - start, Math.max(0, Math.min(n - (r.offset - start), r.length))];
  };

  const inFlight = new Map<number, Promise<[number, number]>>();
  const issue = (i: number): void => {
    if (i >= ranges.length || inFlight.has(i)) return;
    const p = Promise.resolve().then(() => readRange(i));
    p.catch(() => undefined); // observed when its turn comes
    inFlight.set(i, p);
  };
  let turn = 0;
  let closed = false;

  return {
    async next(expected) {
      if (closed) throw new Error("ordered reads are closed");
      const i = turn++;
      const r = ranges[i];
      if (!r || r.file !== expected.file || r.offset !== expected.offset || r.length !== expected.length) {
        throw new Error(`ordered reads: range ${i} is not the one asked for (${expected.file} @${expected.offset}+${expected.length})`);
      }
      // The slot of range i + READS_AHEAD held range i - 1, whose view the caller is done with.
      for (let a = i; a <= i + READS_AHEAD; a++) issue(a);
      const p = inFlight.get(i)!;
      inFlight.delete(i);
      const [from, n] = await p;
      return slotBuf(i).subarray(from, from + n);
    },
    direct: (file) => handles.get(file)?.direct === true,
    close() {
      if (closed) return;
      closed = true;
      // Reads ahead still in flight use the files and the slab: both are let go after them.
      void Promise.allSettled(inFlight.values()).then(() => {
        for (const h of handles.values()) for (const fd of [h.fd, h.retired]) if (fd !== undefined) fs.closeSync(fd);
        handles.clear();
        if (!pooled || pooled.buf.length < slab.buf.length) pooled = slab;
      });
    },
  };
}
