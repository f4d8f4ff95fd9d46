import { readFileSync } from "node:fs";
import Ajv from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { sarifReport } from "../../src/lint/reporters/sarif.js";
import { RULES } from "../../src/lint/rules/index.js";
import { lintText } from "./harness.js";

// The SARIF 2.1.0 schema (OASIS; the copy Microsoft ships in @microsoft/jest-sarif).
const schema = JSON.parse(readFileSync(new URL("./fixtures/sarif-schema-2.1.0.json", import.meta.url), "utf8"));
const validate = new Ajv({ strict: false, unicodeRegExp: false, validateFormats: false, logger: false }).compile(schema);

describe("SARIF output", () => {
  const { diags } = lintText(`vault "vt" { path "x" redundancy XRS }\npolicy "pol" { schedule daily at 02:15 timezone "Europe/London" retain daily 7 days }\nvm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB churn 300 GB per day } }\n`);
  const log = JSON.parse(sarifReport(diags, RULES, { version: "0.1.0", root: "/repo", relative: () => "policies/x.bkp" }));

  it("validates against the SARIF 2.1.0 schema", () => {
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("describes every rule in tool.driver.rules, with short/full description and help", () => {
    const ids = log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id);
    for (const r of RULES) expect(ids).toContain(r.code);
    for (const d of log.runs[0].tool.driver.rules) {
      expect(d.shortDescription.text).toBeTruthy();
      expect(d.fullDescription.text).toBeTruthy();
      expect(d.help.text).toBeTruthy();
      const rule = RULES.find((r) => r.code === d.id);
      if (!rule) continue;
      expect(d.shortDescription.text).toBe(rule.summary);
      expect(d.fullDescription.text).toContain(rule.docs.why);
      expect(d.help.text).toContain(rule.docs.instead);
    }
  });

  it("gives each result a ruleId that is in the driver, a level, a message and a region with a repo-relative URI", () => {
    expect(log.runs[0].results.length).toBe(diags.length);
    const ids = new Set(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id));
    for (const r of log.runs[0].results) {
      expect(ids.has(r.ruleId)).toBe(true);
      expect(log.runs[0].tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      expect(["error", "warning", "note"]).toContain(r.level);
      expect(r.locations[0].physicalLocation.artifactLocation).toEqual({ uri: "policies/x.bkp", uriBaseId: "%SRCROOT%" });
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
    }
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(expect.arrayContaining(["BKP1001", "BKP4030", "BKP4031", "BKP4011"]));
  });
});
