// The typed AST: what the user wrote, with a source range on every value. Nothing is
// resolved or defaulted here (that is the checker's job); values keep their written units.
import type Decimal from "decimal.js";
import type { Range } from "./diagnostics.js";

export interface Node {
  range: Range;
}

/** A quoted string, unescaped. */
export interface Str extends Node {
  value: string;
}

/** A keyword value such as `windows` or `GRS`. */
export interface Word<T extends string = string> extends Node {
  value: T;
}

export interface Num extends Node {
  value: Decimal;
  text: string;
}

export type UnitKind = "size" | "duration" | "rate" | "percent";

export interface Unit extends Node {
  kind: UnitKind;
  /** Canonical spelling: `GB`, `GiB`, `s`, `min`, `h`, `day`, `week`, `month`, `year`, `MB/s`, `%`. */
  name: string;
  text: string;
}

export interface Quantity extends Node {
  number: Num;
  unit?: Unit;
}

export interface TimeOfDay extends Node {
  hour: number;
  minute: number;
  text: string;
}

export interface DateValue extends Node {
  /** ISO `YYYY-MM-DD`. */
  text: string;
}

export type WeekdayName = "Mon" | "Tue" | "Wed" | "Thu" | "Fri" | "Sat" | "Sun";
export type MonthName = "Jan" | "Feb" | "Mar" | "Apr" | "May" | "Jun" | "Jul" | "Aug" | "Sep" | "Oct" | "Nov" | "Dec";
export type OrdinalName = "first" | "second" | "third" | "fourth" | "last";

/** One attribute line as written: its keyword and range (for duplicates and formatting). */
export interface AttributeSyntax extends Node {
  keyword: string;
  /** Set when the attribute is a nested block (`disk`, `scripts`, `encryption ade`). */
  block?: BlockSyntax;
}

export interface BlockSyntax extends Node {
  /** Range of the header: keyword and name, up to the `{`. */
  header: Range;
  /** Range of the braces and what is inside them. */
  body: Range;
  attributes: AttributeSyntax[];
}

interface BlockBase extends Node {
  file: string;
  syntax: BlockSyntax;
}

interface NamedBlock extends BlockBase {
  name: Str;
}

export interface VaultAst extends NamedBlock {
  kind: "vault";
  path?: Str;
  /** Azure Blob Storage container URL (exclusive with path). */
  blob?: Str;
  redundancy?: Word<"LRS" | "ZRS" | "GRS" | "RA-GRS">;
  encryption?: (Node & { kind: "platform-key" }) | (Node & { kind: "customer-key"; keyFile: Str });
  pricing?: Str;
  region?: Str;
  // Vault security (grammar/reference.md "Vault security").
  /** `soft-delete off | on [<n> days] | always-on [<n> days]`. */
  softDelete?: Node & { state: Word<SoftDeleteState>; days?: Quantity };
  immutability?: Word<ImmutabilityState>;
  crossRegionRestore?: Word<"true" | "false">;
  crossSubscriptionRestore?: Word<CrossSubscriptionRestoreState>;
  /** Multi-user authorization: the ARM id of the resource guard. */
  resourceGuard?: Str;
  acceptIrreversible?: AcceptIrreversibleAst;
}

export type SoftDeleteState = "off" | "on" | "always-on";
export type ImmutabilityState = "disabled" | "unlocked" | "locked";
export type CrossSubscriptionRestoreState = "enabled" | "disabled" | "permanently-disabled";

/** `accept-irreversible <attribute>, …`: changes Azure cannot undo that the user acknowledges. */
export interface AcceptIrreversibleAst extends Node {
  items: Word[];
}

export type ScheduleAst =
  | (Node & { kind: "daily"; at: TimeOfDay })
  | (Node & { kind: "weekly"; days: Word<WeekdayName>[]; at: TimeOfDay })
  | (Node & { kind: "hourly"; every: Quantity; from: TimeOfDay; for: Quantity });

export type MonthlyWhenAst =
  | (Node & { kind: "days"; days: (Node & { value: number | "last" })[] })
  | (Node & { kind: "weekdays"; ordinals: Word<OrdinalName>[]; weekdays: Word<WeekdayName>[] });

export interface RetainAst extends Node {
  kind: "daily" | "weekly" | "monthly" | "yearly";
  keyword: Range;
  count: Quantity;
  weekdays?: Word<WeekdayName>[];
  months?: Word<MonthName>[];
  on?: MonthlyWhenAst;
  /** `at HH:MM`: Azure's retentionTimes when they differ from the schedule's time. */
  at?: TimeOfDay;
}

