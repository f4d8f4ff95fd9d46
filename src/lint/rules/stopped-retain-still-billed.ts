import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const stoppedRetainStillBilled: Rule = {
  name: "stopped-retain-still-billed",
  code: "BKP4040",
  severity: "info",
  summary: "protection is stopped but the data is kept, so billing goes on",
  docs: {
    what: "A VM with `protection stopped retain-data`.",
    why: "docs/domain.md#billing: stopping protection but keeping the data keeps billing both the protected instance (at the size of the last successful backup) and the storage; billing stops only when protection is stopped and all backup data is deleted. Users confuse the two (docs/domain.md#known-pain-points).",
    instead: "If the data is no longer needed, write protection stopped delete-data; `bkp cost` shows what it still costs.",
  },
  examples: { bad: `${VAULT}${POLICY}${vm("old", "os linux\nprotection stopped retain-data")}`, good: `${VAULT}${POLICY}${vm("old", "os linux\nprotection stopped delete-data")}` },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (v.protection !== "stopped-retain-data") continue;
      ctx.report({
        file: v.ast.file,
        range: v.ast.protection!.range,
        message: `vm "${v.name}" is no longer backed up but its data is kept: the protected instance and storage are still billed every month`,
        hint: "write protection stopped delete-data if the recovery points are no longer needed",
      });
    }
  },
};
