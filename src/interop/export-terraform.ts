// `bkp export terraform`: checked policies -> `azurerm_backup_policy_vm` resources, laid out
// as `terraform fmt` would: two-space indent, `=` aligned within each run of consecutive
// one-line arguments (a blank line or a nested block ends a run), one blank line between
// nested blocks and between resources. Argument names from the azurerm provider's docs
// (website/docs/r/backup_policy_vm.html.markdown).
import type { Diagnostic } from "../lang/diagnostics.js";
import type { Policy, Vm } from "../model/model.js";
import { azureProperties, exportProblems } from "./export-azure.js";
import type { MonthlyRetentionSchedule } from "./azure-json.js";
import { INTEROP_CODES } from "./codes.js";

export interface TerraformOptions {
  /** HCL expressions (not strings) for the two required arguments; default: variables. */
  resourceGroupName?: string;
  recoveryVaultName?: string;
  /** VMs to protect with the exported policies (`azurerm_backup_protected_vm`, disk LUNs). */
  vms?: Vm[];
}

export interface TerraformExport {
  text?: string;
  diagnostics: Diagnostic[];
}

export type Item = { kind: "attr"; key: string; value: string } | { kind: "block"; block: Block } | { kind: "blank" };

export interface Block {
  type: string;
  labels: string[];
  items: Item[];
}

/** An HCL quoted string: escapes and the `${` / `%{` template sequences. */
export function hclString(s: string): string {
  const body = s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");
  return `"${body}"`;
}

const list = (xs: (string | number)[]) => `[${xs.map((x) => (typeof x === "number" ? String(x) : hclString(x))).join(", ")}]`;

/** A resource label: letters, digits, `_` and `-`, not starting with a digit or `-`. */
export function hclIdentifier(name: string): string {
  let id = name.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!/^[A-Za-z_]/.test(id)) id = `_${id}`;
  return id;
}

export function exportTerraform(policies: Policy[], opts: TerraformOptions = {}): TerraformExport {
  const diagnostics = policies.flatMap((p) => exportProblems(p, "terraform"));
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  const used = new Set<string>();
  let azapi = false;
  let azurerm = false;
  const address = new Map<string, string>();
  const blocks = policies.map((p) => {
    let id = hclIdentifier(p.name);
    for (let n = 2; used.has(id); n++) id = `${hclIdentifier(p.name)}_${n}`;
    used.add(id);
    const gap = azurermGap(p);
    address.set(p.name, `${gap ? "azapi_resource" : "azurerm_backup_policy_vm"}.${id}.id`);
    if (!gap) {
      azurerm = true;
      return resource(p, id, opts);
    }
    azapi = true;
    diagnostics.push({
      code: "BKP6105", severity: INTEROP_CODES.BKP6105.severity, file: p.ast.file, range: p.ast.name.range,
      message: `policy "${p.name}" ${gap}, which azurerm_backup_policy_vm has no argument for: written as an azapi_resource with the REST body`,
      hint: "nothing to do if you use the azapi provider; otherwise deploy the body of `bkp export azure`",
    });
    return azapiResource(p, id);
  });
  const protectedVms = (opts.vms ?? []).filter((v) => address.has(v.policy.name));
  const vmBlocks: Block[] = [];
  const usedVm = new Set<string>();
  for (const v of protectedVms) {
    const problems = lunProblems(v);
    if (problems.length) {
      diagnostics.push(...problems);
      continue;
    }
    if (v.protection === "stopped-delete-data") continue;
    let id = hclIdentifier(v.name);
    for (let n = 2; usedVm.has(id); n++) id = `${hclIdentifier(v.name)}_${n}`;
    usedVm.add(id);
    vmBlocks.push(protectedVm(v, id, address.get(v.policy.name)!, opts));
  }
  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  if (vmBlocks.length) {
    azurerm = true;
    blocks.push(...vmBlocks);
  }
  const header: string[] = [];
  if (vmBlocks.length) header.push('# azurerm_backup_protected_vm blocks need var.vm_ids, a map from VM name to the VM\'s resource id.', "");
  if (azurerm && (!opts.resourceGroupName || !opts.recoveryVaultName)) {
    header.push("# Declare var.resource_group_name and var.recovery_vault_name, or export with --resource-group and --vault.", "");
  }
  if (azapi) header.push("# azapi_resource blocks need the azapi provider and var.recovery_vault_id (the vault's resource id).", "");
  return { text: header.join("\n") + (header.length ? "\n" : "") + blocks.map((b) => print(b, "").join("\n")).join("\n\n") + "\n", diagnostics };
}

