// `w`: the unified diff of what would be written (formatted files against the disk), then
// y writes or n goes back.
import React from "react";
import type { FileChange } from "./write-back.js";
import { Lines, seg, type Line } from "./screen-lines.js";
import { plural } from "./text-cells.js";

export function diffLines(changes: FileChange[]): Line[] {
  const out: Line[] = [];
  for (const c of changes) {
    for (const d of c.diff) {
      const color = d.kind === "add" ? "green" : d.kind === "remove" ? "red" : d.kind === "hunk" ? "cyan" : undefined;
      out.push([seg(d.text, { color, dim: d.kind === "context" })]);
    }
  }
  return out;
}

export function DiffPanel({ changes, scroll, width, height }: { changes: FileChange[]; scroll: number; width: number; height: number }): React.JSX.Element {
  const body = diffLines(changes);
  const visible = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(scroll, body.length - visible));
  const head: Line = [
    seg(`write ${plural(changes.length, "file")} (changed blocks formatted)? `, { bold: true }),
    seg("y", { bold: true, color: "green" }),
    seg(" writes · n or Esc goes back · ↑↓ PgUp PgDn scroll", { dim: true }),
  ];
  return <Lines lines={[head, ...body.slice(start, start + visible)]} width={width} height={height} />;
}
