// A planning session: the policy files as edited so far, their analysis, and the undo stack.
// Edits are text edits of the .bkp source (as the linter's fixes are); after each one the
// touched blocks are parsed again, the set is checked, planned and billed (the bill in parts,
// see cost-cache.ts), and an edit that would make the set invalid is refused. Undo restores
// the files as they were before the edit. Writing formats the changed blocks and replaces the
// files atomically (write-back.ts).
import Decimal from "decimal.js";
import type { CostReport } from "../analyze/index.js";
import { money } from "../analyze/json.js";
import { codeFrame } from "../lang/code-frame.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import { analyze, withBill, type Analysis, type AnalysisOptions } from "./analysis.js";
import { CostCache } from "./cost-cache.js";
import { changeField, editFields, type EditField } from "./edit-fields.js";
import { applyEdit, parseFileState, type FileState, type TextEdit } from "./file-state.js";
import { amount } from "./text-cells.js";
import { fileChange, writeAtomically, type FileChange } from "./write-back.js";

export interface Change {
  label: string;
  before: CostReport;
  after: CostReport;
}

export interface Outcome {
  ok: boolean;
  message: string;
}

export type OpenResult = { ok: true; session: Session } | { ok: false; diagnostics: Diagnostic[] };

/** Undo steps kept (each holds the file states of one step; unchanged blocks are shared). */
const HISTORY = 200;

/** The change between two amounts as shown (rounded to the cent first, so 11.20 → 11.26 reads +0.06). */
export function centsDelta(before: Decimal, after: Decimal): string {
  const d = new Decimal(money(after)).sub(money(before));
  return d.isNeg() ? `−${money(d.abs())}` : `+${money(d)}`;
}

export class Session {
  private files: Map<string, FileState>;
  private readonly baseline: Map<string, string>;
  private readonly history: { files: Map<string, FileState>; label: string }[] = [];
  analysis: Analysis;
  /** The last edit or undo and the bill before and after it (the Costs view's +/-). */
  lastChange?: Change;

  private constructor(files: Map<string, FileState>, analysis: Analysis, readonly opts: AnalysisOptions, private readonly costs: CostCache) {
    this.files = files;
    this.baseline = new Map([...files].map(([p, f]) => [p, f.text]));
    this.analysis = analysis;
  }

  /** `billLater`: the bill is left for `completeBill` (so that a first frame can come sooner). */
  static open(inputs: { path: string; text: string }[], opts: AnalysisOptions, billLater = false): OpenResult {
    const files = new Map(inputs.map((i) => [i.path, parseFileState(i.path, i.text)]));
    const costs = new CostCache();
    const r = analyze(files, opts, costs, undefined, !billLater);
    if (!r.ok) return { ok: false, diagnostics: r.diagnostics };
    return { ok: true, session: new Session(files, r.analysis, opts, costs) };
  }

  get billPending(): boolean {
    return !this.analysis.cost;
  }

  /** Bills the set if `open` left it for later. */
  completeBill(): void {
    if (this.analysis.cost) return;
    this.analysis = withBill(this.analysis, this.files, this.opts, this.costs);
  }

  /** Groups of VMs billed again by the last analysis (the rest came from the cache). */
  get costGroupsComputed(): number {
    return this.costs.lastComputed;
  }

  /** Groups of VMs re-priced for a vault's new redundancy by the last analysis. */
  get costGroupsRepriced(): number {
    return this.costs.lastRepriced;
  }

  get undoDepth(): number {
    return this.history.length;
  }

  /** Whether the files differ from what is on disk. */
  get dirty(): boolean {
    for (const [p, f] of this.files) if (f.text !== this.baseline.get(p)) return true;
    return false;
  }

