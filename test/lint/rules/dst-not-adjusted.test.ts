import { expect, it } from "vitest";
import { dstNotAdjusted as rule } from "../../../src/lint/rules/dst-not-adjusted.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it.each([
    ["Pacific Standard Time", 1],
    ["America/New_York", 1],
    ["Tokyo Standard Time", 0],
    ["India Standard Time", 0],
  ])("%s: %i finding", (zone, n) => {
    expect(findings(rule, rule.examples.bad.replace("Europe/London", zone as string))).toHaveLength(n as number);
  });
});
