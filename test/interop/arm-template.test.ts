// ARM deployment templates: policy resources found at the top level and as children of the
// vault, template expressions resolved, and what cannot be resolved reported at its place.
import { describe, expect, it } from "vitest";
import { importAzure } from "../../src/interop/import-azure.js";

const props = (extra = "") => `{
  "backupManagementType": "AzureIaasVM",
  "timeZone": "[variables('zone')]",
  "schedulePolicy": {"schedulePolicyType": "SimpleSchedulePolicy", "scheduleRunFrequency": "Daily", "scheduleRunTimes": ["[concat('2024-01-01T', parameters('time'), ':00Z')]"]},
  "retentionPolicy": {"retentionPolicyType": "LongTermRetentionPolicy", "dailySchedule": {"retentionDuration": {"count": "[parameters('days')]", "durationType": "Days"}}}${extra}
}`;

const template = (resources: string, params = `"time": {"type": "string", "defaultValue": "02:30"}, "days": {"type": "int"}`) => `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {${params}},
  "variables": {"zone": "Tokyo Standard Time"},
  "resources": [${resources}]
}`;

const parameters = { path: "p.json", text: '{"parameters": {"days": {"value": 45}}}' };

describe("ARM templates", () => {
  it("imports a top-level vault/policy resource, with parameters, defaults, variables and concat", () => {
    const t = template(`{"type": "Microsoft.RecoveryServices/vaults", "apiVersion": "2023-01-01", "name": "[resourceGroup().name]", "location": "[resourceGroup().location]"},
      {"type": "Microsoft.RecoveryServices/vaults/backupPolicies", "apiVersion": "2023-01-01", "name": "[format('{0}/{1}', 'rsv', 'nightly')]", "dependsOn": ["x"], "properties": ${props()}}`);
    const r = importAzure([{ path: "t.json", text: t }], { parameters });
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toContain('policy "nightly" {');
    expect(r.text).toContain("schedule daily at 02:30");
    expect(r.text).toContain('timezone "Tokyo Standard Time"');
    expect(r.text).toContain("retain daily 45 days");
  });

  it("imports a policy declared as a child resource of the vault", () => {
    const t = template(`{"type": "Microsoft.RecoveryServices/vaults", "name": "rsv", "resources": [{"type": "backupPolicies", "name": "child-policy", "properties": ${props()}}]}`);
    const r = importAzure([{ path: "t.json", text: t }], { parameters });
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toContain('policy "child-policy" {');
  });

  it("reports a parameter without a value at the expression, naming the flag", () => {
    const t = template(`{"type": "Microsoft.RecoveryServices/vaults/backupPolicies", "name": "rsv/p1", "properties": ${props()}}`);
    const r = importAzure([{ path: "t.json", text: t }]);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.range.start.line])).toEqual([["BKP6009", 10]]);
    expect(r.diagnostics[0].message).toBe("parameter 'days' has no value and no defaultValue");
    expect(r.diagnostics[0].hint).toContain("--parameters");
  });

  it("reports a function bkp does not evaluate, and a copy loop, but reads '[[' as a literal '['", () => {
    const fn = template(`{"type": "Microsoft.RecoveryServices/vaults/backupPolicies", "name": "[concat('rsv/', uniqueString('x'))]", "properties": ${props()}}`);
    expect(importAzure([{ path: "t.json", text: fn }], { parameters }).diagnostics.map((d) => d.message)).toEqual(["the template function uniqueString() is not evaluated by bkp"]);
    const copy = template(`{"type": "Microsoft.RecoveryServices/vaults/backupPolicies", "copy": {"name": "c", "count": 2}, "name": "rsv/p", "properties": ${props()}}`);
    expect(importAzure([{ path: "t.json", text: copy }], { parameters }).diagnostics.map((d) => d.code)).toEqual(["BKP6009"]);
    const escaped = template(`{"type": "Microsoft.RecoveryServices/vaults/backupPolicies", "name": "rsv/p-literal", "properties": ${props()}}`).replace('"zone": "Tokyo Standard Time"', '"zone": "[[not an expression]"');
    const r = importAzure([{ path: "t.json", text: escaped }], { parameters });
    expect(r.text).toContain('timezone "[not an expression]"');
  });
});
