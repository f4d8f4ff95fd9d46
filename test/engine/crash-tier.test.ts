// kill -9 with the instant-restore tier on (incremental snapshots), at random moments of real
// processes: backups (which also expire and merge snapshots), prunes (snapshot expiry, point
// expiry, repacking) and restores. After every kill: verify --read-data finds no damage and every
// live snapshot checks out, and committed points restore byte-identically (from their snapshot
// chain when they have one, else from the vault).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { RetentionSpec } from "../../src/plan/retention.js";
import { KiB, filesUnder, platformEnv, sha, writeImage } from "./helpers.js";
import { runChild, useBundledWorker, waitExit } from "./child.js";

const TRIALS = 20;
const HOUR = 3600 * 1000;

describe("crash safety with the instant-restore tier", () => {
  it(`survives kill -9 during backups with snapshot expiry, prunes with repacking, and restores (${TRIALS} trials each)`, async () => {
    const started = Date.now();
    await useBundledWorker();
    const env = platformEnv();
    const a = path.join(env.dir, "a.raw");
    const b = path.join(env.dir, "b.raw");
    writeImage(a, "rtzrtrzr", 256 * KiB);
    writeImage(b, "ttrrzztr", 256 * KiB);
    const vm = { name: "vm", disks: [{ name: "a", image: a }, { name: "b", image: b }] };
    // Backups 8 hours apart with a 1-day tier: most backups expire (merge) an older snapshot.
    const t0 = Date.parse("2026-03-01T00:00:00Z");
    let tick = 0;
    const clock = () => new Date(t0 + tick * 8 * HOUR).toISOString();
    const tier = { days: 1, zone: "UTC" };
    // Blocks of four 64 KiB grains: the 20 KiB writes are stored as delta chunks, whose bases
    // prune must keep and repack must move.
    const base = { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, pageBlocks: 2, packTarget: 256 * KiB, workers: 2, lockWaitMs: 5000, instantRestore: tier };
    const opts = () => ({ ...base, nowIso: clock() });
    const inProcess = () => ({ ...base, now: () => new Date(clock()) });
    const expected = new Map<string, { a: string; b: string }>();
    const record = (point: string) => expected.set(point, { a: sha(a), b: sha(b) });
    const churn = (file: string) => {
      const fd = fs.openSync(file, "r+");
      for (let i = 0; i < 4; i++) fs.writeSync(fd, crypto.randomBytes(20 * KiB), 0, 20 * KiB, crypto.randomInt(0, 2048 * KiB - 20 * KiB));
      fs.closeSync(fd);
    };
    const log: string[] = [];
    const ids = async () => (await listPoints(env.vault, { vm: "vm" }, { machineKeyFile: env.machineKeyFile })).map((p) => p.id);

    /** After a kill: no damage, every live snapshot whole, the newest and a random point restore their bytes. */
    const check = async (what: string) => {
      const v = await verifyVault(env.vault, { readData: true, machineKeyFile: env.machineKeyFile, now: () => new Date(clock()) });
      expect(v.damage, `${what}\n${log.join("\n")}`).toEqual([]);
      expect(v.snapshots.filter((s) => !s.ok), `${what}\n${log.join("\n")}`).toEqual([]);
      const all = await ids();
      for (const id of new Set([all[all.length - 1], all[crypto.randomInt(0, all.length)]])) {
        const out = path.join(env.dir, `check-${tick}-${id}`);
        const r = await restoreVm(env.vault, { vm: "vm", point: id, toDir: out }, { machineKeyFile: env.machineKeyFile, workers: 2, now: () => new Date(clock()) });
        expect(r.ok, `${what} ${id}\n${log.join("\n")}`).toBe(true);
        expect({ a: sha(r.disks[0].path), b: sha(r.disks[1].path) }, `${what} ${id} (${r.disks.map((d) => d.from).join(",")})\n${log.join("\n")}`).toEqual(expected.get(id));
        fs.rmSync(out, { recursive: true });
      }
    };
    /** Runs a child, kills it after a random share of `runMs`; true when it was really interrupted. */
    const killAtRandom = async (mode: string, args: unknown, runMs: number, what: string) => {
      const delay = Math.floor(Math.random() * runMs * 1.1);
      const child = await runChild(mode, args);
      const exit = waitExit(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill("SIGKILL");
      const res = await exit;
      log.push(`${what}: kill after ${delay} ms -> ${res.signal ?? `exit ${res.code}`}`);
      if (res.signal === null) expect(res.code, res.out + res.err).toBe(0);
      return res.signal !== null;
    };
    const timedRun = async (mode: string, args: unknown) => {
      const s = Date.now();
      const r = await waitExit(await runChild(mode, args));
      expect(r.code, r.out + r.err).toBe(0);
      return { ms: Date.now() - s, out: r.out };
    };

    // 1. Backups (each commits a snapshot, then expires and merges older ones).
    const first = await timedRun("backup", { vault: env.vault, vm, opts: opts() });
    record((JSON.parse(first.out) as { point: string }).point);
    let interrupted = 0;
    let deltas = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      tick++;
      churn(a);
      churn(b);
      const before = new Set(await ids());
      if (await killAtRandom("backup", { vault: env.vault, vm, opts: opts() }, first.ms, `backup ${trial}`)) interrupted++;
      const added = (await ids()).filter((id) => !before.has(id));
      expect(added.length).toBeLessThanOrEqual(1);
      if (added.length) record(added[0]);
      await check(`backup ${trial}`);
      if (trial % 2 === 1) {
        tick++;
        const next = await backupVm(env.vault, vm, inProcess());
        record(next.point);
        deltas += next.disks.reduce((s, d) => s + d.deltaChunks, 0);
        expect(filesUnder(env.vault.path).filter((f) => f.includes(".tmp-"))).toEqual([]);
      }
    }
    expect(interrupted, log.join("\n")).toBeGreaterThanOrEqual(TRIALS / 3);
    expect(deltas, "the completed backups stored delta chunks").toBeGreaterThan(0);
    console.log(`crash-tier: backups done at ${((Date.now() - started) / 1000).toFixed(0)} s, ${interrupted} of ${TRIALS} interrupted`);

    // 2. Prunes: points older than a day expire (their snapshots first), packs get repacked.
    const spec: RetentionSpec = { retention: { daily: { days: 1 } }, zone: "UTC", instantRestoreDays: 1 };
    const retention = [["vm", spec]];
    interrupted = 0;
    let pruneMs = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      for (let k = 0; k < 2; k++) {
        tick++;
        churn(a);
        record((await backupVm(env.vault, vm, inProcess())).point);
      }
      tick++;
      if (trial === 0) {
        pruneMs = (await timedRun("prune", { vault: env.vault, retention, opts: opts() })).ms;
        continue;
      }
      if (await killAtRandom("prune", { vault: env.vault, retention, opts: opts() }, pruneMs, `prune ${trial}`)) interrupted++;
      await check(`prune ${trial}`);
    }
    expect(interrupted, log.join("\n")).toBeGreaterThanOrEqual(TRIALS / 4);
    console.log(`crash-tier: prunes done at ${((Date.now() - started) / 1000).toFixed(0)} s, ${interrupted} of ${TRIALS - 1} interrupted`);

    // 3. Restores: the target is either absent or whole (written under a temporary name, renamed last).
    const restoreMs = (await timedRun("restore", { vault: env.vault, req: { vm: "vm", point: "latest", toDir: path.join(env.dir, "r-cal") }, opts: opts() })).ms;
    interrupted = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const all = await ids();
      const id = all[crypto.randomInt(0, all.length)];
      const toDir = path.join(env.dir, `r-${trial}`);
      const req = { vm: "vm", point: id, toDir, from: trial % 2 ? "vault" : "auto" };
      if (await killAtRandom("restore", { vault: env.vault, req, opts: opts() }, restoreMs, `restore ${trial} of ${id}`)) interrupted++;
      for (const [disk, file] of [["a", "a.raw"], ["b", "b.raw"]] as const) {
        const target = path.join(toDir, file);
        if (fs.existsSync(target)) expect(sha(target), `restore ${trial} ${disk}`).toBe(expected.get(id)?.[disk]);
      }
      await check(`restore ${trial}`);
    }
    expect(interrupted, log.join("\n")).toBeGreaterThanOrEqual(TRIALS / 4);
  }, 900_000);
});
