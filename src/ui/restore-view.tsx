// View 5, Restore: how each restore plan spreads its VMs over its storage accounts (by the
// plan's rule), each account's effective rate and predicted time, and what the rule cannot
// satisfy. Accounts restore at once, so the slowest decides the plan's time.
import React from "react";
import type { RestoreAssignment } from "../plan/index.js";
import { formatDuration } from "../plan/time.js";
import type { Analysis } from "./analysis.js";
import { Lines, seg, type Line } from "./screen-lines.js";
import { fit, plural } from "./text-cells.js";

function restoreLines(r: RestoreAssignment): Line[] {
  const rule = r.spec.spread.kind === "max-disks" ? `at most ${r.spec.spread.max} disks per account` : "one VM per account";
  const point = r.spec.point.kind === "id" ? r.spec.point.id : r.spec.point.kind === "time" ? r.spec.point.iso : r.spec.point.kind;
  const out: Line[] = [
    [seg(`restore "${r.spec.name}"`, { bold: true }), seg(` · ${plural(r.spec.vms.length, "VM")} · point ${point} · ${rule} · `), seg(`about ${formatDuration(r.seconds)}`, { bold: true })],
  ];
  const nameWidth = Math.min(20, Math.max(7, ...r.accounts.map((a) => a.account.name.length)));
  out.push([seg(`  ${fit("account", nameWidth)}  ${fit("rate", 11, "right")}  ${fit("disks", 5, "right")}  ${fit("data", 9, "right")}  ${fit("time", 9, "right")}  VMs`, { dim: true })]);
  const slowest = Math.max(...r.accounts.map((a) => a.seconds));
  for (const a of r.accounts) {
    const time = Number.isFinite(a.seconds) ? formatDuration(a.seconds) : "never";
    out.push([
      seg(`  ${fit(a.account.name, nameWidth)}  ${fit(`${(a.rate / 1e6).toFixed(1)} MB/s`, 11, "right")}  ${fit(String(a.disks), 5, "right")}  ${fit(`${(a.bytes / 1e9).toFixed(1)} GB`, 9, "right")}  `),
      seg(fit(time, 9, "right"), a.seconds === slowest && r.accounts.length > 1 ? { bold: true } : {}),
      seg(`  ${a.vms.map((v) => v.vm.name).join(", ") || "-"}`),
    ]);
    out.push([seg(`  ${" ".repeat(nameWidth)}  ${a.rateBasis}`, { dim: true })]);
  }
  for (const v of r.violations) out.push([seg(`  ! ${v.message}`, { color: v.kind === "shared-account" ? "yellow" : "red" })]);
  if (!r.accounts.length && !r.violations.length) out.push([seg("  no storage accounts to restore into", { color: "red" })]);
  return out;
}

export function RestoreView({ analysis: a, scroll, width, height }: { analysis: Analysis; scroll: number; width: number; height: number }): React.JSX.Element {
  const restores = a.plan.plan.restores;
  if (!restores.length) {
    return <Lines lines={[[seg("no restore plans", { bold: true })], [seg('add a restore block to see how its VMs spread over storage accounts, e.g.', { dim: true })], [seg('  restore "dr" { vms all  into "sa-1", "sa-2"  spread one-vm-per-account }', { dim: true })]]} width={width} height={height} />;
  }
  const all: Line[] = [];
  restores.forEach((r, i) => {
    if (i) all.push([]);
    all.push(...restoreLines(r));
  });
  const start = Math.max(0, Math.min(scroll, all.length - height));
  return <Lines lines={all.slice(start, start + height)} width={width} height={height} />;
}
