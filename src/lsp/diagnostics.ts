// Diagnostics for the editor: the checker's and the lint rules', with code, severity, range,
// the hint (what to write instead), related locations and, for rules, a link to the rule's
// documentation page.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from "vscode-languageserver";
import type { Severity } from "../lang/diagnostics.js";
import type { LintDiagnostic } from "../lint/rule.js";
import { lspRange } from "./positions.js";
import { uriOf } from "./uris.js";

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

let rulesDir: string | undefined | null = null;
/** docs/rules of the installed bkp (the package ships it), found upward from this module. */
function ruleDocsDir(): string | undefined {
  if (rulesDir !== null) return rulesDir;
  rulesDir = undefined;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const d = join(dir, "docs", "rules");
    if (existsSync(join(dir, "package.json")) && existsSync(d)) return (rulesDir = d);
    if (dirname(dir) === dir) return undefined;
  }
}

const ruleDocs = new Map<string, string | undefined>();
export function ruleDocUri(rule: string): string | undefined {
  if (!ruleDocs.has(rule)) {
    const dir = ruleDocsDir();
    const page = dir && join(dir, `${rule}.md`);
    ruleDocs.set(rule, page && existsSync(page) ? uriOf(page) : undefined);
  }
  return ruleDocs.get(rule);
}

export function lspDiagnostic(d: LintDiagnostic, uriFor: (path: string) => string): LspDiagnostic {
  const href = d.rule ? ruleDocUri(d.rule) : undefined;
  return {
    range: lspRange(d.range),
    severity: SEVERITY[d.severity],
    code: d.code,
    ...(href ? { codeDescription: { href } } : {}),
    source: d.rule ? `bkp lint (${d.rule})` : "bkp",
    message: d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message,
    ...(d.related?.length ? { relatedInformation: d.related.map((r) => ({ location: { uri: uriFor(r.file), range: lspRange(r.range) }, message: r.message })) } : {}),
  };
}

/** Diagnostics per file path: every file of the set gets an entry (empty clears old ones). */
export function diagnosticsByFile(diags: LintDiagnostic[], files: Iterable<string>, uriFor: (path: string) => string): Map<string, LspDiagnostic[]> {
  const out = new Map<string, LspDiagnostic[]>();
  for (const f of files) out.set(f, []);
  for (const d of diags) {
    let list = out.get(d.file);
    if (!list) out.set(d.file, (list = []));
    list.push(lspDiagnostic(d, uriFor));
  }
  return out;
}
