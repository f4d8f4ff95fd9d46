// Issue #14's property: any policy set `bkp check` accepts exports to Azure JSON and to
// Terraform without error, and the Azure export imports back to the same model. Policies are
// generated over every form the language has for a policy (schedules, types, zones in any
// spelling, instant restore, consistency, retention with and without times, tiering, the
// instant-restore resource group, archive after/recommended/never); and a VM's security type and
// disk tiers against its policy type and consistency.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportAzure } from "../../src/interop/export-azure.js";
import { exportTerraform } from "../../src/interop/export-terraform.js";
import { exportVaultsAzure, exportVaultsTerraform } from "../../src/interop/export-vault.js";
import { importAzure } from "../../src/interop/import-azure.js";
import { loadTexts } from "../../src/model/load.js";
import type { Policy, TimeOfDay, Vault } from "../../src/model/model.js";
import { meaning } from "./azure-normalize.js";

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const ZONES = ["UTC", "utc", "Europe/paris", "Asia/Tokyo", "Tokyo Standard Time", "America/New_York", "India Standard Time", "W. Europe Standard Time"];

const hhmm = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.constantFrom(0, 30) }).map(({ h, m }) => `${String(h).padStart(2, "0")}:${m === 0 ? "00" : "30"}`);
const someOf = <T>(xs: T[]) => fc.subarray(xs, { minLength: 1 }).map((s) => [...s]);

