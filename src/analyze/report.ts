// Text and Markdown reports of `bkp plan`, `bkp cost` and `bkp cost diff`. Pure: they return
// strings (plans in chunks, since a 10,000-VM month has half a million jobs).
import Decimal from "decimal.js";
import { codeFrame, plain, type Style } from "../lang/code-frame.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import type { RestoreAssignment } from "../plan/types.js";
import { formatDuration, offsetText, shortLocal, shortUtc } from "../plan/time.js";
import { archivePlan } from "./archive.js";
import type { CostReport, MonthCost } from "./billing.js";
import type { CostDiff } from "./diff.js";
import type { AnalyzedPlan } from "./index.js";
import { money } from "./json.js";

/** A quantity for people: at most `dp` decimals, trailing zeros trimmed ("47", "108.28"). */
function qty(x: Decimal, dp = 2): string {
  const t = x.toFixed(dp, Decimal.ROUND_HALF_UP);
  return t.includes(".") ? t.replace(/\.?0+$/, "") : t;
}
import type { Risk } from "./risks.js";
import type { JobTiming } from "./timing.js";
import type { RateSource, VmMeasured } from "./measured.js";
import type { EngineFacts } from "./engine-model.js";
import type { ZoneClock } from "../plan/time.js";
import { irreversibleLines } from "./irreversible.js";

export type SourceLines = (file: string) => string[] | undefined;

/** A text table; `right`: the names of the right-aligned columns. */
function table(headers: string[], rows: string[][], right: readonly string[], indent = ""): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => indent + r.map((c, i) => (right.includes(headers[i]) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(headers), ...rows.map(line)];
}

/**
 * A GFM table. Alignment is given per column name (`right`: the right-aligned ones), so the
 * separator always has as many cells as the header; a row of another width is a bug.
 */
function mdTable(headers: string[], rows: string[][], right: readonly string[] = []): string[] {
  for (const r of rows) if (r.length !== headers.length) throw new Error(`markdown table row has ${r.length} cells for ${headers.length} columns`);
  return [mdRow(headers), `|${headers.map((h) => (right.includes(h) ? "---:" : "---")).join("|")}|`, ...rows.map(mdRow)];
}

