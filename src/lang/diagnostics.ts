// Diagnostics as data: a stable code, a severity, a located range, what is wrong and what to
// write instead. Codes never change meaning once released (see diagnostic-codes.ts).
import { compareText } from "../utils/compare.js";
import { startOffset } from "./text-range.js";

export type Severity = "error" | "warning" | "info";

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units (what editors and SARIF count). */
  column: number;
  /** 0-based offset into the text. */
  offset: number;
}

/** A half-open range: `end` is the position just after the last character. */
export interface Range {
  start: Position;
  end: Position;
}

export interface Location {
  file: string;
  range: Range;
}

export interface RelatedInformation extends Location {
  message: string;
}

export interface Diagnostic extends Location {
  code: string;
  severity: Severity;
  message: string;
  /** What to write instead (shown as `help:` under the code frame). */
  hint?: string;
  related?: RelatedInformation[];
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/** Sort by file, then position: the order people read them in. */
export function sortDiagnostics<D extends Diagnostic>(diags: D[]): D[] {
  return diags.sort(
    (a, b) => compareText(a.file, b.file) || startOffset(a.range) - startOffset(b.range) || compareText(a.code, b.code),
  );
}

export const ZERO_RANGE: Range = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

/** The flat JSON shape of a diagnostic (DESIGN.md: `bkp check`/`bkp lint --format json`). */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: string;
  message: string;
  hint?: string;
}

export function diagnosticJson(d: Diagnostic): JsonDiagnostic {
  return {
    file: d.file,
    line: d.range.start.line,
    column: d.range.start.column,
    endLine: d.range.end.line,
    endColumn: d.range.end.column,
    code: d.code,
    severity: d.severity,
    message: d.message,
    hint: d.hint,
  };
}
