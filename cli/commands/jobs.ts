import { readJobLogs, JOB_LOG_KEEP } from "../../src/engine/job-log.js";
import type { JobRecord } from "../../src/engine/job-log.js";
import { parse, positiveInt, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { errorPercent } from "../../src/analyze/prediction.js";
import { bytes, engineVault, exitCodeForError, machineKeyFile, printEngineError, seconds, selectVms } from "./engine-common.js";

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Predicted vs measured seconds of a record: a backup's own, a restore drill's account's. */
function figures(r: Pick<JobRecord, "restore" | "predicted" | "seconds">): { predicted?: number; measured: number; error?: number } {
  if (r.restore) {
    const x = r.restore;
    return { predicted: x.accountPredictedSeconds, measured: x.accountSeconds, error: x.accountSeconds > 0 ? ((x.accountPredictedSeconds - x.accountSeconds) / x.accountSeconds) * 100 : undefined };
  }
  return { predicted: r.predicted?.seconds, measured: r.seconds, error: errorPercent(r) };
}

/** Whether the engine took another change-detection path than predicted for some disk. */
function pathDiffers(r: JobRecord): boolean {
  return (r.predicted?.disks ?? []).some((p) => {
    const d = r.disks.find((x) => x.name === p.name);
    return d !== undefined && d.detection !== p.detection;
  });
}

export const command: Command = {
  help: `Usage: bkp jobs [--vm NAME] [--last N] [--json] FILE...

The backup jobs the engine ran for the policy set's VMs, from the job log kept in their vaults
(the last ${JOB_LOG_KEEP} jobs per VM): start (UTC), status (completed, completed-with-warnings,
failed), how long it took, what the plan predicted for it (recorded by \`bkp backup\` and \`bkp run\`
before the job ran, by the local engine model of docs/analysis-model.md) and the error
(predicted − measured, in percent of the measured time; "other path" when a disk's change
detection was not the predicted one), bytes read (scanned), changed and newly stored over its
disks, the change detection of each disk, and the recovery point written or the error.
\`bkp backup\` and \`bkp run\` append one record per job; a restore drill (\`bkp restore
--plan\`) one per VM, shown as "restore" with its storage account's measured and predicted
time; \`bkp plan\` sets the latest beside its predictions.

Options:
  --vm NAME   only this VM
  --last N    only each VM's last N jobs
  --json      print an array of job records ({vault, seq, vm, status, point?, startedAt,
              finishedAt, seconds, workerStartSeconds?, consistency?, disks[{name, detection,
              imageBytes, bytesRead, bytesChanged, bytesStored, bytesZero, seconds,
              detectionReason?}], warnings?,
              error?{code, message}, predicted?{model, seconds, disks[{name, detection,
              bytesRead, bytesChanged, seconds}]}, errorPercent?})
  -h, --help  show this help

A record that cannot be read is reported (BKP5075) and the others are still listed.

Exit codes: 0 ok, 1 a record or vault could not be read (damage, wrong key), 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, last: { type: "string" }, json: { type: "boolean" } });
    const last = values.last === undefined ? undefined : positiveInt(values.last, "--last", 1);
    const files = policyFiles(positionals, "jobs");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const vms = selectVms(loaded.model, values.vm);
    const byVault = new Map<string, string[]>();
    for (const vm of vms) byVault.set(vm.vault.name, [...(byVault.get(vm.vault.name) ?? []), vm.name]);
    const rows: (JobRecord & { vault: string })[] = [];
    let exit = 0;
    for (const [vaultName, names] of byVault) {
      const v = loaded.model.vaults.get(vaultName);
      if (!v) throw new UsageError(`no vault "${vaultName}"`);
      try {
        for (const log of await readJobLogs(engineVault(v), names, { machineKeyFile: machineKeyFile(io), limit: last })) {
          rows.push(...log.records.map((r) => ({ ...r, vault: vaultName })));
          for (const p of log.problems) {
            io.stderr(`bkp jobs: error[${p.code}]: vault "${vaultName}", VM "${log.vm}": ${p.problem}\n`);
            exit = Math.max(exit, 1);
          }
        }
      } catch (e) {
        if ((e as { code?: string }).code === "BKP5011") continue; // no backups in this vault yet
        printEngineError(io, "jobs", e, `vault "${vaultName}": `);
        exit = Math.max(exit, exitCodeForError(e));
      }
    }
    if (values.json) {
      io.stdout(JSON.stringify(rows.map(({ format: _f, version: _v, ...r }) => ({ ...r, ...(figures(r).error !== undefined ? { errorPercent: round1(figures(r).error!) } : {}) })), null, 2) + "\n");
      return exit;
    }
    if (!rows.length) {
      if (!io.quiet) io.stdout("no backup jobs recorded\n");
      return exit;
    }
    const table = [["JOB", "VM", "VAULT", "STARTED (UTC)", "STATUS", "TIME", "PREDICTED", "ERROR", "READ", "CHANGED", "STORED", "DETECTION", "SNAPSHOT", "POINT / ERROR"]];
    const sum = (r: JobRecord, k: "bytesRead" | "bytesChanged" | "bytesStored") => bytes(r.disks.reduce((s, d) => s + d[k], 0));
    for (const r of rows) {
      const detection = r.restore ? "restore" : [...new Set(r.disks.map((d) => d.detection))].join(",") || "-";
      const what = r.restore ? `restore "${r.restore.plan}" into account "${r.restore.account}" (VM ${seconds(r.seconds)}): ` : "";
      const result = what + (r.error ? `error[${r.error.code}]: ${r.error.message}` : (r.point ?? "-"));
      const f = figures(r);
      const err = f.error;
      const predicted = f.predicted !== undefined ? `${seconds(f.predicted)}${pathDiffers(r) ? " (other path)" : ""}` : "-";
      table.push([String(r.seq), r.vm, r.vault, r.startedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"), r.status, seconds(f.measured), predicted, err === undefined ? "-" : `${err >= 0 ? "+" : ""}${err.toFixed(0)}%`, sum(r, "bytesRead"), sum(r, "bytesChanged"), sum(r, "bytesStored"), detection, snapshotCell(r), result]);
    }
    const right = new Set([0, 5, 6, 7, 8, 9, 10]);
    const w = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) io.stdout(r.map((c, i) => (right.has(i) ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd() + "\n");
    for (const r of rows) for (const warn of r.warnings ?? []) io.stdout(`warning: job ${r.seq} of VM "${r.vm}": ${warn}\n`);
    return exit;
  },
};

/** The instant-restore tier's part of a job: how each disk's snapshot was made, and the tier's own seconds. */
function snapshotCell(r: JobRecord): string {
  const methods = [...new Set(r.disks.flatMap((d) => (d.snapshot ? [d.snapshot.method] : [])))];
  if (!methods.length) return "-";
  return `${methods.join(",")}${r.snapshotSeconds !== undefined ? ` ${seconds(r.snapshotSeconds)}` : ""}`;
}
