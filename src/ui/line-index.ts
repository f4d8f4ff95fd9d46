// Line starts of a text, and positions -> offsets. The session edits texts in place without
// re-parsing every block, so AST offsets of untouched blocks go stale after an edit earlier in
// the same file; lines and columns never do (edits never add or remove a line break), so
// every offset the UI needs is computed from line and column against the current text.
import type { Position } from "../lang/diagnostics.js";

export function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) out.push(i + 1);
  return out;
}

/** Offset of a 1-based line and column in a text whose line starts are `starts`. */
export function offsetAt(starts: readonly number[], p: Pick<Position, "line" | "column">): number {
  return (starts[p.line - 1] ?? 0) + p.column - 1;
}

/** 1-based line of an offset. */
export function lineAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
