import type { Rule } from "../rule.js";
import { reportRisks } from "./risk-rule.js";
import { POLICY, VAULT } from "./examples.js";

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
    why: "docs/domain.md#best-practices and docs/domain.md#timing: snapshots and restores of disks in one account share its IOPS and throughput; with more than 5 to 10 disks in one account, backups and restores are throttled.",
    instead: "Move some disks to another storage account so that each holds at most 5.",
  },
  examples: {
    bad: `${VAULT}${POLICY}${fleet(() => "sa-1")}`,
    good: `${VAULT}${POLICY}${fleet((_vm, disk) => (disk === 0 ? "sa-1" : "sa-2"))}`,
  },
  // The analysis finds it (src/analyze/risks.ts), so `bkp plan` and `bkp lint` agree.
  check: (ctx) => reportRisks(ctx, ["BKP3007", "BKP3008"]),
};
