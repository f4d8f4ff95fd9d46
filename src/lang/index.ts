// The language front end: text -> tokens -> CST -> typed AST, with every syntax diagnostic.
// The CST is dropped once the AST is built: it is the largest structure, and nothing after
// the AST needs it (the formatter works from the AST's syntax ranges and the tokens).
import type { IToken } from "chevrotain";
import type { FileAst } from "./ast.js";
import { buildAst } from "./build-ast.js";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { parseText } from "./parse.js";

export interface ParsedFile {
  ast: FileAst;
  text: string;
  tokens: IToken[];
  comments: IToken[];
  diagnostics: Diagnostic[];
}

export function parseFile(file: string, text: string): ParsedFile {
  const parsed = parseText(file, text);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const ast = buildAst(file, parsed.cst, parsed.comments, diagnostics);
  return { ast, text, tokens: parsed.tokens, comments: parsed.comments, diagnostics: sortDiagnostics(diagnostics) };
}
