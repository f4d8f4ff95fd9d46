// Predicted vs actual, and `assume { calibrate from-vault }`: the analysis fed job logs as the
// engine writes them. Every expected number is computed here from the records.
import { describe, expect, it } from "vitest";
import { analyzePlan, CALIBRATION_JOBS, calibrate, type MeasuredDisk, type MeasuredJob, type Measurements } from "../../src/analyze/index.js";
import { compilePlan } from "../../src/plan/compile.js";
import { oneVm } from "../plan/fixtures.js";

const POLICY = '  schedule daily at 12:00\n  timezone "UTC"\n  retain daily 7 days';
const DISKS = '  disk "os" { role os size 1 TB used 600 GB churn 12 GB per day }\n  disk "data" { role data size 1 TB used 100 GB churn 1 GB per day pattern scattered }';

let seq = 0;
function job(disks: Partial<MeasuredDisk>[], status: MeasuredJob["status"] = "completed"): MeasuredJob {
  seq++;
  return {
    seq,
    status,
    point: status === "failed" ? undefined : `p${seq}`,
    startedAt: new Date(Date.UTC(2026, 3, 1) + seq * 86_400_000).toISOString(),
    finishedAt: new Date(Date.UTC(2026, 3, 1) + seq * 86_400_000 + 60_000).toISOString(),
    seconds: 60,
    disks: disks.map((d) => ({ name: "os", detection: "full", imageBytes: 1e9, bytesRead: 0, bytesChanged: 0, bytesStored: 0, seconds: 0, ...d })),
    ...(status === "failed" ? { error: { code: "BKP5003", message: "image changed size" } } : {}),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const fullDisk = (bytes: number, seconds: number): Partial<MeasuredDisk> => ({ detection: "full", bytesRead: bytes, bytesChanged: bytes, bytesStored: bytes / 2, seconds });
const scanDisk = (name: string, read: number, changed: number, seconds: number): Partial<MeasuredDisk> => ({ name, detection: "block-checksum", bytesRead: read, bytesChanged: changed, bytesStored: changed, seconds });

describe("calibrate", () => {
  const m = (assume = "") => oneVm({ policy: POLICY, disks: DISKS, vm: "  protected-since 2026-01-01", extra: assume });

  it("transfer: the median of changed/seconds over full backups; checksum: read over the time left after the changed blocks' transfer", () => {
    const model = m("assume { calibrate from-vault }");
    const vm = model.vms.get("x")!;
    const jobs = [job([fullDisk(4e9, 100), { ...fullDisk(1e9, 50), name: "data" }]), job([fullDisk(9e9, 100)]), job([scanDisk("os", 600e9, 2e9, 3000), scanDisk("data", 100e9, 1e9, 1000)]), job([], "failed")];
    const c = calibrate(vm, jobs, model.assumptions);
    const T = median([4e9 / 100, 1e9 / 50, 9e9 / 100]);
    expect(c.transfer).toEqual({ bytesPerSecond: T, source: "measured", jobs: 2, samples: 3 });
    // "data" is scattered: its changed blocks count fragmentation (2) times (DOMAIN §4).
    const C = median([600e9 / (3000 - 2e9 / T), 100e9 / (1000 - (2 * 1e9) / T)]);
    expect(c.checksum).toEqual({ bytesPerSecond: C, source: "measured", jobs: 1, samples: 2 });
  });

  it(`uses only the last ${CALIBRATION_JOBS} jobs that measured a rate; failed jobs and unchanged images measure nothing; nothing measured falls back to the assumption`, () => {
    const model = m("assume { calibrate from-vault  transfer-rate 50 MB/s per disk }");
    const vm = model.vms.get("x")!;
    const old = Array.from({ length: 5 }, () => job([fullDisk(1e9, 1000)])); // 1 MB/s, too old to count
    const recent = Array.from({ length: CALIBRATION_JOBS }, (_, i) => job([fullDisk((i + 1) * 1e9, 10)]));
    const noise = [job([{ detection: "unchanged-file" }]), job([fullDisk(5e9, 1)], "failed")];
    const c = calibrate(vm, [...old, ...recent, ...noise], model.assumptions);
    expect(c.transfer.bytesPerSecond).toBe(median(recent.map((j) => j.disks[0].bytesChanged / 10)));
    expect(c.transfer.jobs).toBe(CALIBRATION_JOBS);
    expect(c.checksum).toEqual({ bytesPerSecond: 200e6, source: "assumed", jobs: 0, samples: 0 });
    expect(calibrate(vm, [], model.assumptions).transfer).toEqual({ bytesPerSecond: 50e6, source: "assumed", jobs: 0, samples: 0 });
  });
});

describe("analyzePlan with measurements", () => {
  const from = "2026-05-01";
  const measurements = (jobs: MeasuredJob[]): Measurements => ({ vms: new Map([["x", jobs]]), notes: [] });

  it("without calibrate: the timings stay the model's; the last run is set beside the model's prediction for its data", () => {
    const model = oneVm({ policy: POLICY, disks: DISKS, vm: "  protected-since 2026-01-01" });
    const plan = compilePlan(model, { from, days: 2 });
    const plain = analyzePlan(plan);
    const jobs = [job([fullDisk(30e9, 600)]), job([scanDisk("os", 600e9, 3e9, 2500), scanDisk("data", 100e9, 1e9, 900)])];
    const a = analyzePlan(plan, { measurements: measurements(jobs) });
    expect(a.timings.map((t) => t.durationSeconds)).toEqual(plain.timings.map((t) => t.durationSeconds));
    const x = a.measured?.get("x");
    expect(x?.jobs).toBe(2);
    expect(x?.calibration).toBeUndefined();
    expect(x?.last?.job.seq).toBe(jobs[1].seq);
    expect(x?.last?.transferSeconds).toBe(2500);
    // block-checksum: read / checksum-rate + changed × f / transfer-rate (data is scattered, f = 2).
    const os = 600e9 / 200e6 + 3e9 / 60e6;
    const data = 100e9 / 200e6 + (2 * 1e9) / 60e6;
    expect(x?.last?.disks.map((d) => d.predictedSeconds)).toEqual([os, data]);
    expect(x?.last?.predictedSeconds).toBe(Math.max(os, data));
    expect([x?.last?.bytesRead, x?.last?.bytesChanged]).toEqual([700e9, 4e9]);
  });

  it("calibrate from-vault moves the predicted durations towards the measurement", () => {
    const model = oneVm({ policy: POLICY, disks: DISKS, vm: "  protected-since 2026-01-01", extra: "assume { calibrate from-vault }" });
    const plan = compilePlan(model, { from, days: 2 });
    // Measured: 20 MB/s, a third of the assumed 60 MB/s.
    const jobs = [job([fullDisk(20e9, 1000)])];
    const assumed = analyzePlan(plan, { measurements: measurements([]) });
    const measured = analyzePlan(plan, { measurements: measurements(jobs) });
    const T = jobs[0].disks[0].bytesChanged / jobs[0].disks[0].seconds;
    expect(measured.measured?.get("x")?.calibration?.transfer).toMatchObject({ bytesPerSecond: T, source: "measured", jobs: 1 });
    expect(assumed.measured?.get("x")?.calibration?.transfer).toMatchObject({ bytesPerSecond: 60e6, source: "assumed" });
    // Incremental os disk: 12 GB / T (slower than 12 GB / 60 MB/s, as the measurement is).
    expect(measured.timings[0].disks[0].seconds).toBeCloseTo(12e9 / T, 6);
    expect(assumed.timings[0].disks[0].seconds).toBeCloseTo(12e9 / 60e6, 6);
    expect(measured.timings[0].durationSeconds).toBeGreaterThan(assumed.timings[0].durationSeconds);
    // The last run's prediction at the measured rate equals what it measured.
    expect(measured.measured?.get("x")?.last?.predictedSeconds).toBeCloseTo(1000, 9);
  });

  it("calibrate from-vault without any job log read: assumed rates and a note; lint-style callers are unaffected", () => {
    const model = oneVm({ policy: POLICY, disks: DISKS, vm: "  protected-since 2026-01-01", extra: "assume { calibrate from-vault }" });
    const a = analyzePlan(compilePlan(model, { from, days: 1 }));
    expect(a.measurementNotes).toEqual([expect.stringMatching(/no job log was read/)]);
    expect(a.measured?.get("x")).toMatchObject({ logRead: false, jobs: 0, calibration: { transfer: { source: "assumed" }, checksum: { source: "assumed" } } });
    expect(a.timings[0].disks[0].seconds).toBeCloseTo(12e9 / 60e6, 6);
  });
});
