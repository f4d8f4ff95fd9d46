// The timing model, with the arithmetic written next to each expectation.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { timePlan } from "../../src/analyze/timing.js";
import { compilePlan } from "../../src/plan/compile.js";
import { model, oneVm } from "../plan/fixtures.js";

describe("the seed VM (transfer 60 MB/s, peak 00:00-06:00, prepare 20 min)", () => {
  const m = model(readFileSync("policies/seed-a2-standard.bkp", "utf8"));
  const plan = compilePlan(m, { from: "2026-05-01", days: 2 });
  const [initial, incremental] = timePlan(plan);

  it("initial: prepare + peak lag + the slowest disk, disks in parallel", () => {
    // os 17 GB / 60 MB/s = 283.3 s; data1 30 GB / 60 MB/s = 500 s; data2 0 s -> 500 s.
    expect(initial.disks.map((d) => Math.round(d.seconds * 10) / 10)).toEqual([283.3, 500, 0]);
    expect(initial.transferSeconds).toBe(500);
    expect(initial.slowest).toBe("data1");
    // Snapshot at 02:30 + 20 min = 02:50, inside peak hours: waits until 06:00 = 3 h 10 min.
    expect(initial.prepareSeconds).toBe(1200);
    expect(initial.lagSeconds).toBe(11400);
    expect(initial.durationSeconds).toBe(1200 + 11400 + 500); // 13,100 s = 3 h 38 min 20 s
  });

  it("incremental: one day of churn", () => {
    // os 0.34 GB / 60 MB/s = 5.67 s; data1 1 GB / 60 MB/s = 16.67 s; lag 02:30 -> 06:00 = 12,600 s.
    expect(incremental.prepareSeconds).toBe(0);
    expect(incremental.lagSeconds).toBe(12600);
    expect(incremental.durationSeconds).toBeCloseTo(12600 + 1e9 / 60e6, 6);
  });
});

describe("assumptions and disk patterns", () => {
  const vm = (disks: string, assume = "") =>
    timePlan(compilePlan(oneVm({ policy: '  schedule daily at 12:00\n  timezone "UTC"\n  retain daily 7 days', disks, vm: "  protected-since 2026-01-01", extra: assume }), { from: "2026-05-01", days: 1 }))[0];

  it("outside peak hours there is no lag", () => {
    const t = vm('  disk "os" { role os size 1 TB used 600 GB churn 12 GB per day }');
    expect(t.lagSeconds).toBe(0);
    expect(t.durationSeconds).toBe(200); // 12 GB / 60 MB/s
  });

  it("scattered changes are slower by the fragmentation factor", () => {
    // 12 GB × 2 / 60 MB/s = 400 s; with fragmentation 3: 600 s.
    expect(vm('  disk "os" { role os size 1 TB used 600 GB churn 12 GB per day pattern scattered }').durationSeconds).toBe(400);
    expect(vm('  disk "os" { role os size 1 TB used 600 GB churn 12 GB per day pattern scattered }', "assume { fragmentation 3 }").durationSeconds).toBe(600);
  });

  it("the assume block changes the rates", () => {
    // 12 GB / 120 MB/s = 100 s.
    expect(vm('  disk "os" { role os size 1 TB used 600 GB churn 12 GB per day }', "assume { transfer-rate 120 MB/s per disk }").durationSeconds).toBe(100);
  });

  it("peak hours that wrap midnight, and the lag cap", () => {
    // Snapshot at 12:00, peak 11:00-03:00 (wraps): waits until 03:00 next day = 15 h, capped at peak-lag 8 h.
    expect(vm('  disk "os" { role os size 1 TB used 600 GB churn 0 GB per day }', "assume { peak-hours 11:00 to 03:00 }").lagSeconds).toBe(8 * 3600);
    expect(vm('  disk "os" { role os size 1 TB used 600 GB churn 0 GB per day }', "assume { peak-hours 11:00 to 13:00 }").lagSeconds).toBe(3600);
  });
});

describe("checksum comparison", () => {
  it("reads all used data at the checksum rate, then sends the changes", () => {
    const m = oneVm({ policy: '  schedule weekly on Mon at 12:00\n  timezone "UTC"\n  instant-restore 5 days\n  retain weekly 4 weeks on Mon', disks: '  disk "os" { role os size 1 TB used 600 GB churn 3 GB per day }', vm: "  protected-since 2026-01-01" });
    const [t] = timePlan(compilePlan(m, { from: "2026-05-01", days: 7 }));
    // 600 GB / 200 MB/s = 3,000 s; 7 days × 3 GB = 21 GB / 60 MB/s = 350 s.
    expect(t.disks[0].task.kind).toBe("checksum-comparison");
    expect(t.durationSeconds).toBe(3000 + 350);
  });
});
