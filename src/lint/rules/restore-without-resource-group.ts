import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const sa = `storage-account "sa-1" { kind general-purpose-v2 }\n`;

export const restoreWithoutResourceGroup: Rule = {
  name: "restore-without-resource-group",
  code: "BKP4005",
  severity: "warning",
  summary: "a restore plan does not name a target resource group",
  docs: {
    what: "A restore block without `resource-group`.",
    why: "docs/domain.md#best-practices: restoring managed-disk VMs, give the target resource group (PowerShell's TargetResourceGroupName); without it the disks land where you may not look for them.",
    instead: 'Add resource-group "<name>" to the restore block.',
  },
  examples: {
    bad: `${VAULT}${POLICY}${sa}${vm("a", "os linux")}restore "drill" {\n  vms "a"\n  into "sa-1"\n}\n`,
    good: `${VAULT}${POLICY}${sa}${vm("a", "os linux")}restore "drill" {\n  vms "a"\n  into "sa-1"\n  resource-group "rg-restore"\n}\n`,
  },
  check(ctx) {
    for (const r of ctx.model.restores.values()) {
      if (r.resourceGroup) continue;
      ctx.report({
        file: r.ast.file,
        range: r.ast.name.range,
        message: `restore "${r.name}" does not say which resource group receives the restored managed disks`,
        hint: 'add resource-group "<name>"',
      });
    }
  },
};
