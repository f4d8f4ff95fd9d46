import { repairVault } from "../../src/engine/repair.js";
import { parse } from "../args.js";
import { policyFiles } from "../inputs.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { ProgressView, eachVault, engineVault, machineKeyFile, nowFrom, seconds } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp repair [--dry-run] [--force] [--json] FILE...

Repair every vault the policy set names (vaults with a path) from what the vault itself holds:
  - a lost or damaged config is restored from its sealed copy (keys/config.sealed), and a lost
    or damaged key file from its copy (keys/vault.key.copy); missing copies are written;
  - a lost or damaged pack index is rebuilt from the copy of it inside its pack (the trailer);
  - then every chunk is read and checked, and damaged ones are recorded, so the next backup of
    each affected disk stores those blocks again from its image instead of referencing them.
It reports which recovery points remain unrestorable and why. Nothing is deleted unless
--force is given: then an index whose pack is missing, and a pack without an index whose
contents are unknown, are deleted. Repair takes the vault's lock like a backup.

Options:
  --dry-run   say what would be repaired; write and delete nothing
  --force     also delete what cannot be repaired (see above)
  --json      print an array of results, one per vault ({vault, dryRun, ok, actions: [{what,
              object, done}], left, unrestorable: [{vm, point, disks, why}], seconds})
  -h, --help  show this help

Exit codes: 0 the vault verifies clean after the repair, 1 damage remains (or the vault cannot
be opened or is locked), 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { "dry-run": { type: "boolean" }, force: { type: "boolean" }, json: { type: "boolean" } });
    const files = policyFiles(positionals, "repair");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const view = new ProgressView(io, io.isTTY && !values.json);
    const now = nowFrom(io);
    const vaults = [...loaded.model.vaults.values()].filter((v) => v.path).map((v) => [v.name, v] as [string, typeof v]);
    const { results, exit } = await eachVault(
      io,
      "repair",
      vaults,
      (v) => repairVault(engineVault(v), { dryRun: values["dry-run"], force: values.force, machineKeyFile: machineKeyFile(io), onProgress: view.onProgress, now: () => now }),
      (r) => !r.ok,
      () => view.reset(),
    );
    if (values.json) {
      io.stdout(JSON.stringify(results, null, 2) + "\n");
      return exit;
    }
    for (const r of results) {
      io.stdout(`vault "${r.vault}": ${r.ok ? "ok" : "DAMAGE REMAINS"}${r.dryRun ? " (dry run: nothing written)" : ""}, ${seconds(r.seconds)}\n`);
      for (const a of r.actions) io.stdout(`  ${a.done ? "" : "would have "}${a.what}: ${a.object}\n`);
      if (!r.actions.length && !io.quiet) io.stdout("  nothing to put back\n");
      for (const l of r.left) io.stdout(`  not repaired: ${l}\n`);
      for (const u of r.unrestorable) io.stdout(`  unrestorable: VM "${u.vm}" point ${u.point}, disk${u.disks.length === 1 ? "" : "s"} ${u.disks.join(", ")}: ${u.why}\n`);
    }
    if (!results.length && exit === 0 && !io.quiet) io.stdout("no vault with backups to repair\n");
    return exit;
  },
};
