// Prediction vs reality (issue #15): back up local images several times with a known churn, then
// compare the plan's prediction for each next job with the engine's measured time for it.
//   npm run bench -- predict [--os-mib=1024] [--data-mib=512] [--churn-mib=32] [--learn=4]
//                            [--jobs=5] [--cases=clustered,scattered,clustered-no-tier,...] [--keep]
// Cases: clustered / scattered churn, with the instant-restore tier (as every policy has it) and
// without it (BackupOptions.instantRestore false), and a disk added after the first backups.
// Each backup first asks the plan for its prediction (the function `bkp backup` uses, which the
// job log then records), cross-checked against `bkp plan`'s own job for that run. Errors are
// |predicted − measured| / measured of the whole job (the job log's seconds).
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { planAndAnalyze } from "../../src/analyze/index.js";
import { backupVm } from "../../src/engine/index.js";
import { loadPolicySet } from "../../src/model/load.js";
import type { Model } from "../../src/model/model.js";
import { predictFor, readMeasurements } from "../../cli/commands/measurements.js";
import { engineVault, engineVm } from "../../cli/commands/engine-common.js";
import type { Io } from "../../cli/io.js";
import { MiB, flag, opt, repo } from "./args.js";

const osMiB = Number(opt("os-mib", "1024"));
const dataMiB = Number(opt("data-mib", "512"));
const churnMiB = Number(opt("churn-mib", "32"));
const learn = Number(opt("learn", "4"));
const measured = Number(opt("jobs", "5"));
const cases = opt("cases", "clustered,scattered,clustered-no-tier,scattered-no-tier,added-disk").split(",");
const work = path.resolve(opt("dir", path.join(repo, ".bench", "predict")));
/** --keep: leave each case's images and vault (several GiB a case) for inspection. */
const keep = flag("keep");
const startedAt = new Date();
const load0 = os.loadavg()[0];

const policy = (disks: string) => `vault "main" { path "vault" }
policy "daily" {
  schedule daily at 02:30
  timezone "UTC"
  instant-restore 2 days
  retain daily 30 days
}
vm "bench" {
  os linux
  policy "daily"
  vault "main"
${disks}
}
assume { calibrate from-vault }
`;
const OS = `  disk "os"   { role os   size 2 TB used 1 TB image "os.img" }`;
const DATA = `  disk "data" { role data size 2 TB used 1 TB image "data.img" }`;

/** 3/4 random, 1/4 zeros (16 MiB stripes): a used disk with free space. */
function makeImage(file: string, mib: number): void {
  const fd = fs.openSync(file, "w");
  for (let i = 0; i < mib / 16; i++) {
    if (i % 4 !== 3) fs.writeSync(fd, crypto.randomBytes(16 * MiB), 0, 16 * MiB, i * 16 * MiB);
  }
  fs.ftruncateSync(fd, mib * MiB);
  fs.closeSync(fd);
}

/** Clustered: one contiguous run; scattered: 64 KiB pieces at random places (the same bytes written). */
function churn(file: string, mib: number, scattered: boolean): void {
  const fd = fs.openSync(file, "r+");
  const size = fs.fstatSync(fd).size;
  if (!scattered) {
    const off = Math.floor((Math.random() * (size - mib * MiB)) / MiB) * MiB;
    fs.writeSync(fd, crypto.randomBytes(mib * MiB), 0, mib * MiB, off);
  } else {
    const piece = 64 * 1024;
    for (let i = 0; i < (mib * MiB) / piece; i++) fs.writeSync(fd, crypto.randomBytes(piece), 0, piece, Math.floor((Math.random() * (size - piece)) / piece) * piece);
  }
  fs.closeSync(fd);
}

const day = (n: number) => new Date(Date.UTC(2026, 2, 1 + n, 2, 30));

function model(dir: string, disks: string): Model {
  fs.writeFileSync(path.join(dir, "p.bkp"), policy(disks));
  const set = loadPolicySet([path.join(dir, "p.bkp")]);
  if (!set.model) throw new Error(set.diagnostics.map((d) => d.message).join("; "));
  return set.model;
}

interface Row {
  kind: string;
  predicted: number;
  measured: number;
  paths: string;
  pathsMatch: boolean;
}

