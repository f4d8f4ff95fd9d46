import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importAzure } from "../../src/interop/import-azure.js";
import { loadTexts } from "../../src/model/load.js";
import { ROOT } from "../helpers.js";

const FIX = join(ROOT, "test/interop/fixtures");
const read = (rel: string) => ({ path: join(FIX, rel), text: readFileSync(join(FIX, rel), "utf8") });

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function at(text: string, needle: string): [number, number] {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`fixture has no ${needle}`);
  const before = text.slice(0, i).split("\n");
  return [before.length, before[before.length - 1].length + 1];
}

/** Imports a PUT body with `props` merged into a valid daily policy's properties. */
function importProps(props: Record<string, unknown>, name = "p") {
  const base = {
    backupManagementType: "AzureIaasVM",
    schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:00:00Z"] },
    retentionPolicy: { retentionPolicyType: "LongTermRetentionPolicy", dailySchedule: { retentionDuration: { count: 30, durationType: "Days" } } },
  };
  return importAzure([{ path: `${name}.json`, text: JSON.stringify({ properties: { ...base, ...props } }, null, 2) }]);
}

describe("import azure: the input forms", () => {
  it("names a PUT body after its file, and a resource by its name", () => {
    expect(importAzure([read("valid/put-v1-daily.json")]).policies.map((p) => p.name)).toEqual(["put-v1-daily"]);
    expect(importAzure([read("valid/resource-v1-weekly.json")]).policies.map((p) => p.name)).toEqual(["weekly-tue-fri"]);
  });

  it("reads both list forms and the REST example wrapper (its request, not its responses)", () => {
    expect(importAzure([read("valid/list-array.json")]).policies.map((p) => p.path)).toEqual(["[0]", "[1]", "[2]"]);
    expect(importAzure([read("valid/list-value.json")]).policies.map((p) => p.path)).toEqual(["value[0]", "value[1]"]);
    const ex = importAzure([read("valid/example-wrapper.json")]);
    expect(ex.policies).toEqual([{ name: "v2-crash-4h", file: join(FIX, "valid/example-wrapper.json"), path: "parameters.parameters" }]);
  });

  it("writes formatted text that checks, with an origin comment on every generated line", () => {
    const r = importAzure([read("valid/list-value.json")]);
    const set = loadTexts([{ path: "out.bkp", text: r.text! }]);
    expect(set.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const policyLines = r.text!.split("\n").filter((l) => /^ {2}\w/.test(l));
    expect(policyLines.length).toBeGreaterThan(10);
    for (const l of policyLines) expect(l).toMatch(/ {2}# azure: value\[\d\]\.properties\./);
  });

  it("maps each Azure setting to its .bkp form", () => {
    const text = importAzure([read("valid/list-value.json"), read("valid/list-array.json"), read("valid/example-wrapper.json")]).text!;
    for (const line of [
      "schedule weekly on Sun, Wed at 23:30", // V2 weeklySchedule
      "type enhanced", // policyType V2 with a schedule that would not imply it
      "consistency agentless-crash", // snapshotConsistencyType OnlyCrashConsistent
      "archive after 4 months", // tieringPolicy.ArchivedRP TierAfter
      'timezone "Central Europe Standard Time"', // Windows names kept as written
      "instant-restore 5 days",
      "retain monthly 48 months on second, fourth Sun", // Weekly format
      "retain yearly 12 years in Dec on last Wed",
      "retain monthly 36 months on day 10, 20, last", // Daily format with isLast
      "retain yearly 8 years in Apr, Oct on day 1, last",
      "schedule every 6 hours from 07:00 for 12 hours", // hourlySchedule
      "schedule daily at 18:30", // V1
    ]) {
      expect(text).toContain(line);
    }
    // An hourly schedule implies enhanced: no redundant type line for it.
    expect(text).not.toMatch(/every 6 hours[^\n]*\n[^\n]*\n\s*type/);
    // DoNotTier is written as archive never, so that it comes back on export.
    expect(text.split('policy "v1-daily-no-archive"')[1].split("}")[0]).toContain("archive never");
  });
});

describe("import azure: policies Azure would reject import, and bkp check reports them", () => {
  const cases = [
    { file: "rejected/daily-retention-1-day.json", code: "BKP2010", line: "retain daily 1 day", path: "properties.retentionPolicy.dailySchedule.retentionDuration.count" },
    { file: "rejected/weekly-instant-restore-2.json", code: "BKP2018", line: "instant-restore 2 days", path: "properties.instantRpRetentionRangeInDays" },
    { file: "rejected/hourly-window-not-multiple.json", code: "BKP2013", line: "schedule every 4 hours from 09:00 for 10 hours", path: "properties.schedulePolicy.hourlySchedule" },
  ];
  it.each(cases)("$file", (c) => {
    const r = importAzure([read(c.file)]);
    expect(r.diagnostics).toEqual([]);
    const { diagnostics } = loadTexts([{ path: "imported.bkp", text: r.text! }]);
    const d = diagnostics.find((x) => x.code === c.code);
    expect(d, diagnostics.map((x) => `${x.code} ${x.message}`).join("; ")).toBeDefined();
    expect(d!.range.start.line).toBe(at(r.text!, c.line)[0]);
    expect(d!.message).toContain(`(from Azure JSON at ${c.path})`);
    // The JSON path names a real field of the fixture.
    expect(readFileSync(join(FIX, c.file), "utf8")).toContain(`"${c.path.split(".").pop()}"`);
  });
});

describe("import azure: unknown or malformed fields are located errors", () => {
  it.each([
    { file: "invalid/unknown-field.json", code: "BKP6003", needle: '"retentionDurration"', message: "unknown field properties.retentionPolicy.dailySchedule.retentionDurration", hint: 'did you mean "retentionDuration"?' },
    { file: "invalid/wrong-type.json", code: "BKP6004", needle: '"5"', message: 'properties.instantRpRetentionRangeInDays should be a whole number, not the string "5"', hint: "write a whole number here" },
    { file: "invalid/syntax.json", code: "BKP6001", needle: "}\n}", message: "invalid JSON: expected a quoted key, found '}'", hint: "remove the trailing comma before '}'" },
  ])("$file", (c) => {
    const input = read(c.file);
    const r = importAzure([input]);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual([c.code]);
    const d = r.diagnostics[0];
    expect(d.file).toBe(input.path);
    expect([d.range.start.line, d.range.start.column]).toEqual(at(input.text, c.needle));
    expect(d.message).toContain(c.message);
    expect(d.hint).toBe(c.hint);
  });

  it("reports every problem of a file in one run, each with its JSON path", () => {
    const r = importProps({ timeZone: 5, policyType: "V3", snapshotConsistencyType: "AppConsistent", instantRpRetentionRangeInDays: -1, colour: "blue" });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(["BKP6003", "BKP6004", "BKP6005", "BKP6005", "BKP6005"]);
    const messages = r.diagnostics.map((d) => d.message).join("\n");
    for (const p of ["colour", "timeZone", "policyType", "snapshotConsistencyType", "instantRpRetentionRangeInDays"]) expect(messages).toContain(`properties.${p}`);
  });

  it("refuses what the language cannot say: a second run time, seconds, every other week", () => {
    const twice = importProps({ schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:00:00Z", "2024-01-01T14:00:00Z"] } });
    expect(twice.diagnostics.map((d) => d.code)).toEqual(["BKP6007"]);
    const seconds = importProps({ schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:00:15Z"] } });
    expect(seconds.diagnostics.map((d) => d.code)).toEqual(["BKP6007"]);
    const fortnight = importProps({ schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Weekly", scheduleRunDays: ["Monday"], scheduleRunTimes: ["2024-01-01T02:00:00Z"], scheduleWeeklyFrequency: 2 } });
    expect(fortnight.diagnostics.map((d) => d.code)).toEqual(["BKP6007"]);
  });

  it("rejects a policyType that contradicts the schedule policy type", () => {
    const r = importProps({ policyType: "V2" });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["BKP6005"]);
    expect(r.diagnostics[0].message).toContain("policyType V2 goes with SimpleSchedulePolicyV2");
  });

  it("rejects a document that is not a backup policy, and duplicate names across files", () => {
    expect(importAzure([{ path: "x.json", text: '{"hello": 1}' }]).diagnostics.map((d) => d.code)).toEqual(["BKP6002"]);
    expect(importAzure([{ path: "x.json", text: '{"name": "vm1", "type": "Microsoft.Compute/virtualMachines", "properties": {}}' }]).diagnostics.map((d) => d.code)).toEqual(["BKP6002"]);
    const a = read("valid/resource-v1-weekly.json");
    const r = importAzure([a, { ...a, path: "copy.json" }]);
    expect(r.diagnostics.map((d) => [d.code, d.file])).toEqual([["BKP6008", "copy.json"]]);
  });
});

describe("import azure: what Azure ignores is a warning, never silent", () => {
  it("skips non-VM policies of a vault list with a warning", () => {
    const list = JSON.parse(readFileSync(join(FIX, "valid/list-array.json"), "utf8")) as unknown[];
    list.push({ name: "sql-log-backups", properties: { backupManagementType: "AzureWorkload", workLoadType: "SQLDataBase", settings: {} } });
    const r = importAzure([{ path: "mixed.json", text: JSON.stringify(list) }]);
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([["BKP6020", "warning"]]);
    expect(r.policies).toHaveLength(3);
  });

  it("keeps a retention time that differs from the schedule's (Azure keeps it), and warns about an ignored offset", () => {
    const r = importProps({
      schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:00:00+09:00"] },
      retentionPolicy: { retentionPolicyType: "LongTermRetentionPolicy", dailySchedule: { retentionTimes: ["2024-01-01T03:00:00Z"], retentionDuration: { count: 30, durationType: "Days" } } },
    });
    expect(r.diagnostics.map((d) => d.code)).toEqual(["BKP6021"]);
    expect(r.text).toContain("schedule daily at 02:00");
    expect(r.text).toContain("retain daily 30 days at 03:00");
  });

  it("imports the instant-restore resource group, whatever the case of its property names (as az prints them)", () => {
    const r = importProps({ instantRpDetails: { azureBackupRgNamePrefix: "rg-snapshots-", azureBackupRgNameSuffix: "" } });
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toContain('instant-restore-resource-group "rg-snapshots-"');
    const model = loadTexts([{ path: "x.bkp", text: r.text! }]).model!;
    expect([...model.policies.values()][0].instantRestoreResourceGroup).toEqual({ prefix: "rg-snapshots-", suffix: undefined });
  });

  it("writes what imports and reports the rest (partial success), with every problem located", () => {
    const list = JSON.parse(readFileSync(join(FIX, "valid/list-array.json"), "utf8")) as { properties: { timeZone?: unknown } }[];
    list[1].properties.timeZone = 5;
    const r = importAzure([{ path: "partial.json", text: JSON.stringify(list, null, 2) }]);
    expect(r.diagnostics.map((d) => [d.code, d.message.split(" ")[0]])).toEqual([["BKP6004", "[1].properties.timeZone"]]);
    expect(r.policies).toHaveLength(2);
    expect(r.text?.match(/^policy "/gm)).toHaveLength(2);
  });

  it("writes a daily retention counted in weeks as it is, so that bkp check reports the unit", () => {
    const r = importProps({ retentionPolicy: { retentionPolicyType: "LongTermRetentionPolicy", dailySchedule: { retentionDuration: { count: 4, durationType: "Weeks" } } } });
    expect(r.text).toMatch(/retain daily 4 weeks +# azure: properties\.retentionPolicy\.dailySchedule\.retentionDuration\.durationType\n/);
    const d = loadTexts([{ path: "x.bkp", text: r.text! }]).diagnostics.find((x) => x.code === "BKP2003");
    expect(d?.message).toContain("(from Azure JSON at properties.retentionPolicy.dailySchedule.retentionDuration.durationType)");
  });

  it("escapes names for the .bkp string syntax", () => {
    const name = 'say "hi" to #ops';
    const r = importAzure([{ path: "q.json", text: JSON.stringify({ name, properties: importPropsBase() }) }]);
    expect(r.diagnostics).toEqual([]);
    const set = loadTexts([{ path: "q.bkp", text: r.text! }]);
    expect([...set.model!.policies.keys()]).toEqual([name]);
  });

  it("refuses, located, a name the .bkp lexer cannot read back yet (a lone backslash)", () => {
    const r = importAzure([{ path: "q.json", text: JSON.stringify({ name: "a\\b", properties: importPropsBase() }) }]);
    expect(r.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP6007", 1]]);
  });
});

function importPropsBase() {
  return {
    backupManagementType: "AzureIaasVM",
    schedulePolicy: { schedulePolicyType: "SimpleSchedulePolicy", scheduleRunFrequency: "Daily", scheduleRunTimes: ["2024-01-01T02:00:00Z"] },
    retentionPolicy: { retentionPolicyType: "LongTermRetentionPolicy", dailySchedule: { retentionDuration: { count: 30, durationType: "Days" } } },
  };
}
