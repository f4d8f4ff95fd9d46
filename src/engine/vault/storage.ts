// The vault's storage: a small object interface (atomic put, get, ranged read, list, delete,
// streaming writer) so an object-store backend can follow. LocalDirStorage keeps objects as
// files under a directory; every write is temp file + fsync + rename + directory fsync.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { errnoCode } from "../errors.js";
import { directIoAllowed, openDirect } from "../image/direct-file.js";
import type { DirectFile } from "../image/direct-file.js";

export interface ObjectWriter {
  /** Bytes written so far. */
  readonly size: number;
  write(data: Uint8Array): void;
  /** Resolves when the writer has room for more (a backend that uploads in the background bounds its memory here). */
  drain(): Promise<void>;
  /** Makes the object durable and visible under its name (atomically). */
  commit(): Promise<void>;
  /** Drops the partial object. */
  abort(): Promise<void>;
}

export interface PutOptions {
  /** false: not yet durable; `syncPending` makes it so (directory backend only). */
  sync?: boolean;
  /**
   * Create only: fails with an error whose code is EEXIST when the object exists, so two
   * writers (two hosts on one blob vault) never overwrite each other's objects.
   */
  ifAbsent?: boolean;
}

export interface Storage {
  readonly location: string;
  /**
   * Atomic: readers see the whole object or none. With `{ sync: false }` the object is not yet
   * durable: `syncPending` makes all such objects durable at once (parallel fsyncs batch into
   * fewer journal commits than one fsync after another).
   */
  put(name: string, data: Uint8Array | readonly Uint8Array[], opts?: PutOptions): Promise<void>;
  syncPending(): Promise<void>;
  /** Throws an error with code ENOENT when missing. */
  get(name: string): Promise<Buffer>;
  read(name: string, offset: number, length: number): Promise<Buffer>;
  /** Size in bytes, or undefined when missing. */
  size(name: string): Promise<number | undefined>;
  /** Names (relative, "/"-separated) of committed objects under a prefix folder. */
  list(prefix: string): Promise<string[]>;
  delete(name: string): Promise<void>;
  /** Makes the deletions in a folder durable (a directory's fsync; an object store's deletes already are). */
  syncFolder(prefix: string): Promise<void>;
  createWriter(name: string, opts?: PutOptions): ObjectWriter;
  /** Removes leftovers of interrupted writes; only the lock holder may call it. */
  removeTemporaries(): Promise<number>;
}

const TMP_MARK = ".tmp-";

function tempName(file: string): string {
  return `${file}${TMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`;
}

export class LocalDirStorage implements Storage {
  readonly location: string;
  private readonly knownDirs = new Set<string>();
  private readonly pending = new Set<string>();

  constructor(root: string) {
    this.location = root;
  }

  private file(name: string): string {
    if (name.includes("..") || path.isAbsolute(name)) throw new Error(`bad object name ${name}`);
    return path.join(this.location, name);
  }

  /** Creates the object's folder (and makes the new folder entry durable). */
  private ensureDirSync(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    if (!fs.existsSync(dir)) {
      const parent = path.dirname(dir);
      if (parent !== dir) this.ensureDirSync(parent);
      try {
        fs.mkdirSync(dir);
      } catch (e) {
        if (errnoCode(e) !== "EEXIST") throw e;
      }
      fsyncDirSync(parent);
    }
    this.knownDirs.add(dir);
  }

