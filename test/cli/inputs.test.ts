// check, fmt, lint, plan and cost take directories (every .bkp file under them) and `-` (standard
// input), and so do the engine's commands (backup, points, verify, restore…); fmt --diff prints
// what formatting would change as a patch that applies.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, cpSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bkp, ROOT } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "bkp-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { BKP_TODAY: "2026-11-20" };
const fleet = join(ROOT, "policies", "web-fleet");
const seed = readFileSync(join(ROOT, "policies", "seed-a2-standard.bkp"), "utf8");

describe("directories and standard input", () => {
  it("a directory stands for its .bkp files: same result as naming them", () => {
    for (const cmd of [["check"], ["lint"], ["plan", "--format", "json", "--no-measured"], ["cost", "--format", "json"]]) {
      const byDir = bkp([...cmd, "policies/web-fleet"], { env });
      const byFiles = bkp([...cmd, ...["10-vaults-policies", "20-frontends", "30-api", "40-batch"].map((f) => `policies/web-fleet/${f}.bkp`)], { env });
      expect(byDir.code, cmd[0]).toBe(byFiles.code);
      expect(byDir.stdout, cmd[0]).toBe(byFiles.stdout);
    }
  });

  it("'-' reads the policy set from standard input, named <stdin> in diagnostics", () => {
    expect(bkp(["check", "-"], { input: seed }).stdout).toContain("checked 1 file: no problems");
    const bad = bkp(["check", "-"], { input: 'policy "pol" {\n  scedule daily at 02:00\n}\n' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("--> <stdin>:2:3");
    expect(JSON.parse(bkp(["plan", "--format", "json", "-"], { input: seed, env }).stdout).kind).toBe("plan");
    expect(JSON.parse(bkp(["cost", "--format", "json", "-"], { input: seed, env }).stdout).kind).toBe("cost");
    expect(bkp(["lint", "-"], { input: seed }).code).toBe(0);
    expect(bkp(["fmt", "--check", "-"], { input: seed }).code).toBe(0);
  });

  it("the engine's commands take the directory bkp init writes: backup, points, verify and restore of a sparse image", () => {
    const set = join(dir, "starter");
    expect(bkp(["init", set]).code).toBe(0);
    const img = join(dir, "os.raw");
    writeFileSync(img, "");
    truncateSync(img, 64 * 1024 * 1024);
    const data = randomBytes(3 * 1024 * 1024);
    const fd = openSync(img, "r+");
    writeSync(fd, data, 0, data.length, 10 * 1024 * 1024);
    closeSync(fd);
    const vms = join(set, "vms.bkp");
    writeFileSync(vms, readFileSync(vms, "utf8").replace(/disk "os" \{ role os size 64 GB used 20 GB \}/, `disk "os" { role os size 64 GB used 20 GB image "${img}" }`));
    const menv = { ...env, BKP_MACHINE_SECRET: join(dir, "machine.key") };
    const b = bkp(["backup", "--now", set], { env: menv });
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(b.stdout).toMatch(/os +64\.0 MiB +full +read 3\.00 MiB/); // the holes were not read
    expect(bkp(["points", set], { env: menv }).stdout.trim().split("\n")).toHaveLength(2);
    expect(bkp(["verify", set], { env: menv }).code).toBe(0);
    const out = join(dir, "restored");
    const r = bkp(["restore", set, "--vm", "app-01", "--from", "vault", "--to", out], { env: menv });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readFileSync(join(out, "os.raw")).equals(readFileSync(img))).toBe(true);
  });

  it("a directory without .bkp files is a usage error", () => {
    const r = bkp(["check", join(ROOT, "docs", "schemas")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("holds no .bkp files");
  });
});

describe("bkp fmt --diff", () => {
  it("prints a unified diff that patch applies, changes nothing, exits 1; 0 when formatted", () => {
    const work = join(dir, "fleet");
    cpSync(fleet, work, { recursive: true });
    const messy = join(work, "20-frontends.bkp");
    const formatted = readFileSync(messy, "utf8");
    const unformatted = formatted.replace(/\n {2}/g, "\n      ");
    writeFileSync(messy, unformatted);
    const r = bkp(["fmt", "--diff", "fleet"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^--- a\/fleet\/20-frontends.bkp\n\+\+\+ b\/fleet\/20-frontends.bkp\n@@ /);
    expect(readFileSync(messy, "utf8")).toBe(unformatted);
    const patch = spawnSync("patch", ["-p1", "-s"], { cwd: dir, input: r.stdout, encoding: "utf8" });
    expect(patch.status, patch.stderr).toBe(0);
    expect(readFileSync(messy, "utf8")).toBe(formatted);
    expect(bkp(["fmt", "--diff", "fleet"], { cwd: dir })).toMatchObject({ code: 0, stdout: "" });
  });
});
