// Markdown tables checked with a real GFM parser (markdown-it): every line that looks like a
// table row must be rendered inside a table, and every row must have the header's cell count
// (GFM silently drops extra cells and pads missing ones; a bad separator row leaves raw pipes).
import MarkdownIt from "markdown-it";

const md = new MarkdownIt();

/** Cells of a source row: split on unescaped pipes, outer pipes removed. */
function cellCount(line: string): number {
  const body = line.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "");
  return body.split(/(?<!\\)\|/).length;
}

/** The problems of the Markdown's tables, as "line N: ..." (none: every table renders as written). */
export function tableProblems(markdown: string): string[] {
  const lines = markdown.split("\n");
  const tokens = md.parse(markdown, {});
  const inTable = new Set<number>();
  const inCode = new Set<number>();
  const problems: string[] = [];
  for (const t of tokens) {
    if (!t.map) continue;
    const [from, to] = t.map;
    if (t.type === "fence" || t.type === "code_block" || t.type === "html_block") for (let i = from; i < to; i++) inCode.add(i);
    if (t.type !== "table_open") continue;
    const header = cellCount(lines[from]);
    for (let i = from; i < to; i++) {
      inTable.add(i);
      const n = cellCount(lines[i]);
      if (n !== header) problems.push(`line ${i + 1}: ${n} cells, the header has ${header}: ${lines[i].slice(0, 80)}`);
    }
  }
  lines.forEach((l, i) => {
    if (/^\s*\|.*\|\s*$/.test(l) && !inTable.has(i) && !inCode.has(i)) problems.push(`line ${i + 1}: not rendered as a table row: ${l.slice(0, 80)}`);
  });
  return problems;
}
