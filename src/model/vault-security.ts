// Vault security settings (grammar/reference.md "Vault security", docs/domain.md#vault-security):
// soft delete, immutability, cross-region and cross-subscription restore, multi-user
// authorization, and the acknowledgements of changes Azure cannot undo.
import type * as A from "../lang/ast.js";
import type { CheckContext } from "./check-context.js";
import type { Redundancy } from "./model.js";

export type SoftDeleteState = A.SoftDeleteState;
export type ImmutabilityState = A.ImmutabilityState;
export type CrossSubscriptionRestoreState = A.CrossSubscriptionRestoreState;

export interface VaultSecurity {
  softDelete: { state: SoftDeleteState; days: number };
  immutability: ImmutabilityState;
  crossRegionRestore: boolean;
  crossSubscriptionRestore: CrossSubscriptionRestoreState;
  /** Multi-user authorization: the ARM id of the resource guard. */
  resourceGuard?: string;
}

/** Azure's settings for a new Recovery Services vault (what a vault block without them means). */
export const DEFAULT_VAULT_SECURITY: VaultSecurity = {
  softDelete: { state: "on", days: 14 },
  immutability: "disabled",
  crossRegionRestore: false,
  crossSubscriptionRestore: "enabled",
};

/** Soft-delete retention Azure accepts; the first 14 days are free (docs/domain.md#vault-security). */
export const SOFT_DELETE_DAYS = { min: 14, max: 180, free: 14 } as const;

/** Attributes whose change can be irreversible, per block, for `accept-irreversible`. */
export const IRREVERSIBLE_SUBJECTS = {
  vault: ["soft-delete", "immutability", "cross-region-restore", "cross-subscription-restore", "redundancy"],
  policy: ["type"],
} as const;
export type IrreversibleSubject = (typeof IRREVERSIBLE_SUBJECTS)[keyof typeof IRREVERSIBLE_SUBJECTS][number];

const RESOURCE_GUARD_ID = /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.DataProtection\/resourceGuards\/[A-Za-z0-9][-A-Za-z0-9]{0,48}$/i;

/** Whether `id` is the ARM id of a resource guard (Microsoft.DataProtection/resourceGuards). */
export function isResourceGuardId(id: string): boolean {
  return RESOURCE_GUARD_ID.test(id) && !id.slice(id.indexOf("/resourceGroups/") + 16).split("/")[0].endsWith(".");
}

export function checkVaultSecurity(ctx: CheckContext, v: A.VaultAst, redundancy: Redundancy): VaultSecurity {
  const file = v.file;
  const out: VaultSecurity = { ...DEFAULT_VAULT_SECURITY, softDelete: { ...DEFAULT_VAULT_SECURITY.softDelete } };
  if (v.softDelete) {
    out.softDelete.state = v.softDelete.state.value;
    const q = ctx.unit(file, v.softDelete.days, "duration", "soft-delete retention", "30 days");
    if (q && q.unit!.name !== "day") ctx.report(file, "BKP2003", q.unit!.range, `soft-delete retention counts days, not ${q.unit!.text}`, "write e.g. soft-delete on 30 days");
    else if (q) {
      const n = q.number.value;
      if (!n.isInteger()) ctx.report(file, "BKP2070", q.range, "soft-delete retention needs a whole number of days", "write e.g. 30 days");
      else if (ctx.inRange(file, q, n, SOFT_DELETE_DAYS.min, SOFT_DELETE_DAYS.max, "BKP2070", "soft-delete retention", `write ${SOFT_DELETE_DAYS.min} to ${SOFT_DELETE_DAYS.max} days (docs/domain.md#vault-security)`, true)) out.softDelete.days = n.toNumber();
    }
  }
  if (v.immutability) out.immutability = v.immutability.value;
  if (v.crossRegionRestore) {
    out.crossRegionRestore = v.crossRegionRestore.value === "true";
    if (out.crossRegionRestore && redundancy !== "GRS" && redundancy !== "RA-GRS") {
      ctx.report(file, "BKP2071", v.crossRegionRestore.range, `cross-region restore needs geo-redundant storage, but vault "${v.name.value}" is ${redundancy}`, "write redundancy GRS, or cross-region-restore false (docs/domain.md#vault-security)");
    }
  }
  if (v.crossSubscriptionRestore) out.crossSubscriptionRestore = v.crossSubscriptionRestore.value;
  if (v.resourceGuard) {
    if (isResourceGuardId(v.resourceGuard.value)) out.resourceGuard = v.resourceGuard.value;
    else {
      ctx.report(file, "BKP2072", v.resourceGuard.range, `"${v.resourceGuard.value}" is not the ARM id of a resource guard`, 'write resource-guard "/subscriptions/<subscription id>/resourceGroups/<group>/providers/Microsoft.DataProtection/resourceGuards/<name>"');
    }
  }
  checkAcceptIrreversible(ctx, file, v.acceptIrreversible, "vault");
  return out;
}

/** Reports `accept-irreversible` items that name nothing irreversible in this kind of block. */
export function checkAcceptIrreversible(ctx: CheckContext, file: string, a: A.AcceptIrreversibleAst | undefined, block: keyof typeof IRREVERSIBLE_SUBJECTS): void {
  if (!a) return;
  const allowed: readonly string[] = IRREVERSIBLE_SUBJECTS[block];
  const seen = new Set<string>();
  for (const item of a.items) {
    if (!allowed.includes(item.value)) {
      ctx.report(file, "BKP2073", item.range, `'${item.value}' is not a ${block} attribute whose change Azure cannot undo`, `a ${block} block acknowledges: ${allowed.join(", ")}`);
    } else if (seen.has(item.value)) {
      ctx.report(file, "BKP2006", item.range, `'${item.value}' is acknowledged twice`, "name it once");
    }
    seen.add(item.value);
  }
}

/** The attributes a block acknowledges with `accept-irreversible`. */
export function acknowledged(a: A.AcceptIrreversibleAst | undefined): Set<string> {
  return new Set(a?.items.map((i) => i.value));
}