async function runCase(name: string): Promise<Row[]> {
  const dir = path.join(work, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const io: Io = { stdout: () => undefined, stderr: () => undefined, readStdin: async () => "", cwd: dir, env: { BKP_MACHINE_SECRET: path.join(dir, "machine.key") }, isTTY: false };
  const scattered = name.startsWith("scattered");
  const tier = !name.endsWith("no-tier");
  const added = name === "added-disk";
  makeImage(path.join(dir, "os.img"), osMiB);
  makeImage(path.join(dir, "data.img"), dataMiB);
  const rows: Row[] = [];
  const total = added ? learn + 1 : learn + measured;
  for (let n = 0; n < total; n++) {
    const disks = added && n < learn ? OS : `${OS}\n${DATA}`;
    const m = model(dir, disks);
    const vm = m.vms.get("bench")!;
    if (n > 0) {
      churn(path.join(dir, "os.img"), churnMiB, scattered);
      churn(path.join(dir, "data.img"), churnMiB / 2, scattered);
    }
    // The VM's writes reach its disk before the backup (as a real disk's would): the job's time
    // is then the job's, not the write-back of the images' dirty pages competing with it.
    spawnSync("sync");
    const now = day(n);
    const prediction = await predictFor(m, vm, now.getTime(), io);
    // The plan's own job for this run (bkp plan --from that day): the same prediction.
    const plan = planAndAnalyze(m, { from: now.toISOString().slice(0, 10), days: 1, measurements: await readMeasurements(m, io) });
    const job = plan.plan.jobs[0];
    const planned = plan.timings[job.index].durationSeconds;
    if (prediction && Math.abs(planned - prediction.seconds) > 1e-6) console.log(`!!! ${name} job ${n + 1}: bkp plan predicts ${planned.toFixed(3)} s, bkp backup recorded ${prediction.seconds.toFixed(3)} s`);
    const r = await backupVm(engineVault(vm.vault), engineVm(vm).vm, { now: () => now, machineKeyFile: io.env.BKP_MACHINE_SECRET, prediction, ...(tier ? {} : { instantRestore: false as const }) });
    const paths = r.disks.map((d) => `${d.disk}:${d.detection}`).join(" ");
    const predictedPaths = (prediction?.disks ?? []).map((d) => `${d.name}:${d.detection}`).join(" ");
    if (n >= learn) rows.push({ kind: job.kind, predicted: prediction?.seconds ?? Number.NaN, measured: r.seconds, paths, pathsMatch: paths === predictedPaths });
    console.log(`${name} job ${n + 1}: ${job.kind.padEnd(19)} predicted ${(prediction?.seconds ?? Number.NaN).toFixed(2).padStart(6)} s, measured ${r.seconds.toFixed(2).padStart(6)} s  ${paths}${paths === predictedPaths ? "" : ` (predicted ${predictedPaths})`}`);
  }
  // Each case leaves 4-5 GiB of images, vault and snapshots: gone unless --keep.
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  return rows;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const table: string[] = [];
const addedTrials = Number(opt("added-trials", "3"));
for (const c of cases) {
  const rows: Row[] = [];
  for (let t = 0; t < (c === "added-disk" ? addedTrials : 1); t++) rows.push(...(await runCase(c)));
  const errs = rows.map((r) => Math.abs(r.predicted - r.measured) / r.measured);
  const within = errs.filter((e) => e <= 0.25).length;
  table.push(
    `| ${c} | ${[...new Set(rows.map((r) => r.kind))].join(", ")} | ${rows.length} | ${median(rows.map((r) => r.predicted)).toFixed(2)} | ${median(rows.map((r) => r.measured)).toFixed(2)} | ${pct(median(errs))} | ${pct(Math.max(...errs))} | ${within}/${rows.length} | ${rows.every((r) => r.pathsMatch) ? "yes" : "no"} |`,
  );
}
console.log(`\nCommand: npm run bench -- predict (${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC, load average ${load0.toFixed(2)} at start, ${os.cpus().length} cores, Node ${process.version})`);
console.log(`Images: os ${osMiB} MiB + data ${dataMiB} MiB (3/4 random, 1/4 zeros); churn per day: ${churnMiB} MiB on os, ${churnMiB / 2} MiB on data; ${learn} backups to learn from, then ${measured} predicted jobs per case (added-disk: the one job that adds the data disk, ${addedTrials} trials).\n`);
console.log("| case | planned kind | jobs | predicted s (median) | measured s (median) | median error | worst error | within ±25% | paths as predicted |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---|");
for (const l of table) console.log(l);