/** One GFM table row; a '|' in a cell is escaped, a line break becomes a space. */
function mdRow(cells: string[]): string {
  return `| ${cells.map((s) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ")).join(" | ")} |`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function toDiagnostic(r: Risk): Diagnostic {
  const range = r.range ?? { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };
  const vms = r.vms.length > 1 ? ` [${r.vms.length} VMs]` : "";
  return { code: r.code, severity: r.severity, message: r.message + vms, hint: r.hint, file: r.file ?? "", range };
}

/** Risks like rustc diagnostics: code, message, the source line they are about, a hint. */
export function riskFrames(risks: Risk[], lines: SourceLines, style: Style = plain): string {
  return risks
    .map((r) => {
      const d = toDiagnostic(r);
      const frame = codeFrame(d, r.file ? lines(r.file) : undefined, style);
      // Risks without a location have no `-->` line worth showing.
      return r.file ? frame : frame.split("\n").filter((l) => !l.includes("--> :")).join("\n");
    })
    .join("\n\n");
}

export function riskSummary(risks: Risk[]): string {
  const n = (s: string) => risks.filter((r) => r.severity === s).length;
  return `${plural(n("error"), "error")}, ${plural(n("warning"), "warning")}, ${plural(n("info"), "note")}`;
}

function restoreLines(r: RestoreAssignment): string[] {
  const spread = r.spec.spread.kind === "max-disks" ? `at most ${r.spec.spread.max} disks per account` : "one VM per account";
  const out = [`restore "${r.spec.name}" (${spread}): ${plural(r.spec.vms.length, "VM")} into ${plural(r.accounts.length, "account")}, about ${formatDuration(r.seconds)}`];
  const rows = r.accounts.map((a) => [
    a.account.name,
    `${(a.rate / 1e6).toFixed(1)} MB/s`,
    `(${a.rateBasis})`,
    a.vms.map((v) => v.vm.name).join(", ") || "-",
    plural(a.disks, "disk"),
    `${(a.bytes / 1e9).toFixed(1)} GB`,
    formatDuration(a.seconds),
  ]);
  out.push(...table(["account", "rate", "", "VMs", "disks", "data", "time"], rows, ["rate", "disks", "data", "time"], "  "));
  return out;
}

/** Measured seconds: tenths under 10 s (local test runs are quick), else as durations. */
function measuredSeconds(x: number): string {
  return x < 10 ? `${x.toFixed(1)}s` : formatDuration(x);
}

/** Bytes in decimal units (as `used 17 GB` means), three significant digits. */
export function decimalBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toPrecision(3)} ${units[u]}`;
}

const rateText = (r: RateSource) => `${(r.bytesPerSecond / 1e6).toFixed(1)} MB/s`;

function rateLine(name: string, r: RateSource, none: string): string {
  return r.source === "measured" ? `${name} ${rateText(r)} measured (median of ${plural(r.samples, "disk")} in ${plural(r.jobs, "job")})` : `${name} ${rateText(r)} assumed (${none})`;
}

/** A VM's job log beside the model: the last run, a newer failure, the rates its timings use. */
export function measuredLines(m: VmMeasured, clock: ZoneClock): string[] {
  const out: string[] = [];
  const at = (iso: string) => `${shortLocal(clock, Date.parse(iso))} ${offsetText(clock, Date.parse(iso))}`;
  const rates = m.calibration ? "the measured rates" : "the assumed rates";
  if (m.last) {
    const l = m.last;
    out.push(
      `  last run ${at(l.job.startedAt)} (job ${l.job.seq}, ${plural(m.jobs, "job")} in the log): measured ${measuredSeconds(l.transferSeconds)}, read ${decimalBytes(l.bytesRead)}, changed ${decimalBytes(l.bytesChanged)}, stored ${decimalBytes(l.bytesStored)} (predicted ${measuredSeconds(l.predictedSeconds)} at ${rates})`,
    );
  } else if (m.logRead && m.jobs === 0) out.push("  last run: none in the job log");
  if (m.lastFailure) out.push(`  last job ${m.lastFailure.seq} failed ${at(m.lastFailure.startedAt)}: error[${m.lastFailure.error?.code ?? "?"}] ${m.lastFailure.error?.message ?? ""}`.trimEnd());
  if (m.calibration) {
    const none = (what: string) => (m.logRead ? `no ${what} backup in the job log` : "no job log read for this VM");
    out.push(`  rates (calibrate from-vault): ${rateLine("transfer", m.calibration.transfer, none("full"))}; ${rateLine("checksum", m.calibration.checksum, none("block-checksum"))}`);
  }
  return out;
}

const pct = (x: number) => `${x.toFixed(0)}%`;

/** How far a VM's recorded predictions were from its measured jobs, for people. */
export function errorLine(m: VmMeasured): string | undefined {
  const e = m.errors;
  return e ? `  predicted vs measured over the last ${plural(e.jobs, "job")}: median error ${pct(e.medianPercent)}, worst ${pct(e.worstPercent)}` : undefined;
}

/** The local engine model of a VM: where its rates, overhead, sizes and churn come from. */
export function engineLines(f: EngineFacts): string[] {
  const src = (r: RateSource) => (r.source === "measured" ? `measured over ${plural(r.jobs, "job")}` : "assumed");
  const reads = [...f.read].map(([p, r]) => `${p} read ${rateText(r)} (${src(r)})`).join(", ");
  const over =
    f.overhead.perReadByte !== undefined || f.overhead.none !== undefined
      ? `job overhead ${measuredSeconds(f.overhead.none ?? 0)}${f.overhead.none === undefined ? " (no job without reads)" : ""} + ${((f.overhead.perReadByte ?? 0) * 1e9).toFixed(2)}s per GB of image data read${f.overhead.workerStart !== undefined ? ` + ${measuredSeconds(f.overhead.workerStart)} to start the workers` : ""} (measured over ${plural(f.overhead.jobs, "job")})`
      : "job overhead not measured";
  const out = [`  timing model: local-engine (the engine's own paths, learned from its job log): transfer ${rateText(f.transfer)} (${src(f.transfer)}), stored ${rateText(f.stored)} (${src(f.stored)}); ${reads}; ${over}`];
  for (const [name, d] of f.disks) {
    const churn = d.churn.source === "measured" ? `churn ${decimalBytes(d.churn.bytesPerDay)}/day measured (${plural(d.churn.samples, "job")})` : `churn ${decimalBytes(d.churn.bytesPerDay)}/day ${d.churn.source}`;
    out.push(`    disk "${name}": image ${decimalBytes(d.bytes)}, ${decimalBytes(d.nonZero)} nonzero (${d.nonZeroSource}), ${churn}, ${(d.storedShare * 100).toFixed(1)}% of changed bytes stored`);
  }
  return out;
}

