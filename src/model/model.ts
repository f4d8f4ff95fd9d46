// The checked model: references resolved, units normalised (bytes, seconds, counts), defaults
// applied (each default is documented in grammar/reference.md). Everything downstream — plan,
// analysis, lint, engine — reads this, never the AST, except to point at source locations
// through the `ast` fields.
import type Decimal from "decimal.js";
import type * as A from "../lang/ast.js";
import type { VaultSecurity } from "./vault-security.js";

export type Redundancy = "LRS" | "ZRS" | "GRS" | "RA-GRS";
export type Os = "windows" | "linux";
export type ConsistencyLevel = "application" | "file-system" | "crash";
export type RequestedConsistency = ConsistencyLevel | "agentless-crash";
/** 1 = Monday … 7 = Sunday (luxon's numbering). */
export type WeekdayNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7;
/** 1 = January … 12 = December. */
export type MonthNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12;

export interface TimeOfDay {
  hour: number;
  minute: number;
}

export type Schedule =
  | { kind: "daily"; at: TimeOfDay }
  | { kind: "weekly"; days: WeekdayNumber[]; at: TimeOfDay }
  /** Enhanced policy: every `intervalHours` from `start` for `windowHours` (DOMAIN §7). */
  | { kind: "hourly"; intervalHours: number; start: TimeOfDay; windowHours: number };

export type MonthlyOn =
  | { kind: "days"; days: (number | "last")[] }
  | { kind: "weekdays"; ordinals: (1 | 2 | 3 | 4 | "last")[]; weekdays: WeekdayNumber[] };

export interface Retention {
  daily?: { days: number; at?: TimeOfDay };
  weekly?: { weeks: number; weekdays: WeekdayNumber[]; at?: TimeOfDay };
  monthly?: { months: number; on: MonthlyOn; at?: TimeOfDay };
  yearly?: { years: number; months: MonthNumber[]; on: MonthlyOn; at?: TimeOfDay };
}

export interface Policy {
  name: string;
  ast: A.PolicyAst;
  /** Standard (V1) or Enhanced (V2); hourly schedules imply enhanced (DOMAIN §7). */
  type: "standard" | "enhanced";
  schedule: Schedule;
  /** IANA zone name (Windows names are resolved). */
  zone: string;
  /** The zone as written, e.g. "Tokyo Standard Time". */
  zoneWritten: string;
  instantRestoreDays: number;
  consistency: RequestedConsistency;
  /** Windows VMs only; a VM may override it. */
  vss: "full" | "copy";
  retention: Retention;
  /** Move eligible monthly/yearly points to the archive tier after this age (DOMAIN §6). */
  archiveAfter?: { count: number; unit: "day" | "week" | "month" | "year" };
  /** `archive recommended`: Azure moves the points it recommends (tieringMode TierRecommended). */
  archiveRecommended: boolean;
  /** `archive never`: tieringMode DoNotTier, written so that it round-trips (bills as no archive line). */
  archiveNever: boolean;
  /** The resource group Azure keeps instant-restore snapshots in (instantRPDetails). */
  instantRestoreResourceGroup?: { prefix: string; suffix?: string };
}

export type VaultEncryption = { kind: "platform-key" } | { kind: "customer-key"; keyFile: string };

export interface PriceBook {
  name: string;
  builtin: boolean;
  ast?: A.PricingAst;
  currency: string;
  /** The billing unit: GB (10^9 bytes, default) or GiB. */
  unit: "GB" | "GiB";
  unitBytes: Decimal;
  region?: string;
  /** Flat protected-instance fees up to a size, ascending. */
  instanceTiers: { upTo: Decimal; fee: Decimal }[];
  /** Above the last tier: `fee` per started `block` (in billing units). */
  instancePer?: { block: Decimal; fee: Decimal };
  storagePerUnitMonth: Partial<Record<Redundancy, Decimal>>;
  snapshotPerUnitMonth: Decimal;
  archivePerUnitMonth?: Decimal;
}

export interface Vault {
  name: string;
  ast: A.VaultAst;
  /** Absolute directory for the local engine; undefined when not set. */
  path?: string;
  /** Azure Blob Storage container URL (with an optional folder) holding the vault instead of `path`. */
  blob?: string;
  redundancy: Redundancy;
  encryption: VaultEncryption;
  priceBook: PriceBook;
  region?: string;
  /** Soft delete, immutability, cross-region/-subscription restore, MUA (vault-security.ts). */
  security: VaultSecurity;
}

export interface Script {
  /** Absolute path. */
  path: string;
  args: string[];
}

