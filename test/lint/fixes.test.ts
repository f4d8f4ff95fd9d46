// Following the linter never leads into a wall: every rule's --fix, and the file written as its
// hint says (its "good" example), passes `bkp check`, no longer trips the rule, and — where the
// file exported before — still exports (`bkp export azure`). Export is checked only where it is
// meaningful: a fix must not make an exportable policy unexportable; a policy that was not
// exportable before (for reasons of its own) is not the rule's business.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportProblems } from "../../src/interop/export-azure.js";
import { applyFixes } from "../../src/lint/fix.js";
import { lint } from "../../src/lint/lint.js";
import { RULES } from "../../src/lint/rules/index.js";
import { loadTexts } from "../../src/model/load.js";
import { NOW, exampleDir } from "./harness.js";

const dir = mkdtempSync(join(tmpdir(), "bkp-fixes-"));
let path = join(dir, "policy.bkp");

function outcome(text: string) {
  const set = loadTexts([{ path, text }]);
  const diags = lint(set, { now: NOW });
  const exportable = set.model ? [...set.model.policies.values()].every((p) => exportProblems(p, "azure").every((d) => d.severity !== "error")) : false;
  return { set, diags, errors: set.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), exportable };
}

describe("following the linter", () => {
  it.each(RULES.map((r) => [r.name, r] as const))("%s: its fix and its good example pass check, the rule, and export", (_n, rule) => {
    // Beside the files its examples name (a disk image of a given size, say).
    path = join(exampleDir(rule), "policy.bkp");
    const bad = outcome(rule.examples.bad);
    const mine = bad.diags.filter((d) => d.rule === rule.name);
    expect(mine.length).toBeGreaterThan(0);
    const results: [string, ReturnType<typeof outcome>][] = [["good example", outcome(rule.examples.good)]];
    if (mine.some((d) => d.fix?.length)) {
      const fixed = applyFixes(new Map([[path, rule.examples.bad]]), mine).texts.get(path)!;
      results.push(["--fix", outcome(fixed)]);
    }
    for (const [what, r] of results) {
      expect(r.errors, what).toEqual([]);
      expect(r.diags.filter((d) => d.rule === rule.name).map((d) => d.message), what).toEqual([]);
      if (bad.exportable) expect(r.exportable, `${what} no longer exports`).toBe(true);
    }
  });
});

describe("stopped VMs and crash consistency", () => {
  path = join(dir, "policy.bkp");
  const VAULT = 'vault "prod" {\n  redundancy GRS\n}\n\n';
  const policy = (extra = "") => `policy "daily" {\n  schedule daily at 02:30\n${extra}  retain daily 30 days\n}\n\n`;
  const vm = (state: string) => `vm "old" {\n  os windows\n  state ${state}\n  policy "daily"\n  vault "prod"\n  disk "os" { role os size 64 GB used 20 GB }\n}\n`;
  const rules = (text: string) => outcome(text).diags.map((d) => d.rule);

  it("the stopped-VM hint, followed as written, gives a file that lints clean and exports", () => {
    const text = VAULT + policy() + vm("stopped");
    const hint = outcome(text).diags.find((d) => d.rule === "stopped-vm-crash-consistent")!.hint!;
    const comment = /# bkp-ignore: stopped-vm-crash-consistent -- <why>/.exec(hint)![0].replace("<why>", "decommissioned, kept for its points");
    const followed = outcome(text.replace("  state stopped", `  ${comment}\n  state stopped`));
    expect(followed.errors).toEqual([]);
    expect(followed.diags).toEqual([]);
    expect(followed.exportable).toBe(true);
  });

  it("vss-full-implicit does not fire for a stopped Windows VM, nor under consistency crash; --fix adds no vss there", () => {
    for (const text of [VAULT + policy() + vm("stopped"), VAULT + policy("  consistency crash\n") + vm("running"), VAULT + policy("  consistency agentless-crash\n") + vm("running")]) {
      expect(rules(text)).not.toContain("vss-full-implicit");
      const fixed = applyFixes(new Map([[path, text]]), outcome(text).diags).texts.get(path) ?? text;
      expect(fixed).not.toContain("vss full");
    }
    expect(rules(VAULT + policy() + vm("running"))).toContain("vss-full-implicit");
  });
});
