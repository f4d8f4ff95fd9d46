import type { Rule } from "../rule.js";
import { reportRisks } from "./risk-rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (days: string) => `policy "weekly" {\n  schedule weekly on ${days} at 02:00\n  instant-restore 5 days\n  retain weekly 12 weeks on ${days}\n}\n`;
const vmW = (s: string) => s.replace('policy "daily"', 'policy "weekly"');

export const snapshotExpiresBeforeNextBackup: Rule = {
  name: "snapshot-expires-before-next-backup",
  code: "BKP4015",
  severity: "warning",
  summary: "instant-restore snapshots expire before the next backup, forcing checksum comparison",
  docs: {
    what: "A weekly schedule whose longest gap between backups is longer than its instant-restore retention (fixed at 5 days for weekly policies).",
    why: "docs/domain.md#timing: the newest instant-restore snapshot lets the service identify changes; without it, backup falls back to checksum comparison over all the data, which can take more than 24 hours or fail.",
    instead: "Back up at least every 5 days (e.g. schedule weekly on Sun, Wed), or use a daily schedule.",
  },
  examples: {
    bad: `${VAULT}${policy("Sun")}${vmW(vm("a", "os linux"))}`,
    good: `${VAULT}${policy("Sun, Wed")}${vmW(vm("a", "os linux"))}`,
  },
  // The analysis finds it (src/analyze/risks.ts), so `bkp plan` and `bkp lint` agree.
  check: (ctx) => reportRisks(ctx, ["BKP3012"]),
};
