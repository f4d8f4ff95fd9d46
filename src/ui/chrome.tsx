// The frame around the views: the tab bar on top, the edit bar (what + and - would change for
// the selected VM) and the status line at the bottom.
import React from "react";
import type { Analysis } from "./analysis.js";
import type { EditField } from "./edit-fields.js";
import { VIEWS, type ViewId } from "./keymap.js";
import { Lines, seg, type Line, type Seg } from "./screen-lines.js";
import { amount, fit, wrap } from "./text-cells.js";
import type { Message } from "./ui-state.js";

export function TabBar({ view, analysis: a, width }: { view: ViewId; analysis: Analysis; width: number }): React.JSX.Element {
  const line: Line = [seg(" bkp ui ", { bold: true, inverse: true }), seg(" ")];
  for (const v of VIEWS) {
    const active = v.id === view;
    line.push(seg(active ? `[${v.key} ${v.title}]` : ` ${v.key} ${v.title} `, active ? { bold: true, color: "cyan" } : { dim: true }));
  }
  const used = line.reduce((n, s) => n + s.text.length, 0);
  const total = a.cost ? `${amount(a.cost.monthlyTotal)} ${a.cost.currency}/month` : "computing the bill…";
  if (used + total.length + 1 <= width) line.push(seg(fit(total, width - used, "right"), { bold: true }));
  return <Lines lines={[line]} width={width} height={1} />;
}

/** The fields as chips, the focused one in brackets, scrolled so that it is visible. */
export function fieldChips(fields: EditField[], focused: number, width: number): Line {
  const chips = fields.map((f, i) => (i === focused ? `[${f.label}: ${f.value}]` : ` ${f.label}: ${f.value} `));
  let first = 0;
  const widthFrom = (a: number, b: number) => chips.slice(a, b + 1).reduce((n, c) => n + c.length + 1, 0);
  while (first < focused && widthFrom(first, focused) > width - 4) first++;
  const out: Seg[] = [];
  if (first > 0) out.push(seg("◂", { dim: true }));
  for (let i = first; i < chips.length; i++) {
    out.push(seg(chips[i], i === focused ? { bold: true, inverse: true } : {}));
    out.push(seg(" "));
  }
  return out;
}

export function EditBar({ vmName, fields, focused, width }: { vmName: string | undefined; fields: EditField[]; focused: number; width: number }): React.JSX.Element {
  if (!vmName || !fields.length) return <Lines lines={[[seg("no VM selected", { dim: true })], []]} width={width} height={2} />;
  const f = fields[focused];
  const top: Line = [seg("what if: ", { dim: true }), seg(`vm "${vmName}"`, { bold: true }), seg(` ${f.label} of ${f.scope}`, { dim: true })];
  const hint = "←→ choose  +/- change";
  const used = top.reduce((n, s) => n + s.text.length, 0);
  if (used + hint.length + 2 <= width) top.push(seg(fit(hint, width - used, "right"), { dim: true }));
  return <Lines lines={[top, fieldChips(fields, focused, width)]} width={width} height={2} />;
}

/** The status line: the last message (wrapped to two lines when long) and whether changes are unsaved. */
export function statusLines(message: Message | undefined, dirty: boolean, width: number): Line[] {
  const right = dirty ? " ● unsaved" : "";
  const room = Math.max(10, width - right.length);
  if (!message) return [[seg(fit("? keys · 1-5 views · ↑↓ VM · ←→ value · +/- change · u undo · w write · q quit", room), { dim: true }), seg(right, { color: "yellow" })]];
  const color = message.tone === "error" ? "red" : message.tone === "ok" ? "green" : undefined;
  const text = wrap(message.text, room).slice(0, 2);
  return text.map((t, i) => [seg(fit(t, room), { color }), ...(i === 0 ? [seg(right, { color: "yellow" })] : [])]);
}

export function StatusLine({ lines, width }: { lines: Line[]; width: number }): React.JSX.Element {
  return <Lines lines={lines} width={width} height={lines.length} />;
}
