// `bkp plan`, run as users run it (dist/bkp.mjs; the test command builds it first).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp, policySets } from "../helpers.js";

const SEED = "policies/seed-a2-standard.bkp";
const tmp = mkdtempSync(join(tmpdir(), "bkp-plan-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe("bkp plan on the seed policy", () => {
  it("prints each job in the policy's zone and UTC, its kind, durations and the risks with their source line", () => {
    const r = bkp(["plan", "--from", "2026-05-01", "--days", "3", SEED]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('vm "a2-standard"  policy "daily" (Asia/Tokyo)  vault "prod"');
    expect(r.stdout).toContain("consistency: application: VSS full backup, application logs truncated; file-system if a VSS writer fails");
    // 1,200 s prepare + 11,400 s lag + 500 s for data1 (30 GB at 60 MB/s) = 3 h 38 min 20 s.
    expect(r.stdout).toContain("2026-05-01 02:30 +09:00 [04-30 17:30 UTC]  initial         3h 38m  prepare 20m; lag 3h 10m; disks: os 4m 43s, data1 8m 20s, data2 0s");
    expect(r.stdout).toContain("2026-05-02 02:30 +09:00 [05-01 17:30 UTC]  incremental     3h 30m  lag 3h 30m; disks: os 6s, data1 17s, data2 0s");
    expect(r.stdout).toMatch(/info\[BKP3014\]: policy "daily": snapshots at 2026-05-02 02:30 Asia\/Tokyo fall in peak hours[^\n]*\n +--> policies\/seed-a2-standard\.bkp:10:3\n/);
    expect(r.stdout).toMatch(/plan: 3 jobs; risks: 0 errors, 0 warnings, 1 note\n$/);
  });

  it("--format json: {version, jobs, risks} as docs/plan-json.md describes", () => {
    const r = bkp(["plan", "--from", "2026-05-01", "--days", "3", "--format", "json", SEED]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.version).toBe(1);
    expect(j.jobs).toHaveLength(3);
    expect(j.jobs[0]).toEqual({
      vm: "a2-standard", model: "azure-service", policy: "daily", vault: "prod", zone: "Asia/Tokyo",
      start: "2026-05-01T02:30:00+09:00", startUtc: "2026-04-30T17:30:00Z", end: "2026-04-30T21:08:20Z",
      kind: "initial", consistency: "application", prepareSeconds: 1200, lagSeconds: 11400, durationSeconds: 13100,
      disks: [
        { name: "os", kind: "initial", transferBytes: 17e9, scanBytes: 0, seconds: 283 },
        { name: "data1", kind: "initial", transferBytes: 30e9, scanBytes: 0, seconds: 500 },
        { name: "data2", kind: "initial", transferBytes: 0, scanBytes: 0, seconds: 0 },
      ],
    });
    expect(j.vms[0]).toMatchObject({ name: "a2-standard", consistency: { level: "application", requested: "application" } });
    expect(j.risks).toEqual([expect.objectContaining({ code: "BKP3014", severity: "info", vms: ["a2-standard"], file: SEED, line: 10, column: 3 })]);
  });

  it("--format markdown: a risk table and a job table", () => {
    const r = bkp(["plan", "--from", "2026-05-01", "--days", "2", "--format", "markdown", SEED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## bkp plan: 2026-05-01, 2 days\n/);
    expect(r.stdout).toContain("| info | BKP3014 |");
    expect(r.stdout).toContain("| a2-standard | 2026-05-01T02:30:00+09:00 | 2026-04-30T17:30:00Z | initial | azure-service | 3h 38m | data1 | application |");
  });

  it("a DST month in New York: the 02:30 job of 2026-03-08 runs at 03:00 EDT, none lost or doubled", () => {
    const p = file("ny.bkp", 'vault "vt" { }\npolicy "pol" {\n  schedule daily at 02:30\n  timezone "Eastern Standard Time"\n  retain daily 7 days\n}\nvm "x" {\n  os windows\n  policy "pol"\n  vault "vt"\n  protected-since 2026-01-01\n  disk "os" { role os size 64 GB used 10 GB }\n}\n');
    const j = JSON.parse(bkp(["plan", "--from", "2026-03-01", "--days", "31", "--format", "json", p]).stdout);
    expect(j.jobs).toHaveLength(31);
    expect(j.jobs[7].start).toBe("2026-03-08T03:00:00-04:00");
    expect(new Set(j.jobs.map((x: { start: string }) => x.start.slice(0, 10))).size).toBe(31);
  });
});

describe("exit codes", () => {
  it("1 when a risk is an error (11 disks in one storage account)", () => {
    const disks = Array.from({ length: 11 }, (_, i) => `  disk "d${i}" { role ${i ? "data" : "os"} size 1 TB used 1 GB storage-account "sa" }`).join("\n");
    const p = file("sa.bkp", `vault "vt" { }\npolicy "pol" { schedule daily at 12:00 retain daily 7 days }\nstorage-account "sa" { }\nvm "x" {\n  os windows\n  policy "pol"\n  vault "vt"\n${disks}\n}\n`);
    const r = bkp(["plan", "--from", "2026-05-01", "--days", "1", p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error[BKP3008]: storage account "sa" holds 11 disks');
  });

  it("1 with the checker's errors on standard error, and no plan", () => {
    const p = file("bad.bkp", 'vault "vt" { }\nvm "x" { os linux policy "nope" vault "vt" disk "os" { role os size 8 GB used 1 GB } }\n');
    const r = bkp(["plan", p]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error\[BKP2002\]: no policy named "nope"/);
  });

  it.each([
    [["plan", "--days", "x", SEED], /--days takes a whole number/],
    [["plan", "--from", "2026-02-30", SEED], /--from takes a date as YYYY-MM-DD, not '2026-02-30'/],
    [["plan", "--format", "yaml", SEED], /--format must be one of text, json, markdown/],
    [["plan"], /needs at least one policy file/],
  ])("2 on a usage error: %j", (args, msg) => {
    const r = bkp(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});

describe("every bundled policy set plans", () => {
  it.each(policySets().map((s) => [s.map((f) => f.split("/policies/")[1]).join(" "), s] as const))("%s", (_n, files) => {
    const r = bkp(["plan", "--from", "2026-05-01", "--days", "7", "--format", "json", ...files]);
    expect([0, 1]).toContain(r.code);
    const j = JSON.parse(r.stdout);
    expect(j.version).toBe(1);
    for (const risk of j.risks) expect(risk.code).toMatch(/^BKP3\d{3}$/);
  });
});
