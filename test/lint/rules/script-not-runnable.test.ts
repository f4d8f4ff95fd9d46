import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scriptNotRunnable as rule } from "../../../src/lint/rules/script-not-runnable.js";
import { describeRule, findings } from "../harness.js";

const policy = (pre: string) => `vault "vt" { path "x" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nvm "db" { os linux policy "pol" vault "vt" scripts { pre "${pre}" } disk "os" { role os size 8 GB used 1 GB } }\n`;

function withScript(mode: number) {
  const dir = mkdtempSync(join(tmpdir(), "bkp-script-"));
  writeFileSync(join(dir, "freeze.sh"), "#!/bin/sh\nexit 0\n");
  chmodSync(join(dir, "freeze.sh"), mode);
  return findings(rule, policy("freeze.sh"), { dir });
}

describeRule(rule, () => {
  describe("the framework's rules for scripts (DOMAIN §2)", () => {
    it("mode 700, owned by the runner: runs", () => expect(withScript(0o700)).toEqual([]));
    it("writable by everyone: does not run", () => expect(withScript(0o777)[0].message).toContain("is writable by everyone (mode 777)"));
    it("writable by its group: does not run", () => expect(withScript(0o770)[0].message).toContain("writable by its group"));
    it("not executable: does not run", () => expect(withScript(0o600)[0].message).toContain("is not executable (mode 600)"));
    it("missing: does not run", () => expect(findings(rule, policy("gone.sh"))[0].message).toContain("does not exist"));
  });
});
