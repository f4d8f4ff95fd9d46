// Ranges of source text kept as two offsets; line and column are worked out when read.
// A policy set of 10,000 VMs holds ~600,000 ranges. As objects with two eager positions they
// were a third of the front end's heap and most of the garbage collector's work (see
// docs/benchmarks.md, "front end memory"); diagnostics read positions only for the few
// ranges they print.
import type { Position, Range } from "./diagnostics.js";

/** Offsets where the lines of `text` start (lines end at "\n", as the lexer counts them). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset, given the text's line starts. */
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

/** Where each line of one text starts, found on first use. */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    const starts = (this.starts ??= lineStarts(this.text));
    const line = lineAt(starts, offset);
    return { line, column: offset - starts[line - 1] + 1, offset };
  }
}

/** A half-open range of one text: [startOffset, endOffset). */
export class TextRange implements Range {
  constructor(
    readonly lines: LineIndex,
    readonly startOffset: number,
    readonly endOffset: number,
  ) {}

  get start(): Position {
    return this.lines.position(this.startOffset);
  }

  get end(): Position {
    return this.lines.position(this.endOffset);
  }

  /** The plain shape, for JSON and for comparing with plain ranges. */
  toJSON(): Range {
    return { start: this.start, end: this.end };
  }
}

/** From the start of `a` to the end of `b`. */
export function span(a: Range, b: Range): Range {
  if (a instanceof TextRange && b instanceof TextRange && a.lines === b.lines) return new TextRange(a.lines, a.startOffset, b.endOffset);
  return { start: a.start, end: b.end };
}

/** The empty range where `r` ends (where something missing would go). */
export function endOf(r: Range): Range {
  if (r instanceof TextRange) return new TextRange(r.lines, r.endOffset, r.endOffset);
  return { start: r.end, end: r.end };
}

/** Where a range starts, without working out its line and column. */
export function startOffset(r: Range): number {
  return r instanceof TextRange ? r.startOffset : r.start.offset;
}
