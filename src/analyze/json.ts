// The JSON forms of `bkp plan`, `bkp cost` and `bkp cost diff` (documented in
// docs/plan-json.md; `version` changes when a shape changes incompatibly). Decimal values are
// strings; durations are whole seconds; byte counts whole bytes.
import Decimal from "decimal.js";
import { PLAN_VERSION, type Job, type RestoreAssignment } from "../plan/types.js";
import { predictConsistency } from "../plan/consistency.js";
import { utcIso } from "../plan/time.js";
import { archivePlan } from "./archive.js";
import type { CostReport, MonthCost, VmCost } from "./billing.js";
import type { CostDiff } from "./diff.js";
import type { AnalyzedPlan } from "./index.js";
import type { Risk } from "./risks.js";
import type { DiskTiming, JobTiming } from "./timing.js";
import type { EngineFacts } from "./engine-model.js";
import type { RateSource, VmMeasured } from "./measured.js";
import type { IrreversibleChange } from "./irreversible.js";

export interface RiskJson {
  code: string;
  severity: string;
  message: string;
  hint?: string;
  vms: string[];
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export function riskJson(r: Risk): RiskJson {
  return {
    code: r.code,
    severity: r.severity,
    message: r.message,
    hint: r.hint,
    vms: r.vms,
    file: r.file,
    line: r.range?.start.line,
    column: r.range?.start.column,
    endLine: r.range?.end.line,
    endColumn: r.range?.end.column,
  };
}

/** Money: rounded half-up to the cent. */
export const money = (x: Decimal) => x.toFixed(2, Decimal.ROUND_HALF_UP);
/** Billed sizes: up to 6 decimals, trailing zeros trimmed (47 GB stays "47"). */
export const size = (x: Decimal) => x.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toString();

const str = JSON.stringify;

function engineDiskJson(d: DiskTiming): string {
  const e = d.engine;
  return e ? `,"detection":${str(e.detection)},"bytesRead":${Math.round(e.bytesRead)},"bytesChanged":${Math.round(e.bytesChanged)},"predictedSeconds":${ms3(e.seconds)}` : "";
}

function jobJson(job: Job, t: JobTiming, vmName: string): string {
  const disks = t.disks
    .map((d) => `{"name":${str(d.task.disk.name)},"kind":"${d.task.kind}"${d.task.added ? ',"added":true' : ""},"transferBytes":${Math.round(d.task.transferBytes)},"scanBytes":${Math.round(d.task.scanBytes)},"seconds":${Math.round(d.seconds)}${engineDiskJson(d)}}`)
    .join(",");
  const engine = t.model === "local-engine" ? `,"predictedSeconds":${ms3(t.durationSeconds)},"overheadSeconds":${ms3(t.overheadSeconds)}` : "";
  return `{"vm":${vmName},"model":"${t.model}"${engine},"policy":${str(job.vm.policy.name)},"vault":${str(job.vm.vault.name)},"zone":${str(job.vm.policy.zone)},"start":"${job.run.local}","startUtc":"${job.run.utc}","end":"${utcIso(job.run.ms + Math.round(t.durationSeconds) * 1000)}","kind":"${job.kind}","consistency":"${job.consistency.level}","prepareSeconds":${Math.round(t.prepareSeconds)},"lagSeconds":${Math.round(t.lagSeconds)},"durationSeconds":${Math.round(t.durationSeconds)},"disks":[${disks}]}`;
}

function restoreJson(r: RestoreAssignment) {
  return {
    name: r.spec.name,
    point: r.spec.point.kind === "id" ? r.spec.point.id : r.spec.point.kind === "time" ? r.spec.point.iso : r.spec.point.kind,
    spread: r.spec.spread.kind === "max-disks" ? `max ${r.spec.spread.max} disks per account` : "one-vm-per-account",
    resourceGroup: r.spec.resourceGroup,
    seconds: Math.round(r.seconds),
    accounts: r.accounts.map((a) => ({
      name: a.account.name,
      bytesPerSecond: Math.round(a.rate),
      rateBasis: a.rateBasis,
      disks: a.disks,
      bytes: Math.round(a.bytes),
      seconds: Math.round(a.seconds),
      vms: a.vms.map((v) => ({ name: v.vm.name, disks: v.disks.map((d) => d.name), bytes: Math.round(v.bytes) })),
    })),
    violations: r.violations.map((v) => ({ kind: v.kind, message: v.message, vms: v.vms, account: v.account })),
  };
}

/** Measured seconds keep milliseconds (local runs are short); predictions of them too. */
const ms3 = (x: number) => Math.round(x * 1000) / 1000;

function rateJson(r: RateSource) {
  return { bytesPerSecond: Math.round(r.bytesPerSecond), source: r.source, jobs: r.jobs, samples: r.samples };
}

export function measuredJson(m: VmMeasured) {
  const l = m.last;
  return {
    measured: {
      logRead: m.logRead,
      jobs: m.jobs,
      last: l
        ? {
            seq: l.job.seq,
            point: l.job.point,
            status: l.job.status,
            startedAt: l.job.startedAt,
            finishedAt: l.job.finishedAt,
            seconds: ms3(l.job.seconds),
            transferSeconds: ms3(l.transferSeconds),
            predictedSeconds: ms3(l.predictedSeconds),
            bytesRead: l.bytesRead,
            bytesChanged: l.bytesChanged,
            bytesStored: l.bytesStored,
            disks: l.disks.map((d) => ({ name: d.disk.name, detection: d.disk.detection, imageBytes: d.disk.imageBytes, bytesRead: d.disk.bytesRead, bytesChanged: d.disk.bytesChanged, bytesStored: d.disk.bytesStored, seconds: ms3(d.disk.seconds), predictedSeconds: ms3(d.predictedSeconds) })),
          }
        : undefined,
      lastFailure: m.lastFailure ? { seq: m.lastFailure.seq, startedAt: m.lastFailure.startedAt, error: m.lastFailure.error } : undefined,
      predictionError: m.errors ? { jobs: m.errors.jobs, medianPercent: Math.round(m.errors.medianPercent * 10) / 10, worstPercent: Math.round(m.errors.worstPercent * 10) / 10 } : undefined,
    },
    calibration: m.calibration ? { transferRate: rateJson(m.calibration.transfer), checksumRate: rateJson(m.calibration.checksum) } : undefined,
  };
}

/** The local engine model of a VM: its learned rates, overhead and per-disk facts. */
export function engineJson(f: EngineFacts) {
  return {
    model: "local-engine",
    transferRate: rateJson(f.transfer),
    storedRate: rateJson(f.stored),
    readRates: Object.fromEntries([...f.read].map(([p, r]) => [p, rateJson(r)])),
    readShares: Object.fromEntries(f.share),
    overhead: { baseSeconds: f.overhead.none === undefined ? undefined : ms3(f.overhead.none), secondsPerGBRead: f.overhead.perReadByte === undefined ? undefined : ms3(f.overhead.perReadByte * 1e9), workerStartSeconds: f.overhead.workerStart === undefined ? undefined : ms3(f.overhead.workerStart), jobs: f.overhead.jobs },
    disks: [...f.disks].map(([name, d]) => ({ name, imageBytes: d.bytes, nonZeroBytes: d.nonZero, nonZeroSource: d.nonZeroSource, churn: { bytesPerDay: Math.round(d.churn.bytesPerDay), source: d.churn.source, samples: d.churn.samples }, storedShare: Number(d.storedShare.toFixed(4)) })),
  };
}

/** `bkp plan --format json`, in chunks (a 10,000-VM month is hundreds of MB). */
export function* planJson(a: AnalyzedPlan): Generator<string> {
  const { plan } = a;
  const head = { version: PLAN_VERSION, kind: "plan", from: plan.from, days: plan.days };
  yield `${str(head).slice(0, -1)},"vms":[`;
  let first = true;
  for (const s of plan.vms.values()) {
    const c = predictConsistency(s.vm);
    const o = {
      name: s.vm.name,
      policy: s.vm.policy.name,
      vault: s.vm.vault.name,
      zone: s.vm.policy.zone,
      consistency: { level: c.level, requested: c.requested, reason: c.reason, fallback: c.fallback, retried: c.retried || undefined },
      archive: archivePlan(s.vm.policy),
      firstBackup: s.firstBackupMs === undefined ? undefined : utcIso(s.firstBackupMs),
      noJobs: s.noJobs,
      state: s.vault ? s.state : undefined,
      timingModel: a.engine?.has(s.vm.name) ? "local-engine" : "azure-service",
      engine: a.engine?.has(s.vm.name) ? engineJson(a.engine.get(s.vm.name)!) : undefined,
      ...(a.measured?.has(s.vm.name) ? measuredJson(a.measured.get(s.vm.name)!) : {}),
    };
    yield `${first ? "" : ","}\n${str(o)}`;
    first = false;
  }
  yield `],"jobs":[`;
  const names = new Map<string, string>();
  let buf: string[] = [];
  for (let i = 0; i < plan.jobs.length; i++) {
    const job = plan.jobs[i];
    let n = names.get(job.vm.name);
    if (!n) names.set(job.vm.name, (n = str(job.vm.name)));
    buf.push(`${i ? "," : ""}\n${jobJson(job, a.timings[job.index], n)}`);
    if (buf.length >= 2000) {
      yield buf.join("");
      buf = [];
    }
  }
  if (buf.length) yield buf.join("");
  yield `],"restores":${str(plan.restores.map(restoreJson))},"risks":[`;
  yield a.risks.map((r) => str(riskJson(r))).join(",\n");
  yield a.measurementNotes?.length ? `],"notes":${str(a.measurementNotes)}}\n` : "]}\n";
}

function monthJson(m: MonthCost) {
  return {
    month: m.month,
    instanceUnits: size(m.instanceUnits),
    instanceFee: money(m.instanceFee),
    storageGB: size(m.storageGB),
    storageFee: money(m.storageFee),
    archiveGB: size(m.archiveGB),
    archiveFee: money(m.archiveFee),
    snapshotGB: size(m.snapshotGB),
    snapshotFee: money(m.snapshotFee),
    total: money(m.total),
  };
}

export function vmCostJson(v: VmCost) {
  return {
    name: v.vm.name,
    vault: v.vault.name,
    policy: v.vm.policy.name,
    priceBook: v.book.name,
    currency: v.book.currency,
    lifecycle: v.lifecycle,
    firstBackup: v.firstBackup,
    protectedInstanceGB: size(v.protectedInstanceGB),
    instanceTier: v.instanceTier,
    instanceUnits: size(v.instanceUnits),
    instanceFee: money(v.instanceFee),
    daysBilled: v.daysBilled,
    daysInMonth: v.daysInMonth,
    storageGB: size(v.storageGB),
    storageFee: money(v.storageFee),
    archiveGB: size(v.archiveGB),
    archiveFee: money(v.archiveFee),
    snapshotGB: size(v.snapshotGB),
    snapshotFee: money(v.snapshotFee),
    monthlyTotal: money(v.monthlyTotal),
    unbilledDisks: v.unbilledDisks,
  };
}

export function costJson(c: CostReport) {
  return {
    version: PLAN_VERSION,
    kind: "cost",
    from: c.from,
    months: c.months,
    month: c.month,
    currency: c.currency,
    monthlyTotal: money(c.monthlyTotal),
    otherCurrencies: c.otherCurrencies.map((o) => ({ currency: o.currency, monthlyTotal: money(o.monthlyTotal) })),
    vms: c.vms.map(vmCostJson),
    vaults: c.vaults.map((v) => ({
      name: v.vault.name,
      redundancy: v.vault.redundancy,
      priceBook: v.vault.priceBook.name,
      currency: v.currency,
      vms: v.vms,
      monthlyTotal: money(v.monthlyTotal),
      projection: v.projection.map(monthJson),
    })),
    projection: c.projection.map(monthJson),
    notes: c.notes.map(riskJson),
    // One-off, after the delete; not in the monthly figures.
    softDeleteCharges: c.softDelete.map((s) => ({
      vm: s.vm, vault: s.vault, currency: s.currency, retentionDays: s.retentionDays, billedDays: s.billedDays,
      protectedInstanceGB: s.protectedInstanceGB.toDecimalPlaces(2).toString(), instanceFee: money(s.instanceFee),
      storageGB: s.storageGB.toDecimalPlaces(2).toString(), storageFee: money(s.storageFee), total: money(s.total), reason: s.reason,
    })),
  };
}

export function diffJson(d: CostDiff) {
  const side = (v: VmCost | undefined) => (v ? vmCostJson(v) : undefined);
  return {
    version: PLAN_VERSION,
    kind: "cost-diff",
    month: d.month,
    currency: d.currency,
    oldMonthlyTotal: money(d.oldTotal),
    newMonthlyTotal: money(d.newTotal),
    delta: money(d.delta),
    vms: d.vms.map((v) => ({ name: v.name, delta: money(v.delta), why: v.why, old: side(v.old), new: side(v.new) })),
    // The VM deltas plus this add up to `delta` exactly.
    rounding: money(d.rounding),
    unchangedVms: d.unchanged,
    newRisks: d.newRisks.map(riskJson),
    resolvedRisks: d.resolvedRisks.map(riskJson),
    keptRisks: d.keptRisks,
    irreversibleChanges: d.irreversible.map(irreversibleJson),
  };
}

/** A change Azure cannot undo, for `bkp cost diff --format json` and lint. */
export function irreversibleJson(c: IrreversibleChange) {
  return { change: c.kind, block: c.block, name: c.name, attribute: c.attribute, from: c.from, to: c.to, message: c.message, acknowledged: c.acknowledged ?? false, refused: c.refused ?? false, file: c.file, line: c.range.start.line, column: c.range.start.column };
}
