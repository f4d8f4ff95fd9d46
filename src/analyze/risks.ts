// Throttling and timing risks of a plan (DOMAIN §4, §5), each with a stable code (codes.ts),
// the VMs involved and the source location to fix. Risks about one VM are reported once per
// VM, not once per job; risks about many VMs (a policy, a vault) once per subject.
import { DISKS_PER_STORAGE_ACCOUNT } from "../model/limits.js";
import Decimal from "decimal.js";
import type { Range, Severity } from "../lang/diagnostics.js";
import type { ConsistencyLevel, Disk, Policy, Vm } from "../model/model.js";
import { predictConsistency } from "../plan/consistency.js";
import type { DiskTask, Job, Plan, PolicyRuns, Run, VmSchedule } from "../plan/types.js";
import { formatDuration, shortLocal, shortUtc } from "../plan/time.js";
import { RISK_CODES, type RiskCode } from "./codes.js";
import type { JobTiming } from "./timing.js";
import { compareText } from "../utils/compare.js";

export interface Risk {
  code: RiskCode;
  severity: Severity;
  message: string;
  hint?: string;
  /** Names of the VMs involved, sorted. */
  vms: string[];
  /** What the risk is about, stable between runs (code + subject identify a risk in a diff). */
  subject: string;
  file?: string;
  range?: Range;
}

/** DOMAIN §1.7: a daily backup finishes within 24 hours; DOMAIN §4: a first backup may not. */
const DAY_S = 86_400;
/** DOMAIN §4: more than 200 GB/day of churn per protected disk can take more than 8 hours. */
const CHURN_LIMIT = new Decimal(200e9);
const { warn: DISKS_WARN, error: DISKS_ERROR } = DISKS_PER_STORAGE_ACCOUNT;
/** DOMAIN §5: premium storage with instant restore wants 50% free space for the first backup. */
const PREMIUM_FREE = 50;

const LEVEL_RANK: Record<ConsistencyLevel, number> = { crash: 0, "file-system": 1, application: 2 };

function risk(code: RiskCode, message: string, vms: Iterable<string>, subject: string, at?: { file: string; range: Range }, hint?: string): Risk {
  return { code, severity: RISK_CODES[code].severity, message, hint, vms: [...new Set(vms)].sort(), subject, file: at?.file, range: at?.range };
}

const vmAt = (vm: Vm) => ({ file: vm.ast.file, range: vm.ast.name.range });
const policyAt = (p: Policy) => ({ file: p.ast.file, range: (p.ast.schedule ?? p.ast.name).range });
const diskAt = (vm: Vm, d: Disk, attr?: { range: Range }) => ({ file: vm.ast.file, range: (attr ?? d.ast.name).range });

function when(pr: PolicyRuns, job: Job): string {
  return `${shortLocal(pr.clock, job.run.ms)} ${pr.policy.zone}`;
}

function isPremium(d: Disk): boolean {
  return d.tier === "premium" || d.storageAccount?.tier === "premium";
}

function names(xs: string[], max = 3): string {
  const q = xs.slice(0, max).map((x) => `"${x}"`).join(", ");
  return xs.length > max ? `${q} and ${xs.length - max} more` : q;
}

