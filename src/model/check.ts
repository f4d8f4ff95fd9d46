// The checker: several files form one policy set; names resolve across all of them.
import type * as A from "../lang/ast.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import { checkAssume, checkPricing, checkRestore, checkStorageAccount, checkVault } from "./check-blocks.js";
import { createContext, type CheckContext } from "./check-context.js";
import { checkPolicy } from "./check-policy.js";
import { checkVm } from "./check-vm.js";
import { MAX_VMS_PER_VAULT } from "./limits.js";
import type { Model } from "./model.js";

type Named = Extract<A.BlockAst, { name: A.Str }>;

/** Blocks of one kind by name; a second block of the same name is reported and ignored. */
function byName<B extends Named>(ctx: CheckContext, blocks: B[]): Map<string, B> {
  const out = new Map<string, B>();
  for (const b of blocks) {
    const prev = out.get(b.name.value);
    if (prev) {
      ctx.diagnostics.push({
        code: "BKP2001", severity: "error", file: b.file, range: b.name.range,
        message: `${b.kind} "${b.name.value}" is defined twice`,
        hint: `rename one; the first is at ${prev.file}:${prev.name.range.start.line}`,
        related: [{ file: prev.file, range: prev.name.range, message: "first defined here" }],
      });
      continue;
    }
    out.set(b.name.value, b);
  }
  return out;
}

function ofKind<K extends A.BlockAst["kind"]>(files: A.FileAst[], kind: K): Extract<A.BlockAst, { kind: K }>[] {
  return files.flatMap((f) => f.blocks.filter((b): b is Extract<A.BlockAst, { kind: K }> => b.kind === kind));
}

function mapValues<K, V, W>(m: Map<K, V>, f: (v: V) => W | undefined): Map<K, W> {
  const out = new Map<K, W>();
  for (const [k, v] of m) {
    const w = f(v);
    if (w !== undefined) out.set(k, w);
  }
  return out;
}

export function check(files: A.FileAst[]): { model: Model; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const ctx = createContext(diagnostics);

  const assumeBlocks = ofKind(files, "assume");
  for (const extra of assumeBlocks.slice(1)) {
    ctx.report(extra.file, "BKP2030", extra.syntax.header, "a policy set has one assume block", `merge it into the first one (${assumeBlocks[0].file}:${assumeBlocks[0].range.start.line})`);
  }
  const assumptions = checkAssume(ctx, assumeBlocks[0]);
  const priceBooks = mapValues(byName(ctx, ofKind(files, "pricing")), (p) => checkPricing(ctx, p));
  const vaults = mapValues(byName(ctx, ofKind(files, "vault")), (v) => checkVault(ctx, v, priceBooks));
  const policyAsts = byName(ctx, ofKind(files, "policy"));
  const policies = mapValues(policyAsts, (p) => checkPolicy(ctx, p));
  const storageAccounts = mapValues(byName(ctx, ofKind(files, "storage-account")), (s) => checkStorageAccount(ctx, s));
  // A VM whose policy has errors is not told again that its policy does not exist.
  const brokenPolicies = new Set([...policyAsts.keys()].filter((n) => !policies.has(n)));
  const vms = mapValues(byName(ctx, ofKind(files, "vm")), (v) => checkVm(ctx, v, { policies, brokenPolicies, vaults, storageAccounts, assumptions }));
  const restores = mapValues(byName(ctx, ofKind(files, "restore")), (r) => checkRestore(ctx, r, vms, storageAccounts));

  // DOMAIN §7: at most 1000 VMs per vault.
  const perVault = new Map<string, number>();
  for (const vm of vms.values()) perVault.set(vm.vault.name, (perVault.get(vm.vault.name) ?? 0) + 1);
  for (const [name, n] of perVault) {
    if (n > MAX_VMS_PER_VAULT) {
      const v = vaults.get(name)!;
      ctx.report(v.ast.file, "BKP2027", v.ast.name.range, `vault "${name}" protects ${n} VMs; Azure allows ${MAX_VMS_PER_VAULT} per vault`, "spread the VMs over several vaults");
    }
  }

  return { model: { vaults, policies, vms, storageAccounts, restores, priceBooks, assumptions, files }, diagnostics };
}
