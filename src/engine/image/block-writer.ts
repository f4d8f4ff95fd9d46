// Writing restored blocks into an image file: past the page cache where the file system takes
// O_DIRECT (direct-file.ts says why), else — and for a block that is not a whole number of
// sectors, such as an image's short last block — buffered, with the dirty pages flushed while
// the restore goes on.
import fs from "node:fs";
import path from "node:path";
import { targetWriteError } from "../errors.js";
import { directIoAllowed, openDirect } from "./direct-file.js";
import type { DirectFile } from "./direct-file.js";

/** Writes in flight per writer, unless the caller says. */
const SLOTS = 3;
/** Buffered writes are flushed every this many bytes. */
const FLUSH_BYTES = 32 * 1024 * 1024;

export interface BlockWriter {
  /** True when blocks bypass the page cache. */
  readonly direct: boolean;
  /** Writes `data` at `position` (copied at once; the write may still be in flight). */
  put(data: Uint8Array, position: number): void;
  /** `put`, resolving once the writer has a free slot for the next block. */
  write(data: Uint8Array, position: number): Promise<void>;
  /** Waits for every write and closes the file (once; later calls do nothing); the first write error, if any, is thrown here or by write. */
  close(): Promise<void>;
}

/**
 * Opens `file` (already created at its size) for writing blocks of at most `maxBlock` bytes.
 * `allowDirect: false` forces buffered writes.
 */
export function openBlockWriter(file: string, maxBlock: number, allowDirect = true, slots = SLOTS): BlockWriter {
  const buffered = fs.openSync(file, "r+");
  const direct: DirectFile | undefined = allowDirect ? openDirect(file, maxBlock, slots) : undefined;
  let flushing: Promise<void> | undefined;
  let sinceFlush = 0;
  let closed = false;
  const put = (data: Uint8Array, position: number): void => {
    if (direct?.fits(data.length, position)) return direct.put(data, position);
    let off = 0;
    while (off < data.length) off += fs.writeSync(buffered, data, off, data.length - off, position + off);
    // Flush to disk while still decrypting: with much RAM the kernel would otherwise hold all
    // dirty pages until the final fsync, and the disk would idle until then.
    sinceFlush += data.length;
    if (sinceFlush >= FLUSH_BYTES && !flushing) {
      sinceFlush = 0;
      flushing = new Promise<void>((res) => fs.fdatasync(buffered, () => res())).then(() => {
        flushing = undefined;
      });
    }
  };
  return {
    direct: direct !== undefined,
    put,
    async write(data, position) {
      put(data, position);
      await direct?.settle(slots - 1); // a slot free for the next block
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await direct?.close();
      } finally {
        await flushing;
        fs.closeSync(buffered);
      }
    },
  };
}

/**
 * The writer of a restored image: `openBlockWriter` with bkp's direct-I/O setting, creating the
 * file at `size` when given, and every failure reported as the target folder's (BKP5044: full,
 * not writable), never as the vault's.
 */
export function openTargetWriter(file: string, maxBlock: number, opts: { slots?: number; size?: number } = {}): BlockWriter {
  const asTarget = (e: unknown) => targetWriteError(e, path.dirname(file));
  let w: BlockWriter;
  try {
    if (opts.size !== undefined) {
      fs.closeSync(fs.openSync(file, "w", 0o600));
      fs.truncateSync(file, opts.size);
    }
    w = openBlockWriter(file, maxBlock, directIoAllowed(), opts.slots);
  } catch (e) {
    throw asTarget(e);
  }
  return {
    direct: w.direct,
    put(data, position) {
      try {
        w.put(data, position);
      } catch (e) {
        throw asTarget(e);
      }
    },
    write: (data, position) =>
      w.write(data, position).catch((e: unknown) => {
        throw asTarget(e);
      }),
    close: () =>
      w.close().catch((e: unknown) => {
        throw asTarget(e);
      }),
  };
}
