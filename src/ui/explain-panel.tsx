// The explanation of one finding (Enter in the Risks view): what kind of risk it is, the full
// message, the source lines it is about (rustc style) and what to do, wrapped to the screen.
import React from "react";
import type { Finding } from "./analysis.js";
import { Lines, seg, type Line } from "./screen-lines.js";
import { SEVERITY_COLOR, SEVERITY_WORD, wrap } from "./text-cells.js";

export function ExplainPanel({ finding: f, frame, width, height }: { finding: Finding; frame: string | undefined; width: number; height: number }): React.JSX.Element {
  const lines: Line[] = [
    [seg(`${SEVERITY_WORD[f.severity]}[${f.code}]`, { color: SEVERITY_COLOR[f.severity], bold: true }), seg(` ${f.title}`, { bold: true }), seg("  (Esc or Enter closes)", { dim: true })],
    [],
    ...wrap(f.message, width).map((l) => [seg(l)]),
  ];
  if (frame) {
    lines.push([]);
    // The frame's first line repeats the message: show from the location on.
    for (const l of frame.split("\n").slice(1)) if (!l.includes("= help:")) lines.push([seg(l, { color: l.trimStart().startsWith("-->") ? "blue" : undefined })]);
  }
  if (f.hint) {
    lines.push([]);
    lines.push(...wrap(`help: ${f.hint}`, width).map((l) => [seg(l, { color: "green" })]));
  }
  if (f.vms.length) {
    lines.push([]);
    lines.push(...wrap(`VMs (${f.vms.length}): ${f.vms.join(", ")}`, width).map((l) => [seg(l, { dim: true })]));
  }
  return <Lines lines={lines} width={width} height={height} />;
}
