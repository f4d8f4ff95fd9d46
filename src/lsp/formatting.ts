// Formatting: the formatter of `bkp fmt`, as one edit of the whole document. A file with
// syntax errors is left as it is (the formatter refuses it, as `bkp fmt` does).
import type { TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { format } from "../lang/format.js";
import { parseFile } from "../lang/index.js";

export function formatDocument(path: string, doc: TextDocument): TextEdit[] {
  const text = doc.getText();
  const r = format(parseFile(path, text));
  if (!r.ok || r.text === text) return [];
  return [{ range: { start: doc.positionAt(0), end: doc.positionAt(text.length) }, newText: r.text }];
}
