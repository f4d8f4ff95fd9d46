import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bkp, BIN, expectNoUiOrEngine } from "../helpers.js";

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "bkp-lint-cli-"));
  mkdirSync(join(dir, ".git"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const CLEAN = `vault "vt" { path "x" }
policy "pol" {
  schedule daily at 02:30
  timezone "UTC"
  consistency file-system
  retain daily 7 days
}
vm "a" { os linux policy "pol" vault "vt" disk "os" { role os size 8 GB used 1 GB } }
`;
const WARN = CLEAN.replace("used 1 GB }", "used 1 GB }\n  disk \"d\" { role data size 4 TB used 2800 GB churn 250 GB per day }");
const ERROR = CLEAN.replace("02:30", "02:15");

describe("bkp lint", () => {
  it("exit 0 and a summary on a clean set", () => {
    const dir = project({ "policies/p.bkp": CLEAN });
    expect(bkp(["lint", "policies/p.bkp"], { cwd: dir })).toMatchObject({ code: 0, stdout: "linted 1 file: no problems\n" });
  });

  it("text: frames with code and rule, grouped by file, a summary; warnings exit 0", () => {
    const dir = project({ "policies/p.bkp": WARN });
    const r = bkp(["lint", "policies/p.bkp"], { cwd: dir });
    expect(r.stdout).toMatch(/^warning\[BKP4011 high-churn\]: vm "a" disk "d" changes 250 GB a day[^\n]*\n --> policies\/p\.bkp:9:53\n/);
    expect(r.stdout).toContain("1 problem (1 warning) in 1 of 1 file");
    expect(r.code).toBe(0);
  });

  it("--max-warnings: more warnings than allowed exit 1", () => {
    const dir = project({ "policies/p.bkp": WARN });
    expect(bkp(["lint", "--max-warnings", "0", "policies/p.bkp"], { cwd: dir }).code).toBe(1);
    expect(bkp(["lint", "--max-warnings", "1", "policies/p.bkp"], { cwd: dir }).code).toBe(0);
  });

  it("errors exit 1", () => {
    const dir = project({ "policies/p.bkp": ERROR });
    const r = bkp(["lint", "policies/p.bkp"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("error[BKP4030 schedule-not-on-half-hour]");
  });

  it("json: DESIGN.md's array shape", () => {
    const dir = project({ "policies/p.bkp": WARN });
    const out = JSON.parse(bkp(["lint", "--format", "json", "policies/p.bkp"], { cwd: dir }).stdout);
    expect(out).toEqual([
      { file: "policies/p.bkp", line: 9, column: 53, endLine: 9, endColumn: 59, code: "BKP4011", severity: "warning", message: expect.any(String), rule: "high-churn", hint: expect.any(String) },
    ]);
  });

  it("sarif: SARIF 2.1.0 with repo-relative URIs", () => {
    const dir = project({ "policies/p.bkp": WARN });
    const log = JSON.parse(bkp(["lint", "--format", "sarif", "p.bkp"], { cwd: join(dir, "policies") }).stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("policies/p.bkp");
  });

  it("github: workflow annotations", () => {
    const dir = project({ "policies/p.bkp": ERROR });
    const r = bkp(["lint", "--format", "github", "policies/p.bkp"], { cwd: dir });
    expect(r.stdout).toMatch(/^::error file=policies\/p\.bkp,line=3,col=21,endLine=3,endColumn=26,title=BKP4030 schedule-not-on-half-hour::policy "pol" starts at 02%3A15|^::error file=policies\/p\.bkp,line=3,col=21,endLine=3,endColumn=26,title=BKP4030 schedule-not-on-half-hour::policy "pol" starts at 02:15/m);
  });

  it("--rule overrides bkp.json, which is found upward from the policy", () => {
    const dir = project({ "bkp.json": '{ "rules": { "high-churn": "error" } }', "policies/p.bkp": WARN });
    expect(bkp(["lint", "policies/p.bkp"], { cwd: dir }).code).toBe(1);
    expect(bkp(["lint", "--rule", "high-churn=off", "policies/p.bkp"], { cwd: dir })).toMatchObject({ code: 0, stdout: "linted 1 file: no problems\n" });
  });

  it("a broken config file or a bad --rule is a usage error, exit 2", () => {
    const dir = project({ "bkp.json": '{ "rules": { "hgh-churn": "error" } }', "policies/p.bkp": CLEAN });
    expect(bkp(["lint", "policies/p.bkp"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown rule "hgh-churn"') });
    const ok = project({ "policies/p.bkp": CLEAN });
    expect(bkp(["lint", "--rule", "hgh-churn=off", "policies/p.bkp"], { cwd: ok })).toMatchObject({ code: 2, stderr: expect.stringContaining("did you mean 'high-churn'?") });
    expect(bkp(["lint", "--rule", "high-churn=loud", "policies/p.bkp"], { cwd: ok }).code).toBe(2);
  });

  it("--fix applies the safe fixes, formats the file, and reports what is left", () => {
    const dir = project({ "policies/p.bkp": ERROR.replace('vm "a"', '# bkp-ignore: high-churn\nvm "a"') });
    const r = bkp(["lint", "--fix", "policies/p.bkp"], { cwd: dir });
    expect(r.stderr).toContain("applied 2 fixes in 1 file");
    const text = readFileSync(join(dir, "policies/p.bkp"), "utf8");
    expect(text).toContain("schedule daily at 02:00");
    expect(text).not.toContain("bkp-ignore");
    expect(text).toContain('vm "a" {\n  os linux\n');
    expect(r).toMatchObject({ code: 0, stdout: "linted 1 file: no problems\n" });
  });

  it("--list-rules and --explain document the rules", () => {
    expect(bkp(["lint", "--list-rules"]).stdout).toMatch(/BKP4011  high-churn +warning/);
    const ex = bkp(["lint", "--explain", "high-churn"]);
    expect(ex.stdout).toMatch(/What: [\s\S]*Why: [\s\S]*docs\/domain\.md#timing[\s\S]*Instead: [\s\S]*Fires on:/);
    expect(bkp(["lint", "--explain", "hig-churn"])).toMatchObject({ code: 2, stderr: expect.stringContaining("did you mean 'high-churn'?") });
  });

  it("a missing file is exit 2", () => {
    expect(bkp(["lint", "/nonexistent/p.bkp"]).code).toBe(2);
  });

  it("does not load React, Ink or the engine", () => {
    const log = join(mkdtempSync(join(tmpdir(), "bkp-loads-")), "loads.txt");
    const dir = project({ "policies/p.bkp": WARN });
    const r = spawnSync(process.execPath, ["--import", fileURLToPath(new URL("./record-loads.mjs", import.meta.url)), BIN, "lint", "policies/p.bkp"], {
      cwd: dir,
      env: { ...process.env, BKP_LOAD_LOG: log, NO_COLOR: "1" },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expectNoUiOrEngine(log);
  });
});
