import { backupVm } from "../../src/engine/index.js";
import { EngineError, ErrorCodes } from "../../src/engine/errors.js";
import { listPoints } from "../../src/engine/points.js";
import { pruneVault, type PruneResult } from "../../src/engine/prune.js";
import { runScheduler, type ScheduledJob, type ScheduledVm } from "../../src/engine/scheduler.js";
import type { VmBackupResult } from "../../src/engine/types.js";
import { clockFor, offsetText, shortLocal, utcIso } from "../../src/plan/time.js";
import { DISKS_PER_STORAGE_ACCOUNT } from "../../src/model/limits.js";
import { parse, positiveInt } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import type { Io } from "../io.js";
import { loadForAnalysis } from "./plan-common.js";
import { predictFor } from "./measurements.js";
import { DEFAULT_CONCURRENCY, fleetJobOf, ProgressView, bytes, engineVault, engineVm, machineKeyFile, nowFrom, printEngineError, retentionByVault, seconds, selectVms } from "./engine-common.js";

/** A scheduled job waits this long for another writer of its vault (say a manual \`bkp backup\`). */
const LOCK_WAIT_MS = 5 * 60_000;

type JobError = { code: string; message: string };
/** With --prune, the prune of the job's vault after it; none when the vault does not exist (yet). */
type PruneOutcome = { vault: string; at: number } & ({ ok: true; result: PruneResult } | { ok: false; error: JobError; thrown: unknown });
type Outcome = ({ ok: true; result: VmBackupResult } | { ok: false; error: JobError }) & { prune?: PruneOutcome };

function jobError(e: unknown): JobError {
  const code = (e as { code?: string }).code;
  return { code: typeof code === "string" && code.startsWith("BKP") ? code : "BKP5090", message: e instanceof Error ? e.message : String(e) };
}

/** The one line a prune by `bkp run --prune` prints: what was expired and deleted, or nothing. */
function pruneLine(r: PruneResult): string {
  const expired = r.expired.length ? `expired ${r.expired.length} point(s) (${r.expired.map((p) => `${p.vm} ${p.id}`).join(", ")})` : "";
  const snaps = r.snapshotsExpired.length ? `${r.snapshotsExpired.length} instant-restore snapshot(s) (${bytes(r.snapshotsExpired.reduce((s, x) => s + x.allocatedBytes, 0))})` : "";
  const what = expired && snaps ? `${expired} and ${snaps}` : expired || (snaps ? `expired ${snaps}` : "nothing to expire");
  const data = !r.gcSkipped && (r.packsDeleted || r.mapsDeleted) ? `; deleted ${r.packsDeleted} pack(s) (${bytes(r.bytesFreed)}) and ${r.mapsDeleted} block-map page(s)` : "";
  return `${what}${data}; ${r.kept.length} point(s) kept`;
}

/** `2026-03-08 03:00 -04:00 (America/New_York)`: an instant as people of the policy's zone read it. */
function inZone(zone: string, ms: number): string {
  const c = clockFor(zone);
  return `${shortLocal(c, ms)} ${offsetText(c, ms)} (${zone})`;
}

/**
 * The clock of `bkp run`: real time, or — a testing aid — BKP_NOW as the start instant with
 * real time running on from there, so scheduled runs come at their times in seconds.
 */
