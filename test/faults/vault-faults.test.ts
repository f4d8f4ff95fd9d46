// Fault injection (issue 13): every kind of vault file flipped, truncated and deleted, then what a
// user runs next — verify, backup, repair, a backup after the instant-restore snapshots expired —
// and a restore of every point; and kill -9 at every commit phase (main-thread rename or delete)
// of backup, prune, repair and restore. The properties, checked on real images and bytes:
//   1. no point that restored right after the fault is lost because of bkp's own later actions;
//   2. every point a backup makes after the fault restores (no new point builds on damage);
//   3. no restore ever writes wrong bytes (a restore either fails or is byte-identical).
// Run with `npm run test:faults` (CI runs it after the main suite).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupVm, listPoints, repairVault, restoreVm, verifyVault } from "../../src/engine/index.js";
import type { EngineVault, SnapshotTier } from "../../src/engine/index.js";
import { KiB, filesUnder, overwrite, tempDir, writeImage } from "../engine/helpers.js";
import { useBundledWorker } from "../engine/child.js";
import { runFaultChild } from "./fault-child.js";

const D = tempDir("bkp-faults-");
const A = path.join(D, "a.raw");
const B = path.join(D, "b.raw");
const A2 = path.join(D, "a2.raw");
const vault: EngineVault = { name: "v", path: path.join(D, "vault"), encryption: { kind: "platform-key" } };
const SNAPS = `${vault.path}.snapshots`;
const PRISTINE = path.join(D, "pristine");
const TIER: SnapshotTier = { days: 2, zone: "UTC" };
const BASE = { machineKeyFile: path.join(D, "machine.key"), blockSize: 64 * KiB, pageBlocks: 8, packTarget: 192 * KiB, workers: 2, lockWaitMs: 5000 };
const at = (days: number, hours = 0) => new Date(Date.UTC(2026, 2, 1 + days, 2 + hours));
const vm = { name: "vm", disks: [{ name: "a", image: A }, { name: "b", image: B }] };
const vmKill = { name: "vm", disks: [{ name: "a", image: A2 }, { name: "b", image: B }] };

const sha = (f: string) => crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex");
/** Expected image hashes per point id. */
const expected = new Map<string, Record<string, string>>();
const hashesOf = (v: typeof vm) => Object.fromEntries(v.disks.map((d) => [d.name, sha(d.image)]));
const stats = { cases: 0, trials: 0, pointsRestored: 0, failures: [] as string[] };
let p1 = "";
let p2 = "";

function copyTree(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  if (fs.existsSync(from)) fs.cpSync(from, to, { recursive: true, preserveTimestamps: true });
}

function reset(): void {
  copyTree(path.join(PRISTINE, "vault"), vault.path);
  copyTree(path.join(PRISTINE, "vault.snapshots"), SNAPS);
}

type Outcome = "ok" | "failed" | "wrong";