const policyText = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{2,20}$/),
    kind: fc.constantFrom("daily", "weekly", "hourly"),
    enhanced: fc.boolean(),
    at: hhmm,
    days: someOf(DAYS),
    interval: fc.constantFrom(4, 6, 8, 12),
    windows: fc.integer({ min: 1, max: 6 }),
    zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
    ir: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
    consistency: fc.option(fc.constantFrom("application", "file-system", "crash", "agentless-crash"), { nil: undefined }),
    daily: fc.integer({ min: 7, max: 9999 }),
    retainAt: fc.option(hhmm, { nil: undefined }),
    weekly: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
    monthly: fc.option(fc.record({ n: fc.integer({ min: 1, max: 120 }), byDay: fc.boolean(), dom: someOf([1, 15, 28, "last"] as (number | "last")[]), ord: someOf(["first", "second", "last"]) }), { nil: undefined }),
    yearly: fc.option(fc.record({ n: fc.integer({ min: 1, max: 99 }), months: someOf(MONTHS) }), { nil: undefined }),
    archive: fc.constantFrom(undefined, "after", "recommended", "never"),
    archiveMonths: fc.integer({ min: 3, max: 24 }),
    rg: fc.option(fc.record({ prefix: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), suffix: fc.option(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { nil: undefined }) }), { nil: undefined }),
  })
  .map((g) => {
    const hourly = g.kind === "hourly";
    const enhanced = hourly || g.enhanced || g.consistency === "agentless-crash";
    const weekly = g.kind === "weekly";
    const lines: string[] = [];
    if (g.kind === "daily") lines.push(`schedule daily at ${g.at}`);
    else if (weekly) lines.push(`schedule weekly on ${g.days.join(", ")} at ${g.at}`);
    else lines.push(`schedule every ${g.interval} hours from ${g.at} for ${Math.min(24, g.interval * g.windows)} hours`);
    if (enhanced && !hourly) lines.push("type enhanced");
    if (g.zone) lines.push(`timezone "${g.zone}"`);
    if (g.ir !== undefined) lines.push(`instant-restore ${weekly && !enhanced ? 5 : enhanced ? g.ir : 1 + (g.ir % 5)} days`);
    if (g.consistency) lines.push(`consistency ${g.consistency}`);
    if (g.rg) lines.push(`instant-restore-resource-group "${g.rg.prefix}"${g.rg.suffix ? ` suffix "${g.rg.suffix}"` : ""}`);
    const at = g.retainAt ? ` at ${g.retainAt}` : "";
    const days = weekly ? g.days : ["Sun"];
    if (!weekly) lines.push(`retain daily ${g.daily} days${at}`);
    if (weekly || g.weekly !== undefined) lines.push(`retain weekly ${g.weekly ?? 12} weeks on ${days.join(", ")}`);
    const on = (m: NonNullable<typeof g.monthly>) => (m.byDay && !weekly ? `day ${m.dom.join(", ")}` : `${m.ord.join(", ")} ${days.join(", ")}`);
    if (g.monthly) lines.push(`retain monthly ${g.monthly.n} months on ${on(g.monthly)}`);
    if (g.yearly) lines.push(`retain yearly ${g.yearly.n} years in ${g.yearly.months.join(", ")} on ${g.monthly ? on(g.monthly) : `first ${days[0]}`}`);
    if ((g.monthly || g.yearly) && g.archive === "after") lines.push(`archive after ${g.archiveMonths} months`);
    if (g.archive === "never") lines.push("archive never");
    if ((g.monthly || g.yearly) && g.archive === "recommended") lines.push("archive recommended");
    return `policy "${g.name}" {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;
  });

/** A retention time equal to the schedule's is the default: export and import drop it. */
function same(p: Policy) {
  const s = p.schedule;
  const t: TimeOfDay = s.kind === "hourly" ? s.start : s.at;
  const eq = (x?: TimeOfDay) => (x && (x.hour !== t.hour || x.minute !== t.minute) ? x : undefined);
  const r = p.retention;
  const m = meaning(p);
  return {
    ...m,
    retention: {
      daily: r.daily && { ...r.daily, at: eq(r.daily.at) },
      weekly: r.weekly && { ...r.weekly, at: eq(r.weekly.at) },
      monthly: r.monthly && { ...r.monthly, at: eq(r.monthly.at) },
      yearly: r.yearly && { ...r.yearly, at: eq(r.yearly.at) },
    },
  };
}

describe("whatever bkp check accepts exports, and comes back the same", () => {
  it("exports to Azure JSON and Terraform without error and re-imports to the same model", () => {
    let checked = 0;
    fc.assert(
      fc.property(policyText, (text) => {
        const set = loadTexts([{ path: "gen.bkp", text }]);
        const errors = set.diagnostics.filter((d) => d.severity === "error");
        fc.pre(errors.length === 0);
        checked++;
        const p = [...set.model!.policies.values()][0];
        const azure = exportAzure(p);
        expect(azure.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const tf = exportTerraform([p]);
        expect(tf.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        expect(tf.text).toContain(`"${p.name}"`);
        const back = importAzure([{ path: "gen.json", text: JSON.stringify(azure.resource) }]);
        expect(back.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const again = loadTexts([{ path: "back.bkp", text: back.text! }]);
        expect(again.diagnostics.filter((d) => d.severity === "error"), back.text).toEqual([]);
        const q = again.model!.policies.get(p.name)!;
        expect(same(q), text).toEqual(same(p));
      }),
      { numRuns: 300, seed: 14 },
    );
    // The generator is not vacuous: most generated sets check.
    expect(checked).toBeGreaterThan(150);
  });

  it("refuses in check what export could not write: a zone without a Windows name, a '/' in a name, a short name", () => {
    const zone = loadTexts([{ path: "z.bkp", text: 'policy "zoned" {\n  schedule daily at 02:00\n  timezone "CET"\n  retain daily 7 days\n}\n' }]);
    expect(zone.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP2037", 3]]);
    const name = loadTexts([{ path: "n.bkp", text: 'policy "RSvault1/DailyBackupPolicy1" {\n  schedule daily at 02:00\n  retain daily 7 days\n}\n' }]);
    expect(name.diagnostics.map((d) => d.code)).toEqual(["BKP2038"]);
    expect(name.diagnostics[0].hint).toContain('"DailyBackupPolicy1"');
    // A name under 3 characters cannot deploy either: check refuses it, not only export.
    const short = loadTexts([{ path: "s.bkp", text: 'policy "p" {\n  schedule daily at 02:00\n  retain daily 7 days\n}\n' }]);
    expect(short.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([["BKP2038", 1, 8]]);
    expect(short.diagnostics[0].message).toContain("is 1 character long; Azure takes 3 to 150");
    expect(short.diagnostics[0].hint).toContain('"p-policy"');
  });
});

describe("a VM's security type and disks against its policy: check and export agree", () => {
  const vmSet = fc.record({
    security: fc.constantFrom(undefined, "standard", "trusted-launch", "confidential"),
    enhanced: fc.boolean(),
    crash: fc.boolean(),
    region: fc.constantFrom("UAE North", "Korea Central", "UK South"),
    tier: fc.constantFrom("standard", "premium", "premium-v2", "ultra"),
    exclude: fc.boolean(),
  });
  it("refuses exactly the combinations Azure cannot back up; whatever check accepts exports with its protected VM", () => {
    fc.assert(
      fc.property(vmSet, (g) => {
        const text = [
          `vault "prod" {\n  path "vault"\n  region "${g.region}"\n}\n`,
          `policy "pol" {\n  schedule daily at 02:00\n${g.enhanced ? "  type enhanced\n" : ""}${g.crash ? "  consistency agentless-crash\n" : ""}  retain daily 7 days\n}\n`,
          `vm "vm1" {\n  os linux\n${g.security ? `  security ${g.security}\n` : ""}  policy "pol"\n  vault "prod"\n  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 64 GB used 10 GB tier ${g.tier} lun 0${g.exclude ? " exclude" : ""} }\n}\n`,
        ].join("\n");
        const set = loadTexts([{ path: "vm.bkp", text }]);
        const errors = set.diagnostics.filter((d) => d.severity === "error").map((d) => d.code).sort();
        const expected = [
          ...(g.crash && !g.enhanced ? ["BKP2040"] : []),
          ...((g.tier === "premium-v2" || g.tier === "ultra") && !g.exclude && !g.enhanced ? ["BKP2042"] : []),
          ...(g.security === "confidential" && g.crash ? ["BKP2080"] : []),
        ].sort();
        expect(errors, text).toEqual(expected);
        const warnings = set.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code);
        expect(warnings.includes("BKP2081"), text).toBe(g.security === "trusted-launch" && !g.enhanced);
        expect(warnings.includes("BKP2082"), text).toBe(g.security === "confidential" && g.region === "UK South");
        if (errors.length) return;
        const p = set.model!.policies.get("pol")!;
        expect(exportAzure(p).diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const tf = exportTerraform([p], { vms: [...set.model!.vms.values()] });
        expect(tf.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        expect(tf.text).toContain('resource "azurerm_backup_protected_vm"');
      }),
      { numRuns: 200, seed: 14 },
    );
  });
});

// Vault settings (docs/domain.md#vault-security). Names are generated as Azure takes them: a
// vault block also names a local engine vault, so the checker does not hold it to Azure's
// naming rule; `export --vaults` does (BKP6108).
const GUARD = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.DataProtection/resourceGuards/guard1";
const vaultText = fc
  .record({
    name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{1,30}$/),
    redundancy: fc.option(fc.constantFrom("LRS", "ZRS", "GRS", "RA-GRS"), { nil: undefined }),
    region: fc.option(fc.constantFrom("westeurope", "West US", "japaneast"), { nil: undefined }),
    softDelete: fc.option(fc.record({ state: fc.constantFrom("off", "on", "always-on"), days: fc.option(fc.integer({ min: 14, max: 180 }), { nil: undefined }) }), { nil: undefined }),
    immutability: fc.option(fc.constantFrom("disabled", "unlocked", "locked"), { nil: undefined }),
    crr: fc.option(fc.boolean(), { nil: undefined }),
    csr: fc.option(fc.constantFrom("enabled", "disabled", "permanently-disabled"), { nil: undefined }),
    guard: fc.boolean(),
  })
  .map((g) => {
    const lines: string[] = [];
    if (g.region) lines.push(`region "${g.region}"`);
    if (g.redundancy) lines.push(`redundancy ${g.redundancy}`);
    if (g.softDelete) lines.push(`soft-delete ${g.softDelete.state}${g.softDelete.state !== "off" && g.softDelete.days ? ` ${g.softDelete.days} days` : ""}`);
    if (g.immutability) lines.push(`immutability ${g.immutability}`);
    if (g.crr !== undefined) lines.push(`cross-region-restore ${g.crr}`);
    if (g.csr) lines.push(`cross-subscription-restore ${g.csr}`);
    if (g.guard) lines.push(`resource-guard "${GUARD}"`);
    return `vault "${g.name}" {\n${lines.map((l) => `  ${l}`).join("\n")}\n}\n`;
  });

/** What a vault means in Azure; RA-GRS is exported as GeoRedundant (BKP6109), so it reads back as GRS. */
const vaultMeaning = (v: Vault) => ({ name: v.name, region: v.region, redundancy: v.redundancy === "RA-GRS" ? "GRS" : v.redundancy, security: v.security });

describe("whatever bkp check accepts of a vault exports, and comes back the same", () => {
  it("exports vault settings to Azure JSON and Terraform without error and re-imports them", () => {
    let checked = 0;
    fc.assert(
      fc.property(vaultText, (text) => {
        const set = loadTexts([{ path: "gen.bkp", text }]);
        fc.pre(set.diagnostics.every((d) => d.severity !== "error"));
        checked++;
        const vaults = [...set.model!.vaults.values()];
        const azure = exportVaultsAzure(vaults);
        expect(azure.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const tf = exportVaultsTerraform(vaults);
        expect(tf.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        expect(tf.text).toContain(`resource "azurerm_recovery_services_vault"`);
        const back = importAzure([{ path: "gen.json", text: JSON.stringify(azure.resources) }]);
        expect(back.diagnostics.filter((d) => d.severity === "error"), text).toEqual([]);
        const again = loadTexts([{ path: "back.bkp", text: back.text! }]);
        expect(again.diagnostics.filter((d) => d.severity === "error"), back.text).toEqual([]);
        expect(vaultMeaning(again.model!.vaults.get(vaults[0].name)!), text).toEqual(vaultMeaning(vaults[0]));
      }),
      { numRuns: 200, seed: 14 },
    );
    // Only cross-region restore on a non-geo-redundant vault is refused.
    expect(checked).toBeGreaterThan(120);
  });
});
