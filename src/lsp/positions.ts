// Between bkp's ranges (1-based lines and UTF-16 columns, offsets) and the protocol's
// (0-based lines and UTF-16 characters). Both count columns in UTF-16 code units.
import type { Range as LspRange } from "vscode-languageserver";
import type { Range } from "../lang/diagnostics.js";

export function lspRange(r: Range): LspRange {
  const { start, end } = r;
  return { start: { line: start.line - 1, character: start.column - 1 }, end: { line: end.line - 1, character: end.column - 1 } };
}

/** Whether an offset falls in a range (its end included: the cursor just after a word is on it). */
export function contains(r: Range, offset: number): boolean {
  return r.start.offset <= offset && offset <= r.end.offset;
}
