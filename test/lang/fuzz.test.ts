// The language fuzzer: word-level mutants of the bundled policies (a word dropped, repeated,
// swapped or replaced by another word of the language) go through everything a user runs on a
// file — check, fmt, lint, plan, cost — and each must answer with diagnostics, never an
// exception, within a time budget per input. The budgets are generous bounds (a hang or a
// quadratic blow-up is seconds to minutes), not benchmarks; figures live in docs/benchmarks.md.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeCost, planAndAnalyze } from "../../src/analyze/index.js";
import { codeFrame } from "../../src/lang/code-frame.js";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { lint } from "../../src/lint/lint.js";
import { hasErrors } from "../../src/lang/diagnostics.js";
import { loadTexts } from "../../src/model/load.js";
import { bkpFiles, ROOT } from "../helpers.js";

const examples = bkpFiles(`${ROOT}/policies`).map((f) => readFileSync(f, "utf8"));
const words = (text: string) => text.split(/(\s+)/);
const VOCABULARY = [...new Set(examples.flatMap((t) => words(t).filter((w) => /^[a-z][a-z-]*$/.test(w))))];

const mutation = fc.record({
  example: fc.nat({ max: examples.length - 1 }),
  edits: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      op: fc.constantFrom("drop", "repeat", "swap", "replace"),
      word: fc.constantFrom(...VOCABULARY),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

function mutate(text: string, edits: { at: number; op: string; word: string }[]): string {
  const parts = words(text);
  for (const e of edits) {
    // Even indexes are words (odd ones the spaces between them).
    const i = 2 * Math.floor(e.at * Math.ceil(parts.length / 2));
    if (i >= parts.length) continue;
    if (e.op === "drop") parts[i] = "";
    else if (e.op === "repeat") parts[i] = `${parts[i]} ${parts[i]}`;
    else if (e.op === "swap" && i + 2 < parts.length) [parts[i], parts[i + 2]] = [parts[i + 2], parts[i]];
    else parts[i] = e.word;
  }
  return parts.join("");
}

/** Everything a user runs on one file, in process. */
function runAll(text: string): void {
  const set = loadTexts([{ path: "m.bkp", text }]);
  const lines = text.split("\n");
  for (const d of set.diagnostics) {
    expect(d.code).toMatch(/^BKP\d{4}$/);
    expect(d.range.start.offset).toBeLessThanOrEqual(text.length);
    codeFrame(d, lines);
  }
  lint(set, { now: undefined });
  const parsed = parseFile("m.bkp", text);
  const out = format(parsed);
  if (out.ok) expect(format(parseFile("m.bkp", out.text)).text).toBe(out.text);
  if (set.model && !hasErrors(set.diagnostics)) {
    planAndAnalyze(set.model, { from: "2026-11-20", days: 3 });
    computeCost(set.model, { from: "2026-11-20", months: 2 });
  }
}

/** Milliseconds one input may take: a generous bound, ~50x what it takes on a shared CI core. */
const BUDGET_MS = 3_000;

function timed(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

describe("language fuzzer", () => {
  it("word-level mutants of the bundled policies: check, lint, fmt, plan and cost answer, each input within its budget", () => {
    fc.assert(
      fc.property(mutation, ({ example, edits }) => {
        const text = mutate(examples[example], edits);
        expect(timed(() => runAll(text))).toBeLessThan(BUDGET_MS);
      }),
      { numRuns: 500, seed: 20261206 },
    );
  });

  it("`spread 5 disks per account` (no max) is a syntax error with a hint, not a crash", () => {
    const text = 'restore "drill" {\n  vms all\n  spread 5 disks per account\n}\n';
    const set = loadTexts([{ path: "m.bkp", text }]);
    const d = set.diagnostics.find((x) => x.code === "BKP1001");
    expect(d?.hint).toContain("'max'");
    expect(() => runAll(text)).not.toThrow();
  });

  it("fmt is linear in the number of blocks: 2,000 commented vm blocks format within the budget", () => {
    const blocks = Array.from({ length: 2000 }, (_, i) => `# vm ${i}\nvm "vm${i}" { os linux  policy "pol" # trailing\n vault "vt"\n  disk "os" { role os size 32 GB used 10 GB }\n}`);
    const text = `vault "vt" { path "/tmp/v" }\n\n${blocks.join("\n\n")}\n`;
    let out = "";
    expect(timed(() => (out = format(parseFile("m.bkp", text)).text))).toBeLessThan(BUDGET_MS);
    expect(out).toContain('# vm 1999\nvm "vm1999" {\n  os linux\n  policy "pol"  # trailing\n');
  });

  it("a 1 MiB unknown time zone is reported quickly, and the message does not echo it", () => {
    const zone = "Q".repeat(1024 * 1024);
    const text = `policy "pol" {\n  schedule daily at 02:00\n  timezone "${zone}"\n  retain daily 7 days\n}\n`;
    let set = loadTexts([]);
    expect(timed(() => (set = loadTexts([{ path: "m.bkp", text }])))).toBeLessThan(BUDGET_MS);
    const d = set.diagnostics.find((x) => x.code === "BKP2022")!;
    expect(d.message.length).toBeLessThan(120);
    const frame = codeFrame(d, text.split("\n"));
    expect(frame.length).toBeLessThan(600);
  });
});
