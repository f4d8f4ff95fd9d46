import { verifyVault } from "../../src/engine/verify.js";
import type { VerifyResult } from "../../src/engine/types.js";
import { needFiles, parse } from "../args.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { ProgressView, bytes, engineVault, exitCodeForError, machineKeyFile, printEngineError, seconds } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp verify [--read-data] [--json] FILE...

Check the integrity of every vault the policy set names (vaults with a path): each recovery
point's manifest, block maps and chunk references, and that every pack is present and whole.
With --read-data every chunk is also read, decrypted and re-checked against its id. Damage is
reported with the recovery points and disks it affects. Leftovers of interrupted backups are
not damage (the next backup removes them). Verify waits for a running \`bkp prune\` (2 s; then
BKP5010 for that vault), and a prune waits for a running verify; backups run alongside.

Options:
  --read-data  read and check every chunk (slower: reads the whole vault)
  --json       print an array of results, one per vault ({vault, ok, damage: [{kind, object,
               problem, affects: [{vm, point, disks}]}], notes, ...})
  -h, --help   show this help

Exit codes: 0 no damage, 1 damage found (or a vault cannot be opened, or a prune holds it),
2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { "read-data": { type: "boolean" }, json: { type: "boolean" } });
    const files = needFiles(positionals, "verify");
    const loaded = loadForAnalysis(io, files);
    if (!loaded.ok) return loaded.code;
    const view = new ProgressView(io, io.isTTY && !values.json);
    const results: VerifyResult[] = [];
    let exit = 0;
    for (const v of loaded.model.vaults.values()) {
      if (!v.path) continue;
      try {
        const r = await verifyVault(engineVault(v), { readData: values["read-data"], machineKeyFile: machineKeyFile(io), onProgress: view.onProgress });
        view.reset();
        results.push(r);
        if (!r.ok) exit = Math.max(exit, 1);
      } catch (e) {
        view.reset();
        if ((e as { code?: string }).code === "BKP5011") continue; // no backups in this vault yet
        printEngineError(io, "verify", e, `vault "${v.name}": `);
        exit = Math.max(exit, exitCodeForError(e));
      }
    }
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
      for (const n of r.notes) io.stdout(`  note: ${n}\n`);
    }
    // Not after an error (a vault held by a prune, a wrong key): there was one, it was not verified.
    if (!results.length && exit === 0) io.stdout("no vault with backups to verify\n");
    return exit;
  },
};
