// What-if edits: the values a user can change for the selected VM (its policy's schedule,
// retention counts, instant-restore days and consistency, its vault's redundancy, the storage
// account of each disk), each turned into a text edit of the .bkp source, as the linter's fixes
// are. Values the language does not allow are not filtered here: the session checks the edited
// set and refuses an edit that makes it invalid, with the checker's message.
import type { Node } from "../lang/ast.js";
import type { Position } from "../lang/diagnostics.js";
import type { Model, Policy, RequestedConsistency, Redundancy, Vm } from "../model/model.js";
import type { FileState, TextEdit } from "./file-state.js";
import { offsetAt } from "./line-index.js";

export interface EditField {
  /** Stable across edits: "schedule", "retain-daily", "instant-restore", "consistency", "redundancy", "disk:<name>". */
  id: string;
  label: string;
  value: string;
  /** What the edit changes, for people: `policy "daily" (3 VMs)`. */
  scope: string;
}

/**
 * `affectsPlan: false` for edits the plan does not read — retention (which points are kept
 * decides only the bill) and a vault's redundancy (its storage price) — so the session can
 * keep the plan it has (test/ui/session.test.ts checks this against a fresh analysis).
 */
export type FieldChange = { ok: true; edits: TextEdit[]; label: string; affectsPlan: boolean } | { ok: false; message: string };

const CONSISTENCY: RequestedConsistency[] = ["application", "file-system", "crash", "agentless-crash"];
const REDUNDANCY: Redundancy[] = ["LRS", "ZRS", "GRS", "RA-GRS"];
const RETAIN_UNIT = { daily: "days", weekly: "weeks", monthly: "months", yearly: "years" } as const;

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
const quote = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

function scheduleText(p: Policy): string {
  const s = p.schedule;
  if (s.kind === "daily") return `daily ${hhmm(s.at.hour * 60 + s.at.minute)}`;
  if (s.kind === "weekly") return `weekly ${hhmm(s.at.hour * 60 + s.at.minute)}`;
  return `every ${s.intervalHours}h from ${hhmm(s.start.hour * 60 + s.start.minute)}`;
}

function accountOf(vm: Vm, disk: string): string | undefined {
  const d = vm.disks.find((x) => x.name === disk);
  return d?.storageAccount?.name ?? d?.storageAccountName;
}

export function editFields(vm: Vm, model: Model): EditField[] {
  let policyVms = 0;
  let vaultVms = 0;
  for (const v of model.vms.values()) {
    if (v.policy.name === vm.policy.name) policyVms++;
    if (v.vault.name === vm.vault.name) vaultVms++;
  }
  const p = vm.policy;
  const policy = `policy "${p.name}" (${plural(policyVms, "VM")})`;
  const out: EditField[] = [{ id: "schedule", label: "schedule", value: scheduleText(p), scope: policy }];
  for (const r of p.ast.retain) {
    const n = r.count.number.text;
    out.push({ id: `retain-${r.kind}`, label: `retain ${r.kind}`, value: `${n} ${RETAIN_UNIT[r.kind]}`, scope: policy });
  }
  out.push({ id: "instant-restore", label: "instant restore", value: plural(p.instantRestoreDays, "day"), scope: policy });
  out.push({ id: "consistency", label: "consistency", value: p.consistency, scope: policy });
  out.push({ id: "redundancy", label: "redundancy", value: vm.vault.redundancy, scope: `vault "${vm.vault.name}" (${plural(vaultVms, "VM")})` });
  for (const d of vm.disks) {
    if (d.role === "temp") continue;
    out.push({ id: `disk:${d.name}`, label: `disk ${d.name} account`, value: accountOf(vm, d.name) ?? "none", scope: "this VM" });
  }
  return out;
}

