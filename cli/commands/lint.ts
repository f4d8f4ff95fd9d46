import { existsSync, renameSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { version } from "../../package.json";
import { closest } from "../../src/lang/suggest.js";
import { ConfigError, findConfig, parseSeverity, readConfig } from "../../src/lint/config.js";
import { applyFixes } from "../../src/lint/fix.js";
import { lint, tally } from "../../src/lint/lint.js";
import { githubReport } from "../../src/lint/reporters/github.js";
import { jsonReport } from "../../src/lint/reporters/json.js";
import { sarifReport } from "../../src/lint/reporters/sarif.js";
import { textReport } from "../../src/lint/reporters/text.js";
import type { RuleSeverity } from "../../src/lint/rule.js";
import { RULES } from "../../src/lint/rules/index.js";
import { loadPolicySet } from "../../src/model/load.js";
import type { Model } from "../../src/model/model.js";
import { oneOf, parse, UsageError } from "../args.js";
import { expand, policyInputs } from "../inputs.js";
import type { Command } from "../command.js";
import { shown, styleFor } from "../io.js";
import { exitCodeFor } from "../report.js";

const FORMATS = ["text", "json", "sarif", "github"] as const;

/** The repository root (for repo-relative URIs in SARIF and annotations): where .git is, else cwd. */
function repoRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(resolve(dir, ".git"))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(cwd);
    dir = up;
  }
}

function explain(name: string): string {
  const r = RULES.find((x) => x.name === name || x.code === name);
  if (!r) {
    const guess = closest(name, RULES.map((x) => x.name));
    throw new UsageError(`no rule '${name}'${guess ? `; did you mean '${guess}'?` : ""} (bkp lint --list-rules lists them)`);
  }
  return `${r.name} (${r.code}, ${r.severity} by default${r.fixable ? ", fixable" : ""})

${r.summary}

What: ${r.docs.what}

Why: ${r.docs.why}

Instead: ${r.docs.instead}

Fires on:
${r.examples.bad.trimEnd().replace(/^/gm, "    ")}

Written as the rule asks:
${r.examples.good.trimEnd().replace(/^/gm, "    ")}
`;
}

function listRules(): string {
  const w = Math.max(...RULES.map((r) => r.name.length));
  return RULES.map((r) => `${r.code}  ${r.name.padEnd(w)}  ${r.severity.padEnd(7)}  ${r.fixable ? "fix" : "   "}  ${r.summary}`).join("\n") + "\n";
}

