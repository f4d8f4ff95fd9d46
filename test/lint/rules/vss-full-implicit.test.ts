import { describe, expect, it } from "vitest";
import { applyFixes } from "../../../src/lint/fix.js";
import { vssFullImplicit as rule } from "../../../src/lint/rules/vss-full-implicit.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  describe("only where VSS full is implicit", () => {
    it("a VM that says vss itself is not counted", () => {
      expect(findings(rule, rule.examples.bad.replace("  os windows", "  os windows\n  vss copy"))).toEqual([]);
    });
    it("a policy of Linux VMs has no VSS", () => {
      expect(findings(rule, rule.examples.bad.replace("os windows", "os linux"))).toEqual([]);
    });
  });

  it("the fix writes vss full into the policy, formatted, and the rule is then quiet", () => {
    const f = findings(rule, rule.examples.bad);
    const fixed = applyFixes(new Map([[f[0].file, rule.examples.bad]]), f).texts.get(f[0].file)!;
    expect(fixed).toContain('policy "daily" {\n  schedule daily at 02:30\n  vss full\n  retain daily 30 days\n}');
    expect(findings(rule, fixed)).toEqual([]);
  });
});
