import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultMachineKeyFile } from "../../src/engine/vault/keys.js";
import { backupVm } from "../../src/engine/index.js";
import type { EngineVault, VmBackupResult } from "../../src/engine/types.js";
import { listPoints } from "../../src/engine/points.js";
import { isDue, nextRun } from "../../src/plan/due.js";
import { utcIso } from "../../src/plan/time.js";
import { runFleet } from "../../src/engine/fleet.js";
import { DISKS_PER_STORAGE_ACCOUNT } from "../../src/model/limits.js";
import type { Vm } from "../../src/model/model.js";
import { parse, positiveInt } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import type { Io } from "../io.js";
import { loadForAnalysis } from "./plan-common.js";
import { predictFor } from "./measurements.js";
import { DEFAULT_CONCURRENCY, fleetJobOf, ProgressView, bytes, engineVault, engineVm, exitCodeForError, machineKeyFile, nowFrom, printEngineError, seconds, selectVms, snapshotLines } from "./engine-common.js";

type Status = "backed-up" | "not-due" | "not-protected" | "no-images" | "failed";

interface VmOutcome {
  vm: string;
  status: Status;
  detail?: string;
  result?: VmBackupResult;
  error?: { code: string; message: string };
}

/** Said once, when a backup creates a vault (as restic does at init): where its key is, and what it needs. */
function newVaultNotice(v: EngineVault, machineKey: string | undefined): string {
  const wrapper = v.encryption.kind === "customer-key" ? `the customer key file ${v.encryption.keyFile}` : `the machine secret ${machineKey ?? defaultMachineKeyFile()}`;
  return (
    `bkp backup: created vault "${v.name}" in ${v.path}. Its data is encrypted with a key kept in ${join(v.path, "keys", "vault.key")}, ` +
    `wrapped by ${wrapper}. Without that secret the vault cannot be read by anyone: keep a copy away from this machine, ` +
    `or write a recovery key with 'bkp key export --vault ${v.name} --to FILE' (bkp key --help).\n`
  );
}

