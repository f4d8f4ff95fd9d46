// One policy file as the session holds it: its current text and AST. A what-if edit changes a
// few characters inside one block; re-parsing a 10,000-line file for that would cost 200 ms at
// 500 VMs, so only the lines of the blocks the edit touches are parsed again and spliced into
// the file's AST (`applyEdit`). Anything unusual falls back to parsing the whole file.
import type { BlockAst, CommentAst, FileAst } from "../lang/ast.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import { parseFile } from "../lang/index.js";
import { lineAt, lineStarts } from "../lang/text-range.js";

export interface FileState {
  /** The path as given on the command line (what diagnostics show). */
  path: string;
  text: string;
  /** Offsets where each line of `text` starts. */
  lines: number[];
  ast: FileAst;
  /** The parser's diagnostics for this file (syntax, literals, duplicate attributes). */
  diagnostics: Diagnostic[];
}

/** A replacement of `[start, end)` of a file's current text (the shape of the linter's fixes). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
}

export function parseFileState(path: string, text: string): FileState {
  const parsed = parseFile(path, text);
  return { path, text, lines: lineStarts(text), ast: parsed.ast, diagnostics: parsed.diagnostics };
}

const isSyntaxError = (d: Diagnostic) => d.severity === "error" && d.code.startsWith("BKP1");

/**
 * The file after one edit. Only the whole lines of the top-level blocks the edit touches are
 * parsed again, in place in the new text; the other blocks are kept as they are (their lines
 * and columns are unchanged, see line-index.ts).
 */
export function applyEdit(fs: FileState, edit: TextEdit): FileState {
  const text = fs.text.slice(0, edit.start) + edit.text + fs.text.slice(edit.end);
  // Edits that add or remove a line break move every later line: parse it all.
  if (edit.text.includes("\n") || fs.text.slice(edit.start, edit.end).includes("\n")) return parseFileState(fs.path, text);
  const delta = edit.text.length - (edit.end - edit.start);
  const line = lineAt(fs.lines, edit.start);
  const lines = fs.lines.map((s, i) => (i >= line ? s + delta : s));

  // The region: whole lines, grown until no block (or comment) crosses its edges.
  let lo = line;
  let hi = line;
  for (let grew = true; grew; ) {
    grew = false;
    for (const b of fs.ast.blocks) {
      if (b.range.start.line <= hi && b.range.end.line >= lo && (b.range.start.line < lo || b.range.end.line > hi)) {
        lo = Math.min(lo, b.range.start.line);
        hi = Math.max(hi, b.range.end.line);
        grew = true;
      }
    }
  }
  const from = lines[lo - 1];
  const to = hi < lines.length ? lines[hi] : text.length;
  // Parsed in place: the new nodes' ranges are already those of the whole new text.
  const region = parseFile(fs.path, text, { from, to });
  if (region.diagnostics.some(isSyntaxError)) return parseFileState(fs.path, text);
  const outside = <T extends { range: { start: { line: number }; end: { line: number } } }>(x: T) => x.range.end.line < lo || x.range.start.line > hi;
  const before = (x: BlockAst | CommentAst) => x.range.end.line < lo;
  const blocks = [...fs.ast.blocks.filter(before), ...region.ast.blocks, ...fs.ast.blocks.filter((b) => b.range.start.line > hi)];
  const comments = [...fs.ast.comments.filter(before), ...region.ast.comments, ...fs.ast.comments.filter((c) => c.range.start.line > hi)];
  const diagnostics = [...fs.diagnostics.filter(outside), ...region.diagnostics].sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column);
  return { path: fs.path, text, lines, ast: { file: fs.path, blocks, comments }, diagnostics };
}
