import type { Rule } from "../rule.js";
import type { WeekdayNumber } from "../../model/model.js";
import { VAULT, vm } from "./examples.js";

const policy = (days: string) => `policy "weekly" {\n  schedule weekly on ${days} at 02:00\n  instant-restore 5 days\n  retain weekly 12 weeks on ${days}\n}\n`;
const vmW = (s: string) => s.replace('policy "daily"', 'policy "weekly"');

/** The longest gap, in days, between consecutive backup days of a weekly schedule. */
export function longestGap(days: WeekdayNumber[]): number {
  const sorted = [...days].sort((a, b) => a - b);
  let gap = 0;
  sorted.forEach((d, i) => {
    const next = i + 1 < sorted.length ? sorted[i + 1] : sorted[0] + 7;
    gap = Math.max(gap, next - d);
  });
  return gap;
}

export const snapshotExpiresBeforeNextBackup: Rule = {
  name: "snapshot-expires-before-next-backup",
  code: "BKP4015",
  severity: "warning",
  summary: "instant-restore snapshots expire before the next backup, forcing checksum comparison",
  docs: {
    what: "A weekly schedule whose longest gap between backups is longer than its instant-restore retention (fixed at 5 days for weekly policies).",
    why: "DOMAIN §4: the newest instant-restore snapshot lets the service identify changes; without it, backup falls back to checksum comparison over all the data, which can take more than 24 hours or fail.",
    instead: "Back up at least every 5 days (e.g. schedule weekly on Sun, Wed), or use a daily schedule.",
  },
  examples: {
    bad: `${VAULT}${policy("Sun")}${vmW(vm("a", "os linux"))}`,
    good: `${VAULT}${policy("Sun, Wed")}${vmW(vm("a", "os linux"))}`,
  },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      if (p.schedule.kind !== "weekly" || !p.ast.schedule) continue;
      const gap = longestGap(p.schedule.days);
      if (gap <= p.instantRestoreDays) continue;
      ctx.report({
        file: p.ast.file,
        range: p.ast.schedule.range,
        message: `policy "${p.name}" backs up as rarely as every ${gap} days, but its snapshots last ${p.instantRestoreDays}: every backup falls back to checksum comparison`,
        hint: `back up at least every ${p.instantRestoreDays} days, e.g. add a mid-week day`,
      });
    }
  },
};
