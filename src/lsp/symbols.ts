// The outline: every block of a file, with a VM's disks, scripts and encryption inside it.
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import type { BlockAst, BlockSyntax, FileAst } from "../lang/ast.js";
import type { Range } from "../lang/diagnostics.js";
import { lspRange } from "./positions.js";

const KIND: Record<BlockAst["kind"], SymbolKind> = {
  vault: SymbolKind.Module,
  policy: SymbolKind.Event,
  vm: SymbolKind.Class,
  "storage-account": SymbolKind.Package,
  restore: SymbolKind.Function,
  assume: SymbolKind.Namespace,
  pricing: SymbolKind.Enum,
};

function symbol(name: string, detail: string, kind: SymbolKind, syntax: BlockSyntax, nameRange: Range, children?: DocumentSymbol[]): DocumentSymbol {
  return { name, detail, kind, range: lspRange(syntax.range), selectionRange: lspRange(nameRange), ...(children ? { children } : {}) };
}

export function documentSymbols(ast: FileAst): DocumentSymbol[] {
  return ast.blocks.map((b) => {
    if (b.kind === "assume") return symbol("assume", "analysis assumptions", KIND.assume, b.syntax, b.syntax.header);
    if (b.kind !== "vm") return symbol(b.name.value, b.kind, KIND[b.kind], b.syntax, b.name.range);
    const children = b.disks.map((d) => symbol(d.name.value, `disk${d.role ? ` (${d.role.value})` : ""}`, SymbolKind.Field, d.syntax, d.name.range));
    if (b.scripts) children.push(symbol("scripts", "pre/post scripts", SymbolKind.Object, b.scripts.syntax, b.scripts.syntax.header));
    if (b.ade) children.push(symbol("encryption ade", "disk encryption keys", SymbolKind.Key, b.ade.syntax, b.ade.syntax.header));
    return symbol(b.name.value, `vm${b.os ? ` (${b.os.value})` : ""}`, KIND.vm, b.syntax, b.name.range, children);
  });
}
