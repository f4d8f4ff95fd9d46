import { irreversibleChanges, unacknowledged } from "../../analyze/irreversible.js";
import type { Rule } from "../rule.js";
import { POLICY, vm } from "./examples.js";

const vault = (extra: string) => `vault "prod" {\n  path "vault"\n  redundancy GRS\n${extra}}\n`;

export const irreversibleChange: Rule = {
  name: "irreversible-change",
  code: "BKP4070",
  severity: "error",
  summary: "a change Azure cannot undo is not acknowledged",
  docs: {
    what:
      "With `bkp lint --base OLD` (the previous version: a file or a directory), every change from OLD that Azure cannot undo: soft delete made always-on, immutability locked, cross-region restore turned on, cross-subscription restore permanently disabled, the redundancy of a vault that already protects VMs (a VM with `protected-since` or stopped with its data kept), a standard policy made enhanced. " +
      "Without `--base`, each vault is compared with the settings Azure gives a new vault, so an always-on soft delete, a locked immutability, cross-region restore on or cross-subscription restore permanently disabled is reported until acknowledged (policy types and redundancy need a base to be judged). A change acknowledged with `accept-irreversible` in its block is not reported. With a base, a change back from a one-way setting (soft delete always-on turned off, a locked vault unlocked, cross-region restore turned off, cross-subscription restore re-enabled, an enhanced policy made standard) is reported too: Azure refuses it, whatever is acknowledged.",
    why: "docs/domain.md#vault-security: these settings are one-way; once deployed, the vault (or policy) cannot go back, short of a new vault. A pull request should say it means them. docs/ci.md#irreversible-changes shows the CI set-up.",
    instead: "Acknowledge the change in the block that makes it: `accept-irreversible immutability` (vault attributes: soft-delete, immutability, cross-region-restore, cross-subscription-restore, redundancy; policy: type); or change the setting back.",
  },
  examples: {
    bad: `${vault("  immutability locked\n")}${POLICY}${vm("app", "os linux")}`,
    good: `${vault("  immutability locked\n  accept-irreversible immutability\n")}${POLICY}${vm("app", "os linux")}`,
  },
  check(ctx) {
    for (const c of unacknowledged(irreversibleChanges(ctx.base, ctx.model))) {
      ctx.report({
        file: c.file,
        range: c.range,
        message: `${c.message} (${c.attribute} ${c.from} -> ${c.to}${ctx.base ? "" : ", compared with a new vault"})`,
        hint: c.refused ? `Azure cannot deploy this: write ${c.attribute} ${c.from} again (or use a new ${c.block})` : `if this is meant, acknowledge it: accept-irreversible ${c.attribute} (in ${c.block} "${c.name}")`,
      });
    }
  },
};
