// The bundled examples and every `bkp` block of README.md, docs/ and grammar/ pass the tool's own
// checks: `bkp check` (no errors), `bkp fmt --check` (already in the canonical layout) and
// `bkp lint` (no errors). A rule's page in docs/rules/ shows a file the rule fires on (it must
// fire there, and nothing else be wrong) and the file written as the rule asks (it must not).
// A block fenced as ```bkp fragment (part of a file, shown for one line) or ```bkp error (a file
// shown for the error bkp reports on it) is not checked.
// grammar/reference.md shows one block of each kind, naming blocks defined elsewhere: those
// examples are checked for syntax and layout (nested blocks inside a vm), not for references.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { lint } from "../../src/lint/lint.js";
import { loadPolicySet, loadTexts, type PolicySet } from "../../src/model/load.js";
import { bkp, policySets, ROOT } from "../helpers.js";

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? markdownFiles(p) : e.endsWith(".md") ? [p] : [];
  });
}

interface Block {
  where: string;
  text: string;
  /** The heading or line before the block ("Fires on:"). */
  before: string;
}

/** The ```bkp blocks of a Markdown file (not ```bkp fragment). */
function bkpBlocks(file: string): Block[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```bkp") continue;
    const end = lines.indexOf("```", i + 1);
    out.push({ where: `${relative(ROOT, file)}:${i + 1}`, text: lines.slice(i + 1, end).join("\n") + "\n", before: lines[i - 1] ?? "" });
    i = end;
  }
  return out;
}

const errorsOf = (diags: { severity: string; code: string; message: string }[]) => diags.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);

function problems(set: PolicySet, texts: { path: string; text: string }[]): { check: string[]; fmt: string[]; lint: string[]; lintCodes: string[] } {
  const linted = lint(set);
  return {
    check: errorsOf(set.diagnostics),
    fmt: texts.filter((t) => format(parseFile(t.path, t.text)).text !== t.text).map((t) => `${t.path} is not formatted`),
    lint: errorsOf(linted),
    lintCodes: linted.map((d) => d.code),
  };
}

describe("examples pass the tool's own checks", () => {
  it.each(policySets().map((s) => [relative(ROOT, s[0]), s] as const))("policies: %s", (_name, files) => {
    const texts = files.map((f) => ({ path: f, text: readFileSync(f, "utf8") }));
    const p = problems(loadPolicySet(files), texts);
    expect(p.check).toEqual([]);
    expect(p.fmt).toEqual([]);
    expect(p.lint).toEqual([]);
  });

  const docs = [join(ROOT, "README.md"), ...markdownFiles(join(ROOT, "docs")), ...markdownFiles(join(ROOT, "grammar"))];
  const blocks = docs.flatMap(bkpBlocks);
  it("README and docs have bkp blocks to check", () => expect(blocks.length).toBeGreaterThan(50));

  it.each(blocks.map((b) => [b.where, b] as const))("%s", (where, b) => {
    const path = join(ROOT, "docs", "example.bkp");
    if (where.startsWith("grammar/reference.md") && !b.before.startsWith("A complete example")) {
      const nested = /^(disk|scripts|encryption ade)\b/.test(b.text);
      const text = nested ? `vm "x" {\n${b.text.trimEnd().replace(/^/gm, "  ")}\n}\n` : b.text;
      const parsed = parseFile(path, text);
      expect(parsed.diagnostics.filter((d) => d.code.startsWith("BKP1")), where).toEqual([]);
      expect(format(parsed).text, where).toBe(text);
      return;
    }
    const set = loadTexts([{ path, text: b.text }]);
    const p = problems(set, [{ path, text: b.text }]);
    expect(p.check, where).toEqual([]);
    expect(p.fmt, where).toEqual([]);
    const rule = /^docs\/rules\/(.+)\.md/.exec(where)?.[1];
    if (!rule) {
      expect(p.lint, where).toEqual([]);
      return;
    }
    const code = /\(BKP(\d{4})\)/.exec(readFileSync(join(ROOT, "docs", "rules", `${rule}.md`), "utf8"))?.[0].slice(1, -1);
    if (b.before.startsWith("Fires on")) expect(p.lintCodes, where).toContain(code);
    else expect(p.lintCodes, where).not.toContain(code);
  });

  it("the README's first example runs through bkp check as written", () => {
    const first = bkpBlocks(join(ROOT, "README.md"))[0];
    expect(bkp(["check", "-"], { input: first.text }).code).toBe(0);
  });
});
