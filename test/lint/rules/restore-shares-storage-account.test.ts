import { expect, it } from "vitest";
import { restoreSharesStorageAccount as rule } from "../../../src/lint/rules/restore-shares-storage-account.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("with spread max N disks per account, counts disks", () => {
    const bad = rule.examples.bad.replace("  vms all\n", "  vms all\n  spread max 1 disks per account\n");
    expect(findings(rule, bad)[0].message).toContain("restores 3 disks into 2 storage accounts of at most 1 disks each");
    const good = rule.examples.bad.replace("  vms all\n", "  vms all\n  spread max 2 disks per account\n");
    expect(findings(rule, good)).toEqual([]);
  });
});
