import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";
import { reportRisks } from "./risk-rule.js";

const policy = `policy "daily" {\n  schedule daily at 02:30\n  retain daily 30 days\n}\n`;
const disk = (churn: string) => `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 32 TB used 20 TB churn ${churn} per day pattern scattered }`;

export const backupOver24h: Rule = {
  name: "backup-over-24h",
  code: "BKP4010",
  severity: "error",
  summary: "a daily backup is predicted to take more than 24 hours",
  docs: {
    what: "A VM whose predicted incremental (or checksum-comparison) daily backup, with the snapshot-to-vault lag, takes longer than 24 hours (risk BKP3001 of `bkp plan`).",
    why: "docs/domain.md#vault-transfer and docs/domain.md#timing: a daily policy's backup must finish within 24 hours; churn, fragmented disks, checksum comparison and peak-hour lag all lengthen it. The prediction follows docs/analysis-model.md.",
    instead: "Reduce the data changed per disk (spread it over more disks, exclude scratch disks), keep instant-restore snapshots so changes are found without checksums, or move the schedule out of peak hours.",
  },
  examples: {
    bad: `${VAULT}${policy}${vm("big", "os linux\nprotected-since 2020-01-01", disk("8 TB"))}`,
    good: `${VAULT}${policy}${vm("big", "os linux\nprotected-since 2020-01-01", disk("100 GB"))}`,
  },
  check: (ctx) => reportRisks(ctx, ["BKP3001"]),
};
