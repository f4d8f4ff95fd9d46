// Running rules on policy text, for the rule tests.
import { closeSync, ftruncateSync, mkdtempSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { lint, type LintOptions } from "../../src/lint/lint.js";
import type { LintDiagnostic, Rule } from "../../src/lint/rule.js";
import { loadTexts } from "../../src/model/load.js";

export const NOW = DateTime.fromISO("2026-11-26T09:00:00Z", { zone: "utc" });

/** Lints `text` as the file policy.bkp in `dir` (a fresh temp dir by default). */
export function lintText(text: string, opts: LintOptions & { dir?: string } = {}): { diags: LintDiagnostic[]; checker: LintDiagnostic[] } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "bkp-lint-"));
  const set = loadTexts([{ path: join(dir, "policy.bkp"), text }]);
  return { diags: lint(set, { now: NOW, ...opts }), checker: set.diagnostics };
}

export function findings(rule: Rule, text: string, opts: LintOptions & { dir?: string } = {}): LintDiagnostic[] {
  return lintText(text, opts).diags.filter((d) => d.rule === rule.name);
}

/** A fresh folder holding the rule's example files (sparse, of their sizes). */
export function exampleDir(rule: Rule): string {
  const dir = mkdtempSync(join(tmpdir(), "bkp-lint-"));
  for (const [name, size] of Object.entries(rule.exampleFiles ?? {})) {
    const fd = openSync(join(dir, name), "w");
    ftruncateSync(fd, size);
    closeSync(fd);
  }
  return dir;
}

/** The tests every rule gets: its documented examples are valid, and it fires on exactly the bad one. */
export function describeRule(rule: Rule, more?: () => void): void {
  describe(`${rule.name} (${rule.code})`, () => {
    it("has its documentation: what, why (citing the domain), instead", () => {
      expect(rule.name).toMatch(/^[a-z]+(-[a-z0-9]+)+$/);
      expect(rule.code).toMatch(/^BKP4\d{3}$/);
      expect(rule.docs.what.length).toBeGreaterThan(20);
      expect(rule.docs.why.length).toBeGreaterThan(20);
      expect(rule.docs.instead.length).toBeGreaterThan(10);
    });

    it("its examples are valid policy sets (no checker errors)", () => {
      const errors = (text: string) => lintText(text).checker.filter((d) => d.severity === "error");
      expect(errors(rule.examples.bad)).toEqual([]);
      expect(errors(rule.examples.good)).toEqual([]);
    });

    it("fires on the bad example, with a located message and a hint", () => {
      const f = findings(rule, rule.examples.bad, { dir: exampleDir(rule) });
      expect(f.length).toBeGreaterThanOrEqual(1);
      for (const d of f) {
        expect(d.code).toBe(rule.code);
        expect(d.range.start.line).toBeGreaterThanOrEqual(1);
        expect(d.hint).toBeTruthy();
      }
    });

    it("does not fire on the good example", () => {
      expect(findings(rule, rule.examples.good, { dir: exampleDir(rule) })).toEqual([]);
    });

    more?.();
  });
}
