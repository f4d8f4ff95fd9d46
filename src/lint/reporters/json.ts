// JSON output: DESIGN.md's array of {file, line, column, endLine, endColumn, code, severity,
// message}, plus the rule name and the hint.
import type { LintDiagnostic } from "../rule.js";

export function jsonReport(diags: LintDiagnostic[]): string {
  return JSON.stringify(
    diags.map((d) => ({
      file: d.file,
      line: d.range.start.line,
      column: d.range.start.column,
      endLine: d.range.end.line,
      endColumn: d.range.end.column,
      code: d.code,
      severity: d.severity,
      message: d.message,
      rule: d.rule,
      hint: d.hint,
      fixable: d.fix?.length ? true : undefined,
    })),
    null,
    2,
  ) + "\n";
}
