// Folding: every block body that spans lines (nested ones too).
import type { FoldingRange } from "vscode-languageserver";
import type { BlockSyntax, FileAst } from "../lang/ast.js";

function blockFolds(s: BlockSyntax, out: FoldingRange[]): void {
  const start = s.body.start.line - 1;
  const end = s.body.end.line - 1;
  // Up to the line before the closing brace, which stays visible.
  if (end - 1 > start) out.push({ startLine: start, endLine: end - 1 });
  for (const a of s.attributes) if (a.block) blockFolds(a.block, out);
}

export function foldingRanges(ast: FileAst): FoldingRange[] {
  const out: FoldingRange[] = [];
  for (const b of ast.blocks) blockFolds(b.syntax, out);
  return out.sort((a, b) => a.startLine - b.startLine);
}
