import fs from "node:fs";
import path from "node:path";
import { findPoint, pointBek, restorePurpose, restoreVm, writePointBek } from "../../src/engine/restore.js";
import { DEFAULT_LOCK_WAIT_MS } from "../../src/engine/vault/lock.js";
import { acquireVaultReadLock, type VaultLock } from "../../src/engine/vault/vault-storage.js";
import { listPoints } from "../../src/engine/points.js";
import { restoreIntoAccounts } from "../../src/engine/restore-plan.js";
import type { AccountRestoreJob } from "../../src/engine/restore-plan.js";
import { EngineError, ErrorCodes } from "../../src/engine/errors.js";
import type { AdeKeysResult, DiskRestoreResult } from "../../src/engine/types.js";
import type { Model, RestorePoint, Vm } from "../../src/model/model.js";
import { spreadRestore } from "../../src/plan/spread.js";
import { oneOf, parse, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import type { Io } from "../io.js";
import { loadForAnalysis } from "./plan-common.js";
import { drillJunit, type DrillAccount } from "./restore-junit.js";
import { logRestores } from "../../src/engine/restore-log.js";
import type { NewJobRecord } from "../../src/engine/job-log.js";
import { ProgressView, bytes, engineVault, exitCodeForCodes, exitCodeForError, machineKeyFile, nowFrom, printEngineError, seconds, selectVms, snapshotTier } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp restore --vm NAME [--point ID|latest|instant] [--from auto|snapshot|vault] [--to DIR] [--keys DIR [--kek FILE]] [--force] [--json] FILE...
       bkp restore --plan NAME [--force] [--json] [--junit FILE] FILE...

Restore a VM's disks from a recovery point: each disk image is written byte-identical to what
was backed up, sparse (holes where the image had zeros), and verified as it is written (every
chunk is re-checked against its id). A disk that cannot be restored fails without leaving a
file; the other disks are still restored. Files are named after the disks (<disk>.<ext>).

Instant restore (docs/domain.md#timing): a point still in the instant-restore snapshot tier (taken less than
the policy's \`instant-restore\` days ago; see bkp points) is restored from its snapshot beside
the vault (<vault>.snapshots/) — the snapshot's full copy with the changes of the later
snapshots it builds on, each block checked against the point's checksums; no pack of the vault
is read. --point instant restores the
newest point in the tier. A disk whose snapshot file is missing or damaged comes back from the
vault instead, with a note (--from snapshot makes that an error, BKP5071). VHD images come back
as the same VHD file.

With --keys, the VM's Azure Disk Encryption BEK kept in the point is written into DIR too
(mode 0600). A BEK wrapped by a KEK comes back only with that KEK (--kek FILE, default the
VM's \`kek\` file when it can be read); a wrong or missing KEK is an error and nothing at all
is written (docs/domain.md#encryption).

With --plan, the VMs of the \`restore\` block NAME are restored into its storage accounts as
the analysis spreads them (bkp plan shows the same assignment): each VM into
<account path>/<vm>/<disk>.<ext>; accounts restore in parallel, VMs of one account one after
another (docs/domain.md#timing). Every account needs a \`path\`. Prints, per account, its VMs and disks
and the predicted against the actual seconds. A block's \`point instant\` restores each VM's
newest point in the snapshot tier, from its snapshot. Each VM's part of the drill is kept in its
vault's job log (\`bkp jobs\`: the account it went into, the account's predicted and measured
seconds); --junit FILE also writes the drill as a JUnit XML report for CI (a test suite per
storage account, a test case per VM: restored, verified, measured vs predicted).

Restores and a running \`bkp prune\` exclude each other (prune deletes expired points and their
data): a restore waits for a running prune (2 s) and then fails with BKP5010, writing nothing;
a prune started during a restore fails the same way. Backups and other restores run alongside.

Options:
  --vm NAME          the VM to restore (required without --plan)
  --point ID|latest|instant
                     the recovery point (default latest; see bkp points); instant: the newest
                     point in the instant-restore snapshot tier (BKP5070 when there is none)
  --from auto|snapshot|vault
                     where the data comes from: auto (default) the point's snapshot when it has
                     one, else the vault; snapshot: only the snapshot; vault: only the vault
  --to DIR           folder to write the images to (default: each disk's storage account path)
  --keys DIR         also restore the point's ADE BEK into DIR
  --kek FILE         the KEK that wrapped the BEK (default: the VM's kek file)
  --plan NAME        restore the VMs of a restore block into its storage accounts
  --junit FILE       with --plan: write the drill as a JUnit XML report to FILE
  --force            overwrite existing files
  --json             print the result ({vm, point, ok, disks: [{disk, path, ok, from, note?,
                     error?}], keys?}; with --plan {plan, ok, seconds, predictedSeconds,
                     accounts: [...]})
  -h, --help         show this help

Environment: BKP_NOW (ISO instant) sets the clock that decides which snapshots have expired.

Exit codes: 0 ok, 1 a disk could not be restored (or a key refused, or no snapshot for
--point instant / --from snapshot, or a prune holds the vault), 2 usage or I/O error (the
target folder full or not writable included).
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      vm: { type: "string" },
      point: { type: "string" },
      to: { type: "string" },
      keys: { type: "string" },
      kek: { type: "string" },
      plan: { type: "string" },
      from: { type: "string" },
      force: { type: "boolean" },
      json: { type: "boolean" },
      junit: { type: "string" },
    });
    const from = oneOf(values.from, ["auto", "snapshot", "vault"] as const, "--from", "auto");
    if (values.point === "instant" && from === "vault") throw new UsageError("--point instant restores from the instant-restore snapshot; it cannot be combined with --from vault (give the point's id instead)");
    if (!positionals.length) throw new UsageError("bkp restore needs a policy file");
    if (values.plan !== undefined) {
      for (const flag of ["vm", "point", "to", "keys", "kek", "from"] as const) {
        if (values[flag] !== undefined) throw new UsageError(`--plan restores what the restore block says; --${flag} cannot be combined with it`);
      }
      const loaded = loadForAnalysis(io, policyFiles(positionals, "restore"));
      if (!loaded.ok) return loaded.code;
      return runPlan(io, loaded.model, values.plan, values.force === true, values.json === true, values.junit === undefined ? undefined : path.resolve(io.cwd, values.junit));
    }
    if (values.junit !== undefined) throw new UsageError("--junit reports a restore drill: give it with --plan NAME");
    if (!values.vm) throw new UsageError("bkp restore needs --vm NAME (or --plan NAME)");
    if (values.kek !== undefined && values.keys === undefined) throw new UsageError("--kek is only used with --keys DIR (restoring the ADE keys)");
    const loaded = loadForAnalysis(io, policyFiles(positionals, "restore"));
    if (!loaded.ok) return loaded.code;
    const [vm] = selectVms(loaded.model, values.vm);
    const vault = engineVault(vm.vault);
    const keyFile = machineKeyFile(io);
    const view = new ProgressView(io, io.isTTY && !values.json);
    const now = nowFrom(io);
    const tier = snapshotTier(vm);
    let lock: VaultLock | undefined;
    try {
      // One read lock from the point's lookup to the last disk (and the key): a prune starting
      // between this command's steps could otherwise expire the point after some disks are written.
      lock = await acquireVaultReadLock(vault, restorePurpose(vm.name), DEFAULT_LOCK_WAIT_MS);
      const point = await findPoint(vault, vm.name, values.point ?? "latest", { machineKeyFile: keyFile, now: () => now, instantRestore: tier });
      // DOMAIN §3: the BEK is unwrapped before anything is written, so a wrong or missing KEK
      // leaves no files at all (no key, no disks).
      let bek: Buffer | undefined;
      if (values.keys !== undefined) {
        const kek = values.kek !== undefined ? path.resolve(io.cwd, values.kek) : vm.ade?.kek;
        bek = pointBek(point, kek);
      }
      // Where each disk goes: --to, or the folder of the disk's storage account.
      const groups = new Map<string, string[]>();
      for (const d of point.disks) {
        const dir = values.to ? path.resolve(io.cwd, values.to) : vm.disks.find((x) => x.name === d.name)?.storageAccount?.path;
        if (!dir) throw new UsageError(`disk "${d.name}" of VM "${vm.name}" has no storage account with a path to restore into; give --to DIR`);
        groups.set(dir, [...(groups.get(dir) ?? []), d.name]);
      }
      const disks: DiskRestoreResult[] = [];
      let secs = 0;
      for (const [dir, names] of groups) {
        const r = await restoreVm(
          vault,
          { vm: vm.name, point: point.id, toDir: dir, overwrite: values.force, disks: names, from, instantRestore: tier },
          { machineKeyFile: keyFile, onProgress: view.onProgress, now: () => now },
        );
        disks.push(...r.disks);
        secs += r.seconds;
      }
      let keys: AdeKeysResult | undefined;
      if (bek && values.keys !== undefined) keys = writePointBek(point, bek, path.resolve(io.cwd, values.keys), values.force);
      const ok = disks.every((d) => d.ok);
      if (values.json) io.stdout(JSON.stringify({ vm: vm.name, point: point.id, ok, seconds: secs, disks, ...(keys ? { keys } : {}) }, null, 2) + "\n");
      else {
        const via = disks.every((d) => d.from === "snapshot") ? " from its instant-restore snapshot" : disks.some((d) => d.from === "snapshot") ? " from its instant-restore snapshot and the vault" : "";
        io.stdout(`vm "${vm.name}": point ${point.id} (${point.createdAt}) ${ok ? "restored" : "restored with failures"}${via} in ${seconds(secs)}\n`);
        const w = Math.max(...disks.map((d) => d.disk.length));
        for (const d of disks) {
          if (d.ok) io.stdout(`  ${d.disk.padEnd(w)}  ${bytes(d.imageBytes).padStart(10)}  -> ${d.path}${d.from === "snapshot" ? "  (from instant-restore snapshot)" : ""}\n`);
          else io.stderr(`bkp restore: error[${d.error?.code}]: ${d.error?.message}\n`);
          if (d.note && !io.quiet) io.stdout(`    note: ${d.note}\n`);
        }
        if (keys) io.stdout(`  ADE BEK (${keys.wrap === "kek" ? "unwrapped with the KEK" : "kept under the vault key"}, ${keys.bytes} bytes, mode 0600) -> ${keys.path}\n`);
      }
      return ok ? 0 : exitCodeForCodes(disks.filter((d) => !d.ok).map((d) => d.error?.code));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      printEngineError(io, "restore", e);
      return exitCodeForError(e);
    } finally {
      await lock?.release();
    }
  },
};

/** The point a restore block names, as a point id or "latest", for one VM. */
async function pointFor(vm: Vm, p: RestorePoint, keyFile: string | undefined): Promise<{ point: string; note?: string }> {
  if (p.kind === "latest") return { point: "latest" };
  if (p.kind === "id") return { point: p.id };
  // DOMAIN §4: the newest point in the instant-restore snapshot tier, restored from its snapshot.
  if (p.kind === "instant") return { point: "instant" };
  // `point YYYY-MM-DDTHH:MM` is read as UTC, as `bkp points` shows times: the newest point at or before it.
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(p.iso) ? p.iso : `${p.iso}Z`);
  if (Number.isNaN(at)) throw new UsageError(`restore point time '${p.iso}' is not a date-time`);
  const pts = await listPoints(engineVault(vm.vault), { vm: vm.name }, { machineKeyFile: keyFile });
  const before = pts.filter((x) => Date.parse(x.createdAt) <= at);
  const last = before[before.length - 1];
  if (!last) {
    throw new EngineError(
      ErrorCodes.POINT_NOT_FOUND,
      `VM "${vm.name}" has no recovery point at or before ${new Date(at).toISOString()} (UTC); its first is ${pts[0]?.createdAt ?? "none"}.`,
    );
  }
  return { point: last.id };
}

async function runPlan(io: Io, model: Model, name: string, force: boolean, json: boolean, junit: string | undefined): Promise<number> {
  const spec = model.restores.get(name);
  if (!spec) throw new UsageError(`no restore block named "${name}" in these policy files; they define ${[...model.restores.keys()].map((n) => `"${n}"`).join(", ") || "none"}`);
  // The same assignment `bkp plan` shows and predicts times for.
  const spread = spreadRestore(spec, model.assumptions);
  const noAccounts = spread.violations.find((v) => v.kind === "no-accounts");
  if (noAccounts) throw new UsageError(noAccounts.message);
  // Checked before anything is written: every account of the block must say where its disks go.
  const noPath = spec.into.filter((a) => !a.path);
  if (noPath.length) {
    throw new UsageError(
      `restore "${name}": storage account${noPath.length > 1 ? "s" : ""} ${noPath.map((a) => `"${a.name}"`).join(", ")} ha${noPath.length > 1 ? "ve" : "s"} no path; ` +
        `add \`path "DIR"\` to ${noPath.length > 1 ? "them" : "it"} so the local engine knows where to write restored disks. Nothing was written.`,
    );
  }
  const keyFile = machineKeyFile(io);
  const view = new ProgressView(io, io.isTTY && !json);
  const notes = spread.violations.map((v) => v.message);
  try {
    const jobs: AccountRestoreJob[] = [];
    for (const a of spread.accounts) {
      const vms = [];
      for (const rv of a.vms) {
        const p = await pointFor(rv.vm, spec.point, keyFile);
        if (p.note && !notes.includes(p.note)) notes.push(p.note);
        vms.push({ vm: rv.vm.name, vault: engineVault(rv.vm.vault), point: p.point, instantRestore: snapshotTier(rv.vm) });
      }
      if (vms.length) jobs.push({ account: a.account.name, dir: a.account.path ?? "", vms });
    }
    const now = nowFrom(io);
    const startedAt = new Date();
    const res = await restoreIntoAccounts(jobs, { overwrite: force, machineKeyFile: keyFile, onProgress: view.onProgress, now: () => now });
    const accounts = spread.accounts.map((a) => {
      const r = res.accounts.find((x) => x.account === a.account.name);
      return {
        account: a.account.name,
        path: a.account.path ?? "",
        rate: a.rate,
        rateBasis: a.rateBasis,
        predictedSeconds: a.seconds,
        seconds: r?.seconds ?? 0,
        ok: r?.ok ?? true,
        vms: (r?.vms ?? []).map((v) => ({ vm: v.vm, dir: v.dir, point: v.point, ok: v.ok, seconds: v.seconds ?? 0, disks: v.disks ?? [], ...(v.error ? { error: v.error } : {}) })),
      };
    });
    // The drill in each VM's job log (per account: predicted and measured), then the JUnit report.
    const logProblems = await logDrill(model, name, accounts, startedAt, keyFile);
    if (junit) {
      try {
        fs.writeFileSync(junit, drillJunit(name, accounts.map((a) => ({ ...a, vms: a.vms })), res.seconds, startedAt.toISOString()));
      } catch (e) {
        throw new UsageError(`--junit: cannot write ${junit}: ${(e as Error).message}`);
      }
    }
    if (json) {
      io.stdout(JSON.stringify({ plan: name, ok: res.ok, seconds: res.seconds, predictedSeconds: spread.seconds, notes, accounts, ...(logProblems.length ? { jobLogProblems: logProblems } : {}) }, null, 2) + "\n");
      return res.ok ? 0 : 1;
    }
    for (const p of logProblems) io.stdout(`  warning: error[BKP5076]: ${p}\n`);
    if (junit) io.stdout(`  JUnit report: ${junit}\n`);
    const nVms = accounts.reduce((s, a) => s + a.vms.length, 0);
    io.stdout(`restore "${name}": ${nVms} VM${nVms === 1 ? "" : "s"} into ${jobs.length} storage account${jobs.length === 1 ? "" : "s"} in parallel ${res.ok ? "restored" : "restored with failures"} in ${seconds(res.seconds)} (predicted ${seconds(spread.seconds)})\n`);
    if (!io.quiet) for (const n of notes) io.stdout(`  note: ${n}\n`);
    for (const a of accounts) {
      io.stdout(`  account "${a.account}" -> ${a.path}: predicted ${seconds(a.predictedSeconds)} at ${(a.rate / 1e6).toFixed(1)} MB/s (${a.rateBasis}), actual ${seconds(a.seconds)}\n`);
      if (!a.vms.length) io.stdout(`    (no VMs)\n`);
      for (const v of a.vms) {
        if (!v.ok && v.error) {
          io.stderr(`bkp restore: error[${v.error.code}]: VM "${v.vm}": ${v.error.message}\n`);
          io.stdout(`    vm "${v.vm}": failed\n`);
          continue;
        }
        io.stdout(`    vm "${v.vm}": point ${v.point} in ${seconds(v.seconds)}\n`);
        for (const d of v.disks) {
          if (d.ok) io.stdout(`      ${d.disk}  ${bytes(d.imageBytes).padStart(10)}  -> ${d.path}${d.from === "snapshot" ? "  (from instant-restore snapshot)" : ""}\n`);
          else io.stderr(`bkp restore: error[${d.error?.code}]: ${d.error?.message}\n`);
          if (d.note && !io.quiet) io.stdout(`        note: ${d.note}\n`);
        }
      }
    }
    return res.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    printEngineError(io, "restore", e);
    return exitCodeForError(e);
  }
}

/** Each VM's part of a drill as a job log record in its vault (kind "restore"); the problems of vaults that could not take them. */
async function logDrill(model: Model, plan: string, accounts: DrillAccount[], startedAt: Date, keyFile: string | undefined): Promise<string[]> {
  const byVault = new Map<string, NewJobRecord[]>();
  for (const a of accounts) {
    for (const v of a.vms) {
      const vm = model.vms.get(v.vm);
      if (!vm) continue;
      const rec: NewJobRecord = {
        kind: "restore",
        vm: v.vm,
        vault: vm.vault.name,
        status: v.ok ? "completed" : "failed",
        ...(v.ok && v.point ? { point: v.point } : {}),
        startedAt: startedAt.toISOString(),
        finishedAt: new Date(startedAt.getTime() + Math.round(v.seconds * 1000)).toISOString(),
        seconds: v.seconds,
        disks: [],
        restore: { plan, account: a.account, accountPredictedSeconds: a.predictedSeconds, accountSeconds: a.seconds, disks: v.disks.map((d) => ({ name: d.disk, bytes: d.imageBytes, ...(d.from ? { from: d.from as "snapshot" | "vault" } : {}), ok: d.ok })) },
        ...(v.error ? { error: v.error } : {}),
      };
      byVault.set(vm.vault.name, [...(byVault.get(vm.vault.name) ?? []), rec]);
    }
  }
  const problems: string[] = [];
  for (const [name, recs] of byVault) {
    const p = await logRestores(engineVault(model.vaults.get(name)!), recs, { machineKeyFile: keyFile });
    if (p) problems.push(p);
  }
  return problems;
}