function resource(p: Policy, id: string, opts: TerraformOptions): Block {
  const props = azureProperties(p);
  const s = p.schedule;
  const at = s.kind === "hourly" ? s.start : s.at;
  const hhmm = `${String(at.hour).padStart(2, "0")}:${String(at.minute).padStart(2, "0")}`;
  const attr = (key: string, value: string): Item => ({ kind: "attr", key, value });
  const block = (type: string, items: Item[]): Item => ({ kind: "block", block: { type, labels: [], items } });

  const backup: Item[] = [attr("frequency", hclString(s.kind === "hourly" ? "Hourly" : s.kind === "weekly" ? "Weekly" : "Daily")), attr("time", hclString(hhmm))];
  if (s.kind === "hourly") backup.push(attr("hour_interval", String(s.intervalHours)), attr("hour_duration", String(s.windowHours)));
  if (s.kind === "weekly") backup.push(attr("weekdays", list(s.days.map((d) => DAYS[d - 1]))));

  const items: Item[] = [
    attr("name", hclString(p.name)),
    attr("resource_group_name", opts.resourceGroupName ? hclString(opts.resourceGroupName) : "var.resource_group_name"),
    attr("recovery_vault_name", opts.recoveryVaultName ? hclString(opts.recoveryVaultName) : "var.recovery_vault_name"),
    attr("policy_type", hclString(props.policyType)),
    attr("timezone", hclString(props.timeZone)),
    attr("instant_restore_retention_days", String(props.instantRpRetentionRangeInDays)),
    { kind: "blank" },
    block("backup", backup),
  ];

  const r = props.retentionPolicy;
  if (r.dailySchedule) items.push({ kind: "blank" }, block("retention_daily", [attr("count", String(r.dailySchedule.retentionDuration.count))]));
  if (r.weeklySchedule) {
    items.push({ kind: "blank" }, block("retention_weekly", [attr("count", String(r.weeklySchedule.retentionDuration.count)), attr("weekdays", list(r.weeklySchedule.daysOfTheWeek))]));
  }
  if (r.monthlySchedule) items.push({ kind: "blank" }, block("retention_monthly", [attr("count", String(r.monthlySchedule.retentionDuration.count)), ...onDays(r.monthlySchedule)]));
  if (r.yearlySchedule) {
    items.push({ kind: "blank" }, block("retention_yearly", [
      attr("count", String(r.yearlySchedule.retentionDuration.count)),
      attr("months", list(r.yearlySchedule.monthsOfYear)),
      ...onDays(r.yearlySchedule),
    ]));
  }
  const a = props.tieringPolicy?.ArchivedRP;
  // azurerm's `mode` takes TierAfter and TierRecommended; DoNotTier is what an absent
  // tiering_policy means, so `archive never` writes none.
  if (a && a.tieringMode !== "DoNotTier") {
    const point = [attr("mode", hclString(a.tieringMode))];
    if (a.tieringMode === "TierAfter") point.push(attr("duration", String(a.duration)), attr("duration_type", hclString(a.durationType!)));
    items.push({ kind: "blank" }, block("tiering_policy", [block("archived_restore_point", point)]));
  }
  const rg = props.instantRPDetails;
  if (rg) {
    const group = [attr("prefix", hclString(rg.azureBackupRGNamePrefix))];
    if (rg.azureBackupRGNameSuffix !== undefined) group.push(attr("suffix", hclString(rg.azureBackupRGNameSuffix)));
    items.splice(6, 0, { kind: "blank" }, block("instant_restore_resource_group", group));
  }
  return { type: "resource", labels: ["azurerm_backup_policy_vm", id], items };

  function onDays(m: MonthlyRetentionSchedule): Item[] {
    if (m.retentionScheduleFormatType === "Weekly") {
      const w = m.retentionScheduleWeekly!;
      return [attr("weekdays", list(w.daysOfTheWeek)), attr("weeks", list(w.weeksOfTheMonth))];
    }
    const days = m.retentionScheduleDaily!.daysOfTheMonth;
    const numbered = days.filter((d) => !d.isLast).map((d) => d.date);
    const out: Item[] = [];
    if (numbered.length) out.push(attr("days", list(numbered)));
    // The provider turns include_last_days into {"date": 0, "isLast": true}.
    if (days.some((d) => d.isLast)) out.push(attr("include_last_days", "true"));
    return out;
  }
}

