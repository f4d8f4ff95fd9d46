// The instant-restore snapshot tier through the engine (DOMAIN §4, §6, §7): real backups of real
// image files keep snapshots beside the vault; restores from them equal the source without the
// vault's packs; snapshots expire by the clock; without the previous point's snapshot a backup
// finds changes by checksum comparison and says why; a failed backup leaves no usable snapshot;
// prune expires snapshots (and --dry-run only lists them).
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { backupVm, listPoints, restoreVm } from "../../src/engine/index.js";
import { isEngineError } from "../../src/engine/errors.js";
import { pruneVault } from "../../src/engine/prune.js";
import { allocatedBytes, listSnapshots, snapshotRoot } from "../../src/engine/snapshot/snapshots.js";
import type { SnapshotTier } from "../../src/engine/types.js";
import type { RetentionSpec } from "../../src/plan/retention.js";
import { loadTexts } from "../../src/model/load.js";
import { KiB, filesUnder, overwrite, platformEnv, sha, twoDiskVm } from "./helpers.js";
import type { Env } from "./helpers.js";

const BS = 64 * KiB;
const TIER: SnapshotTier = { days: 2, zone: "UTC" };
const day = (d: number, minutes = 0) => DateTime.fromISO("2026-03-01T02:30:00Z", { zone: "UTC" }).plus({ days: d, minutes }).toJSDate();

const setup = () => twoDiskVm(BS);

function opts(env: Env, at: Date, tier: SnapshotTier | false = TIER) {
  return { machineKeyFile: env.machineKeyFile, blockSize: BS, pageBlocks: 8, packTarget: 256 * KiB, workers: 2, now: () => at, instantRestore: tier };
}

function restoreOpts(env: Env, at: Date) {
  return { machineKeyFile: env.machineKeyFile, workers: 2, now: () => at };
}

/** Moves the vault's packs away while `f` runs: a restore that needs them fails. */
async function withoutPacks<T>(env: Env, f: () => Promise<T>): Promise<T> {
  const packs = path.join(env.vault.path, "packs");
  fs.renameSync(packs, `${packs}.away`);
  try {
    return await f();
  } finally {
    fs.renameSync(`${packs}.away`, packs);
  }
}

const allocated = (f: string) => fs.statSync(f).blocks * 512;

