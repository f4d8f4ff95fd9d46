// Running the linter: the checker's diagnostics, then every enabled rule, then suppressions.
import { DateTime } from "../utils/luxon.js";
import type { Diagnostic, Severity } from "../lang/diagnostics.js";
import { sortDiagnostics } from "../lang/diagnostics.js";
import { annotateOrigins } from "../lang/origin-comments.js";
import { closest } from "../lang/suggest.js";
import { planAndAnalyze, type AnalyzedPlan } from "../analyze/index.js";
import type { PolicySet } from "../model/load.js";
import type { Model } from "../model/model.js";
import type { LintDiagnostic, Rule, RuleSeverity } from "./rule.js";
import { RULES } from "./rules/index.js";
import { parseSuppressions, type Suppression } from "./suppressions.js";

export const UNUSED_SUPPRESSION = { name: "unused-suppression", code: "BKP4000", severity: "warning" as Severity };
export const INVALID_SUPPRESSION = { name: "invalid-suppression", code: "BKP4099", severity: "warning" as Severity };

/** Checker diagnostics that a rule reports better (with a fix); dropped while the rule is on. */
const SUPERSEDED: Record<string, string> = { BKP2014: "schedule-not-on-half-hour" };

export interface LintOptions {
  /** Severity per rule name, from the config file and flags. */
  severities?: Record<string, RuleSeverity>;
  now?: DateTime;
  rules?: Rule[];
  /** The previous version (`--base`), for irreversible-change. */
  base?: Model;
}

export function effectiveSeverity(rule: Rule, opts: LintOptions): RuleSeverity {
  return opts.severities?.[rule.name] ?? rule.severity;
}

export function lint(set: PolicySet, opts: LintOptions = {}): LintDiagnostic[] {
  const rules = opts.rules ?? RULES;
  const on = (name: string) => {
    const r = rules.find((x) => x.name === name);
    return r !== undefined && effectiveSeverity(r, opts) !== "off";
  };
  const out: LintDiagnostic[] = set.diagnostics.filter((d) => !(SUPERSEDED[d.code] && on(SUPERSEDED[d.code])));
  if (!set.model) return out;

  const found: LintDiagnostic[] = [];
  const now = opts.now ?? DateTime.utc();
  let analysis: AnalyzedPlan | undefined;
  // Fifteen days hold two runs of every weekly schedule (enough to see a snapshot expire).
  const analyze = () => (analysis ??= planAndAnalyze(set.model!, { from: now.toISODate()!, days: 15 }));
  for (const rule of rules) {
    const severity = effectiveSeverity(rule, opts);
    if (severity === "off") continue;
    const configured = opts.severities?.[rule.name] !== undefined;
    rule.check({
      model: set.model,
      base: opts.base,
      files: set.files,
      now,
      analysis: analyze,
      report(f) {
        found.push({
          code: rule.code,
          rule: rule.name,
          severity: configured ? (severity as Severity) : (f.severity ?? (severity as Severity)),
          file: f.file,
          range: f.range,
          message: f.message,
          hint: f.hint,
          fix: f.fix,
        });
      },
    });
  }

  const suppressions: Suppression[] = [];
  for (const [file, parsed] of set.files) suppressions.push(...parseSuppressions(file, parsed.ast.comments, parsed.text));
  const used = new Set<string>();
  const key = (s: Suppression, name: string) => `${s.file}:${s.comment.range.start.offset}:${name}`;
  for (const d of found) {
    const s = suppressions.find((x) => x.file === d.file && (x.line === undefined || x.line === d.range.start.line) && x.rules.some((r) => r.name === d.rule || r.name === d.code));
    if (s) {
      const r = s.rules.find((x) => x.name === d.rule || x.name === d.code)!;
      used.add(key(s, r.name));
      continue;
    }
    out.push(d);
  }
  out.push(...suppressionProblems(suppressions, used, key, rules, opts));
  // Findings on lines that `bkp import` generated also name the Azure JSON path.
  return sortDiagnostics(annotateOrigins(out, (f) => set.files.get(f)?.ast.comments));
}

function suppressionProblems(suppressions: Suppression[], used: Set<string>, key: (s: Suppression, n: string) => string, rules: Rule[], opts: LintOptions): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  const byName = new Map(rules.flatMap((r) => [[r.name, r], [r.code, r]] as [string, Rule][]));
  for (const s of suppressions) {
    for (const r of s.rules) {
      if (used.has(key(s, r.name))) continue;
      const rule = byName.get(r.name);
      if (!rule) {
        const checker = /^BKP[0-2]\d{3}$/.test(r.name);
        const guess = closest(r.name, rules.map((x) => x.name));
        out.push({
          code: INVALID_SUPPRESSION.code, rule: INVALID_SUPPRESSION.name, severity: INVALID_SUPPRESSION.severity, file: s.file, range: r.range,
          message: checker ? `${r.name} is a checker error and cannot be suppressed` : `bkp-ignore names an unknown rule '${r.name}'`,
          hint: checker ? "fix the policy instead" : guess ? `did you mean '${guess}'?` : "see bkp lint --list-rules",
        });
        continue;
      }
      if (effectiveSeverity(rule, opts) === "off") continue;
      // A whole comment that suppresses nothing is removed by --fix; one name of several is not.
      const wholeComment = s.rules.every((x) => !used.has(key(s, x.name)));
      out.push({
        code: UNUSED_SUPPRESSION.code, rule: UNUSED_SUPPRESSION.name, severity: UNUSED_SUPPRESSION.severity, file: s.file, range: r.range,
        message: `this bkp-ignore suppresses nothing: ${rule.name} reports nothing ${s.line === undefined ? "in this file" : `on line ${s.line}`}`,
        hint: "remove it",
        fix: wholeComment ? [{ file: s.file, start: s.comment.range.start.offset, end: s.comment.range.end.offset, text: "" }] : undefined,
      });
    }
  }
  return out;
}

/** Counts for the summary and the exit code. */
export function tally(diags: Diagnostic[]): { errors: number; warnings: number; infos: number } {
  return {
    errors: diags.filter((d) => d.severity === "error").length,
    warnings: diags.filter((d) => d.severity === "warning").length,
    infos: diags.filter((d) => d.severity === "info").length,
  };
}
