// Code actions: the lint rules' fixes (what `bkp lint --fix` applies) and "did you mean"
// replacements, offered for the diagnostics under the cursor.
import { CodeActionKind, type CodeAction, type Range as LspRange, type TextEdit } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { quote } from "../lang/build-ast.js";
import type { LintDiagnostic } from "../lint/rule.js";
import { lspDiagnostic } from "./diagnostics.js";
import { lspRange } from "./positions.js";

export interface ActionInput {
  path: string;
  range: LspRange;
  diagnostics: LintDiagnostic[];
  docOf: (path: string) => TextDocument | undefined;
  uriFor: (path: string) => string;
}

const DID_YOU_MEAN = /did you mean ['"]([^'"]+)['"]\?/;

function overlaps(a: LspRange, b: LspRange): boolean {
  const before = (x: LspRange["start"], y: LspRange["start"]) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return before(a.start, b.end) && before(b.start, a.end);
}

export function codeActions({ path, range, diagnostics, docOf, uriFor }: ActionInput): CodeAction[] {
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.file !== path || !overlaps(lspRange(d.range), range)) continue;
    const diag = lspDiagnostic(d, uriFor);
    if (d.fix?.length) {
      const changes: Record<string, TextEdit[]> = {};
      for (const e of d.fix) {
        const doc = docOf(e.file);
        if (!doc) continue;
        (changes[uriFor(e.file)] ??= []).push({ range: { start: doc.positionAt(e.start), end: doc.positionAt(e.end) }, newText: e.text });
      }
      out.push({ title: `Fix ${d.rule ?? d.code}: ${d.hint}`, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: true, edit: { changes } });
    }
    const guess = d.hint && DID_YOU_MEAN.exec(d.hint)?.[1];
    const doc = docOf(path);
    if (guess && doc) {
      const written = doc.getText().slice(d.range.start.offset, d.range.end.offset);
      const newText = written.startsWith('"') ? quote(guess) : guess;
      out.push({ title: `Change to ${newText}`, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: !d.fix, edit: { changes: { [uriFor(path)]: [{ range: lspRange(d.range), newText }] } } });
    }
  }
  return out;
}
