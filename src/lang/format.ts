// The formatter, in Prettier's pipeline style: parse -> attach comments -> print.
//
// Canonical layout: top-level blocks separated by one blank line; one attribute per line,
// indented two spaces; a blank line between attributes is kept (at most one); a nested
// `disk` block stays on one line when it fits in 100 columns and holds no comments, other
// nested blocks are always multi-line; tokens inside an attribute are separated by one
// space (none before ',' or '%'); consecutive trailing comments are aligned. The printer
// only re-spaces tokens, never rewrites them, so the meaning cannot change.
import type { IToken } from "chevrotain";
import type { BlockSyntax, CommentAst, FileAst } from "./ast.js";
import type { Range } from "./diagnostics.js";
import type { ParsedFile } from "./index.js";
import { tokenize } from "./lexer.js";
import * as T from "./tokens.js";
import { lineAt, lineStarts } from "./text-range.js";

const WIDTH = 100;
const INDENT = "  ";

interface Item {
  range: Range;
  /** Comments on their own lines before the item. */
  leading: CommentAst[];
  /** A comment after the item on its last line. */
  trailing?: CommentAst;
  /** Whether a blank line separated it from what came before. */
  blankBefore: boolean;
}

export interface FormatResult {
  ok: boolean;
  text: string;
}

/** Formats a parsed file; files with syntax errors are returned unchanged (`ok: false`). */
export function format(parsed: ParsedFile): FormatResult {
  if (parsed.diagnostics.some((d) => d.code.startsWith("BKP1"))) return { ok: false, text: parsed.text };
  return { ok: true, text: print(parsed.ast, tokenize(parsed.text).tokens, parsed.text) };
}

