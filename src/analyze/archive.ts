// Archive tiering of a policy, in words and numbers (docs/domain.md#archive): shared by
// `bkp plan` (what happens to the points) and the lint rule archive-never-reached.
import type { Policy } from "../model/model.js";

/** Months, as a fraction for days and weeks (a month of 30.4375 days). */
function months(count: number, unit: "day" | "week" | "month" | "year"): number {
  return unit === "year" ? count * 12 : unit === "month" ? count : (count * (unit === "week" ? 7 : 1)) / 30.4375;
}

/** The age at which the first point could move, and the longest monthly/yearly retention (months). */
export function archiveReach(p: Policy): { moveAt: number; kept: number } | undefined {
  if (!p.archiveAfter && !p.archiveRecommended) return undefined;
  // Azure moves a monthly or yearly point after >= 3 months in the standard tier, and only with
  // >= 6 months of retention left.
  const moveAt = Math.max(3, p.archiveAfter ? months(p.archiveAfter.count, p.archiveAfter.unit) : 3);
  const kept = Math.max(p.retention.monthly?.months ?? 0, (p.retention.yearly?.years ?? 0) * 12);
  return { moveAt, kept };
}

/** Whether no point of the policy can ever qualify (retention too short for the archive age). */
export function archiveNeverReached(p: Policy): boolean {
  const r = archiveReach(p);
  return r !== undefined && r.kept > 0 && r.kept < r.moveAt + 6;
}

export const fmtMonths = (m: number) => (Number.isInteger(m) ? String(m) : m.toFixed(1));

/** The policy's tiering for `bkp plan`: its mode and one sentence, or undefined without an archive line. */
export function archivePlan(p: Policy): { mode: "after" | "recommended" | "never"; text: string } | undefined {
  if (p.archiveNever) return { mode: "never", text: "no point moves to the archive tier (archive never)" };
  const r = archiveReach(p);
  if (!r) return undefined;
  const mode = p.archiveAfter ? "after" : "recommended";
  if (archiveNeverReached(p)) return { mode, text: `no point ever moves: monthly and yearly points are kept ${fmtMonths(r.kept)} months, under the ${fmtMonths(r.moveAt)} months in the standard tier + 6 months left that a move needs` };
  if (mode === "recommended") return { mode, text: "Azure moves the monthly and yearly points whose move saves cost (at least 3 months old, at least 6 months left)" };
  return { mode, text: `monthly and yearly points move to the archive tier at ${fmtMonths(r.moveAt)} months old if at least 6 months of their retention remain; then full copies at the archive price` };
}
