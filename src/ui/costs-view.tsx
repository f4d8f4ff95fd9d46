// View 4, Costs: the bill per VM and per vault for the headline month, the month-by-month
// projection as retention fills up (a bar chart), and what the last change did (+/-).
import type Decimal from "decimal.js";
import React, { useMemo } from "react";
import type { CostReport } from "../analyze/index.js";
import type { Analysis } from "./analysis.js";
import { Lines, seg, type Line, type Seg } from "./screen-lines.js";
import { useScroll } from "./scroll.js";
import { centsDelta } from "./session.js";
import type { Change } from "./session.js";
import { layoutTable, tableRow, type ColumnSpec } from "./table-layout.js";
import { amount, fit, plural, sizeText } from "./text-cells.js";

const LEVELS = " ▁▂▃▄▅▆▇█";

const SPECS: ColumnSpec[] = [
  { header: "VM", align: "left", min: 8, want: 20, drop: 0 },
  { header: "vault", align: "left", min: 5, want: 12, drop: 3 },
  { header: "PI size", short: "PI", align: "right", drop: 4 },
  { header: "PI fee", align: "right", drop: 2 },
  { header: "storage", align: "right", drop: 5 },
  { header: "stor. fee", short: "stor.", align: "right", drop: 1 },
  { header: "snap. fee", short: "snap.", align: "right", drop: 1 },
  { header: "total", align: "right", drop: 0 },
  { header: "change", align: "right", drop: 0 },
];

function deltaSeg(before: Decimal | undefined, after: Decimal): Seg {
  if (!before) return seg("");
  const d = centsDelta(before, after);
  if (d === "+0.00" || d === "−0.00") return seg("");
  return seg(d, { color: d.startsWith("+") ? "red" : "green" });
}

/** A bar chart of monthly totals: `rows` lines of eighth blocks, y labels on the left. */
export function projectionChart(values: number[], width: number, rows: number): Line[] {
  const labelWidth = 10;
  const w = Math.max(4, width - labelWidth - 1);
  const max = Math.max(0, ...values);
  const n = values.length;
  const per = n <= w ? Math.max(1, Math.floor(w / n)) : 1;
  const cols = n <= w ? n * per : w;
  const valueAt = (c: number) => (n <= w ? values[Math.floor(c / per)] : values[Math.floor((c * n) / w)]);
  const gapAt = (c: number) => n <= w && per >= 3 && c % per === per - 1;
  const out: Line[] = [];
  for (let r = 0; r < rows; r++) {
    let bar = "";
    for (let c = 0; c < cols; c++) {
      if (gapAt(c)) {
        bar += " ";
        continue;
      }
      const h = max > 0 ? Math.round((valueAt(c) / max) * rows * 8) : 0;
      bar += LEVELS[Math.max(0, Math.min(8, h - (rows - 1 - r) * 8))];
    }
    const label = r === 0 ? amount_(max) : r === rows - 1 ? "0" : "";
    out.push([seg(fit(label, labelWidth, "right") + " ", { dim: true }), seg(bar, { color: "cyan" })]);
  }
  return out;
}
const amount_ = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function CostsView(props: { analysis: Analysis; change?: Change; selected: number; width: number; height: number }): React.JSX.Element {
  if (!props.analysis.cost) return <Lines lines={[[seg("computing the bill…", { dim: true })]]} width={props.width} height={props.height} />;
  return <Bill {...props} cost={props.analysis.cost} />;
}

function Bill(props: { cost: CostReport; change?: Change; selected: number; width: number; height: number }): React.JSX.Element {
  const { cost: c, change, selected, width, height } = props;
  const before = change?.before;
  const table = useMemo(() => {
    const prev = new Map(before?.vms.map((v) => [v.vm.name, v.monthlyTotal]));
    const rows = c.vms.map((v) => [v.vm.name, v.vault.name, sizeText(v.protectedInstanceGB, v.book.unit), amount(v.instanceFee), sizeText(v.storageGB, v.book.unit), amount(v.storageFee), amount(v.snapshotFee.add(v.archiveFee)), amount(v.monthlyTotal), deltaSeg(prev.get(v.vm.name), v.monthlyTotal).text]);
    const deltas = c.vms.map((v) => deltaSeg(prev.get(v.vm.name), v.monthlyTotal));
    return { rows, deltas };
  }, [c, before]);
  const layout = layoutTable(SPECS, table.rows, undefined, width);

  const chartRows = Math.max(3, Math.min(8, Math.floor(height / 4)));
  const vaultLines = Math.min(c.vaults.length, 3) + (c.vaults.length > 3 ? 1 : 0);
  // Title, table header, the rows, vault lines, chart title, chart, total line.
  const fixed = 2 + vaultLines + 1 + chartRows + 1;
  const visible = Math.max(1, height - fixed);
  const start = useScroll(selected, table.rows.length, visible);

  const lines: Line[] = [[seg(`bill for ${c.month}`, { bold: true }), seg(`, month ${c.months} of the projection from ${c.from.slice(0, 7)} (retention fills up) · ${c.currency}`, { dim: true })]];
  lines.push(tableRow(SPECS, layout, layout.headers, { bold: true }));
  for (let i = start; i < Math.min(table.rows.length, start + visible); i++) {
    const cells: (string | Seg)[] = [...table.rows[i]];
    cells[8] = table.deltas[i];
    lines.push(tableRow(SPECS, layout, cells, i === selected ? { inverse: true } : {}));
  }
  while (lines.length < visible + 2) lines.push([]);
  const prevVault = new Map(before?.vaults.map((v) => [v.vault.name, v.monthlyTotal]));
  for (const v of c.vaults.slice(0, 3)) {
    const d = deltaSeg(prevVault.get(v.vault.name), v.monthlyTotal);
    lines.push([seg(`vault "${v.vault.name}" ${v.vault.redundancy} · ${plural(v.vms, "VM")} · `), seg(`${amount(v.monthlyTotal)} ${v.currency}/month`, { bold: true }), ...(d.text ? [seg(" "), d] : [])]);
  }
  if (c.vaults.length > 3) lines.push([seg(`… and ${c.vaults.length - 3} more vaults`, { dim: true })]);
  const first = c.projection[0]?.month ?? "";
  lines.push([seg(`projection, ${c.currency}/month: ${first} … ${c.month}`, { bold: true })]);
  lines.push(...projectionChart(c.projection.map((m) => m.total.toNumber()), width, chartRows));
  const total = deltaSeg(before?.monthlyTotal, c.monthlyTotal);
  lines.push([
    seg(`total ${amount(c.monthlyTotal)} ${c.currency}/month in ${c.month}`, { bold: true }),
    ...c.otherCurrencies.map((o) => seg(` + ${amount(o.monthlyTotal)} ${o.currency}`, { bold: true })),
    ...(change ? [seg(` · last change: ${change.label} `, { dim: true }), total.text ? total : seg("±0.00", { dim: true })] : []),
  ]);
  return <Lines lines={lines} width={width} height={height} />;
}
