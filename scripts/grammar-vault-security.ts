// grammar/reference.md: the "Vault security" section (rules of src/model/vault-security.ts,
// src/analyze/irreversible.ts and src/analyze/soft-delete-billing.ts, each with its source).
import { DEFAULT_VAULT_SECURITY, SOFT_DELETE_DAYS } from "../src/model/vault-security.js";

export function vaultSecuritySection(): string {
  const d = DEFAULT_VAULT_SECURITY;
  return `## Vault security

A \`vault\` block states the vault's security settings beside its redundancy. Without them a
vault has the settings Azure gives a new Recovery Services vault today: \`soft-delete ${d.softDelete.state} ${d.softDelete.days} days\`,
\`immutability ${d.immutability}\`, \`cross-region-restore ${d.crossRegionRestore}\`,
\`cross-subscription-restore ${d.crossSubscriptionRestore}\`, no resource guard.

\`\`\`bkp
vault "prod" {
  redundancy GRS
  soft-delete always-on 30 days       # off | on [14..180 days] | always-on [14..180 days]
  immutability unlocked               # disabled | unlocked | locked
  cross-region-restore true           # GRS only; cannot be turned off once on
  cross-subscription-restore enabled  # enabled | disabled | permanently-disabled
  resource-guard "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-security/providers/Microsoft.DataProtection/resourceGuards/guard-prod"
  accept-irreversible soft-delete, cross-region-restore
}
\`\`\`

| Setting | Rule the checker or \`bkp cost diff\` applies | Source |
|---|---|---|
| \`soft-delete\` | retention ${SOFT_DELETE_DAYS.min} to ${SOFT_DELETE_DAYS.max} days (BKP2070); \`always-on\` cannot be turned off; the first ${SOFT_DELETE_DAYS.free} days are free, the days beyond are billed at regular backup rates | [Enhanced soft delete](https://learn.microsoft.com/azure/backup/backup-azure-enhanced-soft-delete-about) |
| \`immutability\` | \`locked\` cannot be undone | [Immutable vault](https://learn.microsoft.com/azure/backup/backup-azure-immutable-vault-concept) |
| \`cross-region-restore\` | needs \`redundancy GRS\` or \`RA-GRS\` (BKP2071); cannot be turned off once on | [Create a vault: cross-region restore](https://learn.microsoft.com/azure/backup/backup-create-recovery-services-vault#set-cross-region-restore) |
| \`cross-subscription-restore\` | \`permanently-disabled\` cannot be undone | [Cross-subscription restore](https://learn.microsoft.com/azure/backup/backup-azure-arm-restore-vms#cross-subscription-restore) |
| \`resource-guard\` | the ARM id of a \`Microsoft.DataProtection/resourceGuards\` resource (BKP2072) | [Multi-user authorization](https://learn.microsoft.com/azure/backup/multi-user-authorization-concept) |
| \`redundancy\` | cannot change once the vault protects an item (a VM with \`protected-since\`) | [Set storage redundancy](https://learn.microsoft.com/azure/backup/backup-create-recovery-services-vault#set-storage-redundancy) |
| policy \`type\` | standard to enhanced cannot be undone | [Enhanced policy](https://learn.microsoft.com/azure/backup/backup-azure-vms-enhanced-policy) |

### Irreversible changes

\`bkp cost diff OLD NEW\` and the lint rule \`irreversible-change\` (with \`bkp lint --base OLD\`) list
every change between two versions that Azure cannot undo: soft delete made always-on, immutability
locked, cross-region restore turned on, cross-subscription restore permanently disabled, the
redundancy of a vault that protects VMs changed, a standard policy made enhanced. Each must be
acknowledged, in the block with \`accept-irreversible <attribute>, …\` (BKP2073 if the attribute
cannot change irreversibly) or for one run with \`--accept-irreversible\`; otherwise the command
exits 1. A change back from one of those settings is refused by Azure and always exits 1. See [docs/ci.md](../docs/ci.md#irreversible-changes).

### Export

\`bkp export azure --vaults\` writes the body of \`PUT …/Microsoft.RecoveryServices/vaults/{vault}\`
(api-version 2025-02-01: \`redundancySettings\`, \`securitySettings\`, \`restoreSettings\`) and, with a
resource guard, the body of \`PUT …/backupResourceGuardProxies/VaultProxy\`. \`bkp export terraform --vaults\`
writes \`azurerm_recovery_services_vault\` (\`storage_mode_type\`, \`cross_region_restore_enabled\`,
\`soft_delete_enabled\`, \`immutability\`), \`azurerm_recovery_services_vault_resource_guard_association\`, and an
\`azapi_update_resource\` for what the provider has no argument for (soft-delete retention days,
always-on, cross-subscription restore). See [docs/azure-interop.md](../docs/azure-interop.md#vaults).
`;
}
