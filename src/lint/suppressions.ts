// Suppressions in comments:
//   # bkp-ignore: rule-a, rule-b -- reason     on the line above, or at the end of the line
//   # bkp-ignore-file: rule-a -- reason        anywhere in the file (by convention at the top)
// A suppression that suppresses nothing is itself reported. Checker diagnostics (BKP0-2xxx)
// cannot be suppressed: they are errors in the policy, not advice.
import type { CommentAst } from "../lang/ast.js";
import type { Range } from "../lang/diagnostics.js";

export interface Suppression {
  file: string;
  comment: CommentAst;
  /** Rule names (or codes) as written, with the range of each name. */
  rules: { name: string; range: Range }[];
  /** The line it applies to; undefined for a whole-file suppression. */
  line?: number;
  reason?: string;
}

const PATTERN = /^#\s*bkp-ignore(-file)?\s*:\s*([^]*?)(?:\s--\s*(.*))?$/;

/** Finds suppressions among a file's comments; `codeOnLine` says whether a line holds code before the comment. */
export function parseSuppressions(file: string, comments: CommentAst[], text: string): Suppression[] {
  const out: Suppression[] = [];
  for (const c of comments) {
    const m = PATTERN.exec(c.text);
    if (!m) continue;
    const list = m[2];
    const listStart = c.range.start.offset + c.text.indexOf(list, c.text.indexOf(":") + 1);
    const rules: Suppression["rules"] = [];
    const re = /[A-Za-z0-9-]+/g;
    let r: RegExpExecArray | null;
    while ((r = re.exec(list))) {
      const start = listStart + r.index;
      const col = c.range.start.column + (start - c.range.start.offset);
      rules.push({
        name: r[0],
        range: { start: { line: c.range.start.line, column: col, offset: start }, end: { line: c.range.start.line, column: col + r[0].length, offset: start + r[0].length } },
      });
    }
    let line: number | undefined;
    if (!m[1]) {
      const lineStart = text.lastIndexOf("\n", c.range.start.offset - 1) + 1;
      const alone = text.slice(lineStart, c.range.start.offset).trim() === "";
      line = alone ? nextCodeLine(text, c.range.start.offset) : c.range.start.line;
    }
    out.push({ file, comment: c, rules, line, reason: m[3]?.trim() || undefined });
  }
  return out;
}

/** The next line after `offset` that holds something other than a comment. */
function nextCodeLine(text: string, offset: number): number {
  let line = countLines(text, offset);
  let i = text.indexOf("\n", offset);
  while (i >= 0) {
    line++;
    const end = text.indexOf("\n", i + 1);
    const content = text.slice(i + 1, end < 0 ? undefined : end).trim();
    if (content && !content.startsWith("#")) return line;
    i = end;
  }
  return line + 1;
}

function countLines(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
