// Issue #14: every real, published Azure document of test/fixtures/azure-corpus (manifest.json
// names each one's repository, path and commit) imports, checks and round-trips:
//   import -> .bkp; bkp check; export azure; export == the original up to normalize()
// (azure-normalize.ts, documented in docs/azure-interop.md). Documents Azure's current rules
// reject (a daily retention of 1 day, below today's 7-day minimum) import and are refused by
// `bkp check` at the line of the setting: manifest.json lists them (`refused`, with the why),
// and the test fails if any other document is refused or one of them starts to pass.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { armParameterValues, armPolicies, isArmTemplate } from "../../src/interop/arm-template.js";
import { exportAzure } from "../../src/interop/export-azure.js";
import { exportTerraform } from "../../src/interop/export-terraform.js";
import { exportVaultsAzure } from "../../src/interop/export-vault.js";
import { importAzure, type ImportInput } from "../../src/interop/import-azure.js";
import { parseJson, toPlain, type JsonObject } from "../../src/interop/json-locate.js";
import { loadTexts } from "../../src/model/load.js";
import { ROOT } from "../helpers.js";
import { normalize, type Json } from "./azure-normalize.js";

interface Doc {
  file: string;
  repo: string;
  path: string;
  commit: string | null;
  kind: string;
  parameters?: { file: string };
  /** Policies of the document `bkp check` refuses, with the reason (documented refusals). */
  refused?: Record<string, string>;
}

const DIR = join(ROOT, "test/fixtures/azure-corpus");
const manifest = JSON.parse(readFileSync(join(DIR, "manifest.json"), "utf8")) as { documents: Doc[] };

/**
 * Policies `bkp check` refuses, by document and policy name, with the reason: the manifest's
 * `refused` lists (documented refusals). Each is cross-checked against the document itself
 * (a 1-day daily retention), so the list can neither go stale nor hide another refusal.
 */
const EXPECTED_REFUSALS: Record<string, Record<string, string>> = Object.fromEntries(manifest.documents.filter((d) => d.refused).map((d) => [d.file, d.refused!]));

function policyNamesWithOneDay(d: Doc): string[] {
  const text = readFileSync(join(DIR, d.file), "utf8");
  const names: string[] = [];
  const parsed = JSON.parse(text) as Json;
  const visit = (v: Json, name?: string) => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, name));
    if (!v || typeof v !== "object") return;
    const n = typeof v.name === "string" ? v.name : typeof v.policyName === "string" ? v.policyName : name;
    const ds = (v as { dailySchedule?: { retentionDuration?: { count?: number } } }).dailySchedule;
    if (ds?.retentionDuration?.count === 1 && n && !names.includes(n)) names.push(n);
    for (const x of Object.values(v)) visit(x, n);
  };
  visit(parsed);
  return names;
}

