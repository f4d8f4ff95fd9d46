// Readers (restore, verify) and prune exclude each other, with real vaults and real processes:
// prune waits for (or fails clearly on) a live reader and deletes nothing meanwhile; a reader
// waits for (or fails clearly on) a running prune and writes nothing; readers share, and
// backups run beside them; a reader killed with -9 leaves a file that the next prune removes.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault, EngineError } from "../../src/engine/index.js";
import { pruneVault } from "../../src/engine/prune.js";
import { restoreIntoAccounts } from "../../src/engine/restore-plan.js";
import { acquireLock, acquireReadLock } from "../../src/engine/vault/lock.js";
import { LocalDirStorage } from "../../src/engine/vault/storage.js";
import { openVault } from "../../src/engine/vault/vault.js";
import { readManifests } from "../../src/engine/vault/manifest.js";
import type { RetentionSpec } from "../../src/plan/retention.js";
import { KiB, filesUnder, platformEnv, sha } from "./helpers.js";
import type { Env } from "./helpers.js";
import { childScript, runChild, waitExit, waitForOutput } from "./child.js";

const BS = 64 * KiB;
const SPEC: RetentionSpec = { retention: { daily: { days: 3 } }, zone: "UTC", instantRestoreDays: 2 };
const t = (d: number) => DateTime.fromISO("2026-03-01T02:30:00", { zone: "UTC" }).plus({ days: d }).toJSDate();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A vault with 6 daily points of VM "a" (a 3-day retention at day 5 expires 3) and their
 * snapshots, kept 10 days by the backups so that prune (2 days) has some to delete too.
 */
async function vaultWithPoints(): Promise<{ env: Env; img: string; vm: { name: string; disks: { name: string; image: string }[] }; opts: { machineKeyFile: string } }> {
  const env = platformEnv();
  const img = path.join(env.dir, "a.img");
  const vm = { name: "a", disks: [{ name: "os", image: img }] };
  for (let d = 0; d < 6; d++) {
    fs.writeFileSync(img, crypto.randomBytes(4 * BS));
    await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, blockSize: BS, now: () => t(d), instantRestore: { days: 10, zone: "UTC" } });
  }
  return { env, img, vm, opts: { machineKeyFile: env.machineKeyFile } };
}

/** Everything prune could delete: the vault's objects and the snapshot tier beside it (lock files aside). */
function contents(env: Env): string[] {
  return [...filesUnder(env.vault.path).filter((f) => !f.startsWith("locks/")), ...filesUnder(`${env.vault.path}.snapshots`).map((f) => `snapshots/${f}`)];
}

function readerFiles(env: Env): string[] {
  const dir = path.join(env.vault.path, "locks");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.startsWith("reader-")) : [];
}

async function deadPid(): Promise<number> {
  const c = await runChild("nothing", {});
  const pid = c.pid ?? 0;
  await waitExit(c);
  return pid;
}

