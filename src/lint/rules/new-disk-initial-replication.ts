import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";
import { fmtGB } from "./helpers.js";

/** How long after `added` a disk is still "new" to its VM. */
const RECENT_DAYS = 30;

export const newDiskInitialReplication: Rule = {
  name: "new-disk-initial-replication",
  code: "BKP4013",
  severity: "warning",
  summary: "a disk recently added to a protected VM needs a full initial replication",
  docs: {
    what: `A disk with \`added\` in the last ${RECENT_DAYS} days (or in the future) on a VM that is already protected.`,
    why: "docs/domain.md#timing: a disk added to a protected VM needs an initial replication while the other disks are incremental; the backup can then exceed 24 hours.",
    instead: "Expect a long backup after adding a disk; add large disks outside busy periods, or seed them before adding.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("a", "os linux\nprotected-since 2020-01-01", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "new" { role data size 2 TB used 1500 GB added 2999-01-01 }`)}`,
    good: `${VAULT}${POLICY}${vm("a", "os linux\nprotected-since 2020-01-01", `  disk "os" { role os size 64 GB used 20 GB }\n  disk "new" { role data size 2 TB used 1500 GB added 2020-01-01 }`)}`,
  },
  check(ctx) {
    const since = ctx.now.minus({ days: RECENT_DAYS }).toISODate()!;
    for (const v of ctx.model.vms.values()) {
      for (const d of v.disks) {
        if (!d.added || d.added < since || d.excluded || d.role === "temp") continue;
        ctx.report({
          file: v.ast.file,
          range: d.ast.added!.range,
          message: `disk "${d.name}" of vm "${v.name}" was added on ${d.added}: its next backup copies all ${fmtGB(d.usedBytes)} while the other disks are incremental, and can exceed 24 hours`,
          hint: "plan the first backup after adding the disk outside busy hours",
        });
      }
    }
  },
};
