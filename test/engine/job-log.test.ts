// The job log: real backups of real images append one sealed record per job whose figures are
// the backup's own; failed jobs are logged with their code; the log is bounded; a damaged
// record is reported beside the others, never a crash.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { backupVm, EngineError } from "../../src/engine/index.js";
import { deriveKeys } from "../../src/engine/vault/crypto.js";
import { JOB_LOG_KEEP, appendJobRecord, jobFolderName, readJobLog, readJobLogs, readJobRecords } from "../../src/engine/job-log.js";
import type { NewJobRecord } from "../../src/engine/job-log.js";
import { LocalDirStorage } from "../../src/engine/vault/storage.js";
import type { VmBackupResult } from "../../src/engine/types.js";
import { KiB, MiB, filesUnder, overwrite, platformEnv, tempDir, text, writeImage } from "./helpers.js";

const BS = 256 * KiB;

/** The figures a job record must repeat from the backup's result. */
function expected(r: VmBackupResult) {
  return {
    vm: r.vm,
    vault: r.vault,
    point: r.point,
    status: "completed",
    startedAt: r.createdAt,
    consistency: { level: r.consistency.level, reason: r.consistency.reason },
    disks: r.disks.map((d) => ({ name: d.disk, detection: d.detection, imageBytes: d.imageBytes, bytesRead: d.bytesRead, bytesChanged: d.bytesChanged, bytesStored: d.bytesStored, bytesZero: d.bytesZero, seconds: d.seconds, ...(d.detectionReason ? { detectionReason: d.detectionReason } : {}) })),
  };
}

describe("the job log of real backups", () => {
  it("one record per job, with the backup's own figures, oldest first; a failed job is logged with its code", async () => {
    const env = platformEnv();
    const os = path.join(env.dir, "os.img");
    const data = path.join(env.dir, "data.img");
    writeImage(os, "rtzz", MiB);
    writeImage(data, "rrtt", MiB, 1234);
    const vm = { name: "web", disks: [{ name: "os", image: os }, { name: "data", image: data }] };
    const clock = (iso: string) => ({ machineKeyFile: env.machineKeyFile, blockSize: BS, now: () => new Date(iso) });

    const full = await backupVm(env.vault, vm, clock("2026-03-01T02:30:00Z"));
    const same = await backupVm(env.vault, vm, clock("2026-03-02T02:30:00Z"));
    overwrite(data, 5, text(300 * KiB, 4));
    const changed = await backupVm(env.vault, vm, clock("2026-03-03T02:30:00Z"));
    expect(changed.disks.find((d) => d.disk === "data")?.detection).toBe("block-checksum");

    // A disk that changes size within its chain fails the job after the vault is open (BKP5003).
    fs.appendFileSync(os, Buffer.alloc(BS));
    const failed = await backupVm(env.vault, vm, clock("2026-03-04T02:30:00Z")).catch((e: unknown) => e);
    expect((failed as EngineError).code).toBe("BKP5003");

    const log = await readJobLog(env.vault, "web", { machineKeyFile: env.machineKeyFile });
    expect(log.problems).toEqual([]);
    expect(log.records.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    for (const [i, r] of [full, same, changed].entries()) {
      expect(log.records[i]).toMatchObject(expected(r));
      // Started at the point's creation; finished after the job's measured seconds.
      expect(Date.parse(log.records[i].finishedAt) - Date.parse(log.records[i].startedAt)).toBe(Math.round(r.seconds * 1000));
      expect(log.records[i].seconds).toBe(r.seconds);
    }
    expect(log.records[1].disks.map((d) => [d.detection, d.bytesRead])).toEqual([["unchanged-file", 0], ["unchanged-file", 0]]);
    expect(log.records[3]).toMatchObject({ vm: "web", status: "failed", startedAt: "2026-03-04T02:30:00.000Z", disks: [], error: { code: "BKP5003", message: (failed as Error).message } });
    expect(log.records[3].point).toBeUndefined();

    // Records are sealed: nothing in the vault's files names the VM or shows the figures.
    const names = filesUnder(env.vault.path).filter((n) => n.startsWith("jobs/"));
    expect(names).toHaveLength(4);
    for (const n of names) {
      expect(n).toMatch(/^jobs\/[0-9a-f]{32}\/\d{10}$/);
      const raw = fs.readFileSync(path.join(env.vault.path, n));
      expect(raw.includes(Buffer.from("web"))).toBe(false);
      expect(raw.includes(Buffer.from("bytesRead"))).toBe(false);
    }

    // --last: the newest N; several VMs of one vault read at once.
    expect((await readJobLog(env.vault, "web", { machineKeyFile: env.machineKeyFile, limit: 2 })).records.map((r) => r.seq)).toEqual([3, 4]);
    const both = await readJobLogs(env.vault, ["web", "other"], { machineKeyFile: env.machineKeyFile });
    expect(both.map((l) => [l.vm, l.records.length])).toEqual([["web", 4], ["other", 0]]);
  });

  it("with the instant-restore tier, each disk's record says how its snapshot was made and the job the tier's own seconds", async () => {
    const env = platformEnv();
    const os = path.join(env.dir, "os.img");
    writeImage(os, "rtzr", MiB);
    const vm = { name: "web", disks: [{ name: "os", image: os }] };
    const o = (iso: string) => ({ machineKeyFile: env.machineKeyFile, blockSize: BS, instantRestore: { days: 2, zone: "UTC" }, now: () => new Date(iso) });
    const full = await backupVm(env.vault, vm, o("2026-03-01T02:30:00Z"));
    overwrite(os, 7, text(200 * KiB, 2));
    const next = await backupVm(env.vault, vm, o("2026-03-02T02:30:00Z"));
    const log = await readJobLog(env.vault, "web", { machineKeyFile: env.machineKeyFile });
    const snaps = log.records.map((r) => r.disks[0].snapshot);
    expect(snaps.map((s) => s?.method)).toEqual([full.snapshot?.disks[0].method, next.snapshot?.disks[0].method]);
    expect(snaps[0]?.allocatedBytes).toBe(full.snapshot?.disks[0].allocatedBytes);
    // The delta holds the changed grains only: far less than the full copy.
    expect(snaps[1]!.allocatedBytes).toBeLessThan(snaps[0]!.allocatedBytes / 4);
    for (const r of log.records) {
      expect(r.snapshotSeconds).toBeGreaterThan(0);
      expect(r.snapshotSeconds).toBeLessThan(r.seconds);
    }
  });

  it("a damaged record is reported (BKP5075) and the others still read; a record under another name does not open", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    writeImage(img, "rt", MiB);
    const vm = { name: "db", disks: [{ name: "os", image: img }] };
    for (let i = 0; i < 3; i++) await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, blockSize: BS });
    const names = filesUnder(env.vault.path).filter((n) => n.startsWith("jobs/"));
    const second = path.join(env.vault.path, names[1]);
    const buf = fs.readFileSync(second);
    buf[buf.length - 20] ^= 0x55;
    fs.writeFileSync(second, buf);
    // The third record copied over the first: sealed under its own name, it fails to open there.
    fs.copyFileSync(path.join(env.vault.path, names[2]), path.join(env.vault.path, names[0]));

    const log = await readJobLog(env.vault, "db", { machineKeyFile: env.machineKeyFile });
    expect(log.records.map((r) => r.seq)).toEqual([3]);
    expect(log.problems.map((p) => [p.object, p.code])).toEqual([
      [names[0], "BKP5075"],
      [names[1], "BKP5075"],
    ]);
    expect(log.problems[1].problem).toMatch(/job record jobs\/.*0000000002 cannot be read: /);

    // The next backup still appends after the highest sequence number.
    await backupVm(env.vault, vm, { machineKeyFile: env.machineKeyFile, blockSize: BS });
    expect((await readJobLog(env.vault, "db", { machineKeyFile: env.machineKeyFile })).records.map((r) => r.seq)).toEqual([3, 4]);
  });

  it("reading needs the vault's key: another machine's secret is refused", async () => {
    const env = platformEnv();
    const img = path.join(env.dir, "os.img");
    writeImage(img, "r", MiB);
    await backupVm(env.vault, { name: "a", disks: [{ name: "os", image: img }] }, { machineKeyFile: env.machineKeyFile, blockSize: BS });
    const other = path.join(tempDir(), "other.key");
    fs.writeFileSync(other, randomBytes(32).toString("hex"));
    await expect(readJobLog(env.vault, "a", { machineKeyFile: other })).rejects.toMatchObject({ code: "BKP5022" });
    await expect(readJobLog({ ...env.vault, path: path.join(env.dir, "nowhere") }, "a", { machineKeyFile: env.machineKeyFile })).rejects.toMatchObject({ code: "BKP5011" });
  });
});

