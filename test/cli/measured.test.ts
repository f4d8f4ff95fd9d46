// Predicted vs actual through the built CLI: real backups write the job log, `bkp jobs` lists
// it, `bkp plan` sets the last run beside its prediction, and `assume { calibrate from-vault }`
// moves the predictions to the measured rates. Expected figures come from `bkp jobs --json`.
import crypto from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

const MiB = 1024 * 1024;
let dir: string;
let env: Record<string, string>;

const POLICY = `vault "main" {
  path "vault"
}
policy "daily" {
  schedule daily at 02:30
  timezone "Europe/Berlin"
  retain daily 7 days
}
vm "web" {
  os linux
  policy "daily"
  vault "main"
  disk "os"   { role os   size 2 TB used 1 TB churn 10 GB per day image "os.img" }
  disk "data" { role data size 2 TB used 1 TB churn 10 GB per day image "data.img" }
}
`;

interface JobJson {
  vault: string;
  seq: number;
  workerStartSeconds?: number;
  vm: string;
  status: string;
  point?: string;
  startedAt: string;
  seconds: number;
  snapshotSeconds?: number;
  disks: { name: string; detection: string; bytesRead: number; bytesChanged: number; bytesStored: number; seconds: number; snapshot?: { method: string; allocatedBytes: number } }[];
  error?: { code: string };
}

interface BackupJson {
  point: string;
  disks: { disk: string; detection: string; detectionReason?: string; bytesRead: number; bytesChanged: number; bytesStored: number; seconds: number }[];
  snapshot?: { disks: { disk: string; method: string; allocatedBytes: number }[] };
}
/** The job log's snapshot of a disk: as the backup reported it. */
const snapshotOf = (r: BackupJson, disk: string) => {
  const d = r.snapshot?.disks.find((x) => x.disk === disk);
  return d ? { snapshot: { method: d.method, allocatedBytes: d.allocatedBytes } } : {};
};

