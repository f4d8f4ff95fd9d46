import type { Rule } from "../rule.js";
import { POLICY, VAULT, vm } from "./examples.js";

export const adeBekWithoutKek: Rule = {
  name: "ade-bek-without-kek",
  code: "BKP4052",
  severity: "warning",
  summary: "an ADE VM backs up its BEK without a key-encryption key",
  docs: {
    what: "A VM with `encryption ade { bek … }` and no `kek`.",
    why: "docs/domain.md#encryption: ADE VMs can be backed up with the BEK alone or with BEK and KEK; with a KEK the BEK is stored wrapped, and restoring it needs the KEK, so a vault copy alone does not expose the disk key.",
    instead: 'Add kek "<file>" to the ade block.',
  },
  examples: {
    bad: `${VAULT}${POLICY}${vm("enc", 'os windows\nencryption ade {\nbek "keys/enc.bek"\n}')}`,
    good: `${VAULT}${POLICY}${vm("enc", 'os windows\nencryption ade {\nbek "keys/enc.bek"\nkek "keys/prod.kek"\n}')}`,
  },
  check(ctx) {
    for (const v of ctx.model.vms.values()) {
      if (!v.ade || v.ade.kek || !v.ast.ade) continue;
      ctx.report({
        file: v.ast.file,
        range: v.ast.ade.syntax.header,
        message: `vm "${v.name}" backs up its disk encryption key (BEK) without a key-encryption key`,
        hint: 'add kek "<file>" so the BEK is stored wrapped and restoring it needs the KEK',
      });
    }
  },
};