describe("instant-restore snapshots", () => {
  it("a backup keeps a sparse snapshot beside the vault; restoring from it equals the source without reading any pack", async () => {
    const { env, vm, os, data } = setup();
    const want = { os: sha(os), data: sha(data) };
    const r = await backupVm(env.vault, vm, opts(env, day(0)));
    const s = r.snapshot;
    expect(s?.dir).toBe(path.join(snapshotRoot(env.vault.path), "vm1", r.point));
    expect(s?.expiresAt).toBe("2026-03-03T02:30:00.000Z");
    expect(s?.disks.map((d) => d.disk)).toEqual(["os", "data"]);
    for (const d of s?.disks ?? []) expect(["reflink", "sparse-copy"]).toContain(d.method);
    // Beside the vault, not in it: plain copies, read-only, holes kept.
    expect(path.dirname(snapshotRoot(env.vault.path))).toBe(path.dirname(env.vault.path));
    const snapOs = path.join(s?.dir ?? "", "os.img");
    expect(sha(snapOs)).toBe(want.os);
    expect(fs.statSync(snapOs).mode & 0o777).toBe(0o400);
    if (s?.disks[0].method === "sparse-copy") expect(allocated(snapOs)).toBeLessThanOrEqual(fs.statSync(os).size / 2 + 64 * KiB);
    expect(s?.live).toBe(1);
    // The space reported is every file of the folder (copies and their grain checksums).
    expect(s?.allocatedBytes).toBe(filesUnder(s?.dir ?? "").filter((f) => !f.endsWith("snapshot.json")).reduce((n, f) => n + allocated(path.join(s?.dir ?? "", f)), 0));

    const pts = await listPoints(env.vault, { vm: "vm1" }, restoreOpts(env, day(1)));
    expect(pts[0].snapshot).toMatchObject({ expiresAt: "2026-03-03T02:30:00.000Z", disks: ["os", "data"] });

    // The images change afterwards; the point (and its snapshot) keeps the old bytes.
    overwrite(os, 0, crypto.randomBytes(BS));
    const out = path.join(env.dir, "instant");
    const res = await withoutPacks(env, () => restoreVm(env.vault, { vm: "vm1", point: "instant", toDir: out, instantRestore: TIER }, restoreOpts(env, day(1))));
    expect(res.ok).toBe(true);
    expect(res.point).toBe(r.point);
    expect(res.disks.map((d) => [d.disk, d.from, d.ok])).toEqual([["os", "snapshot", true], ["data", "snapshot", true]]);
    expect(sha(path.join(out, "os.img"))).toBe(want.os);
    expect(sha(path.join(out, "data.raw"))).toBe(want.data);
    // Written sparse, as vault restores are.
    expect(allocated(path.join(out, "os.img"))).toBeLessThan(fs.statSync(path.join(out, "os.img")).size);

    // The same point from the vault needs the packs: without them it fails — so the restore above read none.
    const viaVault = await withoutPacks(env, () => restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: path.join(env.dir, "vault-way"), from: "vault" }, restoreOpts(env, day(1))));
    expect(viaVault.ok).toBe(false);
    expect(viaVault.disks.every((d) => d.from === "vault" && d.error?.code === "BKP5051")).toBe(true);
  });

  it("snapshots are incremental: an unchanged image takes no new space, a changed one only its changed grains; every point restores its own bytes", async () => {
    const { env, vm, os } = setup();
    const want1 = sha(os);
    const r1 = await backupVm(env.vault, vm, opts(env, day(0)));
    const r2 = await backupVm(env.vault, vm, opts(env, day(0, 60)));
    expect(r2.disks.map((d) => d.detection)).toEqual(["unchanged-file", "unchanged-file"]);
    expect(r2.snapshot?.disks.map((d) => [d.method, d.linkedFrom])).toEqual([["delta", r1.point], ["delta", r1.point]]);
    expect(r2.snapshot?.live).toBe(2);
    // Only the grain bitmaps are new (a file system block each).
    expect((r2.snapshot?.allocatedBytes ?? 0) - (r1.snapshot?.allocatedBytes ?? 0)).toBeLessThanOrEqual(2 * 4 * KiB);

    // One 64 KiB grain changes: the next snapshot stores that grain (and its checksums), not a copy.
    overwrite(os, 3 * BS, crypto.randomBytes(BS));
    const r3 = await backupVm(env.vault, vm, opts(env, day(0, 120)));
    expect(r3.disks.map((d) => [d.detection, d.detectionReason])).toEqual([["block-checksum", undefined], ["unchanged-file", undefined]]);
    expect(r3.snapshot?.disks.map((d) => [d.method, d.linkedFrom])).toEqual([["delta", r2.point], ["delta", r2.point]]);
    const grown = (r3.snapshot?.allocatedBytes ?? 0) - (r2.snapshot?.allocatedBytes ?? 0);
    expect(grown).toBeGreaterThanOrEqual(BS);
    expect(grown).toBeLessThanOrEqual(BS + 4 * 4 * KiB);
    // Every point in the tier restores its own bytes from its snapshot chain, without the packs.
    for (const [r, want] of [[r1, want1], [r2, want1], [r3, sha(os)]] as const) {
      const out = path.join(env.dir, `r-${r.point}`);
      const res = await withoutPacks(env, () => restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: out }, restoreOpts(env, day(1))));
      expect(res.disks.map((d) => d.from)).toEqual(["snapshot", "snapshot"]);
      expect(sha(path.join(out, "os.img"))).toBe(want);
    }
  });

  it("expiring the oldest snapshots merges them into the next: the rest still restore their own bytes, and space stays image + churn", async () => {
    const { env, vm, os } = setup();
    const wants: string[] = [];
    const ids: string[] = [];
    for (let d = 0; d < 5; d++) {
      overwrite(os, d * BS, crypto.randomBytes(BS / 2));
      const r = await backupVm(env.vault, vm, opts(env, day(d)));
      ids.push(r.point);
      wants.push(sha(os));
    }
    // Days 3 and 4 are live (2 days); the older ones were merged into their children and deleted.
    expect(listSnapshots(env.vault.path, "vm1").map((s) => s.point)).toEqual(ids.slice(3));
    const first = listSnapshots(env.vault.path, "vm1")[0].record;
    expect(first?.disks.map((d) => [d.method, d.overlays])).toEqual([["sparse-copy", undefined], ["sparse-copy", undefined]]);
    for (const i of [3, 4]) {
      const out = path.join(env.dir, `m-${i}`);
      const res = await withoutPacks(env, () => restoreVm(env.vault, { vm: "vm1", point: ids[i], toDir: out }, restoreOpts(env, day(4))));
      expect(res.disks.map((d) => d.from)).toEqual(["snapshot", "snapshot"]);
      expect(sha(path.join(out, "os.img"))).toBe(wants[i]);
    }
    // Each file counted once (an unchanged disk's checksums are hard links).
    const snapBytes = allocatedBytes(listSnapshots(env.vault.path, "vm1").flatMap((s) => filesUnder(s.dir).map((f) => path.join(s.dir, f))));
    const imageData = allocated(os) + allocated(vm.disks[1].image);
    expect(snapBytes).toBeLessThanOrEqual(imageData + 2 * BS + 64 * KiB);
  });

  it("snapshots expire after the policy's days (up to n+1 exist); a backup after its base expired compares checksums, says why, and its point restores from the vault", async () => {
    const { env, vm, os, data } = setup();
    let maxLive = 0;
    let last = "";
    // Daily backups a minute earlier each day: the snapshot of two days ago has not quite expired
    // when the next one is taken, so three (n+1) exist at times.
    for (let d = 0; d < 5; d++) {
      overwrite(data, 0, crypto.randomBytes(100));
      const r = await backupVm(env.vault, vm, opts(env, day(d, -d)));
      expect(r.disks.find((x) => x.disk === "data")?.detectionReason).toBeUndefined();
      expect(r.snapshot?.live).toBeLessThanOrEqual(TIER.days + 1);
      maxLive = Math.max(maxLive, r.snapshot?.live ?? 0);
      last = r.point;
    }
    expect(maxLive).toBe(TIER.days + 1);
    // No backup for three days: the newest snapshot expired (day 4 + 2 days) before the next run.
    const want = { os: sha(os), data: sha(data) };
    const r = await backupVm(env.vault, vm, opts(env, day(7)));
    for (const d of r.disks) {
      expect(d.detection).toBe("block-checksum");
      expect(d.detectionReason).toMatch(new RegExp(`^the instant-restore snapshot of point ${last} expired at 2026-03-07T02:26:00.000Z: changes found by checksum comparison, every block read \\(docs/domain.md#timing\\)$`));
      expect(d.bytesRead).toBe(d.imageBytes); // every block read …
      expect(d.bytesChanged).toBe(0); // … and nothing had changed
    }
    expect(r.snapshot?.expired.map((x) => x.point)).toContain(last);
    expect(r.snapshot?.live).toBe(1);
    expect(listSnapshots(env.vault.path, "vm1").map((s) => s.point)).toEqual([r.point]);
    const out = path.join(env.dir, "from-vault");
    const res = await restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: out, from: "vault" }, restoreOpts(env, day(7)));
    expect(res.ok).toBe(true);
    expect([sha(path.join(out, "os.img")), sha(path.join(out, "data.raw"))]).toEqual([want.os, want.data]);
    // Only the newest point is still in the tier.
    const pts = await listPoints(env.vault, { vm: "vm1" }, restoreOpts(env, day(7)));
    expect(pts.map((p) => p.snapshot !== undefined)).toEqual([false, false, false, false, false, true]);
  });

  it("snapshots deleted by hand: the next backup compares checksums and says so, and its point is correct", async () => {
    const { env, vm, os, data } = setup();
    const r1 = await backupVm(env.vault, vm, opts(env, day(0)));
    fs.rmSync(snapshotRoot(env.vault.path), { recursive: true, force: true });
    overwrite(data, 5 * BS, crypto.randomBytes(10));
    const want = { os: sha(os), data: sha(data) };
    const r2 = await backupVm(env.vault, vm, opts(env, day(1)));
    expect(r2.disks.map((d) => [d.disk, d.detection, d.bytesRead])).toEqual([
      ["os", "block-checksum", fs.statSync(os).size],
      ["data", "block-checksum", fs.statSync(data).size],
    ]);
    for (const d of r2.disks) expect(d.detectionReason).toBe(`the instant-restore snapshot of point ${r1.point} is gone: changes found by checksum comparison, every block read (docs/domain.md#timing)`);
    expect(r2.disks.map((d) => d.bytesChanged)).toEqual([0, BS]);
    for (const from of ["vault", "auto"] as const) {
      const out = path.join(env.dir, `after-${from}`);
      const res = await restoreVm(env.vault, { vm: "vm1", point: "latest", toDir: out, from }, restoreOpts(env, day(1)));
      expect(res.disks.map((d) => d.from)).toEqual(from === "vault" ? ["vault", "vault"] : ["snapshot", "snapshot"]);
      expect([sha(path.join(out, "os.img")), sha(path.join(out, "data.raw"))]).toEqual([want.os, want.data]);
    }
    // Without a tier (engine callers without a model VM) nothing of this applies: the old shortcut.
    const r3 = await backupVm(env.vault, vm, opts(env, day(1, 5), false));
    expect(r3.snapshot).toBeUndefined();
    expect(r3.disks.map((d) => [d.detection, d.detectionReason])).toEqual([["unchanged-file", undefined], ["unchanged-file", undefined]]);
  });

  it("a damaged snapshot file: auto restores that disk from the vault with a note; --from snapshot fails it (BKP5071) and writes nothing for it", async () => {
    const { env, vm, os, data } = setup();
    const r = await backupVm(env.vault, vm, opts(env, day(0)));
    const file = path.join(r.snapshot?.dir ?? "", "os.img");
    fs.chmodSync(file, 0o600);
    overwrite(file, 3, Buffer.from("tampered"));
    const auto = await restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: path.join(env.dir, "auto") }, restoreOpts(env, day(1)));
    expect(auto.ok).toBe(true);
    expect(auto.disks.map((d) => [d.disk, d.from])).toEqual([["os", "vault"], ["data", "snapshot"]]);
    expect(auto.disks[0].note).toMatch(/instant-restore snapshot of disk "os" of point \S+ differs from the point in the block at byte 0 .*; restored from the vault instead$/);
    expect(sha(path.join(env.dir, "auto", "os.img"))).toBe(sha(os));
    const strict = await restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: path.join(env.dir, "strict"), from: "snapshot" }, restoreOpts(env, day(1)));
    expect(strict.ok).toBe(false);
    expect(strict.disks[0]).toMatchObject({ disk: "os", ok: false, from: "snapshot", error: { code: "BKP5071" } });
    expect(filesUnder(path.join(env.dir, "strict"))).toEqual(["data.raw"]);
    expect(sha(path.join(env.dir, "strict", "data.raw"))).toBe(sha(data));
    // A point without a snapshot and --from snapshot: an error, nothing written.
    fs.rmSync(snapshotRoot(env.vault.path), { recursive: true, force: true });
    const none = await restoreVm(env.vault, { vm: "vm1", point: r.point, toDir: path.join(env.dir, "none"), from: "snapshot" }, restoreOpts(env, day(1))).catch((e: unknown) => e);
    expect(isEngineError(none) && none.code).toBe("BKP5070");
    expect(filesUnder(path.join(env.dir, "none"))).toEqual([]);
    const instant = await restoreVm(env.vault, { vm: "vm1", point: "instant", toDir: path.join(env.dir, "none") }, restoreOpts(env, day(1))).catch((e: unknown) => e);
    expect(isEngineError(instant) && instant.message).toMatch(/no recovery point in the instant-restore snapshot tier .*is gone\)\. Restore from the vault with --point latest/);
  });

  it("a failed backup (post-script fails, continue-on-failure false) and a killed one's leftover leave no usable snapshot", async () => {
    const { env, vm, os } = setup();
    const good = await backupVm(env.vault, vm, opts(env, day(0)));
    const goodOs = sha(os);
    // The same VM from a policy text whose post-script fails: the point and its snapshot are dropped.
    const bad = path.join(env.dir, "bad.sh");
    const vmDir = path.dirname(good.snapshot?.dir ?? "");
    const seen = path.join(env.dir, "seen.log");
    // It lists the snapshot folder first: the new snapshot is taken before the post-script runs.
    fs.writeFileSync(bad, `#!/bin/sh\nls "${vmDir}" > "${seen}"\necho 'cannot thaw' >&2\nexit 3\n`);
    fs.chmodSync(bad, 0o700);
    const set = loadTexts([
      {
        path: path.join(env.dir, "p.bkp"),
        text: `vault "vt" { path "vault" }\npolicy "pol" { schedule daily at 02:30 timezone "UTC" retain daily 7 days instant-restore 2 days }\nvm "vm1" {\n  os linux policy "pol" vault "vt"\n  scripts { post "${bad}" continue-on-failure false }\n  disk "os" { role os size 8 GB used 1 GB image "${os}" }\n  disk "data" { role data size 8 GB used 1 GB image "${vm.disks[1].image}" }\n}\n`,
      },
    ]);
    expect(set.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
    const model = set.model?.vms.get("vm1");
    overwrite(os, 0, crypto.randomBytes(BS));
    const err = await backupVm(env.vault, { ...vm, model }, { ...opts(env, day(0, 30)), instantRestore: undefined }).catch((e: unknown) => e);
    expect(isEngineError(err) && err.code).toBe("BKP5060");
    expect(fs.readFileSync(seen, "utf8")).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}\.tmp-\d+-[0-9a-f]{8}$/m);
    expect(fs.readdirSync(vmDir)).toEqual([good.point]); // not even a temporary folder is left

    // What a kill between the snapshot and the manifest leaves: a complete temporary folder.
    const leftover = path.join(vmDir, `20260301T030000Z-abcdef.tmp-999999-0011aabb`);
    fs.cpSync(good.snapshot?.dir ?? "", leftover, { recursive: true });
    expect(listSnapshots(env.vault.path, "vm1").map((s) => s.point)).toEqual([good.point]);
    const out = path.join(env.dir, "instant");
    const res = await restoreVm(env.vault, { vm: "vm1", point: "instant", toDir: out }, restoreOpts(env, day(0, 40)));
    expect(res.point).toBe(good.point);
    expect(sha(path.join(out, "os.img"))).toBe(goodOs);
    // The next backup (holding the lock) removes the leftover.
    const next = await backupVm(env.vault, vm, opts(env, day(0, 50)));
    expect(fs.readdirSync(vmDir).sort()).toEqual([good.point, next.point].sort());
    expect(next.disks[0]).toMatchObject({ detection: "block-checksum" });
    expect(next.disks[0].detectionReason).toBeUndefined();
  });

  it("prune --dry-run lists the snapshots it would expire and deletes nothing; prune deletes them, and a point's snapshot goes with its point", async () => {
    const { env, vm, data } = setup();
    // Backups keep six days of snapshots; the policy prune applies keeps two, and points three days.
    const ids: string[] = [];
    for (let d = 0; d < 6; d++) {
      overwrite(data, 0, crypto.randomBytes(64));
      ids.push((await backupVm(env.vault, vm, opts(env, day(d), { days: 6, zone: "UTC" }))).point);
    }
    expect(listSnapshots(env.vault.path, "vm1")).toHaveLength(6);
    const spec: RetentionSpec = { retention: { daily: { days: 3 } }, zone: "UTC", instantRestoreDays: 2 };
    const before = filesUnder(snapshotRoot(env.vault.path));
    const dry = await pruneVault(env.vault, new Map([["vm1", spec]]), { machineKeyFile: env.machineKeyFile, now: () => day(5), dryRun: true });
    expect(dry.expired.map((p) => p.id)).toEqual(ids.slice(0, 3));
    expect(dry.snapshotsExpired.map((s) => [s.point, s.reason])).toEqual([
      [ids[0], "its recovery point expires"],
      [ids[1], "its recovery point expires"],
      [ids[2], "its recovery point expires"],
      [ids[3], "expired at 2026-03-06T02:30:00.000Z (instant-restore 2 days)"],
    ]);
    expect(dry.snapshotsExpired.every((s) => s.allocatedBytes > 0)).toBe(true);
    expect(dry.snapshotsKept).toBe(2);
    expect(filesUnder(snapshotRoot(env.vault.path))).toEqual(before);

    const real = await pruneVault(env.vault, new Map([["vm1", spec]]), { machineKeyFile: env.machineKeyFile, now: () => day(5) });
    expect(real.snapshotsExpired.map((s) => s.point)).toEqual(ids.slice(0, 4));
    expect(listSnapshots(env.vault.path, "vm1").map((s) => s.point)).toEqual(ids.slice(4));
    expect(real.snapshotBytes).toBeGreaterThan(0);
    const pts = await listPoints(env.vault, { vm: "vm1" }, { machineKeyFile: env.machineKeyFile, now: () => day(5), instantRestore: new Map([["vm1", { days: 2, zone: "UTC" }]]) });
    expect(pts.map((p) => [p.id, p.snapshot?.expiresAt])).toEqual([
      [ids[3], undefined],
      [ids[4], "2026-03-07T02:30:00.000Z"],
      [ids[5], "2026-03-08T02:30:00.000Z"],
    ]);
  });
});

