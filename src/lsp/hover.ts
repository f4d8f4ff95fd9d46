// Hover: on a VM its protected instance, bill, next backups, predicted durations and
// consistency; on a policy its schedule, next runs, retention and VMs; on a storage account
// its disks and risks; on a keyword or unit its meaning from the language reference.
import type { Hover } from "vscode-languageserver";
import type { DateTime } from "../utils/luxon.js";
import Decimal from "decimal.js";
import { money } from "../analyze/json.js";
import type { BlockAst, FileAst } from "../lang/ast.js";
import { BLOCK_DOCS, type AttributeDoc } from "../lang/attribute-syntax.js";
import { sizeBytes } from "../model/units.js";
import type { Model, Policy, StorageAccount, Vault, Vm } from "../model/model.js";
import { predictConsistency } from "../plan/consistency.js";
import { formatDuration } from "../plan/time.js";
import type { LintDiagnostic } from "../lint/rule.js";
import { gb, nextJobs, nextRuns, scheduleWords, steadyStatePoints, vmBill } from "./facts.js";
import { blockAt, siteAt, wordAt, type NameSite } from "./names.js";
import { contains, lspRange } from "./positions.js";
import { LineIndex, TextRange } from "../lang/text-range.js";

export interface HoverInput {
  ast: FileAst;
  text: string;
  offset: number;
  model: Model;
  now: DateTime;
  /** The text of any file of the set. */
  textOf: (file: string) => string | undefined;
  /** The set's diagnostics (for a storage account's risks), computed on demand. */
  diagnostics: () => LintDiagnostic[];
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
const list = (names: string[], max = 8) => names.slice(0, max).map((n) => `\`${n}\``).join(", ") + (names.length > max ? `, … (${names.length - max} more)` : "");

export function vmHover(model: Model, vm: Vm, now: DateTime): string {
  const out = [`**vm "${vm.name}"** — ${vm.os}, ${vm.state}, policy \`${vm.policy.name}\`, vault \`${vm.vault.name}\``, ""];
  const bill = vmBill(model, vm, now);
  const c = bill.vms[0];
  if (c) {
    const unbilled = c.unbilledDisks.length ? ` (not billed: ${c.unbilledDisks.map((d) => `${d.name} (${d.reason === "temp" ? "temporary disk" : "excluded"})`).join(", ")})` : "";
    const unit = c.book.unit;
    const q = (x: Decimal) => x.toDecimalPlaces(3, Decimal.ROUND_HALF_UP).toString();
    out.push(`- **Protected instance:** ${q(c.protectedInstanceGB)} ${unit} → ${c.instanceUnits.toString()} × tier ${c.instanceTier}${unbilled}`);
    const first = bill.projection[0];
    const last = bill.projection[bill.projection.length - 1];
    out.push(`- **Monthly cost:** ${bill.currency} ${money(first.total)} in ${first.month}` + (c.lifecycle === "not-yet-protected" && c.firstBackup ? ` (billed from the first backup, ${c.firstBackup})` : ""));
    out.push(`- **At the end of the projection** (${last.month}): ${bill.currency} ${money(c.monthlyTotal)} — instance ${money(c.instanceFee)}, storage ${money(c.storageFee)} (${q(c.storageGB)} ${unit}), snapshots ${money(c.snapshotFee)}`);
  }
  const jobs = nextJobs(model, vm, now, 3);
  if (jobs.length) {
    out.push("", "**Next backups:**");
    for (const j of jobs) out.push(`- ${j.local} = ${j.utc} — ${j.kind}, predicted ${formatDuration(j.seconds)}${j.slowest ? ` (slowest disk: ${j.slowest})` : ""}`);
  } else out.push("", "**Next backups:** none in the next 8 days");
  const cons = predictConsistency(vm);
  out.push("", `**Consistency:** ${cons.level}${cons.requested !== cons.level ? ` (the policy asks for ${cons.requested})` : ""} — ${cons.reason}${cons.fallback ? `; falls back to ${cons.fallback}` : ""}`);
  return out.join("\n");
}

export function policyHover(model: Model, p: Policy, text: string, now: DateTime): string {
  const vms = [...model.vms.values()].filter((v) => v.policy.name === p.name).map((v) => v.name);
  const zone = p.zoneWritten === p.zone ? p.zone : `${p.zoneWritten} (${p.zone})`;
  const out = [`**policy "${p.name}"** — ${p.type} policy`, "", `**Schedule:** ${scheduleWords(p)}, ${zone}`];
  const runs = nextRuns(p, now, 3);
  if (runs.length) {
    out.push("", "**Next runs:**");
    for (const r of runs) out.push(`- ${r.local} = ${r.utc}`);
  }
  const written = text ? p.ast.retain.map((r) => `\`${text.slice(r.range.start.offset, r.range.end.offset)}\``) : [];
  out.push("", `**Retention:** ${plural(steadyStatePoints(p, now), "recovery point")} per VM once the retention is full${written.length ? ` (${written.join(", ")})` : ""}; snapshots kept ${plural(p.instantRestoreDays, "day")}`);
  out.push("", `**Used by** ${plural(vms.length, "VM")}${vms.length ? `: ${list(vms)}` : ""}`);
  return out.join("\n");
}

export function accountHover(model: Model, a: StorageAccount, diags: LintDiagnostic[]): string {
  const disks: string[] = [];
  for (const vm of model.vms.values()) for (const d of vm.disks) if ((d.storageAccount?.name ?? d.storageAccountName) === a.name) disks.push(`${vm.name}/${d.name} (${gb(d.usedBytes)} GB used)`);
  const restores = [...model.restores.values()].filter((r) => r.into.some((x) => x.name === a.name)).map((r) => r.name);
  const out = [`**storage-account "${a.name}"** — ${a.kind}, ${a.tier}${a.iops ? `, ${a.iops} IOPS` : ""}${a.throughputBytesPerSecond ? `, ${a.throughputBytesPerSecond.div(1e6).toString()} MB/s` : ""}, ${a.loadPercent.toString()}% used by other applications`, ""];
  out.push(`**Disks:** ${disks.length ? `${disks.length}: ${list(disks)}` : "none"}`);
  if (restores.length) out.push("", `**Restores into it:** ${list(restores)}`);
  const quoted = `"${a.name}"`;
  const risks = diags.filter((d) => d.severity !== "info" && d.message.includes(quoted));
  out.push("", risks.length ? `**Risks:**\n${risks.slice(0, 8).map((d) => `- ${d.severity} ${d.code}: ${d.message}`).join("\n")}` : "**Risks:** none found");
  return out.join("\n");
}

function vaultHover(model: Model, v: Vault): string {
  const vms = [...model.vms.values()].filter((x) => x.vault.name === v.name).map((x) => x.name);
  return `**vault "${v.name}"** — ${v.redundancy}, ${v.encryption.kind}, price book \`${v.priceBook.name}\`${v.priceBook.builtin ? " (built-in)" : ""}\n\n**Protects** ${plural(vms.length, "VM")}${vms.length ? `: ${list(vms)}` : ""}`;
}


function attributeText(block: string, a: AttributeDoc): string {
  return [`**${a.keyword}** (in ${block})`, "", a.meaning, "", ...a.forms.map((f) => `    ${f}`), ...(a.default ? ["", `Default: ${a.default}`] : [])].join("\n");
}

/** The innermost block kind around an offset: disk, scripts and ade inside a vm. */
function innerBlock(b: BlockAst, offset: number): string {
  if (b.kind !== "vm") return b.kind;
  if (b.disks.some((d) => contains(d.syntax.range, offset))) return "disk";
  if (b.scripts && contains(b.scripts.syntax.range, offset)) return "scripts";
  if (b.ade && contains(b.ade.syntax.range, offset)) return "ade";
  return "vm";
}

const SIZE_UNITS = /^(?:B|[KMGTP]i?B)$/;

export function wordHover(word: string, block: string | undefined): string | undefined {
  const header = BLOCK_DOCS.find((b) => b.block === word || (word === "encryption" && b.block === "ade" && block === "ade"));
  const inBlock = BLOCK_DOCS.find((b) => b.block === block)?.attributes.find((a) => a.keyword === word);
  if (inBlock) return attributeText(block!, inBlock);
  if (header) return [`**${header.block}** block`, "", header.meaning, "", "```bkp", header.example, "```"].join("\n");
  if (SIZE_UNITS.test(word) && word !== "B") {
    const bytes = sizeBytes(word)!;
    const binary = word.includes("i");
    return `**${word}** — a size unit: ${bytes.toString()} bytes (${binary ? "binary, a power of 2" : "decimal, a power of 10"}). Billing counts GB of 10^9 bytes unless a price book says \`unit GiB\`.`;
  }
  if (/^[KMGTP]?B\/s$/.test(word)) return `**${word}** — a rate: ${sizeBytes(word.slice(0, -2))!.toString()} bytes per second.`;
  for (const b of BLOCK_DOCS) {
    for (const a of b.attributes) {
      if (a.keyword === word) return attributeText(b.block, a);
      if (a.forms.some((f) => f.split(/[\s|,[\]{}]+/).includes(word))) return `**${word}** — a value of \`${a.keyword}\` (in ${b.block})\n\n${a.meaning}\n\n${a.forms.map((f) => `    ${f}`).join("\n")}`;
    }
  }
  return undefined;
}

export function hover(input: HoverInput): Hover | undefined {
  const { ast, text, offset, model, now } = input;
  const site: NameSite | undefined = siteAt(ast, offset);
  const range = site?.range;
  if (site) {
    let value: string | undefined;
    if (site.kind === "vm") {
      const vm = model.vms.get(site.name);
      value = vm && vmHover(model, vm, now);
    } else if (site.kind === "policy") {
      const p = model.policies.get(site.name);
      value = p && policyHover(model, p, input.textOf(p.ast.file) ?? "", now);
    } else if (site.kind === "storage-account") {
      const a = model.storageAccounts.get(site.name);
      value = a && accountHover(model, a, input.diagnostics());
    } else if (site.kind === "vault") {
      const v = model.vaults.get(site.name);
      value = v && vaultHover(model, v);
    }
    if (value) return { contents: { kind: "markdown", value }, range: range && lspRange(range) };
  }
  const w = wordAt(text, offset);
  if (!w || text[w.start - 1] === '"') return undefined;
  const block = blockAt(ast, offset);
  const value = wordHover(w.word, block && innerBlock(block, offset));
  if (!value) return undefined;
  return { contents: { kind: "markdown", value }, range: lspRange(new TextRange(new LineIndex(text), w.start, w.end)) };
}
