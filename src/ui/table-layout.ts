// Fitting a table into the terminal's width. In order: the natural layout; short headers and
// cells (app for application); one space between columns; then the flexible column (names)
// gives way, and last, columns are dropped in order of importance — so 80 columns still show
// every column of a usual policy set, and a narrow terminal what matters most.
import type { Line, Seg } from "./screen-lines.js";
import { fit } from "./text-cells.js";

export interface ColumnSpec {
  header: string;
  /** The header when space is short. */
  short?: string;
  align: "left" | "right";
  /** Flexible column: kept at `want` while columns fit, shrunk down to `min` before any is dropped. */
  min?: number;
  want?: number;
  /** Columns with higher numbers are dropped first when the table does not fit; 0 never. */
  drop: number;
}

export interface Layout {
  headers: string[];
  /** The width of each column, 0 for a dropped one. */
  widths: number[];
  gap: number;
  /** Whether the short cells are used. */
  short: boolean;
}

function natural(specs: ColumnSpec[], rows: string[][], short: boolean): { headers: string[]; widths: number[] } {
  const headers = specs.map((s) => (short && s.short ? s.short : s.header));
  const widths = headers.map((h, i) => {
    let w = h.length;
    for (const r of rows) if (r[i].length > w) w = r[i].length;
    const want = specs[i].want;
    return want !== undefined ? Math.max(h.length, Math.min(w, want)) : w;
  });
  return { headers, widths };
}

const total = (widths: number[], gap: number) => {
  const shown = widths.filter((x) => x > 0);
  return shown.reduce((s, x) => s + x, 0) + gap * Math.max(0, shown.length - 1);
};

/** `rows` are the cells of every row in full; `shortRows` (same shape) where narrower forms exist. */
export function layoutTable(specs: ColumnSpec[], rows: string[][], shortRows: string[][] | undefined, width: number): Layout {
  const tries: { short: boolean; gap: number }[] = [
    { short: false, gap: 2 },
    { short: true, gap: 2 },
    { short: true, gap: 1 },
  ];
  for (const t of tries) {
    const n = natural(specs, t.short ? (shortRows ?? rows) : rows, t.short);
    if (total(n.widths, t.gap) <= width) return { ...n, ...t };
  }
  const short = true;
  const gap = 1;
  const { headers, widths: w } = natural(specs, shortRows ?? rows, short);
  for (;;) {
    let over = total(w, gap) - width;
    if (over <= 0) break;
    for (let i = 0; i < specs.length && over > 0; i++) {
      const min = specs[i].min;
      if (min === undefined || !w[i] || w[i] <= min) continue;
      const cut = Math.min(over, w[i] - min);
      w[i] -= cut;
      over -= cut;
    }
    if (over <= 0) break;
    let victim = -1;
    for (let i = 0; i < specs.length; i++) if (w[i] && specs[i].drop > 0 && (victim < 0 || specs[i].drop > specs[victim].drop)) victim = i;
    if (victim < 0) break;
    w[victim] = 0;
  }
  return { headers, widths: w, gap, short };
}

/** One table row as segments: cells in their columns, `base` style on all of it. */
export function tableRow(specs: ColumnSpec[], layout: Layout, cells: (string | Seg)[], base: Omit<Seg, "text"> = {}): Line {
  const out: Line = [];
  let first = true;
  cells.forEach((c, i) => {
    const w = layout.widths[i];
    if (!w) return;
    const cell: Seg = typeof c === "string" ? { text: c } : c;
    if (!first) out.push({ ...base, text: " ".repeat(layout.gap) });
    out.push({ ...base, ...cell, text: fit(cell.text, w, specs[i].align) });
    first = false;
  });
  return out;
}