/** `bkp plan` as text: each VM's jobs, restores, then the risks with their source lines. */
export function* planText(a: AnalyzedPlan, lines: SourceLines, style: Style = plain): Generator<string> {
  const { plan, timings } = a;
  yield style.bold(`bkp plan: ${plural(plan.vms.size, "VM")}, ${plural(plan.jobs.length, "job")} from ${plan.from} for ${plural(plan.days, "day")}`) + "\n";
  yield "times are in each policy's zone, with UTC in brackets\n";
  for (const n of a.measurementNotes ?? []) yield `note: ${n}\n`;
  if (a.engine?.size) yield `timing models: local-engine for ${plural(a.engine.size, "VM")} with local disk images, azure-service for ${plural(plan.vms.size - a.engine.size, "VM")} without (docs/analysis-model.md)\n`;
  const kindWidth = plan.jobs.some((j) => j.kind === "checksum-comparison") ? 19 : 11;
  // Per policy, the start column of each run; per job shape, the rest of the line.
  const runText = new Map<string, string[]>();
  for (const pr of plan.policies.values()) runText.set(pr.policy.name, new Array(pr.runs.length));
  const shapeText = new Map<JobTiming, string>();
  let buf: string[] = [];
  for (const s of plan.vms.values()) {
    const vm = s.vm;
    const pr = plan.policies.get(vm.policy.name)!;
    const jobs = s.jobs;
    const texts = runText.get(vm.policy.name)!;
    const c = jobs.length ? jobs[0].consistency : undefined;
    buf.push(`\n${style.bold(`vm "${vm.name}"`)}  policy "${vm.policy.name}" (${vm.policy.zone})  vault "${vm.vault.name}"\n`);
    if (c) buf.push(`  consistency: ${c.level}: ${c.reason}${c.fallback ? `; ${c.fallback}` : ""}\n`);
    const arch = archivePlan(vm.policy);
    if (arch) buf.push(`  archive: ${arch.text}\n`);
    if (s.noJobs) buf.push(`  no jobs: ${s.noJobs}\n`);
    if (s.vault) buf.push(`  state: ${s.state}\n`);
    const eng = a.engine?.get(vm.name);
    if (eng) for (const l of engineLines(eng)) buf.push(`${l}\n`);
    const m = a.measured?.get(vm.name);
    if (m) for (const l of measuredLines(m, pr.clock)) buf.push(`${l}\n`);
    const err = m && errorLine(m);
    if (err) buf.push(`${err}\n`);
    for (const job of jobs) {
      const t = timings[job.index];
      let when = texts[job.run.index];
      if (!when) texts[job.run.index] = when = `  ${shortLocal(pr.clock, job.run.ms)} ${offsetText(pr.clock, job.run.ms)} [${shortUtc(job.run.ms).slice(5)} UTC]  `;
      // Timings are shared between jobs of one shape, so the line's rest is too.
      let rest = shapeText.get(t);
      if (!rest) {
        const parts: string[] = [];
        if (t.model === "local-engine") {
          if (t.overheadSeconds) parts.push(`overhead ${measuredSeconds(t.overheadSeconds)}`);
          const disks = t.disks.map((d) => `${d.task.disk.name} ${d.engine?.detection ?? "?"} ${measuredSeconds(d.seconds)} (read ${decimalBytes(Math.round(d.engine?.bytesRead ?? 0))}, changed ${decimalBytes(Math.round(d.engine?.bytesChanged ?? 0))})`).join(", ");
          parts.push(disks ? `engine disks: ${disks}` : "no disks backed up");
          shapeText.set(t, (rest = `${job.kind.padEnd(kindWidth)}  ${measuredSeconds(t.durationSeconds).padStart(9)}  ${parts.join("; ")}\n`));
        } else {
        if (t.prepareSeconds) parts.push(`prepare ${formatDuration(t.prepareSeconds)}`);
        if (t.lagSeconds) parts.push(`lag ${formatDuration(t.lagSeconds)}`);
        const disks = t.disks.map((d) => `${d.task.disk.name} ${formatDuration(d.seconds)}${d.task.added ? " (added: full copy)" : ""}`).join(", ");
        parts.push(disks ? `disks: ${disks}` : "no disks backed up");
        shapeText.set(t, (rest = `${job.kind.padEnd(kindWidth)}  ${formatDuration(t.durationSeconds).padStart(9)}  ${parts.join("; ")}\n`));
        }
      }
      buf.push(when + rest);
      if (buf.length > 4000) {
        yield buf.join("");
        buf = [];
      }
    }
  }
  yield buf.join("");
  if (plan.restores.length) yield `\n${plan.restores.flatMap(restoreLines).join("\n")}\n`;
  if (a.risks.length) yield `\n${riskFrames(a.risks, lines, style)}\n`;
  yield `\n${style.bold(`plan: ${plural(plan.jobs.length, "job")}; risks: ${riskSummary(a.risks)}`)}\n`;
}

