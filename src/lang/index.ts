// The language front end: text -> tokens -> CST -> typed AST, with every syntax diagnostic.
// The CST is dropped once the AST is built: it is the largest structure, and nothing after
// the AST needs it. Tokens are dropped too: on a 10,000-VM set they are most of what would
// stay alive (and be scanned by every GC); the formatter re-tokenises its one file.
import type { IToken } from "chevrotain";
import type { FileAst } from "./ast.js";
import { buildAst } from "./build-ast.js";
import { sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { parseText } from "./parse.js";
import type { TextRegion } from "./lexer.js";

export interface ParsedFile {
  ast: FileAst;
  text: string;
  comments: IToken[];
  diagnostics: Diagnostic[];
}

/** Parses a file's text, or only a `region` of whole lines of it (the UI re-parses edited blocks). */
export function parseFile(file: string, text: string, region?: TextRegion): ParsedFile {
  const parsed = parseText(file, text, region);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  const ast = buildAst(file, parsed.cst, parsed.comments, diagnostics);
  return { ast, text, comments: parsed.comments, diagnostics: sortDiagnostics(diagnostics) };
}
