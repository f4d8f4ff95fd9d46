import type { Rule } from "../rule.js";
import { reportRisks } from "./risk-rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (at: string) => `policy "daily" {\n  schedule daily at ${at}\n  timezone "UTC"\n  retain daily 30 days\n}\n`;

export const defaultScheduleTime: Rule = {
  name: "default-schedule-time",
  code: "BKP4001",
  severity: "warning",
  summary: "a policy runs at midnight, the time everyone else picks",
  docs: {
    what: "A policy scheduled at 00:00, the round time that most policies (and the portal's defaults) use.",
    why: "docs/domain.md#best-practices and docs/domain.md#timing: VMs backed up at the same time congest traffic; Microsoft advises moving a policy off the default time.",
    instead: "Pick another half hour, e.g. schedule daily at 01:30, and stagger policies of the same vault.",
  },
  examples: { bad: `${VAULT}${policy("00:00")}${vm("app", "os linux")}`, good: `${VAULT}${policy("01:30")}${vm("app", "os linux")}` },
  // The analysis finds it (src/analyze/risks.ts), so `bkp plan` and `bkp lint` agree.
  check: (ctx) => reportRisks(ctx, ["BKP3006"]),
};
