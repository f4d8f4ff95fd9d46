import { expect, it } from "vitest";
import { synchronizedSchedules as rule } from "../../../src/lint/rules/synchronized-schedules.js";
import { describeRule, findings } from "../harness.js";

describeRule(rule, () => {
  it("compares start times in UTC: 02:00 in Tokyo is 17:00 UTC", () => {
    let text = 'vault "vt" { path "x" }\npolicy "tokyo" { schedule daily at 02:00 timezone "Asia/Tokyo" retain daily 7 days }\npolicy "utc" { schedule daily at 17:00 timezone "UTC" retain daily 7 days }\n';
    for (let i = 0; i < 11; i++) text += `vm "vm-${i}" { os linux policy "${i % 2 ? "tokyo" : "utc"}" vault "vt" disk "os" { role os size 8 GB used 1 GB } }\n`;
    const f = findings(rule, text);
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain("11 VMs of vault \"vt\" start backing up at 17:00 UTC");
  });
});
