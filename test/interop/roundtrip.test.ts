// The two round trips of issue #8:
//   import(export(p)) = p  for every policy in policies/ (compared as the lowered model), and
//   export(import(j)) ≈ j  for every fixture (compared after normalize(): see below).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportAzure } from "../../src/interop/export-azure.js";
import { importAzure } from "../../src/interop/import-azure.js";
import { loadPolicySet, loadTexts } from "../../src/model/load.js";
import type { Policy } from "../../src/model/model.js";
import { resolveZone } from "../../src/model/time-zones.js";
import { policySets, ROOT } from "../helpers.js";
import { meaning, normalize, type Json } from "./azure-normalize.js";

/** What export must refuse, predicted from the policy (docs/azure-interop.md, "Limits"). */
function expectedRefusals(p: Policy): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const line = (n: { range: { start: { line: number } } } | undefined) => (n ?? p.ast.name).range.start.line;
  if (p.vss === "copy") out.push({ code: "BKP6102", line: line(p.ast.vss) });
  const s = p.schedule;
  const at = s.kind === "hourly" ? s.start : s.at;
  if (at.minute !== 0 && at.minute !== 30) out.push({ code: "BKP6103", line: line(p.ast.schedule) });
  const z = resolveZone(p.zoneWritten);
  if (!z.ok || !z.windows) out.push({ code: "BKP6104", line: line(p.ast.timezone) });
  return out;
}

describe("import(export(p)) equals p for every policy in policies/", () => {
  // policies/ plus a set that uses every form Azure can hold (policies/ has some it cannot).
  const sets = [...policySets(), [join(ROOT, "test/interop/fixtures/roundtrip.bkp")]];
  it("finds the policy sets", () => expect(sets.length).toBeGreaterThan(0));

  for (const files of sets) {
    const label = files.map((f) => f.slice(ROOT.length + 1)).join(", ");
    it(label, () => {
      const set = loadPolicySet(files);
      expect(set.diagnostics.filter((d) => d.severity === "error"), "policies/ must check").toEqual([]);
      for (const p of set.model!.policies.values()) {
        const refusals = expectedRefusals(p);
        const out = exportAzure(p);
        if (refusals.length) {
          // Not expressible in Azure: a located error at the offending line, nothing written.
          expect(out.resource).toBeUndefined();
          expect(out.diagnostics.filter((d) => d.severity === "error").map((d) => ({ code: d.code, line: d.range.start.line }))).toEqual(refusals);
          for (const d of out.diagnostics) expect(d.file).toBe(p.ast.file);
          continue;
        }
        expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const json = JSON.stringify(out.resource, null, 2);
        const imported = importAzure([{ path: `${p.name}.json`, text: json }]);
        expect(imported.diagnostics).toEqual([]);
        const back = loadTexts([{ path: "roundtrip.bkp", text: imported.text! }]);
        expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
        const q = back.model!.policies.get(p.name);
        expect(q, `policy "${p.name}" comes back`).toBeDefined();
        expect(meaning(q!)).toEqual(meaning(p));
        // The zone comes back as Azure's Windows name for the same IANA zone.
        expect(q!.zone).toBe(p.zone);
      }
    });
  }

  it("round-trips at least one policy of every schedule kind", () => {
    const kinds = new Set<string>();
    for (const files of sets) {
      for (const p of loadPolicySet(files).model?.policies.values() ?? []) if (!expectedRefusals(p).length) kinds.add(p.schedule.kind);
    }
    expect([...kinds].sort()).toEqual(["daily", "hourly", "weekly"]);
  });
});

// ---- export(import(j)) ≈ j --------------------------------------------------------------

/** The policies of a fixture, in document order, with the name import gives each. */
function policiesOf(file: string, doc: Json): { name: string; properties: Json }[] {
  const base = file.replace(/^.*\//, "").replace(/\.json$/, "");
  const item = (x: { [k: string]: Json }, fallback: string) => ({ name: (x.name as string) ?? fallback, properties: x.properties });
  if (Array.isArray(doc)) return doc.map((x, i) => item(x as { [k: string]: Json }, `${base}-${i + 1}`));
  const o = doc as { [k: string]: Json };
  if (Array.isArray(o.value)) return o.value.map((x, i) => item(x as { [k: string]: Json }, `${base}-${i + 1}`));
  if (o.parameters) {
    const p = o.parameters as { [k: string]: Json };
    return [item(p.parameters as { [k: string]: Json }, (p.policyName as string) ?? base)];
  }
  return [item(o, base)];
}

describe("export(import(j)) is equivalent to j for every fixture", () => {
  const dir = join(ROOT, "test/interop/fixtures/valid");
  const fixtures = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  it("has a fixture for each input form", () => {
    expect(fixtures).toEqual(expect.arrayContaining(["put-v1-daily.json", "resource-v1-weekly.json", "list-array.json", "list-value.json", "example-wrapper.json"]));
  });

  for (const f of fixtures) {
    it(f, () => {
      const path = join(dir, f);
      const text = readFileSync(path, "utf8");
      const imported = importAzure([{ path, text }]);
      expect(imported.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const set = loadTexts([{ path: "imported.bkp", text: imported.text! }]);
      expect(set.diagnostics.filter((d) => d.severity === "error")).toEqual([]);

      const originals = policiesOf(path, JSON.parse(text) as Json);
      expect(imported.policies.map((p) => p.name)).toEqual(originals.map((o) => o.name));
      for (const o of originals) {
        const out = exportAzure(set.model!.policies.get(o.name)!);
        expect(out.diagnostics).toEqual([]);
        expect(out.resource!.name).toBe(o.name);
        expect(normalize(out.resource!.properties as unknown as Json)).toEqual(normalize(o.properties));
      }
    });
  }

  it("normalize() is not vacuous: a changed count is a difference", () => {
    const path = join(dir, "put-v1-daily.json");
    const doc = JSON.parse(readFileSync(path, "utf8")) as { properties: { retentionPolicy: { dailySchedule: { retentionDuration: { count: number } } } } };
    const changed = structuredClone(doc);
    changed.properties.retentionPolicy.dailySchedule.retentionDuration.count = 22;
    expect(normalize(changed.properties as unknown as Json)).not.toEqual(normalize(doc.properties as unknown as Json));
  });
});
