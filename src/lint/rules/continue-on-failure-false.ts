import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const scripts = (cof: string) => `os linux\nscripts {\npre "freeze.sh"\ncontinue-on-failure ${cof}\n}`;
const twoDisks = `  disk "os" { role os size 64 GB used 20 GB }\n  disk "data" { role data size 128 GB used 50 GB }`;

export const continueOnFailureFalse: Rule = {
  name: "continue-on-failure-false",
  code: "BKP4024",
  severity: "warning",
  summary: "a failed script fails the whole backup",
  docs: {
    what: "A scripts block with `continue-on-failure false` on a VM with more than one disk.",
    why: "docs/domain.md#consistency: with continueBackupOnFailure false, a failed pre/post script fails the backup (it is retried) instead of downgrading the point to file-system consistent; only single-disk VMs fall back to crash consistent.",
    instead: "Keep continue-on-failure true unless a point that is not application consistent is worse than no point.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("db", scripts("false"), twoDisks)}`, good: `${VAULT}${POLICY}${vm("db", scripts("true"), twoDisks)}` },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (!v.scripts || v.scripts.continueOnFailure || v.disks.filter((d) => d.role !== "temp").length < 2) continue;
      ctx.report({
        file: v.ast.file,
        range: v.scripts.ast.continueOnFailure!.range,
        message: `a failing script fails the whole backup of vm "${v.name}" (no recovery point that day)`,
        hint: "write continue-on-failure true to get a file-system-consistent point instead",
      });
    }
  },
};
