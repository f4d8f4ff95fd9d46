// Prediction equals reality, structurally: the plan reads the vault's state (its points) and
// predicts the path the engine then takes — kinds, change-detection paths and bytes read — and
// every job keeps the prediction in its job log. Real backups of real image files through the
// built CLI; no timing is asserted (the ±25% comparison is `npm run bench -- predict`).
import crypto from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { rmSync as rm } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

const MiB = 1024 * 1024;
let dir: string;
let env: Record<string, string>;

const policy = (extraDisk = "") => `vault "main" { path "vault" }
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  retain daily 7 days
}
vm "steady" {
  os linux
  policy "daily"
  vault "main"
  protected-since 2025-01-01
  disk "os"   { role os   size 1 GB used 4 MB image "steady-os.img" }
  ${extraDisk}
}
vm "idle" {
  os linux
  policy "daily"
  vault "main"
  disk "os" { role os size 1 GB used 4 MB image "idle-os.img" }
}
vm "cloud" {
  os linux
  policy "daily"
  vault "main"
  protected-since 2025-01-01
  disk "os" { role os size 64 GB used 20 GB }
}
`;

interface PlanJob {
  vm: string;
  kind: string;
  model: string;
  disks: { name: string; kind: string; added?: boolean; detection?: string; bytesRead?: number; bytesChanged?: number }[];
}
interface JobRec {
  vm: string;
  seq: number;
  seconds: number;
  disks: { name: string; detection: string; bytesRead: number; bytesChanged: number; detectionReason?: string }[];
  predicted?: { model: string; seconds: number; disks: { name: string; detection: string; bytesRead: number; bytesChanged: number }[] };
  errorPercent?: number;
}

