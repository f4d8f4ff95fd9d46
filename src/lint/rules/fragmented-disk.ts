import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";
import { fmtGB } from "./helpers.js";

/** Below this daily churn, fragmentation costs too little to mention. */
const NOTABLE = 10e9;

export const fragmentedDisk: Rule = {
  name: "fragmented-disk",
  code: "BKP4014",
  severity: "info",
  summary: "scattered changes on a busy disk slow its backups",
  docs: {
    what: "A backed-up disk with `pattern scattered` and more than 10 GB of daily churn.",
    why: "docs/domain.md#timing: fragmented disks, where changes are scattered, back up more slowly than contiguous changes; the analysis multiplies their transfer time by the `assume fragmentation` factor.",
    instead: "Keep such data on its own disk, or plan for the longer incremental backups the analysis predicts.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("db", "os linux", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 1 TB used 600 GB churn 40 GB per day pattern scattered }`)}`,
    good: `${VAULT}${POLICY}${vm("db", "os linux", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 1 TB used 600 GB churn 40 GB per day pattern sequential }`)}`,
  },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      for (const d of v.disks) {
        if (d.pattern !== "scattered" || d.churnBytesPerDay.lte(NOTABLE) || d.excluded || d.role === "temp") continue;
        ctx.report({
          file: v.ast.file,
          range: d.ast.pattern!.range,
          message: `disk "${d.name}" of vm "${v.name}" changes ${fmtGB(d.churnBytesPerDay)} a day in scattered blocks; its incremental backups run ${ctx.model.assumptions.fragmentationFactor}x slower`,
          hint: "keep scattered-write data on its own disk, or allow for the longer backups",
        });
      }
    }
  },
};