export function* planMarkdown(a: AnalyzedPlan): Generator<string> {
  const { plan, timings } = a;
  yield `## bkp plan: ${plan.from}, ${plural(plan.days, "day")}\n\n**${plural(plan.vms.size, "VM")}, ${plural(plan.jobs.length, "job")}**; risks: ${riskSummary(a.risks)}.\n`;
  if (a.risks.length) {
    yield "\n### Risks\n\n";
    yield mdTable(["severity", "code", "risk", "where"], a.risks.map((r) => [r.severity, r.code, r.message + (r.hint ? ` — ${r.hint}` : ""), r.file ? `${r.file}:${r.range?.start.line}` : ""])).join("\n") + "\n";
  }
  if (plan.restores.length) yield `\n### Restores\n\n\`\`\`\n${plan.restores.flatMap(restoreLines).join("\n")}\n\`\`\`\n`;
  if (a.measured?.size || a.measurementNotes?.length) {
    yield "\n### Measured (the vaults' job logs)\n\n";
    for (const n of a.measurementNotes ?? []) yield `> note: ${n}\n\n`;
    const rows: string[][] = [];
    for (const [name, m] of a.measured ?? []) {
      const l = m.last;
      const rates = m.calibration ? `transfer ${rateText(m.calibration.transfer)} ${m.calibration.transfer.source}, checksum ${rateText(m.calibration.checksum)} ${m.calibration.checksum.source}` : "assumed";
      const errs = m.errors ? `median ${pct(m.errors.medianPercent)}, worst ${pct(m.errors.worstPercent)} (${plural(m.errors.jobs, "job")})` : "-";
      rows.push([name, String(m.jobs), l ? l.job.startedAt : "-", l ? measuredSeconds(l.transferSeconds) : "-", l ? measuredSeconds(l.predictedSeconds) : "-", l ? decimalBytes(l.bytesRead) : "-", l ? decimalBytes(l.bytesChanged) : "-", l ? decimalBytes(l.bytesStored) : "-", m.lastFailure ? `job ${m.lastFailure.seq}: ${m.lastFailure.error?.code ?? "?"}` : "", rates, errs]);
    }
    if (rows.length) yield mdTable(["VM", "jobs", "last run (UTC)", "measured", "predicted", "read", "changed", "stored", "last failure", "rates", "prediction error"], rows, ["jobs", "measured", "predicted", "read", "changed", "stored"]).join("\n") + "\n";
  }
  yield "\n### Jobs\n\n";
  yield mdTable(["VM", "start", "UTC", "kind", "model", "duration", "slowest disk", "consistency"], [], ["duration"]).join("\n") + "\n";
  let buf: string[] = [];
  for (let i = 0; i < plan.jobs.length; i++) {
    const j = plan.jobs[i];
    const t = timings[j.index];
    buf.push(mdRow([j.vm.name, j.run.local, j.run.utc, j.kind, t.model, t.model === "local-engine" ? measuredSeconds(t.durationSeconds) : formatDuration(t.durationSeconds), t.slowest ?? "-", j.consistency.level]) + "\n");
    if (buf.length > 4000) {
      yield buf.join("");
      buf = [];
    }
  }
  yield buf.join("");
}

function costRows(c: CostReport): string[][] {
  const archive = c.vms.some((x) => !x.archiveGB.isZero());
  return c.vms.map((v) => [
    v.vm.name,
    v.vault.name,
    qty(v.protectedInstanceGB),
    qty(v.instanceUnits, 3),
    money(v.instanceFee),
    qty(v.storageGB),
    money(v.storageFee),
    qty(v.snapshotGB),
    money(v.snapshotFee),
    ...(archive ? [qty(v.archiveGB), money(v.archiveFee)] : []),
    money(v.monthlyTotal),
    v.lifecycle === "active" ? (v.daysBilled && v.daysBilled < v.daysInMonth ? `${v.daysBilled}/${v.daysInMonth} days` : "") : v.lifecycle,
  ]);
}

