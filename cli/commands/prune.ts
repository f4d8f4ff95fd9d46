import { pruneVault } from "../../src/engine/prune.js";
import { REPACK_BELOW } from "../../src/engine/repack.js";
import { parse, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { bytes, eachVault, engineVault, machineKeyFile, nowFrom, retentionByVault, selectVms } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp prune [--vm NAME] [--dry-run] [--json] FILE...

Expire recovery points by each VM's policy retention (daily / weekly / monthly / yearly rules,
the same code \`bkp plan\` predicts with, so the vault keeps exactly the points the plan shows),
then delete the data no remaining point references: unused block-map pages and packs none of
whose chunks is used. A pack whose live chunks are under 80 % of its bytes is repacked: its
live chunks are copied into new packs, which are committed before the old pack is deleted.
Packs with more live data are kept whole; their dead bytes are reported. The newest point of a
VM is always kept; --dry-run says why each point is kept or expires. Points of VMs that are not in the
policy files are left alone. Holds the vault's writer lock: a backup running at the same time
makes prune wait (2 s) and fail with BKP5010, never lose data. A running restore or verify
(which could otherwise find a point's data gone half-way) makes prune wait the same way and
fail with BKP5010 naming it; while prune runs, restores and verifies wait for it. --dry-run
deletes nothing and does not wait for readers.

Instant-restore snapshots (beside the vault, in <vault>.snapshots/) expire too: a point's
snapshot is deleted once the policy's \`instant-restore\` days have passed since the backup
(the same wall time N days later in the policy's zone, as bkp plan computes), when its point
expires, or when its point is gone. Backups expire snapshots the same way after each run.

Options:
  --vm NAME   only this VM's points
  --dry-run   say what would be expired and freed (points and snapshots); delete nothing
  --json      print one result per vault ({vault, kept, expired, snapshotsExpired, snapshotsKept,
              snapshotBytes, packsDeleted, bytesFreed, ...})
  -h, --help  show this help

Environment: BKP_NOW (ISO instant) sets the clock, for simulations.

Exit codes: 0 ok, 1 a vault could not be pruned (lock held by a backup, restore or verify;
wrong key), 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, "dry-run": { type: "boolean" }, json: { type: "boolean" } });
    const files = policyFiles(positionals, "prune");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const vms = selectVms(loaded.model, values.vm);
    const now = nowFrom(io);
    const byVault = retentionByVault(vms);
    const vaults = [...byVault].map(([vaultName, specs]) => {
      const v = loaded.model.vaults.get(vaultName);
      if (!v) throw new UsageError(`no vault "${vaultName}"`);
      return [vaultName, { v, specs }] as [string, { v: typeof v; specs: typeof specs }];
    });
    const { results, exit } = await eachVault(io, "prune", vaults, ({ v, specs }) => pruneVault(engineVault(v), specs, { machineKeyFile: machineKeyFile(io), now: () => now, dryRun: values["dry-run"] }));
    if (values.json) {
      io.stdout(JSON.stringify(results, null, 2) + "\n");
      return exit;
    }
    for (const r of results) {
      const would = r.dryRun ? "would " : "";
      io.stdout(`vault "${r.vault}" at ${r.now}: ${r.dryRun ? "dry run: " : ""}${r.expired.length} point(s) ${r.dryRun ? "would expire" : "expired"}, ${r.kept.length} kept\n`);
      for (const p of r.expired) io.stdout(`  expire ${p.vm} ${p.id}  (${p.reason})\n`);
      if (io.quiet) {
        // --quiet: what was deleted (above) and the warnings.
        for (const x of r.snapshotsExpired) io.stdout(`  ${would}delete snapshot ${x.vm} ${x.point}  (${x.reason})\n`);
        for (const w of [r.snapshotProblem, r.gcSkipped && `data not collected: ${r.gcSkipped}`, ...r.repackSkipped]) if (w) io.stdout(`  warning: ${w}\n`);
        continue;
      }
      for (const p of r.kept) io.stdout(`  keep   ${p.vm} ${p.id}  (${p.reason})\n`);
      const snapBytes = r.snapshotsExpired.reduce((s, x) => s + x.allocatedBytes, 0);
      io.stdout(`  instant-restore snapshots: ${r.snapshotsExpired.length} ${r.dryRun ? "would expire" : "expired"} (${bytes(snapBytes)}), ${r.snapshotsKept} kept (${bytes(r.snapshotBytes)})\n`);
      for (const x of r.snapshotsExpired) io.stdout(`  ${would}delete snapshot ${x.vm} ${x.point}  (${x.reason})\n`);
      if (r.snapshotProblem) io.stdout(`  warning: ${r.snapshotProblem}\n`);
      if (r.gcSkipped) io.stdout(`  data not collected: ${r.gcSkipped}\n`);
      else {
        io.stdout(`  ${would}delete ${r.packsDeleted} pack(s) (${bytes(r.bytesFreed)}) and ${r.mapsDeleted} block-map page(s)\n`);
        if (r.packsToRepack) io.stdout(`  ${would}repack ${r.packsToRepack} pack(s) with under ${REPACK_BELOW * 100} % live data (${bytes(r.bytesToRepack)} of live chunks copied into new packs)\n`);
        for (const x of r.repackSkipped) io.stdout(`  warning: ${x}\n`);
        if (r.packsPartlyLive) io.stdout(`  ${r.packsPartlyLive} pack(s) partly live: ${bytes(r.bytesReclaimableByRepack)} of dead chunks kept (live data at least ${REPACK_BELOW * 100} %, not worth a rewrite)\n`);
      }
      if (r.untouchedVms.length) io.stdout(`  left alone (not in these policy files): ${r.untouchedVms.join(", ")}\n`);
    }
    return exit;
  },
};
