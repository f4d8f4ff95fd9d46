import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (vss: string) => `policy "daily" {\n  schedule daily at 02:30\n${vss}  retain daily 30 days\n}\n`;

export const vssFullImplicit: Rule = {
  name: "vss-full-implicit",
  code: "BKP4022",
  severity: "info",
  fixable: true,
  summary: "Windows VMs get VSS full backups, which truncate application logs, without saying so",
  docs: {
    what: "A policy protecting Windows VMs that does not say `vss full` or `vss copy` (and whose VMs do not either).",
    why: "DOMAIN §1.4: the default VSS full backup truncates application logs such as SQL Server's; if you also take log backups, a VSS copy backup keeps the logs.",
    instead: "Say which one you mean: vss full (truncate logs) or vss copy (keep them). The fix writes vss full, the current behaviour.",
  },
  examples: { bad: `${VAULT}${policy("")}${vm("sql", "os windows")}`, good: `${VAULT}${policy("  vss copy\n")}${vm("sql", "os windows")}` },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      if (p.ast.vss) continue;
      const implicit = [...ctx.model.vms.values()].filter((v) => v.policy === p && v.os === "windows" && !v.ast.vss);
      if (!implicit.length || !p.ast.schedule) continue;
      const end = p.ast.schedule.range.end.offset;
      ctx.report({
        file: p.ast.file,
        range: p.ast.name.range,
        message: `policy "${p.name}" takes VSS full backups of ${implicit.length} Windows VM${implicit.length === 1 ? "" : "s"} (${implicit.slice(0, 3).map((v) => v.name).join(", ")}), which truncates SQL Server and other application logs`,
        hint: "write vss full to keep this behaviour knowingly, or vss copy to keep the logs",
        fix: [{ file: p.ast.file, start: end, end, text: "\n  vss full" }],
      });
    }
  },
};
