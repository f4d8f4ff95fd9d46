// GitHub Actions workflow commands: ::error file=…,line=…,col=…::message
import type { LintDiagnostic } from "../rule.js";

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions — data and
// property values are escaped differently.
const data = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const prop = (s: string) => data(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function githubReport(diags: LintDiagnostic[], relative: (file: string) => string): string {
  return diags
    .map((d) => {
      const level = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "notice";
      const r = d.range;
      const props = [`file=${prop(relative(d.file))}`, `line=${r.start.line}`, `col=${r.start.column}`, `endLine=${r.end.line}`, `endColumn=${r.end.column}`, `title=${prop(`${d.code}${d.rule ? ` ${d.rule}` : ""}`)}`];
      return `::${level} ${props.join(",")}::${data(`${d.message}${d.hint ? ` (${d.hint})` : ""}`)}\n`;
    })
    .join("");
}
