import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const unusedPolicy: Rule = {
  name: "unused-policy",
  code: "BKP4060",
  severity: "warning",
  fixable: false,
  summary: "a policy that no VM uses",
  docs: {
    what: "A policy block that no vm names.",
    why: "A policy nobody uses is usually a typo'd reference or a leftover; in Azure it still counts against the vault's policies.",
    instead: "Remove it, or point the VMs that should use it at it.",
  },
  examples: {
    bad: `${VAULT}${POLICY}policy "spare" {\n  schedule daily at 04:00\n  retain daily 7 days\n}\n${vm("a", "os linux")}`,
    good: `${VAULT}${POLICY}${vm("a", "os linux")}`,
  },
  check(ctx) {
    const used = new Set([...ctx.model.vms.values()].map((v) => v.policy.name));
    for (const p of ctx.model.policies.values()) {
      if (used.has(p.name)) continue;
      ctx.report({ file: p.ast.file, range: p.ast.name.range, message: `no vm uses policy "${p.name}"`, hint: `remove it, or write policy "${p.name}" in the VMs it is for` });
    }
  },
};
