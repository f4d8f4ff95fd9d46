import { archiveNeverReached as neverReached, archiveReach, fmtMonths as fmt } from "../../analyze/archive.js";
import type { Rule } from "../rule.js";
import { VAULT, vm } from "./examples.js";

const policy = (monthly: number) => `policy "long-term" {
  schedule daily at 02:30
  retain daily 30 days
  retain monthly ${monthly} months on first Sun
  archive after 3 months
}
`;

export const archiveNeverReached: Rule = {
  name: "archive-never-reached",
  code: "BKP4071",
  severity: "warning",
  fixable: false,
  summary: "an archive line that no recovery point can ever meet",
  docs: {
    what: "A policy archives points (archive after, archive recommended), but keeps its monthly and yearly points too briefly for any of them to move.",
    why: "Azure moves a monthly or yearly point to archive only after 3 months in the standard tier and only while at least 6 months of its retention are left (docs/domain.md#archive). Azure accepts such a policy, but nothing ever moves: the bill has no archive saving the author expects.",
    instead: "Keep monthly or yearly points at least 6 months longer than the archive age (e.g. 9 months for archive after 3 months), or remove the archive line.",
  },
  examples: {
    bad: `${VAULT}${policy(6)}${vm("a", "os linux").replace('policy "daily"', 'policy "long-term"')}`,
    good: `${VAULT}${policy(12)}${vm("a", "os linux").replace('policy "daily"', 'policy "long-term"')}`,
  },
  check(ctx) {
    for (const p of ctx.model.policies.values()) {
      const reach = archiveReach(p);
      if (!reach || !neverReached(p)) continue;
      const line = p.ast.archiveAfter ?? p.ast.archiveRecommended ?? p.ast.name;
      ctx.report({
        file: p.ast.file,
        range: line.range,
        message: `no point of policy "${p.name}" ever moves to archive: its monthly and yearly points are kept ${fmt(reach.kept)} months, but a point moves only after ${fmt(reach.moveAt)} months and with 6 months of retention left`,
        hint: `keep monthly or yearly points at least ${fmt(Math.ceil(reach.moveAt + 6))} months, or remove the archive line`,
      });
    }
  },
};
