// Views draw themselves as lines of styled segments, cut to the terminal's width here: the
// layout is a grid of fixed-width cells, which is what a table of 500 VMs needs, and it keeps
// each frame to one Text per line.
import { Box, Text } from "ink";
import React from "react";

export interface Seg {
  text: string;
  color?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

export type Line = Seg[];

export const seg = (text: string, style: Omit<Seg, "text"> = {}): Seg => ({ text, ...style });

const sameStyle = (a: Seg, b: Seg) => a.color === b.color && a.bg === b.bg && a.bold === b.bold && a.dim === b.dim && a.inverse === b.inverse;

/** A line cut to `width` columns, neighbouring segments of one style joined (fewer nodes to draw). */
export function clip(line: Line, width: number): Line {
  const out: Line = [];
  let left = width;
  for (const s of line) {
    if (left <= 0) break;
    const text = s.text.length > left ? s.text.slice(0, left) : s.text;
    left -= text.length;
    const last = out[out.length - 1];
    if (last && sameStyle(last, s)) last.text += text;
    else out.push({ ...s, text });
  }
  return out;
}

export const lineText = (line: Line) => line.map((s) => s.text).join("");

/** NO_COLOR (no-color.org) turns colours off; bold, dim and inverse stay (they carry no hue). */
const colours = () => !process.env.NO_COLOR;

/** Exactly `height` lines of at most `width` columns (short views are padded with blank lines). */
export function Lines({ lines, width, height }: { lines: Line[]; width: number; height: number }): React.JSX.Element {
  const rows: Line[] = lines.slice(0, height);
  while (rows.length < height) rows.push([]);
  const hue = colours();
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.map((l, i) => (
        <Text key={i} wrap="truncate">
          {l.length ? clip(l, width).map((s, j) => (
            <Text key={j} color={hue ? s.color : undefined} backgroundColor={hue ? s.bg : undefined} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
              {s.text}
            </Text>
          )) : " "}
        </Text>
      ))}
    </Box>
  );
}