function costHeaders(c: CostReport, unit: string): string[] {
  const archive = c.vms.some((x) => !x.archiveGB.isZero());
  return ["VM", "vault", `PI ${unit}`, "PIs", "PI fee", `storage ${unit}`, "storage", `snapshot ${unit}`, "snapshots", ...(archive ? [`archive ${unit}`, "archive"] : []), "total", "billed"];
}

/** Figures right-aligned; names and the billed note left. */
const rightCostColumns = (headers: string[]) => headers.filter((h) => h !== "VM" && h !== "vault" && h !== "billed");

function projectionRows(ms: MonthCost[]): string[][] {
  return ms.map((m) => [m.month, qty(m.instanceUnits), money(m.instanceFee), qty(m.storageGB), money(m.storageFee), qty(m.snapshotGB), money(m.snapshotFee), money(m.archiveFee), money(m.total)]);
}
const PROJECTION_HEADERS = ["month", "PIs", "PI fees", "storage GB", "storage", "snapshot GB", "snapshots", "archive", "total"];

function unbilled(c: CostReport): string[] {
  const out: string[] = [];
  for (const v of c.vms) for (const d of v.unbilledDisks) out.push(`vm "${v.vm.name}" disk "${d.name}" (${d.reason === "temp" ? "temporary disk: never backed up" : "excluded from backup"})`);
  return out;
}

function headlineNote(c: CostReport): string {
  return `the monthly figures are for ${c.month}, the last month of a ${c.months}-month projection from ${c.from.slice(0, 7)}, as retention fills up`;
}

export function costText(c: CostReport, lines: SourceLines, style: Style = plain): string {
  const unit = c.vms[0]?.book.unit ?? "GB";
  const out: string[] = [style.bold(`bkp cost: ${plural(c.vms.length, "VM")} in ${plural(c.vaults.length, "vault")}, ${c.currency}`), headlineNote(c), ""];
  const headers = costHeaders(c, unit);
  out.push(...table(headers, costRows(c), rightCostColumns(headers)));
  out.push("");
  for (const v of c.vaults) out.push(`vault "${v.vault.name}" (${v.vault.redundancy}, price book ${v.vault.priceBook.name}): ${money(v.monthlyTotal)} ${v.currency}/month, ${plural(v.vms, "VM")}`);
  out.push(style.bold(`total: ${money(c.monthlyTotal)} ${c.currency}/month in ${c.month}`) + c.otherCurrencies.map((o) => ` + ${money(o.monthlyTotal)} ${o.currency}`).join(""));
  out.push("", style.bold(`projection (${c.currency})`));
  out.push(...table(PROJECTION_HEADERS, projectionRows(c.projection), PROJECTION_HEADERS.slice(1), "  "));
  const ub = unbilled(c);
  if (ub.length) out.push("", "not billed:", ...ub.map((u) => `  ${u}`));
  if (c.softDelete.length) out.push("", "soft delete (one-off, after the delete; not in the monthly figures):", ...c.softDelete.map((s) => `  ${money(s.total)} ${s.currency}: ${s.reason}`));
  if (c.notes.length) out.push("", riskFrames(c.notes, lines, style));
  return out.join("\n") + "\n";
}

export function costMarkdown(c: CostReport): string {
  const unit = c.vms[0]?.book.unit ?? "GB";
  const out = [`## bkp cost: ${money(c.monthlyTotal)} ${c.currency}/month`, "", `${plural(c.vms.length, "VM")} in ${plural(c.vaults.length, "vault")}; ${headlineNote(c)}.`, ""];
  const headers = costHeaders(c, unit);
  out.push(...mdTable(headers, costRows(c), rightCostColumns(headers)));
  out.push("", "### Vaults", "");
  out.push(...mdTable(["vault", "redundancy", "price book", "VMs", `${c.currency}/month`], c.vaults.map((v) => [v.vault.name, v.vault.redundancy, v.vault.priceBook.name, String(v.vms), money(v.monthlyTotal)]), ["VMs", `${c.currency}/month`]));
  out.push("", "### Projection", "");
  out.push(...mdTable(PROJECTION_HEADERS, projectionRows(c.projection), PROJECTION_HEADERS.slice(1)));
  const ub = unbilled(c);
  if (ub.length) out.push("", "Not billed: " + ub.join("; ") + ".");
  if (c.softDelete.length) out.push("", "Soft delete (one-off, after the delete; not in the monthly figures):", "", ...c.softDelete.map((s) => `- ${money(s.total)} ${s.currency}: ${s.reason}`));
  for (const n of c.notes) out.push("", `> **${n.severity} ${n.code}**: ${n.message}${n.hint ? ` (${n.hint})` : ""}`);
  return out.join("\n") + "\n";
}