/** The original policy object at an import path such as `responses["200"].body.value[1]`. */
function at(doc: Json, path: string): Json {
  let v = doc;
  for (const m of path.matchAll(/([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["([^"]+)"\]/g)) {
    const key = m[1] ?? m[3] ?? Number(m[2]);
    v = (v as Record<string | number, Json>)[key];
  }
  return v;
}

const counts = { tried: 0, importing: 0, checking: 0, roundTripping: 0, policies: 0, policiesRoundTripping: 0 };
const refusedDocs: string[] = [];

describe("the Azure corpus: real published documents import, check and round-trip", () => {
  it("has at least 40 documents, each with its source", () => {
    expect(manifest.documents.length).toBeGreaterThanOrEqual(40);
    for (const d of manifest.documents) {
      expect(d.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(d.path.length).toBeGreaterThan(0);
      // A documented refusal names exactly the document's policies with a 1-day daily retention.
      expect(Object.keys(d.refused ?? {}).sort(), d.file).toEqual(d.kind.startsWith("arm") ? [] : policyNamesWithOneDay(d).sort());
    }
  });

  for (const d of manifest.documents) {
    it(d.file, () => {
      counts.tried++;
      const text = readFileSync(join(DIR, d.file), "utf8");
      const input: ImportInput = { path: d.file, text };
      const parameters = d.parameters ? { path: d.parameters.file, text: readFileSync(join(DIR, d.parameters.file), "utf8") } : undefined;
      const result = importAzure([input], { parameters });
      expect(result.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
      if (d.kind.startsWith("vault-")) {
        vaultRoundTrip(d, text, result.text);
        counts.importing++;
        counts.checking++;
        counts.roundTripping++;
        return;
      }
      if (d.file.includes("AzureWorkload")) {
        // A vault's SQL policies: each skipped by name, none imported.
        expect(result.text).toBeUndefined();
        expect(result.diagnostics.map((x) => x.code)).toEqual(["BKP6020"]);
        expect(result.diagnostics[0].message).toContain('"HourlyLogBackup"');
        counts.importing++;
        counts.checking++;
        counts.roundTripping++;
        return;
      }
      // Imported: at least one policy block, and the policies it reports are the ones in the text.
      expect(result.policies.length).toBeGreaterThan(0);
      for (const p of result.policies) expect(result.text).toContain(`policy "${p.name}"`);
      counts.importing++;

      const set = loadTexts([{ path: "imported.bkp", text: result.text! }]);
      const errors = set.diagnostics.filter((x) => x.severity === "error");
      const expected = EXPECTED_REFUSALS[d.file] ?? {};
      // Every refusal is the expected one, at the policy it names.
      const refused = new Set<string>();
      for (const e of errors) {
        const policy = set.files.get("imported.bkp")!.ast.blocks.filter((b) => b.kind === "policy").find((p) => p.range.start.offset <= e.range.start.offset && e.range.end.offset <= p.range.end.offset);
        expect(Object.keys(expected), `error ${e.code} ${e.message} is inside a policy the manifest says is refused`).toContain(policy?.name.value);
        expect(e.code).toBe("BKP2010");
        refused.add(policy!.name.value);
      }
      expect([...refused].sort()).toEqual(Object.keys(expected).sort());
      if (!refused.size) counts.checking++;
      else refusedDocs.push(`${d.file}: ${[...refused].map((n) => `"${n}" (${expected[n]})`).join(", ")}`);

      // Round trip of every policy check accepts.
      const original = JSON.parse(text) as Json;
      const arm = isArm(text, parameters?.text);
      let allRoundTrip = true;
      for (const p of result.policies) {
        counts.policies++;
        if (refused.has(p.name)) {
          allRoundTrip = false;
          continue;
        }
        const policy = set.model!.policies.get(p.name)!;
        const out = exportAzure(policy);
        expect(out.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
        const source = (arm ? arm.get(p.path) : at(original, p.path)) as { properties: Json };
        expect(normalize(out.resource!.properties as unknown as Json), `${p.name} round-trips`).toEqual(normalize(source.properties));
        // Terraform too: no error, and a resource named as the policy (azurerm, or azapi for what azurerm cannot say).
        const tf = exportTerraform([policy]);
        expect((tf.diagnostics ?? []).filter((x) => x.severity === "error"), "Terraform export").toEqual([]);
        expect(tf.text).toMatch(new RegExp(`resource "(azurerm_backup_policy_vm|azapi_resource)" "[^"]+" \\{[^]*name\\s+= "${p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`));
        counts.policiesRoundTripping++;
      }
      if (allRoundTrip) counts.roundTripping++;
    });
  }

  it("at least 40 documents import, check and round-trip", () => {
    expect(counts.tried).toBe(manifest.documents.length);
    expect(counts.roundTripping).toBeGreaterThanOrEqual(40);
  });

  afterAll(() => {
    console.log(
      `Azure corpus: ${counts.tried} documents tried, ${counts.importing} importing, ${counts.checking} checking without errors, ${counts.roundTripping} round-tripping ` +
        `(${counts.policiesRoundTripping} of ${counts.policies} policies round-trip)\nrefused by bkp check:\n  ${refusedDocs.join("\n  ")}`,
    );
  });
});

/** For an ARM template: the resolved policy resources by their JSON path. */
function isArm(text: string, params: string | undefined): Map<string, Json> | undefined {
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.value.kind !== "object" || !isArmTemplate(parsed.value)) return undefined;
  const p = params ? parseJson(params) : undefined;
  const values = p?.ok ? armParameterValues(p.value) : undefined;
  return new Map(armPolicies(parsed.value as JsonObject, values, () => {}).map((x) => [x.path, toPlain(x.obj) as Json]));
}

/** The vault settings bkp models, at their REST paths (the round trip compares these). */
const VAULT_FIELDS = [
  "properties.redundancySettings.standardTierStorageRedundancy",
  "properties.redundancySettings.crossRegionRestore",
  "properties.securitySettings.softDeleteSettings.softDeleteState",
  "properties.securitySettings.softDeleteSettings.softDeleteRetentionPeriodInDays",
  "properties.securitySettings.immutabilitySettings.state",
  "properties.restoreSettings.crossSubscriptionRestoreSettings.crossSubscriptionRestoreState",
  "properties.resourceGuardResourceId",
];

function dig(v: Json, path: string): Json | undefined {
  let x: Json | undefined = v;
  for (const k of path.split(".")) x = x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, Json>)[k] : undefined;
  return x;
}

/** A vault document: imports to a vault block that checks, and exports back every modelled setting it holds. */
function vaultRoundTrip(d: Doc, text: string, imported: string | undefined): void {
  expect(imported).toMatch(/^vault "[^"]+" \{/m);
  const set = loadTexts([{ path: "imported.bkp", text: imported! }]);
  expect(set.diagnostics.filter((x) => x.severity === "error")).toEqual([]);
  const doc = JSON.parse(text) as Json;
  const params = (doc as Record<string, Record<string, Json>>).parameters;
  const source = (params?.vault ?? params?.parameters ?? (doc as Record<string, Record<string, Record<string, Json>>>).responses["200"].body) as Json;
  const exported = exportVaultsAzure([...set.model!.vaults.values()]).resources!;
  const held = VAULT_FIELDS.filter((f) => dig(source, f) !== undefined);
  expect(held.length, d.file).toBeGreaterThan(0);
  for (const f of held) {
    const out = exported.map((r) => dig(r as unknown as Json, f)).find((x) => x !== undefined);
    expect(String(out).toLowerCase(), `${d.file}: ${f}`).toBe(String(dig(source, f)).toLowerCase());
  }
}
