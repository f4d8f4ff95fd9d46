// Everything the views show, computed from the files of a session in one pass: the checked
// model, the plan with timings and risks, the bill, the findings and one row per VM. Pure
// apart from the cost cache it is given.
import type { CostReport, AnalyzedPlan, VmCost } from "../analyze/index.js";
import { planAndAnalyze, RISK_CODES } from "../analyze/index.js";
import type { BlockAst } from "../lang/ast.js";
import { CODES } from "../lang/diagnostic-codes.js";
import { sortDiagnostics, type Diagnostic, type Range, type Severity } from "../lang/diagnostics.js";
import { annotateOrigins } from "../lang/origin-comments.js";
import { check } from "../model/check.js";
import type { Model, Vm } from "../model/model.js";
import { predictConsistency, type PredictedConsistency } from "../plan/index.js";
import type { CostCache } from "./cost-cache.js";
import type { FileState } from "./file-state.js";
import { offsetAt } from "./line-index.js";

export interface AnalysisOptions {
  /** ISO date: the plan's horizon and the cost projection start here. */
  from: string;
  /** Days of plan (jobs, timings, risks). */
  days: number;
  /** Months of cost projection; undefined: the assume block's horizon. */
  months?: number;
  /** "Now" for the next backup (epoch ms); undefined: the start of the horizon. */
  nowMs?: number;
}

/** A risk of the plan, a note of the bill or a checker warning: what the Risks view lists. */
export interface Finding {
  code: string;
  severity: Severity;
  /** The kind of finding, from its code's catalogue. */
  title: string;
  message: string;
  hint?: string;
  file?: string;
  range?: Range;
  vms: string[];
}

export interface VmRow {
  vm: Vm;
  cost?: VmCost;
  /** Index into plan.jobs of the VM's next backup at or after now. */
  next?: number;
  consistency: PredictedConsistency;
  /** The most severe finding that names this VM. */
  worst?: Finding;
}

export interface Analysis {
  model: Model;
  /** The checker's diagnostics (warnings; an analysis is only made of a set without errors). */
  diagnostics: Diagnostic[];
  plan: AnalyzedPlan;
  /** Undefined while the bill is still being computed (the first frame comes before it). */
  cost?: CostReport;
  findings: Finding[];
  /** One row per VM, by name. */
  rows: VmRow[];
  rowOf: Map<string, number>;
  /** Indices into plan.jobs per VM, in time order. */
  jobsOf: Map<string, number[]>;
  nowMs: number;
}

export type AnalysisResult = { ok: true; analysis: Analysis } | { ok: false; diagnostics: Diagnostic[] };

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The source of a block as it is now, with its file and line (the cost cache's key). */
export function blockSource(files: Map<string, FileState>): (b: BlockAst) => string {
  return (b) => {
    const f = files.get(b.file);
    if (!f) return `${b.file}:?`;
    return `${b.file}:${b.range.start.line}:${f.text.slice(offsetAt(f.lines, b.range.start), offsetAt(f.lines, b.range.end))}`;
  };
}

export function checkFiles(files: Map<string, FileState>): { model: Model; diagnostics: Diagnostic[] } {
  const states = [...files.values()];
  const checked = check(states.map((f) => f.ast));
  const all = [...states.flatMap((f) => f.diagnostics), ...checked.diagnostics];
  return { model: checked.model, diagnostics: sortDiagnostics(annotateOrigins(all, (p) => files.get(p)?.ast.comments)) };
}

/**
 * Checks and plans the files, and bills them unless `bill` is false (then `withBill` adds the
 * bill later). `keptPlan`: the plan of the files before an edit that does not change it.
 */
export function analyze(files: Map<string, FileState>, opts: AnalysisOptions, costs: CostCache, keptPlan?: AnalyzedPlan, bill = true): AnalysisResult {
  const { model, diagnostics } = checkFiles(files);
  if (diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics };
  const plan = keptPlan ?? planAndAnalyze(model, { from: opts.from, days: opts.days });
  const nowMs = opts.nowMs ?? Math.min(...[...plan.plan.policies.values()].map((p) => p.fromMs));
  const jobsOf = new Map<string, number[]>();
  plan.plan.jobs.forEach((j, i) => {
    const l = jobsOf.get(j.vm.name);
    if (l) l.push(i);
    else jobsOf.set(j.vm.name, [i]);
  });
  const a: Analysis = { model, diagnostics, plan, findings: [], rows: [], rowOf: new Map(), jobsOf, nowMs };
  const done = bill ? withBill(a, files, opts, costs) : withFindings(a);
  return { ok: true, analysis: done };
}

/** The analysis with its bill (and the bill's notes among the findings). */
export function withBill(a: Analysis, files: Map<string, FileState>, opts: AnalysisOptions, costs: CostCache): Analysis {
  const cost = costs.compute(a.model, blockSource(files), { from: opts.from, months: opts.months ?? a.model.assumptions.horizonMonths });
  return withFindings({ ...a, cost });
}

/** Findings and rows from the plan, the checker and (when there is one) the bill. */
function withFindings(a: Analysis): Analysis {
  const { model, plan, nowMs, jobsOf } = a;
  const findings = collectFindings(plan, a.cost, a.diagnostics);
  const costOf = new Map(a.cost?.vms.map((c) => [c.vm.name, c]));
  const worstOf = new Map<string, Finding>();
  for (const f of findings) for (const v of f.vms) if (!worstOf.has(v)) worstOf.set(v, f);
  const rows: VmRow[] = [...model.vms.keys()].sort().map((name) => {
    const vm = model.vms.get(name)!;
    const jobs = jobsOf.get(name) ?? [];
    const next = jobs.find((i) => plan.plan.jobs[i].run.ms >= nowMs);
    return { vm, cost: costOf.get(name), next, consistency: next !== undefined ? plan.plan.jobs[next].consistency : predictConsistency(vm), worst: worstOf.get(name) };
  });
  return { ...a, findings, rows, rowOf: new Map(rows.map((r, i) => [r.vm.name, i])) };
}

function collectFindings(plan: AnalyzedPlan, cost: CostReport | undefined, diagnostics: Diagnostic[]): Finding[] {
  const out: Finding[] = [];
  for (const r of [...plan.risks, ...(cost?.notes ?? [])]) {
    out.push({ code: r.code, severity: r.severity, title: RISK_CODES[r.code]?.title ?? r.code, message: r.message, hint: r.hint, file: r.file, range: r.range, vms: r.vms });
  }
  for (const d of diagnostics) {
    const title = (CODES as Record<string, { title: string } | undefined>)[d.code]?.title ?? d.code;
    out.push({ code: d.code, severity: d.severity, title, message: d.message, hint: d.hint, file: d.file, range: d.range, vms: [] });
  }
  // Most severe first, so a VM's first finding is its worst.
  return out.sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.code.localeCompare(b.code) || (a.file ?? "").localeCompare(b.file ?? "") || (a.range?.start.line ?? 0) - (b.range?.start.line ?? 0));
}
