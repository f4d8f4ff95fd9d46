import type { Rule } from "../rule.js";
import { POLICY, VAULT } from "./examples.js";

/** DOMAIN §5: an account holding more than 5 to 10 disks should be split. */
const WARN = 5;
const ERROR = 10;

/** Three VMs with two disks each, every disk in the account `pick` names. */
function fleet(pick: (vm: number, disk: number) => string): string {
  let out = `storage-account "sa-1" { kind premium }\nstorage-account "sa-2" { kind premium }\n`;
  for (let i = 0; i < 3; i++) {
    out += `vm "app-${i}" {\n  os linux\n  policy "daily"\n  vault "prod"\n`;
    out += `  disk "os" { role os size 64 GB used 10 GB storage-account "${pick(i, 0)}" }\n`;
    out += `  disk "data" { role data size 64 GB used 10 GB storage-account "${pick(i, 1)}" }\n}\n`;
  }
  return out;
}

export const tooManyDisksPerStorageAccount: Rule = {
  name: "too-many-disks-per-storage-account",
  code: "BKP4003",
  severity: "warning",
  summary: "a storage account holds more than 5 of the protected disks",
  docs: {
    what: "A storage account that holds more than 5 backed-up disks (warning) or more than 10 (error).",
    why: "DOMAIN §5 and §4: snapshots and restores of disks in one account share its IOPS and throughput; with more than 5 to 10 disks in one account, backups and restores are throttled.",
    instead: "Move some disks to another storage account so that each holds at most 5.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${fleet(() => "sa-1")}`,
    good: `${VAULT}${POLICY}${fleet((_vm, disk) => (disk === 0 ? "sa-1" : "sa-2"))}`,
  },
  check(ctx) {
    const byAccount = new Map<string, string[]>();
    for (const v of ctx.model.vms.values()) {
      for (const d of v.disks) {
        if (!d.storageAccount || d.role === "temp" || d.excluded) continue;
        const names = byAccount.get(d.storageAccount.name) ?? [];
        names.push(`${v.name}/${d.name}`);
        byAccount.set(d.storageAccount.name, names);
      }
    }
    for (const [name, names] of byAccount) {
      if (names.length <= WARN) continue;
      const sa = ctx.model.storageAccounts.get(name)!;
      ctx.report({
        file: sa.ast.file,
        range: sa.ast.name.range,
        severity: names.length > ERROR ? "error" : undefined,
        message: `storage account "${name}" holds ${names.length} protected disks (${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""}); more than ${names.length > ERROR ? ERROR : WARN} get throttled`,
        hint: `move ${names.length - WARN} of them to another storage account (at most ${WARN} per account)`,
      });
    }
  },
};
