// Ranges of source text kept as two offsets; line and column are worked out when read.
// A policy set of 10,000 VMs holds ~600,000 ranges. As objects with two eager positions they
// were a third of the front end's heap and most of the garbage collector's work (see
// docs/benchmarks.md, "front end memory"); diagnostics read positions only for the few
// ranges they print.
import type { Position, Range } from "./diagnostics.js";

/** Where each line of one text starts, found on first use (lines end at "\n", as the lexer counts them). */
export class LineIndex {
  private starts: Uint32Array | undefined;

  constructor(private readonly text: string) {}

  position(offset: number): Position {
    const starts = (this.starts ??= lineStarts(this.text));
    // The last line starting at or before `offset`.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1, offset };
  }
}

function lineStarts(text: string): Uint32Array {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  const starts = new Uint32Array(n);
  let k = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts[k++] = i + 1;
  return starts;
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
