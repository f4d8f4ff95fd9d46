import type { Vm } from "../../model/model.js";
import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (vss: string) => `policy "daily" {\n  schedule daily at 02:30\n${vss}  retain daily 30 days\n}\n`;

/** Whether the VM is running at backup time, so that VSS takes part (a stopped or failed VM is crash consistent). */
const runsVss = (v: Vm) => v.state === "running" && v.provisioning !== "failed" && v.provisioning !== "unavailable";

export const vssFullImplicit: Rule = {
  name: "vss-full-implicit",
  code: "BKP4022",
  severity: "info",
  fixable: true,
  summary: "Windows VMs get VSS full backups, which truncate application logs, without saying so",
  docs: {
    what: "A policy protecting running Windows VMs that does not say `vss full` or `vss copy` (and whose VMs do not either). Stopped VMs and crash-consistent policies take no VSS snapshot, so they are left out.",
    why: "docs/domain.md#vss: the default VSS full backup truncates application logs such as SQL Server's; if you also take log backups, a VSS copy backup keeps the logs.",
    instead: "Say which one you mean: vss full in the policy (truncate logs), or vss copy in each Windows vm block that needs its logs kept (Azure sets the copy option per VM, so `bkp export` refuses it in a policy). The fix writes vss full, the current behaviour.",
  },
  examples: { bad: `${VAULT}${policy("")}${vm("sql", "os windows")}`, good: `${VAULT}${policy("")}${vm("sql", "os windows\nvss copy")}` },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      // No VSS runs for a crash-consistent policy, nor on a VM that is not running (DOMAIN §2).
      if (p.ast.vss || p.consistency === "crash" || p.consistency === "agentless-crash") continue;
      const implicit = [...ctx.model.vms.values()].filter((v) => v.policy === p && v.os === "windows" && !v.ast.vss && runsVss(v));
      if (!implicit.length || !p.ast.schedule) continue;
      const end = p.ast.schedule.range.end.offset;
      ctx.report({
        file: p.ast.file,
        range: p.ast.name.range,
        message: `policy "${p.name}" takes VSS full backups of ${implicit.length} Windows VM${implicit.length === 1 ? "" : "s"} (${implicit.slice(0, 3).map((v) => v.name).join(", ")}), which truncates SQL Server and other application logs`,
        hint: "write vss full in the policy to keep this behaviour knowingly, or vss copy in each Windows vm block whose logs must be kept",
        fix: [{ file: p.ast.file, start: end, end, text: "\n  vss full" }],
      });
    }
  },
};
