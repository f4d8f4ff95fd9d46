import { expect, it } from "vitest";
import { newDiskInitialReplication as rule } from "../../../src/lint/rules/new-disk-initial-replication.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it.each([
    ["2026-11-20", 1],
    ["2026-10-01", 0],
  ])("added %s (now is 2026-11-26): %i finding", (date, n) => {
    expect(findings(rule, rule.examples.bad.replace("2999-01-01", date as string))).toHaveLength(n as number);
  });
});
