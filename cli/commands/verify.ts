import { verifyVault } from "../../src/engine/verify.js";
import type { VerifyResult } from "../../src/engine/types.js";
import { parse } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import type { Io } from "../io.js";
import { loadForAnalysis } from "./plan-common.js";
import { ProgressView, bytes, eachVault, engineVault, machineKeyFile, nowFrom, seconds, snapshotTier } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp verify [--read-data] [--json] FILE...

Check the integrity of every vault the policy set names (vaults with a path): each recovery
point's manifest, block maps and chunk references, and that every pack is present and whole.
With --read-data every chunk is also read, decrypted and re-checked against its id. Damage is
reported with the recovery points and disks it affects, and damaged chunks are recorded in the
vault so the next backup stores those blocks again; \`bkp repair\` fixes what the vault's own
copies can. A pack without an index is never deleted: the next backup or \`bkp repair\` rebuilds
its index from the pack. Verify waits for a running \`bkp prune\` (2 s; then
BKP5010 for that vault), and a prune waits for a running verify; backups run alongside.

The instant-restore snapshots beside each vault (<vault>.snapshots/) are checked too: each live
snapshot's record is readable, names this vault and a committed point, and each disk file is
there with the size that was copied; with --read-data every block of every snapshot file is
compared with the point's checksums, as a restore from the snapshot does, and the first
differing byte offset is named per disk. A damaged snapshot is error BKP5071, reported apart
from vault damage: the vault's copy is not affected, and a restore takes that disk from the
vault instead. Expired snapshots not yet deleted and temporary (.tmp-) folders are notes.

Options:
  --read-data  read and check every chunk and every snapshot block (slower: reads it all)
  --json       print an array of results, one per vault ({vault, ok, damage: [{kind, object,
               problem, affects: [{vm, point, disks}]}], notes, snapshotsOk, snapshots: [{vm,
               point, dir, ok, disks, problems: [{code, disk, offset, message}]}], ...});
               ok is the vault's alone, snapshotsOk the snapshots'
  -h, --help   show this help

Exit codes: 0 no damage, 1 damage found — in a vault, or in an instant-restore snapshot (BKP5071;
the vault is intact then unless damage is listed for it) — or a vault cannot be opened, or a
prune holds it; 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { "read-data": { type: "boolean" }, json: { type: "boolean" } });
    const files = policyFiles(positionals, "verify");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const view = new ProgressView(io, io.isTTY && !values.json);
    const now = nowFrom(io);
    // Snapshot expiry by the current policy, as restore and points judge it.
    const tiers = new Map([...loaded.model.vms.values()].map((vm) => [vm.name, snapshotTier(vm)]));
    const vaults = [...loaded.model.vaults.values()].filter((v) => v.path || v.blob).map((v) => [v.name, v] as [string, typeof v]);
    const { results, exit } = await eachVault(
      io,
      "verify",
      vaults,
      (v) => verifyVault(engineVault(v), { readData: values["read-data"], machineKeyFile: machineKeyFile(io), onProgress: view.onProgress, now: () => now, instantRestore: tiers }),
      // A damaged snapshot fails verify like vault damage (exit 1): its restores are slower and
      // its storage may be failing; the messages say the vault's copy is intact.
      (r) => !r.ok || !r.snapshotsOk,
      () => view.reset(),
    );
    if (values.json) {
      io.stdout(JSON.stringify(results, null, 2) + "\n");
      return exit;
    }
    for (const r of results) {
      const what = r.readData ? `, ${r.chunksChecked} chunks (${bytes(r.bytesChecked)}) read and checked` : "";
      io.stdout(`vault "${r.vault}": ${r.ok ? "ok" : `DAMAGED (${r.damage.length} problem${r.damage.length === 1 ? "" : "s"})`}: ${r.points} recovery points${what}, ${seconds(r.seconds)}\n`);
      for (const d of r.damage) {
        io.stdout(`  damaged ${d.kind} ${d.object}: ${d.problem}\n`);
        for (const a of d.affects) io.stdout(`    affects VM "${a.vm}" point ${a.point}, disk${a.disks.length === 1 ? "" : "s"} ${a.disks.join(", ")}\n`);
      }
      // --quiet: the verdict and the damage; snapshots only when one is damaged, no notes.
      if (!io.quiet || !r.snapshotsOk) printSnapshots(io, r);
      if (!io.quiet) for (const n of r.notes) io.stdout(`  note: ${n}\n`);
    }
    // Not after an error (a vault held by a prune, a wrong key): there was one, it was not verified.
    if (!results.length && exit === 0 && !io.quiet) io.stdout("no vault with backups to verify\n");
    return exit;
  },
};

function printSnapshots(io: Io, r: VerifyResult): void {
  if (!r.snapshots.length) return;
  const bad = r.snapshots.filter((c) => !c.ok).length;
  const how = r.readData ? `every block read and compared with its point, ${bytes(r.snapshotBytesChecked)}` : "records and file sizes";
  const verdict = bad ? `${bad} DAMAGED (error BKP5071; restores take those disks from the vault)` : "ok";
  io.stdout(`  instant-restore snapshots: ${r.snapshots.length} checked (${how}): ${verdict}\n`);
  for (const c of r.snapshots) {
    io.stdout(`  snapshot of VM "${c.vm}" point ${c.point}: ${c.ok ? "ok" : "DAMAGED"}${c.disks.length ? ` (${c.disks.join(", ")})` : ""}\n`);
    for (const p of c.problems) io.stdout(`    error[${p.code}]: ${p.message}\n`);
  }
}