  text(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  /** A file as the session holds it now (its text and AST). */
  file(path: string): FileState | undefined {
    return this.files.get(path);
  }

  fields(vmName: string): EditField[] {
    const vm = this.analysis.model.vms.get(vmName);
    return vm ? editFields(vm, this.analysis.model) : [];
  }

  /** Moves a field of a VM one step up or down. */
  change(vmName: string, fieldId: string, dir: 1 | -1): Outcome {
    const vm = this.analysis.model.vms.get(vmName);
    if (!vm) return { ok: false, message: `no VM "${vmName}"` };
    const c = changeField(vm, this.analysis.model, this.files, fieldId, dir);
    if (!c.ok) return c;
    return this.applyEdits(c.edits, c.label, !c.affectsPlan);
  }

  /** Applies text edits; `keepPlan` when they cannot change the plan (see edit-fields.ts). */
  applyEdits(edits: TextEdit[], label: string, keepPlan = false): Outcome {
    const files = new Map(this.files);
    // Later edits first, so that the offsets of earlier ones stay valid.
    for (const e of [...edits].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : b.start - a.start))) {
      const f = files.get(e.file);
      if (!f) return { ok: false, message: `${e.file} is not open in this session` };
      files.set(e.file, applyEdit(f, e));
    }
    this.completeBill();
    const r = analyze(files, this.opts, this.costs, keepPlan ? this.analysis.plan : undefined);
    if (!r.ok) {
      const d = r.diagnostics.find((x) => x.severity === "error")!;
      return { ok: false, message: `not applied: ${label} — ${d.message}${d.hint ? ` (${d.hint})` : ""}` };
    }
    this.history.push({ files: this.files, label });
    if (this.history.length > HISTORY) this.history.shift();
    return this.adopt(files, r.analysis, label);
  }

  undo(): Outcome {
    const prev = this.history.pop();
    if (!prev) return { ok: false, message: "nothing to undo" };
    this.completeBill();
    const r = analyze(prev.files, this.opts, this.costs);
    // The files were valid when they were current; the analysis cannot fail on them.
    if (!r.ok) throw new Error("undo: the earlier files no longer check");
    return this.adopt(prev.files, r.analysis, `undid ${prev.label}`);
  }

  private adopt(files: Map<string, FileState>, analysis: Analysis, label: string): Outcome {
    const before = this.analysis;
    this.files = files;
    this.analysis = analysis;
    // Both are billed: every edit and undo completes the bill first (completeBill).
    const bc = before.cost!;
    const ac = analysis.cost!;
    this.lastChange = { label, before: bc, after: ac };
    const b = bc.monthlyTotal;
    const a = ac.monthlyTotal;
    const cur = ac.currency;
    const risks = (x: Analysis) => x.findings.filter((f) => f.severity !== "info").length;
    const riskNote = risks(before) !== risks(analysis) ? ` · risks ${risks(before)} → ${risks(analysis)}` : "";
    const d = centsDelta(b, a);
    const bill = d === "+0.00" ? "bill unchanged" : `${amount(b)} → ${amount(a)} ${cur}/month (${d})`;
    return { ok: true, message: `${label} · ${bill}${riskNote}` };
  }

  /** The changed files, formatted, with their diffs against the disk. */
  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const [p, f] of this.files) {
      const c = fileChange(p, this.baseline.get(p) ?? "", f.text);
      if (c) out.push(c);
    }
    return out;
  }

  /** Writes the changed files; what was written becomes the new state on disk. */
  write(changes: FileChange[] = this.changes()): Outcome {
    if (!changes.length) return { ok: true, message: "no changes to write" };
    const written: string[] = [];
    const failed: string[] = [];
    const files = new Map(this.files);
    for (const c of changes) {
      const r = writeAtomically(c);
      if (!r.ok) {
        failed.push(r.message);
        continue;
      }
      written.push(c.path);
      this.baseline.set(c.path, c.after);
      files.set(c.path, parseFileState(c.path, c.after));
    }
    if (written.length) {
      // The formatter moved lines: the written files are parsed afresh.
      const r = analyze(files, this.opts, this.costs);
      if (r.ok) {
        this.files = files;
        this.analysis = r.analysis;
      }
    }
    const msg = [written.length ? `wrote ${written.join(", ")}` : "", ...failed].filter(Boolean).join("; ");
    return { ok: !failed.length, message: msg };
  }

  /** A finding's source lines, rustc style, for the Risks view's explanation. */
  frame(d: Diagnostic): string {
    const text = this.files.get(d.file)?.text;
    return codeFrame(d, text?.split(/\r?\n/));
  }
}
