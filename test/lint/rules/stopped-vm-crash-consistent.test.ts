import { expect, it } from "vitest";
import { stoppedVmCrashConsistent as rule } from "../../../src/lint/rules/stopped-vm-crash-consistent.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("a failed provisioning state is crash consistent too", () => {
    expect(findings(rule, rule.examples.good.replace("state running", "provisioning failed"))[0].message).toContain("is in provisioning state failed");
  });
  it("a policy that asks for crash consistency gets what it asks", () => {
    expect(findings(rule, rule.examples.bad.replace("retain daily 30 days", "consistency crash\n  retain daily 30 days"))).toEqual([]);
  });
});
