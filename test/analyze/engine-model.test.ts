// The local engine model learns from the job log: per detection path its rate and the share of
// the image it reads (so a faster engine path is predicted from its own jobs), the churn per
// disk, and the job overhead. Every expected number is computed here from the records.
import { describe, expect, it } from "vitest";
import { learnEngine, predictEngineDisk } from "../../src/analyze/engine-model.js";
import type { MeasuredDisk, MeasuredJob } from "../../src/analyze/measured.js";
import { timeEngineJob } from "../../src/analyze/timing.js";
import { backedUpDisks, jobAt } from "../../src/plan/compile.js";
import { oneVm } from "../plan/fixtures.js";

const POLICY = '  schedule daily at 12:00\n  timezone "UTC"\n  retain daily 7 days';
const DAY = 86_400_000;
const GB = 1e9;

let seq = 0;
function job(day: number, seconds: number, disks: Partial<MeasuredDisk>[]): MeasuredJob {
  seq++;
  const at = Date.UTC(2026, 3, 1) + day * DAY;
  return { seq, status: "completed", point: `p${seq}`, startedAt: new Date(at).toISOString(), finishedAt: new Date(at + seconds * 1000).toISOString(), seconds, disks: disks.map((d) => ({ name: "os", detection: "full", imageBytes: 10 * GB, bytesRead: 0, bytesChanged: 0, bytesStored: 0, bytesZero: 2 * GB, seconds: 0, ...d })) };
}

const model = (disk: string, assume = "assume { calibrate from-vault }") => oneVm({ policy: POLICY, disks: disk, vm: "", extra: assume });
const OS = '  disk "os" { role os size 1 TB used 600 GB image "os.img" }';
const images = [{ disk: "os", bytes: 10 * GB, allocatedBytes: 9 * GB }];
const task = (m: ReturnType<typeof model>, kind: "initial" | "incremental" | "checksum-comparison") => ({ disk: backedUpDisks(m.vms.get("x")!)[0], kind, added: false, transferBytes: 0, scanBytes: 0 });

