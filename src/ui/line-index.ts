// Positions -> offsets (line starts: lineStarts in lang/text-range.ts). The session edits texts in place without
// re-parsing every block, so AST offsets of untouched blocks go stale after an edit earlier in
// the same file; lines and columns never do (edits never add or remove a line break), so
// every offset the UI needs is computed from line and column against the current text.
import type { Position } from "../lang/diagnostics.js";

/** Offset of a 1-based line and column in a text whose line starts are `starts`. */
export function offsetAt(starts: readonly number[], p: Pick<Position, "line" | "column">): number {
  return (starts[p.line - 1] ?? 0) + p.column - 1;
}
