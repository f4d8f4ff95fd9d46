import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, findConfig, readConfig } from "../../src/lint/config.js";
import { applyFixes } from "../../src/lint/fix.js";
import { RULES } from "../../src/lint/rules/index.js";
import { lintText } from "./harness.js";

const base = (extra = "", churn = "250 GB") => `vault "vt" { path "x" }
policy "pol" { schedule daily at 02:30 retain daily 7 days }
vm "db" {
  os linux
  consistency-free-line-placeholder
  policy "pol"
  vault "vt"
  disk "os" { role os size 64 GB used 20 GB }
${extra}  disk "data" { role data size 4 TB used 1900 GB churn ${churn} per day }
}
`.replace("  consistency-free-line-placeholder\n", "");

const rulesOf = (text: string, opts = {}) => lintText(text, { severities: { "linux-application-without-scripts": "off" }, ...opts }).diags.map((d) => d.rule ?? d.code);

describe("the rule catalogue", () => {
  it("has at least 20 rules with unique names and codes", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(RULES.map((r) => r.name)).size).toBe(RULES.length);
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  });
});

describe("suppressions", () => {
  it("on the line above", () => {
    expect(rulesOf(base("  # bkp-ignore: high-churn -- the ETL disk, accepted\n"))).toEqual([]);
  });

  it("at the end of the line", () => {
    const t = base().replace("churn 250 GB per day }", "churn 250 GB per day }  # bkp-ignore: high-churn");
    expect(rulesOf(t)).toEqual([]);
  });

  it("by code as well as by name, and several rules in one comment", () => {
    const t = base("  # bkp-ignore: BKP4011, fragmented-disk -- both accepted\n").replace("churn 250 GB per day", "churn 250 GB per day pattern scattered");
    expect(rulesOf(t)).toEqual([]);
  });

  it("for the whole file", () => {
    expect(rulesOf(`# bkp-ignore-file: high-churn\n${base()}`)).toEqual([]);
  });

  it("a suppression that suppresses nothing is reported, and --fix removes it", () => {
    const t = base("  # bkp-ignore: high-churn\n", "20 GB");
    const { diags } = lintText(t, { severities: { "linux-application-without-scripts": "off" } });
    expect(diags.map((d) => [d.rule, d.range.start.line, d.range.start.column])).toEqual([["unused-suppression", 8, 17]]);
    const fixed = applyFixes(new Map([[diags[0].file, t]]), diags).texts.get(diags[0].file)!;
    expect(fixed).not.toContain("bkp-ignore");
    expect(lintText(fixed, { severities: { "linux-application-without-scripts": "off" } }).diags).toEqual([]);
  });

  it("an unknown rule name is reported with a suggestion", () => {
    const { diags } = lintText(base("  # bkp-ignore: hihg-churn\n"), { severities: { "linux-application-without-scripts": "off" } });
    expect(diags.find((d) => d.rule === "invalid-suppression")).toMatchObject({ message: "bkp-ignore names an unknown rule 'hihg-churn'", hint: "did you mean 'high-churn'?" });
  });

  it("checker errors cannot be suppressed", () => {
    const t = base().replace("used 20 GB }", "used 90 GB }  # bkp-ignore: BKP2005");
    const codes = rulesOf(t);
    expect(codes).toContain("BKP2005");
    expect(codes).toContain("invalid-suppression");
  });
});

describe("severities", () => {
  it("a rule can be turned off or raised", () => {
    expect(rulesOf(base(), { severities: { "linux-application-without-scripts": "off", "high-churn": "off" } })).toEqual([]);
    const d = lintText(base(), { severities: { "linux-application-without-scripts": "off", "high-churn": "error" } }).diags;
    expect(d.map((x) => [x.rule, x.severity])).toEqual([["high-churn", "error"]]);
  });
});

describe("the config file", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "bkp-cfg-"));
  const known = new Set(RULES.map((r) => r.name));

  it("is found upward from the policy", () => {
    const root = dir();
    writeFileSync(join(root, "bkp.json"), "{}");
    const sub = join(root, "a", "b");
    mkdirSync(sub, { recursive: true });
    expect(findConfig(sub)).toBe(join(root, "bkp.json"));
  });

  it("sets severities and the warning budget", () => {
    const p = join(dir(), "bkp.json");
    writeFileSync(p, JSON.stringify({ rules: { "high-churn": "error", "dst-not-adjusted": "off" }, maxWarnings: 3 }));
    expect(readConfig(p, known)).toEqual({ path: p, rules: { "high-churn": "error", "dst-not-adjusted": "off" }, maxWarnings: 3 });
  });

  it.each([
    ["{", /not valid JSON/],
    ['{"rule": {}}', /unknown key "rule"/],
    ['{"rules": {"hi-churn": "error"}}', /unknown rule "hi-churn"/],
    ['{"rules": {"high-churn": "fatal"}}', /must be off, info, warning or error/],
    ['{"maxWarnings": -1}', /whole number >= 0/],
  ])("rejects %s with a clear message", (text, message) => {
    const p = join(dir(), "bkp.json");
    writeFileSync(p, text);
    expect(() => readConfig(p, known)).toThrow(ConfigError);
    expect(() => readConfig(p, known)).toThrow(message);
  });
});
