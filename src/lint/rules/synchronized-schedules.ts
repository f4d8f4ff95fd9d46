import { DateTime } from "../../utils/luxon.js";
import type { Rule } from "../rule.js";
import type { Policy } from "../../model/model.js";
import { VAULT } from "./examples.js";

/** More VMs than this starting at one instant in one vault congest it (DOMAIN §4). */
const LIMIT = 10;

function fleet(policies: string[]): string {
  let out = policies.map((at, i) => `policy "pol${i}" {\n  schedule daily at ${at}\n  retain daily 7 days\n}\n`).join("");
  for (let i = 0; i < 12; i++) out += `vm "vm-${i}" { os linux policy "pol${i % policies.length}" vault "prod" disk "os" { role os size 32 GB used 8 GB } }\n`;
  return out;
}

/** The policy's first start of the day in UTC, as HH:MM (for grouping). */
function utcStart(p: Policy, day: DateTime): string {
  const at = p.schedule.kind === "hourly" ? p.schedule.start : p.schedule.at;
  return day.setZone(p.zone).set({ hour: at.hour, minute: at.minute }).toUTC().toFormat("HH:mm");
}

export const synchronizedSchedules: Rule = {
  name: "synchronized-schedules",
  code: "BKP4016",
  severity: "warning",
  summary: `more than ${LIMIT} VMs of one vault start their backups at the same time`,
  docs: {
    what: `More than ${LIMIT} VMs of one vault whose policies start at the same instant (compared in UTC, whatever zones the policies use).`,
    why: "docs/domain.md#timing: VMs backed up at the same time congest traffic; spread backups over the day.",
    instead: "Give groups of VMs policies that start at different half hours.",
  },
  examples: { bad: `${VAULT}${fleet(["02:00"])}`, good: `${VAULT}${fleet(["02:00", "03:30"])}` },
  check(ctx) {
    const day = ctx.now.startOf("day");
    const groups = new Map<string, { vault: string; at: string; vms: string[] }>();
    const starts = new Map<Policy, string>();
    for (const v of ctx.model.vms.values()) {
      let at = starts.get(v.policy);
      if (at === undefined) starts.set(v.policy, (at = utcStart(v.policy, day)));
      const key = `${v.vault.name}\u0000${at}`;
      const g = groups.get(key) ?? { vault: v.vault.name, at, vms: [] };
      g.vms.push(v.name);
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      if (g.vms.length <= LIMIT) continue;
      const vault = ctx.model.vaults.get(g.vault)!;
      ctx.report({
        file: vault.ast.file,
        range: vault.ast.name.range,
        message: `${g.vms.length} VMs of vault "${g.vault}" start backing up at ${g.at} UTC (${g.vms.slice(0, 4).join(", ")}, …)`,
        hint: `split them over policies starting at different half hours, at most ${LIMIT} at a time`,
      });
    }
  },
};
