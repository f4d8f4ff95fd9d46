// View 1, Overview: one row per VM — policy, protected-instance size and units, monthly cost,
// next backup in the policy's zone, its predicted duration, the consistency it will really
// get, the worst risk — then the totals and a line about the selected VM.
import Decimal from "decimal.js";
import React, { useMemo } from "react";
import { shortLocal } from "../plan/time.js";
import type { Analysis, VmRow } from "./analysis.js";
import { Lines, seg, type Line, type Seg } from "./screen-lines.js";
import { useScroll } from "./scroll.js";
import { layoutTable, tableRow, type ColumnSpec } from "./table-layout.js";
import { amount, plural, SEVERITY_COLOR, SEVERITY_LETTER, shortDuration, sizeText, wrap } from "./text-cells.js";

const SHORT_LEVEL = { application: "app", "file-system": "fs", crash: "crash" } as const;

export function nextText(a: Analysis, r: VmRow): string {
  if (r.next === undefined) return "-";
  const job = a.plan.plan.jobs[r.next];
  const pr = a.plan.plan.policies.get(r.vm.policy.name);
  return pr ? shortLocal(pr.clock, job.run.ms).slice(5) : job.run.local.slice(5, 16).replace("T", " ");
}

function cells(a: Analysis, r: VmRow): string[] {
  const c = r.cost;
  const t = r.next !== undefined ? a.plan.timings[r.next] : undefined;
  return [
    r.vm.name,
    r.vm.policy.name,
    c ? sizeText(c.protectedInstanceGB, c.book.unit) : "…",
    c ? c.instanceUnits.toDecimalPlaces(2).toString() : "…",
    c ? amount(c.monthlyTotal) : "…",
    nextText(a, r),
    t ? shortDuration(t.durationSeconds) : "-",
    r.consistency.level,
    r.worst ? `${SEVERITY_LETTER[r.worst.severity]} ${r.worst.code}` : "-",
  ];
}

const SPECS: ColumnSpec[] = [
  { header: "VM", align: "left", min: 8, want: 20, drop: 0 },
  { header: "policy", align: "left", min: 6, want: 14, drop: 4 },
  { header: "PI size", short: "PI", align: "right", drop: 0 },
  { header: "PIs", align: "right", drop: 5 },
  { header: "/month", align: "right", drop: 0 },
  { header: "next backup", short: "next", align: "left", drop: 2 },
  { header: "takes", align: "right", drop: 3 },
  { header: "consistency", short: "cons.", align: "left", drop: 6 },
  { header: "risk", align: "left", drop: 1 },
];

export function OverviewView({ analysis: a, selected, width, height }: { analysis: Analysis; selected: number; width: number; height: number }): React.JSX.Element {
  // Until the bill is computed (just after the first frame), its cells show "…".
  const cur = a.cost?.currency ?? "";
  const unit = a.cost?.vms[0]?.book.unit ?? "GB";
  const table = useMemo(() => {
    let pi = new Decimal(0);
    let units = new Decimal(0);
    for (const c of a.cost?.vms ?? []) {
      pi = pi.add(c.protectedInstanceGB);
      units = units.add(c.instanceUnits);
    }
    const n = (s: string) => a.findings.filter((f) => f.severity === s).length;
    const billed = (x: () => string) => (a.cost ? x() : "…");
    const total = ["total", plural(a.rows.length, "VM"), billed(() => sizeText(pi, unit)), billed(() => units.toDecimalPlaces(2).toString()), billed(() => amount(a.cost!.monthlyTotal)), "", "", "", `${n("error")}E ${n("warning")}W ${n("info")}i`];
    const long = [...a.rows.map((r) => cells(a, r)), total];
    // The short form differs only in the consistency column.
    const short = long.map((c, i) => (i < a.rows.length ? Object.assign([...c], { 7: SHORT_LEVEL[a.rows[i].consistency.level] }) : c));
    return { long, short };
  }, [a, unit]);
  const specs = SPECS.map((x, i) => (i === 4 ? { ...x, header: `${cur}/month`.replace(/^\//, "per month"), short: cur || "/mo" } : x));
  const layout = layoutTable(specs, table.long, table.short, width);
  const rows = layout.short ? table.short : table.long;
  const count = a.rows.length;
  const visible = Math.max(1, height - 4);
  const start = useScroll(selected, count, visible);
  const lines: Line[] = [tableRow(specs, layout, layout.headers, { bold: true })];
  for (let i = start; i < Math.min(count, start + visible); i++) {
    const r = a.rows[i];
    const cellsOf: (string | Seg)[] = [...rows[i]];
    if (r.worst) cellsOf[8] = seg(rows[i][8], { color: SEVERITY_COLOR[r.worst.severity] });
    lines.push(tableRow(specs, layout, cellsOf, i === selected ? { inverse: true } : {}));
  }
  while (lines.length < visible + 1) lines.push([]);
  lines.push(tableRow(specs, layout, rows[count], { bold: true }));
  lines.push(...detail(a, a.rows[selected], width));
  return <Lines lines={lines} width={width} height={height} />;
}

/** Two lines about the selected VM: where and when it is backed up next, and its consistency. */
function detail(a: Analysis, r: VmRow | undefined, width: number): Line[] {
  if (!r) return [[seg("no VMs in this policy set", { dim: true })]];
  const parts = [`${r.vm.name}: policy "${r.vm.policy.name}" in ${r.vm.policy.zone}, vault "${r.vm.vault.name}" ${r.vm.vault.redundancy}`];
  if (r.next !== undefined) {
    const job = a.plan.plan.jobs[r.next];
    const t = a.plan.timings[r.next];
    parts.push(`next ${job.run.local.slice(0, 16).replace("T", " ")} ${job.kind}, ${shortDuration(t.durationSeconds)}${t.slowest ? ` (slowest disk ${t.slowest})` : ""}`);
  } else parts.push(a.plan.plan.vms.get(r.vm.name)?.noJobs ?? "no backup in the plan");
  parts.push(`${r.consistency.level}: ${r.consistency.reason}`);
  return wrap(parts.join(" · "), width).slice(0, 2).map((l) => [seg(l, { dim: true })]);
}