export interface Scripts {
  ast: A.ScriptsAst;
  pre?: Script;
  post?: Script;
  /** Per script, covering its retries (DOMAIN §2: default 30, max 1800). */
  timeoutSeconds: number;
  /** 0 = one try. */
  retries: number;
  continueOnFailure: boolean;
  fsfreeze: boolean;
}

export interface StorageAccount {
  name: string;
  ast: A.StorageAccountAst;
  kind: "general-purpose-v2" | "premium";
  iops?: number;
  throughputBytesPerSecond?: Decimal;
  /** Share already used by other applications, 0..100. */
  loadPercent: Decimal;
  /** Absolute folder where the local engine writes restored disks. */
  path?: string;
  tier: "standard" | "premium";
}

export interface Disk {
  name: string;
  ast: A.DiskAst;
  role: "os" | "data" | "temp";
  sizeBytes: Decimal;
  usedBytes: Decimal;
  /** Bytes changed per day: as written, or the `assume churn` default. */
  churnBytesPerDay: Decimal;
  /** True when churn came from the `assume` default rather than the disk. */
  churnAssumed: boolean;
  pattern: "sequential" | "scattered";
  /** ISO date the disk was added to a protected VM. */
  added?: string;
  storageAccount?: StorageAccount;
  /** A storage account named by the disk but not declared as a block. */
  storageAccountName?: string;
  /** Managed disk type: standard, premium SSD, premium SSD v2, ultra. */
  tier: "standard" | "premium" | "premium-v2" | "ultra";
  freePercent?: Decimal;
  /** Absolute path of a local image for the engine. */
  image?: string;
  excluded: boolean;
  /** The data disk's LUN (0..63), which Azure's selective disk backup names disks by. */
  lun?: number;
}

export interface Vm {
  name: string;
  ast: A.VmAst;
  os: Os;
  state: "running" | "stopped";
  /** The VM's security type (Trusted Launch, confidential): it constrains the policy. */
  security: "standard" | "trusted-launch" | "confidential";
  provisioning: "succeeded" | "failed" | "unavailable" | "creating" | "deleting";
  policy: Policy;
  vault: Vault;
  /** ISO date of the first successful backup (billing starts there, DOMAIN §6). */
  protectedSince?: string;
  protection: "active" | "stopped-retain-data" | "stopped-delete-data";
  ade?: { bek: string; kek?: string };
  /** Effective VSS option for Windows VMs (VM overrides policy); undefined on Linux. */
  vss?: "full" | "copy";
  scripts?: Scripts;
  disks: Disk[];
}

export type RestorePoint = { kind: "latest" } | { kind: "instant" } | { kind: "id"; id: string } | { kind: "time"; iso: string };

export interface RestorePlanSpec {
  name: string;
  ast: A.RestoreAst;
  vms: Vm[];
  point: RestorePoint;
  into: StorageAccount[];
  spread: { kind: "one-vm-per-account" } | { kind: "max-disks"; max: number };
  resourceGroup?: string;
}

export interface Assumptions {
  ast?: A.AssumeAst;
  transferRateBytesPerSecond: Decimal;
  checksumRateBytesPerSecond: Decimal;
  peakHours: { from: TimeOfDay; to: TimeOfDay };
  peakLagSeconds: Decimal;
  prepareSeconds: Decimal;
  horizonMonths: number;
  /** How much slower scattered changes transfer than sequential ones (DOMAIN §4). */
  fragmentationFactor: Decimal;
  /** Churn of a disk that does not say: a fraction of used per day, or bytes per day. */
  defaultChurn: { kind: "percent"; percent: Decimal } | { kind: "bytes"; bytesPerDay: Decimal };
  calibrateFromVault: boolean;
  /** More VMs of one vault than this starting in the same half hour is congestion (DOMAIN §4; the number is an assumption). */
  congestionVms: number;
  /** Bytes per I/O when an account's IOPS limit is turned into a restore rate. */
  restoreIoBytes: Decimal;
  /** Protected instances billed per agentless crash-consistent VM (DOMAIN §6: 0.5, preview pricing). */
  agentlessPiFactor: Decimal;
}

export interface Model {
  vaults: Map<string, Vault>;
  policies: Map<string, Policy>;
  vms: Map<string, Vm>;
  storageAccounts: Map<string, StorageAccount>;
  restores: Map<string, RestorePlanSpec>;
  priceBooks: Map<string, PriceBook>;
  assumptions: Assumptions;
  files: A.FileAst[];
}
