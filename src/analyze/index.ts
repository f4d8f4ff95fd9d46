// The analysis: a compiled Plan's timings and risks, and the bill of a Model.
import type { Model } from "../model/model.js";
import { compilePlan, type CompileOptions } from "../plan/compile.js";
import type { Plan } from "../plan/types.js";
import { measureVms, type Calibration, type Measurements, type VmMeasured } from "./measured.js";
import { findRisks, type Risk } from "./risks.js";
import { timePlan, type JobTiming } from "./timing.js";
import { learnEngine, type EngineFacts } from "./engine-model.js";
import { declaredVsReal } from "./declared-vs-real.js";
import { backedUpDisks } from "../plan/compile.js";

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
  /** Per VM with local images: the local engine's model learned from its job log (engine-model.ts). */
  engine?: Map<string, EngineFacts>;
}

export interface AnalyzeOptions {
  /** The engine's job logs, read by the caller (the analysis does no I/O). */
  measurements?: Measurements;
}

/** The local engine's model of each VM with images whose images the caller looked at. */
function engineFacts(plan: Plan, m: Measurements | undefined): Map<string, EngineFacts> | undefined {
  if (!m?.images?.size) return undefined;
  const out = new Map<string, EngineFacts>();
  for (const s of plan.vms.values()) {
    const images = m.images.get(s.vm.name);
    if (!images?.length) continue;
    out.set(s.vm.name, learnEngine(s.vm, m.vms.get(s.vm.name) ?? [], images, plan.model.assumptions));
  }
  return out;
}

/** Declared vs real (declared-vs-real.ts): each disk of an engine-timed VM whose size or used its image contradicts. */
function declaredNotes(plan: Plan, engine: Map<string, EngineFacts> | undefined): string[] {
  const out: string[] = [];
  for (const [name, f] of engine ?? []) {
    const vm = plan.vms.get(name)!.vm;
    for (const d of backedUpDisks(vm)) {
      const x = f.disks.get(d.name);
      if (x && x.bytes > 0) for (const n of declaredVsReal(name, d, x.bytes, x.nonZero, x.nonZeroSource)) out.push(`${n.message}; ${n.hint} (lint rule disk-declared-vs-image)`);
    }
  }
  return out;
}

export function analyzePlan(plan: Plan, opts: AnalyzeOptions = {}): AnalyzedPlan {
  const as = plan.model.assumptions;
  const m = opts.measurements;
  const engine = engineFacts(plan, m);
  if (!m && !as.calibrateFromVault) {
    const timings = timePlan(plan);
    return { plan, timings, risks: findRisks(plan, timings) };
  }
  const notes = [...(m?.notes ?? []), ...declaredNotes(plan, engine)];
  if (!m) notes.push("assume { calibrate from-vault }: no job log was read, so every VM's timings use the assumed rates");
  const measured = measureVms([...plan.vms.values()].map((s) => s.vm), m ?? { vms: new Map(), notes: [] }, as);
  const calibration = new Map<string, Calibration>();
  for (const [vm, x] of measured) if (x.calibration) calibration.set(vm, x.calibration);
  const timings = timePlan(plan, calibration.size ? calibration : undefined, engine);
  return { plan, timings, risks: findRisks(plan, timings), measured, ...(engine ? { engine } : {}), ...(notes.length ? { measurementNotes: notes } : {}) };
}

export function planAndAnalyze(model: Model, opts: CompileOptions & AnalyzeOptions): AnalyzedPlan {
  return analyzePlan(compilePlan(model, { ...opts, vault: opts.measurements?.vault }), { measurements: opts.measurements });
}

export { computeCost, instancePrice, type CostOptions, type CostReport, type MonthCost, type VaultCost, type VmCost } from "./billing.js";
export { RISK_CODES, type RiskCode } from "./codes.js";
export { diffCosts, type CostDiff } from "./diff.js";
export { findRisks, sortRisks, type Risk } from "./risks.js";
export { diskSeconds, lagSeconds, timeEngineJob, timePlan, type DiskTiming, type JobTiming } from "./timing.js";
export { learnEngine, type EngineFacts, type ImageFacts } from "./engine-model.js";
export { CALIBRATION_JOBS, calibrate, measureVms, predictDisk, type Calibration, type LastRun, type MeasuredDisk, type MeasuredJob, type Measurements, type RateSource, type VmMeasured } from "./measured.js";