describe("the local engine model", () => {
  const m = model(OS);
  const vm = m.vms.get("x")!;
  // A full backup (8 GB of data in 100 s, 6 GB stored), then block-checksum jobs changing 1 GB a
  // day (0.75 GB stored), then a job on the faster path of a reflink file system
  // ("extent-compare") that reads only the changed blocks and their batch neighbours (1.25 bytes
  // read per byte changed) and stores deltas of their changed grains (0.025 GB of 0.1 GB).
  const jobs = [
    job(0, 110, [{ detection: "full", bytesRead: 10 * GB, bytesChanged: 8 * GB, bytesStored: 6 * GB, seconds: 100 }]),
    job(1, 30, [{ detection: "block-checksum", bytesRead: 10 * GB, bytesChanged: 1 * GB, bytesStored: 0.75 * GB, seconds: 22.5 }]),
    job(2, 30, [{ detection: "block-checksum", bytesRead: 10 * GB, bytesChanged: 1 * GB, bytesStored: 0.75 * GB, seconds: 22.5 }]),
    job(3, 10, [{ detection: "extent-compare", bytesRead: 0.125 * GB, bytesChanged: 0.1 * GB, bytesStored: 0.025 * GB, seconds: 3.5 }]),
  ];
  const f = learnEngine(vm, jobs, images, m.assumptions);

  it("learns the transfer and stored rates from full jobs and a read rate and share per detection path", () => {
    const T = (8 * GB) / 100;
    const S = (6 * GB) / 100;
    expect(f.transfer).toMatchObject({ bytesPerSecond: T, source: "measured", jobs: 1 });
    expect(f.stored).toMatchObject({ bytesPerSecond: S, source: "measured", jobs: 1 });
    // A job's time beyond reading is what it stored, at the stored rate.
    expect(f.read.get("block-checksum")).toMatchObject({ bytesPerSecond: (10 * GB) / (22.5 - (0.75 * GB) / S), source: "measured", jobs: 2 });
    expect(f.read.get("extent-compare")).toMatchObject({ bytesPerSecond: (0.125 * GB) / (3.5 - (0.025 * GB) / S), source: "measured", jobs: 1 });
    // Its share is of the changed bytes, not of the image: it reads what changed, whatever the image's size.
    expect(f.share.get("extent-compare")).toBe(1.25);
    expect(f.share.get("block-checksum")).toBe(1);
  });

  it("predicts the path the engine last took for a changed image, with its share and rate; an unchanged image is a stat", () => {
    const d = f.disks.get("os")!;
    // Churn measured between jobs: 1, 1 and 0.1 GB a day; the nonzero data from the newest job that read it all.
    expect(d.churn).toEqual({ bytesPerDay: GB, source: "measured", samples: 3 });
    expect(d.nonZero).toBe(8 * GB);
    const p = predictEngineDisk(f, task(m, "incremental"), DAY);
    // Stored per changed byte: the median of the incrementals' 0.75, 0.75 and 0.25.
    expect(d.storedShare).toBe(0.75);
    expect(p).toEqual({ detection: "extent-compare", bytesRead: 1.25 * GB, bytesChanged: GB, seconds: (1.25 * GB) / f.read.get("extent-compare")!.bytesPerSecond + (0.75 * GB) / f.stored.bytesPerSecond });
    expect(predictEngineDisk({ ...f, disks: new Map([["os", { ...d, churn: { ...d.churn, bytesPerDay: 0 } }]]) }, task(m, "incremental"), DAY)).toEqual({ detection: "unchanged-file", bytesRead: 0, bytesChanged: 0, seconds: 0 });
    // A first backup reads the image and stores its nonzero data.
    expect(predictEngineDisk(f, task(m, "initial"), Number.NaN)).toMatchObject({ detection: "full", bytesRead: 10 * GB, bytesChanged: 8 * GB });
    // Snapshots gone: never forced before, so block-checksum reads the whole image.
    expect(predictEngineDisk(f, task(m, "checksum-comparison"), DAY)).toMatchObject({ detection: "block-checksum", bytesRead: 10 * GB });
  });

  it("the job: overhead per byte of image data read plus the disks' work; without calibration, the assumed rates and no overhead", () => {
    // Overhead samples (no job without reads: base 0): (110−100)/8 GB, (30−22.5)/8 GB twice, (10−3.5)/8 GB.
    const per = [10, 7.5, 7.5, 6.5].map((o) => o / (8 * GB)).sort((a, b) => a - b);
    expect(f.overhead.perReadByte).toBeCloseTo((per[1] + per[2]) / 2, 20);
    const j = jobAt(vm, { source: "test", points: 4, firstPointMs: 0, lastPointMs: 0, snapshotUntilMs: 2 * DAY, disks: ["os"] }, DAY);
    expect(j.kind).toBe("incremental");
    const t = timeEngineJob(j, f);
    expect(t.model).toBe("local-engine");
    expect(t.durationSeconds).toBeCloseTo(t.disks[0].seconds + f.overhead.perReadByte! * 8 * GB, 9);
    const plain = model(OS, "");
    const g = learnEngine(plain.vms.get("x")!, jobs, images, plain.assumptions);
    expect(g.transfer).toMatchObject({ bytesPerSecond: 60e6, source: "assumed" });
    expect(g.overhead).toEqual({ jobs: 0 });
  });

  it("with no job to measure churn from, the assumed churn is a share of the image's data, not of the declared used", () => {
    const g = learnEngine(vm, jobs.slice(0, 1), images, m.assumptions);
    // The assumed 2% a day of the 8 GB the full backup found nonzero (the disk declares 600 GB used).
    expect(g.disks.get("os")!.churn).toEqual({ bytesPerDay: 0.02 * 8 * GB, source: "assumed", samples: 0 });
  });

  it("a declared churn is used as declared unless calibrate from-vault is on", () => {
    const declared = model('  disk "os" { role os size 1 TB used 600 GB churn 5 GB per day image "os.img" }', "");
    const g = learnEngine(declared.vms.get("x")!, jobs, images, declared.assumptions);
    expect(g.disks.get("os")!.churn).toEqual({ bytesPerDay: 5 * GB, source: "declared", samples: 0 });
  });

  it("a disk whose incrementals store deltas of their changed grains is predicted at what it stores, not at whole blocks", () => {
    // Full: 8 GB in 100 s, 6 GB stored. Incrementals: 1 GB of blocks changed a day, stored as 25 MB of deltas, 20.5 s each.
    const ds = [
      job(0, 100, [{ detection: "full", bytesRead: 10 * GB, bytesChanged: 8 * GB, bytesStored: 6 * GB, seconds: 100 }]),
      job(1, 20.5, [{ detection: "block-checksum", bytesRead: 10 * GB, bytesChanged: 1 * GB, bytesStored: 0.025 * GB, seconds: 20.5 }]),
      job(2, 20.5, [{ detection: "block-checksum", bytesRead: 10 * GB, bytesChanged: 1 * GB, bytesStored: 0.025 * GB, seconds: 20.5 }]),
    ];
    const g = learnEngine(vm, ds, images, m.assumptions);
    const S = (6 * GB) / 100;
    expect(g.disks.get("os")!.storedShare).toBe(0.025);
    // Two days of churn (2 GB of blocks changed) cost one more day's deltas, not 1 GB more at the full backup's rate (12.5 s).
    expect(predictEngineDisk(g, task(m, "incremental"), 2 * DAY).seconds).toBeCloseTo(20.5 + (0.025 * GB) / S, 9);
  });

  it("the workers' start is taken out of the rates and paid once per job that reads", () => {
    // Full job: 0.5 s of its 100.5 s was the workers' start; incrementals: 0.5 s of 20.5 s.
    const ds = [
      { ...job(0, 100.5, [{ detection: "full", bytesRead: 10 * GB, bytesChanged: 8 * GB, bytesStored: 6 * GB, seconds: 100.5 }]), workerStartSeconds: 0.5 },
      { ...job(1, 20.5, [{ detection: "block-checksum", bytesRead: 10 * GB, bytesChanged: 1 * GB, bytesStored: 0.025 * GB, seconds: 20.5 }]), workerStartSeconds: 0.5 },
    ];
    const g = learnEngine(vm, ds, images, m.assumptions);
    expect(g.transfer.bytesPerSecond).toBe((8 * GB) / 100);
    expect(g.overhead.workerStart).toBe(0.5);
    // One disk's incremental: the workers' start once plus the disk's work (20 s): the job it learned from.
    const j = jobAt(vm, { source: "test", points: 2, firstPointMs: 0, lastPointMs: 0, snapshotUntilMs: 2 * DAY, disks: ["os"] }, DAY);
    expect(timeEngineJob(j, g).durationSeconds).toBeCloseTo(20.5, 6);
  });

  it("a sparse image read without its holes still tells the disk's data; the share read follows it", () => {
    // 10 GB image, 1 GB of data: the engine read the data blocks only (the holes are known zeros).
    const sparse = [
      job(0, 20, [{ detection: "full", bytesRead: 1 * GB, bytesZero: 9 * GB, bytesChanged: 1 * GB, bytesStored: 1 * GB, seconds: 15 }]),
      job(1, 6, [{ detection: "block-checksum", bytesRead: 1.1 * GB, bytesZero: 8.9 * GB, bytesChanged: 0.1 * GB, bytesStored: 0.1 * GB, seconds: 4 }]),
    ];
    const g = learnEngine(vm, sparse, images, m.assumptions);
    expect(g.disks.get("os")!.nonZero).toBe(1.1 * GB); // the newest whole read, not the image's 9 GB allocated
    expect(g.share.get("block-checksum")).toBeCloseTo(0.11, 10);
    expect(predictEngineDisk(g, task(m, "checksum-comparison"), DAY).bytesRead).toBeCloseTo(1.1 * GB, 0);
  });
});