/** The text edits that move a field of the selected VM one step up (+1) or down (-1). */
export function changeField(vm: Vm, model: Model, files: Map<string, FileState>, id: string, dir: 1 | -1): FieldChange {
  const at = (file: string, p: Position) => {
    const f = files.get(file);
    if (!f) throw new Error(`no such file in the session: ${file}`);
    return offsetAt(f.lines, p);
  };
  const replace = (file: string, node: Node, text: string): TextEdit => ({ file, start: at(file, node.range.start), end: at(file, node.range.end), text });
  // A missing attribute is inserted just after the block's '{', on the same line: edits never
  // add a line break (see line-index.ts); the formatter gives it its own line when written.
  const insert = (file: string, body: { start: Position }, text: string): TextEdit => {
    const o = at(file, body.start) + 1;
    return { file, start: o, end: o, text: ` ${text}` };
  };
  const p = vm.policy;
  const file = p.ast.file;

  if (id === "schedule") {
    const node = p.ast.schedule?.kind === "hourly" ? p.ast.schedule.from : p.ast.schedule?.at;
    if (!node) return { ok: false, message: `policy "${p.name}" has no schedule to move` };
    const now = node.hour * 60 + node.minute;
    // Off the half-hour grid (02:15), a step lands on the grid first (02:30 or 02:00).
    const step = now % 30 === 0 ? dir * 30 : dir > 0 ? 30 - (now % 30) : -(now % 30);
    const next = (now + step + 1440) % 1440;
    return { ok: true, edits: [replace(file, node, hhmm(next))], label: `schedule ${hhmm(now)} → ${hhmm(next)}`, affectsPlan: true };
  }
  if (id.startsWith("retain-")) {
    const r = p.ast.retain.find((x) => `retain-${x.kind}` === id);
    if (!r) return { ok: false, message: `policy "${p.name}" has no ${id.replace("-", " ")} line` };
    const n = r.count.number.value.toNumber();
    const next = Number.isInteger(n) ? n + dir : dir > 0 ? Math.ceil(n) : Math.floor(n);
    if (next < 1) return { ok: false, message: `retain ${r.kind} is at least 1` };
    return { ok: true, edits: [replace(file, r.count.number, String(next))], label: `retain ${r.kind} ${n} → ${next} ${RETAIN_UNIT[r.kind]}`, affectsPlan: false };
  }
  if (id === "instant-restore") {
    const n = p.instantRestoreDays;
    const next = n + dir;
    if (next < 1) return { ok: false, message: "instant restore is at least 1 day" };
    const q = p.ast.instantRestore;
    const edit = q ? replace(file, q.number, String(next)) : insert(file, p.ast.syntax.body, `instant-restore ${plural(next, "day")}`);
    return { ok: true, edits: [edit], label: `instant restore ${n} → ${plural(next, "day")}`, affectsPlan: true };
  }
  if (id === "consistency") {
    const next = CONSISTENCY[(CONSISTENCY.indexOf(p.consistency) + dir + CONSISTENCY.length) % CONSISTENCY.length];
    const edit = p.ast.consistency ? replace(file, p.ast.consistency, next) : insert(file, p.ast.syntax.body, `consistency ${next}`);
    return { ok: true, edits: [edit], label: `consistency ${p.consistency} → ${next}`, affectsPlan: true };
  }
  if (id === "redundancy") {
    const v = vm.vault;
    const next = REDUNDANCY[(REDUNDANCY.indexOf(v.redundancy) + dir + REDUNDANCY.length) % REDUNDANCY.length];
    const edit = v.ast.redundancy ? replace(v.ast.file, v.ast.redundancy, next) : insert(v.ast.file, v.ast.syntax.body, `redundancy ${next}`);
    return { ok: true, edits: [edit], label: `redundancy ${v.redundancy} → ${next}`, affectsPlan: false };
  }
  if (id.startsWith("disk:")) {
    const d = vm.disks.find((x) => `disk:${x.name}` === id);
    if (!d) return { ok: false, message: `vm "${vm.name}" has no ${id}` };
    const accounts = [...model.storageAccounts.keys()].sort();
    const now = accountOf(vm, d.name);
    const i = now === undefined ? -1 : accounts.indexOf(now);
    const choices = accounts.filter((a) => a !== now);
    if (!choices.length) return { ok: false, message: accounts.length ? `storage account "${accounts[0]}" is the only one declared` : "no storage-account blocks are declared to move the disk to" };
    // Step through the declared accounts in name order, wrapping around.
    const next = i < 0 ? (dir > 0 ? accounts[0] : accounts[accounts.length - 1]) : accounts[(i + dir + accounts.length) % accounts.length];
    const edit = d.ast.storageAccount ? replace(vm.ast.file, d.ast.storageAccount, quote(next)) : insert(vm.ast.file, d.ast.syntax.body, `storage-account ${quote(next)}`);
    return { ok: true, edits: [edit], label: `disk ${d.name} account ${now ?? "none"} → ${next}`, affectsPlan: true };
  }
  return { ok: false, message: `unknown field ${id}` };
}
