import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/lang/diagnostics.js";
import { parseFile } from "../../src/lang/index.js";
import { annotateOrigins, originOf } from "../../src/lang/origin-comments.js";
import { loadTexts } from "../../src/model/load.js";

describe("origin comments", () => {
  it("recognises `# azure: <path>` and nothing else", () => {
    expect(originOf("# azure: properties.timeZone")).toBe("properties.timeZone");
    expect(originOf("#azure:value[1].name  ")).toBe("value[1].name");
    expect(originOf("# azure")).toBeUndefined();
    expect(originOf("# see azure: docs")).toBeUndefined();
  });

  it("appends the JSON path to a diagnostic on a line that has one, once", () => {
    const text = 'policy "pol" {\n  schedule daily at 02:00\n  retain daily 3 days  # azure: properties.retentionPolicy.dailySchedule.retentionDuration.count\n}\n';
    const parsed = parseFile("p.bkp", text);
    const d: Diagnostic = { code: "BKP2010", severity: "error", file: "p.bkp", range: { start: { line: 3, column: 16, offset: 0 }, end: { line: 3, column: 22, offset: 0 } }, message: "m" };
    const other: Diagnostic = { ...d, range: { ...d.range, start: { ...d.range.start, line: 2 } } };
    const once = annotateOrigins([d, other], () => parsed.ast.comments);
    expect(once[0].message).toBe("m (from Azure JSON at properties.retentionPolicy.dailySchedule.retentionDuration.count)");
    expect(once[1].message).toBe("m");
    expect(annotateOrigins(once, () => parsed.ast.comments)[0].message).toBe(once[0].message);
    expect(d.message).toBe("m");
  });

  it("is applied by loadTexts, so bkp check quotes the origin", () => {
    const text = 'policy "pol" {\n  schedule daily at 02:00\n  retain daily 3 days  # azure: properties.retentionPolicy.dailySchedule.retentionDuration.count\n}\n';
    const d = loadTexts([{ path: "p.bkp", text }]).diagnostics.find((x) => x.code === "BKP2010");
    expect(d?.message).toMatch(/\(from Azure JSON at properties\.retentionPolicy\.dailySchedule\.retentionDuration\.count\)$/);
  });

  it("changes nothing in files without origin comments", () => {
    const text = 'policy "pol" {\n  schedule daily at 02:00\n  retain daily 3 days  # three is too few\n}\n';
    const d = loadTexts([{ path: "p.bkp", text }]).diagnostics.find((x) => x.code === "BKP2010");
    expect(d?.message).not.toContain("Azure JSON");
  });
});
