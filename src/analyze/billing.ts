// Billing (DOMAIN §6), with decimal.js for every price and billed quantity.
//
// Per VM and calendar month (days are local days in the VM's policy zone):
//   PI size       = used data of every disk except the temp disk and excluded disks
//   PI fee        = the price book's tier for that size (flat tiers, then `per` started block),
//                   × agentless-pi (0.5) for agentless crash-consistent VMs,
//                   × days protected / days in the month (prorated)
//   storage GB    = average over the month's days of the data held at each day's end:
//                   the used data (one full copy) + the churn of every other retained point
//                   (churn per day × days since the backup before it, at most the disk's used data)
//   archive GB    = archived points are full copies: used data each (when the book prices archive)
//   snapshot GB   = instant-restore days × daily churn, ramping up over the first days
// Lifecycle: nothing is billed before the first successful backup (protected-since, or the
// first scheduled run from --from); `stopped retain-data` keeps billing a full month at the
// last backup's size, with the points held at --from retained indefinitely and no snapshots;
// `stopped delete-data` bills nothing.
import Decimal from "decimal.js";
import type { Disk, Model, Policy, PriceBook, Vault, Vm } from "../model/model.js";
import { fatesMs, type RetentionSpec } from "../plan/retention.js";
import { expandSchedule } from "../plan/schedule.js";
import { addMonths, civilFromDays, clockFor, daysFromCivil, daysInMonth, isoDate, parseIsoDate, type CivilDate, type ZoneClock } from "../plan/time.js";
import { RISK_CODES } from "./codes.js";
import type { Risk } from "./risks.js";
import { compareText } from "../utils/compare.js";
import { softDeleteCharges, type SoftDeleteCharge } from "./soft-delete-billing.js";

export interface CostOptions {
  /** ISO date the projection starts; its month is the first projected month. */
  from: string;
  /** Calendar months projected. */
  months: number;
}

export interface InstancePrice {
  /** Protected instances billed (1 per flat tier, or one per started block; × agentless-pi). */
  units: Decimal;
  fee: Decimal;
  /** The tier, for people: "<= 50 GB", "per started 500 GB". */
  tier: string;
}

/** The billed quantities and fees of a month (DOMAIN §6), for a VM, a vault or the total. */
export interface Charges {
  instanceUnits: Decimal;
  instanceFee: Decimal;
  storageGB: Decimal;
  storageFee: Decimal;
  archiveGB: Decimal;
  archiveFee: Decimal;
  snapshotGB: Decimal;
  snapshotFee: Decimal;
}

export interface MonthCost extends Charges {
  /** `YYYY-MM`. */
  month: string;
  total: Decimal;
}

export type Lifecycle = "active" | "not-yet-protected" | "stopped-retain-data" | "stopped-delete-data";

export interface VmCost extends Charges {
  vm: Vm;
  vault: Vault;
  book: PriceBook;
  lifecycle: Lifecycle;
  /** Local date of the first successful backup, when known. */
  firstBackup?: string;
  /** Figures of the headline month (the projection's last). */
  protectedInstanceGB: Decimal;
  instanceTier: string;
  /** Days billed in the headline month, and its length. */
  daysBilled: number;
  daysInMonth: number;
  monthlyTotal: Decimal;
  /** Disks not billed and why (temp, excluded). */
  unbilledDisks: { name: string; reason: "temp" | "excluded" }[];
}

export interface VaultCost {
  vault: Vault;
  currency: string;
  vms: number;
  monthlyTotal: Decimal;
  projection: MonthCost[];
}

export interface CostReport {
  from: string;
  months: number;
  /** The headline month (`YYYY-MM`): the projection's last. */
  month: string;
  currency: string;
  monthlyTotal: Decimal;
  /** Totals in other currencies when price books disagree (see BKP3017). */
  otherCurrencies: { currency: string; monthlyTotal: Decimal }[];
  vms: VmCost[];
  vaults: VaultCost[];
  /** Overall projection (in `currency`). */
  projection: MonthCost[];
  notes: Risk[];
  /** One-off charges of soft-deleted data beyond the free 14 days (soft-delete-billing.ts). */
  softDelete: SoftDeleteCharge[];
}

const ZERO = new Decimal(0);
const DAY_MS = 86_400_000;