const signed = (x: Decimal) => (x.isNeg() ? money(x) : `+${money(x)}`);

/** "+25.3%", or undefined when there was no old bill. */
function percent(d: CostDiff): string | undefined {
  if (d.oldTotal.isZero()) return undefined;
  return `${d.delta.isNeg() ? "" : "+"}${d.delta.div(d.oldTotal).mul(100).toFixed(1)}%`;
}

/** One row per changed VM, then the rounding row when the VM cents do not add up to the total's. */
function diffRows(d: CostDiff): string[][] {
  const rows = d.vms.map((v) => [v.name, v.old ? money(v.old.monthlyTotal) : "-", v.new ? money(v.new.monthlyTotal) : "-", signed(v.delta), v.why.join("; ")]);
  if (!d.rounding.isZero()) rows.push(["(rounding)", "", "", signed(d.rounding), "each VM's bill is rounded to the cent, the total once"]);
  return rows;
}

export function diffText(d: CostDiff, style: Style = plain): string {
  const out = [style.bold(`bkp cost diff: ${money(d.oldTotal)} -> ${money(d.newTotal)} ${d.currency}/month in ${d.month}: ${signed(d.delta)} ${d.currency}${percent(d) ? ` (${percent(d)})` : ""}`), ""];
  if (d.vms.length) out.push(...table(["VM", "old", "new", "change", "why"], diffRows(d), ["old", "new", "change"]));
  else out.push("no VM's bill changes");
  if (d.unchanged) out.push(`${plural(d.unchanged, "VM")} unchanged`);
  out.push("", `risks: ${d.newRisks.length} new, ${d.resolvedRisks.length} resolved, ${d.keptRisks} unchanged`);
  for (const r of d.newRisks) out.push(`  + ${r.severity}[${r.code}]: ${r.message}`);
  for (const r of d.resolvedRisks) out.push(`  - ${r.severity}[${r.code}]: ${r.message}`);
  if (d.irreversible.length) out.push("", ...irreversibleLines(d.irreversible));
  return out.join("\n") + "\n";
}

export function diffMarkdown(d: CostDiff): string {
  const out = [`### bkp cost diff`, "", `Monthly bill in ${d.month}: **${money(d.oldTotal)} → ${money(d.newTotal)} ${d.currency}** (${signed(d.delta)} ${d.currency}${percent(d) ? `, ${percent(d)}` : ""})`, ""];
  if (d.vms.length) out.push(...mdTable(["VM", "old", "new", "change", "why"], diffRows(d), ["old", "new", "change"]));
  else out.push("No VM's bill changes.");
  if (d.unchanged) out.push("", `${plural(d.unchanged, "VM")} unchanged.`);
  if (d.newRisks.length || d.resolvedRisks.length) {
    out.push("", `**Risks**: ${d.newRisks.length} new, ${d.resolvedRisks.length} resolved, ${d.keptRisks} unchanged`, "");
    for (const r of d.newRisks) out.push(`- new **${r.severity}** \`${r.code}\`: ${r.message}`);
    for (const r of d.resolvedRisks) out.push(`- resolved ~~${r.severity} \`${r.code}\`~~: ${r.message}`);
  } else out.push("", `Risks: none new, none resolved (${d.keptRisks} unchanged).`);
  if (d.irreversible.length) {
    out.push("", `**Irreversible changes** (Azure cannot undo them): ${d.irreversible.length}`, "");
    for (const c of d.irreversible) out.push(`- ${c.refused ? "**refused by Azure**" : c.acknowledged ? "acknowledged" : "**not acknowledged**"}: ${c.block} \`${c.name}\` ${c.attribute} ${c.from} → ${c.to}: ${c.message}`);
  }
  return out.join("\n") + "\n";
}
