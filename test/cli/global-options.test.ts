// bkp help TOPIC, bkp completion SHELL, --color auto|always|never, plan --vm.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bkp, ROOT } from "../helpers.js";

describe("global options and topics", () => {
  it("bkp help TOPIC prints the shipped documentation; an unknown topic lists them", () => {
    expect(bkp(["help", "json"]).stdout).toBe(readFileSync(join(ROOT, "docs", "json.md"), "utf8"));
    expect(bkp(["help", "language"]).stdout).toContain("## Blocks");
    const bad = bkp(["help", "nope"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("domain");
  });

  it("bkp completion bash|zsh|fish: scripts their shells accept, naming every command", () => {
    const bash = bkp(["completion", "bash"]).stdout;
    expect(spawnSync("bash", ["-n"], { input: bash }).status).toBe(0);
    for (const c of ["check", "fmt", "lint", "plan", "cost", "key", "help"]) expect(bash).toContain(c);
    expect(bkp(["completion", "zsh"]).stdout).toContain("compdef _bkp bkp");
    expect(bkp(["completion", "fish"]).stdout).toContain("complete -c bkp");
    expect(bkp(["completion", "tcsh"]).code).toBe(2);
  });

  it("--color always colours a pipe, never and NO_COLOR do not", () => {
    const file = "policies/seed-a2-standard.bkp";
    expect(bkp(["check", "--color", "always", file], { env: { NO_COLOR: "" } }).stdout).toContain("\u001b[");
    expect(bkp(["check", "--color=never", file], { env: { FORCE_COLOR: "1", NO_COLOR: "" } }).stdout).not.toContain("\u001b[");
    expect(bkp(["check", file], { env: { FORCE_COLOR: "1", NO_COLOR: "" } }).stdout).toContain("\u001b[");
    expect(bkp(["check", "--color", "sometimes", file]).code).toBe(2);
  });

  it("plan --vm NAME: only that VM's jobs, in every format", () => {
    const r = bkp(["plan", "--vm", "web-01", "--no-measured", "--format", "json", "policies/web-fleet"], { env: { BKP_TODAY: "2026-11-20" } });
    const plan = JSON.parse(r.stdout) as { vms: { name: string }[]; jobs: { vm: string }[] };
    expect(plan.vms.map((v) => v.name)).toEqual(["web-01"]);
    expect(plan.jobs.length).toBeGreaterThan(0);
    expect(new Set(plan.jobs.map((j) => j.vm))).toEqual(new Set(["web-01"]));
    for (const f of ["text", "markdown"]) expect(bkp(["plan", "--vm", "web-01", "--no-measured", "--format", f, "policies/web-fleet"]).code).toBe(0);
    expect(bkp(["plan", "--vm", "nobody", "policies/web-fleet"]).code).toBe(2);
  });
});
