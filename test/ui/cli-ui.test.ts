// `bkp ui` from the command line, without a terminal (the session itself is tested in tmux:
// ui-tmux.test.ts).
import { describe, expect, it } from "vitest";
import { bkp } from "../helpers.js";

describe("bkp ui without a terminal", () => {
  it("does not start: says to use bkp plan / bkp cost and exits 2", () => {
    const r = bkp(["ui", "policies/seed-a2-standard.bkp"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("bkp ui: needs a terminal");
    expect(r.stderr).toContain("bkp plan");
    expect(r.stderr).toContain("bkp cost");
  });

  it("--help documents it; a bad flag is a usage error", () => {
    expect(bkp(["ui", "--help"]).stdout).toMatch(/^Usage: bkp ui \[--from DATE\] \[--days N\] \[--months N\] FILE\.\.\./);
    expect(bkp(["ui", "--days", "0", "policies/seed-a2-standard.bkp"]).code).toBe(2);
    expect(bkp(["ui"]).stderr).toContain("bkp ui: needs at least one policy file");
    expect(bkp(["--help"]).stdout).toMatch(/\n {2}ui +interactive planning session/);
  });
});
