// What a lint rule is: a named check over the checked model (and, for timing and cost
// rules, the analysis), with its documentation beside its code (like Biome's rules).
import type { Diagnostic, Range, Severity } from "../lang/diagnostics.js";
import type { ParsedFile } from "../lang/index.js";
import type { DateTime } from "../utils/luxon.js";
import type { Model } from "../model/model.js";
import type { AnalyzedPlan } from "../analyze/index.js";

export type RuleSeverity = Severity | "off";

/** A replacement of source text, applied by `bkp lint --fix` (then the file is formatted). */
export interface TextEdit {
  file: string;
  /** Offsets into the file's text: [start, end). */
  start: number;
  end: number;
  text: string;
}

export interface RuleDocs {
  /** What the rule finds. */
  what: string;
  /** Why it matters, citing DOMAIN.md. */
  why: string;
  /** What to write instead. */
  instead: string;
}

export interface Finding {
  file: string;
  range: Range;
  message: string;
  hint: string;
  fix?: TextEdit[];
  /** Overrides the rule's severity for this finding (e.g. 5 disks warn, 10 error). */
  severity?: Severity;
}

export interface LintContext {
  model: Model;
  /** The previous version of the policy set (`bkp lint --base`), for rules about changes. */
  base?: Model;
  files: Map<string, ParsedFile>;
  /** "Now", in UTC (injected so that date-relative rules are testable). */
  now: DateTime;
  /** The plan and its risks over the next 15 days (computed once, on first use). */
  analysis(): AnalyzedPlan;
  report(f: Finding): void;
}

export interface Rule {
  /** kebab-case, named for what it catches. */
  name: string;
  /** Stable code, BKP4nnn. */
  code: string;
  severity: Severity;
  /** One line, for listings and SARIF's shortDescription. */
  summary: string;
  docs: RuleDocs;
  /** A policy set where the rule fires, and the same set written as the rule asks. */
  examples: { bad: string; good: string };
  /** Files (name → size in bytes, written sparse) beside the examples, for rules about local files. */
  exampleFiles?: Record<string, number>;
  fixable?: boolean;
  check(ctx: LintContext): void;
}

export interface LintDiagnostic extends Diagnostic {
  /** The rule's name; undefined for the checker's own diagnostics. */
  rule?: string;
  fix?: TextEdit[];
}
