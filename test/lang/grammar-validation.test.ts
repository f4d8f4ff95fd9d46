// The parser skips Chevrotain's grammar validations at run time (they cost start-up time);
// this runs them, so an ambiguous or left-recursive rule fails the suite instead of
// misparsing quietly.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers.js";

describe("grammar validation", () => {
  it("the grammar passes Chevrotain's validations, and the lazily built lookahead parses the seed", async () => {
    process.env.BKP_VALIDATE_GRAMMAR = "1";
    const { getParser } = await import("../../src/lang/parser.js");
    expect(() => getParser()).not.toThrow();
    const { parseText } = await import("../../src/lang/parse.js");
    const r = parseText("seed-a2-standard.bkp", readFileSync(join(ROOT, "policies/seed-a2-standard.bkp"), "utf8"));
    expect(r.diagnostics).toEqual([]);
  });
});

describe("the parser's cached alternatives", () => {
  it("give every OR its own slot (a shared slot would parse one rule with another's alternatives)", () => {
    const src = readFileSync(join(ROOT, "src/lang/parser.ts"), "utf8");
    const slots = [...src.matchAll(/this\.alts\[(\d+)\] \?\?=/g)].map((m) => Number(m[1]));
    const ors = [...src.matchAll(/this\.OR\d?\(/g)].length;
    expect(slots.length).toBe(ors);
    expect(new Set(slots).size).toBe(slots.length);
  });
});
