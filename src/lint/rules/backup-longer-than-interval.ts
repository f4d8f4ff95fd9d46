import type { Rule } from "../rule.js";
import { VAULT } from "./examples.js";
import { reportRisks } from "./risk-rule.js";

const policy = `policy "hourly" {\n  schedule every 4 hours from 08:00 for 16 hours\n  retain daily 30 days\n}\n`;
const vm = (churn: string) => `vm "orders" {\n  os linux\n  policy "hourly"\n  vault "prod"\n  protected-since 2020-01-01\n  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 8 TB used 6 TB churn ${churn} per day pattern scattered }\n}\n`;

export const backupLongerThanInterval: Rule = {
  name: "backup-longer-than-interval",
  code: "BKP4017",
  severity: "error",
  summary: "an enhanced policy's backup is predicted to outlast its interval",
  docs: {
    what: "A VM under an hourly (enhanced) policy whose predicted backup takes longer than the time to the policy's next backup (risk BKP3004).",
    why: "docs/domain.md#timing and docs/domain.md#azure-limits: enhanced policies back up every 4, 6, 8 or 12 hours; a backup that outlasts the interval collides with the next one and the schedule falls behind.",
    instead: "Choose a longer interval, or reduce the data changed between backups.",
  },
  examples: { bad: `${VAULT}${policy}${vm("6 TB")}`, good: `${VAULT}${policy}${vm("60 GB")}` },
  check: (ctx) => reportRisks(ctx, ["BKP3004"]),
};
