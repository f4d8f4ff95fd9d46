import { statSync } from "node:fs";
import type { Rule } from "../rule.js";
import { POLICY, vm } from "./examples.js";

export const customerKeyReadableByOthers: Rule = {
  name: "customer-key-readable-by-others",
  code: "BKP4051",
  severity: "warning",
  summary: "a key file can be read by other users",
  docs: {
    what: "A vault's customer key file, or a VM's ADE key file (BEK, KEK), that its group or everyone can read.",
    why: "docs/domain.md#encryption: the keys protect every backup; only users with the right permissions may read them. A readable key file hands the vault's data to every local user.",
    instead: "chmod 600 the key file.",
  },
  examples: {
    bad: `vault "prod" {\n  path "vault"\n  encryption customer-key "/etc/hostname"\n}\n${POLICY}${vm("a", "os linux")}`,
    good: `vault "prod" {\n  path "vault"\n  encryption platform-key\n}\n${POLICY}${vm("a", "os linux")}`,
  },
  check(ctx) {
    const check = (file: string, path: string, range: import("../../lang/diagnostics.js").Range, what: string) => {
      let mode: number;
      try {
        mode = statSync(path).mode;
      } catch {
        return;
      }
      if (!(mode & 0o044)) return;
      ctx.report({
        file,
        range,
        message: `${what} (${path}) is readable by ${mode & 0o004 ? "every user" : "its group"} (mode ${(mode & 0o777).toString(8)})`,
        hint: `chmod 600 ${path}`,
      });
    };
    for (const v of ctx.model.vaults.values()) {
      const enc = v.ast.encryption;
      if (v.encryption.kind === "customer-key" && enc?.kind === "customer-key") check(v.ast.file, v.encryption.keyFile, enc.keyFile.range, `the key of vault "${v.name}"`);
    }
    for (const vm of ctx.model.vms.values()) {
      if (!vm.ade || !vm.ast.ade) continue;
      if (vm.ast.ade.bek) check(vm.ast.file, vm.ade.bek, vm.ast.ade.bek.range, `the BEK of vm "${vm.name}"`);
      if (vm.ade.kek && vm.ast.ade.kek) check(vm.ast.file, vm.ade.kek, vm.ast.ade.kek.range, `the KEK of vm "${vm.name}"`);
    }
  },
};
