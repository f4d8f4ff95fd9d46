// Text output: rustc-style frames in file order, then a summary line.
import { codeFrame, type Style } from "../../lang/code-frame.js";
import type { ParsedFile } from "../../lang/index.js";
import type { LintDiagnostic } from "../rule.js";
import { tally } from "../lint.js";

export function textReport(diags: LintDiagnostic[], files: Map<string, ParsedFile>, fileCount: number, style: Style): string {
  const out: string[] = [];
  const lines = new Map<string, string[]>();
  for (const d of diags) {
    if (!lines.has(d.file)) lines.set(d.file, files.get(d.file)?.text.split(/\r?\n/) ?? []);
    out.push(codeFrame(d.rule ? { ...d, code: `${d.code} ${d.rule}` } : d, lines.get(d.file), style) + "\n");
  }
  const t = tally(diags);
  const fixable = diags.filter((d) => d.fix?.length).length;
  const files_ = new Set(diags.map((d) => d.file)).size;
  if (!diags.length) out.push(style.bold(`linted ${fileCount} file${fileCount === 1 ? "" : "s"}: no problems`));
  else {
    const parts = [t.errors && style.red(`${t.errors} error${t.errors === 1 ? "" : "s"}`), t.warnings && style.yellow(`${t.warnings} warning${t.warnings === 1 ? "" : "s"}`), t.infos && style.cyan(`${t.infos} info`)].filter(Boolean);
    out.push(style.bold(`${diags.length} problem${diags.length === 1 ? "" : "s"} (${parts.join(", ")}) in ${files_} of ${fileCount} file${fileCount === 1 ? "" : "s"}${fixable ? `; ${fixable} fixable with --fix` : ""}`));
  }
  return out.join("\n") + "\n";
}