describe("read lock: readers and prune exclude each other", () => {
  it("prune fails clearly while another process reads, deleting nothing; it goes ahead once the reader is gone", async () => {
    await childScript();
    const { env, opts } = await vaultWithPoints();
    const before = contents(env);
    const reader = await runChild("hold-read-lock", { vault: env.vault.path, purpose: 'restore of VM "a"', holdMs: 120_000 });
    const exited = waitExit(reader);
    await waitForOutput(reader, "locked");
    expect(readerFiles(env)).toHaveLength(1);

    const e = await pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 300 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).code).toBe("BKP5010");
    expect((e as EngineError).message).toContain(`restore of VM "a" (pid ${reader.pid} on ${os.hostname()}`);
    expect((e as EngineError).message).toMatch(/is reading the vault.*Nothing was deleted; try again when it finishes/);
    expect(contents(env)).toEqual(before);
    // The failed prune released the writer lock: a backup is not held up by it.
    expect(fs.existsSync(path.join(env.vault.path, "locks", "writer"))).toBe(false);
    // A dry run deletes nothing and does not wait for readers.
    const dry = await pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 300, dryRun: true });
    expect(dry.expired).toHaveLength(3);

    reader.kill("SIGTERM");
    await exited;
    const r = await pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 300 });
    expect(r.expired).toHaveLength(3);
    expect(r.packsDeleted).toBeGreaterThan(0);
    expect(r.snapshotsExpired.length).toBeGreaterThan(0);
    expect(readerFiles(env)).toEqual([]); // the SIGTERMed reader's file was stale: removed
  });

  it("prune waits for a reader that finishes within its wait, deleting nothing until then", async () => {
    const { env, opts } = await vaultWithPoints();
    const before = contents(env);
    const lock = await acquireReadLock(env.vault.path, "test reader", 0);
    let settled = false;
    const pruning = pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 60_000 }).finally(() => (settled = true));
    await sleep(600);
    expect(settled).toBe(false);
    expect(contents(env)).toEqual(before);
    // Prune holds the writer lock, marked: a new reader now waits for it instead.
    const w = JSON.parse(fs.readFileSync(path.join(env.vault.path, "locks", "writer"), "utf8")) as { purpose: string; excludesReaders?: boolean };
    expect(w).toMatchObject({ purpose: "prune", excludesReaders: true });
    lock.release();
    const res = await pruning;
    expect(res.expired).toHaveLength(3);
    expect(contents(env)).not.toEqual(before);
    expect((await verifyVault(env.vault, { ...opts, readData: true })).ok).toBe(true);
  });

  it("restore and verify fail clearly while a prune holds the vault, writing nothing; with a longer wait they go ahead after it", async () => {
    await childScript();
    const { env, img, opts } = await vaultWithPoints();
    const log = path.join(env.dir, "log");
    const pruner = await runChild("hold-lock", { vault: env.vault.path, log, purpose: "prune", excludeReaders: true, holdMs: 120_000 });
    const exited = waitExit(pruner);
    await waitForOutput(pruner, "locked");

    const to = path.join(env.dir, "restored");
    for (const from of ["vault", "auto"] as const) {
      const e = await restoreVm(env.vault, { vm: "a", point: "latest", toDir: to, from }, { ...opts, now: () => t(5), lockWaitMs: 300 }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(EngineError);
      expect((e as EngineError).code).toBe("BKP5010");
      expect((e as EngineError).message).toContain(`is being pruned (pid ${pruner.pid} on ${os.hostname()}, prune since`);
      expect((e as EngineError).message).toMatch(/restore of VM "a" waits for it .*Nothing was read or written; run it again when the prune finishes\.$/);
      expect(fs.existsSync(to)).toBe(false);
    }
    const v = await verifyVault(env.vault, { ...opts, lockWaitMs: 300 }).catch((x: unknown) => x);
    expect((v as EngineError).code).toBe("BKP5010");
    const plan = await restoreIntoAccounts([{ account: "sa", dir: to, vms: [{ vm: "a", vault: env.vault, point: "latest" }] }], { ...opts, lockWaitMs: 300 }).catch((x: unknown) => x);
    expect((plan as EngineError).code).toBe("BKP5010");
    expect(fs.existsSync(to)).toBe(false);
    // A reader stepping back leaves no file behind (else prune would wait for it).
    expect(readerFiles(env)).toEqual([]);

    // Waiting: the restore starts only once the prune is gone (here: killed; its lock is stale).
    const restoring = restoreVm(env.vault, { vm: "a", point: "latest", toDir: to }, { ...opts, now: () => t(5), lockWaitMs: 60_000 });
    await sleep(400);
    expect(fs.existsSync(to)).toBe(false);
    pruner.kill("SIGKILL");
    await exited;
    const r = await restoring;
    expect(r.ok).toBe(true);
    expect(sha(r.disks[0].path)).toBe(sha(img));
    expect(readerFiles(env)).toEqual([]);
  });

  it("a backup holding the writer lock does not block readers; readers share; a backup runs during a read", async () => {
    await childScript();
    const { env, img, vm, opts } = await vaultWithPoints();
    const log = path.join(env.dir, "log");
    const backupHolder = await runChild("hold-lock", { vault: env.vault.path, log, purpose: "backup of VM a", holdMs: 120_000 });
    const exited = waitExit(backupHolder);
    await waitForOutput(backupHolder, "locked");
    const r1 = await restoreVm(env.vault, { vm: "a", point: "latest", toDir: path.join(env.dir, "r1"), from: "vault" }, { ...opts, lockWaitMs: 300 });
    expect(r1.ok).toBe(true);
    expect((await verifyVault(env.vault, { ...opts, lockWaitMs: 300 })).ok).toBe(true);
    backupHolder.kill("SIGKILL");
    await exited;

    // Two reader processes at once, and this process reading beside them.
    const readers = await Promise.all([1, 2].map(() => runChild("hold-read-lock", { vault: env.vault.path, holdMs: 120_000, waitMs: 5000 })));
    const done = readers.map(waitExit);
    await Promise.all(readers.map((c) => waitForOutput(c, "locked")));
    expect(readerFiles(env)).toHaveLength(2);
    const [r2, ver] = await Promise.all([
      restoreVm(env.vault, { vm: "a", point: "latest", toDir: path.join(env.dir, "r2") }, { ...opts, now: () => t(5), lockWaitMs: 300 }),
      verifyVault(env.vault, { ...opts, readData: true, lockWaitMs: 300 }),
    ]);
    expect(r2.ok).toBe(true);
    expect(ver.ok).toBe(true);
    // A backup while readers hold the vault, and a restore racing a backup.
    fs.writeFileSync(img, crypto.randomBytes(4 * BS));
    const b = await backupVm(env.vault, vm, { ...opts, now: () => t(6), lockWaitMs: 300 });
    const want = sha(img);
    const [r3, b2] = await Promise.all([
      restoreVm(env.vault, { vm: "a", point: b.point, toDir: path.join(env.dir, "r3"), from: "vault" }, { ...opts, lockWaitMs: 300 }),
      backupVm(env.vault, vm, { ...opts, now: () => t(7), lockWaitMs: 300 }),
    ]);
    expect(r3.ok).toBe(true);
    expect(sha(r3.disks[0].path)).toBe(want);
    expect(b2.point).not.toBe(b.point);
    for (const c of readers) c.kill("SIGTERM");
    await Promise.all(done);
  });

  it("a reader killed with -9 does not block prune: its file is stale and removed; so is one with a dead pid", async () => {
    await childScript();
    const { env, opts } = await vaultWithPoints();
    const reader = await runChild("hold-read-lock", { vault: env.vault.path, holdMs: 120_000 });
    const exited = waitExit(reader);
    await waitForOutput(reader, "locked");
    reader.kill("SIGKILL");
    await exited;
    const pid = await deadPid();
    const handMade = path.join(env.vault.path, "locks", `reader-${pid}-0123456789ab`);
    fs.writeFileSync(handMade, JSON.stringify({ pid, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose: "verify" }));
    expect(readerFiles(env)).toHaveLength(2);
    const r = await pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 300 });
    expect(r.expired).toHaveLength(3);
    expect(readerFiles(env)).toEqual([]);
    expect((await verifyVault(env.vault, { ...opts, readData: true })).ok).toBe(true);
  });

  it("a reader file of another host blocks prune, and the error says which file to delete if nothing runs there", async () => {
    const { env, opts } = await vaultWithPoints();
    const before = contents(env);
    const f = path.join(env.vault.path, "locks", "reader-4242-abcdefabcdef");
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, JSON.stringify({ pid: 4242, hostname: "elsewhere.example", startedAt: "2026-03-06T01:00:00.000Z", purpose: 'restore of VM "a"' }));
    const e = await pruneVault(env.vault, new Map([["a", SPEC]]), { ...opts, now: () => t(5), lockWaitMs: 200 }).catch((x: unknown) => x);
    expect((e as EngineError).code).toBe("BKP5010");
    expect((e as EngineError).message).toContain('restore of VM "a" (pid 4242 on elsewhere.example, since 2026-03-06T01:00:00.000Z)');
    expect((e as EngineError).message).toContain(`if nothing of bkp runs on elsewhere.example, delete ${f}`);
    expect(contents(env)).toEqual(before);
    fs.rmSync(f);
  });

  it("one process keeps one reader file per vault however many of its calls read; released when the last is done", async () => {
    const { env, opts } = await vaultWithPoints();
    const outer = await acquireReadLock(env.vault.path, "outer", 0);
    const [inner1, inner2] = await Promise.all([acquireReadLock(env.vault.path, "inner", 0), acquireReadLock(env.vault.path, "inner", 0)]);
    expect(readerFiles(env)).toHaveLength(1);
    expect(inner1.file).toBe(outer.file);
    // restoreVm inside an outer read lock shares it (a second file would only let a prune in
    // between block this process's own restore).
    const r = await restoreVm(env.vault, { vm: "a", point: "latest", toDir: path.join(env.dir, "n") }, { ...opts, now: () => t(5) });
    expect(r.ok).toBe(true);
    inner1.release();
    inner1.release(); // twice is once
    outer.release();
    expect(readerFiles(env)).toHaveLength(1);
    inner2.release();
    expect(readerFiles(env)).toEqual([]);
    const again = await acquireReadLock(env.vault.path, "again", 0);
    expect(readerFiles(env)).toHaveLength(1);
    again.release();
    expect(readerFiles(env)).toEqual([]);
    // No vault at a path: nothing registered, nothing created there.
    const nowhere = path.join(env.dir, "no-vault");
    fs.mkdirSync(nowhere);
    const l = await acquireReadLock(nowhere, "x", 0);
    expect(l.file).toBeUndefined();
    l.release();
    expect(fs.readdirSync(nowhere)).toEqual([]);
  });

  it("listing points skips a manifest deleted between the listing and its read (not damage)", async () => {
    const { env, opts } = await vaultWithPoints();
    const v = await openVault(env.vault, { create: false, now: new Date(), machineKeyFile: opts.machineKeyFile });
    const names = await v.storage.list("points");
    class Vanishing extends LocalDirStorage {
      override async list(prefix: string): Promise<string[]> {
        const out = await super.list(prefix);
        // A prune deletes the oldest manifest right after the listing.
        fs.rmSync(path.join(env.vault.path, names[0]));
        return out;
      }
    }
    const reads = await readManifests(new Vanishing(env.vault.path), v.keys.enc, v.keys.name);
    expect(reads).toHaveLength(5);
    expect(reads.every((r) => r.manifest)).toBe(true);
    expect(await listPoints(env.vault, { vm: "a" }, opts)).toHaveLength(5);
  });

  it("racing reader and prune processes: no reader is ever inside while a prune is, and readers overlap each other", async () => {
    await childScript();
    const { env } = await vaultWithPoints();
    const log = path.join(env.dir, "race.log");
    const kids = await Promise.all([
      ...Array.from({ length: 4 }, () => runChild("lock-loop", { vault: env.vault.path, log, role: "reader", n: 12, holdMs: 40 })),
      ...Array.from({ length: 2 }, () => runChild("lock-loop", { vault: env.vault.path, log, role: "prune", n: 6, holdMs: 40 })),
    ]);
    for (const r of await Promise.all(kids.map(waitExit))) expect(r.code, r.err).toBe(0);
    const lines = fs.readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2 * (4 * 12 + 2 * 6));
    let readers = 0;
    let prunes = 0;
    let maxReaders = 0;
    for (const [i, line] of lines.entries()) {
      const [role, what] = line.split(" ");
      const d = what === "start" ? 1 : -1;
      if (role === "prune") prunes += d;
      else readers += d;
      maxReaders = Math.max(maxReaders, readers);
      expect({ line: i, readers, prunes, ok: prunes === 0 || (prunes === 1 && readers === 0) }).toMatchObject({ ok: true });
    }
    expect(maxReaders).toBeGreaterThan(1);
    expect(readerFiles(env)).toEqual([]);
  });

  it("a writer lock held by a prune that died does not block readers", async () => {
    const { env, opts } = await vaultWithPoints();
    const pid = await deadPid();
    fs.writeFileSync(
      path.join(env.vault.path, "locks", "writer"),
      JSON.stringify({ pid, hostname: os.hostname(), startedAt: new Date().toISOString(), token: "dead", purpose: "prune", excludesReaders: true }),
    );
    expect((await verifyVault(env.vault, { ...opts, lockWaitMs: 0 })).ok).toBe(true);
    // And the next prune takes the stale lock over.
    const lock = await acquireLock(env.vault.path, "prune", 1000, { excludeReaders: true });
    lock.release();
  });
});
