// Writing large files past the page cache (O_DIRECT): restored images, packs, instant-restore
// snapshot copies. Each 4 KiB written through the page cache takes a page of its own; on a
// virtual machine whose free memory the host reclaims, those fresh pages are most of a bulk
// write's cost and swing it widely (1.5 GiB: 1.0 – 9.1 s buffered, 0.73 – 0.78 s direct,
// docs/benchmarks.md "Engine"), and a backup tool should not evict the machine's cache anyway.
//
// O_DIRECT wants the memory, the file offset and the length aligned to the device's logical
// block. Node gives no say over a buffer's address, so each file gets one over-allocated slab
// and the offset into it that the kernel accepts is found by a probe write to a scratch file
// in the same folder. Where O_DIRECT is refused (some network or FUSE file systems) `open`
// returns undefined and callers write through the page cache as before.
import fs from "node:fs";
import path from "node:path";

/** `BKP_DIRECT_IO=0` writes everything through the page cache (for comparison; docs/benchmarks.md). */
export const directIoAllowed = (): boolean => process.env.BKP_DIRECT_IO !== "0";

/** Offsets and lengths are kept multiples of this: the largest logical block any device asks for. */
export const DIRECT_ALIGN = 4096;

/**
 * The alignment probe's file name, before the pid: a temporary's name (".tmp-"), so vault
 * listings skip it and a probe left by a killed run is removed with the other leftovers.
 */
export const PROBE_PREFIX = ".bkp-direct-probe.tmp-";

/**
 * The first offset into a buffer (16-byte steps) at which `attempt`, an O_DIRECT read or write
 * there, is accepted; undefined when the kernel refuses it for another reason than alignment.
 */
export function alignedOffset(attempt: (offset: number) => void): number | undefined {
  for (let k = 0; k < DIRECT_ALIGN; k += 16) {
    try {
      attempt(k);
      return k;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EINVAL") return undefined;
    }
  }
  return undefined;
}

/** The offset into `buf` at which O_DIRECT writes into `dir` are accepted, or undefined. */
export function probeAlignment(dir: string, buf: Buffer): number | undefined {
  const probe = path.join(dir, `${PROBE_PREFIX}${process.pid}-${Math.random().toString(16).slice(2)}`);
  let fd: number;
  try {
    fd = fs.openSync(probe, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_DIRECT, 0o600);
  } catch {
    return undefined;
  }
  try {
    return alignedOffset((k) => fs.writeSync(fd, buf, k, DIRECT_ALIGN, 0));
  } finally {
    fs.closeSync(fd);
    fs.rmSync(probe, { force: true });
  }
}

function writeAll(fd: number, data: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (off: number): void => {
      if (off >= data.length) return resolve();
      fs.write(fd, data, off, data.length - off, position + off, (e, n) => (e ? reject(e) : step(off + n)));
    };
    step(0);
  });
}

/**
 * An O_DIRECT handle on an existing file with `slots` aligned buffers of `slotBytes` each:
 * `put` copies the bytes into a free slot and writes them on the thread pool, so the caller
 * goes on at once; with every slot in flight it writes synchronously from a spare slot.
 */
export interface DirectFile {
  /** Largest piece `put` takes. */
  readonly slotBytes: number;
  /** True when `put` takes a piece of this length at this offset (both aligned, not too long). */
  fits(length: number, position: number): boolean;
  put(data: Uint8Array, position: number): void;
  /** Waits until at most `inFlight` writes are outstanding; throws the first write error. */
  settle(inFlight?: number): Promise<void>;
  /** Waits for every write, closes the handle (once), throws the first write error. */
  close(): Promise<void>;
}

/**
 * Slabs of closed files, kept for the next file of the thread: a backup opens a pack after
 * another and a restore a writer per page, and slabs left to the garbage collector piled up
 * (peak RSS +50 MiB). Each knows the offset its address needs, per device.
 */
interface Slab {
  buf: Buffer;
  at: Map<number, number | undefined>;
}
const freeSlabs: Slab[] = [];
const KEEP_SLABS = 2;

function takeSlab(bytes: number): Slab {
  const i = freeSlabs.findIndex((s) => s.buf.length >= bytes);
  if (i >= 0) return freeSlabs.splice(i, 1)[0];
  return { buf: Buffer.allocUnsafeSlow(bytes), at: new Map() };
}

function giveBack(s: Slab): void {
  if (freeSlabs.length < KEEP_SLABS) freeSlabs.push(s);
}

export function openDirect(file: string, slotBytes: number, slots: number): DirectFile | undefined {
  if (slotBytes % DIRECT_ALIGN !== 0 || slots < 1) return undefined;
  const dir = path.dirname(file);
  let dev: number;
  try {
    dev = fs.statSync(dir).dev;
  } catch {
    return undefined;
  }
  const s = takeSlab((slots + 1) * slotBytes + DIRECT_ALIGN);
  if (!s.at.has(dev)) s.at.set(dev, probeAlignment(dir, s.buf));
  const at = s.at.get(dev);
  let fd: number | undefined;
  try {
    if (at !== undefined) fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_DIRECT);
  } catch {
    fd = undefined;
  }
  if (at === undefined || fd === undefined) {
    giveBack(s);
    return undefined;
  }
  const slab = s.buf;
  const bufs = Array.from({ length: slots + 1 }, (_, i) => slab.subarray(at + i * slotBytes, at + (i + 1) * slotBytes));
  const spare = bufs.pop()!;
  const busy: (Promise<void> | undefined)[] = new Array(slots).fill(undefined);
  let failure: unknown;
  let closed = false;
  const fail = (e: unknown): void => {
    failure ??= e;
  };
  return {
    slotBytes,
    fits: (length, position) => length > 0 && length <= slotBytes && length % DIRECT_ALIGN === 0 && position % DIRECT_ALIGN === 0,
    put(data, position) {
      if (failure) throw failure;
      const i = busy.findIndex((b) => b === undefined);
      if (i < 0) {
        // Every slot in flight: this piece goes out now, from the spare slot.
        const b = spare.subarray(0, data.length);
        b.set(data);
        let off = 0;
        while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off, position + off);
        return;
      }
      const b = bufs[i].subarray(0, data.length);
      b.set(data);
      const p = writeAll(fd, b, position)
        .catch(fail)
        .finally(() => {
          busy[i] = undefined;
        });
      busy[i] = p;
    },
    async settle(inFlight = 0) {
      for (;;) {
        const out = busy.filter((b): b is Promise<void> => b !== undefined);
        if (out.length <= inFlight) break;
        await Promise.race(out);
      }
      if (failure) throw failure;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(busy);
      fs.closeSync(fd);
      giveBack(s);
      if (failure) throw failure;
    },
  };
}
