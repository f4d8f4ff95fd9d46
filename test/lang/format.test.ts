import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { bkpFiles, meaning, ROOT } from "../helpers.js";
import { BASE } from "./invalid-inputs.cases.js";

const fmt = (text: string, file = "f.bkp") => {
  const r = format(parseFile(file, text));
  expect(r.ok).toBe(true);
  return r.text;
};

const corpus: [string, string][] = [
  ...[...bkpFiles(`${ROOT}/policies`), ...bkpFiles(`${ROOT}/test`)].map((f) => [relative(ROOT, f), readFileSync(f, "utf8")] as [string, string]),
  ["invalid-inputs base", BASE],
];

describe("fmt over every policy and fixture", () => {
  it("has a corpus", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
  });

  it.each(corpus)("%s: idempotent, same meaning, same comments", (name, text) => {
    const parsed = parseFile(name, text);
    if (parsed.diagnostics.some((d) => d.code.startsWith("BKP1"))) return; // fixtures of syntax errors
    const once = fmt(text, name);
    const twice = fmt(once, name);
    expect(twice).toBe(once);
    const after = parseFile(name, once);
    expect(after.diagnostics.filter((d) => d.code.startsWith("BKP1"))).toEqual([]);
    expect(meaning(after.ast)).toBe(meaning(parsed.ast));
    expect(after.ast.comments.map((c) => c.text)).toEqual(parsed.ast.comments.map((c) => c.text));
  });
});

describe("the canonical layout", () => {
  it("puts one attribute per line, two-space indent, one blank line between blocks", () => {
    const out = fmt('vault "vt" { path "p"   redundancy LRS }\n\n\n\npolicy "pol" {schedule daily at 01:00\nretain daily 7 days}');
    expect(out).toBe('vault "vt" {\n  path "p"\n  redundancy LRS\n}\n\npolicy "pol" {\n  schedule daily at 01:00\n  retain daily 7 days\n}\n');
  });

  it("keeps a short disk on one line and breaks a long one", () => {
    const short = fmt('vm "x" {\n  disk "os" {\n role os\n size 64 GB\n used 2 GB\n }\n}');
    expect(short).toContain('  disk "os" { role os size 64 GB used 2 GB }\n');
    const long = fmt('vm "x" { disk "data" { role data size 1 TB used 600 GB churn 250 GB per day pattern scattered storage-account "sa-data-1" tier premium free 40% } }');
    expect(long).toContain('  disk "data" {\n    role data\n    size 1 TB\n');
  });

  it("writes commas and percent tight, everything else one space apart", () => {
    const out = fmt('policy "pol" { schedule weekly on Mon ,Wed,   Thu at 10:00 retain weekly 1 weeks on Mon , Wed }\nvm "v" { disk "d" { churn 2 % per day } }');
    expect(out).toContain("schedule weekly on Mon, Wed, Thu at 10:00");
    expect(out).toContain("churn 2% per day");
  });

  it("keeps comments where they were: leading, trailing (aligned), after a brace, dangling, at the end", () => {
    const src = [
      "# header",
      "",
      "# about the vault",
      'vault "vt" { # the vault',
      '  path "p" # where',
      "  redundancy GRS # how",
      "  # nothing after this",
      "}",
      "# the end",
      "",
    ].join("\n");
    expect(fmt(src)).toBe(
      [
        "# header",
        "",
        "# about the vault",
        'vault "vt" {  # the vault',
        '  path "p"        # where',
        "  redundancy GRS  # how",
        "  # nothing after this",
        "}",
        "",
        "# the end",
        "",
      ].join("\n"),
    );
  });

  it("keeps one blank line between groups of attributes, never more", () => {
    const out = fmt('policy "pol" {\n  schedule daily at 01:00\n\n\n\n  retain daily 7 days\n}\n');
    expect(out).toBe('policy "pol" {\n  schedule daily at 01:00\n\n  retain daily 7 days\n}\n');
  });

  it("does not touch a file with syntax errors", () => {
    const text = 'vault "vt" { path }';
    const r = format(parseFile("bad.bkp", text));
    expect(r).toEqual({ ok: false, text });
  });
});