  async put(name: string, data: Uint8Array | readonly Uint8Array[], opts: PutOptions = {}): Promise<void> {
    const file = this.file(name);
    this.ensureDirSync(path.dirname(file));
    const tmp = tempName(file);
    const parts = data instanceof Uint8Array ? [data] : data;
    const sync = opts.sync ?? true;
    const fh = await fsp.open(tmp, "wx", 0o600);
    try {
      await fh.writev(parts as Uint8Array[]);
      if (sync) await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    await publish(tmp, file, opts.ifAbsent === true);
    if (sync) await fsyncDir(path.dirname(file));
    else this.pending.add(file);
  }

  async syncPending(): Promise<void> {
    const files = [...this.pending];
    this.pending.clear();
    const dirs = new Set(files.map((f) => path.dirname(f)));
    await Promise.all(
      files.map(async (f) => {
        const fh = await fsp.open(f, "r");
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }),
    );
    await Promise.all([...dirs].map((d) => fsyncDir(d)));
  }

  // Small objects and listings are read with synchronous calls: a backup opens dozens of them
  // one after another (config, keys, indexes, manifests, maps), and each asynchronous call's
  // round trip through the thread pool cost more than the read itself (an unchanged re-run
  // spent a third of its time waiting on them).
  async get(name: string): Promise<Buffer> {
    return fs.readFileSync(this.file(name));
  }

  async read(name: string, offset: number, length: number): Promise<Buffer> {
    const fh = await fsp.open(this.file(name), "r");
    try {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return bytesRead === length ? buf : buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async size(name: string): Promise<number | undefined> {
    try {
      return fs.statSync(this.file(name)).size;
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return undefined;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    walk(this.location, prefix.replace(/\/+$/, ""), out, false);
    return out.sort();
  }

  async delete(name: string): Promise<void> {
    await fsp.rm(this.file(name), { force: true });
  }

  async syncFolder(prefix: string): Promise<void> {
    await fsyncDir(this.file(prefix));
  }

  createWriter(name: string, opts: PutOptions = {}): ObjectWriter {
    const file = this.file(name);
    this.ensureDirSync(path.dirname(file));
    return new LocalWriter(file, opts.ifAbsent === true);
  }

  async removeTemporaries(): Promise<number> {
    const out: string[] = [];
    walk(this.location, "", out, true);
    const temps = out.filter((n) => path.basename(n).includes(TMP_MARK));
    for (const t of temps) await fsp.rm(path.join(this.location, t), { force: true });
    return temps.length;
  }
}

/** Packs are written past the page cache in pieces of this size, this many in flight (direct-file.ts). */
const PACK_SLOT_BYTES = 256 * 1024;
const PACK_SLOTS = 4;

class LocalWriter implements ObjectWriter {
  private fd: number | undefined;
  private readonly tmp: string;
  /** O_DIRECT writes of whole slots; the bytes of a slot not yet full wait in `stage`. */
  private readonly direct: { file: DirectFile; stage: Buffer; fill: number; flushed: number } | undefined;
  size = 0;

  constructor(
    private readonly file: string,
    private readonly ifAbsent: boolean,
  ) {
    this.tmp = tempName(file);
    this.fd = fs.openSync(this.tmp, "wx", 0o600);
    const d = directIoAllowed() ? openDirect(this.tmp, PACK_SLOT_BYTES, PACK_SLOTS) : undefined;
    this.direct = d && { file: d, stage: Buffer.allocUnsafeSlow(PACK_SLOT_BYTES), fill: 0, flushed: 0 };
  }

  write(data: Uint8Array): void {
    if (this.fd === undefined) throw new Error("writer closed");
    const d = this.direct;
    if (!d) {
      let off = 0;
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    } else {
      for (let off = 0; off < data.length; ) {
        const n = Math.min(data.length - off, PACK_SLOT_BYTES - d.fill);
        d.stage.set(data.subarray(off, off + n), d.fill);
        d.fill += n;
        off += n;
        if (d.fill === PACK_SLOT_BYTES) {
          d.file.put(d.stage, d.flushed);
          d.flushed += PACK_SLOT_BYTES;
          d.fill = 0;
        }
      }
    }
    this.size += data.length;
  }

  async drain(): Promise<void> {
    await this.direct?.file.settle(PACK_SLOTS - 1);
  }

  async commit(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) throw new Error("writer closed");
    this.fd = undefined;
    // fsync on the thread pool so the caller keeps working while the disk flushes.
    try {
      const d = this.direct;
      if (d) {
        await d.file.close();
        // The last, partial slot through the page cache: a pack's length is rarely aligned.
        let off = 0;
        while (off < d.fill) off += fs.writeSync(fd, d.stage, off, d.fill - off, d.flushed + off);
      }
      await new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
    } catch (e) {
      fs.closeSync(fd);
      await fsp.rm(this.tmp, { force: true });
      throw e;
    }
    fs.closeSync(fd);
    await publish(this.tmp, this.file, this.ifAbsent);
    await fsyncDir(path.dirname(this.file));
  }

  async abort(): Promise<void> {
    await this.direct?.file.close().catch(() => undefined);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    await fsp.rm(this.tmp, { force: true });
  }
}

/**
 * Makes a finished temp file visible under its name: a rename, or for create-only a hard link
 * (which fails with EEXIST instead of replacing) and the temp name removed.
 */
async function publish(tmp: string, file: string, ifAbsent: boolean): Promise<void> {
  if (!ifAbsent) return fsp.rename(tmp, file);
  try {
    await fsp.link(tmp, file);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

function walk(root: string, rel: string, out: string[], includeTemp: boolean): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return;
    throw e;
  }
  for (const ent of entries) {
    const name = rel ? `${rel}/${ent.name}` : ent.name;
    if (ent.isDirectory()) walk(root, name, out, includeTemp);
    else if (includeTemp || !ent.name.includes(TMP_MARK)) out.push(name);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