export const command: Command = {
  help: `Usage: bkp lint [options] FILE...

Best-practice and risk rules over a policy set (all files together), plus every error of
'bkp check'. Rules are drawn from Azure Backup's documented behaviour (docs/domain.md).

Options:
  --format text|json|sarif|github  output (default text; sarif: SARIF 2.1.0 for GitHub code
                                   scanning; github: workflow annotations)
  --max-warnings N                 exit 1 when there are more than N warnings
  --rule NAME=off|info|warning|error
                                   set a rule's severity (repeatable; overrides bkp.json)
  --config FILE                    the config file (default: bkp.json found upward from the
                                   first policy file)
  --fix                            apply the safe fixes, format the changed files, report
                                   what is left
  --list-rules                     list every rule with its code and default severity
  --explain RULE                   what a rule finds, why, and what to write instead
  --base OLD                       the previous version (a .bkp file or a directory): the
                                   rule irreversible-change reports changes from it that
                                   Azure cannot undo (docs/ci.md#irreversible-changes)
  -h, --help                       show this help

Suppress a finding with a comment on the line above or at the end of the line:
  # bkp-ignore: rule-a, rule-b -- reason
or for a whole file:  # bkp-ignore-file: rule -- reason
A suppression that suppresses nothing is reported. Checker errors cannot be suppressed.

Config file bkp.json:  { "rules": { "high-churn": "error", "dst-not-adjusted": "off" }, "maxWarnings": 0 }

Exit codes: 0 no errors and warnings within --max-warnings, 1 otherwise, 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      format: { type: "string" },
      "max-warnings": { type: "string" },
      rule: { type: "string", multiple: true },
      config: { type: "string" },
      fix: { type: "boolean" },
      "list-rules": { type: "boolean" },
      explain: { type: "string" },
      base: { type: "string" },
    });
    if (values["list-rules"]) {
      io.stdout(listRules());
      return 0;
    }
    if (values.explain) {
      io.stdout(explain(values.explain));
      return 0;
    }
    const format = oneOf(values.format, FORMATS, "--format", "text");
    const { files, stdin } = await policyInputs(positionals, "lint", io);
    if (values.fix && stdin !== undefined) throw new UsageError("--fix rewrites files; it cannot fix standard input");
    const known = new Set(RULES.map((r) => r.name));

    const configPath = values.config ?? findConfig(dirname(resolve(io.cwd, files[0])));
    let severities: Record<string, RuleSeverity> = {};
    let maxWarnings: number | undefined;
    if (configPath) {
      if (!existsSync(configPath)) throw new UsageError(`config file ${configPath} does not exist`);
      try {
        const cfg = readConfig(configPath, known);
        severities = cfg.rules;
        maxWarnings = cfg.maxWarnings;
      } catch (e) {
        if (e instanceof ConfigError) {
          io.stderr(`bkp lint: ${e.message}\n`);
          return 2;
        }
        throw e;
      }
    }
    for (const spec of values.rule ?? []) {
      const [name, sev] = spec.split("=");
      if (!known.has(name)) {
        const guess = closest(name, known);
        throw new UsageError(`--rule: no rule '${name}'${guess ? `; did you mean '${guess}'?` : ""}`);
      }
      const s = parseSeverity(sev ?? "");
      if (!s) throw new UsageError(`--rule ${name}= needs off, info, warning or error, not '${sev ?? ""}'`);
      severities[name] = s;
    }
    if (values["max-warnings"] !== undefined) {
      if (!/^\d+$/.test(values["max-warnings"])) throw new UsageError(`--max-warnings takes a whole number, not '${values["max-warnings"]}'`);
      maxWarnings = Number(values["max-warnings"]);
    }

    let base: Model | undefined;
    if (values.base !== undefined) {
      const old = loadPolicySet(expand(values.base));
      if (!old.model || old.diagnostics.some((d) => d.severity === "error")) {
        io.stderr(`bkp lint: --base ${values.base} does not check (${old.diagnostics.filter((d) => d.severity === "error").length} errors; run bkp check ${values.base}): it cannot be compared with\n`);
        return 2;
      }
      base = old.model;
    }
    let set = loadPolicySet(files, stdin);
    let diags = lint(set, { severities, base });
    if (values.fix && set.model) {
      const texts = new Map([...set.files].map(([f, p]) => [f, p.text]));
      const { texts: fixed, applied } = applyFixes(texts, diags);
      for (const [file, text] of fixed) {
        const tmp = `${file}.bkp-fix-${process.pid}`;
        writeFileSync(tmp, text);
        renameSync(tmp, file);
      }
      if (applied && !io.quiet) io.stderr(`bkp lint: applied ${applied} fix${applied === 1 ? "" : "es"} in ${fixed.size} file${fixed.size === 1 ? "" : "s"}\n`);
      set = loadPolicySet(files);
      diags = lint(set, { severities, base });
    }

    const root = repoRoot(io.cwd);
    const rel = (f: string) => relative(root, resolve(io.cwd, f)).split("\\").join("/");
    if (format === "json") io.stdout(jsonReport(diags));
    else if (format === "sarif") io.stdout(sarifReport(diags, RULES, { version, root, relative: rel }));
    else if (format === "github") io.stdout(githubReport(diags, rel));
    else if (!io.quiet || shown(io, diags).length) io.stdout(textReport(shown(io, diags), set.files, files.length, styleFor(io)));

    const io_ = exitCodeFor(diags);
    if (io_ === 2) return 2;
    const t = tally(diags);
    if (t.errors) return 1;
    if (maxWarnings !== undefined && t.warnings > maxWarnings) {
      if (format === "text") io.stdout(`too many warnings: ${t.warnings} > --max-warnings ${maxWarnings}\n`);
      return 1;
    }
    return 0;
  },
};
