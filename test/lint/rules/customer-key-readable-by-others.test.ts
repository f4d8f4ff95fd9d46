import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { customerKeyReadableByOthers as rule } from "../../../src/lint/rules/customer-key-readable-by-others.js";
import { describeRule, findings } from "../harness.js";

const set = (enc: string, ade = "") => `vault "vt" { path "x" encryption ${enc} }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "a" { os windows policy "pol" vault "vt" ${ade} disk "os" { role os size 8 GB used 1 GB } }\n`;

function keyIn(dir: string, name: string, mode: number): void {
  writeFileSync(join(dir, name), Buffer.alloc(32, 1));
  chmodSync(join(dir, name), mode);
}

describeRule(rule, () => {
  describe("key file modes", () => {
    it("0600 passes", () => {
      const dir = mkdtempSync(join(tmpdir(), "bkp-key-"));
      keyIn(dir, "v.key", 0o600);
      expect(findings(rule, set('customer-key "v.key"'), { dir })).toEqual([]);
    });
    it("0644 is readable by everyone", () => {
      const dir = mkdtempSync(join(tmpdir(), "bkp-key-"));
      keyIn(dir, "v.key", 0o644);
      expect(findings(rule, set('customer-key "v.key"'), { dir })[0].message).toContain("readable by every user (mode 644)");
    });
    it("ADE BEK and KEK files are checked too", () => {
      const dir = mkdtempSync(join(tmpdir(), "bkp-key-"));
      keyIn(dir, "a.bek", 0o640);
      keyIn(dir, "a.kek", 0o600);
      const f = findings(rule, set("platform-key", 'encryption ade { bek "a.bek" kek "a.kek" }'), { dir });
      expect(f.map((d) => d.message)).toEqual([expect.stringContaining('the BEK of vm "a"')]);
    });
  });
});