function print(ast: FileAst, tokens: IToken[], text: string): string {
  // In source order: lookups by offset are binary searches, so formatting stays linear in the
  // number of blocks (a linear scan per block made 2,000 blocks take a minute).
  const comments = [...ast.comments].sort((a, b) => a.range.start.offset - b.range.start.offset);
  const used = new Set<CommentAst>();
  const lineStart = lineStarts(text);
  const lineOf = (offset: number) => lineAt(lineStart, offset);
  const blankBetween = (endOffset: number, startOffset: number): boolean => {
    // A blank line: two newlines with only spaces between, outside comments.
    const between = text.slice(endOffset, startOffset).replace(/#[^\n]*/g, "");
    return /\n[ \t\r]*\n/.test(between);
  };

  /** Comments strictly inside [from, to) that are not yet attached. */
  const commentsIn = (from: number, to: number): CommentAst[] => {
    const out: CommentAst[] = [];
    for (let i = firstAtOrAfter(comments, (c) => c.range.start.offset, from); i < comments.length && comments[i].range.start.offset < to; i++) {
      if (!used.has(comments[i])) out.push(comments[i]);
    }
    return out;
  };

  /** Builds items for a sequence of ranges inside [from, to), attaching comments. */
  function items(ranges: Range[], from: number, to: number): { list: Item[]; dangling: CommentAst[] } {
    const list: Item[] = [];
    let prevEnd = from;
    for (const r of ranges) {
      const leading = commentsIn(prevEnd, r.start.offset).filter((c) => {
        // A comment on the same line as the previous item's end is that item's trailing comment.
        const prev = list[list.length - 1];
        if (prev && !prev.trailing && lineOf(c.range.start.offset) === lineOf(prev.range.end.offset - 1)) {
          prev.trailing = c;
          used.add(c);
          return false;
        }
        return true;
      });
      for (const c of leading) used.add(c);
      const firstStart = leading[0]?.range.start.offset ?? r.start.offset;
      list.push({ range: r, leading, blankBefore: list.length > 0 && blankBetween(prevEnd, firstStart) });
      prevEnd = r.end.offset;
    }
    const rest = commentsIn(prevEnd, to);
    const dangling: CommentAst[] = [];
    for (const c of rest) {
      const prev = list[list.length - 1];
      used.add(c);
      if (prev && !prev.trailing && lineOf(c.range.start.offset) === lineOf(prev.range.end.offset - 1)) prev.trailing = c;
      else dangling.push(c);
    }
    return { list, dangling };
  }

  const tokenStart = (t: IToken) => t.startOffset;
  const tokensIn = (r: Range): IToken[] => {
    const out: IToken[] = [];
    for (let i = firstAtOrAfter(tokens, tokenStart, r.start.offset); i < tokens.length && tokens[i].startOffset < r.end.offset; i++) out.push(tokens[i]);
    return out;
  };

  const join = (toks: IToken[]): string => {
    let s = "";
    for (const t of toks) {
      if (s && t.tokenType !== T.Comma && t.tokenType !== T.Percent) s += " ";
      s += t.image;
    }
    return s;
  };

  /** Lines of a block (header + body), without a trailing comment after '}'. */
  function block(b: BlockSyntax, indent: string, nested: boolean): string[] {
    const header = join(tokensIn(b.header));
    const openAt = tokens[firstAtOrAfter(tokens, tokenStart, b.body.start.offset)];
    const open = openAt?.startOffset === b.body.start.offset ? openAt : undefined;
    // A comment right after '{' (before any attribute) belongs to the header line.
    const firstAttr = b.attributes[0]?.range.start.offset ?? b.body.end.offset;
    const headerComment = open ? commentsIn(open.startOffset, firstAttr).find((c) => lineOf(c.range.start.offset) === lineOf(open.startOffset)) : undefined;
    if (headerComment) used.add(headerComment);
    const { list, dangling } = items(b.attributes.map((a) => a.range), (open?.startOffset ?? b.body.start.offset) + 1, b.body.end.offset);

    const attrText = b.attributes.map((a) => (a.block ? undefined : join(tokensIn(a.range))));
    const hasComments = headerComment || dangling.length || list.some((i) => i.leading.length || i.trailing);
    if (nested && !hasComments && b.attributes.every((a) => !a.block) && header.startsWith("disk ")) {
      const one = `${indent}${header} { ${attrText.join(" ")} }`;
      if (one.length <= WIDTH) return [one];
    }

    const inner = indent + INDENT;
    const lines: { code: string; comment?: string }[] = [];
    const out: string[] = [];
    const flush = () => {
      // Align a run of consecutive trailing comments (gofmt style).
      let i = 0;
      while (i < lines.length) {
        if (!lines[i].comment) {
          out.push(lines[i].code);
          i++;
          continue;
        }
        let j = i;
        while (j < lines.length && lines[j].comment && !lines[j].code.includes("\n")) j++;
        if (j === i) j = i + 1;
        const width = Math.max(...lines.slice(i, j).map((l) => l.code.length));
        for (const l of lines.slice(i, j)) out.push(`${l.code.padEnd(width)}  ${l.comment}`);
        i = j;
      }
      lines.length = 0;
    };

    out.push(`${indent}${header} {${headerComment ? `  ${headerComment.text}` : ""}`);
    list.forEach((it, k) => {
      if (it.blankBefore) {
        flush();
        out.push("");
      }
      if (it.leading.length) {
        flush();
        out.push(...leadingLines(it, inner));
      }
      const a = b.attributes[k];
      if (a.block) {
        flush();
        const sub = block(a.block, inner, true);
        const last = sub.length - 1;
        for (let n = 0; n < last; n++) out.push(sub[n]);
        lines.push({ code: sub[last], comment: it.trailing?.text });
      } else {
        lines.push({ code: inner + attrText[k], comment: it.trailing?.text });
      }
    });
    flush();
    for (const c of dangling) out.push(inner + c.text);
    out.push(`${indent}}`);
    return out;
  }

  /** Leading comments, keeping (at most one) blank line where the source had one. */
  function leadingLines(it: Item, indent: string): string[] {
    const lines: string[] = [];
    it.leading.forEach((c, i) => {
      if (i > 0 && blankBetween(it.leading[i - 1].range.end.offset, c.range.start.offset)) lines.push("");
      lines.push(indent + c.text);
    });
    if (blankBetween(it.leading[it.leading.length - 1].range.end.offset, it.range.start.offset)) lines.push("");
    return lines;
  }

  const top = items(ast.blocks.map((b) => b.range), 0, text.length);
  const out: string[] = [];
  top.list.forEach((it, k) => {
    if (k > 0) out.push("");
    if (it.leading.length) out.push(...leadingLines(it, ""));
    const lines = block(ast.blocks[k].syntax, "", false);
    if (it.trailing) lines[lines.length - 1] += `  ${it.trailing.text}`;
    out.push(...lines);
  });
  if (top.dangling.length) {
    if (out.length) out.push("");
    for (const c of top.dangling) out.push(c.text);
  }
  return out.map((l) => l.trimEnd()).join("\n") + "\n";
}


/** The index of the first item whose key is at least `offset` (items sorted by key). */
function firstAtOrAfter<T>(items: readonly T[], key: (item: T) => number, offset: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
