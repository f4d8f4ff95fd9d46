import { describe, expect, it } from "vitest";
import { tooManyDisksPerStorageAccount as rule } from "../../../src/lint/rules/too-many-disks-per-storage-account.js";
import { describeRule, findings } from "../harness.js";

const set = (disks: number) => {
  let t = 'vault "vt" { path "x" }\npolicy "pol" { schedule daily at 02:00 retain daily 7 days }\nstorage-account "sa" { kind premium }\nvm "a" {\n  os linux\n  policy "pol"\n  vault "vt"\n  disk "os" { role os size 8 GB used 1 GB }\n';
  for (let i = 0; i < disks; i++) t += `  disk "d${i}" { role data size 8 GB used 1 GB storage-account "sa" }\n`;
  return `${t}  disk "t" { role temp size 8 GB used 1 GB storage-account "sa" }\n}\n`;
};

describeRule(rule, () => {
  describe("thresholds (DOMAIN §5: 5 to 10 disks)", () => {
    it("5 disks pass; temp disks do not count", () => expect(findings(rule, set(5))).toEqual([]));
    it("6 disks warn", () => expect(findings(rule, set(6)).map((d) => d.severity)).toEqual(["warning"]));
    it("11 disks are an error", () => expect(findings(rule, set(11)).map((d) => d.severity)).toEqual(["error"]));
    it("a configured severity wins over the per-finding one", () => {
      expect(findings(rule, set(11), { severities: { [rule.name]: "warning" } }).map((d) => d.severity)).toEqual(["warning"]);
    });
  });
});