/**
 * Selective disk backup names data disks by LUN: an excluded disk without one cannot be
 * exported (BKP6107, at the disk's `exclude`).
 */
function lunProblems(v: Vm): Diagnostic[] {
  return v.disks
    .filter((d) => d.excluded && d.role === "data" && d.lun === undefined)
    .map((d) => ({
      code: "BKP6107", severity: INTEROP_CODES.BKP6107.severity, file: v.ast.file, range: d.ast.exclude!.range,
      message: `disk "${d.name}" of vm "${v.name}" is excluded, but Azure names excluded disks by LUN and it has none`,
      hint: "add lun <n> (the LUN the disk has on the VM) to the disk",
    }));
}

/** azurerm_backup_protected_vm: the VM, its policy and the LUNs selective disk backup leaves out. */
function protectedVm(v: Vm, id: string, policyAddress: string, opts: TerraformOptions): Block {
  const attr = (key: string, value: string): Item => ({ kind: "attr", key, value });
  const excluded = v.disks.filter((d) => d.excluded && d.lun !== undefined).map((d) => d.lun!).sort((a, b) => a - b);
  const items: Item[] = [
    attr("resource_group_name", opts.resourceGroupName ? hclString(opts.resourceGroupName) : "var.resource_group_name"),
    attr("recovery_vault_name", opts.recoveryVaultName ? hclString(opts.recoveryVaultName) : "var.recovery_vault_name"),
    attr("source_vm_id", `var.vm_ids[${hclString(v.name)}]`),
    attr("backup_policy_id", policyAddress),
  ];
  if (excluded.length) items.push(attr("exclude_disk_luns", list(excluded)));
  if (v.protection === "stopped-retain-data") items.push(attr("protection_state", hclString("ProtectionStopped")));
  return { type: "resource", labels: ["azurerm_backup_protected_vm", id], items };
}

/** What of `p` azurerm_backup_policy_vm cannot say (its documented arguments), if anything. */
function azurermGap(p: Policy): string | undefined {
  if (p.consistency === "agentless-crash") return "is agentless crash-consistent (snapshotConsistencyType OnlyCrashConsistent)";
  const r = p.retention;
  if ([r.daily?.at, r.weekly?.at, r.monthly?.at, r.yearly?.at].some((t) => t !== undefined)) return "keeps retention times other than its schedule's time (retentionTimes)";
  return undefined;
}

/** The policy as an azapi_resource whose body is the REST body (azapi provider 2.x, HCL object). */
function azapiResource(p: Policy, id: string): Block {
  return {
    type: "resource",
    labels: ["azapi_resource", id],
    items: [
      { kind: "attr", key: "type", value: hclString(`Microsoft.RecoveryServices/vaults/backupPolicies@${AZAPI_API_VERSION}`) },
      { kind: "attr", key: "name", value: hclString(p.name) },
      { kind: "attr", key: "parent_id", value: "var.recovery_vault_id" },
      { kind: "attr", key: "body", value: hclValue({ properties: azureProperties(p) }, "  ") },
    ],
  };
}

/** The REST API version the azapi body is written for (the newest stable one bkp was checked against). */
const AZAPI_API_VERSION = "2024-10-01";

/** A JSON value as an HCL expression, objects laid out one attribute a line. */
export function hclValue(v: unknown, indent: string): string {
  if (typeof v === "string") return hclString(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => hclValue(x, indent)).join(", ")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (!entries.length) return "{}";
    const inner = indent + "  ";
    const width = Math.max(...entries.map(([k]) => k.length));
    return `{\n${entries.map(([k, x]) => `${inner}${k.padEnd(width)} = ${hclValue(x, inner)}`).join("\n")}\n${indent}}`;
  }
  return "null";
}

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function print(b: Block, indent: string): string[] {
  const head = [b.type, ...b.labels.map(hclString)].join(" ");
  const inner = indent + "  ";
  const out = [`${indent}${head} {`];
  let run: { key: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.key.length));
    for (const a of run) out.push(`${inner}${a.key.padEnd(width)} = ${a.value}`);
    run = [];
  };
  for (const it of b.items) {
    if (it.kind === "attr") {
      run.push(it);
      continue;
    }
    flush();
    if (it.kind === "blank") out.push("");
    else out.push(...print(it.block, inner));
  }
  flush();
  out.push(`${indent}}`);
  return out;
}
