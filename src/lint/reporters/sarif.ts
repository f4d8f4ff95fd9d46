// SARIF 2.1.0 as GitHub code scanning reads it: every rule in tool.driver.rules (id, short
// and full description, help), results with ruleId, level, message and region, and
// repository-relative URIs against %SRCROOT%.
import { CODES, type Code } from "../../lang/diagnostic-codes.js";
import type { Severity } from "../../lang/diagnostics.js";
import type { LintDiagnostic, Rule } from "../rule.js";
import { INVALID_SUPPRESSION, UNUSED_SUPPRESSION } from "../lint.js";

const LEVEL: Record<Severity, string> = { error: "error", warning: "warning", info: "note" };

interface Descriptor {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[] };
}

function ruleDescriptor(r: Rule): Descriptor {
  return {
    id: r.code,
    name: r.name,
    shortDescription: { text: r.summary },
    fullDescription: { text: `${r.docs.what} ${r.docs.why}` },
    help: {
      text: `${r.docs.what}\n\nWhy: ${r.docs.why}\n\nInstead: ${r.docs.instead}`,
      markdown: `**${r.name}** (${r.code})\n\n${r.docs.what}\n\n**Why.** ${r.docs.why}\n\n**Instead.** ${r.docs.instead}\n\nRun \`bkp lint --explain ${r.name}\` for examples.`,
    },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags: ["bkp", "backup-policy"] },
  };
}

function plainDescriptor(id: string, name: string, text: string, help: string, severity: Severity): Descriptor {
  return {
    id,
    name,
    shortDescription: { text },
    fullDescription: { text },
    help: { text: help, markdown: help },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: { tags: ["bkp"] },
  };
}

export function sarifReport(diags: LintDiagnostic[], rules: Rule[], opts: { version: string; root: string; relative: (file: string) => string }): string {
  const descriptors: Descriptor[] = rules.map(ruleDescriptor);
  descriptors.push(
    plainDescriptor(UNUSED_SUPPRESSION.code, UNUSED_SUPPRESSION.name, "a bkp-ignore comment that suppresses nothing", "Remove the comment (bkp lint --fix does).", UNUSED_SUPPRESSION.severity),
    plainDescriptor(INVALID_SUPPRESSION.code, INVALID_SUPPRESSION.name, "a bkp-ignore comment naming an unknown rule or a checker error", "Name a lint rule (bkp lint --list-rules); checker errors cannot be suppressed.", INVALID_SUPPRESSION.severity),
  );
  // The checker's codes that occur, so every result has its rule.
  for (const code of new Set(diags.filter((d) => !d.rule).map((d) => d.code))) {
    const info = CODES[code as Code];
    if (info) descriptors.push(plainDescriptor(code, info.title.replace(/\s+/g, "-"), info.title, "A checker diagnostic: the policy is invalid here. The message says what to write instead.", info.severity));
  }
  const index = new Map(descriptors.map((d, i) => [d.id, i]));
  const results = diags.map((d) => ({
    ruleId: d.code,
    ruleIndex: index.get(d.code),
    level: LEVEL[d.severity],
    message: { text: d.hint ? `${d.message}. Fix: ${d.hint}` : d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(opts.relative(d.file)), uriBaseId: "%SRCROOT%" },
          region: {
            startLine: d.range.start.line,
            startColumn: d.range.start.column,
            endLine: d.range.end.line,
            endColumn: Math.max(d.range.end.column, d.range.start.column + (d.range.end.line === d.range.start.line ? 1 : 0)),
          },
        },
      },
    ],
  }));
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "bkp", semanticVersion: opts.version, version: opts.version, rules: descriptors } },
        originalUriBaseIds: { "%SRCROOT%": { uri: `file://${encodeURI(opts.root.endsWith("/") ? opts.root : `${opts.root}/`)}` } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
