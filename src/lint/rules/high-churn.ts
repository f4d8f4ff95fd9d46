import type { Rule } from "../rule.js";
import { reportRisks } from "./risk-rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const highChurn: Rule = {
  name: "high-churn",
  code: "BKP4011",
  severity: "warning",
  summary: "a disk changes more than 200 GB a day",
  docs: {
    what: "A backed-up disk whose daily churn is over 200 GB.",
    why: "docs/domain.md#timing: churn of more than 200 GB per day on a protected disk can make its incremental backup take more than 8 hours, eating into the 24-hour window of a daily policy.",
    instead: "Spread the data over more disks (they back up in parallel), move fast-changing scratch data to an excluded disk, or plan the backup window for it.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("db", "os linux", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 4 TB used 2 TB churn 250 GB per day }`)}`,
    good: `${VAULT}${POLICY}${vm("db", "os linux", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data1" { role data size 2 TB used 1 TB churn 125 GB per day }\n  disk "data2" { role data size 2 TB used 1 TB churn 125 GB per day }`)}`,
  },
  // The analysis finds it (src/analyze/risks.ts), so `bkp plan` and `bkp lint` agree.
  check: (ctx) => reportRisks(ctx, ["BKP3002"]),
};
