import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const accounts = `storage-account "sa-1" { kind general-purpose-v2 }\nstorage-account "sa-2" { kind general-purpose-v2 }\n`;
const vms = `${vm("a", "os linux")}${vm("b", "os linux")}${vm("c", "os linux")}`;
const restore = (into: string) => `restore "drill" {\n  vms all\n  into ${into}\n  resource-group "rg-restore"\n}\n`;

export const restoreSharesStorageAccount: Rule = {
  name: "restore-shares-storage-account",
  code: "BKP4002",
  severity: "warning",
  summary: "a restore plan puts several VMs into one storage account",
  docs: {
    what: "A restore block with more VMs than target storage accounts (spread one-vm-per-account), or more disks than its accounts take (spread max N disks per account).",
    why: "docs/domain.md#best-practices: restoring several VMs from one vault, use a different general-purpose v2 storage account per VM (10 VMs -> 10 accounts) so that the targets are not throttled; docs/domain.md#timing: restore time depends on the account's IOPS and throughput.",
    instead: "Add storage accounts to `into` until there is one per VM (or enough for the disk limit).",
  },
  examples: {
    bad: `${VAULT}${POLICY}${accounts}${vms}${restore('"sa-1", "sa-2"')}`,
    good: `${VAULT}${POLICY}${accounts}storage-account "sa-3" { kind general-purpose-v2 }\n${vms}${restore('"sa-1", "sa-2", "sa-3"')}`,
  },
  check(ctx) {
    for (const r of ctx.model.restores.values()) {
      if (!r.into.length || !r.ast.into) continue;
      const disks = r.vms.reduce((n, v) => n + v.disks.filter((d) => d.role !== "temp" && !d.excluded).length, 0);
      const capacity = r.spread.kind === "one-vm-per-account" ? r.into.length : r.into.length * r.spread.max;
      const need = r.spread.kind === "one-vm-per-account" ? r.vms.length : disks;
      if (need <= capacity) continue;
      const unit = r.spread.kind === "one-vm-per-account" ? "VMs" : "disks";
      const more = r.spread.kind === "one-vm-per-account" ? need - r.into.length : Math.ceil(need / r.spread.max) - r.into.length;
      ctx.report({
        file: r.ast.file,
        range: r.ast.into.range,
        message: `restore "${r.name}" restores ${need} ${unit} into ${r.into.length} storage account${r.into.length === 1 ? "" : "s"}${r.spread.kind === "max-disks" ? ` of at most ${r.spread.max} disks each` : ""}; targets will be throttled`,
        hint: `add ${more} more general-purpose v2 storage account${more === 1 ? "" : "s"} to into`,
      });
    }
  },
};