function runClock(io: Io): () => number {
  if (!io.env.BKP_NOW) return () => Date.now();
  const start = nowFrom(io).getTime();
  const real = Date.now();
  return () => start + (Date.now() - real);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export const command: Command = {
  help: `Usage: bkp run [--vm NAME] [--prune] [--json] FILE...

Stay in the foreground and back up the policy set's VMs at the times their policies schedule,
until stopped. At start, a VM whose policy's latest scheduled run has no recovery point is
backed up at once — missed runs are caught up once, not once per missed run (the rule of
\`bkp backup\` without --now) — and a VM without points gets its first backup at once. Then
bkp sleeps until the next scheduled run of any VM (read in its policy's zone; a run in a
daylight-saving gap comes at the first instant after it, as \`bkp plan\` shows), backs up the
VMs due and repeats. VMs due together start by scheduled time, then name,
the disks of each VM in parallel; with --concurrency N up to N VMs at once (one writer per vault,
at most 5 disks of one storage account at once); a backup whose vault another writer holds (a manual
\`bkp backup\`) waits up to 5 minutes for it. A failed backup is reported, kept in the job log
(\`bkp jobs\`; once its vault could be opened) and tried again at the VM's next scheduled run.
The policy files are read once, at start.

Retention is applied only with --prune (off by default: without it, points accumulate until
you run \`bkp prune\`). With --prune, after each backup job — succeeded or failed — bkp prunes
that job's vault exactly as \`bkp prune FILE...\` would then: points of every VM of the policy
files in that vault expire by its policy's retention, instant-restore snapshots by its
\`instant-restore\` days, and unreferenced data is deleted; expiry is judged at bkp run's clock.
A prune that fails (e.g. BKP5010: a restore or verify is reading the vault) is reported and
does not stop the run, nor change the exit code; it is tried again after the next job.

Stopping: SIGINT (Ctrl-C) or SIGTERM starts no new backup; a backup in progress finishes and
commits its point (and with --prune, the prune after it finishes), then bkp exits. A second signal abandons the backup in progress at once
(exit 130): its point is not written and the vault stays valid — like a killed backup, it
leaves nothing \`bkp verify\` calls damage, and the next backup removes the leftovers. A
pre-script still running then is not waited for, and the post-script does not run.

Output: one line per backup, in the policy's zone (point, consistency, seconds, bytes read,
changed and stored), with --prune one line per prune of a vault (points and snapshots expired,
packs deleted, or "nothing to expire"), and "next run: …" while idle; errors go to standard error.

Options:
  --vm NAME   only this VM
  --concurrency N
              back up up to N VMs due together at once (default: the cores, at most 4)
  --prune     after each backup job, prune its vault as \`bkp prune\` does (default: off)
  --json      one JSON object per line: {"event":"backup", vm, reason, scheduled?, startedAt,
              status: "backed-up"|"failed", ...the \`bkp backup --json\` fields or error},
              with --prune {"event":"prune", vault, status: "pruned"|"failed", ...the
              \`bkp prune --json\` fields of the vault or error},
              {"event":"next", vms, at (UTC), local}, {"event":"skipped", vm, detail} and
              {"event":"stopped", jobs, failed, signal?}
  -h, --help  show this help

Environment: BKP_MACHINE_SECRET as for \`bkp backup\`. BKP_NOW=<ISO instant> (a testing aid)
starts the clock at that instant and lets it run on in real time.

Exit codes: 0 stopped by a signal and every backup succeeded, 1 a backup failed during the
run, 2 usage or I/O error at start (e.g. no VM with disk images to back up), 130 stopped by a
second signal with a backup abandoned.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, prune: { type: "boolean" }, json: { type: "boolean" }, concurrency: { type: "string" } });
    const concurrency = positiveInt(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY);
    const files = policyFiles(positionals, "run");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const json = Boolean(values.json);
    const now = runClock(io);
    const keyFile = machineKeyFile(io);
    const emit = (o: Record<string, unknown>) => io.stdout(JSON.stringify(o) + "\n");
    // What `bkp prune FILE...` expires by: every VM of the policy set, not only those --vm selects.
    const retention = values.prune ? retentionByVault(selectVms(loaded.model, undefined)) : undefined;

    const scheduled: ScheduledVm[] = [];
    for (const vm of selectVms(loaded.model, values.vm)) {
      const { vm: evm } = engineVm(vm);
      const skip = vm.protection !== "active" ? `protection is ${vm.protection}` : !evm.disks.length ? "no disk has an `image` to back up" : undefined;
      if (skip) {
        if (json) emit({ event: "skipped", vm: vm.name, detail: skip });
        else if (!io.quiet) io.stdout(`vm "${vm.name}": not scheduled: ${skip}\n`);
        continue;
      }
      const vault = engineVault(vm.vault);
      let latest: number | undefined;
      try {
        const pts = await listPoints(vault, { vm: vm.name }, { machineKeyFile: keyFile });
        const p = pts[pts.length - 1];
        latest = p ? Date.parse(p.createdAt) : undefined;
      } catch (e) {
        // No vault yet: the first backup creates it. Another problem (a wrong key) is reported
        // now; the VM stays scheduled and its backups report the problem as they run.
        if ((e as { code?: string }).code !== "BKP5011") printEngineError(io, "run", e, `VM "${vm.name}": `);
      }
      scheduled.push({ vm, latest });
    }
    if (!scheduled.length) {
      const e = new EngineError(ErrorCodes.RUN_NOTHING_TO_SCHEDULE, "no VM to back up: every selected VM has stopped protection or no disk `image`. Give a VM's disks `image \"FILE\"` to back them up with the local engine.");
      printEngineError(io, "run", e);
      return 2;
    }

    const stop = new AbortController();
    let signals = 0;
    // The backups in progress (several with --concurrency), for the messages of a signal.
    const inFlight = new Set<ScheduledJob>();
    const names = () => [...inFlight].map((j) => `VM "${j.vm.name}"`).join(", ");
    let pruning: string | undefined;
    let stopSignal: string | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals === 1) {
        stopSignal = sig;
        io.stderr(
          inFlight.size
            ? `bkp run: ${sig}: stopping after the backup${inFlight.size > 1 ? "s" : ""} of ${names()} in progress (send the signal again to abandon ${inFlight.size > 1 ? "them" : "it"})\n`
            : pruning
              ? `bkp run: ${sig}: stopping after the prune of vault "${pruning}" in progress (send the signal again to abandon it)\n`
              : `bkp run: ${sig}: stopping\n`,
        );
        stop.abort();
        return;
      }
      if (pruning && !inFlight.size) io.stderr(`bkp run: ${sig} again: abandoning the prune of vault "${pruning}"; the vault stays valid (the next prune removes what it left)\n`);
      else io.stderr(`bkp run: ${sig} again: abandoning${inFlight.size ? ` the backup${inFlight.size > 1 ? "s" : ""} of ${names()}` : ""}; no point is written for it and the vault stays valid (the next backup removes what it left)\n`);
      process.exit(130);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);

    const view = new ProgressView(io, io.isTTY && !json);
    const report = (e: unknown, error: JobError, prefix: string) => {
      try {
        if (!json) printEngineError(io, "run", e, prefix);
      } catch {
        io.stderr(`bkp run: error: ${prefix}${error.message}\n`);
      }
    };
    const runBackup = async (job: ScheduledJob): Promise<Outcome> => {
      inFlight.add(job);
      try {
        const prediction = await predictFor(loaded.model, job.vm, now(), io);
        const result = await backupVm(engineVault(job.vm.vault), engineVm(job.vm).vm, { now: () => new Date(now()), machineKeyFile: keyFile, onProgress: view.onProgress, lockWaitMs: LOCK_WAIT_MS, prediction });
        return { ok: true, result };
      } catch (e) {
        const error = jobError(e);
        report(e, error, `VM "${job.vm.name}": `);
        return { ok: false, error };
      } finally {
        view.reset();
        inFlight.delete(job);
      }
    };
    /** With --prune: `bkp prune`'s pruneVault on the job's vault, at the scheduler's clock. */
    const runPrune = async (job: ScheduledJob): Promise<PruneOutcome | undefined> => {
      const specs = retention?.get(job.vm.vault.name);
      if (!specs) return undefined;
      const vault = job.vm.vault.name;
      const at = now();
      pruning = vault;
      try {
        return { vault, at, ok: true, result: await pruneVault(engineVault(job.vm.vault), specs, { machineKeyFile: keyFile, now: () => new Date(at) }) };
      } catch (e) {
        if ((e as { code?: string }).code === "BKP5011") return undefined; // no vault yet: nothing to prune (as `bkp prune`)
        return { vault, at, ok: false, error: jobError(e), thrown: e };
      } finally {
        pruning = undefined;
      }
    };
    const printPrune = (p: PruneOutcome, zone: string) => {
      if (json) {
        emit(p.ok ? { event: "prune", status: "pruned", ...p.result } : { event: "prune", vault: p.vault, status: "failed", now: utcIso(p.at), error: p.error });
        return;
      }
      const c = clockFor(zone);
      const head = `${shortLocal(c, p.at)} ${offsetText(c, p.at)}  vault "${p.vault}": prune: `;
      if (!p.ok) {
        report(p.thrown, p.error, `vault "${p.vault}": prune: `);
        io.stdout(`${head}failed: error[${p.error.code}] (tried again after the next backup)\n`);
        return;
      }
      const r = p.result;
      io.stdout(`${head}${pruneLine(r)}\n`);
      if (r.snapshotProblem) io.stdout(`  warning: ${r.snapshotProblem}\n`);
      if (r.gcSkipped) io.stdout(`  warning: data not collected: ${r.gcSkipped}\n`);
    };
    let failed = 0;
    if (!json && !io.quiet) io.stdout(`bkp run: ${scheduled.length === 1 ? "1 VM" : `${scheduled.length} VMs`} scheduled (${scheduled.map((s) => `"${s.vm.name}"`).join(", ")}); stop with Ctrl-C or SIGTERM\n`);
    try {
      const summary = await runScheduler<Outcome>({
        vms: scheduled,
        now,
        sleep,
        signal: stop.signal,
        fleet: { concurrency, maxDisksPerAccount: DISKS_PER_STORAGE_ACCOUNT.warn, jobOf: fleetJobOf },
        async runJob(job) {
          const backup = await runBackup(job);
          const prune = await runPrune(job);
          return prune ? { ...backup, prune } : backup;
        },
        onEvent(ev) {
          if (ev.kind === "next") {
            const zone = ev.vms[0].policy.zone;
            if (json) emit({ event: "next", vms: ev.vms.map((v) => v.name), at: utcIso(ev.at), local: clockFor(zone).localIso(ev.at) });
            else if (!io.quiet) io.stdout(`next run: ${ev.vms.map((v) => `vm "${v.name}"`).join(", ")} at ${inZone(zone, ev.at)}\n`);
            return;
          }
          if (ev.kind !== "job-done") return;
          const { job, outcome } = ev;
          const zone = job.vm.policy.zone;
          if (!outcome.ok) failed++;
          if (json) {
            emit({
              event: "backup",
              reason: job.reason,
              ...(job.run !== undefined ? { scheduled: utcIso(job.run) } : {}),
              startedAt: utcIso(job.startedAt),
              status: outcome.ok ? "backed-up" : "failed",
              ...(outcome.ok ? outcome.result : { error: outcome.error }),
              vm: job.vm.name,
            });
            if (outcome.prune) printPrune(outcome.prune, zone);
            return;
          }
          const c = clockFor(zone);
          const why = job.reason === "first" ? "first backup" : job.reason === "catch-up" && job.run !== undefined ? `catch-up of the ${shortLocal(c, job.run)} run` : "scheduled run";
          const head = `${shortLocal(c, job.startedAt)} ${offsetText(c, job.startedAt)}  vm "${job.vm.name}": ${why}: `;
          if (!outcome.ok) {
            io.stdout(`${head}failed: error[${outcome.error.code}]\n`);
          } else {
            const r = outcome.result;
            const sum = (k: "bytesRead" | "bytesChanged" | "bytesStored") => bytes(r.disks.reduce((s, d) => s + d[k], 0));
            io.stdout(`${head}point ${r.point} (${r.consistency.level} consistent) in ${seconds(r.seconds)}; read ${sum("bytesRead")}, changed ${sum("bytesChanged")}, stored ${sum("bytesStored")}\n`);
            for (const d of r.disks) for (const w of d.warnings) io.stdout(`  warning: disk "${d.disk}": ${w}\n`);
            if (r.jobLogProblem) io.stdout(`  warning: ${r.jobLogProblem}\n`);
          }
          if (outcome.prune) printPrune(outcome.prune, zone);
        },
      });
      if (json) emit({ event: "stopped", jobs: summary.jobs, failed, ...(stopSignal ? { signal: stopSignal } : {}) });
      else io.stdout(`stopped: ${summary.jobs === 1 ? "1 backup" : `${summary.jobs} backups`} run, ${failed} failed\n`);
      return failed ? 1 : 0;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
};
