import { it, expect } from "vitest";
import { archiveNeverReached } from "../../../src/lint/rules/archive-never-reached.js";
import { describeRule, findings } from "../harness.js";

const set = (archive: string, retain: string) => `policy "long-term" {
  schedule daily at 02:30
  retain daily 30 days
  ${retain}
  ${archive}
}
vm "a" { os linux policy "long-term" vault "prod" disk "os" { role os size 64 GB used 20 GB } }
vault "prod" { path "vault" }
`;

describeRule(archiveNeverReached, () => {
  it("fires at the boundary only: 8 months kept with archive after 3 months fires, 9 does not", () => {
    const eight = findings(archiveNeverReached, set("archive after 3 months", "retain monthly 8 months on first Sun"));
    expect(eight.map((d) => [d.range.start.line, d.message])).toEqual([[5, 'no point of policy "long-term" ever moves to archive: its monthly and yearly points are kept 8 months, but a point moves only after 3 months and with 6 months of retention left']]);
    expect(findings(archiveNeverReached, set("archive after 3 months", "retain monthly 9 months on first Sun"))).toEqual([]);
  });

  it("counts yearly points in months, and applies to archive recommended", () => {
    expect(findings(archiveNeverReached, set("archive recommended", "retain yearly 1 years in Jan on first Sun"))).toEqual([]);
    const late = findings(archiveNeverReached, set("archive after 12 months", "retain yearly 1 years in Jan on first Sun"));
    expect(late[0].hint).toBe("keep monthly or yearly points at least 18 months, or remove the archive line");
  });

  it("says nothing of archive never", () => {
    expect(findings(archiveNeverReached, set("archive never", "retain monthly 2 months on first Sun"))).toEqual([]);
  });
});
