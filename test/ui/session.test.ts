// The session's machinery below the screen: incremental parsing, billing in cached parts,
// undo, and the write-back diff.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { computeCost } from "../../src/analyze/index.js";
import { money } from "../../src/analyze/json.js";
import { parseFile } from "../../src/lang/index.js";
import { applyEdit, parseFileState } from "../../src/ui/file-state.js";
import { unifiedDiff } from "../../src/ui/line-diff.js";
import { policySets } from "../helpers.js";
import { FIXTURE, open, SEED, TOUR } from "./helpers.js";

/** An AST as data, without offsets (those of blocks after an edit are not kept up to date; lines and columns are). */
const shape = (x: unknown) => JSON.stringify(x, (k, v) => (k === "offset" ? undefined : v));

describe("incremental parsing", () => {
  it("gives the AST a full parse gives, for every edit of every field of every VM of the example sets", () => {
    let edits = 0;
    for (const files of [...policySets(), [FIXTURE]]) {
      const s = open(files);
      const seen = new Set<string>();
      for (const row of s.analysis.rows) {
        for (const f of s.fields(row.vm.name)) {
          // A policy's or vault's field is the same edit from each of its VMs: try it once.
          const key = f.id.startsWith("disk:") ? `${row.vm.name}/${f.id}` : `${f.scope}/${f.id}`;
          if (seen.has(key)) continue;
          seen.add(key);
          for (const dir of [1, -1] as const) {
            const before = new Map(files.map((p) => [p, s.text(p)!]));
            const r = s.change(row.vm.name, f.id, dir);
            if (!r.ok) continue;
            edits++;
            for (const p of files) {
              const text = s.text(p)!;
              if (text === before.get(p)) continue;
              const full = parseFile(p, text);
              const state = s.file(p)!;
              expect(shape(state.ast.blocks), `${p} after ${r.message}`).toBe(shape(full.ast.blocks));
              expect(shape(state.ast.comments)).toBe(shape(full.ast.comments));
            }
            s.undo();
            for (const p of files) expect(s.text(p)).toBe(before.get(p));
          }
        }
      }
    }
    expect(edits).toBeGreaterThan(100);
  });

  it("falls back to a full parse when an edit adds a line", () => {
    const fs = parseFileState("a.bkp", 'vault "vt" { path "x" }\npolicy "pol" { schedule daily at 21:00 retain daily 7 days }\n');
    const at = fs.text.indexOf("{ path");
    const next = applyEdit(fs, { file: "a.bkp", start: at + 1, end: at + 1, text: "\n  redundancy LRS\n" });
    expect(shape(next.ast)).toBe(shape(parseFile("a.bkp", next.text).ast));
    expect(next.ast.blocks[1].range.start.line).toBe(4);
  });
});

/** What the views show of an analysis, as data. */
function seen(s: ReturnType<typeof open>) {
  const a = { ...s.analysis, cost: s.analysis.cost! };
  return {
    total: money(a.cost.monthlyTotal),
    vms: a.cost.vms.map((v) => [v.vm.name, money(v.monthlyTotal), money(v.storageFee), v.protectedInstanceGB.toString()]),
    projection: a.cost.projection.map((m) => money(m.total)),
    findings: a.findings.map((f) => [f.code, f.severity, f.file, f.range?.start.line, f.range?.start.column, f.message, f.vms.join(",")]),
    rows: a.rows.map((r) => [r.vm.name, r.next === undefined ? "-" : a.plan.plan.jobs[r.next].run.utc, r.next === undefined ? 0 : Math.round(a.plan.timings[r.next].durationSeconds), r.consistency.level, r.worst?.code ?? "-"]),
    restores: a.plan.plan.restores.map((x) => x.accounts.map((c) => [c.account.name, c.vms.map((v) => v.vm.name).join(","), Math.round(c.seconds)])),
  };
}

describe("incremental analysis", () => {
  it("after every kind of edit, shows what a fresh session of the edited files shows", () => {
    let edits = 0;
    for (const files of [[SEED], [FIXTURE], TOUR]) {
      const s = open(files);
      const done = new Set<string>();
      for (const row of s.analysis.rows) {
        for (const f of s.fields(row.vm.name)) {
          const key = f.id.startsWith("disk:") ? `${row.vm.name}/${f.id}` : `${f.scope}/${f.id}`;
          if (done.has(key)) continue;
          done.add(key);
          for (const dir of [1, -1, -1] as const) {
            const r = s.change(row.vm.name, f.id, dir);
            if (!r.ok) continue;
            edits++;
            const fresh = open(files.map((p) => ({ path: p, text: s.text(p)! })));
            expect(seen(s), r.message).toEqual(seen(fresh));
          }
        }
      }
      // Undo all the way back: the first analysis again.
      while (s.undo().ok);
      expect(seen(s)).toEqual(seen(open(files)));
    }
    expect(edits).toBeGreaterThan(50);
  });
});

