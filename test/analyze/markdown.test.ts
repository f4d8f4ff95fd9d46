// Every Markdown table bkp prints (plan, cost, cost diff — made for PR comments) renders as a
// table on GitHub: checked with a GFM parser, not by eye.
import { describe, expect, it } from "vitest";
import { bkp, policySets } from "../helpers.js";
import { tableProblems } from "../markdown-tables.js";

const env = { BKP_TODAY: "2026-11-20" };

describe("Markdown output", () => {
  it("plan and cost of every example policy set: every table renders as written", () => {
    for (const set of policySets()) {
      for (const cmd of ["plan", "cost"]) {
        const r = bkp([cmd, "--format", "markdown", "--no-measured", ...set].filter((a) => cmd === "plan" || a !== "--no-measured"), { env });
        expect(r.stdout, `${cmd} ${set.join(" ")}: ${r.stderr}`).toContain("|");
        expect(tableProblems(r.stdout), `${cmd} ${set[0]}`).toEqual([]);
      }
    }
  });

  it("cost diff: the table renders as written", () => {
    const [a, b] = policySets();
    const r = bkp(["cost", "diff", "--format", "markdown", ...[a, b].map((s) => s[0])], { env });
    expect(r.stdout).toContain("| VM |");
    expect(tableProblems(r.stdout)).toEqual([]);
  });

  it("the checker itself catches a header/separator mismatch and a row with extra cells", () => {
    expect(tableProblems("| a | b |\n|---|---|---|\n| 1 | 2 |\n")).not.toEqual([]);
    expect(tableProblems("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n")).not.toEqual([]);
    expect(tableProblems("| a \\| b | c |\n|---|---|\n| 1 | 2 |\n")).toEqual([]);
  });
});