/** Restores a point and compares every disk with the image it was taken from. */
async function restoreCheck(point: string, from: "vault" | "auto", now: Date, tag: string): Promise<Outcome> {
  const want = expected.get(point);
  if (!want) throw new Error(`no expected bytes for ${point}`);
  const out = path.join(D, "restores", `${tag}-${crypto.randomBytes(4).toString("hex")}`);
  try {
    const r = await restoreVm(vault, { vm: "vm", point, toDir: out, from }, { ...BASE, now: () => now });
    let outcome: Outcome = "ok";
    for (const d of r.disks) {
      if (!d.ok) outcome = outcome === "wrong" ? "wrong" : "failed";
      else if (sha(d.path) !== want[d.disk]) outcome = "wrong";
    }
    if (outcome === "ok") stats.pointsRestored++;
    return outcome;
  } catch {
    return "failed";
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function fail(why: string): void {
  stats.failures.push(why);
}

beforeAll(async () => {
  await useBundledWorker();
  writeImage(A, "rtzrtrzt", 128 * KiB);
  writeImage(B, "trrtzz", 128 * KiB, 1000);
  const r1 = await backupVm(vault, vm, { ...BASE, now: () => at(0), instantRestore: TIER });
  p1 = r1.point;
  expected.set(p1, hashesOf(vm));
  overwrite(A, 300 * KiB, crypto.randomBytes(100 * KiB));
  const r2 = await backupVm(vault, vm, { ...BASE, now: () => at(1), instantRestore: TIER });
  p2 = r2.point;
  expected.set(p2, hashesOf(vm));
  fs.copyFileSync(A, A2);
  overwrite(A2, 0, crypto.randomBytes(200 * KiB));
  copyTree(vault.path, path.join(PRISTINE, "vault"));
  copyTree(SNAPS, path.join(PRISTINE, "vault.snapshots"));
  expect((await verifyVault(vault, { ...BASE, readData: true })).ok).toBe(true);
});

afterAll(() => {
  // The counts the issue asks for, printed with the test output.
  console.log(
    `fault injection: ${stats.cases} cases, ${stats.trials} trials, ${stats.pointsRestored} points restored and compared, ${stats.failures.length} failures` +
      (stats.failures.length ? `\n  ${stats.failures.join("\n  ")}` : ""),
  );
});

// ---- every vault file kind x flip / truncate / delete ---------------------------------------

type Fault = "flip" | "truncate" | "delete";
const first = (prefix: string) => () => filesUnder(vault.path).find((f) => f.startsWith(prefix));
const snapFile = (name: string) => () => {
  const dir = path.join(SNAPS, "vm", p2);
  const f = name === "record" ? "snapshot.json" : fs.readdirSync(dir).find((x) => x !== "snapshot.json");
  return f ? path.relative(vault.path, path.join(dir, f)) : undefined;
};
const KINDS: { kind: string; file: () => string | undefined; faults: Fault[]; flipAt?: "end" }[] = [
  { kind: "config", file: () => "config", faults: ["flip", "truncate", "delete"] },
  { kind: "key file", file: () => "keys/vault.key", faults: ["flip", "truncate", "delete"] },
  { kind: "key file copy", file: () => "keys/vault.key.copy", faults: ["flip", "truncate", "delete"] },
  { kind: "sealed config copy", file: () => "keys/config.sealed", faults: ["flip", "truncate", "delete"] },
  { kind: "pack index", file: first("index/"), faults: ["flip", "truncate", "delete"] },
  { kind: "pack", file: first("packs/"), faults: ["flip", "truncate", "delete"] },
  { kind: "pack trailer", file: first("packs/"), faults: ["flip"], flipAt: "end" },
  { kind: "block map", file: first("maps/"), faults: ["flip", "truncate", "delete"] },
  { kind: "point manifest", file: first("points/"), faults: ["flip", "truncate", "delete"] },
  { kind: "job record", file: first("jobs/"), faults: ["flip", "truncate", "delete"] },
  { kind: "snapshot file", file: snapFile("disk"), faults: ["flip", "truncate", "delete"] },
  { kind: "snapshot record", file: snapFile("record"), faults: ["flip", "truncate", "delete"] },
];

function inject(rel: string, fault: Fault, flipAt?: "end"): void {
  const file = path.join(vault.path, rel);
  if (fault === "delete") return fs.rmSync(file);
  fs.chmodSync(file, 0o600);
  const size = fs.statSync(file).size;
  if (fault === "truncate") return fs.truncateSync(file, Math.floor(size / 2));
  const b = fs.readFileSync(file);
  b[flipAt === "end" ? size - 30 : Math.floor(size / 2)] ^= 0x20;
  fs.writeFileSync(file, b);
}

describe("fault injection: vault files", () => {
  for (const k of KINDS) {
    for (const fault of k.faults) {
      it(`${k.kind}: ${fault}`, async () => {
        reset();
        const rel = k.file();
        if (!rel) throw new Error(`no ${k.kind} in the vault`);
        inject(rel, fault, k.flipAt);
        stats.cases++;
        stats.trials++;
        const tag = `${k.kind}/${fault}`;
        const pre = new Map<string, Outcome>();
        for (const p of [p1, p2]) pre.set(p, await restoreCheck(p, "vault", at(1, 2), "pre"));
        // What a user runs next: each may fail on a damaged vault, none may make it worse.
        await verifyVault(vault, { ...BASE, readData: true, now: () => at(1, 2) }).catch(() => undefined);
        const b1 = await backupVm(vault, vm, { ...BASE, now: () => at(1, 3), instantRestore: TIER }).catch(() => undefined);
        await repairVault(vault, { ...BASE, now: () => at(1, 4) }).catch(() => undefined);
        // Days later: the snapshots have expired, changes are found by checksum comparison.
        const b2 = await backupVm(vault, vm, { ...BASE, now: () => at(4), instantRestore: TIER }).catch((e: unknown) => e as Error);
        for (const b of [b1, b2]) if (b && "point" in b) expected.set(b.point, hashesOf(vm));
        for (const [p, o] of pre) {
          if (o === "wrong") fail(`${tag}: restoring ${p} right after the fault wrote wrong bytes`);
          const post = await restoreCheck(p, "vault", at(4, 1), "post");
          if (post === "wrong") fail(`${tag}: restoring ${p} after bkp's actions wrote wrong bytes`);
          if (o === "ok" && post !== "ok") fail(`${tag}: point ${p} restored after the fault but not after bkp's own actions`);
        }
        if (!b2 || !("point" in b2)) fail(`${tag}: the backup after repair failed: ${b2 instanceof Error ? b2.message : "?"}`);
        for (const b of [b1, b2]) {
          if (!b || !("point" in b)) continue;
          if ((await restoreCheck(b.point, "vault", at(4, 1), "new")) !== "ok") fail(`${tag}: point ${b.point} made after the fault does not restore`);
        }
        if (b2 && "point" in b2 && (await restoreCheck(b2.point, "auto", at(4, 1), "snap")) !== "ok") fail(`${tag}: instant restore of ${b2.point} failed or differed`);
        expect(stats.failures.filter((f) => f.startsWith(`${tag}:`))).toEqual([]);
      });
    }
  }
});

// ---- kill -9 at every commit phase ------------------------------------------------------------

/** Kill points: every mutation when few, else `max` spread over the run (first and last included). */
function killPoints(total: number, max = 8): number[] {
  if (total <= max) return Array.from({ length: total }, (_, i) => i + 1);
  return [...new Set(Array.from({ length: max }, (_, i) => 1 + Math.round((i * (total - 1)) / (max - 1))))];
}

const restoreDir = path.join(D, "killed-restore");
const OPS: { op: string; prepare: () => void; args: () => unknown; after: (tag: string) => Promise<void> }[] = [
  { op: "backup", prepare: reset, args: () => ({ vault, vm: vmKill, opts: { ...BASE, instantRestore: TIER }, now: at(1, 1).toISOString() }), after: afterWriter },
  {
    op: "prune",
    prepare: reset,
    args: () => ({ vault, retention: [["vm", { retention: { daily: { days: 1 } }, zone: "UTC", instantRestoreDays: 2 }]], opts: BASE, now: at(5).toISOString() }),
    after: afterWriter,
  },
  {
    op: "repair",
    prepare: () => {
      reset();
      fs.rmSync(path.join(vault.path, "config"));
      fs.rmSync(path.join(vault.path, first("index/")() ?? ""));
    },
    args: () => ({ vault, opts: BASE, now: at(1, 1).toISOString() }),
    after: async (tag) => {
      // A killed repair is finished by the next one.
      const r = await repairVault(vault, { ...BASE, now: () => at(1, 2) }).catch((e: unknown) => e as Error);
      if (r instanceof Error || !r.ok) fail(`${tag}: repair after the killed repair did not finish: ${r instanceof Error ? r.message : r.left.join("; ")}`);
      await afterWriter(tag);
    },
  },
  {
    op: "restore",
    prepare: () => {
      reset();
      fs.rmSync(restoreDir, { recursive: true, force: true });
    },
    args: () => ({ vault, request: { vm: "vm", point: p2, toDir: restoreDir, from: "vault" }, opts: BASE, now: at(1, 1).toISOString() }),
    after: async (tag) => {
      for (const f of fs.existsSync(restoreDir) ? fs.readdirSync(restoreDir) : []) {
        const disk = f.replace(/\.raw$/, "");
        if (!f.includes(".bkp-partial") && expected.get(p2)?.[disk] !== sha(path.join(restoreDir, f))) fail(`${tag}: a killed restore left ${f} with wrong bytes`);
      }
      await afterWriter(tag);
    },
  },
];

/** After a killed command: the vault verifies clean, every listed point restores, the next backup works. */
async function afterWriter(tag: string): Promise<void> {
  const v = await verifyVault(vault, { ...BASE, readData: true, now: () => at(5) }).catch((e: unknown) => e as Error);
  if (v instanceof Error || !v.ok) fail(`${tag}: verify after the kill: ${v instanceof Error ? v.message : v.damage.map((d) => `${d.object}: ${d.problem}`).join("; ")}`);
  const points = await listPoints(vault, { vm: "vm" }, { ...BASE, now: () => at(5) }).catch(() => []);
  if (!points.some((p) => p.id === p2)) fail(`${tag}: point ${p2} is gone`);
  for (const p of points) {
    if (!expected.has(p.id)) expected.set(p.id, hashesOf(vmKill)); // committed by the killed backup
    if ((await restoreCheck(p.id, "vault", at(5), "kill")) !== "ok") fail(`${tag}: point ${p.id} does not restore after the kill`);
  }
  const b = await backupVm(vault, vm, { ...BASE, now: () => at(5, 1), instantRestore: TIER }).catch((e: unknown) => e as Error);
  if (b instanceof Error) fail(`${tag}: the next backup failed: ${b.message}`);
  else {
    expected.set(b.point, hashesOf(vm));
    if ((await restoreCheck(b.point, "vault", at(5, 2), "kill-next")) !== "ok") fail(`${tag}: the next backup's point does not restore`);
  }
}

describe("fault injection: kill -9 at every commit phase", () => {
  for (const o of OPS) {
    it(`${o.op}`, async () => {
      o.prepare();
      const full = await runFaultChild(o.op, o.args());
      expect(full.code, full.err).toBe(0);
      const total = (JSON.parse(full.out.trim().split("\n").pop() ?? "{}") as { mutations: number }).mutations;
      expect(total).toBeGreaterThan(2);
      stats.cases++;
      for (const k of killPoints(total)) {
        o.prepare();
        const run = await runFaultChild(o.op, o.args(), k);
        stats.trials++;
        const tag = `kill -9 ${o.op} before mutation ${k}/${total}`;
        if (run.signal !== "SIGKILL" && run.code !== 0) fail(`${tag}: the child failed on its own: ${run.err.slice(0, 300)}`);
        await o.after(tag);
      }
      expect(stats.failures.filter((f) => f.includes(`kill -9 ${o.op} `))).toEqual([]);
    });
  }
});
