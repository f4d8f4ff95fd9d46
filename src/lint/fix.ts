// `bkp lint --fix`: apply the rules' text edits, then format the file (so an inserted line
// lands in the canonical layout). Overlapping edits: the first wins, the rest wait for the
// next run.
import { format } from "../lang/format.js";
import { parseFile } from "../lang/index.js";
import type { LintDiagnostic, TextEdit } from "./rule.js";

export function applyFixes(texts: Map<string, string>, diags: LintDiagnostic[]): { texts: Map<string, string>; applied: number } {
  const byFile = new Map<string, TextEdit[]>();
  for (const d of diags) for (const e of d.fix ?? []) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const out = new Map<string, string>();
  let applied = 0;
  for (const [file, edits] of byFile) {
    let text = texts.get(file);
    if (text === undefined) continue;
    edits.sort((a, b) => b.start - a.start || b.end - a.end);
    let floor = Infinity;
    for (const e of edits) {
      if (e.end > floor) continue;
      text = text.slice(0, e.start) + e.text + text.slice(e.end);
      floor = e.start;
      applied++;
    }
    const formatted = format(parseFile(file, text));
    out.set(file, formatted.ok ? formatted.text : text);
  }
  return { texts: out, applied };
}