export const command: Command = {
  help: `Usage: bkp backup [--vm NAME] [--now] [--json] FILE...

Back up the VMs of a policy set into their vaults with the local engine: each disk's \`image\`
(temporary and excluded disks are never backed up). A VM is due when its policy's latest
scheduled run has no recovery point yet (a VM without points is always due); --now backs up
every selected VM regardless. The first backup of a disk is full; later ones read only
what changed: an image whose size, times and inode are unchanged is not read at all, others
are compared block by block and only changed blocks are stored. Disks of a VM run in parallel.
A VM's \`scripts\` (pre/post) run around the read of its images, with their timeout, retries
and continue-on-failure; each point records its consistency level and why (docs/domain.md#consistency).
A VM with \`encryption ade\` keeps its BEK in every point, wrapped by its KEK (docs/domain.md#encryption); a
BEK or KEK file that cannot be read fails that VM with no point.
VHD images (fixed or dynamic) are backed up as the virtual disk they hold; restore writes
the same kind of VHD.
Instant restore (docs/domain.md#timing, docs/domain.md#billing): each backup keeps a snapshot of the images beside the vault
(<vault>.snapshots/<vm>/<point>/): a reflink where the file system has one; else the first a
sparse copy and each later one only the 64 KiB pieces that changed since the previous snapshot
(nothing for an unchanged image), so the snapshots take about the image data plus the churn.
It keeps them for the policy's \`instant-restore\` days, and deletes the snapshots that expired
(folding what later ones still need into them); it prints the space they take. An unchanged
image is skipped only while the previous point's snapshot exists: when it is gone (expired,
deleted by hand), every block is read and compared by checksum, and the result says why.
Before each backup, what \`bkp plan\` predicts for it (the local engine model: each disk's
change-detection path, bytes and seconds) is kept in its job log record, beside what it
measured (\`bkp jobs\` shows both and the error).

Options:
  --vm NAME   only this VM
  --now       back up now, whether due or not
  --concurrency N
              back up up to N VMs at once (default: the number of cores, at most 4). VMs of
              one vault run one after another (one writer per vault), and never more than 5
              disks of one storage account are read at once (more throttle the account)
  --json      print one result object per VM (bytes read, changed, stored, seconds, and the
              change detection used per disk: unchanged-file, extent-compare, block-checksum
              or full, with
              detectionReason when checksum comparison was forced; snapshot: the tier's part)
  -h, --help  show this help

Environment: BKP_MACHINE_SECRET names the file of the machine secret that wraps platform keys
(default ~/.config/bkp/machine.key, created on first use).

Exit codes: 0 ok, 1 a backup failed, 2 usage or I/O error (missing image, full disk).
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, now: { type: "boolean" }, json: { type: "boolean" }, concurrency: { type: "string" } });
    const files = policyFiles(positionals, "backup");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const vms = selectVms(loaded.model, values.vm);
    const now = nowFrom(io);
    const keyFile = machineKeyFile(io);
    const view = new ProgressView(io, io.isTTY && !values.json);
    const concurrency = positiveInt(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY);
    let exit = 0;
    const backupOne = async (vm: Vm): Promise<VmOutcome> => {
      const { vm: evm, skipped } = engineVm(vm);
      if (vm.protection !== "active") return { vm: vm.name, status: "not-protected", detail: `protection is ${vm.protection}` };
      if (!evm.disks.length) return { vm: vm.name, status: "no-images", detail: "no disk has an `image` to back up" };
      const vault = engineVault(vm.vault);
      try {
        if (!values.now) {
          const pts = await listPoints(vault, { vm: vm.name }, { machineKeyFile: keyFile }).catch((e: unknown) => {
            if ((e as { code?: string }).code === "BKP5011") return []; // no vault yet: first backup
            throw e;
          });
          const latest = pts[pts.length - 1];
          // The due rule `bkp run` shares (src/plan/due.ts, DOMAIN §1.1).
          if (latest && !isDue(vm, Date.parse(latest.createdAt), now.getTime()).due) {
            const next = nextRun(vm, now.getTime());
            return { vm: vm.name, status: "not-due", detail: `latest point ${latest.id} (${latest.createdAt})${next ? `; next run ${utcIso(next)}` : ""}` };
          }
        }
        // The plan's prediction for this job goes into its job log record (bkp jobs: predicted vs measured).
        const prediction = await predictFor(loaded.model, vm, now.getTime(), io);
        // A directory vault this backup creates: say once where its key is (a blob vault's creation is not seen here).
        const created = !vault.blob && !existsSync(join(vault.path, "config"));
        const result = await backupVm(vault, evm, { now: () => now, machineKeyFile: keyFile, onProgress: view.onProgress, prediction });
        if (created) io.stderr(newVaultNotice(vault, keyFile));
        return { vm: vm.name, status: "backed-up", result, detail: skipped.length ? `disks without an image, not backed up: ${skipped.join(", ")}` : undefined };
      } catch (e) {
        if (!values.json) printEngineError(io, "backup", e, `VM "${vm.name}": `);
        else printEngineError({ ...io, stderr: () => undefined }, "backup", e);
        const code = (e as { code?: string }).code ?? "BKP5090";
        exit = Math.max(exit, exitCodeForError(e));
        return { vm: vm.name, status: "failed", error: { code, message: (e as Error).message } };
      }
    };
    // Several VMs at once (the fleet runner): one writer per vault, and never more disks of one
    // storage account at once than the analysis' storage-account rule allows.
    const jobs = vms.map((vm) => ({ vm, ...fleetJobOf(vm) }));
    const outcomes = await runFleet(jobs, { concurrency, maxDisksPerAccount: DISKS_PER_STORAGE_ACCOUNT.warn }, (j) => backupOne(j.vm));
    view.reset();
    if (values.json) {
      io.stdout(JSON.stringify(outcomes.map((o) => ({ vm: o.vm, status: o.status, ...(o.detail ? { detail: o.detail } : {}), ...(o.result ?? {}), ...(o.error ? { error: o.error } : {}) })), null, 2) + "\n");
      return exit;
    }
    for (const o of outcomes) {
      if (o.status === "backed-up" && o.result) {
        const r = o.result;
        io.stdout(`vm "${r.vm}": point ${r.point} in vault "${r.vault}" (${r.consistency.level} consistent) in ${seconds(r.seconds)}\n`);
        if (io.quiet) {
          // --quiet: the point (above) and every warning; no per-disk figures or notes.
          for (const d of r.disks) for (const warn of d.warnings) io.stdout(`  warning: disk "${d.disk}": ${warn}\n`);
          if (r.jobLogProblem) io.stdout(`  warning: ${r.jobLogProblem}\n`);
          for (const w of r.warnings ?? []) io.stdout(`  warning: ${w}\n`);
          continue;
        }
        io.stdout(`  consistency: ${r.consistency.reason}\n`);
        if (r.adeKeys) io.stdout(`  ADE keys: ${r.adeKeys === "bek+kek" ? "BEK stored wrapped by the KEK" : "BEK stored under the vault key (no KEK)"}\n`);
        const w = Math.max(...r.disks.map((d) => d.disk.length));
        for (const d of r.disks) {
          io.stdout(
            `  ${d.disk.padEnd(w)}  ${bytes(d.imageBytes).padStart(10)}  ${d.detection.padEnd(14)}  read ${bytes(d.bytesRead)}, changed ${bytes(d.bytesChanged)}, stored ${bytes(d.bytesStored)}${d.deltaChunks ? ` (${d.deltaChunks} block(s) as deltas of their changed 64 KiB grains)` : ""}, ${seconds(d.seconds)}\n`,
          );
          for (const warn of d.warnings) io.stdout(`    warning: ${warn}\n`);
          if (d.detectionReason) io.stdout(`    checksum comparison: ${d.detectionReason}\n`);
        }
        if (r.snapshot) for (const line of snapshotLines(r.snapshot)) io.stdout(`  ${line}\n`);
        if (o.detail) io.stdout(`  note: ${o.detail}\n`);
        if (r.jobLogProblem) io.stdout(`  warning: ${r.jobLogProblem}\n`);
        for (const w of r.warnings ?? []) io.stdout(`  warning: ${w}\n`);
      } else if (o.status !== "failed" && !io.quiet) {
        io.stdout(`vm "${o.vm}": ${o.status.replace("-", " ")}: ${o.detail ?? ""}\n`);
      }
    }
    return exit;
  },
};
