import type { Rule } from "../rule.js";
import { reportRisks } from "./risk-rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const disk = (free: string) => `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 512 GB used 300 GB tier premium free ${free} }`;

export const premiumFreeSpace: Rule = {
  name: "premium-free-space",
  code: "BKP4004",
  severity: "warning",
  summary: "a premium disk has less than 50% free space before its first backup",
  docs: {
    what: "A premium-tier disk with instant restore whose stated free space is under 50%, on a VM that has not had its first backup (no protected-since in the past).",
    why: "docs/domain.md#best-practices: with premium storage and instant restore, keep 50% of the allocated storage free; it is needed only for the first backup.",
    instead: "Free space or grow the disk before the first backup (free 50% or more); afterwards the rule no longer applies.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("db", "os linux", disk("30%"))}`, good: `${VAULT}${POLICY}${vm("db", "os linux", disk("60%"))}` },
  // The analysis finds it (src/analyze/risks.ts), so `bkp plan` and `bkp lint` agree.
  check: (ctx) => reportRisks(ctx, ["BKP3010"]),
};
