import { describe, expect, it } from "vitest";
import { loadTexts } from "../../src/model/load.js";
import { BASE, CASES } from "./invalid-inputs.cases.js";

describe("the base policy of the invalid-input cases", () => {
  it("is valid, so each case shows the effect of its one change", () => {
    expect(loadTexts([{ path: "base.bkp", text: BASE }]).diagnostics).toEqual([]);
  });
});

describe("invalid inputs get a located diagnostic with a stable code", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const text = typeof c.edit === "string" ? c.edit : BASE.replace(c.edit[0], c.edit[1]);
    if (typeof c.edit !== "string") expect(text, "the edit must apply").not.toBe(BASE);
    const { diagnostics } = loadTexts([{ path: "case.bkp", text }]);
    const found = diagnostics.find((d) => d.code === c.code);
    expect(found, `expected ${c.code}; got ${diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.column} ${d.message}`).join("; ")}`).toBeDefined();
    expect([found!.range.start.line, found!.range.start.column]).toEqual([c.line, c.column]);
    expect(found!.file).toBe("case.bkp");
    expect(found!.hint, "every diagnostic says what to write instead").toBeTruthy();
    if (c.message) expect(found!.message).toContain(c.message);
    if (c.hint) expect(found!.hint).toBe(c.hint);
  });

  it("has at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });
});