export interface PolicyAst extends NamedBlock {
  kind: "policy";
  schedule?: ScheduleAst;
  timezone?: Str;
  instantRestore?: Quantity;
  consistency?: Word<"application" | "file-system" | "crash" | "agentless-crash">;
  vss?: Word<"full" | "copy">;
  retain: RetainAst[];
  archiveAfter?: Quantity;
  /** `archive recommended`: Azure picks the points to archive (tieringMode TierRecommended). */
  archiveRecommended?: Node;
  /** `archive never`: no point moves to archive (tieringMode DoNotTier). */
  archiveNever?: Node;
  /** `instant-restore-resource-group "<prefix>" suffix "<suffix>"` (Azure's instantRPDetails). */
  instantRestoreResourceGroup?: { range: Range; prefix: Str; suffix?: Str };
  type?: Word<"standard" | "enhanced">;
  /** `accept-irreversible type`: acknowledges a change to an enhanced policy. */
  acceptIrreversible?: AcceptIrreversibleAst;
}

export interface ScriptAst extends Node {
  path: Str;
  args: Str[];
}

export interface ScriptsAst extends Node {
  syntax: BlockSyntax;
  pre?: ScriptAst;
  post?: ScriptAst;
  timeout?: Quantity;
  retries?: Num;
  continueOnFailure?: Word<"true" | "false">;
  fsfreeze?: Word<"true" | "false">;
}

export interface AdeAst extends Node {
  syntax: BlockSyntax;
  bek?: Str;
  kek?: Str;
}

export interface DiskAst extends Node {
  syntax: BlockSyntax;
  name: Str;
  role?: Word<"os" | "data" | "temp">;
  size?: Quantity;
  used?: Quantity;
  churn?: Quantity;
  pattern?: Word<"sequential" | "scattered">;
  added?: DateValue;
  storageAccount?: Str;
  tier?: Word<"standard" | "premium" | "premium-v2" | "ultra">;
  free?: Quantity;
  image?: Str;
  exclude?: Node;
  /** The data disk's LUN on its VM (selective disk backup names disks by LUN). */
  lun?: Num;
}

export interface VmAst extends NamedBlock {
  kind: "vm";
  os?: Word<"windows" | "linux">;
  state?: Word<"running" | "stopped">;
  /** The VM's security type: Trusted Launch and confidential VMs constrain the policy (docs/azure-model.md). */
  security?: Word<"standard" | "trusted-launch" | "confidential">;
  provisioning?: Word<"succeeded" | "failed" | "unavailable" | "creating" | "deleting">;
  policy?: Str;
  vault?: Str;
  protectedSince?: DateValue;
  protection?: Word<"active" | "stopped retain-data" | "stopped delete-data">;
  ade?: AdeAst;
  vss?: Word<"full" | "copy">;
  scripts?: ScriptsAst;
  disks: DiskAst[];
}

export interface StorageAccountAst extends NamedBlock {
  kind: "storage-account";
  accountKind?: Word<"general-purpose-v2" | "premium">;
  iops?: Quantity;
  throughput?: Quantity;
  load?: Quantity;
  path?: Str;
  tier?: Word<"standard" | "premium">;
}

export type RestorePointAst =
  | (Node & { kind: "latest" | "instant" })
  | (Node & { kind: "id"; id: Str })
  | (Node & { kind: "time"; text: string });

export interface RestoreAst extends NamedBlock {
  kind: "restore";
  vms?: (Node & { all: true }) | (Node & { all: false; names: Str[] });
  point?: RestorePointAst;
  into?: Node & { names: Str[] };
  spread?: (Node & { kind: "one-vm-per-account" }) | (Node & { kind: "max-disks"; max: Num });
  resourceGroup?: Str;
}

export interface AssumeAst extends BlockBase {
  kind: "assume";
  transferRate?: Quantity;
  checksumRate?: Quantity;
  peakHours?: Node & { from: TimeOfDay; to: TimeOfDay };
  peakLag?: Quantity;
  prepare?: Quantity;
  horizon?: Quantity;
  fragmentation?: Num;
  churn?: Quantity;
  calibrate?: Node;
  /** VMs of one vault starting in one half hour before the congestion risk. */
  congestion?: Num;
  restoreIoSize?: Quantity;
  agentlessPi?: Num;
}

export interface InstanceTierAst extends Node {
  kind: "up-to" | "per";
  size: Quantity;
  fee: Num;
}

export interface PricingAst extends NamedBlock {
  kind: "pricing";
  currency?: Word;
  unit?: Word<"GB" | "GiB">;
  region?: Str;
  instance: InstanceTierAst[];
  storage: (Node & { redundancy: Word<"LRS" | "ZRS" | "GRS" | "RA-GRS">; price: Num })[];
  snapshot?: Num;
  archive?: Num;
}

export type BlockAst = VaultAst | PolicyAst | VmAst | StorageAccountAst | RestoreAst | AssumeAst | PricingAst;

export interface CommentAst extends Node {
  text: string;
}

export interface FileAst {
  file: string;
  blocks: BlockAst[];
  comments: CommentAst[];
}
