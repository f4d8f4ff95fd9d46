import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const restore = `restore "drill" {\n  vms "a"\n  into "sa-1"\n  resource-group "rg"\n}\n`;

export const restoreIntoPremiumAccount: Rule = {
  name: "restore-into-premium-account",
  code: "BKP4006",
  severity: "warning",
  summary: "a restore targets a storage account that is not general-purpose v2",
  docs: {
    what: "A restore block whose `into` names a storage account of kind premium.",
    why: "docs/domain.md#best-practices: restore into general-purpose v2 storage accounts, one per VM.",
    instead: "Restore into general-purpose-v2 accounts.",
  },
  examples: {
    bad: `${VAULT}${POLICY}storage-account "sa-1" { kind premium }\n${vm("a", "os linux")}${restore}`,
    good: `${VAULT}${POLICY}storage-account "sa-1" { kind general-purpose-v2 }\n${vm("a", "os linux")}${restore}`,
  },
  check(ctx) {
    for (const r of ctx.model.restores.values()) {
      r.into.forEach((sa, i) => {
        if (sa.kind === "general-purpose-v2") return;
        ctx.report({
          file: r.ast.file,
          range: r.ast.into!.names[i].range,
          message: `restore "${r.name}" targets "${sa.name}", a ${sa.kind} account; restores go to general-purpose v2 accounts`,
          hint: `use a general-purpose-v2 storage account instead of "${sa.name}"`,
        });
      });
    }
  },
};
