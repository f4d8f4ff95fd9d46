// View 2, Timeline: one day of 24 hours per VM, in the VM's policy zone. Each backup job is a
// bar as long as its predicted duration; a job that runs into the VM's next backup and a job
// over 24 hours stand out; peak hours (the `assume peak-hours`, when snapshots wait for the
// vault) are shaded. Per vault (v), the bars add up into how many jobs run at once (UTC).
import React from "react";
import { civilFromDays, clockFor, daysFromCivil, isoDate, parseIsoDate, type ZoneClock } from "../plan/time.js";
import type { Analysis } from "./analysis.js";
import { Lines, seg, type Line, type Seg } from "./screen-lines.js";
import { useScroll } from "./scroll.js";
import { fit } from "./text-cells.js";

const DAY_S = 86_400;
/** What a column of a VM's day shows; a higher value wins where jobs meet. */
const Cell = { Free: 0, Job: 1, Overlap: 2, Long: 3 } as const;
type Cell = (typeof Cell)[keyof typeof Cell];
const GLYPH: Record<Cell, string> = { 0: " ", 1: "█", 2: "▒", 3: "▓" };
const COLOR: Record<Cell, string | undefined> = { 0: undefined, 1: "green", 2: "yellow", 3: "red" };
const LEVELS = " ▁▂▃▄▅▆▇█";

