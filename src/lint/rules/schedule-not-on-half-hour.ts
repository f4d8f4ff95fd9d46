import type { Rule } from "../rule.js";
import type { TimeOfDay } from "../../lang/ast.js";
import { VAULT, vm } from "./examples.js";

const policy = (at: string) => `policy "daily" {\n  schedule daily at ${at}\n  retain daily 30 days\n}\n`;

export const scheduleNotOnHalfHour: Rule = {
  name: "schedule-not-on-half-hour",
  code: "BKP4030",
  severity: "error",
  fixable: true,
  summary: "a schedule time Azure rejects: not on :00 or :30",
  docs: {
    what: "A schedule time or hourly window start whose minutes are not 00 or 30. (`bkp check` warns with BKP2014; the linter makes it an error you can fix.)",
    why: "docs/domain.md#azure-limits: the Azure API takes schedule times on the hour or half hour only; a policy with 02:15 is rejected on deployment with a vague BMSUserErrorInvalidPolicyInput (docs/domain.md#known-pain-points).",
    instead: "Write the half hour before it, e.g. 02:00 for 02:15. The fix does that.",
  },
  examples: { bad: `${VAULT}${policy("02:15")}${vm("a", "os linux")}`, good: `${VAULT}${policy("02:00")}${vm("a", "os linux")}` },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      const s = p.ast.schedule;
      if (!s) continue;
      const t: TimeOfDay = s.kind === "hourly" ? s.from : s.at;
      if (t.minute === 0 || t.minute === 30) continue;
      const fixed = `${String(t.hour).padStart(2, "0")}:${t.minute < 30 ? "00" : "30"}`;
      ctx.report({
        file: p.ast.file,
        range: t.range,
        message: `policy "${p.name}" starts at ${t.text}; Azure accepts only times on :00 or :30`,
        hint: `write ${fixed}`,
        fix: [{ file: p.ast.file, start: t.range.start.offset, end: t.range.end.offset, text: fixed }],
      });
    }
  },
};