/** DOMAIN §6: flat tiers up to a size, then a fee per *started* block (501 GB = 2 × 500 GB). */
export function instancePrice(sizeUnits: Decimal, book: PriceBook, factor: Decimal = new Decimal(1)): InstancePrice {
  const unit = book.unit;
  for (const t of book.instanceTiers) {
    if (sizeUnits.lte(t.upTo)) return { units: factor, fee: t.fee.mul(factor), tier: `<= ${t.upTo.toString()} ${unit}` };
  }
  if (book.instancePer) {
    const n = Decimal.max(1, sizeUnits.div(book.instancePer.block).ceil());
    return { units: n.mul(factor), fee: n.mul(book.instancePer.fee).mul(factor), tier: `per started ${book.instancePer.block.toString()} ${unit}` };
  }
  const last = book.instanceTiers[book.instanceTiers.length - 1];
  return { units: factor, fee: (last?.fee ?? ZERO).mul(factor), tier: last ? `<= ${last.upTo.toString()} ${unit} (largest tier)` : "no instance fee" };
}

interface Month {
  label: string;
  /** Day index (from the projection's first day) of the month's first day. */
  first: number;
  days: number;
}

function monthsOf(start: CivilDate, n: number): Month[] {
  const out: Month[] = [];
  const base = daysFromCivil(start.year, start.month, 1);
  for (let i = 0; i < n; i++) {
    const m = addMonths({ year: start.year, month: start.month, day: 1 }, i);
    out.push({ label: `${m.year}-${String(m.month).padStart(2, "0")}`, first: daysFromCivil(m.year, m.month, 1) - base, days: daysInMonth(m.year, m.month) });
  }
  return out;
}

/** How a set of disks that start together is held in the vault, month by month (counts only). */
interface Occupancy {
  /** Gap lengths (ms) between a point and the backup before it; index = bucket. */
  gaps: number[];
  /** The same in days, exactly. */
  gapDays: Decimal[];
  /** Whether a bucket holds an increment in any month. */
  used: boolean[];
  /** Per month: day-ends with data held (the full copy counts). */
  heldDays: number[];
  /** Per month and gap bucket: Σ over day-ends of retained increments with that gap. */
  increments: number[][];
  /** Per month: Σ over day-ends of archived points. */
  archived: number[];
  /** Per month: Σ over days of snapshots held (min(instant-restore days, days since first backup)). */
  snapshotDays: number[];
}

/**
 * A policy's runs from the earliest first backup of its VMs to the projection's end, with each
 * run's fate as day indexes: computed once per policy and shared by all its VMs, whatever
 * their first backup (a run's fate does not depend on when a VM started).
 */
interface Timeline {
  runs: number[];
  expires: Float64Array;
  archiveAt: Float64Array;
  /** Gap bucket of each run (gap to the run before it); bucket 0 is "first backup". */
  bucket: Int32Array;
  gaps: number[];
  /** Day index of the first day-end holding the run, the first not holding it, the first with it archived. */
  k0: Int32Array;
  kEnd: Int32Array;
  kArch: Int32Array;
  /** Day-end instants (local midnight after each projection day). */
  sample: Float64Array;
  nDays: number;
}

function timeline(policy: Policy, archive: boolean, runs: number[], sample: Float64Array, clock: ZoneClock, projStartDay: number): Timeline {
  const nDays = sample.length;
  const spec: RetentionSpec = { retention: policy.retention, zone: policy.zone, instantRestoreDays: policy.instantRestoreDays, archiveAfter: archive ? policy.archiveAfter : undefined };
  const f = fatesMs(runs, spec);
  const gaps: number[] = [-1];
  const bucketOf = new Map<number, number>([[-1, 0]]);
  const n = runs.length;
  const t: Timeline = { runs, expires: f.expires, archiveAt: f.archiveAt, bucket: new Int32Array(n), gaps, k0: new Int32Array(n), kEnd: new Int32Array(n), kArch: new Int32Array(n), sample, nDays };
  const dayOf = (ms: number) => clock.wall(ms).days - projStartDay;
  // Index of the first day-end at or after `ms`: a day-end holds a point while sample < expiry.
  const endIndex = (ms: number) => {
    const d = dayOf(ms);
    return d >= 1 && d - 1 < nDays && sample[d - 1] === ms ? d - 1 : d;
  };
  const clamp = (k: number) => Math.max(0, Math.min(nDays, k));
  for (let i = 0; i < n; i++) {
    const gap = i ? runs[i] - runs[i - 1] : -1;
    let b = bucketOf.get(gap);
    if (b === undefined) {
      bucketOf.set(gap, (b = gaps.length));
      gaps.push(gap);
    }
    t.bucket[i] = b;
    t.k0[i] = clamp(dayOf(runs[i]));
    t.kEnd[i] = Math.max(t.k0[i], clamp(endIndex(f.expires[i])));
    t.kArch[i] = Number.isNaN(f.archiveAt[i]) ? t.kEnd[i] : Math.max(t.k0[i], Math.min(t.kEnd[i], clamp(endIndex(f.archiveAt[i]))));
  }
  return t;
}

