// Go to definition, find references and rename: over the name sites of every file of the set.
import { ResponseError, type Location, type TextEdit, type WorkspaceEdit } from "vscode-languageserver";
import type { FileAst } from "../lang/ast.js";
import { quote } from "../lang/build-ast.js";
import { allSites, sameName, siteAt, type NameSite } from "./names.js";
import { lspRange } from "./positions.js";

export interface NavInput {
  ast: FileAst;
  offset: number;
  files: Iterable<FileAst>;
  uriFor: (path: string) => string;
}

const location = (s: NameSite, uriFor: (p: string) => string): Location => ({ uri: uriFor(s.file), range: lspRange(s.range) });

export function definition({ ast, offset, files, uriFor }: NavInput): Location[] {
  const at = siteAt(ast, offset);
  if (!at) return [];
  return allSites(files).filter((s) => s.definition && sameName(s, at)).map((s) => location(s, uriFor));
}

export function references({ ast, offset, files, uriFor }: NavInput, includeDeclaration: boolean): Location[] {
  const at = siteAt(ast, offset);
  if (!at) return [];
  return allSites(files).filter((s) => sameName(s, at) && (includeDeclaration || !s.definition)).map((s) => location(s, uriFor));
}

export function prepareRename({ ast, offset }: NavInput): { range: ReturnType<typeof lspRange>; placeholder: string } | undefined {
  const at = siteAt(ast, offset);
  return at && { range: lspRange(at.range), placeholder: at.name };
}

/** Renames a block and every reference to it, in every file. */
export function rename(input: NavInput, newName: string): WorkspaceEdit {
  const at = siteAt(input.ast, input.offset);
  if (!at) throw new ResponseError(-32602, "nothing to rename here: put the cursor on the name of a vault, policy, vm, storage account, restore or price book");
  if (newName.trim() === "" || /[\n\r]/.test(newName)) throw new ResponseError(-32602, "a name cannot be empty or span lines");
  const changes: Record<string, TextEdit[]> = {};
  for (const s of allSites(input.files)) {
    if (!sameName(s, at)) continue;
    (changes[input.uriFor(s.file)] ??= []).push({ range: lspRange(s.range), newText: quote(newName) });
  }
  return { changes };
}