const run = (args: string[], extra: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env, ...extra } });
const at = (day: number) => `2026-03-${String(day).padStart(2, "0")}`;
/** Overwrites 1 MiB of an image in place (same size: the engine finds it by checksums). */
function churn(file: string, offset: number): void {
  const fd = openSync(join(dir, file), "r+");
  writeSync(fd, crypto.randomBytes(MiB), 0, MiB, offset);
  closeSync(fd);
}
function backup(day: number, file = "p.bkp"): void {
  const r = run(["backup", "--now", file], { BKP_NOW: `${at(day)}T02:30:00Z` });
  expect(r.code, r.stderr).toBe(0);
}
function planJobs(day: number, file = "p.bkp"): { jobs: PlanJob[]; vms: Record<string, unknown>[] } {
  const r = run(["plan", "--days", "1", "--format", "json", file], { BKP_TODAY: at(day) });
  expect(r.code, r.stderr).toBeLessThan(2);
  return JSON.parse(r.stdout);
}
const lastJob = (vm: string) => (JSON.parse(run(["jobs", "--json", "--vm", vm, "--last", "1", "p.bkp"]).stdout) as JobRec[])[0];
const job = (p: { jobs: PlanJob[] }, vm: string) => p.jobs.find((j) => j.vm === vm)!;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-predict-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key") };
  writeFileSync(join(dir, "steady-os.img"), crypto.randomBytes(4 * MiB));
  writeFileSync(join(dir, "idle-os.img"), crypto.randomBytes(4 * MiB));
  writeFileSync(join(dir, "steady-logs.img"), crypto.randomBytes(2 * MiB));
  writeFileSync(join(dir, "p.bkp"), policy());
  writeFileSync(join(dir, "p2.bkp"), policy('disk "logs" { role data size 1 GB used 2 MB image "steady-logs.img" }'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the plan knows the vault's state", () => {
  it("a VM with images and no points gets its first backup, whatever protected-since says; a VM without images keeps protected-since", () => {
    const p = planJobs(1);
    expect(job(p, "steady")).toMatchObject({ kind: "initial", model: "local-engine" });
    expect(job(p, "idle")).toMatchObject({ kind: "initial", model: "local-engine" });
    expect(job(p, "cloud")).toMatchObject({ kind: "incremental", model: "azure-service" });
    // The engine reads the whole image on a first backup (the image's size, not the declared used).
    expect(job(p, "steady").disks[0]).toMatchObject({ detection: "full", bytesRead: 4 * MiB });
    const steady = p.vms.find((v) => v.name === "steady")!;
    expect(steady).toMatchObject({ timingModel: "local-engine", state: expect.stringContaining('vault "main"') });
    expect(p.vms.find((v) => v.name === "cloud")).toMatchObject({ timingModel: "azure-service" });
    const text = run(["plan", "--days", "1", "p.bkp"], { BKP_TODAY: at(1) }).stdout;
    expect(text).toContain("timing models: local-engine for 2 VMs with local disk images, azure-service for 1 VM without");
    expect(text).toMatch(/state: vault "main" \(.*\), not created yet: no recovery point yet, so the next run is its first backup/);
  });

  it("after real backups the next job is incremental; the predicted path and bytes are what the engine then reads", () => {
    backup(1);
    churn("steady-os.img", 0);
    backup(2);
    churn("steady-os.img", MiB);
    backup(3);
    const p = planJobs(4);
    // Incremental (not initial): the vault holds points of every disk.
    expect(job(p, "steady")).toMatchObject({ kind: "incremental", model: "local-engine" });
    expect(job(p, "idle")).toMatchObject({ kind: "incremental", model: "local-engine" });
    // The changing image is read whole and compared by checksum; the idle one is not read at all.
    expect(job(p, "steady").disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 4 * MiB, bytesChanged: MiB });
    expect(job(p, "idle").disks[0]).toMatchObject({ detection: "unchanged-file", bytesRead: 0, bytesChanged: 0 });
    expect(p.vms.find((v) => v.name === "steady")).toMatchObject({ state: expect.stringMatching(/^vault "main" \(.*\): 3 recovery points, newest 2026-03-03T02:30:00Z \(disks "os"\); its instant-restore snapshot is kept until 2026-03-05T02:30:00Z$/) });

    churn("steady-os.img", 2 * MiB);
    backup(4);
    for (const vm of ["steady", "idle"]) {
      const r = lastJob(vm);
      // The job log keeps the prediction made before the job ran: its path and bytes are the engine's.
      expect(r.predicted?.model).toBe("local-engine");
      expect(r.predicted?.disks.map((d) => [d.name, d.detection, d.bytesRead])).toEqual(r.disks.map((d) => [d.name, d.detection, d.bytesRead]));
      expect(r.errorPercent).toBeCloseTo(((r.predicted!.seconds - r.seconds) / r.seconds) * 100, 0);
    }
    expect(lastJob("steady").disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 4 * MiB, bytesChanged: MiB });
    expect(lastJob("idle").disks[0]).toMatchObject({ detection: "unchanged-file", bytesRead: 0 });
  });

  it("bkp jobs shows predicted, measured and the error; bkp plan the median and worst error", () => {
    const t = run(["jobs", "--vm", "steady", "p.bkp"]).stdout.split("\n");
    expect(t[0]).toMatch(/^JOB +VM +VAULT +STARTED \(UTC\) +STATUS +TIME +PREDICTED +ERROR +READ/);
    // Every job since the first was predicted before it ran: a time and a signed error in percent.
    expect(t[1]).toMatch(/^ +1 +steady +main +2026-03-01 02:30:00Z +completed +\d+\.\d s +\d+\.\d s +[+-]\d+% /);
    expect(t[4]).toMatch(/^ +4 +steady .* completed +\d+\.\d s +\d+\.\d s +[+-]\d+% /);
    const p = planJobs(5);
    const steady = p.vms.find((v) => v.name === "steady") as { measured: { predictionError: { jobs: number; medianPercent: number; worstPercent: number } } };
    const recs = JSON.parse(run(["jobs", "--json", "--vm", "steady", "p.bkp"]).stdout) as JobRec[];
    const errs = recs.map((r) => Math.abs(((r.predicted!.seconds - r.seconds) / r.seconds) * 100)).sort((a, b) => a - b);
    expect(steady.measured.predictionError.jobs).toBe(4);
    expect(steady.measured.predictionError.worstPercent).toBeCloseTo(errs[3], 0);
    expect(steady.measured.predictionError.medianPercent).toBeCloseTo((errs[1] + errs[2]) / 2, 0);
    expect(run(["plan", "--days", "1", "p.bkp"], { BKP_TODAY: at(5) }).stdout).toMatch(/ {2}predicted vs measured over the last 4 jobs: median error \d+%, worst \d+%\n/);
  });

  it("a disk added after the first backup gets its initial replication while the others stay incremental", () => {
    const p = planJobs(5, "p2.bkp");
    const j = job(p, "steady");
    expect(j.kind).toBe("incremental");
    expect(j.disks.map((d) => [d.name, d.kind, d.added === true, d.detection])).toEqual([
      ["os", "incremental", false, "block-checksum"],
      ["logs", "initial", true, "full"],
    ]);
    churn("steady-os.img", 3 * MiB);
    backup(5, "p2.bkp");
    const r = (JSON.parse(run(["jobs", "--json", "--vm", "steady", "--last", "1", "p2.bkp"]).stdout) as JobRec[])[0];
    expect(r.disks.map((d) => [d.name, d.detection, d.bytesRead])).toEqual([
      ["os", "block-checksum", 4 * MiB],
      ["logs", "full", 2 * MiB],
    ]);
    expect(r.predicted?.disks.map((d) => [d.name, d.detection, d.bytesRead])).toEqual(r.disks.map((d) => [d.name, d.detection, d.bytesRead]));
  });

  it("with the instant-restore snapshots deleted, the plan predicts the checksum comparison the engine then makes, even of an unchanged image", () => {
    rm(join(dir, "vault.snapshots"), { recursive: true, force: true });
    const p = planJobs(6, "p2.bkp");
    expect(job(p, "idle")).toMatchObject({ kind: "checksum-comparison" });
    expect(job(p, "idle").disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 4 * MiB, bytesChanged: 0 });
    expect(p.vms.find((v) => v.name === "idle")).toMatchObject({ state: expect.stringContaining("its instant-restore snapshot is gone") });
    backup(6, "p2.bkp");
    const r = lastJob("idle");
    expect(r.disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 4 * MiB, detectionReason: expect.stringContaining("checksum comparison") });
    expect(r.predicted?.disks[0]).toMatchObject({ detection: "block-checksum", bytesRead: 4 * MiB });
  });
});