const run = (args: string[], extra: Record<string, string> = {}) => bkp(args, { cwd: dir, env: { ...env, ...extra } });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-cli-measured-"));
  env = { BKP_MACHINE_SECRET: join(dir, "machine.key"), BKP_TODAY: "2026-03-05" };
  writeFileSync(join(dir, "os.img"), Buffer.concat([crypto.randomBytes(6 * MiB), Buffer.alloc(2 * MiB)]));
  writeFileSync(join(dir, "data.img"), crypto.randomBytes(5 * MiB));
  writeFileSync(join(dir, "p.bkp"), POLICY);
  writeFileSync(join(dir, "cal.bkp"), `${POLICY}assume { calibrate from-vault }\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the job log through the CLI", () => {
  it("plan before any backup shows no measured figures; after backups, jobs lists them and plan shows the last run", () => {
    const before = run(["plan", "--days", "1", "--format", "json", "p.bkp"]);
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout).vms[0].measured).toBeUndefined();
    expect(run(["jobs", "p.bkp"]).stdout).toBe("no backup jobs recorded\n");

    const b1 = run(["backup", "--now", "--json", "p.bkp"], { BKP_NOW: "2026-03-01T01:31:00Z" });
    expect(b1.code, b1.stderr).toBe(0);
    const f = readFileSync(join(dir, "data.img"));
    crypto.randomBytes(MiB).copy(f, 2 * MiB);
    writeFileSync(join(dir, "data.img"), f);
    const b2 = run(["backup", "--json", "p.bkp"], { BKP_NOW: "2026-03-02T01:31:00Z" });
    expect(b2.code, b2.stderr).toBe(0);
    const results = [...JSON.parse(b1.stdout), ...JSON.parse(b2.stdout)] as BackupJson[];
    // Every policy has the instant-restore tier: each disk's snapshot is in the job log.
    expect(results.every((r) => r.snapshot?.disks.length === 2)).toBe(true);

    const jobs = JSON.parse(run(["jobs", "--json", "p.bkp"]).stdout) as JobJson[];
    expect(jobs.map((j) => [j.seq, j.vm, j.vault, j.status, j.startedAt])).toEqual([
      [1, "web", "main", "completed", "2026-03-01T01:31:00.000Z"],
      [2, "web", "main", "completed", "2026-03-02T01:31:00.000Z"],
    ]);
    // The job log repeats each backup's own figures.
    for (const [i, r] of results.entries()) {
      expect(jobs[i].point).toBe(r.point);
      expect(jobs[i].disks).toEqual(r.disks.map((d) => ({ name: d.disk, detection: d.detection, imageBytes: expect.any(Number), bytesRead: d.bytesRead, bytesChanged: d.bytesChanged, bytesStored: d.bytesStored, bytesZero: expect.any(Number), seconds: d.seconds, ...(d.detectionReason ? { detectionReason: d.detectionReason } : {}), ...snapshotOf(r, d.disk) })));
      // The tier's own seconds beside the read, within the job's.
      expect(jobs[i].snapshotSeconds).toBeLessThan(jobs[i].seconds);
    }
    expect(jobs[1].disks.map((d) => d.detection)).toEqual(["unchanged-file", "block-checksum"]);

    const table = run(["jobs", "p.bkp"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^JOB +VM +VAULT +STARTED \(UTC\) +STATUS +TIME +PREDICTED +ERROR +READ +CHANGED +STORED +DETECTION +SNAPSHOT +POINT \/ ERROR$/);
    expect(table.stdout).toMatch(/\n +2 +web +main +2026-03-02 01:31:00Z +completed .* unchanged-file,block-checksum +(link|delta|reflink|sparse-copy)(,\S+)? \d+\.\d s +\d{8}T\d{6}Z-[0-9a-f]{6}\n/);
    expect(JSON.parse(run(["jobs", "--json", "--last", "1", "p.bkp"]).stdout).map((j: JobJson) => j.seq)).toEqual([2]);

    const plan = run(["plan", "--days", "1", "p.bkp"]);
    expect(plan.code, plan.stderr).toBe(0);
    // The last run in the policy's zone (Berlin, UTC+1 in March), its measured figures beside the prediction.
    const slowest = Math.max(...jobs[1].disks.map((d) => d.seconds));
    expect(plan.stdout).toContain(`  last run 2026-03-02 02:31 +01:00 (job 2, 2 jobs in the log): measured ${slowest.toFixed(1)}s, read `);
    expect(plan.stdout).toMatch(/\(predicted \d+\.\ds at the assumed rates\)\n/);

    const pj = JSON.parse(run(["plan", "--days", "1", "--format", "json", "p.bkp"]).stdout);
    const sum = (k: "bytesRead" | "bytesChanged" | "bytesStored") => jobs[1].disks.reduce((s, d) => s + d[k], 0);
    expect(pj.vms[0].measured).toMatchObject({ logRead: true, jobs: 2, last: { seq: 2, point: jobs[1].point, status: "completed", bytesRead: sum("bytesRead"), bytesChanged: sum("bytesChanged"), bytesStored: sum("bytesStored") } });
    // The model's prediction for that data: block-checksum = read / 200 MB/s + changed / 60 MB/s; unchanged = 0.
    const data = jobs[1].disks[1];
    expect(pj.vms[0].measured.last.disks[1].predictedSeconds).toBeCloseTo(data.bytesRead / 200e6 + data.bytesChanged / 60e6, 3);
    expect(pj.vms[0].measured.last.disks[0].predictedSeconds).toBe(0);
    expect(pj.vms[0].calibration).toBeUndefined();
    // The only notes: the policy declares 1 TB used of images that hold a few MiB (declared vs real).
    expect(pj.notes).toEqual([expect.stringMatching(/^disk "os" of vm "web" declares used 1.00 TB but its image holds 6.29 MB of nonzero data \(job 1\)/), expect.stringMatching(/^disk "data" of vm "web" declares used 1.00 TB but its image holds 5.24 MB/)]);

    const off = run(["plan", "--days", "1", "--no-measured", "p.bkp"]);
    expect(off.stdout).not.toContain("last run");
    expect(JSON.parse(run(["plan", "--days", "1", "--no-measured", "--format", "json", "p.bkp"]).stdout).vms[0].measured).toBeUndefined();
    expect(run(["plan", "--days", "1", "--format", "markdown", "p.bkp"]).stdout).toMatch(/### Measured \(the vaults' job logs\)\n\n(> note: disk .*\n\n)*\| VM \| jobs \|.*\n.*\n\| web \| 2 \| 2026-03-02T01:31:00.000Z \|/);
  });

  it("calibrate from-vault: the rates are the medians of the job log's measurements, and the predictions follow them", () => {
    const jobs = JSON.parse(run(["jobs", "--json", "cal.bkp"]).stdout) as JobJson[];
    // Transfer: full backups' changed bytes per second; checksum: block-checksum reads over the time left.
    const T = median(jobs.flatMap((j) => j.disks.filter((d) => d.detection === "full" && d.bytesChanged > 0).map((d) => d.bytesChanged / d.seconds)));
    // (A read whose time the changed blocks' transfer already explains measures no checksum rate.)
    const scans = jobs.flatMap((j) => j.disks.filter((d) => d.detection === "block-checksum").map((d) => d.bytesRead / (d.seconds - d.bytesChanged / T))).filter((r) => r > 0);
    const C = scans.length ? median(scans) : 200e6;
    const cal = JSON.parse(run(["plan", "--days", "2", "--format", "json", "cal.bkp"]).stdout);
    const plain = JSON.parse(run(["plan", "--days", "2", "--format", "json", "p.bkp"]).stdout);
    expect(cal.vms[0].calibration.transferRate).toEqual({ bytesPerSecond: Math.round(T), source: "measured", jobs: 1, samples: 2 });
    expect(cal.vms[0].calibration.checksumRate).toEqual(scans.length ? { bytesPerSecond: Math.round(C), source: "measured", jobs: 1, samples: 1 } : { bytesPerSecond: C, source: "assumed", jobs: 0, samples: 0 });
    // The vault holds points of both disks: the next jobs are incremental, timed by the local
    // engine's model (the declared 1 TB is not what the engine reads: the images are).
    for (const p of [plain, cal]) expect(p.jobs.map((j: { kind: string; model: string }) => [j.kind, j.model])).toEqual([["incremental", "local-engine"], ["incremental", "local-engine"]]);
    // The engine's transfer rate: the full job's changed bytes over its read phase (one sample
    // per job), less the worker threads' start, which the job log records.
    const full = jobs[0];
    expect(full.workerStartSeconds).toBeGreaterThan(0);
    const phase = Math.max(...full.disks.map((d) => d.seconds)) - full.workerStartSeconds!;
    expect(cal.vms[0].engine.transferRate).toEqual({ bytesPerSecond: Math.round(full.disks.reduce((s, d) => s + d.bytesChanged, 0) / phase), source: "measured", jobs: 1, samples: 1 });
    expect(plain.vms[0].engine.transferRate).toMatchObject({ bytesPerSecond: 60e6, source: "assumed" });
    // The last run, predicted at the rates measured from it, is its measurement.
    if (scans.length) expect(cal.vms[0].measured.last.predictedSeconds).toBeCloseTo(cal.vms[0].measured.last.transferSeconds, 2);
    const text = run(["plan", "--days", "1", "cal.bkp"]).stdout;
    const checksum = scans.length ? "measured (median of 1 disk in 1 job)" : "assumed (no block-checksum backup in the job log)";
    expect(text).toContain(`  rates (calibrate from-vault): transfer ${(T / 1e6).toFixed(1)} MB/s measured (median of 2 disks in 1 job); checksum ${(C / 1e6).toFixed(1)} MB/s ${checksum}\n`);
    expect(text).toMatch(/\(predicted \d+\.\ds at the measured rates\)/);
    // Without reading the job log: the assumed rates, said so.
    const off = run(["plan", "--days", "1", "--no-measured", "cal.bkp"]);
    expect(off.stdout).toContain("note: assume { calibrate from-vault }: no job log was read, so every VM's timings use the assumed rates\n");
    expect(off.stdout).toContain("transfer 60.0 MB/s assumed (no job log read for this VM); checksum 200.0 MB/s assumed");
  });

  it("a vault that cannot be opened is one note line; the plan still runs (exit 0)", () => {
    const other = join(dir, "other.key");
    writeFileSync(other, crypto.randomBytes(32).toString("hex"));
    const r = run(["plan", "--days", "1", "p.bkp"], { BKP_MACHINE_SECRET: other });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.match(/^note: (?!disk ).*$/gm)).toEqual([expect.stringMatching(/^note: vault "main": its job log cannot be read, so no measured figures for its VMs: error\[BKP5022\]: the machine secret .* does not open vault "main"/)]);
    expect(r.stdout).not.toContain("last run");
    expect(r.stdout).toContain('  2026-03-05 02:30 +01:00 [03-05 01:30 UTC]  initial');
    const j = JSON.parse(run(["plan", "--days", "1", "--format", "json", "p.bkp"], { BKP_MACHINE_SECRET: other }).stdout);
    expect(j.notes.filter((n: string) => !n.startsWith("disk "))).toEqual([expect.stringContaining("BKP5022")]);
    expect(run(["jobs", "p.bkp"], { BKP_MACHINE_SECRET: other })).toMatchObject({ code: 1, stderr: expect.stringMatching(/^bkp jobs: error\[BKP5022\]: vault "main": /) });
  });

  it("a damaged job record is reported (BKP5075, exit 1) and the others are still listed; plan notes it", () => {
    const folder = join(dir, "vault", "jobs", readdirSync(join(dir, "vault", "jobs"))[0]);
    const first = join(folder, readdirSync(folder).sort()[0]);
    const saved = readFileSync(first);
    const bad = Buffer.from(saved);
    bad[bad.length - 1] ^= 0xff;
    writeFileSync(first, bad);
    try {
      const r = run(["jobs", "p.bkp"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^bkp jobs: error\[BKP5075\]: vault "main", VM "web": job record jobs\/[0-9a-f]{32}\/0000000001 cannot be read: /);
      expect(r.stderr).not.toMatch(/ at .*\.mjs/);
      expect(r.stdout.trim().split("\n")).toHaveLength(2); // header + job 2
      const p = run(["plan", "--days", "1", "p.bkp"]);
      expect(p.code).toBe(0);
      expect(p.stdout).toMatch(/note: vault "main", VM "web": error\[BKP5075\]: job record .*0000000001 cannot be read/);
      expect(p.stdout).toContain("(job 2, 1 job in the log)");
    } finally {
      writeFileSync(first, saved);
    }
  });
});
