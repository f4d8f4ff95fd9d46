import { existsSync } from "node:fs";
import type { Rule } from "../rule.js";
import { POLICY, vm } from "./examples.js";

const vault = (key: string) => `vault "prod" {\n  path "vault"\n  encryption ${key}\n}\n`;

export const customerKeyMissing: Rule = {
  name: "customer-key-missing",
  code: "BKP4050",
  severity: "error",
  summary: "a vault's customer-managed key file does not exist",
  docs: {
    what: "A vault with `encryption customer-key \"file\"` where the file does not exist.",
    why: "docs/domain.md#encryption: with a customer-managed key, the user manages the key; without it nothing in the vault can be read or written (the engine refuses to back up).",
    instead: "Create the key (32 random bytes: head -c 32 /dev/urandom > key; chmod 600 key) or fix the path; keep a copy somewhere safe.",
  },
  examples: { bad: `${vault('customer-key "no-such.key"')}${POLICY}${vm("a", "os linux")}`, good: `${vault("platform-key")}${POLICY}${vm("a", "os linux")}` },
  check(ctx) {
    for (const v of ctx.model.vaults.values()) {
      if (v.encryption.kind !== "customer-key" || existsSync(v.encryption.keyFile)) continue;
      const enc = v.ast.encryption;
      ctx.report({
        file: v.ast.file,
        range: enc && enc.kind === "customer-key" ? enc.keyFile.range : v.ast.name.range,
        message: `the key file of vault "${v.name}" (${v.encryption.keyFile}) does not exist; nothing in the vault can be written or read without it`,
        hint: "create it (head -c 32 /dev/urandom > key; chmod 600 key) or correct the path",
      });
    }
  },
};