const hhmm = (t: { hour: number; minute: number }) => `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;

/** The instants a local day of the horizon starts and ends in a zone. */
function dayWindow(a: Analysis, clock: ZoneClock, day: number): [number, number] {
  const from = parseIsoDate(a.plan.plan.from)!;
  const first = daysFromCivil(from.year, from.month, from.day) + day;
  return [clock.startOfDay(civilFromDays(first)), clock.startOfDay(civilFromDays(first + 1))];
}

/** Which columns of a day fall in peak hours, read on the zone's wall clock. */
function peakColumns(a: Analysis, clock: ZoneClock, w0: number, w1: number, width: number): boolean[] {
  const p = a.model.assumptions.peakHours;
  const from = p.from.hour * 60 + p.from.minute;
  const to = p.to.hour * 60 + p.to.minute;
  return Array.from({ length: width }, (_, c) => {
    const w = clock.wall(w0 + ((c + 0.5) * (w1 - w0)) / width);
    const m = w.hour * 60 + w.minute;
    return from === to ? false : from < to ? m >= from && m < to : m >= from || m < to;
  });
}

function vmCells(a: Analysis, name: string, w0: number, w1: number, width: number): Cell[] {
  const cells: Cell[] = new Array(width).fill(Cell.Free);
  const jobs = a.jobsOf.get(name) ?? [];
  const span = w1 - w0;
  jobs.forEach((i, k) => {
    const job = a.plan.plan.jobs[i];
    const dur = a.plan.timings[i].durationSeconds;
    const s = job.run.ms;
    const e = s + dur * 1000;
    if (e <= w0 || s >= w1) return;
    const nextStart = k + 1 < jobs.length ? a.plan.plan.jobs[jobs[k + 1]].run.ms : Number.isNaN(job.run.nextGapMs) ? Infinity : s + job.run.nextGapMs;
    const kind: Cell = dur > DAY_S ? Cell.Long : e > nextStart ? Cell.Overlap : Cell.Job;
    const c0 = Math.max(0, Math.floor(((Math.max(s, w0) - w0) / span) * width));
    const c1 = Math.min(width - 1, Math.max(c0, Math.ceil(((Math.min(e, w1) - w0) / span) * width) - 1));
    for (let c = c0; c <= c1; c++) if (kind > cells[c]) cells[c] = kind;
  });
  return cells;
}

function chartSegs(cells: Cell[], peak: boolean[]): Seg[] {
  const out: Seg[] = [];
  for (let c = 0; c < cells.length; c++) {
    const k = cells[c];
    const text = k === Cell.Free && peak[c] ? "░" : GLYPH[k];
    const style = k === Cell.Free ? { dim: true } : { color: COLOR[k] };
    const last = out[out.length - 1];
    if (last && last.color === style.color && last.dim === (style as { dim?: boolean }).dim) last.text += text;
    else out.push({ text, ...style });
  }
  return out;
}

function ruler(width: number): string {
  const chars = new Array(width).fill(" ");
  const every = width >= 96 ? 2 : width >= 48 ? 3 : 6;
  for (let h = 0; h < 24; h += every) {
    const col = Math.floor((h * width) / 24);
    const label = String(h).padStart(2, "0");
    for (let i = 0; i < label.length && col + i < width; i++) chars[col + i] = label[i];
  }
  return chars.join("");
}

export function TimelineView(props: { analysis: Analysis; selected: number; day: number; perVault: boolean; width: number; height: number }): React.JSX.Element {
  const { analysis: a, selected, day, perVault, width, height } = props;
  const from = parseIsoDate(a.plan.plan.from)!;
  const date = isoDate(civilFromDays(daysFromCivil(from.year, from.month, from.day) + day));
  const p = a.model.assumptions.peakHours;
  const names = perVault ? [...a.model.vaults.keys()].sort() : a.rows.map((r) => r.vm.name);
  const labelWidth = Math.min(18, Math.max(6, ...names.map((n) => n.length)));
  // Per vault, the most jobs at once follows each row.
  const chartWidth = Math.max(12, width - labelWidth - 1 - (perVault ? 5 : 0));
  const visible = Math.max(1, height - 3);
  const start = useScroll(perVault ? 0 : selected, names.length, visible);
  const lines: Line[] = [
    [seg(`day ${day + 1} of ${a.plan.plan.days}: ${date}`, { bold: true }), seg(perVault ? " · jobs running at once per vault, UTC" : " · 24 h in each VM's policy zone", { dim: true }), seg(" · [ ] day · v per " + (perVault ? "VM" : "vault"), { dim: true })],
    [seg(" ".repeat(labelWidth + 1) + ruler(chartWidth), { dim: true })],
  ];
  if (perVault) {
    const utc = clockFor("UTC");
    const [w0, w1] = dayWindow(a, utc, day);
    const counts = names.map(() => new Array<number>(chartWidth).fill(0));
    const vaultRow = new Map(names.map((n, i) => [n, i]));
    for (const r of a.rows) {
      const row = counts[vaultRow.get(r.vm.vault.name)!];
      vmCells(a, r.vm.name, w0, w1, chartWidth).forEach((c, i) => {
        if (c !== Cell.Free) row[i]++;
      });
    }
    const max = Math.max(1, ...counts.flat());
    const limit = a.model.assumptions.congestionVms;
    for (let i = start; i < Math.min(names.length, start + visible); i++) {
      const peakMax = Math.max(...counts[i]);
      const bars: Seg[] = counts[i].map((n) => ({ text: LEVELS[n ? Math.max(1, Math.round((n / max) * 8)) : 0], color: n > limit ? "red" : "green" }));
      lines.push([seg(fit(names[i], labelWidth) + " "), ...bars, seg(` ${peakMax}`, { dim: true })]);
    }
  } else {
    for (let i = start; i < Math.min(names.length, start + visible); i++) {
      const r = a.rows[i];
      const pr = a.plan.plan.policies.get(r.vm.policy.name);
      const clock = pr?.clock ?? clockFor(r.vm.policy.zone);
      const [w0, w1] = dayWindow(a, clock, day);
      const cells = vmCells(a, r.vm.name, w0, w1, chartWidth);
      lines.push([seg(fit(r.vm.name, labelWidth), i === selected ? { inverse: true } : {}), seg(" "), ...chartSegs(cells, peakColumns(a, clock, w0, w1, chartWidth))]);
    }
  }
  while (lines.length < visible + 2) lines.push([]);
  if (perVault) {
    lines.push([seg(LEVELS.slice(1), { color: "green" }), seg(" jobs running at once, relative to the busiest time; the number: the most at once", { dim: true })]);
    return <Lines lines={lines} width={width} height={height} />;
  }
  lines.push([
    seg("█ backup", { color: "green" }),
    seg("  "),
    seg("▒ runs into its next backup", { color: "yellow" }),
    seg("  "),
    seg("▓ over 24 h", { color: "red" }),
    seg(`  ░ peak hours ${hhmm(p.from)}–${hhmm(p.to)}`, { dim: true }),
  ]);
  return <Lines lines={lines} width={width} height={height} />;
}
