// One writer per vault. The lock file holds pid, hostname and start time; a lock left by a
// dead process on this host is taken over safely (a takeover file serialises contenders).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, errnoCode } from "./errors.js";

export interface LockInfo {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
  purpose: string;
}

export interface HeldLock {
  info: LockInfo;
  release(): void;
}

const LOCK = "locks/writer";
const TAKEOVER = "locks/writer.takeover";
/** A takeover file older than this belongs to a contender that died mid-takeover. */
const TAKEOVER_STALE_MS = 10_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === "EPERM";
  }
}

function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as LockInfo;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    // Unparsable: a writer died between create and write. Treat as stale if old enough.
    try {
      const st = fs.statSync(file);
      if (Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) return { pid: -1, hostname: os.hostname(), startedAt: st.mtime.toISOString(), token: "", purpose: "?" };
    } catch {
      return undefined;
    }
    return { pid: 0, hostname: "?", startedAt: "?", token: "?", purpose: "?" };
  }
}

function isStale(info: LockInfo): boolean {
  return info.hostname === os.hostname() && info.pid !== 0 && (info.pid === -1 || !pidAlive(info.pid));
}

function tryCreate(file: string, info: LockInfo): boolean {
  try {
    // Not fsynced: after a machine crash no process holds it, and the pid check sees that.
    const fd = fs.openSync(file, "wx", 0o644);
    try {
      fs.writeSync(fd, JSON.stringify(info) + "\n");
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch (e) {
    if (errnoCode(e) === "EEXIST") return false;
    throw e;
  }
}

/** Replaces a stale lock, unless another contender is doing the same. */
function takeOver(dir: string, stale: LockInfo, info: LockInfo): boolean {
  const lockFile = path.join(dir, LOCK);
  const takeFile = path.join(dir, TAKEOVER);
  if (!tryCreate(takeFile, info)) {
    const t = readLock(takeFile);
    const st = fs.statSync(takeFile, { throwIfNoEntry: false });
    if (t && st && (isStale(t) || Date.now() - st.mtimeMs > TAKEOVER_STALE_MS)) fs.rmSync(takeFile, { force: true });
    return false;
  }
  try {
    // Holding the takeover file: re-check that the lock is still the stale one we saw.
    const now = readLock(lockFile);
    if (now && now.token === stale.token && now.pid === stale.pid) fs.rmSync(lockFile, { force: true });
    return tryCreate(lockFile, info);
  } finally {
    fs.rmSync(takeFile, { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireLock(vaultPath: string, purpose: string, waitMs: number): Promise<HeldLock> {
  fs.mkdirSync(path.join(vaultPath, "locks"), { recursive: true });
  const info: LockInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: randomBytes(8).toString("hex"), purpose };
  const lockFile = path.join(vaultPath, LOCK);
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockFile, info)) break;
    const held = readLock(lockFile);
    if (held && isStale(held) && takeOver(vaultPath, held, info)) break;
    if (Date.now() >= deadline) {
      const h = held ?? readLock(lockFile);
      throw new EngineError(
        ErrorCodes.LOCK_HELD,
        `vault ${vaultPath} is locked by another backup (${h ? `pid ${h.pid} on ${h.hostname}, ${h.purpose} since ${h.startedAt}` : "unknown holder"}): ` +
          `one writer at a time keeps the vault consistent. Wait for it to finish and run again` +
          (h && h.hostname !== os.hostname() ? `; if no backup runs on ${h.hostname}, delete ${lockFile}` : "") +
          ".",
      );
    }
    await sleep(Math.min(100 + attempt * 50, 500, Math.max(10, deadline - Date.now())));
  }
  let released = false;
  return {
    info,
    release() {
      if (released) return;
      released = true;
      const now = readLock(lockFile);
      if (now && now.token === info.token) fs.rmSync(lockFile, { force: true });
    },
  };
}
