// Random mutations of the example policies: whatever a user types, check and fmt answer with
// located diagnostics, never an exception.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { format } from "../../src/lang/format.js";
import { parseFile } from "../../src/lang/index.js";
import { loadTexts } from "../../src/model/load.js";
import { bkpFiles, ROOT } from "../helpers.js";

const examples = bkpFiles(`${ROOT}/policies`).map((f) => readFileSync(f, "utf8"));
const FRAGMENTS = ["{", "}", '"', "#", ",", "%", "GB", "daily", "at", "25:99", "2026-13-01", "-1", "0", "vm", "disk", "\n", " ", "\u0000", "é", "🙂", "retain", "every", "weeks"];

const mutation = fc.record({
  example: fc.nat({ max: examples.length - 1 }),
  edits: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      len: fc.nat({ max: 12 }),
      insert: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })),
    }),
    { minLength: 1, maxLength: 4 },
  ),
});

function apply(text: string, edits: { at: number; len: number; insert: string }[]): string {
  let t = text;
  for (const e of edits) {
    const i = Math.floor(e.at * t.length);
    t = t.slice(0, i) + e.insert + t.slice(i + e.len);
  }
  return t;
}

describe("2,000 random mutations of the example policies", () => {
  it("check and fmt never throw; every diagnostic is located inside the file", () => {
    fc.assert(
      fc.property(mutation, ({ example, edits }) => {
        const text = apply(examples[example], edits);
        const set = loadTexts([{ path: "m.bkp", text }]);
        const lines = text.split("\n").length;
        for (const d of set.diagnostics) {
          expect(d.code).toMatch(/^BKP\d{4}$/);
          expect(d.file).toBe("m.bkp");
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.range.start.line).toBeGreaterThanOrEqual(1);
          expect(d.range.start.line).toBeLessThanOrEqual(lines);
          expect(d.range.start.column).toBeGreaterThanOrEqual(1);
          expect(d.range.start.offset).toBeLessThanOrEqual(text.length);
          expect(d.range.end.offset).toBeGreaterThanOrEqual(d.range.start.offset);
        }
        const parsed = parseFile("m.bkp", text);
        const out = format(parsed);
        if (out.ok) {
          // Whatever parses formats idempotently.
          expect(format(parseFile("m.bkp", out.text)).text).toBe(out.text);
        }
      }),
      { numRuns: 2000, seed: 20261126 },
    );
  });
});
