// JSON output: DESIGN.md's array of {file, line, column, endLine, endColumn, code, severity,
// message}, plus the rule name, the hint and whether --fix can fix it.
import { diagnosticJson } from "../../lang/diagnostics.js";
import type { LintDiagnostic } from "../rule.js";

export function jsonReport(diags: LintDiagnostic[]): string {
  const rows = diags.map((d) => {
    const { hint, ...base } = diagnosticJson(d);
    return { ...base, rule: d.rule, hint, fixable: d.fix?.length ? true : undefined };
  });
  return JSON.stringify(rows, null, 2) + "\n";
}
