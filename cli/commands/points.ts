import { listPoints } from "../../src/engine/points.js";
import type { PointSummary } from "../../src/engine/types.js";
import { parse, UsageError } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { bytes, engineVault, exitCodeForError, machineKeyFile, nowFrom, printEngineError, selectVms, snapshotTier } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp points [--vm NAME] [--json] FILE...

List the recovery points of the policy set's VMs, from their vaults: id, VM, time (UTC),
consistency level and why (scripts run, VM state), size of the disks, bytes the point
newly stored, and the Azure Disk Encryption keys it holds (KEYS: "bek+kek" — the BEK wrapped by
the KEK; "bek" — the BEK under the vault key only; "-" — none; docs/domain.md#encryption), and whether the
point is in the instant-restore snapshot tier (SNAPSHOT: until when its snapshot beside the
vault is kept by the policy's \`instant-restore\` days, or "-"; such a point restores from the
snapshot, see bkp restore).

Options:
  --vm NAME   only this VM
  --json      print an array of points ({vault, id, vm, createdAt, consistency, disks, bytesStored,
              adeKeys?, snapshot?: {expiresAt, disks, allocatedBytes}})
  -h, --help  show this help

Environment: BKP_NOW (ISO instant) sets the clock that decides which snapshots have expired.

Exit codes: 0 ok, 1 a vault could not be read (wrong key, damage), 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, json: { type: "boolean" } });
    const files = policyFiles(positionals, "points");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const vms = selectVms(loaded.model, values.vm);
    const byVault = new Map<string, string[]>();
    for (const vm of vms) byVault.set(vm.vault.name, [...(byVault.get(vm.vault.name) ?? []), vm.name]);
    const rows: (PointSummary & { vault: string })[] = [];
    let exit = 0;
    const now = nowFrom(io);
    const tiers = new Map(vms.map((vm) => [vm.name, snapshotTier(vm)]));
    for (const [vaultName, names] of byVault) {
      const v = loaded.model.vaults.get(vaultName);
      if (!v) throw new UsageError(`no vault "${vaultName}"`);
      try {
        const pts = await listPoints(engineVault(v), values.vm ? { vm: values.vm } : {}, { machineKeyFile: machineKeyFile(io), now: () => now, instantRestore: tiers });
        rows.push(...pts.filter((p) => names.includes(p.vm)).map((p) => ({ vault: vaultName, ...p })));
      } catch (e) {
        if ((e as { code?: string }).code === "BKP5011") continue; // no backups in this vault yet
        printEngineError(io, "points", e, `vault "${vaultName}": `);
        exit = Math.max(exit, exitCodeForError(e));
      }
    }
    if (values.json) {
      io.stdout(JSON.stringify(rows, null, 2) + "\n");
      return exit;
    }
    if (!rows.length) {
      // Not after an error (a damaged vault): its points exist, they could not be listed.
      if (exit === 0 && !io.quiet) io.stdout("no recovery points\n");
      return exit;
    }
    const when = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
    const table = [["POINT", "VM", "VAULT", "CREATED (UTC)", "CONSISTENCY", "DISKS", "SIZE", "STORED", "KEYS", "SNAPSHOT", "WHY"]];
    for (const p of rows) {
      const snap = p.snapshot ? `until ${when(p.snapshot.expiresAt)}` : "-";
      table.push([p.id, p.vm, p.vault, when(p.createdAt), p.consistency.level, String(p.disks.length), bytes(p.disks.reduce((s, d) => s + d.imageBytes, 0)), bytes(p.bytesStored), p.adeKeys ?? "-", snap, p.consistency.reason]);
    }
    const w = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) io.stdout(r.map((c, i) => (i === 6 || i === 7 ? c.padStart(w[i]) : c.padEnd(w[i]))).join("  ").trimEnd() + "\n");
    return exit;
  },
};