describe("billing in parts", () => {
  it("adds up to what computeCost bills for the whole set, VM by VM, vault by vault, month by month", () => {
    for (const files of [...policySets(), [FIXTURE]]) {
      const s = open(files);
      const a = { ...s.analysis, cost: s.analysis.cost! };
      const whole = computeCost(a.model, { from: "2026-05-01", months: a.model.assumptions.horizonMonths });
      expect(money(a.cost.monthlyTotal), files.join(",")).toBe(money(whole.monthlyTotal));
      expect(a.cost.vms.map((v) => [v.vm.name, money(v.monthlyTotal), v.protectedInstanceGB.toString()])).toEqual(whole.vms.map((v) => [v.vm.name, money(v.monthlyTotal), v.protectedInstanceGB.toString()]));
      expect(a.cost.vaults.map((v) => v.projection.map((m) => money(m.total)))).toEqual(whole.vaults.map((v) => v.projection.map((m) => money(m.total))));
      expect(a.cost.projection.map((m) => money(m.total))).toEqual(whole.projection.map((m) => money(m.total)));
      expect(a.cost.notes.map((n) => n.code).sort()).toEqual(whole.notes.map((n) => n.code).sort());
    }
  });

  it("bills again only the group of VMs an edit touches, and finds the old groups again on undo", () => {
    const s = open([FIXTURE]);
    s.change("big", "retain-daily", 1);
    // "noon" with vault "main": one group of three VMs; "four-hourly" is kept.
    expect(s.costGroupsComputed).toBe(1);
    s.undo();
    expect(s.costGroupsComputed).toBe(0);
    s.change("big", "redundancy", 1);
    // A redundancy only changes the storage price: both groups of the vault are re-priced.
    expect(s.costGroupsComputed).toBe(0);
    expect(s.costGroupsRepriced).toBe(2);
  });

  it("re-prices a vault's groups for each redundancy exactly as computeCost bills them", () => {
    for (const files of [[SEED], [FIXTURE], ...policySets()]) {
      const s = open(files);
      const vm = s.analysis.rows[0].vm.name;
      for (let i = 0; i < 4; i++) {
        expect(s.change(vm, "redundancy", 1).ok).toBe(true);
        const a = { ...s.analysis, cost: s.analysis.cost! };
        const whole = computeCost(a.model, { from: "2026-05-01", months: a.model.assumptions.horizonMonths });
        const label = `${files.join(",")} ${a.model.vms.get(vm)!.vault.redundancy}`;
        expect(a.cost.vms.map((v) => [v.vm.name, money(v.storageFee), money(v.monthlyTotal)]), label).toEqual(whole.vms.map((v) => [v.vm.name, money(v.storageFee), money(v.monthlyTotal)]));
        expect(a.cost.projection.map((m) => money(m.total)), label).toEqual(whole.projection.map((m) => money(m.total)));
        expect(a.cost.vaults.map((v) => [v.vault.name, v.vault.redundancy, money(v.monthlyTotal)]), label).toEqual(whole.vaults.map((v) => [v.vault.name, v.vault.redundancy, money(v.monthlyTotal)]));
      }
    }
  });
});

describe("session", () => {
  it("refuses an edit that makes the set invalid, leaving the text as it was", () => {
    const s = open([FIXTURE]);
    const text = s.text(FIXTURE);
    const r = s.change("churny", "retain-daily", -1);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^not applied: retain daily 7 → 6 days — /);
    expect(s.text(FIXTURE)).toBe(text);
    expect(s.undoDepth).toBe(0);
  });

  it("a schedule off the half-hour grid steps onto it first", () => {
    const text = readFileSync(SEED, "utf8").replace("02:30", "02:15");
    const s = open([{ path: "s.bkp", text }]);
    expect(s.change("a2-standard", "schedule", 1).message).toMatch(/^schedule 02:15 → 02:30/);
    expect(s.change("a2-standard", "schedule", -1).message).toMatch(/^schedule 02:30 → 02:00/);
    expect(s.change("a2-standard", "schedule", -1).message).toMatch(/^schedule 02:00 → 01:30/);
  });

  it("changes() holds the formatted text of each changed file and its diff", () => {
    const s = open([SEED]);
    expect(s.changes()).toEqual([]);
    s.change("a2-standard", "retain-weekly", 1);
    const [c] = s.changes();
    expect(c.path).toBe(SEED);
    expect(c.diff.filter((d) => d.kind === "add" || d.kind === "remove").map((d) => d.text)).toContain("+  retain weekly 13 weeks on Sun");
    s.undo();
    expect(s.changes()).toEqual([]);
  });
});

describe("unified diff", () => {
  it("shows changed lines with three lines of context and hunk headers", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"].join("\n") + "\n";
    const b = a.replace("5\n", "five\n").replace("10\n", "10\n11\n");
    expect(unifiedDiff("x.bkp", a, b).map((d) => d.text)).toEqual([
      "--- a/x.bkp",
      "+++ b/x.bkp",
      "@@ -2,9 +2,10 @@",
      " 2",
      " 3",
      " 4",
      "-5",
      "+five",
      " 6",
      " 7",
      " 8",
      " 9",
      " 10",
      "+11",
    ]);
    expect(unifiedDiff("x.bkp", a, a)).toEqual([]);
  });

  it("keeps distant changes in separate hunks", () => {
    const a = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const b = a.replace("line 2\n", "").replace("line 28\n", "line 28\nnew\n");
    const hunks = unifiedDiff("/abs/x.bkp", a, b).filter((d) => d.kind === "hunk").map((d) => d.text);
    expect(hunks).toEqual(["--- /abs/x.bkp", "+++ /abs/x.bkp", "@@ -1,5 +1,4 @@", "@@ -26,5 +25,6 @@"]);
  });
});
