// Parsing a file again after an edit, incrementally: only the whole lines of the top-level
// blocks the edit touches are parsed again (in place in the new text, so their ranges are
// those of the whole text); blocks after the edit are kept, their ranges moved by the edit's
// length change. The language server does this on every keystroke: parsing a 500-VM file
// whole is most of the time from an edit to its diagnostics. A region whose new text has a
// syntax error is parsed with the whole file instead (recovery may then read past the block,
// and the diagnostics must be those `bkp check` reports).
import type { IToken } from "chevrotain";
import type { Diagnostic, Range } from "./diagnostics.js";
import { sortDiagnostics } from "./diagnostics.js";
import { parseFile, type ParsedFile } from "./index.js";
import { LineIndex, TextRange } from "./text-range.js";

/** The changed span: [start, oldEnd) of the old text became [start, newEnd) of the new one. */
function changedSpan(a: string, b: string): { start: number; oldEnd: number; newEnd: number } {
  let start = 0;
  const max = Math.min(a.length, b.length);
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let s = 0;
  while (s < max - start && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return { start, oldEnd: a.length - s, newEnd: b.length - s };
}

const isPlain = (v: object) => {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};
const isRange = (v: Record<string, unknown>): v is Range & Record<string, unknown> =>
  typeof (v.start as { offset?: unknown } | undefined)?.offset === "number" && typeof (v.end as { offset?: unknown } | undefined)?.offset === "number" && Object.keys(v).length === 2;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Moves every range inside `v` by `delta`, read against the new text's `lines`. In place: the
 * nodes belong to the previous parse, which the new one replaces (copying them cost a third
 * of a 500-VM edit, mostly in the garbage collector). Ranges are shared between nodes and
 * diagnostics (one per token), so each is moved once (`seen`).
 */
function shiftInPlace(v: unknown, delta: number, lines: LineIndex, seen: Set<object>, from: number): void {
  if (v === null || typeof v !== "object") return;
  if (v instanceof TextRange) {
    // A range before the edit (a related location) stays where it is.
    if (seen.has(v) || v.startOffset < from) return;
    seen.add(v);
    const w = v as Writable<TextRange>;
    w.startOffset += delta;
    w.endOffset += delta;
    w.lines = lines;
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) shiftInPlace(x, delta, lines, seen, from);
    return;
  }
  if (!isPlain(v)) return;
  const o = v as Record<string, unknown>;
  if (isRange(o)) {
    if (seen.has(o) || o.start.offset < from) return;
    seen.add(o);
    o.start = lines.position(o.start.offset + delta);
    o.end = lines.position(o.end.offset + delta);
    return;
  }
  for (const k in o) shiftInPlace(o[k], delta, lines, seen, from);
}

function movedToken(t: IToken, delta: number, lines: LineIndex): IToken {
  const start = lines.position(t.startOffset + delta);
  const end = lines.position((t.endOffset ?? t.startOffset) + delta);
  return { ...t, startOffset: t.startOffset + delta, endOffset: (t.endOffset ?? t.startOffset) + delta, startLine: start.line, endLine: end.line, startColumn: start.column, endColumn: end.column, bkpRange: undefined, bkpLines: lines } as IToken;
}

const NAMES_LINE = /\bline \d/;
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

const startOf = (r: Range) => (r instanceof TextRange ? r.startOffset : r.start.offset);
const endOf = (r: Range) => (r instanceof TextRange ? r.endOffset : r.end.offset);

/**
 * `prev` parsed again with `text`: the same result as `parseFile(prev.ast.file, text)`. The
 * nodes of `prev` after the edit are moved into the result, so `prev` is not to be used again.
 */
export function reparse(prev: ParsedFile, text: string): ParsedFile {
  const file = prev.ast.file;
  if (prev.text === text) return prev;
  const whole = () => parseFile(file, text);
  if (prev.diagnostics.some((d) => d.code.startsWith("BKP1"))) return whole();
  const { start, oldEnd, newEnd } = changedSpan(prev.text, text);
  const delta = newEnd - oldEnd;
  // The region of the old text: whole lines, grown until no block crosses its edges.

  let from = prev.text.lastIndexOf("\n", start - 1) + 1;
  let to = prev.text.indexOf("\n", oldEnd);
  to = to < 0 ? prev.text.length : to + 1;
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of prev.ast.blocks) {
      const bs = startOf(b.range);
      const be = endOf(b.range);
      if (bs <= to && be >= from && (bs < from || be > to)) {
        from = Math.min(from, prev.text.lastIndexOf("\n", bs - 1) + 1);
        const eol = prev.text.indexOf("\n", be);
        to = Math.max(to, eol < 0 ? prev.text.length : eol + 1);
        grew = true;
      }
    }
  }
  const region = parseFile(file, text, { from, to: to + delta });
  if (region.diagnostics.some((d) => d.code.startsWith("BKP1"))) return whole();
  const lines = new LineIndex(text);
  const before = (r: Range) => endOf(r) <= from && startOf(r) < from;
  const after = (r: Range) => startOf(r) >= to;
  const keep = <X extends { range: Range }>(xs: X[]) => xs.filter((x) => before(x.range));
  // Everything after the region is picked before any range moves (ranges are shared).
  const earlier = { diagnostics: keep(prev.diagnostics), blocks: keep(prev.ast.blocks), comments: keep(prev.ast.comments) };
  const later = { diagnostics: prev.diagnostics.filter((x) => after(x.range)), blocks: prev.ast.blocks.filter((x) => after(x.range)), comments: prev.ast.comments.filter((x) => after(x.range)) };
  // A message or hint that names a line ("the first is at line 35") was written for the old
  // lines: when the edit added or removed lines, only a whole parse words it right again.
  const lineDelta = newlines(text, from, to + delta) - newlines(prev.text, from, to);
  if (lineDelta !== 0 && [...earlier.diagnostics, ...later.diagnostics].some((d) => NAMES_LINE.test(d.message) || NAMES_LINE.test(d.hint ?? ""))) return whole();
  const seen = new Set<object>();
  for (const xs of Object.values(later)) for (const x of xs) shiftInPlace(x, delta, lines, seen, to);
  const diagnostics: Diagnostic[] = [...earlier.diagnostics, ...region.diagnostics, ...later.diagnostics];
  return {
    text,
    ast: {
      file,
      blocks: [...earlier.blocks, ...region.ast.blocks, ...later.blocks],
      comments: [...earlier.comments, ...region.ast.comments, ...later.comments],
    },
    comments: [
      ...prev.comments.filter((t) => t.startOffset < from),
      ...region.comments,
      ...prev.comments.filter((t) => t.startOffset >= to).map((t) => movedToken(t, delta, lines)),
    ],
    diagnostics: sortDiagnostics(diagnostics),
  };
}
