// One writer per vault. The lock file holds pid, hostname and start time; a lock left by a
// dead process on this host is taken over safely (a takeover file serialises contenders).
//
// Readers (restore, verify) and prune exclude each other: backups only add objects, so reading
// during a backup is safe, but prune deletes manifests, block maps, packs and snapshot folders a
// reader may be about to open. Each reader registers a file of its own, `locks/reader-PID-RAND`,
// so any number of readers run at once and never block a backup; a prune takes the writer lock
// marked `excludesReaders` and then waits until no live reader file is left.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { EngineError, ErrorCodes, errnoCode, vaultWriteError } from "../errors.js";

/** Who holds a lock, beyond pid and host: a pid may be alive again in another process. */
export interface ProcessIdentity {
  /** The kernel's boot id (Linux): a lock of an earlier boot is stale whatever its pid. */
  bootId?: string;
  /** The holder's start time in clock ticks since boot (Linux /proc/PID/stat): a reused pid has another. */
  procStart?: string;
}

export interface LockInfo extends ProcessIdentity {
  pid: number;
  hostname: string;
  startedAt: string;
  token: string;
  purpose: string;
  /** Set by prune: readers must not run while this lock is held (see acquireReadLock). */
  excludesReaders?: boolean;
}

/** Contents of a reader's file `locks/reader-PID-RAND`. */
export interface ReaderInfo extends ProcessIdentity {
  pid: number;
  hostname: string;
  startedAt: string;
  /** What reads, for the messages of a prune that waits: e.g. `restore of VM "web"`. */
  purpose: string;
}

export interface AcquireOptions {
  /**
   * Prune: after taking the writer lock, wait (within the same `waitMs`) until no live reader
   * holds a read lock, else release and fail with BKP5010 naming the readers.
   */
  excludeReaders?: boolean;
}

export interface HeldLock {
  info: LockInfo;
  release(): void;
}

/** Default wait for the vault's lock (a writer for a writer, a prune for a reader and back). */
export const DEFAULT_LOCK_WAIT_MS = 2000;

const LOCK = "locks/writer";
const READER_PREFIX = "reader-";
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

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (after the command name, which may hold spaces and parentheses). */
function procStartOf(pid: number): string | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

const BOOT_ID = readProc("/proc/sys/kernel/random/boot_id")?.trim();

/** This process's identity for the locks it writes. */
export function selfIdentity(): ProcessIdentity {
  const procStart = procStartOf(process.pid);
  return { ...(BOOT_ID ? { bootId: BOOT_ID } : {}), ...(procStart ? { procStart } : {}) };
}

function readLock(file: string): LockInfo | undefined {
  return readLockFile<LockInfo>(file, (pid, hostname, startedAt) => ({ pid, hostname, startedAt, token: pid === -1 ? "" : "?", purpose: "?" }));
}

/**
 * A lock or reader file. Unparsable: a process died between create and write (stale once old
 * enough: pid -1), or is writing it right now (pid 0: never stale, treated as live).
 */
function readLockFile<T extends { pid: number; hostname: string; startedAt: string }>(file: string, unparsable: (pid: number, hostname: string, startedAt: string) => T): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return undefined;
    // Unparsable: a writer died between create and write. Treat as stale if old enough.
    try {
      const st = fs.statSync(file);
      if (Date.now() - st.mtimeMs > TAKEOVER_STALE_MS) return unparsable(-1, os.hostname(), st.mtime.toISOString());
    } catch {
      return undefined;
    }
    return unparsable(0, "?", "?");
  }
}

/**
 * A lock of this host is stale when its process is gone: the pid is dead, or alive but another
 * process (a later boot, or another start time: bkp as PID 1 in a restarted container).
 */
function isStale(info: { pid: number; hostname: string } & ProcessIdentity): boolean {
  if (info.hostname !== os.hostname() || info.pid === 0) return false;
  if (info.pid === -1 || !pidAlive(info.pid)) return true;
  if (info.bootId && BOOT_ID && info.bootId !== BOOT_ID) return true;
  const start = info.procStart ? procStartOf(info.pid) : undefined;
  return start !== undefined && start !== info.procStart;
}

/** The holder of a lock, in words; an unparsable lock file says what it is and when it counts as stale. */
function holderText(h: LockInfo | undefined, lockFile: string): string {
  if (!h) return "unknown holder";
  if (h.pid === 0) {
    return `an empty or unreadable lock file ${lockFile}: a bkp taking the lock right now, or one killed or out of disk space while taking it (counted as stale ${TAKEOVER_STALE_MS / 1000} s after it was written)`;
  }
  return `pid ${h.pid} on ${h.hostname}, ${h.purpose} since ${h.startedAt}`;
}

