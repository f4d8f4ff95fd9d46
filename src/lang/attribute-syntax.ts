// Every attribute of every block: its form, what it means and its default. Used for hints
// when an attribute is malformed, and to generate grammar/reference.md.

export interface AttributeDoc {
  keyword: string;
  /** The accepted forms, as a user writes them. */
  forms: string[];
  meaning: string;
  default?: string;
}

export interface BlockDoc {
  block: string;
  header: string;
  meaning: string;
  attributes: AttributeDoc[];
  example: string;
}

export const BLOCK_DOCS: BlockDoc[] = [
  {
    block: "vault",
    header: 'vault "<name>" { … }',
    meaning: "A Recovery Services vault: where recovery points are kept, how redundantly, and with which key.",
    attributes: [
      { keyword: "path", forms: ['path "<dir>"'], meaning: "Directory where the local engine keeps this vault's recovery points (relative to the file).", default: "none: `bkp backup` needs it or `blob`" },
      { keyword: "blob", forms: ['blob "https://<account>.blob.core.windows.net/<container>[/<folder>]"'], meaning: "Keep this vault in an Azure Blob Storage container instead of a directory; several hosts can share it. Credentials: a SAS token in the URL, AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY (docs/vault-format.md). Exclusive with `path`." },
      { keyword: "redundancy", forms: ["redundancy LRS | ZRS | GRS | RA-GRS"], meaning: "Storage redundancy; decides the backup storage price (docs/domain.md#billing).", default: "GRS" },
      { keyword: "encryption", forms: ["encryption platform-key", 'encryption customer-key "<key file>"'], meaning: "Encryption at rest (docs/domain.md#encryption): a platform-managed key, or the user's key file.", default: "platform-key" },
      { keyword: "pricing", forms: ['pricing "<price book>"'], meaning: "The price book that bills this vault.", default: "the built-in book (docs/domain.md#billing)" },
      { keyword: "region", forms: ['region "<azure region>"'], meaning: "The vault's region (informational; price books may name one)." },
      // Vault security (grammar/reference.md "Vault security", docs/domain.md#vault-security)
      { keyword: "soft-delete", forms: ["soft-delete off", "soft-delete on [<14..180> days]", "soft-delete always-on [<14..180> days]"], meaning: "Keep deleted backup data this many days; the days beyond 14 are billed at regular backup rates (`bkp cost`). `always-on` cannot be turned off again (docs/domain.md#vault-security).", default: "on 14 days" },
      { keyword: "immutability", forms: ["immutability disabled | unlocked | locked"], meaning: "Immutable vault: recovery points cannot be deleted before they expire; `locked` cannot be undone (docs/domain.md#vault-security).", default: "disabled" },
      { keyword: "cross-region-restore", forms: ["cross-region-restore true | false"], meaning: "Restore in the paired region; needs redundancy GRS (or RA-GRS) and cannot be turned off once on (docs/domain.md#vault-security).", default: "false" },
      { keyword: "cross-subscription-restore", forms: ["cross-subscription-restore enabled | disabled | permanently-disabled"], meaning: "Whether VMs may be restored into another subscription; `permanently-disabled` cannot be undone (docs/domain.md#vault-security).", default: "enabled" },
      { keyword: "resource-guard", forms: ['resource-guard "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.DataProtection/resourceGuards/<name>"'], meaning: "Multi-user authorization: critical operations on the vault need the approval of this resource guard's owner (docs/domain.md#vault-security)." },
      { keyword: "accept-irreversible", forms: ["accept-irreversible <attribute>, …"], meaning: "Acknowledges changes Azure cannot undo (soft-delete, immutability, cross-region-restore, cross-subscription-restore, redundancy; in a policy: type), so `bkp cost diff` and the lint rule irreversible-change let them through (docs/ci.md#irreversible-changes)." },
    ],
    example: 'vault "prod" {\n  path "../vault/prod"\n  redundancy GRS\n  encryption platform-key\n}',
  },
  {
    block: "policy",
    header: 'policy "<name>" { … }',
    meaning: "A backup policy: when backups run and how long recovery points are kept.",
    attributes: [
      { keyword: "schedule", forms: ["schedule daily at HH:MM", "schedule weekly on <weekdays> at HH:MM", "schedule every <4|6|8|12> hours from HH:MM for <n> hours"], meaning: "When backups run; an hourly schedule makes the policy Enhanced (docs/domain.md#azure-limits). Times are on :00 or :30.", default: "required" },
      { keyword: "timezone", forms: ['timezone "<IANA or Windows zone>"'], meaning: 'The zone the schedule is read in, e.g. "Asia/Tokyo" or "Tokyo Standard Time".', default: '"UTC"' },
      { keyword: "instant-restore", forms: ["instant-restore <n> days"], meaning: "Days the snapshot tier is kept: 1–5 (Standard), 1–30 (Enhanced); a Standard weekly schedule: exactly 5 (docs/azure-model.md).", default: "2 (Standard), 7 (Enhanced), 5 (Standard weekly)" },
      { keyword: "instant-restore-resource-group", forms: ['instant-restore-resource-group "<prefix>"', 'instant-restore-resource-group "<prefix>" suffix "<suffix>"'], meaning: "The resource group Azure keeps instant-restore snapshots in: prefix + a number + suffix (Azure's instantRPDetails; Terraform's instant_restore_resource_group).", default: "Azure's own group (AzureBackupRG_<region>_1)" },
      { keyword: "consistency", forms: ["consistency application | file-system | crash | agentless-crash"], meaning: "The consistency asked for; `agentless-crash` needs no agent, bills 0.5 PI and needs an enhanced policy (docs/domain.md#consistency, docs/domain.md#billing). `file-system` and `crash` are levels the plan expects: export writes the agent-based policy.", default: "application" },
      { keyword: "vss", forms: ["vss full | copy"], meaning: "VSS backup type for Windows VMs: full truncates application logs, copy keeps them (docs/domain.md#vss).", default: "full" },
      { keyword: "retain", forms: ["retain daily <n> days", "retain weekly <n> weeks on <weekdays>", "retain monthly <n> months on <ordinals> <weekdays>", "retain monthly <n> months on day <1..31|last>, …", "retain yearly <n> years in <months> on <ordinals> <weekdays>", "retain yearly <n> years in <months> on day <1..31|last>, …", "retain … at HH:MM"], meaning: "How long recovery points are kept. Ranges: daily 7–9999 days, weekly 1–5163 weeks, monthly 1–1188 months, yearly 1–99 years. `at HH:MM` keeps Azure's retentionTimes when they differ from the schedule's time." },
      { keyword: "archive", forms: ["archive after <n> months", "archive recommended", "archive never"], meaning: "Archive tiering (docs/domain.md#archive): move monthly/yearly points after this age (at least 3 months in the standard tier, with at least 6 months of retention left; tieringMode TierAfter), let Azure move the points it recommends (TierRecommended), or move none (DoNotTier).", default: "no tieringPolicy (nothing moves)" },
      { keyword: "type", forms: ["type standard | enhanced"], meaning: "Policy type; an hourly schedule implies enhanced.", default: "standard, or enhanced for hourly schedules" },
      { keyword: "accept-irreversible", forms: ["accept-irreversible type"], meaning: "Acknowledges the change of a standard policy to enhanced, which Azure cannot undo (docs/ci.md#irreversible-changes)." },
    ],
    example: 'policy "daily" {\n  schedule daily at 02:30\n  timezone "Asia/Tokyo"\n  instant-restore 2 days\n  retain daily 30 days\n  retain weekly 12 weeks on Sun\n}',
  },
  {
    block: "vm",
    header: 'vm "<name>" { … }',
    meaning: "A protected virtual machine and its disks.",
    attributes: [
      { keyword: "os", forms: ["os windows | linux"], meaning: "The guest OS: decides VSS versus scripts and the consistency reached.", default: "required" },
      { keyword: "state", forms: ["state running | stopped"], meaning: "A stopped VM gets crash-consistent points (docs/domain.md#consistency).", default: "running" },
      { keyword: "security", forms: ["security standard | trusted-launch | confidential"], meaning: "The VM's security type (docs/azure-model.md \"Trusted Launch and confidential VMs\"): a confidential VM needs an enhanced, agent-based policy; a Trusted Launch VM on a standard policy needs recent Azure tools.", default: "standard" },
      { keyword: "provisioning", forms: ["provisioning succeeded | failed | unavailable | creating | deleting"], meaning: "Provisioning state; failed or unavailable means crash consistency (docs/domain.md#consistency).", default: "succeeded" },
      { keyword: "policy", forms: ['policy "<name>"'], meaning: "The policy protecting the VM.", default: "required" },
      { keyword: "vault", forms: ['vault "<name>"'], meaning: "The vault holding its recovery points.", default: "required" },
      { keyword: "protected-since", forms: ["protected-since YYYY-MM-DD"], meaning: "Date of the first successful backup; billing starts there (docs/domain.md#billing)." },
      { keyword: "protection", forms: ["protection active", "protection stopped retain-data", "protection stopped delete-data"], meaning: "Stopped with retained data keeps billing at the last backup's size (docs/domain.md#billing).", default: "active" },
      { keyword: "encryption", forms: ['encryption ade { bek "<file>"  kek "<file>" }'], meaning: "Azure Disk Encryption keys: the BEK secret and optionally a KEK that wraps it (docs/domain.md#encryption)." },
      { keyword: "vss", forms: ["vss full | copy"], meaning: "Windows only: overrides the policy's vss for this VM." },
      { keyword: "scripts", forms: ['scripts { pre "<file>" [args "<a>", …]  post "<file>"  timeout <n> s  retries <n>  continue-on-failure true|false  fsfreeze true|false }'], meaning: "Linux pre/post scripts for application consistency (docs/domain.md#consistency); timeout per script covering retries, at most 1800 s.", default: "timeout 30 s, retries 0, continue-on-failure true, fsfreeze true" },
      { keyword: "disk", forms: ['disk "<name>" { role … size … used … }'], meaning: "One disk of the VM (see the disk attributes)." },
    ],
    example: 'vm "app-01" {\n  os linux\n  policy "daily"\n  vault "prod"\n  disk "os" { role os size 64 GB used 22 GB }\n}',
  },
  {
    block: "disk",
    header: 'disk "<name>" { … }  (inside a vm)',
    meaning: "A managed disk of a VM.",
    attributes: [
      { keyword: "role", forms: ["role os | data | temp"], meaning: "A temp disk is never backed up nor billed (docs/domain.md#billing).", default: "data" },
      { keyword: "size", forms: ["size <n> GB"], meaning: "Provisioned maximum size (at most 32 TiB).", default: "required" },
      { keyword: "used", forms: ["used <n> GB"], meaning: "Actual data on the disk: what the protected instance is billed on (docs/domain.md#billing).", default: "required" },
      { keyword: "churn", forms: ["churn <n>% per day", "churn <n> GB per day"], meaning: "Data changed per day: drives incremental size, time and snapshot cost.", default: "the assume block's churn (2% of used per day)" },
      { keyword: "pattern", forms: ["pattern sequential | scattered"], meaning: "Scattered (fragmented) changes back up slower (docs/domain.md#timing).", default: "sequential" },
      { keyword: "added", forms: ["added YYYY-MM-DD"], meaning: "The disk was added to an already protected VM on that date: it needs an initial replication (docs/domain.md#timing)." },
      { keyword: "storage-account", forms: ['storage-account "<name>"'], meaning: "The storage account holding the disk." },
      { keyword: "tier", forms: ["tier standard | premium | premium-v2 | ultra"], meaning: "Disk type; premium disks with instant restore need free space on the first backup (docs/domain.md#best-practices); premium SSD v2 and ultra disks need an enhanced policy and are not crash-consistent with the VM's other disks (docs/azure-model.md).", default: "standard" },
      { keyword: "free", forms: ["free <n>%"], meaning: "Free share of the allocated storage." },
      { keyword: "image", forms: ['image "<file>"'], meaning: "A local raw or VHD image that the engine backs up (relative to the file)." },
      { keyword: "exclude", forms: ["exclude"], meaning: "Selective disk backup: not backed up, not billed. Export names excluded disks by their `lun`." },
      { keyword: "lun", forms: ["lun <0..63>"], meaning: "The data disk's LUN on its VM; selective disk backup (Terraform's azurerm_backup_protected_vm exclude_disk_luns) names disks by LUN." },
    ],
    example: 'disk "data1" { role data size 1 TB used 600 GB churn 2% per day pattern scattered }',
  },
  {
    block: "scripts",
    header: "scripts { … }  (inside a Linux vm)",
    meaning: "The Linux pre/post script framework (VMSnapshotScriptPluginConfig.json).",
    attributes: [
      { keyword: "pre", forms: ['pre "<file>" [args "<arg>", …]'], meaning: "Runs before the snapshot (e.g. freeze a database)." },
      { keyword: "post", forms: ['post "<file>" [args "<arg>", …]'], meaning: "Runs after the snapshot (e.g. thaw it)." },
      { keyword: "timeout", forms: ["timeout <n> s"], meaning: "Per script, covering its retries; 1 to 1800 s.", default: "30 s" },
      { keyword: "retries", forms: ["retries <n>"], meaning: "Extra tries after a failure; 0 means one try.", default: "0" },
      { keyword: "continue-on-failure", forms: ["continue-on-failure true | false"], meaning: "true: a failed script downgrades the point; false: the backup fails.", default: "true" },
      { keyword: "fsfreeze", forms: ["fsfreeze true | false"], meaning: "Freeze file systems around the snapshot.", default: "true" },
    ],
    example: 'scripts {\n  pre "scripts/freeze.sh" args "--db", "main"\n  post "scripts/thaw.sh"\n  timeout 60 s\n}',
  },
  {
    block: "ade",
    header: "encryption ade { … }  (inside a vm)",
    meaning: "Azure Disk Encryption keys backed up with the VM (docs/domain.md#encryption).",
    attributes: [
      { keyword: "bek", forms: ['bek "<file>"'], meaning: "The BitLocker/dm-crypt encryption key (secret).", default: "required" },
      { keyword: "kek", forms: ['kek "<file>"'], meaning: "The key-encryption key that wraps the BEK." },
    ],
    example: 'encryption ade {\n  bek "../keys/app.bek"\n  kek "../keys/prod.kek"\n}',
  },
  {
    block: "storage-account",
    header: 'storage-account "<name>" { … }',
    meaning: "A storage account that holds disks or receives restores.",
    attributes: [
      { keyword: "kind", forms: ["kind general-purpose-v2 | premium"], meaning: "Account kind; restores should target general-purpose v2 accounts (docs/domain.md#best-practices).", default: "general-purpose-v2" },
      { keyword: "iops", forms: ["iops <n>"], meaning: "IOPS limit of the account." },
      { keyword: "throughput", forms: ["throughput <n> MB/s"], meaning: "Throughput limit of the account." },
      { keyword: "load", forms: ["load <n>%"], meaning: "Share already used by other applications; slows restores (docs/domain.md#timing).", default: "0%" },
      { keyword: "path", forms: ['path "<dir>"'], meaning: "Folder where the local engine writes restored disks." },
      { keyword: "tier", forms: ["tier standard | premium"], meaning: "Performance tier.", default: "standard (premium for kind premium)" },
    ],
    example: 'storage-account "restore-sa-1" {\n  kind general-purpose-v2\n  iops 20000\n  throughput 60 MB/s\n  path "../restore/sa1"\n}',
  },
  {
    block: "restore",
    header: 'restore "<name>" { … }',
    meaning: "A restore plan: which VMs, from which point, into which storage accounts.",
    attributes: [
      { keyword: "vms", forms: ['vms "<vm>", …', "vms all"], meaning: "The VMs to restore.", default: "required" },
      { keyword: "point", forms: ["point latest | instant", 'point "<recovery point id>"', "point YYYY-MM-DDTHH:MM"], meaning: "Which recovery point: `latest` in the vault, `instant` the newest still in the instant-restore snapshot tier (restored from its snapshot, no vault read), a point id, or the latest at or before a time.", default: "latest" },
      { keyword: "into", forms: ['into "<storage-account>", …'], meaning: "Target storage accounts.", default: "required" },
      { keyword: "spread", forms: ["spread one-vm-per-account", "spread max <n> disks per account"], meaning: "How VMs are spread over the accounts (docs/domain.md#best-practices).", default: "one-vm-per-account" },
      { keyword: "resource-group", forms: ['resource-group "<name>"'], meaning: "Target resource group for managed disks (docs/domain.md#best-practices)." },
    ],
    example: 'restore "dr-drill" {\n  vms "app-01", "db01"\n  point latest\n  into "restore-sa-1", "restore-sa-2"\n  spread one-vm-per-account\n  resource-group "rg-restore"\n}',
  },
  {
    block: "assume",
    header: "assume { … }",
    meaning: "Assumptions of the timing and cost analysis; one per policy set, every one has a default.",
    attributes: [
      { keyword: "transfer-rate", forms: ["transfer-rate <n> MB/s per disk"], meaning: "Snapshot-to-vault transfer rate per disk.", default: "60 MB/s" },
      { keyword: "checksum-rate", forms: ["checksum-rate <n> MB/s per disk"], meaning: "Rate of checksum comparison when no snapshot is left (docs/domain.md#timing).", default: "200 MB/s" },
      { keyword: "peak-hours", forms: ["peak-hours HH:MM to HH:MM"], meaning: "When the service is busiest.", default: "00:00 to 06:00" },
      { keyword: "peak-lag", forms: ["peak-lag <n> hours"], meaning: "Snapshot-to-vault lag at peak, up to 8 hours (docs/domain.md#vault-transfer).", default: "8 hours" },
      { keyword: "prepare", forms: ["prepare <n> min"], meaning: "Extension install and snapshot trigger on a first backup.", default: "20 min" },
      { keyword: "horizon", forms: ["horizon <n> months"], meaning: "How far the billing projection looks.", default: "12 months" },
      { keyword: "fragmentation", forms: ["fragmentation <factor>"], meaning: "Slow-down of scattered changes versus sequential ones.", default: "2" },
      { keyword: "churn", forms: ["churn <n>% per day", "churn <n> GB per day"], meaning: "Churn of disks that do not state one.", default: "2% per day" },
      { keyword: "calibrate", forms: ["calibrate from-vault"], meaning: "Calibrate rates from the engine's measured jobs." },
      { keyword: "congestion", forms: ["congestion <n>"], meaning: "More VMs of one vault than this starting in the same half hour are reported as congestion (docs/domain.md#timing; the number is an assumption).", default: "100" },
      { keyword: "restore-io-size", forms: ["restore-io-size <n> KiB"], meaning: "Size of one restore write, to turn a storage account's IOPS into a rate.", default: "256 KiB" },
      { keyword: "agentless-pi", forms: ["agentless-pi <factor>"], meaning: "Protected instances billed per agentless crash-consistent VM (docs/domain.md#billing: preview pricing, GA rate unconfirmed).", default: "0.5" },
    ],
    example: "assume {\n  transfer-rate 60 MB/s per disk\n  peak-hours 00:00 to 06:00\n  horizon 36 months\n}",
  },
  {
    block: "pricing",
    header: 'pricing "<name>" { … }',
    meaning: "A price book; a vault names it with `pricing`. Without one the built-in book (docs/domain.md#billing) applies.",
    attributes: [
      { keyword: "currency", forms: ["currency USD"], meaning: "ISO 4217 currency code.", default: "USD" },
      { keyword: "unit", forms: ["unit GB | GiB"], meaning: "Billing unit for sizes.", default: "GB (10^9 bytes)" },
      { keyword: "region", forms: ['region "<azure region>"'], meaning: "The region these prices are for." },
      { keyword: "instance", forms: ["instance up-to <n> GB <fee>", "instance per <n> GB <fee>"], meaning: "Protected-instance fee per month: flat tiers, then per started block above the last tier." },
      { keyword: "storage", forms: ["storage LRS|ZRS|GRS|RA-GRS <price> per GB-month"], meaning: "Backup storage price by redundancy." },
      { keyword: "snapshot", forms: ["snapshot <price> per GB-month"], meaning: "Instant-restore snapshot price." },
      { keyword: "archive", forms: ["archive <price> per GB-month"], meaning: "Archive tier price." },
    ],
    example: 'pricing "my-ea-prices" {\n  currency USD\n  instance up-to 50 GB 5.00\n  instance per 500 GB 10.00\n  storage GRS 0.056 per GB-month\n  snapshot 0.05 per GB-month\n}',
  },
];

/** The accepted forms of `keyword` in `block`, for a hint. */
export function attributeForms(block: string, keyword: string): string[] | undefined {
  return BLOCK_DOCS.find((b) => b.block === block)?.attributes.find((a) => a.keyword === keyword)?.forms;
}
