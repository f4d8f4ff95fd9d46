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

/** A copy of a value whose every range is moved by `delta` and read against `lines`. */
function moved<T>(v: T, delta: number, lines: LineIndex): T {
  if (v instanceof TextRange) return new TextRange(lines, v.startOffset + delta, v.endOffset + delta) as T;
  if (Array.isArray(v)) return v.map((x) => moved(x, delta, lines)) as T;
  if (v === null || typeof v !== "object" || !isPlain(v)) return v;
  const o = v as Record<string, unknown>;
  if (isRange(o)) return new TextRange(lines, o.start.offset + delta, o.end.offset + delta) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = moved(o[k], delta, lines);
  return out as T;
}

function movedToken(t: IToken, delta: number, lines: LineIndex): IToken {
  const start = lines.position(t.startOffset + delta);
  const end = lines.position((t.endOffset ?? t.startOffset) + delta);
  return { ...t, startOffset: t.startOffset + delta, endOffset: (t.endOffset ?? t.startOffset) + delta, startLine: start.line, endLine: end.line, startColumn: start.column, endColumn: end.column, bkpRange: undefined, bkpLines: lines } as IToken;
}

const startOf = (r: Range) => (r instanceof TextRange ? r.startOffset : r.start.offset);
const endOf = (r: Range) => (r instanceof TextRange ? r.endOffset : r.end.offset);

/** `prev` parsed again with `text`; the same result as `parseFile(prev.ast.file, text)`. */
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
  const keep = <X extends { range: Range }>(xs: X[]) => [...xs.filter((x) => before(x.range))];
  const shift = <X extends { range: Range }>(xs: X[]) => xs.filter((x) => after(x.range)).map((x) => moved(x, delta, lines));
  const diagnostics: Diagnostic[] = [...keep(prev.diagnostics), ...region.diagnostics, ...shift(prev.diagnostics)];
  return {
    text,
    ast: {
      file,
      blocks: [...keep(prev.ast.blocks), ...region.ast.blocks, ...shift(prev.ast.blocks)],
      comments: [...keep(prev.ast.comments), ...region.ast.comments, ...shift(prev.ast.comments)],
    },
    comments: [
      ...prev.comments.filter((t) => t.startOffset < from),
      ...region.comments,
      ...prev.comments.filter((t) => t.startOffset >= to).map((t) => movedToken(t, delta, lines)),
    ],
    diagnostics: sortDiagnostics(diagnostics),
  };
}
