import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";
import { reportRisks } from "./risk-rule.js";

const policy = `policy "daily" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\n`;
const disk = (used: string) => `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 32 TB used ${used} }`;

export const slowFirstBackup: Rule = {
  name: "slow-first-backup",
  code: "BKP4012",
  severity: "warning",
  summary: "a first backup (or a new disk's) is predicted to take more than 24 hours",
  docs: {
    what: "A VM not yet protected (no protected-since in the past), or with a newly added disk, whose initial replication is predicted to take more than 24 hours (risk BKP3003).",
    why: "docs/domain.md#timing: an initial backup can take longer than 24 hours, depending on the data size and when it is processed; preparation (extension install) and the peak-hour lag add to it.",
    instead: "Expect it: start protection outside busy days, and do not schedule other backups of the vault around it; or seed large disks in stages.",
  },
  examples: { bad: `${VAULT}${policy}${vm("new", "os linux", disk("10 TB"))}`, good: `${VAULT}${policy}${vm("new", "os linux", disk("500 GB"))}` },
  check: (ctx) => reportRisks(ctx, ["BKP3003"]),
};