/** How the disks of VMs whose first backup is run `startIdx` are held, month by month (counts only). */
function occupancy(t: Timeline, startIdx: number, frozenAt: number | undefined, firstDay: number, instantRestoreDays: number, months: Month[]): Occupancy {
  const { nDays, gaps, runs } = t;
  const bucketOf = (i: number) => (i === startIdx ? 0 : t.bucket[i]);
  const std = gaps.map(() => new Int32Array(nDays + 1));
  const arch = new Int32Array(nDays + 1);
  const held = new Int32Array(nDays + 1);
  if (frozenAt !== undefined) {
    // Points held when protection stopped are kept as they are (Azure's "retain forever").
    let first = -1;
    const counts = gaps.map(() => 0);
    let archived = 0;
    for (let i = startIdx; i < runs.length && runs[i] < frozenAt; i++) {
      if (t.expires[i] <= frozenAt) continue;
      if (!Number.isNaN(t.archiveAt[i]) && t.archiveAt[i] <= frozenAt) archived++;
      else if (first < 0) first = i;
      else counts[bucketOf(i)]++;
    }
    // Whatever its history, a VM stopped with its data retained holds at least its last
    // backup: one full copy, every day.
    held[0] += 1;
    held[nDays] -= 1;
    counts.forEach((c, b) => {
      std[b][0] += c;
      std[b][nDays] -= c;
    });
    arch[0] += archived;
    arch[nDays] -= archived;
  } else {
    for (let i = startIdx; i < runs.length; i++) {
      const b = bucketOf(i);
      std[b][t.k0[i]]++;
      std[b][t.kArch[i]]--;
      arch[t.kArch[i]]++;
      arch[t.kEnd[i]]--;
    }
    // The oldest point still in the standard tier carries the full copy, not an increment.
    let lo = startIdx;
    for (let k = 0; k < nDays; k++) {
      while (lo < runs.length && t.kEnd[lo] <= k) lo++;
      for (let i = lo; i < runs.length && t.k0[i] <= k; i++) {
        if (t.kEnd[i] <= k || t.kArch[i] <= k) continue;
        held[k]++;
        held[k + 1]--;
        std[bucketOf(i)][k]--;
        std[bucketOf(i)][k + 1]++;
        break;
      }
    }
  }
  const perDay = (diff: Int32Array) => {
    const out = new Int32Array(nDays);
    let c = 0;
    for (let k = 0; k < nDays; k++) out[k] = c += diff[k];
    return out;
  };
  const stdDays = std.map(perDay);
  const archDays = perDay(arch);
  const heldDays = perDay(held);
  const out: Occupancy = { gaps, gapDays: gaps.map((g) => (g < 0 ? ZERO : new Decimal(g).div(DAY_MS))), used: gaps.map(() => false), heldDays: [], increments: [], archived: [], snapshotDays: [] };
  for (const m of months) {
    let h = 0;
    let archived = 0;
    let snapshotDays = 0;
    const inc = gaps.map(() => 0);
    for (let k = m.first; k < m.first + m.days; k++) {
      if (heldDays[k] > 0) h++;
      archived += archDays[k];
      for (let b = 0; b < gaps.length; b++) inc[b] += stdDays[b][k];
      // Up to n+1 snapshots exist (DOMAIN §6); bkp counts instant-restore days of churn, ramping up from the first backup.
      if (frozenAt === undefined && k >= firstDay) snapshotDays += Math.min(instantRestoreDays, k - firstDay + 1);
    }
    out.heldDays.push(h);
    out.archived.push(archived);
    out.increments.push(inc);
    inc.forEach((x, b) => (out.used[b] ||= x !== 0));
    out.snapshotDays.push(snapshotDays);
  }
  return out;
}

