import { expect, it } from "vitest";
import { premiumFreeSpace as rule } from "../../../src/lint/rules/premium-free-space.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("does not apply once the first backup is done (DOMAIN §5: needed only for the first backup)", () => {
    expect(findings(rule, rule.examples.bad.replace("os linux", "os linux\n  protected-since 2025-01-01"))).toEqual([]);
  });
});