export function findRisks(plan: Plan, timings: JobTiming[]): Risk[] {
  const out: Risk[] = [];
  const model = plan.model;
  const as = model.assumptions;
  const runsOf = new Map<string, PolicyRuns>();
  for (const pr of plan.policies.values()) runsOf.set(pr.policy.name, pr);

  // Per VM: the worst job of each kind of overrun.
  const worst = new Map<string, { job: Job; t: JobTiming; n: number }>();
  const note = (key: string, job: Job, t: JobTiming) => {
    const w = worst.get(key);
    if (!w) worst.set(key, { job, t, n: 1 });
    else {
      w.n++;
      if (t.durationSeconds > w.t.durationSeconds) Object.assign(w, { job, t });
    }
  };
  // Per policy: whether some job finds changes by checksum, and the longest peak-hour lag.
  const checksumPolicies = new Set<string>();
  const lagPolicies = new Map<string, { max: number; job: Job }>();
  const premium = new Map<string, Disk[]>();
  // Congestion: VMs starting per vault per run (a VM runs at most once per half-hour slot).
  const SLOT = 30 * 60_000;
  const vaultIndex = new Map([...model.vaults.values()].map((v, i) => [v, i]));
  const nVaults = Math.max(1, vaultIndex.size);
  const starts = new Map<string, Int32Array>();
  for (const pr of plan.policies.values()) starts.set(pr.policy.name, new Int32Array(pr.runs.length * nVaults));
  const hasAdded = new Map<DiskTask[], boolean>();

  for (const s of plan.vms.values()) {
    if (!s.jobs.length) continue;
    const p = s.vm.policy;
    const counts = starts.get(p.name)!;
    const v = vaultIndex.get(s.vm.vault)!;
    for (const job of s.jobs) {
      const t = timings[job.index];
      let added = hasAdded.get(job.tasks);
      if (added === undefined) hasAdded.set(job.tasks, (added = job.tasks.some((x) => x.added)));
      if (job.firstBackup || added) {
        if (t.durationSeconds > DAY_S) note(`3003|${job.vm.name}`, job, t);
        for (const task of job.tasks) {
          const d = task.disk;
          if (task.kind === "initial" && isPremium(d) && d.freePercent !== undefined && d.freePercent.lt(PREMIUM_FREE)) {
            const list = premium.get(job.vm.name) ?? [];
            if (!list.includes(d)) list.push(d);
            premium.set(job.vm.name, list);
          }
        }
      } else if (p.schedule.kind === "daily" && t.durationSeconds > DAY_S) note(`3001|${job.vm.name}`, job, t);
      // A job longer than the time to the policy's next run overlaps it.
      else if (p.schedule.kind === "hourly" && t.durationSeconds * 1000 > (Number.isNaN(job.run.nextGapMs) ? p.schedule.intervalHours * 3_600_000 : job.run.nextGapMs)) note(`3004|${job.vm.name}`, job, t);
      if (job.kind === "checksum-comparison") checksumPolicies.add(p.name);
      if (t.lagSeconds > 0) {
        const l = lagPolicies.get(p.name);
        if (!l || t.lagSeconds > l.max) lagPolicies.set(p.name, { max: t.lagSeconds, job });
      }
      counts[job.run.index * nVaults + v]++;
    }
  }
  // VMs with jobs, per policy (the VMs a policy-level risk is about).
  const jobVms = new Map<string, Vm[]>();
  for (const s of plan.vms.values()) if (!s.noJobs) pushTo(jobVms, s.vm.policy.name, s.vm);
  const checksumVms = new Map([...checksumPolicies].map((p) => [p, (jobVms.get(p) ?? []).map((v) => v.name)]));
  const lagVms = new Map([...lagPolicies].map(([p, l]) => [p, { ...l, vms: (jobVms.get(p) ?? []).map((v) => v.name) }]));
  // Starts per vault and half-hour slot; only crowded slots need their VMs' names.
  const slotRuns = new Map<number, Run[]>();
  const slotCount = new Map<number, number>();
  for (const pr of plan.policies.values()) {
    const counts = starts.get(pr.policy.name)!;
    for (const run of pr.runs) {
      const slot = Math.floor(run.ms / SLOT);
      let any = false;
      for (let v = 0; v < nVaults; v++) {
        const n = counts[run.index * nVaults + v];
        if (!n) continue;
        any = true;
        slotCount.set(slot * nVaults + v, (slotCount.get(slot * nVaults + v) ?? 0) + n);
      }
      if (any) pushTo(slotRuns, slot, run);
    }
  }
  const runPolicy = new Map<Run, string>();
  for (const pr of plan.policies.values()) for (const r of pr.runs) runPolicy.set(r, pr.policy.name);
  const vaults = [...vaultIndex.keys()];
  // Crowded slots grouped by vault and time of day (the same slot recurs every day).
  const crowded = new Map<string, { vault: (typeof vaults)[number]; ofDay: number; max: number; slot: number; days: number; policies: Set<string>; lastMs: number }>();
  for (const [key, n] of slotCount) {
    if (n <= as.congestionVms) continue;
    const slot = Math.floor(key / nVaults);
    const vault = vaults[key - slot * nVaults];
    const ofDay = ((slot % 48) + 48) % 48;
    const id = `${vault.name}@${ofDay}`;
    let c = crowded.get(id);
    if (!c) crowded.set(id, (c = { vault, ofDay, max: 0, slot, days: 0, policies: new Set(), lastMs: -Infinity }));
    c.days++;
    if (n > c.max) Object.assign(c, { max: n, slot });
    for (const run of slotRuns.get(slot)!) {
      c.policies.add(runPolicy.get(run)!);
      c.lastMs = Math.max(c.lastMs, run.ms);
    }
  }

  for (const [key, { job, t, n }] of worst) {
    const code = key.slice(0, 4);
    const vm = job.vm;
    const pr = runsOf.get(vm.policy.name)!;
    const parts = `${t.prepareSeconds ? `prepare ${formatDuration(t.prepareSeconds)} + ` : ""}${t.lagSeconds ? `peak lag ${formatDuration(t.lagSeconds)} + ` : ""}slowest disk "${t.slowest}" ${formatDuration(t.transferSeconds)}`;
    const many = n > 1 ? ` (${n} jobs in the plan)` : "";
    if (code === "3001") {
      out.push(risk("BKP3001", `vm "${vm.name}": daily backup at ${when(pr, job)} is predicted to take ${formatDuration(t.durationSeconds)} (${parts}); a daily backup must finish within 24 hours${many}`, [vm.name], vm.name, vmAt(vm), hintFor(t, job)));
    } else if (code === "3003") {
      const added = job.firstBackup ? "first backup" : `first backup of added disk${job.tasks.filter((x) => x.added).length > 1 ? "s" : ""} ${job.tasks.filter((x) => x.added).map((x) => `"${x.disk.name}"`).join(", ")}`;
      out.push(risk("BKP3003", `vm "${vm.name}": ${added} at ${when(pr, job)} is predicted to take ${formatDuration(t.durationSeconds)} (${parts}), over 24 hours`, [vm.name], vm.name, vmAt(vm), "expected for a large initial replication (docs/domain.md#timing); start it outside peak hours and do not schedule other work on the vault"));
    } else if (code === "3004") {
      const s = vm.policy.schedule as Extract<Policy["schedule"], { kind: "hourly" }>;
      const until = Number.isNaN(job.run.nextGapMs) ? s.intervalHours * 3600 : job.run.nextGapMs / 1000;
      out.push(risk("BKP3004", `vm "${vm.name}": backup at ${when(pr, job)} is predicted to take ${formatDuration(t.durationSeconds)} (${parts}), longer than the ${formatDuration(until)} until the policy's next backup, which would start before it ends${many}`, [vm.name], vm.name, vmAt(vm), `choose a longer interval (every ${s.intervalHours < 12 ? [4, 6, 8, 12].find((h) => h * 3600 > t.durationSeconds) ?? 12 : 12} hours) or reduce the data changed between backups`));
    }
  }

  // DOMAIN §4: churn over 200 GB/day per disk can take more than 8 hours.
  for (const vm of model.vms.values()) {
    if (vm.protection !== "active") continue;
    for (const d of vm.disks) {
      if (d.role === "temp" || d.excluded || !d.churnBytesPerDay.gt(CHURN_LIMIT)) continue;
      out.push(risk("BKP3002", `vm "${vm.name}" disk "${d.name}" changes ${gb(d.churnBytesPerDay)} GB a day; over 200 GB/day a backup can take more than 8 hours`, [vm.name], `${vm.name}/${d.name}`, diskAt(vm, d, d.ast.churn), "move fast-changing data (logs, temp files) to an excluded disk, or back up more often with an enhanced policy"));
    }
    if (vm.provisioning === "creating" || vm.provisioning === "deleting") {
      out.push(risk("BKP3015", `vm "${vm.name}" is ${vm.provisioning}: the service retries its backups until provisioning completes (docs/domain.md#consistency)`, [vm.name], vm.name, { file: vm.ast.file, range: (vm.ast.provisioning ?? vm.ast.name).range }));
    }
  }

  for (const [vmName, disks] of premium) {
    const vm = model.vms.get(vmName)!;
    const d = disks[0];
    out.push(risk("BKP3010", `vm "${vmName}": premium disk${disks.length > 1 ? "s" : ""} ${disks.map((x) => `"${x.name}" (${x.freePercent}% free)`).join(", ")} with instant restore ${disks.length > 1 ? "have" : "has"} under 50% free space for the first backup`, [vmName], vmName, diskAt(vm, d, d.ast.free), "keep 50% of the allocated storage free until the first backup completes (docs/domain.md#best-practices)"));
  }

  for (const [policyName, vms] of checksumVms) {
    const p = model.policies.get(policyName)!;
    if (!vms.length) continue;
    const gapDays = p.schedule.kind === "weekly" ? " (the gap between weekly runs is longer than the snapshots are kept)" : "";
    out.push(risk("BKP3012", `policy "${p.name}": instant-restore snapshots (${p.instantRestoreDays} days) are gone before the next backup${gapDays}; ${vms.length} VM${vms.length === 1 ? "" : "s"} back up by checksum comparison, which reads every block and can take over 24 hours or fail`, vms, p.name, { file: p.ast.file, range: (p.ast.instantRestore ?? p.ast.schedule ?? p.ast.name).range }, "keep snapshots at least as long as the longest gap between backups (docs/domain.md#timing)"));
  }

  for (const [policyName, l] of lagVms) {
    const p = model.policies.get(policyName)!;
    const pr = runsOf.get(policyName)!;
    const ph = as.peakHours;
    out.push(risk("BKP3014", `policy "${p.name}": snapshots at ${when(pr, l.job)} fall in peak hours (${hhmm(ph.from)}–${hhmm(ph.to)}); transfers to the vault wait up to ${formatDuration(l.max)}`, l.vms, p.name, policyAt(p), "schedule backups outside peak hours to start transferring at once (docs/domain.md#vault-transfer)"));
  }

  // DOMAIN §5: the default (midnight) schedule time is everyone's; move it.
  const usedPolicies = new Map<string, string[]>();
  for (const s of plan.vms.values()) if (!s.noJobs) pushTo(usedPolicies, s.vm.policy.name, s.vm.name);
  for (const [name, vms] of usedPolicies) {
    const p = model.policies.get(name)!;
    const start = p.schedule.kind === "hourly" ? p.schedule.start : p.schedule.at;
    if (start.hour === 0 && start.minute === 0) {
      out.push(risk("BKP3006", `policy "${p.name}" backs up at 00:00 ${p.zone}, the default time most schedules keep: its ${vms.length} VM${vms.length === 1 ? "" : "s"} start together with everyone else's`, vms, p.name, policyAt(p), "move the schedule off midnight, e.g. 01:30 (docs/domain.md#best-practices)"));
    }
  }

  // DOMAIN §4: VMs of one vault backed up at the same time congest.
  const byPolicyVault = new Map<string, VmSchedule[]>();
  if (crowded.size) for (const s of plan.vms.values()) if (s.jobs.length) pushTo(byPolicyVault, `${s.vm.policy.name}|${s.vm.vault.name}`, s);
  for (const c of [...crowded.values()].sort((x, y) => (x.vault.name < y.vault.name ? -1 : x.vault.name > y.vault.name ? 1 : x.ofDay - y.ofDay))) {
    const names: string[] = [];
    for (const p of c.policies) {
      for (const s of byPolicyVault.get(`${p}|${c.vault.name}`) ?? []) if (s.firstBackupMs === undefined || s.firstBackupMs <= c.lastMs) names.push(s.vm.name);
    }
    const startMs = c.slot * SLOT;
    const utc = shortUtc(startMs).slice(11);
    const end = shortUtc(startMs + SLOT).slice(11);
    out.push(risk("BKP3005", `vault "${c.vault.name}": up to ${c.max} VMs start backups between ${utc} and ${end} UTC (on ${c.days} day${c.days === 1 ? "" : "s"} of the plan); more than ${as.congestionVms} at once congests the vault's traffic`, names, `${c.vault.name}@${c.ofDay}`, { file: c.vault.ast.file, range: c.vault.ast.name.range }, "spread the VMs over policies with different start times (docs/domain.md#timing)"));
  }

  // DOMAIN §5: disks per storage account.
  const held = new Map<string, { disks: { vm: Vm; d: Disk }[] }>();
  for (const vm of model.vms.values()) {
    for (const d of vm.disks) {
      const name = d.storageAccount?.name ?? d.storageAccountName;
      // A temporary disk lives on the host, not in the account.
      if (!name || d.role === "temp") continue;
      const h = held.get(name) ?? { disks: [] };
      h.disks.push({ vm, d });
      held.set(name, h);
    }
  }
  for (const [name, h] of held) {
    const n = h.disks.length;
    if (n <= DISKS_WARN) continue;
    const sa = model.storageAccounts.get(name);
    const first = h.disks[0];
    const at = sa ? { file: sa.ast.file, range: sa.ast.name.range } : diskAt(first.vm, first.d, first.d.ast.storageAccount);
    const code = n > DISKS_ERROR ? "BKP3008" : "BKP3007";
    out.push(risk(code, `storage account "${name}" holds ${n} disks (of ${names([...new Set(h.disks.map((x) => x.vm.name))])}); more than ${n > DISKS_ERROR ? DISKS_ERROR : DISKS_WARN} disks per account throttle`, h.disks.map((x) => x.vm.name), name, at, `move ${n - DISKS_WARN} of them to another storage account (docs/domain.md#best-practices)`));
  }

  for (const r of plan.restores) {
    const spec = r.spec;
    const at = { file: spec.ast.file, range: (spec.ast.spread ?? spec.ast.into ?? spec.ast.name).range };
    for (const v of r.violations) {
      if (v.kind === "shared-account") {
        out.push(risk("BKP3009", `${v.message}; restores into one account queue and throttle`, v.vms, `${spec.name}/${v.account}`, at, `add ${Math.max(1, spec.vms.length - spec.into.length)} more general-purpose v2 storage account${spec.vms.length - spec.into.length === 1 ? "" : "s"} to into: one per VM (docs/domain.md#best-practices)`));
      } else {
        out.push(risk("BKP3011", v.message, v.vms, `${spec.name}/${v.kind}/${v.account ?? v.vms.join(",")}`, at, v.kind === "no-accounts" ? 'add into "<storage-account>", …' : "add storage accounts to into, or allow more disks per account"));
      }
    }
    for (const a of r.accounts) {
      if (a.disks <= DISKS_WARN) continue;
      const code = a.disks > DISKS_ERROR ? "BKP3008" : "BKP3007";
      out.push(risk(code, `restore "${spec.name}" puts ${a.disks} disks into storage account "${a.account.name}"; more than ${a.disks > DISKS_ERROR ? DISKS_ERROR : DISKS_WARN} disks per account throttle`, a.vms.map((v) => v.vm.name), `${spec.name}/${a.account.name}`, at, "add storage accounts to into, or lower spread max … disks per account (docs/domain.md#best-practices)"));
    }
  }

  // DOMAIN §2: the consistency a VM really gets, when it is less than asked for.
  const lower = new Map<string, { p: Policy; level: ConsistencyLevel; reason: string; vms: string[] }>();
  for (const s of plan.vms.values()) {
    const vm = s.vm;
    if (s.noJobs) continue;
    const requested = vm.policy.consistency === "agentless-crash" ? "crash" : vm.policy.consistency;
    // The plan's jobs carry the VM's prediction already.
    const got = s.jobs[0]?.consistency ?? predictConsistency(vm);
    if (LEVEL_RANK[got.level] >= LEVEL_RANK[requested]) continue;
    const key = `${vm.policy.name}|${got.level}|${got.reason}`;
    const e = lower.get(key) ?? { p: vm.policy, level: got.level, reason: got.reason, vms: [] };
    e.vms.push(vm.name);
    lower.set(key, e);
  }
  for (const e of lower.values()) {
    const requested = e.p.consistency;
    const one = e.vms.length === 1;
    out.push(risk("BKP3013", `${one ? `vm "${e.vms[0]}" gets` : `${e.vms.length} VMs of policy "${e.p.name}" get`} ${e.level}-consistent points, not ${requested}: ${e.reason}`, e.vms, `${e.p.name}/${e.level}/${e.reason}`, one ? vmAt(model.vms.get(e.vms[0])!) : { file: e.p.ast.file, range: (e.p.ast.consistency ?? e.p.ast.name).range }, e.reason.startsWith("Linux") ? "add scripts { pre … post … } for application consistency (docs/domain.md#consistency)" : undefined));
  }

  return sortRisks(out);
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortRisks(rs: Risk[]): Risk[] {
  return rs.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || compareText(a.code, b.code) || compareText(a.subject, b.subject));
}

function hhmm(t: { hour: number; minute: number }): string {
  return `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
}

function gb(bytes: Decimal): string {
  return bytes.div(1e9).toDecimalPlaces(2).toString();
}

function hintFor(t: JobTiming, job: Job): string {
  if (job.kind === "checksum-comparison") return "keep instant-restore snapshots longer than the gap between backups, so changes are found without checksums (docs/domain.md#timing)";
  if (t.lagSeconds >= t.transferSeconds) return "move the schedule out of peak hours so the transfer starts at once (docs/domain.md#vault-transfer)";
  return `reduce the data changed per day on disk "${t.slowest}", or use a faster transfer (docs/domain.md#timing)`;
}

/** Appends to a list in a map of lists (without copying it). */
function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
