// Shared helpers for engine tests: temp folders, real image files, vault definitions.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import type { EngineVault, EngineVm } from "../../src/engine/types.js";
import { DELTA, type BlockPage } from "../../src/engine/vault/block-index.js";

export const MiB = 1024 * 1024;
export const KiB = 1024;

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

export function tempDir(prefix = "bkp-engine-"): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Deterministic pseudo-random bytes (so failures reproduce). */
export function prng(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let o = 0;
  let counter = 0;
  while (o < n) {
    const h = crypto.createHash("sha256").update(`${seed}:${counter++}`).digest();
    o += h.copy(out, o);
  }
  return out;
}

export function fastRandom(n: number): Buffer {
  return crypto.randomBytes(n);
}

export function text(n: number, seed = 1): Buffer {
  const words = ["disk", "vault", "backup", "policy", "restore", "the", "of", "and", "snapshot", "azure", "block", "chunk"];
  let s = seed >>> 0;
  const b = Buffer.allocUnsafe(n);
  let o = 0;
  while (o < n) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    o += b.write(words[s % words.length] + (s % 7 === 0 ? "\n" : " "), o);
  }
  return b;
}

/**
 * Writes an image made of segments: "r" random, "t" text, "z" zeros; each segment `seg` bytes.
 * Returns the image's bytes for comparisons.
 */
export function writeImage(file: string, layout: string, seg = MiB, tail = 0): Buffer {
  const parts: Buffer[] = [];
  for (const c of layout) parts.push(c === "r" ? fastRandom(seg) : c === "t" ? text(seg, parts.length + 1) : Buffer.alloc(seg));
  if (tail) parts.push(fastRandom(tail));
  const buf = Buffer.concat(parts);
  fs.writeFileSync(file, buf);
  return buf;
}

export function overwrite(file: string, offset: number, data: Buffer): void {
  const fd = fs.openSync(file, "r+");
  fs.writeSync(fd, data, 0, data.length, offset);
  fs.closeSync(fd);
}

export function sha(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

export interface Env {
  dir: string;
  vault: EngineVault;
  machineKeyFile: string;
}

export function platformEnv(name = "vault1"): Env {
  const dir = tempDir();
  return { dir, vault: { name, path: path.join(dir, "vault"), encryption: { kind: "platform-key" } }, machineKeyFile: path.join(dir, "machine.key") };
}

/** All regular files under a folder (relative paths). */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  if (fs.existsSync(root)) walk("");
  return out.sort();
}

/**
 * The snapshot tests' VM: two raw images of `bs`-sized segments, "os" with holes (zero
 * segments; 8 segments, half zeros) and "data" random with a short tail.
 */
export function twoDiskVm(bs: number): { env: Env; vm: EngineVm; os: string; data: string } {
  const env = platformEnv();
  const os = path.join(env.dir, "os.img");
  const data = path.join(env.dir, "data.raw");
  writeImage(os, "rzztzzrz", 4 * bs);
  writeImage(data, "rr", 4 * bs, 1000);
  return { env, vm: { name: "vm1", disks: [{ name: "os", image: os }, { name: "data", image: data }] }, os, data };
}

/**
 * A vault with one point of one VM ("vm1", disk "os": a 4 MiB raw image of random and text
 * blocks), small blocks and packs so it holds several packs, indexes and maps.
 */
export async function onePointVault() {
  const { backupVm } = await import("../../src/engine/index.js");
  const env = platformEnv();
  const image = path.join(env.dir, "os.raw");
  const bytes = writeImage(image, "rtrt", MiB);
  const o = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, packTarget: 512 * KiB, workers: 2 };
  const vm: EngineVm = { name: "vm1", disks: [{ name: "os", image }] };
  const p1 = await backupVm(env.vault, vm, o);
  return { env, image, bytes, o, vm, p1, at: (f: string) => path.join(env.vault.path, f) };
}

/**
 * A block map page as bkp wrote it before format 2 ("BKPM1": kind, block hash, chunk id per
 * entry; docs/vault-format.md), to test that vaults of earlier releases still read.
 */
export function encodePageV1(p: BlockPage): Buffer {
  const ENTRY = 1 + 16 + 32;
  const head = Buffer.alloc(5 + 4 + 8 + 4);
  head.write("BKPM1", 0);
  head.writeUInt32LE(p.blockSize, 5);
  head.writeDoubleLE(p.firstBlock, 9);
  head.writeUInt32LE(p.entries.length, 17);
  const body = Buffer.alloc(ENTRY * p.entries.length);
  p.entries.forEach((e, i) => {
    if (e.kind === DELTA) throw new Error("format 1 has no delta entries");
    body[i * ENTRY] = e.kind;
    e.fast.copy(body, i * ENTRY + 1);
    e.id.copy(body, i * ENTRY + 17);
  });
  return Buffer.concat([head, body]);
}
