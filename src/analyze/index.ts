// The analysis: a compiled Plan's timings and risks, and the bill of a Model.
import type { Model } from "../model/model.js";
import { compilePlan, type CompileOptions } from "../plan/compile.js";
import type { Plan } from "../plan/types.js";
import { findRisks, type Risk } from "./risks.js";
import { timePlan, type JobTiming } from "./timing.js";

export interface AnalyzedPlan {
  plan: Plan;
  /** Parallel to plan.jobs. */
  timings: JobTiming[];
  risks: Risk[];
}

export function analyzePlan(plan: Plan): AnalyzedPlan {
  const timings = timePlan(plan);
  return { plan, timings, risks: findRisks(plan, timings) };
}

export function planAndAnalyze(model: Model, opts: CompileOptions): AnalyzedPlan {
  return analyzePlan(compilePlan(model, opts));
}

export { computeCost, instancePrice, type CostOptions, type CostReport, type MonthCost, type VaultCost, type VmCost } from "./billing.js";
export { RISK_CODES, type RiskCode } from "./codes.js";
export { diffCosts, type CostDiff } from "./diff.js";
export { findRisks, sortRisks, type Risk } from "./risks.js";
export { diskSeconds, lagSeconds, timePlan, type DiskTiming, type JobTiming } from "./timing.js";
