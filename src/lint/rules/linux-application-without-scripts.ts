import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = `policy "daily" {\n  schedule daily at 02:30\n  consistency application\n  retain daily 30 days\n}\n`;

export const linuxApplicationWithoutScripts: Rule = {
  name: "linux-application-without-scripts",
  code: "BKP4020",
  severity: "warning",
  summary: "a Linux VM asks for application consistency but has no pre/post scripts",
  docs: {
    what: "A running Linux VM whose policy asks for `consistency application` (the default) while the VM has no `scripts` block.",
    why: "docs/domain.md#consistency and docs/domain.md#consistency: Linux VMs are file-system consistent by default; application consistency needs pre/post scripts that succeed. Without them the recovery points are only file-system consistent.",
    instead: 'Add scripts { pre "…" post "…" } that quiesce the application, or say consistency file-system in the policy so the plan says what you get.',
  },
  examples: {
    bad: `${VAULT}${policy}${vm("db", "os linux")}`,
    good: `${VAULT}${policy}${vm("db", 'os linux\nscripts {\npre "freeze.sh"\npost "thaw.sh"\n}')}`,
  },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (v.os !== "linux" || v.state !== "running" || v.policy.consistency !== "application" || v.scripts) continue;
      ctx.report({
        file: v.ast.file,
        range: v.ast.name.range,
        message: `vm "${v.name}" runs Linux without pre/post scripts: its points will be file-system consistent, not application consistent as policy "${v.policy.name}" asks`,
        hint: 'add scripts { pre "freeze.sh" post "thaw.sh" } that quiesce the application',
      });
    }
  },
};
