// Diagnostic codes of the Azure interop (BKP6xxx), in the style of lang/diagnostic-codes.ts:
// BKP60xx reading Azure JSON (`bkp import azure`), BKP61xx writing it or Terraform
// (`bkp export`). A code never changes meaning once released.
import type { CodeInfo } from "../lang/diagnostic-codes.js";

export const INTEROP_CODES = {
  BKP6001: { severity: "error", title: "invalid JSON" },
  BKP6002: { severity: "error", title: "not an Azure backup policy document" },
  BKP6003: { severity: "error", title: "unknown field" },
  BKP6004: { severity: "error", title: "wrong JSON type" },
  BKP6005: { severity: "error", title: "invalid value" },
  BKP6006: { severity: "error", title: "missing field" },
  BKP6007: { severity: "error", title: "not expressible in bkp" },
  BKP6009: { severity: "error", title: "ARM expression bkp cannot resolve" },
  BKP6008: { severity: "error", title: "duplicate policy name" },
  BKP6020: { severity: "warning", title: "not a VM policy: skipped" },
  BKP6021: { severity: "warning", title: "value ignored" },
  BKP6022: { severity: "warning", title: "setting not modelled by bkp" },
  BKP6030: { severity: "error", title: "PowerShell output cut short or malformed" },
  BKP6101: { severity: "warning", title: "consistency level exported as the agent-based policy" },
  BKP6102: { severity: "error", title: "vss copy is a per-VM setting in Azure" },
  BKP6103: { severity: "error", title: "schedule time not on the hour or half hour" },
  BKP6104: { severity: "error", title: "time zone without a Windows name" },
  BKP6105: { severity: "warning", title: "written as azapi_resource: azurerm cannot say it" },
  BKP6106: { severity: "error", title: "policy name Azure does not accept" },
  BKP6107: { severity: "error", title: "excluded disk without a LUN" },
  // Vaults (export-vault.ts, import-vault.ts)
  BKP6108: { severity: "error", title: "vault name Azure does not accept" },
  BKP6109: { severity: "warning", title: "RA-GRS vault exported as GeoRedundant" },
} as const satisfies Record<string, CodeInfo>;

export type InteropCode = keyof typeof INTEROP_CODES;
