import { expect, it } from "vitest";
import { applyFixes } from "../../../src/lint/fix.js";
import { scheduleNotOnHalfHour as rule } from "../../../src/lint/rules/schedule-not-on-half-hour.js";
import { describeRule, findings, lintText } from "../harness.js";

describeRule(rule, () => {
  it("replaces the checker's BKP2014 warning while it is on", () => {
    const { diags } = lintText(rule.examples.bad);
    expect(diags.map((d) => d.code)).toContain("BKP4030");
    expect(diags.map((d) => d.code)).not.toContain("BKP2014");
    const off = lintText(rule.examples.bad, { severities: { [rule.name]: "off" } }).diags;
    expect(off.map((d) => d.code)).toContain("BKP2014");
  });

  it("checks the start of an hourly window too", () => {
    const text = 'vault "vt" { path "x" }\npolicy "hourly" { schedule every 4 hours from 08:45 for 16 hours retain daily 7 days }\n';
    expect(findings(rule, text).map((d) => d.hint)).toEqual(["write 08:30"]);
  });

  it("fixes 02:15 to 02:00, and the result is clean", () => {
    const f = findings(rule, rule.examples.bad);
    const { texts } = applyFixes(new Map([[f[0].file, rule.examples.bad]]), f);
    const fixed = texts.get(f[0].file)!;
    expect(fixed).toContain("schedule daily at 02:00");
    expect(findings(rule, fixed)).toEqual([]);
  });
});
