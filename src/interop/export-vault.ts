// `bkp export azure|terraform --vaults`: a vault's security settings (docs/domain.md#vault-security)
// as Azure's REST bodies or as Terraform.
//
// REST (api-version 2025-02-01): PUT …/Microsoft.RecoveryServices/vaults/{vault} carries the
// redundancy and cross-region restore (`redundancySettings`), soft delete and immutability
// (`securitySettings`) and cross-subscription restore (`restoreSettings`); multi-user
// authorization is a child resource, PUT …/vaults/{vault}/backupResourceGuardProxies/VaultProxy
// with `resourceGuardResourceId`. Terraform: azurerm_recovery_services_vault has
// storage_mode_type, cross_region_restore_enabled, soft_delete_enabled and immutability, but no
// argument for the soft-delete retention, always-on soft delete or cross-subscription restore
// (website/docs/r/recovery_services_vault.html.markdown): those go in an azapi_update_resource.
import type { Diagnostic } from "../lang/diagnostics.js";
import type { Redundancy, Vault } from "../model/model.js";
import { DEFAULT_VAULT_SECURITY, type VaultSecurity } from "../model/vault-security.js";
import { INTEROP_CODES, type InteropCode } from "./codes.js";
import { hclIdentifier, hclString, hclValue, print, type Block, type Item } from "./export-terraform.js";
import { vaultNameProblem } from "../model/check-blocks.js";

export const VAULT_API_VERSION = "2025-02-01";
export const VAULT_TYPE = "Microsoft.RecoveryServices/vaults";
export const GUARD_PROXY_TYPE = "Microsoft.RecoveryServices/vaults/backupResourceGuardProxies";

export type StorageRedundancy = "LocallyRedundant" | "ZoneRedundant" | "GeoRedundant";
export const STORAGE_REDUNDANCY: Record<Redundancy, StorageRedundancy> = { LRS: "LocallyRedundant", ZRS: "ZoneRedundant", GRS: "GeoRedundant", "RA-GRS": "GeoRedundant" };
export const SOFT_DELETE_STATE = { off: "Disabled", on: "Enabled", "always-on": "AlwaysON" } as const;
export const IMMUTABILITY_STATE = { disabled: "Disabled", unlocked: "Unlocked", locked: "Locked" } as const;
export const CROSS_SUBSCRIPTION_STATE = { enabled: "Enabled", disabled: "Disabled", "permanently-disabled": "PermanentlyDisabled" } as const;

export interface VaultProperties {
  redundancySettings: { standardTierStorageRedundancy: StorageRedundancy; crossRegionRestore: "Enabled" | "Disabled" };
  securitySettings: {
    softDeleteSettings: { softDeleteState: (typeof SOFT_DELETE_STATE)[keyof typeof SOFT_DELETE_STATE]; softDeleteRetentionPeriodInDays: number };
    immutabilitySettings: { state: (typeof IMMUTABILITY_STATE)[keyof typeof IMMUTABILITY_STATE] };
  };
  restoreSettings: { crossSubscriptionRestoreSettings: { crossSubscriptionRestoreState: (typeof CROSS_SUBSCRIPTION_STATE)[keyof typeof CROSS_SUBSCRIPTION_STATE] } };
}

/** One resource of the export, in the shape of an ARM template's resources[]. */
export type VaultExportResource =
  | { type: typeof VAULT_TYPE; apiVersion: string; name: string; location?: string; sku: { name: "Standard" }; properties: VaultProperties }
  | { type: typeof GUARD_PROXY_TYPE; apiVersion: string; name: string; properties: { resourceGuardResourceId: string } };

export function vaultExportProblems(v: Vault): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (code: InteropCode, range = v.ast.name.range, message: string, hint: string) =>
    out.push({ code, severity: INTEROP_CODES[code].severity, file: v.ast.file, range, message, hint });
  const nameProblem = vaultNameProblem(v.name);
  if (nameProblem) report("BKP6108", v.ast.name.range, `the vault name "${v.name}" ${nameProblem} (Azure takes 2 to 50 letters, digits or '-', starting with a letter)`, "rename the vault");
  if (v.redundancy === "RA-GRS") {
    report("BKP6109", v.ast.redundancy?.range, `vault "${v.name}" is RA-GRS; a Recovery Services vault's storage is LocallyRedundant, ZoneRedundant or GeoRedundant, so it is exported as GeoRedundant`, "write redundancy GRS (RA-GRS only changes the price book's storage price)");
  }
  return out;
}

export function vaultProperties(v: Vault): VaultProperties {
  const s = v.security;
  return {
    redundancySettings: { standardTierStorageRedundancy: STORAGE_REDUNDANCY[v.redundancy], crossRegionRestore: s.crossRegionRestore ? "Enabled" : "Disabled" },
    securitySettings: {
      softDeleteSettings: { softDeleteState: SOFT_DELETE_STATE[s.softDelete.state], softDeleteRetentionPeriodInDays: s.softDelete.days },
      immutabilitySettings: { state: IMMUTABILITY_STATE[s.immutability] },
    },
    restoreSettings: { crossSubscriptionRestoreSettings: { crossSubscriptionRestoreState: CROSS_SUBSCRIPTION_STATE[s.crossSubscriptionRestore] } },
  };
}

