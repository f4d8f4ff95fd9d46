import { DateTime } from "../../utils/luxon.js";
import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (zone: string) => `policy "daily" {\n  schedule daily at 02:30\n  timezone "${zone}"\n  retain daily 30 days\n}\n`;

/** Whether a zone's UTC offset differs between January and July of `year`. */
export function observesDst(zone: string, year: number): boolean {
  const jan = DateTime.fromObject({ year, month: 1, day: 15 }, { zone });
  const jul = DateTime.fromObject({ year, month: 7, day: 15 }, { zone });
  return jan.isValid && jul.isValid && jan.offset !== jul.offset;
}

export const dstNotAdjusted: Rule = {
  name: "dst-not-adjusted",
  code: "BKP4031",
  severity: "warning",
  summary: "the policy's time zone observes daylight saving time, which Azure does not adjust for",
  docs: {
    what: "A policy whose time zone changes its UTC offset during the year.",
    why: "docs/domain.md#azure-limits: Azure does not adjust schedules for daylight saving time by itself, so for part of the year the backup runs an hour off the local time you wrote (and policies have been seen reset to UTC, docs/domain.md#known-pain-points). bkp's plan expands the schedule in the zone; Azure will not.",
    instead: "Schedule in a zone without DST (e.g. UTC or Tokyo Standard Time) and convert, or keep a margin of an hour around the backup window.",
  },
  examples: { bad: `${VAULT}${policy("Europe/London")}${vm("a", "os linux")}`, good: `${VAULT}${policy("UTC")}${vm("a", "os linux")}` },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      if (!p.ast.timezone || !observesDst(p.zone, ctx.now.year)) continue;
      ctx.report({
        file: p.ast.file,
        range: p.ast.timezone.range,
        message: `"${p.zoneWritten}" observes daylight saving time; Azure does not adjust policy "${p.name}" for it, so for part of the year it runs an hour off`,
        hint: 'schedule in a zone without DST, e.g. timezone "UTC", or allow an hour of margin',
      });
    }
  },
};
