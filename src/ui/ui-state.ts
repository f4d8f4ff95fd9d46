// What the session screen shows besides the analysis — the view, the selection, the open
// panel, the last message — and how each key action changes it. Edits, undo and writes go to
// the Session; the rest is plain state, so the whole key handling is testable without React.
import type { Session } from "./session.js";
import { VIEWS, type Action, type ViewId } from "./keymap.js";
import type { FileChange } from "./write-back.js";

export interface Message {
  text: string;
  tone: "info" | "ok" | "error";
}

export type Panel = { kind: "none" } | { kind: "help" } | { kind: "explain" } | { kind: "diff"; changes: FileChange[]; scroll: number } | { kind: "quit" };

export interface UiState {
  view: ViewId;
  /** The selected VM, by name (names survive edits; indices do not). */
  vm?: string;
  /** The field + and - change, by id (kept when the selection moves to a VM that has it). */
  field: string;
  /** Selected finding in the Risks view. */
  risk: number;
  restoreScroll: number;
  /** Timeline: day of the horizon shown (0 = its first). */
  day: number;
  perVault: boolean;
  panel: Panel;
  message?: Message;
}

export interface Context {
  session: Session;
  /** Rows a page key moves. */
  page: number;
  quit(): void;
}

export function initialState(session: Session): UiState {
  return { view: "overview", vm: session.analysis.rows[0]?.vm.name, field: "schedule", risk: 0, restoreScroll: 0, day: 0, perVault: false, panel: { kind: "none" } };
}

/** Index of the selected VM among the rows (0 when the selection is gone). */
export function vmIndex(s: UiState, session: Session): number {
  return s.vm === undefined ? 0 : (session.analysis.rowOf.get(s.vm) ?? 0);
}

/** Index of the focused field among the selected VM's fields. */
export function fieldIndex(s: UiState, session: Session): number {
  const fields = s.vm ? session.fields(s.vm) : [];
  return Math.max(0, fields.findIndex((f) => f.id === s.field));
}

const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));

function selectVm(s: UiState, session: Session, index: number): UiState {
  const rows = session.analysis.rows;
  if (!rows.length) return s;
  return { ...s, vm: rows[clamp(index, 0, rows.length - 1)].vm.name };
}

function selectRisk(s: UiState, session: Session, index: number): UiState {
  const fs = session.analysis.findings;
  if (!fs.length) return { ...s, risk: 0 };
  const risk = clamp(index, 0, fs.length - 1);
  // The VM a risk is about becomes the one edits apply to, so a risk can be fixed from here.
  const vm = fs[risk].vms.find((v) => session.analysis.rowOf.has(v)) ?? s.vm;
  return { ...s, risk, vm };
}

function showView(s: UiState, session: Session, view: ViewId): UiState {
  // In the Risks view, edits apply to the selected risk's VM.
  return view === "risks" ? selectRisk({ ...s, view }, session, s.risk) : { ...s, view };
}

function move(s: UiState, session: Session, by: number): UiState {
  if (s.view === "risks") return selectRisk(s, session, s.risk + by);
  if (s.view === "restore") return { ...s, restoreScroll: Math.max(0, s.restoreScroll + by) };
  return selectVm(s, session, vmIndex(s, session) + by);
}

export function dispatch(s: UiState, a: Action, ctx: Context): UiState {
  const { session } = ctx;
  if (a.type === "force-quit") {
    ctx.quit();
    return s;
  }
  const p = s.panel;
  if (p.kind === "help") return a.type === "escape" || a.type === "help" || a.type === "quit" || a.type === "enter" ? { ...s, panel: { kind: "none" } } : s;
  if (p.kind === "explain") {
    if (a.type === "escape" || a.type === "enter" || a.type === "quit") return { ...s, panel: { kind: "none" } };
    if (a.type === "move") return selectRisk(s, session, s.risk + a.by);
    return s;
  }
  if (p.kind === "diff") {
    if (a.type === "yes") {
      const r = session.write(p.changes);
      return { ...s, panel: { kind: "none" }, message: { text: r.message, tone: r.ok ? "ok" : "error" } };
    }
    if (a.type === "no" || a.type === "escape" || a.type === "quit") return { ...s, panel: { kind: "none" }, message: { text: "not written", tone: "info" } };
    if (a.type === "move") return { ...s, panel: { ...p, scroll: Math.max(0, p.scroll + a.by) } };
    if (a.type === "page") return { ...s, panel: { ...p, scroll: Math.max(0, p.scroll + a.dir * ctx.page) } };
    return s;
  }
  if (p.kind === "quit") {
    if (a.type === "quit" || a.type === "yes") {
      ctx.quit();
      return s;
    }
    if (a.type === "write") return dispatch({ ...s, panel: { kind: "none" } }, a, ctx);
    if (a.type === "no" || a.type === "escape") return { ...s, panel: { kind: "none" }, message: undefined };
    return s;
  }

  switch (a.type) {
    case "view":
      return showView(s, session, a.view);
    case "cycle-view": {
      const i = VIEWS.findIndex((v) => v.id === s.view);
      return showView(s, session, VIEWS[(i + a.dir + VIEWS.length) % VIEWS.length].id);
    }
    case "move":
      return move(s, session, a.by);
    case "page":
      return move(s, session, a.dir * ctx.page);
    case "jump":
      return move(s, session, a.to === "first" ? -1e9 : 1e9);
    case "field": {
      const fields = s.vm ? session.fields(s.vm) : [];
      if (!fields.length) return s;
      return { ...s, field: fields[clamp(fieldIndex(s, session) + a.dir, 0, fields.length - 1)].id };
    }
    case "change": {
      if (!s.vm) return { ...s, message: { text: "no VM selected", tone: "error" } };
      const fields = session.fields(s.vm);
      const f = fields[fieldIndex(s, session)];
      if (!f) return s;
      const r = session.change(s.vm, f.id, a.dir);
      return clampRisk({ ...s, field: f.id, message: { text: r.message, tone: r.ok ? "info" : "error" } }, session);
    }
    case "undo": {
      const r = session.undo();
      return clampRisk({ ...s, message: { text: r.message, tone: r.ok ? "info" : "error" } }, session);
    }
    case "write": {
      const changes = session.changes();
      if (!changes.length) return { ...s, message: { text: "no changes to write: the files on disk are up to date", tone: "info" } };
      return { ...s, panel: { kind: "diff", changes, scroll: 0 } };
    }
    case "help":
      return { ...s, panel: { kind: "help" } };
    case "enter":
      return s.view === "risks" && session.analysis.findings.length ? { ...s, panel: { kind: "explain" } } : s;
    case "escape":
      return { ...s, message: undefined };
    case "day":
      return s.view === "timeline" ? { ...s, day: clamp(s.day + a.dir, 0, session.analysis.plan.plan.days - 1) } : s;
    case "per-vault":
      return s.view === "timeline" ? { ...s, perVault: !s.perVault } : s;
    case "quit":
      if (session.dirty) return { ...s, panel: { kind: "quit" }, message: { text: "changes are not written: q quits anyway, w shows the diff to write, Esc stays", tone: "error" } };
      ctx.quit();
      return s;
    case "yes":
    case "no":
      return s;
  }
}

function clampRisk(s: UiState, session: Session): UiState {
  return { ...s, risk: clamp(s.risk, 0, Math.max(0, session.analysis.findings.length - 1)) };
}
