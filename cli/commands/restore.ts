import path from "node:path";
import { findPoint, restoreVm } from "../../src/engine/restore.js";
import type { DiskRestoreResult } from "../../src/engine/types.js";
import { parse, UsageError } from "../args.js";
import type { Command } from "../command.js";
import { loadForAnalysis } from "./plan-common.js";
import { ProgressView, bytes, engineVault, exitCodeForError, machineKeyFile, printEngineError, seconds, selectVms } from "./engine-common.js";

export const command: Command = {
  help: `Usage: bkp restore --vm NAME [--point ID|latest] [--to DIR] [--force] [--json] FILE...

Restore a VM's disks from a recovery point: each disk image is written byte-identical to what
was backed up, sparse (holes where the image had zeros), and verified as it is written (every
chunk is re-checked against its id). A disk that cannot be restored fails without leaving a
file; the other disks are still restored. Files are named after the disks (<disk>.<ext>).

Options:
  --vm NAME          the VM to restore (required)
  --point ID|latest  the recovery point (default latest; see bkp points)
  --to DIR           folder to write the images to (default: each disk's storage account path)
  --force            overwrite existing files
  --json             print the result ({vm, point, ok, disks: [{disk, path, ok, error?}]})
  -h, --help         show this help

Exit codes: 0 ok, 1 a disk could not be restored, 2 usage or I/O error.
`,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { vm: { type: "string" }, point: { type: "string" }, to: { type: "string" }, force: { type: "boolean" }, json: { type: "boolean" } });
    if (!positionals.length) throw new UsageError("bkp restore needs a policy file");
    if (!values.vm) throw new UsageError("bkp restore needs --vm NAME");
    const loaded = loadForAnalysis(io, positionals);
    if (!loaded.ok) return loaded.code;
    const [vm] = selectVms(loaded.model, values.vm);
    const vault = engineVault(vm.vault);
    const keyFile = machineKeyFile(io);
    const view = new ProgressView(io, io.isTTY && !values.json);
    try {
      const point = await findPoint(vault, vm.name, values.point ?? "latest", { machineKeyFile: keyFile });
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
        const r = await restoreVm(vault, { vm: vm.name, point: point.id, toDir: dir, overwrite: values.force, disks: names }, { machineKeyFile: keyFile, onProgress: view.onProgress });
        disks.push(...r.disks);
        secs += r.seconds;
      }
      const ok = disks.every((d) => d.ok);
      if (values.json) io.stdout(JSON.stringify({ vm: vm.name, point: point.id, ok, seconds: secs, disks }, null, 2) + "\n");
      else {
        io.stdout(`vm "${vm.name}": point ${point.id} (${point.createdAt}) ${ok ? "restored" : "restored with failures"} in ${seconds(secs)}\n`);
        const w = Math.max(...disks.map((d) => d.disk.length));
        for (const d of disks) {
          if (d.ok) io.stdout(`  ${d.disk.padEnd(w)}  ${bytes(d.imageBytes).padStart(10)}  -> ${d.path}\n`);
          else io.stderr(`bkp restore: error[${d.error?.code}]: ${d.error?.message}\n`);
        }
      }
      return ok ? 0 : 1;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      printEngineError(io, "restore", e);
      return exitCodeForError(e);
    }
  },
};
