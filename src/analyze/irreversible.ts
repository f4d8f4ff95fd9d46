// Changes Azure cannot undo (docs/domain.md#vault-security), between an old and a new version of
// a policy set: what `bkp cost diff` and the lint rule irreversible-change report. Without an
// old version, a vault is compared with the settings Azure gives a new vault.
import type { Range } from "../lang/diagnostics.js";
import type { Model, Policy, Vault } from "../model/model.js";
import { acknowledged, DEFAULT_VAULT_SECURITY, type IrreversibleSubject, type VaultSecurity } from "../model/vault-security.js";
import { compareText } from "../utils/compare.js";

export type IrreversibleKind =
  | "soft-delete-always-on"
  | "immutability-locked"
  | "cross-region-restore-on"
  | "cross-subscription-restore-permanently-disabled"
  | "redundancy-after-protection"
  | "policy-enhanced"
  // Changes back that Azure refuses: never acknowledged, always an error.
  | "soft-delete-always-on-undone"
  | "immutability-locked-undone"
  | "cross-region-restore-undone"
  | "cross-subscription-restore-permanently-disabled-undone"
  | "policy-enhanced-undone";

export interface IrreversibleChange {
  kind: IrreversibleKind;
  block: "vault" | "policy";
  /** The vault's or policy's name. */
  name: string;
  /** The attribute that changed (what `accept-irreversible` names). */
  attribute: IrreversibleSubject;
  from: string;
  to: string;
  message: string;
  /** How it was acknowledged: in the file (`accept-irreversible`), by a flag, or not at all. */
  acknowledged?: "file" | "flag";
  /** Azure refuses the change (it undoes a one-way setting): no acknowledgement lets it through. */
  refused?: boolean;
  /** Where the new value is written. */
  file: string;
  range: Range;
}

export interface IrreversibleOptions {
  /** `--accept-irreversible`: every change counts as acknowledged. */
  acceptAll?: boolean;
}

/** Whether the vault holds protected items in `model`: a VM with a first backup, or stopped with its data kept. */
function protectsItems(model: Model, vault: string): boolean {
  for (const vm of model.vms.values()) {
    if (vm.vault.name === vault && (vm.protectedSince !== undefined || vm.protection === "stopped-retain-data")) return true;
  }
  return false;
}

/** The irreversible changes from `before` (undefined: Azure's defaults for a new vault) to `after`. */
export function irreversibleChanges(before: Model | undefined, after: Model, opts: IrreversibleOptions = {}): IrreversibleChange[] {
  const out: IrreversibleChange[] = [];
  for (const v of [...after.vaults.values()].sort((a, b) => compareText(a.name, b.name))) {
    const old = before?.vaults.get(v.name);
    out.push(...vaultChanges(old?.security ?? DEFAULT_VAULT_SECURITY, v, opts));
    if (old && before && old.redundancy !== v.redundancy && protectsItems(before, v.name)) {
      out.push(change(v, "redundancy-after-protection", "redundancy", old.redundancy, v.redundancy, `vault "${v.name}" already protects VMs: Azure does not change the redundancy of such a vault; changing it means a new vault and protecting the VMs again (their old points stay in the old vault)`, v.ast.redundancy?.range, opts));
    }
  }
  if (before) {
    for (const p of [...after.policies.values()].sort((a, b) => compareText(a.name, b.name))) {
      const old = before.policies.get(p.name);
      if (old?.type === "standard" && p.type === "enhanced") {
        out.push(policyChange(p, old, opts));
      }
      if (old?.type === "enhanced" && p.type === "standard") {
        const range = (p.ast.type ?? p.ast.schedule ?? p.ast.name).range;
        out.push({ kind: "policy-enhanced-undone", block: "policy", name: p.name, attribute: "type", from: "enhanced", to: "standard", message: `policy "${p.name}" is enhanced in Azure and cannot become standard again: Azure refuses the change (create a new standard policy instead)`, refused: true, file: p.ast.file, range });
      }
    }
  }
  return out;
}

