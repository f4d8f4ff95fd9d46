import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const stoppedVmCrashConsistent: Rule = {
  name: "stopped-vm-crash-consistent",
  code: "BKP4021",
  severity: "warning",
  summary: "a stopped or failed VM only gets crash-consistent points",
  docs: {
    what: "A VM that is stopped, or whose provisioning state is failed or unavailable, under a policy asking for application or file-system consistency.",
    why: "docs/domain.md#consistency: a VM not running at backup time, or in a failed/unavailable provisioning state, is backed up crash consistent: data not yet on disk is lost and applications must validate on restore.",
    instead: "Start the VM (or fix its provisioning) before the backup window. If it stays stopped on purpose, say so with `# bkp-ignore: stopped-vm-crash-consistent -- reason` on its state line: an Azure policy cannot ask for crash consistency (`consistency crash` only describes a plan, and `bkp export` refuses it), the service falls back to it by itself.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("old", "os windows\nstate stopped")}`, good: `${VAULT}${POLICY}${vm("old", "os windows\nstate running")}` },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      const why = v.state === "stopped" ? "is stopped" : v.provisioning === "failed" || v.provisioning === "unavailable" ? `is in provisioning state ${v.provisioning}` : undefined;
      if (!why || v.policy.consistency === "crash" || v.policy.consistency === "agentless-crash") continue;
      const at = v.state === "stopped" ? v.ast.state : v.ast.provisioning;
      ctx.report({
        file: v.ast.file,
        range: (at ?? v.ast.name).range,
        message: `vm "${v.name}" ${why}: its points will be crash consistent, not ${v.policy.consistency} as policy "${v.policy.name}" asks`,
        hint: `start the VM before its backup; if it stays stopped on purpose, write # bkp-ignore: stopped-vm-crash-consistent -- <why> above this line (a policy cannot ask Azure for crash consistency)`,
      });
    }
  },
};