/** Disks that start being backed up together, and their sums. */
interface DiskSet {
  occ: Occupancy;
  disks: Disk[];
  used: Decimal;
  churn: Decimal;
  /** Per gap bucket: Σ min(churn × gap, used) over the disks. */
  inc: Decimal[];
}


function diskSet(occ: Occupancy, disks: Disk[]): DiskSet {
  let used = ZERO;
  let churn = ZERO;
  for (const d of disks) {
    used = used.add(d.usedBytes);
    churn = churn.add(d.churnBytesPerDay);
  }
  const inc: Decimal[] = [];
  for (let b = 0; b < occ.gaps.length; b++) {
    let sum = ZERO;
    // Buckets that hold no increment in any month (the first backup's) need no bytes.
    if (occ.used[b]) for (const d of disks) sum = sum.add(Decimal.min(d.churnBytesPerDay.mul(occ.gapDays[b]), d.usedBytes));
    inc.push(sum);
  }
  return { occ, disks, used, churn, inc };
}

interface Bytes {
  /** Byte-days held in the standard tier, archive tier and as snapshots. */
  standard: Decimal;
  archive: Decimal;
  snapshot: Decimal;
}

function monthBytes(sets: DiskSet[], m: number): Bytes {
  let standard = ZERO;
  let archive = ZERO;
  let snapshot = ZERO;
  for (const s of sets) {
    const o = s.occ;
    if (o.heldDays[m]) standard = standard.add(s.used.mul(o.heldDays[m]));
    const inc = o.increments[m];
    for (let b = 0; b < inc.length; b++) if (inc[b]) standard = standard.add(s.inc[b].mul(inc[b]));
    if (o.archived[m]) archive = archive.add(s.used.mul(o.archived[m]));
    if (o.snapshotDays[m]) snapshot = snapshot.add(s.churn.mul(o.snapshotDays[m]));
  }
  return { standard, archive, snapshot };
}

