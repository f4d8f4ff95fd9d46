// Azure API limits (DOMAIN §7; sources there: azure-rest-api-specs recoveryservicesbackup,
// terraform-provider-azurerm backup_policy_vm, azure-powershell PolicyConstants).
import Decimal from "decimal.js";

export const RETENTION_RANGE = {
  daily: { min: 7, max: 9999, unit: "day" },
  weekly: { min: 1, max: 5163, unit: "week" },
  monthly: { min: 1, max: 1188, unit: "month" },
  yearly: { min: 1, max: 99, unit: "year" },
} as const;

export const MAX_RECOVERY_POINTS = 9999;

export const INSTANT_RESTORE_RANGE = {
  standard: { min: 1, max: 5, default: 2 },
  enhanced: { min: 1, max: 30, default: 7 },
} as const;
/** A weekly schedule's instant-restore retention is fixed at 5 days. */
export const WEEKLY_INSTANT_RESTORE_DAYS = 5;

export const HOURLY_INTERVALS = [4, 6, 8, 12];
export const HOURLY_WINDOW = { min: 4, max: 24 };

/** Linux script framework (DOMAIN §2): timeoutInSeconds default 30, max 1800. */
export const SCRIPT_TIMEOUT = { default: 30, max: 1800 };

/**
 * DOMAIN §5: more than 5 to 10 disks per storage account throttles. The analysis warns above
 * `warn` and errs above `error`; the engine's fleet runner never backs up more than `warn`
 * disks of one account at once.
 */
export const DISKS_PER_STORAGE_ACCOUNT = { warn: 5, error: 10 } as const;

export const MAX_DATA_DISKS = 32;
/** "Disks up to 32 TB": Azure's largest managed disk is 32,767 GiB, so 32 TiB is the ceiling. */
export const MAX_DISK_BYTES = new Decimal(2).pow(40).mul(32);
export const MAX_VM_BYTES = new Decimal(2).pow(40).mul(256);
export const MAX_VMS_PER_VAULT = 1000;
