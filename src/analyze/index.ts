// The analysis: a compiled Plan's timings and risks, and the bill of a Model.
import type { Model } from "../model/model.js";
import { compilePlan, type CompileOptions } from "../plan/compile.js";
import type { Plan } from "../plan/types.js";
import { measureVms, type Calibration, type Measurements, type VmMeasured } from "./measured.js";
import { findRisks, type Risk } from "./risks.js";
import { timePlan, type JobTiming } from "./timing.js";

export interface AnalyzedPlan {
  plan: Plan;
  /** Parallel to plan.jobs. */
  timings: JobTiming[];
  risks: Risk[];
  /**
   * Set when measurements were given (or `calibrate from-vault` asked for them): per VM, its
   * job log beside the model and the rates its timings use.
   */
  measured?: Map<string, VmMeasured>;
  /** Why measurements are missing or partial (an unreadable vault, a damaged record); one line each. */
  measurementNotes?: string[];
}

export interface AnalyzeOptions {
  /** The engine's job logs, read by the caller (the analysis does no I/O). */
  measurements?: Measurements;
}

export function analyzePlan(plan: Plan, opts: AnalyzeOptions = {}): AnalyzedPlan {
  const as = plan.model.assumptions;
  const m = opts.measurements;
  if (!m && !as.calibrateFromVault) {
    const timings = timePlan(plan);
    return { plan, timings, risks: findRisks(plan, timings) };
  }
  const notes = [...(m?.notes ?? [])];
  if (!m) notes.push("assume { calibrate from-vault }: no job log was read, so every VM's timings use the assumed rates");
  const measured = measureVms([...plan.vms.values()].map((s) => s.vm), m ?? { vms: new Map(), notes: [] }, as);
  const calibration = new Map<string, Calibration>();
  for (const [vm, x] of measured) if (x.calibration) calibration.set(vm, x.calibration);
  const timings = timePlan(plan, calibration.size ? calibration : undefined);
  return { plan, timings, risks: findRisks(plan, timings), measured, ...(notes.length ? { measurementNotes: notes } : {}) };
}

export function planAndAnalyze(model: Model, opts: CompileOptions & AnalyzeOptions): AnalyzedPlan {
  return analyzePlan(compilePlan(model, opts), { measurements: opts.measurements });
}

export { computeCost, instancePrice, type CostOptions, type CostReport, type MonthCost, type VaultCost, type VmCost } from "./billing.js";
export { RISK_CODES, type RiskCode } from "./codes.js";
export { diffCosts, type CostDiff } from "./diff.js";
export { findRisks, sortRisks, type Risk } from "./risks.js";
export { diskSeconds, lagSeconds, timePlan, type DiskTiming, type JobTiming } from "./timing.js";
export { CALIBRATION_JOBS, calibrate, measureVms, predictDisk, type Calibration, type LastRun, type MeasuredDisk, type MeasuredJob, type Measurements, type RateSource, type VmMeasured } from "./measured.js";