const hasQemu = spawnSync("sh", ["-c", "command -v qemu-img && command -v qemu-io"], { stdio: "ignore" }).status === 0;

describe.skipIf(!hasQemu)("a dynamic VHD in the snapshot tier", () => {
  it("restores from its snapshot as the byte-identical VHD file", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.vhd");
    execFileSync("qemu-img", ["create", "-q", "-f", "vpc", "-o", "subformat=dynamic", img, "24M"]);
    execFileSync("qemu-io", ["-f", "vpc", "-c", "write -P 0xab 0 1M", "-c", "write -P 0x5a 9M 4k", img], { stdio: "ignore" });
    const want = sha(img);
    const r = await backupVm(env.vault, { name: "v", disks: [{ name: "os", image: img }] }, { machineKeyFile: env.machineKeyFile, blockSize: 256 * KiB, instantRestore: TIER, now: () => day(0) });
    expect(r.snapshot?.disks).toHaveLength(1);
    const out = path.join(env.dir, "out");
    const res = await withoutPacks(env, () => restoreVm(env.vault, { vm: "v", point: "instant", toDir: out }, { machineKeyFile: env.machineKeyFile, now: () => day(1) }));
    expect(res.disks).toMatchObject([{ disk: "os", ok: true, from: "snapshot", imageBytes: r.disks[0].imageBytes }]);
    expect(sha(path.join(out, "os.vhd"))).toBe(want);
    expect(fs.statSync(path.join(out, "os.vhd")).size).toBe(fs.statSync(img).size);
  });
});
