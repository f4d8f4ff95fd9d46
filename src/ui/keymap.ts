// The keys of the planning session: one table that both the key handler and the `?` help (and
// docs/ui.md) are written from, so they cannot disagree.
import type { Key } from "ink";

export type ViewId = "overview" | "timeline" | "risks" | "costs" | "restore";

export const VIEWS: { id: ViewId; key: string; title: string }[] = [
  { id: "overview", key: "1", title: "Overview" },
  { id: "timeline", key: "2", title: "Timeline" },
  { id: "risks", key: "3", title: "Risks" },
  { id: "costs", key: "4", title: "Costs" },
  { id: "restore", key: "5", title: "Restore" },
];

export type Action =
  | { type: "view"; view: ViewId }
  | { type: "cycle-view"; dir: 1 | -1 }
  | { type: "move"; by: number }
  | { type: "page"; dir: 1 | -1 }
  | { type: "jump"; to: "first" | "last" }
  | { type: "field"; dir: 1 | -1 }
  | { type: "change"; dir: 1 | -1 }
  | { type: "undo" }
  | { type: "write" }
  | { type: "help" }
  | { type: "enter" }
  | { type: "escape" }
  | { type: "day"; dir: 1 | -1 }
  | { type: "per-vault" }
  | { type: "yes" }
  | { type: "no" }
  | { type: "quit" }
  | { type: "force-quit" };

/** The keys as the help screen lists them. */
export const KEY_HELP: { keys: string; what: string }[] = [
  { keys: "1 2 3 4 5", what: "Overview, Timeline, Risks, Costs, Restore" },
  { keys: "Tab  Shift-Tab", what: "next / previous view" },
  { keys: "↑ ↓  k j", what: "select a VM (a risk in Risks; scroll in Restore)" },
  { keys: "PgUp PgDn  Home End", what: "a page up or down; first or last" },
  { keys: "← →  h l", what: "choose what to change for the selected VM" },
  { keys: "+ -", what: "change it a step: ±30 min, ±1 count, next or previous option" },
  { keys: "u", what: "undo the last change" },
  { keys: "w", what: "show the diff of the changes, then y writes the files" },
  { keys: "Enter", what: "Risks: explain the selected risk" },
  { keys: "[ ]", what: "Timeline: previous / next day" },
  { keys: "v", what: "Timeline: per VM or per vault" },
  { keys: "?", what: "this list of keys" },
  { keys: "Esc", what: "close help, an explanation or the diff" },
  { keys: "q", what: "quit (asks first if changes are not written)" },
  { keys: "Ctrl-C", what: "quit at once" },
];

/** A key with no modifier or special key set: what Ink reports for plain text. */
const PLAIN: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/**
 * The actions of one input event. Ink reports a run of plain characters that arrived together
 * (a paste, key repeat, keys typed over ssh) as one event with the whole run as `input`: every
 * character is a key press of its own, applied in order.
 */
export function actionsFor(input: string, key: Key): Action[] {
  const chars = [...input];
  const special = key.ctrl || key.meta || key.tab || key.return || key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
  if (chars.length <= 1 || special) {
    const a = actionFor(input, key);
    return a ? [a] : [];
  }
  const out: Action[] = [];
  for (const c of chars) {
    const k: Key = { ...PLAIN, shift: /[A-Z]/.test(c), return: c === "\r" || c === "\n", tab: c === "\t" };
    const a = actionFor(k.return || k.tab ? "" : c, k);
    if (a) out.push(a);
  }
  return out;
}

/** The action a key press stands for, if any. */
export function actionFor(input: string, key: Key): Action | undefined {
  if (key.ctrl && input === "c") return { type: "force-quit" };
  if (key.tab) return { type: "cycle-view", dir: key.shift ? -1 : 1 };
  if (key.upArrow) return { type: "move", by: -1 };
  if (key.downArrow) return { type: "move", by: 1 };
  if (key.pageUp) return { type: "page", dir: -1 };
  if (key.pageDown) return { type: "page", dir: 1 };
  if (key.home) return { type: "jump", to: "first" };
  if (key.end) return { type: "jump", to: "last" };
  if (key.leftArrow) return { type: "field", dir: -1 };
  if (key.rightArrow) return { type: "field", dir: 1 };
  if (key.return) return { type: "enter" };
  if (key.escape) return { type: "escape" };
  const view = VIEWS.find((v) => v.key === input);
  if (view) return { type: "view", view: view.id };
  switch (input) {
    case "k":
      return { type: "move", by: -1 };
    case "j":
      return { type: "move", by: 1 };
    case "g":
      return { type: "jump", to: "first" };
    case "G":
      return { type: "jump", to: "last" };
    case "h":
      return { type: "field", dir: -1 };
    case "l":
      return { type: "field", dir: 1 };
    case "+":
    case "=":
      return { type: "change", dir: 1 };
    case "-":
    case "_":
      return { type: "change", dir: -1 };
    case "u":
      return { type: "undo" };
    case "w":
      return { type: "write" };
    case "?":
      return { type: "help" };
    case "[":
      return { type: "day", dir: -1 };
    case "]":
      return { type: "day", dir: 1 };
    case "v":
      return { type: "per-vault" };
    case "y":
      return { type: "yes" };
    case "n":
      return { type: "no" };
    case "q":
      return { type: "quit" };
  }
  return undefined;
}
