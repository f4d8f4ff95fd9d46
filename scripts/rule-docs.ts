// Generates docs/rules/: one page per lint rule from its code (what, why, instead, examples),
// and an index. `npx tsx scripts/rule-docs.ts` writes them; `--check` exits 1 when stale.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "../src/lang/format.js";
import { parseFile } from "../src/lang/index.js";
import { INVALID_SUPPRESSION, UNUSED_SUPPRESSION } from "../src/lint/lint.js";
import { RULES } from "../src/lint/rules/index.js";

/** An example as `bkp fmt` writes it (the docs' examples pass `bkp fmt --check`). */
const formatted = (text: string) => format(parseFile("example.bkp", text)).text;

export function ruleDocs(): { path: string; content: string }[] {
  const pages = RULES.map((r) => ({
    path: join("docs", "rules", `${r.name}.md`),
    content: `# ${r.name} (${r.code})

${r.summary}.

Default severity: **${r.severity}**${r.fixable ? " · fixable with `bkp lint --fix`" : ""}

## What it finds
${r.docs.what}

## Why
${r.docs.why}

## What to write instead
${r.docs.instead}

## Example
${r.exampleFiles ? `With ${Object.entries(r.exampleFiles).map(([n, b]) => `\`${n}\` a ${b.toLocaleString("en-US")}-byte sparse image (no data allocated)`).join(", ")} beside the file, it fires on:` : "Fires on:"}
\`\`\`bkp
${formatted(r.examples.bad).trimEnd()}
\`\`\`

Written as the rule asks:
\`\`\`bkp
${formatted(r.examples.good).trimEnd()}
\`\`\`

## Configure
\`bkp lint --rule ${r.name}=off|info|warning|error\`, or in \`bkp.json\`: \`{ "rules": { "${r.name}": "error" } }\`.
Suppress one finding with \`# bkp-ignore: ${r.name} -- reason\` on the line above or at the end of the line.
`,
  }));
  const index = `# Lint rules

\`bkp lint\` runs every rule below over a policy set, after the checks of \`bkp check\` (whose
errors cannot be suppressed). \`bkp lint --list-rules\` prints this table; \`bkp lint --explain
NAME\` prints a page.

| code | rule | default | fix | finds |
|---|---|---|---|---|
${RULES.map((r) => `| ${r.code} | [${r.name}](${r.name}.md) | ${r.severity} | ${r.fixable ? "yes" : ""} | ${r.summary} |`).join("\n")}
| ${UNUSED_SUPPRESSION.code} | ${UNUSED_SUPPRESSION.name} | ${UNUSED_SUPPRESSION.severity} | yes | a \`bkp-ignore\` comment that suppresses nothing |
| ${INVALID_SUPPRESSION.code} | ${INVALID_SUPPRESSION.name} | ${INVALID_SUPPRESSION.severity} |  | a \`bkp-ignore\` naming an unknown rule or a checker error |

Rules are generated from \`src/lint/rules/*.ts\` by \`npx tsx scripts/rule-docs.ts\`.
`;
  return [...pages, { path: join("docs", "rules", "README.md"), content: index }];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  let stale = 0;
  mkdirSync(join("docs", "rules"), { recursive: true });
  for (const f of ruleDocs()) {
    let old = "";
    try {
      old = readFileSync(f.path, "utf8");
    } catch {}
    if (old === f.content) continue;
    stale++;
    if (check) console.error(`stale: ${f.path}`);
    else writeFileSync(f.path, f.content);
  }
  if (check && stale) process.exit(1);
  console.log(check ? "docs/rules up to date" : `wrote ${stale} file(s)`);
}
