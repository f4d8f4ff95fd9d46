// VHD images (Azure's disk format), fixed and dynamic, as `qemu-img create -f vpc` makes them.
// The engine backs up a VHD's *virtual disk* — what the VM sees — so unallocated blocks of a
// dynamic VHD are holes, and restores it as a VHD of the same kind, geometry and identity
// (the original footer is kept), which `qemu-img compare` finds identical.
//
// Format (Microsoft "Virtual Hard Disk Image Format Specification"), all big-endian:
//   fixed:   [virtual disk bytes][footer 512]
//   dynamic: [footer copy 512][dynamic header 1024][BAT][blocks: sector bitmap + data]…[footer 512]
import fs from "node:fs";

export const FOOTER_SIZE = 512;
const DYN_HEADER_SIZE = 1024;
const SECTOR = 512;
const UNALLOCATED = 0xffffffff;
const DISK_FIXED = 2;
const DISK_DYNAMIC = 3;

export interface VhdLayout {
  kind: "fixed" | "dynamic";
  /** Bytes the VM sees (the footer's current size). */
  virtualSize: number;
  /** The 512-byte footer, kept so a restore can rebuild the same disk. */
  footer: Buffer;
  /** Dynamic only: bytes per block (2 MiB by default) and the block allocation table. */
  blockSize: number;
  bat: Uint32Array;
  /** Dynamic only: bytes of the sector bitmap before each block. */
  bitmapSize: number;
}

export class VhdError extends Error {}

function checksum(buf: Buffer, skipAt: number): number {
  let sum = 0;
  for (let i = 0; i < buf.length; i++) if (i < skipAt || i >= skipAt + 4) sum = (sum + buf[i]) >>> 0;
  return ~sum >>> 0;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, b, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? b : b.subarray(0, got);
}

/** What a recovery point keeps of a VHD to restore the same kind of disk (docs/vault-format.md). */
export interface VhdRecord {
  kind: "fixed" | "dynamic";
  virtualSize: number;
  /** The original 512-byte footer, base64. */
  footer: string;
  /** Dynamic only (0 for fixed): block size and BAT entries of the source. */
  blockSize: number;
  batEntries: number;
}

export function vhdRecord(l: VhdLayout): VhdRecord {
  return { kind: l.kind, virtualSize: l.virtualSize, footer: l.footer.toString("base64"), blockSize: l.blockSize, batEntries: l.bat.length };
}

/** A layout to write a new VHD from a record: every block unallocated until written. */
export function layoutFromRecord(r: VhdRecord): VhdLayout {
  const footer = Buffer.from(r.footer, "base64");
  if (footer.length !== FOOTER_SIZE || footer.toString("latin1", 0, 8) !== "conectix") throw new VhdError("the point's VHD footer is damaged");
  return {
    kind: r.kind,
    virtualSize: r.virtualSize,
    footer,
    blockSize: r.blockSize,
    bat: new Uint32Array(r.batEntries).fill(UNALLOCATED),
    bitmapSize: r.kind === "dynamic" ? bitmapBytes(r.blockSize) : 0,
  };
}

function bitmapBytes(blockSize: number): number {
  // One bit per sector, padded to whole sectors (VHD spec).
  return Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;
}