export function computeCost(model: Model, opts: CostOptions): CostReport {
  const from = parseIsoDate(opts.from);
  if (!from) throw new Error(`not an ISO date: ${opts.from}`);
  const start: CivilDate = { year: from.year, month: from.month, day: 1 };
  const months = monthsOf(start, opts.months);
  const projStartDay = daysFromCivil(start.year, start.month, 1);
  const last = months.length - 1;
  const notes: Risk[] = [];

  // Per policy: the horizon in its zone, and the first run on or after a date (shared by its VMs).
  const perPolicy = new Map<string, { fromMs: number; endMs: number; monthEnds: number[]; dayOf: Map<number, { day: number; iso: string }> }>();
  const policyTimes = (p: Policy, clock: ZoneClock) => {
    let t = perPolicy.get(p.name);
    if (!t) {
      const endMs = clock.startOfDay(civilFromDays(projStartDay + months[last].first + months[last].days));
      const monthEnds = months.map((m) => clock.startOfDay(civilFromDays(projStartDay + m.first + m.days)));
      perPolicy.set(p.name, (t = { fromMs: clock.startOfDay(from), endMs, monthEnds, dayOf: new Map() }));
    }
    return t;
  };
  const localDay = (p: Policy, clock: ZoneClock, ms: number) => {
    const cache = policyTimes(p, clock).dayOf;
    let d = cache.get(ms);
    if (!d) {
      const w = clock.wall(ms);
      cache.set(ms, (d = { day: w.days - projStartDay, iso: isoDate(w) }));
    }
    return d;
  };
  // Per policy: its runs from the earliest first backup of its VMs to the projection's end
  // (expanded once; every VM's first run is found in them), and the day-end instants.
  const nDays = months[last].first + months[last].days;
  const policyRuns = new Map<string, { runs: number[]; sample: Float64Array }>();
  const earliestSince = new Map<string, number>();
  for (const vm of model.vms.values()) {
    const clock = clockFor(vm.policy.zone);
    const { fromMs } = policyTimes(vm.policy, clock);
    let since = Math.min(fromMs, vm.protectedSince ? clock.startOfDay(parseIsoDate(vm.protectedSince)!) : fromMs);
    for (const d of vm.disks) if (d.added) since = Math.min(since, clock.startOfDay(parseIsoDate(d.added)!));
    earliestSince.set(vm.policy.name, Math.min(earliestSince.get(vm.policy.name) ?? Infinity, since));
  }
  const runsOf = (p: Policy, clock: ZoneClock) => {
    let r = policyRuns.get(p.name);
    if (!r) {
      const sample = new Float64Array(nDays);
      for (let k = 0; k < nDays; k++) sample[k] = clock.startOfDay(civilFromDays(projStartDay + k + 1));
      // A week past the end, so that a date near it still finds its next run.
      policyRuns.set(p.name, (r = { runs: expandSchedule(p.schedule, clock, earliestSince.get(p.name)!, sample[nDays - 1] + 9 * DAY_MS), sample }));
    }
    return r;
  };
  /** The first run at or after `ms`. */
  const firstRunFrom = (p: Policy, clock: ZoneClock, ms: number): number | undefined => {
    const runs = runsOf(p, clock).runs;
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid] < ms) lo = mid + 1;
      else hi = mid;
    }
    return runs[lo];
  };

  // Pass 1: each VM's lifecycle, its billed disks and when each starts being backed up.
  interface VmStart {
    vm: Vm;
    clock: ZoneClock;
    billed: Disk[];
    lifecycle: Lifecycle;
    firstBackup?: string;
    firstRun: number;
    /** Per billed disk: the instant of its first backup (-Infinity: before the projection, stopped VMs). */
    diskStarts: number[];
    /** Disk sets and the instant they start (stopped retain-data: frozen at --from). */
    groups: { startMs: number; frozenAt?: number; disks: Disk[] }[];
    archive: boolean;
  }
  const starts: VmStart[] = [];
  const unpricedArchive = new Set<string>();
  const recommended = new Set<string>();
  for (const vm of [...model.vms.values()].sort((a, b) => compareText(a.name, b.name))) {
    const book = vm.vault.priceBook;
    const p = vm.policy;
    const clock = clockFor(p.zone);
    const billed = vm.disks.filter((d) => d.role !== "temp" && !d.excluded);
    const archive = Boolean(p.archiveAfter && book.archivePerUnitMonth);
    if (p.archiveAfter && !book.archivePerUnitMonth) unpricedArchive.add(`${book.name}|${p.name}`);
    if (p.archiveRecommended) recommended.add(p.name);
    const { fromMs, endMs } = policyTimes(p, clock);
    const st: VmStart = { vm, clock, billed, lifecycle: vm.protection === "active" ? "active" : vm.protection, firstRun: Infinity, diskStarts: billed.map(() => Number.NaN), groups: [], archive };
    if (vm.protection === "stopped-retain-data") {
      const sinceMs = vm.protectedSince ? clock.startOfDay(parseIsoDate(vm.protectedSince)!) : fromMs;
      st.firstBackup = vm.protectedSince;
      st.groups.push({ startMs: Math.min(sinceMs, fromMs), frozenAt: fromMs, disks: billed });
      st.diskStarts = billed.map(() => -Infinity);
    } else if (vm.protection === "active") {
      // DOMAIN §6: billing starts with the first successful backup.
      const sinceMs = vm.protectedSince ? clock.startOfDay(parseIsoDate(vm.protectedSince)!) : fromMs;
      const firstRun = firstRunFrom(p, clock, sinceMs);
      if (firstRun === undefined || firstRun >= endMs) st.lifecycle = "not-yet-protected";
      else {
        st.firstRun = firstRun;
        st.firstBackup = localDay(p, clock, firstRun).iso;
        // A disk added later starts being backed up at the first run on or after its date.
        st.diskStarts = billed.map((d) => {
          const addedMs = d.added ? clock.startOfDay(parseIsoDate(d.added)!) : -Infinity;
          return addedMs > firstRun ? firstRunFrom(p, clock, addedMs) ?? Infinity : firstRun;
        });
        const byStart = new Map<number, Disk[]>();
        billed.forEach((d, i) => Number.isFinite(st.diskStarts[i]) && pushTo(byStart, st.diskStarts[i], d));
        for (const [startMs, disks] of byStart) st.groups.push({ startMs, disks });
      }
    }
    starts.push(st);
  }

  // Pass 2: one timeline per policy (and archive pricing), from its VMs' earliest first backup.
  const timelines = new Map<string, Timeline>();
  const occupancies = new Map<string, Occupancy>();
  const bySignature = new Map<string, Occupancy>();
  const occupancyOf = (st: VmStart, g: VmStart["groups"][number]): Occupancy => {
    const p = st.vm.policy;
    const tKey = `${p.name}|${st.archive}`;
    let t = timelines.get(tKey);
    if (!t) {
      const r = runsOf(p, st.clock);
      timelines.set(tKey, (t = timeline(p, st.archive, r.runs.filter((ms) => ms <= r.sample[nDays - 1]), r.sample, st.clock, projStartDay)));
    }
    const oKey = `${tKey}|${g.startMs}|${g.frozenAt ?? ""}`;
    let o = occupancies.get(oKey);
    if (!o) {
      let startIdx = 0;
      while (startIdx < t.runs.length && t.runs[startIdx] < g.startMs) startIdx++;
      const firstDay = g.frozenAt !== undefined ? -Infinity : st.clock.wall(g.startMs).days - projStartDay;
      o = occupancy(t, startIdx, g.frozenAt, firstDay, p.instantRestoreDays, months);
      // VMs protected long enough ago are held alike: share one occupancy (fewer sums per vault).
      const sig = `${tKey}|${o.heldDays}|${o.increments.join(";")}|${o.archived}|${o.snapshotDays}`;
      const same = bySignature.get(sig);
      if (same) o = same;
      else bySignature.set(sig, o);
      occupancies.set(oKey, o);
    }
    return o;
  };

  const vms: VmCost[] = [];
  // Per vault: the VMs' disk sets (for the projection) and PI fees per month.
  // Full-month PI fees are counted per price and multiplied once (far fewer decimal operations).
  const vaultSets = new Map<string, { sets: Map<Occupancy, DiskSet>; pi: Decimal[]; units: Decimal[]; fullMonths: Map<InstancePrice, number>[]; vms: number }>();
  const prices = new Map<string, InstancePrice>();
  const cachedPrice = (units: Decimal, book: PriceBook, factor: Decimal) => {
    const key = `${book.name}|${factor.toString()}|${units.toString()}`;
    let p = prices.get(key);
    if (!p) prices.set(key, (p = instancePrice(units, book, factor)));
    return p;
  };

  for (const st of starts) {
    const { vm, clock, billed, lifecycle, diskStarts } = st;
    const book = vm.vault.priceBook;
    const p = vm.policy;
    let vs = vaultSets.get(vm.vault.name);
    if (!vs) vaultSets.set(vm.vault.name, (vs = { sets: new Map(), pi: months.map(() => ZERO), units: months.map(() => ZERO), fullMonths: months.map(() => new Map()), vms: 0 }));
    vs.vms++;
    const { monthEnds } = policyTimes(p, clock);
    const unbilledDisks = vm.disks.filter((d) => d.role === "temp" || d.excluded).map((d) => ({ name: d.name, reason: d.role === "temp" ? ("temp" as const) : ("excluded" as const) }));
    const sets = st.groups.map((g) => diskSet(occupancyOf(st, g), g.disks));
    // Bytes are linear in the disks, so a vault's disk sets that share an occupancy add up.
    for (const ds of sets) {
      const agg = vs.sets.get(ds.occ);
      if (!agg) vs.sets.set(ds.occ, { ...ds, inc: [...ds.inc] });
      else {
        agg.used = agg.used.add(ds.used);
        agg.churn = agg.churn.add(ds.churn);
        for (let b = 0; b < agg.inc.length; b++) agg.inc[b] = agg.inc[b].add(ds.inc[b]);
      }
    }
    const firstBackup = st.firstBackup;
    const vmFirstRun = st.firstRun;
    // PI: size of the disks backed up by the month's end (DOMAIN §6), prorated by days protected.
    const factor = p.consistency === "agentless-crash" ? model.assumptions.agentlessPiFactor : new Decimal(1);
    const piDays = protectedDays(months, lifecycle === "stopped-retain-data" ? -Infinity : lifecycle === "active" ? localDay(p, clock, vmFirstRun).day : Infinity);
    let headline: { price: InstancePrice; size: Decimal; fee: Decimal; days: number } = { price: { units: ZERO, fee: ZERO, tier: "not billed" }, size: ZERO, fee: ZERO, days: 0 };
    let allBytes = ZERO;
    for (const d of billed) allBytes = allBytes.add(d.usedBytes);
    const latestStart = Math.max(-Infinity, ...diskStarts.filter((x) => !Number.isNaN(x)));
    let allPrice: InstancePrice | undefined;
    for (let m = 0; m < months.length; m++) {
      const days = piDays[m];
      if (!days) continue;
      let units: Decimal;
      let price: InstancePrice;
      if (latestStart < monthEnds[m]) {
        // Every disk is backed up by this month's end (the usual case: computed once).
        units = allBytes.div(book.unitBytes);
        price = allPrice ??= cachedPrice(units, book, factor);
      } else {
        let size = ZERO;
        billed.forEach((d, i) => {
          if (diskStarts[i] < monthEnds[m]) size = size.add(d.usedBytes);
        });
        units = size.div(book.unitBytes);
        price = cachedPrice(units, book, factor);
      }
      let fee = price.fee;
      if (days === months[m].days) vs.fullMonths[m].set(price, (vs.fullMonths[m].get(price) ?? 0) + 1);
      else {
        // DOMAIN §6: PI charges are prorated by days protected in a month.
        fee = price.fee.mul(days).div(months[m].days);
        vs.pi[m] = vs.pi[m].add(fee);
        vs.units[m] = vs.units[m].add(price.units.mul(days).div(months[m].days));
      }
      if (m === last) headline = { price, size: units, fee, days };
    }

    const b = monthBytes(sets, last);
    const dim = months[last].days;
    const divisor = book.unitBytes.mul(dim);
    // Byte-days over the month's days, in billing units (zero stays zero without dividing).
    const perMonth = (byteDays: Decimal) => (byteDays.isZero() ? ZERO : byteDays.div(divisor));
    const storageGB = perMonth(b.standard);
    const archiveGB = perMonth(b.archive);
    const snapshotGB = perMonth(b.snapshot);
    const storagePrice = book.storagePerUnitMonth[vm.vault.redundancy] ?? ZERO;
    const storageFee = storageGB.mul(storagePrice);
    const archiveFee = archiveGB.mul(book.archivePerUnitMonth ?? ZERO);
    const snapshotFee = snapshotGB.mul(book.snapshotPerUnitMonth);
    // Not billed in the headline month: still show the size the VM would be billed on.
    const size = headline.days ? headline.size : allBytes.div(book.unitBytes);
    vms.push({
      vm,
      vault: vm.vault,
      book,
      lifecycle,
      firstBackup,
      protectedInstanceGB: size,
      instanceUnits: headline.price.units,
      instanceFee: headline.fee,
      instanceTier: headline.price.tier,
      daysBilled: headline.days,
      daysInMonth: dim,
      storageGB,
      storageFee,
      archiveGB,
      archiveFee,
      snapshotGB,
      snapshotFee,
      monthlyTotal: headline.fee.add(storageFee).add(archiveFee).add(snapshotFee),
      unbilledDisks,
    });
  }

  // Projection per vault from the disk sets' occupancy (linear in bytes, so sums are exact).
  const vaults: VaultCost[] = [];
  for (const [name, vs] of [...vaultSets].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const vault = model.vaults.get(name)!;
    const book = vault.priceBook;
    vs.fullMonths.forEach((counts, m) => {
      for (const [price, n] of counts) {
        vs.pi[m] = vs.pi[m].add(price.fee.mul(n));
        vs.units[m] = vs.units[m].add(price.units.mul(n));
      }
    });
    const projection = months.map((mo, m) => {
      const b = monthBytes([...vs.sets.values()], m);
      const per = (x: Decimal) => x.div(book.unitBytes.mul(mo.days));
      const storageGB = per(b.standard);
      const archiveGB = per(b.archive);
      const snapshotGB = per(b.snapshot);
      const storageFee = storageGB.mul(book.storagePerUnitMonth[vault.redundancy] ?? ZERO);
      const archiveFee = archiveGB.mul(book.archivePerUnitMonth ?? ZERO);
      const snapshotFee = snapshotGB.mul(book.snapshotPerUnitMonth);
      return { month: mo.label, instanceUnits: vs.units[m], instanceFee: vs.pi[m], storageGB, storageFee, archiveGB, archiveFee, snapshotGB, snapshotFee, total: vs.pi[m].add(storageFee).add(archiveFee).add(snapshotFee) };
    });
    vaults.push({ vault, currency: book.currency, vms: vs.vms, monthlyTotal: projection[last].total, projection });
  }

  // Totals per currency; the most used currency is the headline one.
  const byCurrency = new Map<string, VaultCost[]>();
  for (const v of vaults) pushTo(byCurrency, v.currency, v);
  const currencies = [...byCurrency.keys()].sort((a, b) => byCurrency.get(b)!.length - byCurrency.get(a)!.length || compareText(a, b));
  const currency = currencies[0] ?? "USD";
  const sum = (vs: VaultCost[]) => months.map((mo, m) => sumMonths(mo.label, vs.map((v) => v.projection[m])));
  const projection = sum(byCurrency.get(currency) ?? []);
  if (currencies.length > 1) {
    notes.push({ code: "BKP3017", severity: RISK_CODES.BKP3017.severity, vms: [], subject: currencies.join(","), message: `vaults are priced in ${currencies.join(", ")}; totals are given per currency, not converted`, hint: "use price books in one currency to get one total" });
  }
  for (const key of unpricedArchive) {
    const [bookName, policyName] = key.split("|");
    const p = model.policies.get(policyName)!;
    notes.push({ code: "BKP3016", severity: RISK_CODES.BKP3016.severity, vms: [...model.vms.values()].filter((v) => v.policy === p && v.vault.priceBook.name === bookName).map((v) => v.name).sort(), subject: key, file: p.ast.file, range: (p.ast.archiveAfter ?? p.ast.name).range, message: `policy "${policyName}" archives points, but price book "${bookName}" has no archive price: archived points are billed as standard backup storage`, hint: `add archive <price> per GB-month to the price book` });
  }
  for (const name of [...recommended].sort(compareText)) {
    // TierRecommended: Azure moves the points whose move saves cost (docs/domain.md#archive);
    // which ones is Azure's choice, so the bill keeps them all in the standard tier: an upper bound.
    const p = model.policies.get(name)!;
    notes.push({ code: "BKP3020", severity: RISK_CODES.BKP3020.severity, vms: [...model.vms.values()].filter((v) => v.policy === p).map((v) => v.name).sort(), subject: name, file: p.ast.file, range: (p.ast.archiveRecommended ?? p.ast.name).range, message: `policy "${name}" archives the points Azure recommends, which Azure chooses: they are billed in the standard tier here, an upper bound`, hint: "write archive after <n> months to bill the archive tier by age" });
  }
  return {
    from: opts.from,
    months: opts.months,
    month: months[last].label,
    currency,
    monthlyTotal: projection[last]?.total ?? ZERO,
    otherCurrencies: currencies.slice(1).map((c) => ({ currency: c, monthlyTotal: sum(byCurrency.get(c)!)[last].total })),
    vms,
    vaults,
    projection,
    notes,
    softDelete: softDeleteCharges(model, opts.from),
  };
}

/** Days protected in each month, the first backup's local day being day `firstDay` of the projection. */
function protectedDays(months: Month[], firstDay: number): number[] {
  return months.map((m) => Math.max(0, Math.min(m.days, m.first + m.days - Math.max(m.first, firstDay))));
}

/** The months of several VMs or vaults added up (one row of a projection). */
export function sumMonths(month: string, xs: MonthCost[]): MonthCost {
  const add = (k: keyof Omit<MonthCost, "month">) => xs.reduce((s, x) => s.add(x[k]), ZERO);
  return {
    month,
    instanceUnits: add("instanceUnits"),
    instanceFee: add("instanceFee"),
    storageGB: add("storageGB"),
    storageFee: add("storageFee"),
    archiveGB: add("archiveGB"),
    archiveFee: add("archiveFee"),
    snapshotGB: add("snapshotGB"),
    snapshotFee: add("snapshotFee"),
    total: add("total"),
  };
}

/** Appends to a list in a map of lists (without copying it). */
function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
