import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { imageMissing as rule } from "../../../src/lint/rules/image-missing.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("an image that exists passes (relative to the policy file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bkp-img-"));
    writeFileSync(join(dir, "disk.img"), Buffer.alloc(4096));
    expect(findings(rule, rule.examples.bad.replace("no-such.img", "disk.img"), { dir })).toEqual([]);
  });
});