/** The VHD layout of an open file, or undefined if it is not a VHD (a raw image). */
export function detectVhd(fd: number, fileSize: number): VhdLayout | undefined {
  if (fileSize < FOOTER_SIZE) return undefined;
  // The footer is the last 512 bytes; some old tools wrote 511. A dynamic disk also has a copy at 0.
  let footer = readAt(fd, FOOTER_SIZE, fileSize - FOOTER_SIZE);
  if (footer.toString("latin1", 0, 8) !== "conectix") {
    const head = readAt(fd, FOOTER_SIZE, 0);
    if (head.toString("latin1", 0, 8) !== "conectix" || head.readUInt32BE(60) !== DISK_DYNAMIC) return undefined;
    footer = head;
  }
  if (checksum(footer, 64) !== footer.readUInt32BE(64)) throw new VhdError("the VHD footer's checksum is wrong: the image is damaged");
  const type = footer.readUInt32BE(60);
  const virtualSize = Number(footer.readBigUInt64BE(48));
  if (type === DISK_FIXED) {
    if (fileSize < virtualSize + FOOTER_SIZE - 1) throw new VhdError(`the fixed VHD is shorter (${fileSize} bytes) than its disk size (${virtualSize} bytes): the image is truncated`);
    if (fileSize > virtualSize + FOOTER_SIZE) throw new VhdError(`the fixed VHD file (${fileSize} bytes) is longer than its disk size (${virtualSize} bytes) plus its footer: the bytes in between would be lost; back it up as \`format raw\` or repair the image`);
    return { kind: "fixed", virtualSize, footer, blockSize: 0, bat: new Uint32Array(0), bitmapSize: 0 };
  }
  if (type !== DISK_DYNAMIC) throw new VhdError(`VHD disk type ${type} (${type === 4 ? "differencing" : "unknown"}) is not supported: use a fixed or dynamic VHD`);
  const headerAt = Number(footer.readBigUInt64BE(16));
  const header = readAt(fd, DYN_HEADER_SIZE, headerAt);
  if (header.toString("latin1", 0, 8) !== "cxsparse") throw new VhdError("the dynamic VHD header is missing: the image is damaged");
  if (checksum(header, 36) !== header.readUInt32BE(36)) throw new VhdError("the dynamic VHD header's checksum is wrong: the image is damaged");
  const batAt = Number(header.readBigUInt64BE(16));
  const entries = header.readUInt32BE(28);
  const blockSize = header.readUInt32BE(32);
  if (blockSize % SECTOR !== 0 || blockSize === 0) throw new VhdError(`the dynamic VHD has an invalid block size ${blockSize}`);
  const raw = readAt(fd, entries * 4, batAt);
  if (raw.length !== entries * 4) throw new VhdError("the VHD's block allocation table is truncated: the image is damaged");
  const bat = new Uint32Array(entries);
  for (let i = 0; i < entries; i++) bat[i] = raw.readUInt32BE(i * 4);
  const bitmapSize = bitmapBytes(blockSize);
  // As qemu-img checks: the table covers the disk, and every allocated block lies in the file.
  if (entries * blockSize < virtualSize) throw new VhdError(`the VHD's block allocation table has ${entries} entries of ${blockSize} bytes, fewer than its disk size (${virtualSize} bytes) needs: the image is damaged`);
  for (let i = 0; i < entries; i++) {
    if (bat[i] === UNALLOCATED) continue;
    const end = bat[i] * SECTOR + bitmapSize + blockSize;
    if (end > fileSize) {
      throw new VhdError(`block ${i} of the VHD's block allocation table points at byte ${bat[i] * SECTOR}, past the end of the file (${fileSize} bytes): the image is truncated or damaged`);
    }
  }
  return { kind: "dynamic", virtualSize, footer, blockSize, bat, bitmapSize };
}

/**
 * Reads `length` bytes of the virtual disk at `position` into `buf`. Returns false when the
 * whole range is unallocated (a hole), so the caller need not even look at the zeros.
 */
