// Disk images: identity (stat) and block reads. A block device (/dev/loop0, /dev/sdb) is read
// by its real size; VHDs are read as their virtual disk (vhd.ts).
import fs from "node:fs";
import { EngineError, ErrorCodes, errnoCode } from "../errors.js";
import type { SourceStat } from "../vault/manifest.js";

export function statImage(vm: string, disk: string, image: string): SourceStat {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(image, { bigint: true });
  } catch (e) {
    const code = errnoCode(e);
    throw new EngineError(
      code === "ENOENT" ? ErrorCodes.IMAGE_MISSING : ErrorCodes.IMAGE_READ,
      code === "ENOENT"
        ? `disk "${disk}" of VM "${vm}": image ${image} does not exist. Fix the disk's \`image\` path in the policy or create the image; nothing was backed up.`
        : `disk "${disk}" of VM "${vm}": cannot read image ${image} (${code ?? String(e)}). Check its permissions; nothing was backed up.`,
      { cause: e },
    );
  }
  if (!st.isFile() && !st.isBlockDevice()) {
    throw new EngineError(ErrorCodes.IMAGE_NOT_FILE, `disk "${disk}" of VM "${vm}": ${image} is not a file. Point \`image\` at a raw or VHD disk image file.`);
  }
  try {
    fs.accessSync(image, fs.constants.R_OK);
  } catch (e) {
    throw new EngineError(ErrorCodes.IMAGE_READ, `disk "${disk}" of VM "${vm}": image ${image} is not readable (${errnoCode(e) ?? "?"}). Check its permissions; nothing was backed up.`);
  }
  const base = { path: image, mtimeNs: st.mtimeNs.toString(), ctimeNs: st.ctimeNs.toString(), ino: st.ino.toString(), dev: st.dev.toString() };
  if (!st.isBlockDevice()) return { ...base, size: Number(st.size) };
  // A block device's stat size is 0: its size is found by reading (portable, no ioctl).
  const size = deviceSize(image);
  if (!size) {
    throw new EngineError(ErrorCodes.IMAGE_READ, `disk "${disk}" of VM "${vm}": block device ${image} has no readable size (empty or unreadable). Nothing was backed up.`);
  }
  return { ...base, size, blockDevice: true };
}

/** The size of a block device: the end found by reads (devices are whole 512-byte sectors). */
export function deviceSize(file: string): number {
  const fd = fs.openSync(file, "r");
  try {
    const one = Buffer.alloc(1);
    const has = (sector: number) => fs.readSync(fd, one, 0, 1, sector * 512) === 1;
    if (!has(0)) return 0;
    let hi = 1;
    while (has(hi)) hi *= 2;
    let lo = hi / 2; // has(lo), !has(hi)
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (has(mid)) lo = mid;
      else hi = mid;
    }
    return hi * 512;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * DOMAIN §4: a file whose identity is unchanged needs no reading at all. Never a block device:
 * its times do not change when it is written.
 */
export function sameFile(a: SourceStat, b: SourceStat): boolean {
  return !a.blockDevice && !b.blockDevice && unchangedWhileRead(a, b);
}

/** The image's identity before and after its read: equal unless it was written meanwhile (a block device: its size). */
export function unchangedWhileRead(a: SourceStat, b: SourceStat): boolean {
  if (a.blockDevice || b.blockDevice) return a.path === b.path && a.size === b.size && a.blockDevice === b.blockDevice;
  return a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** `readFully` on the thread pool: the caller goes on (reads ahead) while the disk works. */
export function readFullyAsync(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const step = (got: number): void => {
      if (got >= length) return resolve(got);
      fs.read(fd, buf, got, length - got, position + got, (e, n) => (e ? reject(e) : n === 0 ? resolve(got) : step(got + n)));
    };
    step(0);
  });
}

const ZERO = Buffer.alloc(1024 * 1024);

export function isAllZero(b: Uint8Array): boolean {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o < buf.length; o += ZERO.length) {
    const n = Math.min(ZERO.length, buf.length - o);
    if (!buf.subarray(o, o + n).equals(n === ZERO.length ? ZERO : ZERO.subarray(0, n))) return false;
  }
  return true;
}