describe("the job log is bounded", () => {
  it(`keeps the last ${JOB_LOG_KEEP} records per VM, dropping the oldest on append`, async () => {
    const storage = new LocalDirStorage(tempDir());
    const keys = deriveKeys(randomBytes(32));
    const rec = (vm: string, i: number): NewJobRecord => ({
      vm,
      vault: "v",
      status: "completed",
      point: `p${i}`,
      startedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      finishedAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000 + 1000).toISOString(),
      seconds: 1,
      disks: [{ name: "os", detection: "full", imageBytes: 10, bytesRead: 10, bytesChanged: 10, bytesStored: 5, bytesZero: 0, seconds: 1 }],
    });
    for (let i = 1; i <= JOB_LOG_KEEP + 5; i++) await appendJobRecord(storage, keys, rec("a", i));
    await appendJobRecord(storage, keys, rec("b", 1));
    const a = await readJobRecords(storage, keys, "a");
    expect(a.problems).toEqual([]);
    expect(a.records).toHaveLength(JOB_LOG_KEEP);
    expect(a.records[0]).toMatchObject({ seq: 6, point: "p6" });
    expect(a.records.at(-1)).toMatchObject({ seq: JOB_LOG_KEEP + 5, point: `p${JOB_LOG_KEEP + 5}` });
    expect(await storage.list(jobFolderName(keys.name, "a"))).toHaveLength(JOB_LOG_KEEP);
    // Another VM's log is its own.
    expect((await readJobRecords(storage, keys, "b")).records.map((r) => r.seq)).toEqual([1]);
    // A smaller bound trims at the next append.
    await appendJobRecord(storage, keys, rec("a", 999), 3);
    expect((await readJobRecords(storage, keys, "a")).records.map((r) => r.seq)).toEqual([JOB_LOG_KEEP + 4, JOB_LOG_KEEP + 5, JOB_LOG_KEEP + 6]);
  });
});