export function readVirtual(fd: number, layout: VhdLayout, buf: Buffer, length: number, position: number): boolean {
  if (layout.kind === "fixed") {
    const got = fs.readSync(fd, buf, 0, length, position);
    if (got < length) buf.fill(0, got, length);
    return true;
  }
  let allocated = false;
  let done = 0;
  while (done < length) {
    const at = position + done;
    const block = Math.floor(at / layout.blockSize);
    const within = at - block * layout.blockSize;
    const n = Math.min(length - done, layout.blockSize - within);
    const sector = block < layout.bat.length ? layout.bat[block] : UNALLOCATED;
    if (sector === UNALLOCATED) {
      buf.fill(0, done, done + n);
    } else {
      allocated = true;
      const base = sector * SECTOR;
      const bitmap = readAt(fd, layout.bitmapSize, base);
      const got = fs.readSync(fd, buf, done, n, base + layout.bitmapSize + within);
      if (got < n) buf.fill(0, done + got, done + n);
      // Sectors whose bitmap bit is clear read as zeros.
      for (let s = Math.floor(within / SECTOR); s * SECTOR < within + n; s++) {
        if (bitmap[s >> 3] & (0x80 >> (s & 7))) continue;
        const from = Math.max(s * SECTOR, within) - within + done;
        const to = Math.min((s + 1) * SECTOR, within + n) - within + done;
        buf.fill(0, from, to);
      }
    }
    done += n;
  }
  return allocated;
}

/** Writes a VHD of the same kind and footer as `layout`, block by block. */
export interface VhdWriter {
  /** Writes virtual bytes at `position` (a multiple of the block size for dynamic disks; `data` undefined = a hole). */
  write(position: number, data: Buffer | undefined): void;
  close(): void;
}

function footerWithChecksum(footer: Buffer): Buffer {
  const f = Buffer.from(footer);
  f.writeUInt32BE(checksum(f, 64), 64);
  return f;
}

export function createVhdWriter(fd: number, layout: VhdLayout): VhdWriter {
  const footer = footerWithChecksum(layout.footer);
  if (layout.kind === "fixed") {
    return {
      write(position, data) {
        if (data) fs.writeSync(fd, data, 0, data.length, position);
      },
      close() {
        fs.ftruncateSync(fd, layout.virtualSize);
        fs.writeSync(fd, footer, 0, FOOTER_SIZE, layout.virtualSize);
      },
    };
  }
  const entries = layout.bat.length;
  const batAt = FOOTER_SIZE + DYN_HEADER_SIZE;
  const batBytes = Math.ceil((entries * 4) / SECTOR) * SECTOR;
  const bat = Buffer.alloc(batBytes, 0xff);
  let next = batAt + batBytes;
  const bitmap = Buffer.alloc(layout.bitmapSize, 0xff);
  return {
    write(position, data) {
      if (!data) return;
      const block = position / layout.blockSize;
      if (!Number.isInteger(block) || block >= entries) throw new VhdError(`dynamic VHD writes must be whole blocks (at ${position})`);
      bat.writeUInt32BE(next / SECTOR, block * 4);
      fs.writeSync(fd, bitmap, 0, bitmap.length, next);
      fs.writeSync(fd, data, 0, data.length, next + layout.bitmapSize);
      if (data.length < layout.blockSize) fs.ftruncateSync(fd, next + layout.bitmapSize + layout.blockSize);
      next += layout.bitmapSize + layout.blockSize;
    },
    close() {
      const header = Buffer.alloc(DYN_HEADER_SIZE);
      header.write("cxsparse", 0, "latin1");
      header.writeBigUInt64BE(0xffffffffffffffffn, 8);
      header.writeBigUInt64BE(BigInt(batAt), 16);
      header.writeUInt32BE(0x00010000, 24);
      header.writeUInt32BE(entries, 28);
      header.writeUInt32BE(layout.blockSize, 32);
      header.writeUInt32BE(checksum(header, 36), 36);
      const head = Buffer.from(footer);
      head.writeBigUInt64BE(BigInt(FOOTER_SIZE), 16);
      const f = footerWithChecksum(head);
      fs.writeSync(fd, f, 0, FOOTER_SIZE, 0);
      fs.writeSync(fd, header, 0, DYN_HEADER_SIZE, FOOTER_SIZE);
      fs.writeSync(fd, bat, 0, batBytes, batAt);
      fs.writeSync(fd, f, 0, FOOTER_SIZE, next);
      fs.ftruncateSync(fd, next + FOOTER_SIZE);
    },
  };
}
