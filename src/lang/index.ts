// The language front end: text -> tokens -> CST -> typed AST, with every syntax diagnostic.
import type { FileAst } from "./ast.js";
import { buildAst } from "./build-ast.js";
import type { Diagnostic } from "./diagnostics.js";
import { parseText, type ParseResult } from "./parse.js";

export interface ParsedFile extends ParseResult {
  ast: FileAst;
  text: string;
}

export function parseFile(file: string, text: string): ParsedFile {
  const parsed = parseText(file, text);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const ast = buildAst(file, parsed.cst, parsed.comments, diagnostics);
  return { ...parsed, diagnostics, ast, text };
}