function vaultChanges(old: VaultSecurity, v: Vault, opts: IrreversibleOptions): IrreversibleChange[] {
  const s = v.security;
  const a = v.ast;
  const out: IrreversibleChange[] = [];
  if (s.softDelete.state === "always-on" && old.softDelete.state !== "always-on") {
    out.push(change(v, "soft-delete-always-on", "soft-delete", old.softDelete.state, "always-on", `vault "${v.name}": soft delete made always-on cannot be turned off again`, a.softDelete?.range, opts));
  }
  if (s.immutability === "locked" && old.immutability !== "locked") {
    out.push(change(v, "immutability-locked", "immutability", old.immutability, "locked", `vault "${v.name}": a locked immutable vault cannot be unlocked; recovery points cannot be deleted before they expire`, a.immutability?.range, opts));
  }
  if (s.crossRegionRestore && !old.crossRegionRestore) {
    out.push(change(v, "cross-region-restore-on", "cross-region-restore", "false", "true", `vault "${v.name}": cross-region restore cannot be turned off once on`, a.crossRegionRestore?.range, opts));
  }
  if (s.crossSubscriptionRestore === "permanently-disabled" && old.crossSubscriptionRestore !== "permanently-disabled") {
    out.push(change(v, "cross-subscription-restore-permanently-disabled", "cross-subscription-restore", old.crossSubscriptionRestore, "permanently-disabled", `vault "${v.name}": cross-subscription restore permanently disabled cannot be enabled again`, a.crossSubscriptionRestore?.range, opts));
  }
  const refused = (kind: IrreversibleKind, attribute: IrreversibleSubject, from: string, to: string, what: string, range: Range | undefined): IrreversibleChange =>
    ({ kind, block: "vault", name: v.name, attribute, from, to, message: `vault "${v.name}": ${what}: Azure refuses the change`, refused: true, file: a.file, range: range ?? a.name.range });
  if (old.softDelete.state === "always-on" && s.softDelete.state !== "always-on") out.push(refused("soft-delete-always-on-undone", "soft-delete", "always-on", s.softDelete.state, "soft delete is always-on and cannot be turned off", a.softDelete?.range));
  if (old.immutability === "locked" && s.immutability !== "locked") out.push(refused("immutability-locked-undone", "immutability", "locked", s.immutability, "a locked immutable vault cannot be unlocked", a.immutability?.range));
  if (old.crossRegionRestore && !s.crossRegionRestore) out.push(refused("cross-region-restore-undone", "cross-region-restore", "true", "false", "cross-region restore cannot be turned off once on", a.crossRegionRestore?.range));
  if (old.crossSubscriptionRestore === "permanently-disabled" && s.crossSubscriptionRestore !== "permanently-disabled") {
    out.push(refused("cross-subscription-restore-permanently-disabled-undone", "cross-subscription-restore", "permanently-disabled", s.crossSubscriptionRestore, "cross-subscription restore is permanently disabled", a.crossSubscriptionRestore?.range));
  }
  return out;
}

function change(v: Vault, kind: IrreversibleKind, attribute: IrreversibleSubject, from: string, to: string, message: string, range: Range | undefined, opts: IrreversibleOptions): IrreversibleChange {
  const ack = acknowledged(v.ast.acceptIrreversible).has(attribute) ? "file" : opts.acceptAll ? "flag" : undefined;
  return { kind, block: "vault", name: v.name, attribute, from, to, message, acknowledged: ack, file: v.ast.file, range: range ?? v.ast.name.range };
}

function policyChange(p: Policy, old: Policy, opts: IrreversibleOptions): IrreversibleChange {
  const ack = acknowledged(p.ast.acceptIrreversible).has("type") ? "file" : opts.acceptAll ? "flag" : undefined;
  const range = (p.ast.type ?? p.ast.schedule ?? p.ast.name).range;
  return { kind: "policy-enhanced", block: "policy", name: p.name, attribute: "type", from: old.type, to: p.type, message: `policy "${p.name}" becomes enhanced: Azure cannot change an enhanced policy back to standard`, acknowledged: ack, file: p.ast.file, range };
}

/** The changes nobody acknowledged, and those Azure refuses. */
export function unacknowledged(changes: IrreversibleChange[]): IrreversibleChange[] {
  return changes.filter((c) => !c.acknowledged || c.refused);
}

/** One line per change, for people. */
export function irreversibleLines(changes: IrreversibleChange[]): string[] {
  if (!changes.length) return [];
  const open = unacknowledged(changes).length;
  const out = [`irreversible changes: ${changes.length}${open ? `, ${open} not acknowledged or refused by Azure` : ", all acknowledged"}`];
  for (const c of changes) {
    const how = c.refused ? "REFUSED by Azure" : c.acknowledged === "file" ? "acknowledged (accept-irreversible)" : c.acknowledged === "flag" ? "acknowledged (--accept-irreversible)" : "NOT acknowledged";
    out.push(`  ! ${c.block} "${c.name}" ${c.attribute} ${c.from} -> ${c.to}: ${c.message} [${how}]`);
  }
  if (changes.some((c) => !c.acknowledged && !c.refused)) out.push(`  acknowledge each with 'accept-irreversible <attribute>' in its block, or run with --accept-irreversible (docs/ci.md#irreversible-changes)`);
  if (changes.some((c) => c.refused)) out.push("  a refused change cannot be deployed: keep the one-way setting (or use a new vault / a new policy)");
  return out;
}
