import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const stoppedVmCrashConsistent: Rule = {
  name: "stopped-vm-crash-consistent",
  code: "BKP4021",
  severity: "warning",
  summary: "a stopped or failed VM only gets crash-consistent points",
  docs: {
    what: "A VM that is stopped, or whose provisioning state is failed or unavailable, under a policy asking for application or file-system consistency.",
    why: "DOMAIN §2: a VM not running at backup time, or in a failed/unavailable provisioning state, is backed up crash consistent: data not yet on disk is lost and applications must validate on restore.",
    instead: "Start the VM (or fix its provisioning) before the backup window, or say consistency crash in its policy so the plan says what you get.",
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
        hint: "start the VM before its backup, or accept crash consistency explicitly",
      });
    }
  },
};
