// `?`: every key of the session, from the key table.
import React from "react";
import { KEY_HELP } from "./keymap.js";
import { Lines, seg, type Line } from "./screen-lines.js";
import { fit } from "./text-cells.js";

export function HelpPanel({ width, height }: { width: number; height: number }): React.JSX.Element {
  const w = Math.max(...KEY_HELP.map((k) => k.keys.length));
  const lines: Line[] = [[seg("keys", { bold: true }), seg("  (Esc or ? closes)", { dim: true })], []];
  for (const k of KEY_HELP) lines.push([seg(`  ${fit(k.keys, w)}  `, { bold: true }), seg(k.what)]);
  lines.push([]);
  lines.push([seg("Edits change the .bkp text in memory: policy values apply to every VM of the policy,", { dim: true })]);
  lines.push([seg("redundancy to every VM of the vault. Nothing is written until w and y.", { dim: true })]);
  return <Lines lines={lines} width={width} height={height} />;
}
