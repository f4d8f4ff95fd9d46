import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/lang/lexer.js";
import { tokenRange } from "../../src/lang/parse.js";
import { endOf, LineIndex, span, startOffset, TextRange } from "../../src/lang/text-range.js";
import { bkpFiles, ROOT } from "../helpers.js";

describe("ranges kept as offsets", () => {
  it("give every token of every example policy the line and column the lexer counted", () => {
    let checked = 0;
    for (const file of bkpFiles(join(ROOT, "policies"))) {
      const text = readFileSync(file, "utf8");
      const { tokens, comments } = tokenize(text);
      for (const t of [...tokens, ...comments]) {
        const r = tokenRange(t);
        expect(r.start, `${file} '${t.image}'`).toEqual({ line: t.startLine, column: t.startColumn, offset: t.startOffset });
        expect(r.end).toEqual({ line: t.endLine, column: t.endColumn! + 1, offset: t.endOffset! + 1 });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("count lines at \\n only (a \\r before it is the line's last column), and place the end of the text", () => {
    const text = 'a\r\nbb\n\n"c"';
    const lines = new LineIndex(text);
    expect(lines.position(0)).toEqual({ line: 1, column: 1, offset: 0 });
    expect(lines.position(1)).toEqual({ line: 1, column: 2, offset: 1 });
    expect(lines.position(3)).toEqual({ line: 2, column: 1, offset: 3 });
    expect(lines.position(6)).toEqual({ line: 3, column: 1, offset: 6 });
    expect(lines.position(text.length)).toEqual({ line: 4, column: 4, offset: text.length });
  });

  it("span across lines, collapse to their end, and print as plain start/end positions", () => {
    const lines = new LineIndex("vault {\n  path \"x\"\n}\n");
    const a = new TextRange(lines, 0, 5);
    const b = new TextRange(lines, 10, 14);
    const s = span(a, b);
    expect(s.start).toEqual({ line: 1, column: 1, offset: 0 });
    expect(s.end).toEqual({ line: 2, column: 7, offset: 14 });
    expect(startOffset(s)).toBe(0);
    expect(endOf(s).start).toEqual(s.end);
    expect(JSON.parse(JSON.stringify({ range: s }))).toEqual({ range: { start: s.start, end: s.end } });
    // A plain range (made by hand, e.g. by a lint rule) spans the same way.
    const plain = { start: { line: 3, column: 1, offset: 19 }, end: { line: 3, column: 2, offset: 20 } };
    expect(span(a, plain)).toEqual({ start: a.start, end: plain.end });
  });

  it("locate a region parsed alone in the whole text", () => {
    const text = 'vault "a" { path "x" }\nvault "b" { path "y" }\n';
    const { tokens } = tokenize(text, { from: 23, to: text.length });
    expect(tokens[0].image).toBe("vault");
    expect(tokenRange(tokens[0]).start).toEqual({ line: 2, column: 1, offset: 23 });
    expect(tokens[0].startLine).toBe(2);
  });
});