export interface VaultExport {
  resources?: VaultExportResource[];
  text?: string;
  diagnostics: Diagnostic[];
}

/** The vaults as REST resources: each vault, then its resource guard proxy (when it has MUA). */
export function exportVaultsAzure(vaults: Vault[]): VaultExport {
  const diagnostics = vaults.flatMap(vaultExportProblems);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const resources: VaultExportResource[] = [];
  for (const v of vaults) {
    resources.push({ type: VAULT_TYPE, apiVersion: VAULT_API_VERSION, name: v.name, ...(v.region ? { location: v.region } : {}), sku: { name: "Standard" }, properties: vaultProperties(v) });
    if (v.security.resourceGuard) resources.push({ type: GUARD_PROXY_TYPE, apiVersion: VAULT_API_VERSION, name: `${v.name}/VaultProxy`, properties: { resourceGuardResourceId: v.security.resourceGuard } });
  }
  return { resources, diagnostics };
}

export interface VaultTerraformOptions {
  /** HCL expression (not a string) for resource_group_name; default var.resource_group_name. */
  resourceGroupName?: string;
}

/** What azurerm_recovery_services_vault cannot say of `s` (it only has soft_delete_enabled). */
function azurermGaps(s: VaultSecurity): string[] {
  const gaps: string[] = [];
  if (s.softDelete.state === "always-on") gaps.push("always-on soft delete");
  if (s.softDelete.state !== "off" && s.softDelete.days !== DEFAULT_VAULT_SECURITY.softDelete.days) gaps.push("the soft-delete retention days");
  if (s.crossSubscriptionRestore !== DEFAULT_VAULT_SECURITY.crossSubscriptionRestore) gaps.push("cross-subscription restore");
  return gaps;
}

export function exportVaultsTerraform(vaults: Vault[], opts: VaultTerraformOptions = {}): VaultExport {
  const diagnostics = vaults.flatMap(vaultExportProblems);
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const blocks: string[] = [];
  const used = new Set<string>();
  let azapi = false;
  for (const v of vaults) {
    let id = hclIdentifier(v.name);
    for (let n = 2; used.has(id); n++) id = `${hclIdentifier(v.name)}_${n}`;
    used.add(id);
    const s = v.security;
    const attr = (key: string, value: string): Item => ({ kind: "attr", key, value });
    const items: Item[] = [
      attr("name", hclString(v.name)),
      attr("location", v.region ? hclString(v.region) : "var.location"),
      attr("resource_group_name", opts.resourceGroupName ? hclString(opts.resourceGroupName) : "var.resource_group_name"),
      attr("sku", hclString("Standard")),
      attr("storage_mode_type", hclString(STORAGE_REDUNDANCY[v.redundancy])),
      attr("cross_region_restore_enabled", String(s.crossRegionRestore)),
      attr("soft_delete_enabled", String(s.softDelete.state !== "off")),
      attr("immutability", hclString(IMMUTABILITY_STATE[s.immutability])),
    ];
    blocks.push(print({ type: "resource", labels: ["azurerm_recovery_services_vault", id], items }, "").join("\n"));
    if (s.resourceGuard) {
      const guard: Block = {
        type: "resource",
        labels: ["azurerm_recovery_services_vault_resource_guard_association", id],
        items: [attr("vault_id", `azurerm_recovery_services_vault.${id}.id`), attr("resource_guard_id", hclString(s.resourceGuard))],
      };
      blocks.push(`# Multi-user authorization: the vault's resource guard.\n${print(guard, "").join("\n")}`);
    }
    const gaps = azurermGaps(s);
    if (gaps.length) {
      azapi = true;
      const p = vaultProperties(v);
      const body = { properties: { securitySettings: { softDeleteSettings: p.securitySettings.softDeleteSettings }, restoreSettings: p.restoreSettings } };
      const update: Block = {
        type: "resource",
        labels: ["azapi_update_resource", `${id}_security`],
        items: [attr("type", hclString(`${VAULT_TYPE}@${VAULT_API_VERSION}`)), attr("resource_id", `azurerm_recovery_services_vault.${id}.id`), attr("body", hclValue(body, "  "))],
      };
      blocks.push(`# azurerm_recovery_services_vault has no argument for ${gaps.join(", ")}: set with the REST API.\n${print(update, "").join("\n")}`);
    }
  }
  const header: string[] = [];
  if (vaults.some((v) => !v.region)) header.push("# Declare var.location (the vaults' region), or write region \"<azure region>\" in the vault blocks.");
  if (!opts.resourceGroupName) header.push("# Declare var.resource_group_name, or export with --resource-group.");
  if (azapi) header.push("# azapi_update_resource blocks need the azapi provider.");
  return { text: (header.length ? header.join("\n") + "\n\n" : "") + blocks.join("\n\n") + "\n", diagnostics };
}
