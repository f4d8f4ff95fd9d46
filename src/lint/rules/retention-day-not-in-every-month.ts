import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (days: string) => `policy "daily" {\n  schedule daily at 02:30\n  retain daily 30 days\n  retain monthly 12 months on day ${days}\n}\n`;

export const retentionDayNotInEveryMonth: Rule = {
  name: "retention-day-not-in-every-month",
  code: "BKP4032",
  severity: "warning",
  summary: "monthly or yearly retention on day 29, 30 or 31",
  docs: {
    what: "A monthly or yearly retention rule on day 29, 30 or 31 of the month.",
    why: "docs/domain.md#azure-limits: the API takes days 1..31, but a day 29..31 does not occur in every month (the portal offers 1..28 and Last), so some months keep no point.",
    instead: "Use day 28 or last.",
  },
  examples: { bad: `${VAULT}${policy("31")}${vm("a", "os linux")}`, good: `${VAULT}${policy("last")}${vm("a", "os linux")}` },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      for (const r of p.ast.retain) {
        if (r.on?.kind !== "days") continue;
        for (const d of r.on.days) {
          if (d.value === "last" || d.value < 29) continue;
          ctx.report({
            file: p.ast.file,
            range: d.range,
            message: `day ${d.value} does not occur in every month: policy "${p.name}" keeps no ${r.kind} point in shorter months`,
            hint: "write day 28 or day last",
          });
        }
      }
    }
  },
};