function tryCreate(file: string, info: LockInfo | ReaderInfo): boolean {
  try {
    // Not fsynced: after a machine crash no process holds it, and the pid check sees that.
    const fd = fs.openSync(file, "wx", 0o644);
    try {
      fs.writeSync(fd, JSON.stringify(info) + "\n");
    } catch (e) {
      // A full disk (or any write error): no empty lock file is left to block the next run.
      fs.closeSync(fd);
      fs.rmSync(file, { force: true });
      throw e;
    }
    fs.closeSync(fd);
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

/** This process as the holder of a writer lock (a lock file's or a blob lease's holder JSON). */
export function newLockInfo(purpose: string, opts: AcquireOptions = {}): LockInfo {
  return {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString("hex"),
    purpose,
    ...selfIdentity(),
    ...(opts.excludeReaders ? { excludesReaders: true } : {}),
  };
}

export async function acquireLock(vaultPath: string, purpose: string, waitMs: number, opts: AcquireOptions = {}): Promise<HeldLock> {
  try {
    fs.mkdirSync(path.join(vaultPath, "locks"), { recursive: true });
  } catch (e) {
    throw vaultWriteError(e, vaultPath);
  }
  const info = newLockInfo(purpose, opts);
  const lockFile = path.join(vaultPath, LOCK);
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    let created: boolean;
    try {
      created = tryCreate(lockFile, info) || (() => {
        const held = readLock(lockFile);
        return !!held && isStale(held) && takeOver(vaultPath, held, info);
      })();
    } catch (e) {
      throw vaultWriteError(e, vaultPath);
    }
    if (created) break;
    if (Date.now() >= deadline) {
      const h = readLock(lockFile);
      throw new EngineError(
        ErrorCodes.LOCK_HELD,
        `vault ${vaultPath} is locked by another backup (${holderText(h, lockFile)}): ` +
          `one writer at a time keeps the vault consistent. Wait for it to finish and run again` +
          (h && h.pid !== 0 && h.hostname !== os.hostname() ? `; if no backup runs on ${h.hostname}, delete ${lockFile}` : "") +
          (h && h.pid === 0 ? `; if no bkp runs on any machine using this vault, delete ${lockFile}` : "") +
          ".",
      );
    }
    await sleep(Math.min(100 + attempt * 50, 500, Math.max(10, deadline - Date.now())));
  }
  let released = false;
  const held: HeldLock = {
    info,
    release() {
      if (released) return;
      released = true;
      const now = readLock(lockFile);
      if (now && now.token === info.token) fs.rmSync(lockFile, { force: true });
    },
  };
  if (opts.excludeReaders) {
    try {
      // Only now, with the marked lock in place (written completely), look for readers: see
      // acquireReadLock for why this order leaves no moment where both go ahead.
      await waitForReaders(vaultPath, deadline, waitMs);
    } catch (e) {
      held.release();
      throw e;
    }
  }
  return held;
}

function readerFiles(vaultPath: string): string[] {
  try {
    return fs
      .readdirSync(path.join(vaultPath, "locks"))
      .filter((n) => n.startsWith(READER_PREFIX))
      .map((n) => path.join(vaultPath, "locks", n));
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return [];
    throw e;
  }
}

/** The live readers of a vault; reader files of dead processes on this host are removed. */
function liveReaders(vaultPath: string): { file: string; info: ReaderInfo }[] {
  const out: { file: string; info: ReaderInfo }[] = [];
  for (const file of readerFiles(vaultPath)) {
    const info = readLockFile<ReaderInfo>(file, (pid, hostname, startedAt) => ({ pid, hostname, startedAt, purpose: "a reader" }));
    if (!info) continue; // released meanwhile
    // A reader killed (kill -9, a crash, Ctrl-C) leaves its file: same pid check as the writer lock.
    if (isStale(info)) fs.rmSync(file, { force: true });
    else out.push({ file, info });
  }
  return out;
}

async function waitForReaders(vaultPath: string, deadline: number, waitMs: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const readers = liveReaders(vaultPath);
    if (!readers.length) return;
    if (Date.now() >= deadline) {
      const here = os.hostname();
      const who = readers.map((r) => `${r.info.purpose} (pid ${r.info.pid} on ${r.info.hostname}, since ${r.info.startedAt})`);
      const remote = readers.filter((r) => r.info.hostname !== here && r.info.pid !== 0);
      throw new EngineError(
        ErrorCodes.LOCK_HELD,
        `vault ${vaultPath} cannot be pruned now: ${who.join(", ")} ${readers.length === 1 ? "is" : "are"} reading the vault, ` +
          `and prune deletes points and data a reader may be about to open (waited ${waitMs} ms). Nothing was deleted; try again when ${readers.length === 1 ? "it finishes" : "they finish"}` +
          (remote.length ? `; if nothing of bkp runs on ${[...new Set(remote.map((r) => r.info.hostname))].join(", ")}, delete ${remote.map((r) => r.file).join(", ")}` : "") +
          ".",
      );
    }
    await sleep(Math.min(100 + attempt * 50, 500, Math.max(10, deadline - Date.now())));
  }
}

