import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

const scripts = (ff: string) => `os linux\nscripts {\npre "freeze.sh"\nfsfreeze ${ff}\n}`;

export const fsfreezeDisabled: Rule = {
  name: "fsfreeze-disabled",
  code: "BKP4025",
  severity: "info",
  summary: "file systems are not frozen during the snapshot",
  docs: {
    what: "A scripts block with `fsfreeze false`.",
    why: "docs/domain.md#consistency: fsFreezeEnabled (default true) freezes file systems around the snapshot; without it, only your scripts stand between the snapshot and a torn write. (Users disable it when fsfreeze hangs, docs/domain.md#known-pain-points.)",
    instead: "Keep fsfreeze true unless it hangs on this VM; then make sure the pre-script quiesces every writer.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("db", scripts("false"))}`, good: `${VAULT}${POLICY}${vm("db", scripts("true"))}` },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (!v.scripts || v.scripts.fsfreeze) continue;
      ctx.report({
        file: v.ast.file,
        range: v.scripts.ast.fsfreeze!.range,
        message: `vm "${v.name}" snapshots without freezing its file systems; only its scripts make the point consistent`,
        hint: "write fsfreeze true unless freezing hangs on this VM",
      });
    }
  },
};
