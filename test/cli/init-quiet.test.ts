// bkp init (a starter policy set that passes the tool's own checks, optionally from Azure JSON;
// never overwrites) and the global --quiet (no progress or informational lines; results, warnings
// and errors stay; exit codes unchanged).
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, bkp, ROOT } from "../helpers.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bkp-init-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AZURE = join(ROOT, "test/fixtures/azure-corpus/rest/2022-03-01-IaaS_v2_daily.json");
const STARTER = ["vault.bkp", "policies.bkp", "vms.bkp"];

/** check, fmt --check and lint pass on the set with no finding; plan and cost run. */
function expectClean(set: string): void {
  const check = bkp(["check", set]);
  expect(check.stdout).toContain("no problems");
  expect(check.code).toBe(0);
  expect(bkp(["fmt", "--check", set]).code).toBe(0);
  const lint = bkp(["lint", set]);
  expect(lint.stdout).toContain("no problems");
  expect(lint.code).toBe(0);
  expect(bkp(["plan", "--no-measured", set]).code).toBe(0);
  expect(bkp(["cost", "--format", "json", set]).code).toBe(0);
}

describe("bkp init", () => {
  it("writes a commented vault, policy and VM that pass check, fmt --check and lint, and says what to run next", () => {
    const set = join(dir, "starter");
    const r = bkp(["init", set]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`next: bkp check ${set}`);
    expect(readdirSync(set).sort()).toEqual([...STARTER].sort());
    const text = STARTER.map((f) => readFileSync(join(set, f), "utf8")).join("\n");
    for (const want of [/^vault "main"/m, /^policy "daily"/m, /instant-restore 2 days/, /role os/, /role data/, /^pricing /m, /^# /m]) expect(text).toMatch(want);
    expectClean(set);
  });

  it("never overwrites a file: an existing one is named, nothing is written, exit 2", () => {
    const set = join(dir, "taken");
    expect(bkp(["init", set]).code).toBe(0);
    writeFileSync(join(set, "vms.bkp"), "# mine\n");
    rmSync(join(set, "vault.bkp"));
    const again = bkp(["init", set]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(join(set, "vms.bkp"));
    expect(again.stderr).toContain("never overwrites");
    expect(readFileSync(join(set, "vms.bkp"), "utf8")).toBe("# mine\n");
    expect(existsSync(join(set, "vault.bkp"))).toBe(false);
    expect(bkp(["init", set, "other"]).code).toBe(2);
    const file = bkp(["init", join(set, "vms.bkp")]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("is a file, not a directory");
  });

  it("makes a missing directory and its parents; a place no directory can be made is a clear error (exit 2), not a hang", () => {
    const set = join(dir, "new", "deep", "set");
    expect(bkp(["init", set]).code).toBe(0);
    expect(readdirSync(set).sort()).toEqual(["policies.bkp", "vault.bkp", "vms.bkp"]);
    // Under /proc, mkdir answers ENOENT for a parent that exists: Node's recursive mkdir retried forever.
    const r = spawnSync(process.execPath, [BIN, "init", "/proc/bkp-nope/set"], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NO_COLOR: "1" } });
    expect(r.error, "bkp init did not finish").toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^bkp init: cannot write the starter files into '\/proc\/bkp-nope\/set': the file system does not let a directory be made there; nothing written/);
  });

  it("--from-azure FILE|-: the policies imported from Azure JSON, the VM on the first; bad JSON writes nothing", () => {
    const set = join(dir, "azure");
    expect(bkp(["init", set, "--from-azure", AZURE]).code).toBe(0);
    expect(readFileSync(join(set, "policies.bkp"), "utf8")).toContain('policy "v2-daily-sample"');
    expect(readFileSync(join(set, "vms.bkp"), "utf8")).toContain('policy "v2-daily-sample"');
    expectClean(set);

    const piped = join(dir, "azure-stdin");
    expect(bkp(["init", piped, "--from-azure", "-"], { input: readFileSync(AZURE) }).code).toBe(0);
    expect(readFileSync(join(piped, "policies.bkp"), "utf8")).toContain('policy "v2-daily-sample"');

    const bad = join(dir, "azure-bad");
    const r = bkp(["init", bad, "--from-azure", "-"], { input: '{"properties": {"backupManagementType": "AzureIaasVM", "schedulePolicy": 3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[BKP6001\]/);
    expect(r.stderr).toContain("nothing written");
    expect(existsSync(bad)).toBe(false);
    expect(bkp(["init", join(dir, "azure-missing"), "--from-azure", join(dir, "nope.json")]).code).toBe(2);
  });

  it("is listed in bkp --help, bkp help init and the shell completion", () => {
    expect(bkp(["--help"]).stdout).toMatch(/^ {2}init /m);
    expect(bkp(["help", "init"]).stdout).toContain("Usage: bkp init [DIR]");
    expect(bkp(["completion", "bash"]).stdout).toMatch(/\binit\b/);
    expect(bkp(["completion", "bash"]).stdout).toContain("--from-azure");
  });
});

describe("--quiet", () => {
  it("check, lint, fmt: nothing on success; errors, warnings and the exit code stay", () => {
    const set = join(dir, "quiet");
    expect(bkp(["-q", "init", set])).toMatchObject({ code: 0, stdout: "", stderr: "" });
    for (const cmd of ["check", "lint"]) expect(bkp([cmd, "--quiet", set])).toMatchObject({ code: 0, stdout: "", stderr: "" });
    const file = join(set, "policies.bkp");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, good.replace("schedule daily", "scedule daily"));
    const bad = bkp(["check", "-q", set]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("error[BKP1002]");
    writeFileSync(file, good.replace("  retain daily", "retain daily"));
    expect(bkp(["fmt", set]).stdout).toContain(`formatted ${file}`);
    writeFileSync(file, good.replace("  retain daily", "retain daily"));
    expect(bkp(["fmt", "-q", set])).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(file, "utf8")).toBe(good);
    writeFileSync(file, good.replace("  retain daily", "retain daily"));
    const unformatted = bkp(["fmt", "--check", "-q", set]);
    expect(unformatted.code).toBe(1);
    expect(unformatted.stdout).toContain(`${file}: not formatted`);
  });

  it("import: the .bkp text stays, the 'imported' line goes", () => {
    expect(bkp(["import", "azure", AZURE]).stderr).toContain("imported 1 policy");
    const q = bkp(["import", "azure", "-q", AZURE]);
    expect(q.code).toBe(0);
    expect(q.stdout).toContain('policy "v2-daily-sample"');
    expect(q.stderr).toBe("");
  });

  // util-linux's script(1) gives a command a pseudo-terminal (Debian: bsdutils).
  const hasScript = spawnSync("script", ["-qec", "true", "/dev/null"], { stdio: "ignore" }).status === 0;
  if (!hasScript) console.warn("skipping the --quiet terminal test: no util-linux script(1) (Debian package bsdutils)");
  it.skipIf(!hasScript)("backup, verify, points: no progress bars on a terminal, the point id and every error stay", () => {
    const set = join(dir, "engine");
    expect(bkp(["init", "-q", set]).code).toBe(0);
    writeFileSync(join(set, "os.img"), crypto.randomBytes(1024 * 1024));
    const vms = join(set, "vms.bkp");
    writeFileSync(vms, readFileSync(vms, "utf8").replace('{ role os size 64 GB used 20 GB }', '{ role os size 64 GB used 20 GB image "os.img" }'));
    const env = { BKP_MACHINE_SECRET: join(dir, "machine.key"), BKP_NOW: "2026-03-01T23:00:00Z" };
    const files = ["vault.bkp", "policies.bkp", "vms.bkp"];
    const run = (args: string[]) => bkp([...args, ...files], { cwd: set, env });
    expect(run(["verify"]).stdout).toContain("no vault with backups to verify");
    expect(run(["verify", "-q"])).toMatchObject({ code: 0, stdout: "" });
    expect(run(["points"]).stdout).toContain("no recovery points");
    expect(run(["points", "-q"])).toMatchObject({ code: 0, stdout: "" });

    // On a terminal: progress bars unless --quiet.
    const onTty = (args: string[]) =>
      spawnSync("script", ["-qec", [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" "), "/dev/null"], { cwd: set, env: { ...process.env, ...env, NO_COLOR: "1" }, encoding: "utf8" });
    const loud = onTty(["backup", "--now", ...files]);
    expect(loud.status).toBe(0);
    expect(loud.stdout).toMatch(/\[#{24}\] 100%/);
    expect(loud.stdout).toMatch(/^ {2}os /m);
    const quiet = onTty(["backup", "--now", "-q", ...files]);
    expect(quiet.status).toBe(0);
    expect(quiet.stdout).not.toContain("[#");
    expect(quiet.stdout).toMatch(/vm "app-01": point \S+ in vault "main"/);
    expect(quiet.stdout).not.toMatch(/^ {2}os /m);
    expect(run(["verify", "-q"]).stdout).toMatch(/^vault "main": ok/);

    // An error stays, and so does its exit code.
    rmSync(join(set, "os.img"));
    const failed = run(["backup", "--now"]);
    const failedQuiet = run(["backup", "--now", "-q"]);
    expect(failed.code).toBe(2); // an image that cannot be read: an I/O error
    expect(failedQuiet.code).toBe(failed.code);
    expect(failedQuiet.stderr).toMatch(/error\[BKP5\d+\].*os\.img/);
    expect(failedQuiet.stderr).toBe(failed.stderr);
  });
});