export interface HeldReadLock {
  info: ReaderInfo;
  /**
   * The reader's file; undefined when none could be made (a vault on a read-only file system or
   * without write permission: then only "no prune was running when the read began" holds), or
   * when the path holds no vault (the caller's open fails anyway).
   */
  file: string | undefined;
  release(): void;
}

interface SharedRead {
  info: ReaderInfo;
  file: string | undefined;
  count: number;
  closed: boolean;
}

/**
 * Read locks this process holds, per vault folder. A process registers one reader file per vault
 * however many of its calls read it (the CLI's restore holds one across its point lookup and its
 * restores; restoreVm takes its own inside): a second file would only make a waiting prune
 * block a reader of the same process that must finish first.
 */
const heldReads = new Map<string, Promise<SharedRead>>();

/**
 * Takes a read lock on the vault: waits up to `waitMs` while a prune holds the writer lock, then
 * fails with BKP5010 naming the prune. Any number of readers and a backup may run at once.
 *
 * Why readers and prune never both go ahead: the reader FIRST creates its file, THEN reads the
 * writer lock; prune FIRST creates its (marked, fully written) writer lock, THEN lists reader
 * files. If the reader's look at the writer lock came before prune's lock was written, its file
 * already existed when prune listed (created earlier still), so prune sees it and waits; if it
 * came after, the reader sees the marked lock, removes its file and waits. Either way one of them
 * sees the other (create, unlink and readdir of one local folder are atomic and ordered).
 */
export async function acquireReadLock(vaultPath: string, purpose: string, waitMs: number): Promise<HeldReadLock> {
  const key = path.resolve(vaultPath);
  for (;;) {
    let p = heldReads.get(key);
    if (!p) {
      const created = registerReader(vaultPath, purpose, waitMs);
      p = created;
      heldReads.set(key, created);
      created.catch(() => {
        if (heldReads.get(key) === created) heldReads.delete(key);
      });
    }
    const shared = await p;
    // Released to zero (its file gone) between our look and now: register afresh.
    if (shared.closed) continue;
    shared.count++;
    let released = false;
    const mine = p;
    return {
      info: shared.info,
      file: shared.file,
      release() {
        if (released) return;
        released = true;
        if (--shared.count > 0) return;
        shared.closed = true;
        if (heldReads.get(key) === mine) heldReads.delete(key);
        if (shared.file) fs.rmSync(shared.file, { force: true });
      },
    };
  }
}

/** Codes of a vault whose locks folder this process cannot write. */
const CANNOT_WRITE = new Set(["EROFS", "EACCES", "EPERM"]);

async function registerReader(vaultPath: string, purpose: string, waitMs: number): Promise<SharedRead> {
  const info: ReaderInfo = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose, ...selfIdentity() };
  // No vault here: nothing to protect, and no `locks/` folder to leave in a stranger's folder.
  if (!fs.existsSync(path.join(vaultPath, "config"))) return { info, file: undefined, count: 0, closed: false };
  const file = path.join(vaultPath, "locks", `${READER_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  const lockFile = path.join(vaultPath, LOCK);
  const deadline = Date.now() + waitMs;
  let canWrite = true;
  for (let attempt = 0; ; attempt++) {
    let mine: string | undefined;
    if (canWrite) {
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (!tryCreate(file, info)) throw new Error(`reader file ${file} exists`);
        mine = file;
      } catch (e) {
        if (!CANNOT_WRITE.has(errnoCode(e) ?? "")) throw e;
        // A read-only vault (a mounted copy, a user who may only read it): it cannot register,
        // so it at least does not start while a prune runs.
        canWrite = false;
      }
    }
    // After our file exists (see acquireReadLock): a live prune holding the writer lock?
    const held = readLock(lockFile);
    if (!held || !held.excludesReaders || isStale(held)) return { info, file: mine, count: 0, closed: false };
    // Step back so the prune, which may be waiting for readers to leave, can go ahead.
    if (mine) fs.rmSync(mine, { force: true });
    if (Date.now() >= deadline) {
      throw new EngineError(
        ErrorCodes.LOCK_HELD,
        `vault ${vaultPath} is being pruned (pid ${held.pid} on ${held.hostname}, ${held.purpose} since ${held.startedAt}): ` +
          `prune deletes expired points and their data, so ${purpose} waits for it (waited ${waitMs} ms) rather than find a point gone half-way. ` +
          `Nothing was read or written; run it again when the prune finishes` +
          (held.hostname !== os.hostname() ? `; if no prune runs on ${held.hostname}, delete ${lockFile}` : "") +
          ".",
      );
    }
    await sleep(Math.min(100 + attempt * 50, 500, Math.max(10, deadline - Date.now())));
  }
}
