import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { customerKeyMissing as rule } from "../../../src/lint/rules/customer-key-missing.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("an existing key file passes", () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-key-"));
    writeFileSync(join(dir, "k.key"), Buffer.alloc(32, 7), { mode: 0o600 });
    expect(findings(rule, rule.examples.bad.replace("no-such.key", "k.key"), { dir })).toEqual([]);
  });
});
