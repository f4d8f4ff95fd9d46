// View 3, Risks: every finding of the plan, the bill and the checker, most severe first, with
// its code, severity and `file:line`; Enter opens the explanation (explain-panel.tsx).
import React from "react";
import type { Analysis, Finding } from "./analysis.js";
import { Lines, seg, type Line } from "./screen-lines.js";
import { useScroll } from "./scroll.js";
import { fit, fitStart, plural, SEVERITY_COLOR, SEVERITY_WORD, wrap } from "./text-cells.js";

export const whereText = (f: Finding) => (f.file ? `${f.file}:${f.range?.start.line ?? 1}` : "-");

/** `file:line`, the file's directory left out when the whole path does not fit. */
function whereFit(f: Finding, width: number): string {
  const full = whereText(f);
  if (full.length <= width || !f.file) return full;
  return `${f.file.split("/").pop()}:${f.range?.start.line ?? 1}`;
}

export function RisksView({ analysis: a, selected, width, height }: { analysis: Analysis; selected: number; width: number; height: number }): React.JSX.Element {
  const fs = a.findings;
  const n = (s: string) => fs.filter((f) => f.severity === s).length;
  const lines: Line[] = [
    [seg(`${plural(fs.length, "finding")}: ${plural(n("error"), "error")}, ${plural(n("warning"), "warning")}, ${plural(n("info"), "note")}`, { bold: true }), seg(" · ↑↓ select · Enter explains", { dim: true })],
  ];
  if (!fs.length) {
    lines.push([seg("no risks found in the plan, the bill or the checker", { color: "green" })]);
    return <Lines lines={lines} width={width} height={height} />;
  }
  const cap = width >= 120 ? 40 : 24;
  const whereWidth = Math.min(cap, Math.max(5, ...fs.map((f) => whereFit(f, cap).length)));
  const msgWidth = Math.max(10, width - 7 - 1 - 7 - 1 - whereWidth - 1);
  const visible = Math.max(1, height - 3);
  const start = useScroll(selected, fs.length, visible);
  for (let i = start; i < Math.min(fs.length, start + visible); i++) {
    const f = fs[i];
    const sel = i === selected ? { inverse: true } : {};
    lines.push([
      seg(fit(SEVERITY_WORD[f.severity], 7), { color: SEVERITY_COLOR[f.severity], ...sel }),
      seg(" ", sel),
      seg(fit(f.code, 7), sel),
      seg(" ", sel),
      seg(fitStart(whereFit(f, whereWidth), whereWidth), sel),
      seg(" ", sel),
      seg(fit(f.message, msgWidth), sel),
    ]);
  }
  while (lines.length < visible + 1) lines.push([]);
  // The selected finding in full (the table cuts messages); Enter shows everything.
  const cur = fs[selected];
  if (cur) lines.push(...wrap(cur.message, width).slice(0, 2).map((l) => [seg(l, { dim: true })]));
  return <Lines lines={lines} width={width} height={height} />;
}
